import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** Second factors and sign-in challenges, as the web app calls them. */

export type ChallengeMethod = 'totp' | 'recovery_code' | 'passkey' | 'email_code' | 'sms_code';
export interface Challenge {
  id: string;
  methods: ChallengeMethod[];
  reason: 'mfa' | 'step_up';
}
export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  synced: boolean;
}
export interface MfaStatus {
  totp: { enabled: boolean; pending: boolean };
  recoveryCodesLeft: number;
  passkeys: PasskeyInfo[];
}
export interface TotpSetup {
  secret: string;
  uri: string;
  qrSvgDataUrl: string;
}

const METHODS: readonly ChallengeMethod[] = ['totp', 'recovery_code', 'passkey', 'email_code', 'sms_code'];

export function isChallenge(v: unknown): v is Challenge {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    Array.isArray(v.methods) &&
    v.methods.every((m) => METHODS.includes(m as ChallengeMethod)) &&
    (v.reason === 'mfa' || v.reason === 'step_up')
  );
}

/** A state-changing JSON call; the answer's JSON (or null for 204) on success. */
async function send(url: string, init: { method?: 'POST' | 'PATCH' | 'DELETE'; json?: unknown }, options: RequestOptions): Promise<Outcome<unknown>> {
  try {
    const result = await withCsrf(url, { method: init.method ?? 'POST', ...(init.json === undefined ? {} : { json: init.json }) }, options);
    if (!(result instanceof Response)) return result;
    const value: unknown = /json/i.test(result.headers.get('content-type') ?? '') ? await result.json().catch(() => null) : null;
    return { kind: 'ok', value };
  } catch {
    return { kind: 'network' };
  }
}

const malformed = { kind: 'problem', status: 500, fields: {} } as const;

/** POST /api/sessions/challenge: on success the server sets the session cookie. */
export async function answerChallenge(challengeId: string, method: ChallengeMethod, answer: { code: string } | { response: unknown }, options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await send('/api/sessions/challenge', { json: { challengeId, method, ...answer } }, options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}

export async function sendChallengeCode(challengeId: string, method: 'email_code' | 'sms_code', options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await send('/api/sessions/challenge/send', { json: { challengeId, method } }, options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}

export async function challengePasskeyOptions(challengeId: string, options: RequestOptions): Promise<Outcome<unknown>> {
  return send('/api/sessions/challenge/passkey-options', { json: { challengeId } }, options);
}

export async function passkeySignInOptions(options: RequestOptions): Promise<Outcome<unknown>> {
  return send('/api/sessions/passkey/options', {}, options);
}

export async function passkeySignIn(response: unknown, options: RequestOptions): Promise<Outcome<null>> {
  const outcome = await send('/api/sessions/passkey', { json: { response } }, options);
  return outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome;
}

export async function fetchMfa(options: RequestOptions): Promise<Outcome<MfaStatus>> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, req?: RequestInit) => fetch(input, req));
  try {
    const response = await doFetch('/api/mfa', {
      method: 'GET',
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    const v: unknown = await response.json();
    if (isRecord(v) && isRecord(v.totp) && typeof v.recoveryCodesLeft === 'number' && Array.isArray(v.passkeys)) {
      return {
        kind: 'ok',
        value: { totp: { enabled: v.totp.enabled === true, pending: v.totp.pending === true }, recoveryCodesLeft: v.recoveryCodesLeft, passkeys: v.passkeys as PasskeyInfo[] },
      };
    }
    return malformed;
  } catch {
    return { kind: 'network' };
  }
}

export async function startTotp(options: RequestOptions): Promise<Outcome<TotpSetup>> {
  const outcome = await send('/api/mfa/totp', {}, options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && typeof v.secret === 'string' && typeof v.uri === 'string' && typeof v.qrSvgDataUrl === 'string') {
    return { kind: 'ok', value: { secret: v.secret, uri: v.uri, qrSvgDataUrl: v.qrSvgDataUrl } };
  }
  return malformed;
}

function recoveryCodesOf(outcome: Outcome<unknown>): Outcome<string[]> {
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  return isRecord(v) && Array.isArray(v.recoveryCodes) ? { kind: 'ok', value: v.recoveryCodes.map(String) } : malformed;
}

export async function confirmTotp(code: string, options: RequestOptions): Promise<Outcome<string[]>> {
  return recoveryCodesOf(await send('/api/mfa/totp/confirm', { json: { code } }, options));
}

export async function disableTotp(password: string, code: string, options: RequestOptions): Promise<Outcome<unknown>> {
  return send('/api/mfa/totp/disable', { json: { password, code } }, options);
}

export async function regenerateRecoveryCodes(code: string, options: RequestOptions): Promise<Outcome<string[]>> {
  return recoveryCodesOf(await send('/api/mfa/recovery-codes', { json: { code } }, options));
}

export async function passkeyRegistrationOptions(options: RequestOptions): Promise<Outcome<unknown>> {
  return send('/api/mfa/passkeys/options', {}, options);
}

export async function registerPasskey(response: unknown, name: string, options: RequestOptions): Promise<Outcome<unknown>> {
  return send('/api/mfa/passkeys', { json: { response, name } }, options);
}

export async function renamePasskey(id: string, name: string, options: RequestOptions): Promise<Outcome<unknown>> {
  return send(`/api/mfa/passkeys/${encodeURIComponent(id)}`, { method: 'PATCH', json: { name } }, options);
}

export async function removePasskey(id: string, options: RequestOptions): Promise<Outcome<unknown>> {
  return send(`/api/mfa/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' }, options);
}
