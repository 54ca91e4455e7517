import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

export interface ConsentInfo {
  purpose: string;
  granted: boolean;
  at: string | null;
  policyVersion: string | null;
}

function readConsents(value: unknown): ConsentInfo[] | undefined {
  if (!isRecord(value) || !Array.isArray(value.consents)) return undefined;
  return value.consents.filter(
    (c): c is ConsentInfo => isRecord(c) && typeof c.purpose === 'string' && typeof c.granted === 'boolean' && (c.at === null || typeof c.at === 'string'),
  );
}

export async function fetchConsents(options: RequestOptions): Promise<Outcome<ConsentInfo[]>> {
  try {
    const response = await fetch('/api/me/consents', {
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    const consents = readConsents(await response.json());
    return consents ? { kind: 'ok', value: consents } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}

export async function changeConsent(purpose: string, granted: boolean, options: RequestOptions): Promise<Outcome<ConsentInfo[]>> {
  try {
    const result = await withCsrf(`/api/me/consents/${encodeURIComponent(purpose)}`, { method: 'PUT', json: { granted } }, options);
    if (!(result instanceof Response)) return result;
    const consents = readConsents(await result.json());
    return consents ? { kind: 'ok', value: consents } : { kind: 'problem', status: 500, fields: {} };
  } catch {
    return { kind: 'network' };
  }
}
