import type { CookieChoice } from '../../common/cookies.js';
import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

export interface CookieState {
  /** null until this browser (or the signed-in member) has chosen. */
  choice: CookieChoice | null;
  /** The browser sends Global Privacy Control: analytics and marketing stay off. */
  gpc: boolean;
}

function readState(value: unknown): CookieState | undefined {
  if (!isRecord(value) || typeof value.gpc !== 'boolean') return undefined;
  const c = value.choice;
  if (c === null) return { choice: null, gpc: value.gpc };
  if (isRecord(c) && typeof c.preferences === 'boolean' && typeof c.analytics === 'boolean' && typeof c.marketing === 'boolean') {
    return { choice: { preferences: c.preferences, analytics: c.analytics, marketing: c.marketing }, gpc: value.gpc };
  }
  return undefined;
}

export async function fetchCookieState(options: RequestOptions): Promise<Outcome<CookieState>> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, req?: RequestInit) => fetch(input, req));
  try {
    const response = await doFetch('/api/cookie-consent', {
      method: 'GET',
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    const state = readState(await response.json());
    return state ? { kind: 'ok', value: state } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}

export async function saveCookieChoice(choice: CookieChoice, options: RequestOptions): Promise<Outcome<CookieState>> {
  try {
    const result = await withCsrf('/api/cookie-consent', { method: 'PUT', json: choice }, options);
    if (!(result instanceof Response)) return result;
    const state = readState(await result.json());
    return state ? { kind: 'ok', value: state } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}
