import { DEFAULT_LANGUAGE, isLanguage, languageFromTag, type Language } from '../common/i18n/index.js';

/** localStorage key, written only when the member picks a language with the switch. */
export const LANGUAGE_STORAGE_KEY = 'kenalan.lang';

export { languageFromTag };

export interface LanguageSources {
  /** The page's query string, e.g. "?lang=en". */
  search: string;
  /** The language the member chose earlier with the switch, if any. */
  stored: string | null;
  /** navigator.languages (or [navigator.language]). */
  preferred: readonly string[];
}

/** Order: ?lang= in the URL, then the member's earlier choice, then the browser's languages, then Indonesian. */
export function chooseLanguage({ search, stored, preferred }: LanguageSources): Language {
  const fromUrl = new URLSearchParams(search).get('lang');
  if (isLanguage(fromUrl)) return fromUrl;
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const language = languageFromTag(tag);
    if (language) return language;
  }
  return DEFAULT_LANGUAGE;
}

function readStored(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Storage can be unavailable (private mode, blocked cookies); the choice then lasts for this page only.
    return null;
  }
}

export function storeLanguage(language: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // See readStored.
  }
}

export function detectLanguage(): Language {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  return chooseLanguage({ search: window.location.search, stored: readStored(), preferred });
}
