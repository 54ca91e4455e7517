import en from './en.json' with { type: 'json' };
import id from './id.json' with { type: 'json' };

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'id';

export const resources = { id: { translation: id }, en: { translation: en } } as const;

export function isLanguage(value: unknown): value is Language {
  return value === 'id' || value === 'en';
}

/** Reads a language tag such as "id-ID", "in" or "en-GB" as one of our languages. */
export function languageFromTag(tag: string | null | undefined): Language | undefined {
  if (!tag) return undefined;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  // "in" is the pre-1989 code for Indonesian that some Android versions still send.
  const normalized = base === 'in' ? 'id' : base;
  return isLanguage(normalized) ? normalized : undefined;
}

/** Picks the first supported language from an Accept-Language header, honouring q-values. */
export function languageFromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const entry of ranked) {
    const language = languageFromTag(entry.tag);
    if (language) return language;
  }
  return undefined;
}
