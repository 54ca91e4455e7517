import { LANGUAGE_STORAGE_KEY } from '../language.js';

/**
 * What the page may keep in the browser beyond necessary cookies. Everything starts refused (opt-in)
 * until the server tells us the visitor's choice; refusing preferences also removes what was kept.
 */
let preferencesAllowed = false;

export function allowPreferences(allowed: boolean): void {
  preferencesAllowed = allowed;
  if (!allowed) {
    try {
      window.localStorage.removeItem(LANGUAGE_STORAGE_KEY);
    } catch {
      // Storage unavailable: nothing was kept.
    }
  }
}

export function mayStorePreferences(): boolean {
  return preferencesAllowed;
}
