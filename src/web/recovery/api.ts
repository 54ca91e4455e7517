import { isRecord, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** POST a JSON body (with the CSRF token) and read the JSON answer, if any. */
async function postJson(url: string, json: unknown, options: RequestOptions): Promise<Outcome<Record<string, unknown>>> {
  try {
    const result = await withCsrf(url, { json }, options);
    if (!(result instanceof Response)) return result;
    const body: unknown = /json/i.test(result.headers.get('content-type') ?? '') ? await result.json().catch(() => undefined) : undefined;
    return { kind: 'ok', value: isRecord(body) ? body : {} };
  } catch {
    return { kind: 'network' };
  }
}

function field<T>(outcome: Outcome<Record<string, unknown>>, name: string): Outcome<T> {
  if (outcome.kind !== 'ok') return outcome;
  const value = outcome.value[name];
  return typeof value === 'string' ? { kind: 'ok', value: value as T } : { kind: 'problem', status: 500, fields: {} };
}
const nothing = (outcome: Outcome<Record<string, unknown>>): Outcome<null> => (outcome.kind === 'ok' ? { kind: 'ok', value: null } : outcome);

export type ResetChannel = 'email' | 'sms';

export async function requestReset(identifier: string, channel: ResetChannel, options: RequestOptions): Promise<Outcome<string>> {
  return field<string>(await postJson('/api/password-resets', { identifier, channel }, options), 'resetId');
}

export async function completeReset(
  secret: { token: string } | { resetId: string; code: string },
  newPassword: string,
  options: RequestOptions,
): Promise<Outcome<null>> {
  return nothing(await postJson('/api/password-resets/complete', { ...secret, newPassword }, options));
}

export async function requestEmailChange(currentPassword: string, newEmail: string, options: RequestOptions): Promise<Outcome<string>> {
  return field<string>(await postJson('/api/account/email', { currentPassword, newEmail }, options), 'changeId');
}

export async function confirmEmailChange(token: string, options: RequestOptions): Promise<Outcome<null>> {
  return nothing(await postJson('/api/account/email/confirm', { token }, options));
}

export async function requestPhoneChange(currentPassword: string, newPhone: string, options: RequestOptions): Promise<Outcome<string>> {
  return field<string>(await postJson('/api/account/phone', { currentPassword, newPhone }, options), 'changeId');
}

export async function confirmPhoneChange(changeId: string, code: string, options: RequestOptions): Promise<Outcome<null>> {
  return nothing(await postJson('/api/account/phone/confirm', { changeId, code }, options));
}

export async function reportCompromised(options: RequestOptions): Promise<Outcome<string>> {
  return field<string>(await postJson('/api/account/compromised', {}, options), 'ticketNumber');
}

export async function requestCompromiseConfirmation(identifier: string, options: RequestOptions): Promise<Outcome<null>> {
  return nothing(await postJson('/api/account/compromised/requests', { identifier }, options));
}

export async function confirmCompromise(token: string, options: RequestOptions): Promise<Outcome<string>> {
  return field<string>(await postJson('/api/account/compromised/confirm', { token }, options), 'ticketNumber');
}
