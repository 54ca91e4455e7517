import type { i18n as I18n } from 'i18next';
import { isLanguage, type Language } from '../../common/i18n/index.js';
import { LANGUAGE_STORAGE_KEY } from '../language.js';

/**
 * The guardian hears from us in the language stored for them (at first the one the minor chose).
 * The page opens in it unless the visitor chose one: `?lang=` in the address or the switch earlier.
 */
export function adoptLanguageIfUnchosen(language: Language, searchParams: URLSearchParams, i18n: I18n): void {
  if (isLanguage(searchParams.get('lang'))) return;
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Storage unavailable: nothing was chosen before.
  }
  if (isLanguage(stored)) return;
  if (i18n.resolvedLanguage !== language) void i18n.changeLanguage(language);
}
