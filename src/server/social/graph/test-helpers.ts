import { csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';

/** Test helpers for the social graph (not a test file): signed-in members and calls as them. */

export interface SignedIn {
  id: string;
  username: string;
  cookie: string;
}

/** An active, signed-in adult member (real sign-up and sign-in over HTTP). */
export async function signedInMember(t: TestApp, n: number, language: 'id' | 'en' = 'id'): Promise<SignedIn> {
  const m = await signUpMember(t, n, { language });
  const response = await signIn(t, m.username, PASSWORD, { ip: `198.51.100.${(n % 250) + 1}`, language });
  const session = sessionCookieOf(response);
  if (!session) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return { id: m.id, username: m.username, cookie: `${SESSION_COOKIE}=${session.value}` };
}

/** Makes the member a minor today (P5.2 tests): turns 18 in two years. */
export async function makeMinor(t: TestApp, memberId: string): Promise<void> {
  const inTwoYears = new Date(Date.now() + 2 * 366 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await t.database.db.updateTable('members').set({ adult_from: inTwoYears }).where('id', '=', memberId).execute();
}

/** A request as `who` (CSRF for unsafe methods), answered in `language`. */
export async function call(
  t: TestApp,
  who: SignedIn | null,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  options: { language?: 'id' | 'en'; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { 'accept-language': options.language ?? 'en', ...options.headers };
  const cookies: string[] = [];
  if (method !== 'GET') {
    const csrf = await csrfHeaders(t.app);
    cookies.push(csrf.cookie!);
    headers['x-csrf-token'] = csrf['x-csrf-token']!;
  }
  if (who) cookies.push(who.cookie);
  if (cookies.length) headers.cookie = cookies.join('; ');
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}
