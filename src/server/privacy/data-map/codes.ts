import { texts, type Language } from '../../../common/i18n/index.js';
import type { CodeLabels } from './types.js';

/**
 * A column's code labels taken from the shared texts (`<prefix>.<code>` in both languages), so the
 * form that sets a value and "your data" that shows it read the same. Throws at load when a text is
 * missing: a declaration must not ship a bare code.
 */
export function codeLabelsFromTexts(prefix: string, codes: readonly string[]): CodeLabels {
  const at = (language: Language, key: string): unknown => key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), texts[language]);
  return Object.fromEntries(
    codes.map((code) => {
      const id = at('id', `${prefix}.${code}`);
      const en = at('en', `${prefix}.${code}`);
      if (typeof id !== 'string' || typeof en !== 'string') throw new Error(`data map: no text ${prefix}.${code} in both languages`);
      return [code, { id, en }];
    }),
  );
}
