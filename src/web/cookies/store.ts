import { useSyncExternalStore } from 'react';
import type { CookieChoice } from '../../common/cookies.js';
import type { Language } from '../../common/i18n/index.js';
import type { Outcome } from '../http.js';
import { fetchCookieState, saveCookieChoice, type CookieState } from './api.js';
import { allowPreferences } from './gate.js';

/** The cookie choice as the whole page sees it: the banner and the cookie page share one copy. */
export type CookieSnapshot =
  | { status: 'loading' }
  | { status: 'ready'; state: CookieState; /** The server refused a stored choice (tampered or unreadable) with this message. */ notice?: string }
  | { status: 'unavailable' };

let snapshot: CookieSnapshot = { status: 'loading' };
const listeners = new Set<() => void>();

function publish(next: CookieSnapshot): void {
  snapshot = next;
  if (next.status === 'ready') allowPreferences(next.state.choice?.preferences ?? false);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCookieSnapshot(): CookieSnapshot {
  return useSyncExternalStore(subscribe, () => snapshot, () => snapshot);
}

/** Asks the server (again): on first load, and whenever who is signed in changes. */
export async function loadCookieState(language: Language): Promise<void> {
  const outcome = await fetchCookieState({ language });
  if (outcome.kind === 'ok') publish({ status: 'ready', state: outcome.value });
  else if (outcome.kind === 'problem' && outcome.code === 'cookie_invalid') {
    publish({ status: 'ready', state: { choice: null, gpc: false }, ...(outcome.detail ? { notice: outcome.detail } : {}) });
  } else if (snapshot.status === 'loading') publish({ status: 'unavailable' });
}

export async function chooseCookies(choice: CookieChoice, language: Language): Promise<Outcome<CookieState>> {
  const outcome = await saveCookieChoice(choice, { language });
  if (outcome.kind === 'ok') publish({ status: 'ready', state: outcome.value });
  return outcome;
}
