import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';


export interface SignUpResult {
  id: string;
  status: string;
}

/** POST /api/accounts (multipart/form-data); the browser sets the multipart boundary itself. */
export async function submitSignUp(form: FormData, options: RequestOptions & { idempotencyKey: string }): Promise<Outcome<SignUpResult>> {
  try {
    const result = await withCsrf('/api/accounts', { body: form, headers: { 'idempotency-key': options.idempotencyKey } }, options);
    if (!(result instanceof Response)) return result;
    const json: unknown = await result.json().catch(() => undefined);
    if (isRecord(json) && typeof json.id === 'string' && typeof json.status === 'string') {
      return { kind: 'ok', value: { id: json.id, status: json.status } };
    }
    return { kind: 'problem', status: result.status, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}

async function postJson(url: string, json: unknown, options: RequestOptions): Promise<Outcome<null>> {
  try {
    const result = await withCsrf(url, { json }, options);
    return result instanceof Response ? { kind: 'ok', value: null } : result;
  } catch {
    return { kind: 'network' };
  }
}

export function verifyPhone(memberId: string, code: string, options: RequestOptions): Promise<Outcome<null>> {
  return postJson(`/api/accounts/${encodeURIComponent(memberId)}/verify-phone`, { code }, options);
}

export function resendSms(memberId: string, options: RequestOptions): Promise<Outcome<null>> {
  return postJson(`/api/accounts/${encodeURIComponent(memberId)}/resend-sms`, {}, options);
}

/** POST /api/accounts/:id/guardian-invitation: the guardian's invitation again (at most once per 10 minutes). */
export function resendGuardianInvitation(memberId: string, options: RequestOptions): Promise<Outcome<null>> {
  return postJson(`/api/accounts/${encodeURIComponent(memberId)}/guardian-invitation`, {}, options);
}

export function verifyEmail(token: string, options: RequestOptions): Promise<Outcome<null>> {
  return postJson('/api/accounts/verify-email', { token }, options);
}

/** A GET of JSON (no CSRF needed), with errors read as problem+json. */
export async function getJson(url: string, options: RequestOptions): Promise<Outcome<unknown>> {
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

export type GuardianState = 'none' | 'pending' | 'consented' | 'refused' | 'withdrawn';
const GUARDIAN_STATES: readonly string[] = ['none', 'pending', 'consented', 'refused', 'withdrawn'];

export interface SignUpStatus {
  status: string;
  emailVerified: boolean;
  phoneVerified: boolean;
  guardian: GuardianState;
}

/** GET /api/accounts/:id/status: where the sign-up stands (the verify page after a reload, and while waiting). */
export async function fetchSignUpStatus(memberId: string, options: RequestOptions): Promise<Outcome<SignUpStatus>> {
  const outcome = await getJson(`/api/accounts/${encodeURIComponent(memberId)}/status`, options);
  if (outcome.kind !== 'ok') return outcome;
  const v = outcome.value;
  if (isRecord(v) && typeof v.status === 'string' && typeof v.emailVerified === 'boolean' && typeof v.phoneVerified === 'boolean' && typeof v.guardian === 'string' && GUARDIAN_STATES.includes(v.guardian)) {
    return { kind: 'ok', value: { status: v.status, emailVerified: v.emailVerified, phoneVerified: v.phoneVerified, guardian: v.guardian as GuardianState } };
  }
  return { kind: 'problem', status: 500, fields: {} };
}
