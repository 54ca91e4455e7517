import { isRecord, withCsrf, type Outcome, type RequestOptions } from '../http.js';


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

export function verifyEmail(token: string, options: RequestOptions): Promise<Outcome<null>> {
  return postJson('/api/accounts/verify-email', { token }, options);
}
