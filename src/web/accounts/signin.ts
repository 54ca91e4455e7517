import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';
import { isChallenge, type Challenge } from './mfa.js';

export interface Me {
  id: string;
  username: string;
  status: string;
  language: string;
}

export interface SessionInfo {
  id: string;
  device: string;
  browser: string | null;
  os: string | null;
  place: { city: string; country: string } | null;
  location: { latitude: number; longitude: number; accuracy: number } | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/**
 * POST /api/sessions. 201: signed in (the server set the httpOnly session cookie). 202: the
 * password was right but a second step is needed; the server set the challenge cookie.
 */
export async function signIn(
  identifier: string,
  password: string,
  options: RequestOptions,
  /** `restore`: cancel a pending account deletion (after `account_deletion_pending`) and sign in. */
  extra: { restore?: boolean } = {},
): Promise<Outcome<{ kind: 'session' } | { kind: 'challenge'; challenge: Challenge }>> {
  try {
    const result = await withCsrf('/api/sessions', { json: { identifier, password, ...(extra.restore ? { restore: true } : {}) } }, options);
    if (!(result instanceof Response)) return result;
    if (result.status === 202) {
      const json: unknown = await result.json().catch(() => undefined);
      if (isRecord(json) && isChallenge(json.challenge)) return { kind: 'ok', value: { kind: 'challenge', challenge: json.challenge } };
      return { kind: 'problem', status: 500, fields: {} };
    }
    return { kind: 'ok', value: { kind: 'session' } };
  } catch {
    return { kind: 'network' };
  }
}

async function getJson(url: string, options: RequestOptions): Promise<Outcome<unknown>> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, req?: RequestInit) => fetch(input, req));
  try {
    const response = await doFetch(url, {
      method: 'GET',
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    return { kind: 'ok', value: await response.json() };
  } catch {
    return { kind: 'network' };
  }
}

export async function fetchMe(options: RequestOptions): Promise<Outcome<Me>> {
  const outcome = await getJson('/api/me', options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && typeof v.id === 'string' && typeof v.username === 'string') {
    return { kind: 'ok', value: { id: v.id, username: v.username, status: String(v.status ?? ''), language: String(v.language ?? '') } };
  }
  return { kind: 'problem', status: 500, fields: {} };
}

function isSession(v: unknown): v is SessionInfo {
  return (
    isRecord(v) &&
    (v.browser === null || typeof v.browser === 'string') &&
    (v.os === null || typeof v.os === 'string') &&
    (v.place === null || isRecord(v.place)) &&
    (v.location === null || isRecord(v.location)) &&
    typeof v.id === 'string' &&
    typeof v.device === 'string' &&
    typeof v.createdAt === 'string' &&
    typeof v.lastSeenAt === 'string' &&
    typeof v.current === 'boolean'
  );
}

export async function fetchSessions(options: RequestOptions): Promise<Outcome<SessionInfo[]>> {
  const outcome = await getJson('/api/sessions', options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && Array.isArray(v.sessions)) return { kind: 'ok', value: v.sessions.filter(isSession) };
  return { kind: 'problem', status: 500, fields: {} };
}

async function del(url: string, options: RequestOptions): Promise<Outcome<unknown>> {
  try {
    const result = await withCsrf(url, { method: 'DELETE' }, options);
    if (!(result instanceof Response)) return result;
    const json: unknown = /json/i.test(result.headers.get('content-type') ?? '') ? await result.json().catch(() => undefined) : undefined;
    return { kind: 'ok', value: json };
  } catch {
    return { kind: 'network' };
  }
}

export async function endSession(id: string, options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await del(`/api/sessions/${encodeURIComponent(id)}`, options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}

export async function endOtherSessions(options: RequestOptions): Promise<Outcome<number>> {
  const outcome = await del('/api/sessions/others', options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  return { kind: 'ok', value: isRecord(v) && typeof v.ended === 'number' ? v.ended : 0 };
}

export async function signOut(options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await del('/api/sessions/current', options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}

/** P1.6: sends this browser's position (after the browser's own permission prompt) to the current session. */
export async function shareLocation(position: { latitude: number; longitude: number; accuracy: number }, options: RequestOptions): Promise<Outcome<null>> {
  try {
    const result = await withCsrf('/api/sessions/current/location', { method: 'PUT', json: position }, options);
    return result instanceof Response ? { kind: 'ok', value: null } : result;
  } catch {
    return { kind: 'network' };
  }
}

export async function forgetLocation(options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await del('/api/sessions/current/location', options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}
