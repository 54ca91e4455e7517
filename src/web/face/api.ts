import { isRecord, readProblem, timeoutSignal, withCsrf, type Outcome, type RequestOptions } from '../http.js';

export interface FaceStatus {
  consent: boolean;
  verified: boolean;
  verifiedAt: string | null;
  method: 'automatic' | 'review' | null;
  hasTemplate: boolean;
  inReview: boolean;
  attemptsLeft: number;
  /** The latest finished check under the consent in force; null when none. */
  lastCheck: FaceLastCheck | null;
}

export interface FaceLastCheck {
  status: 'verified' | 'review' | 'refused';
  /** Refusal reason code (face.reasons.*), null unless refused. */
  reason: string | null;
  /** The reason in the language the status was asked in. */
  reasonMessage: string | null;
  decidedBy: 'automatic' | 'reviewer';
  at: string | null;
}

export interface FaceChallenge {
  id: string;
  challenge: string;
  expiresAt: string;
  attemptsLeft: number;
  instruction: string;
}

export interface FaceCheckResult {
  status: 'verified' | 'review' | 'refused';
  reason: string | null;
  message: string;
}

const isStatus = (v: unknown): v is FaceStatus => isRecord(v) && typeof v.consent === 'boolean' && typeof v.verified === 'boolean' && typeof v.attemptsLeft === 'number';

async function json<T>(response: Response | Awaited<ReturnType<typeof readProblem>>, check: (v: unknown) => v is T): Promise<Outcome<T>> {
  if (!(response instanceof Response)) return response;
  const value: unknown = await response.json().catch(() => undefined);
  return check(value) ? { kind: 'ok', value } : { kind: 'problem', status: 500, fields: {} };
}

export async function fetchFaceStatus(options: RequestOptions): Promise<Outcome<FaceStatus>> {
  try {
    const response = await fetch('/api/me/face', {
      headers: { accept: 'application/json, application/problem+json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!response.ok) return readProblem(response);
    return json(response, isStatus);
  } catch {
    return { kind: 'network' };
  }
}

export async function setFaceConsent(granted: boolean, options: RequestOptions): Promise<Outcome<FaceStatus>> {
  try {
    return json(await withCsrf('/api/me/face/consent', { method: 'PUT', json: { granted } }, options), isStatus);
  } catch {
    return { kind: 'network' };
  }
}

export async function startFaceChallenge(options: RequestOptions): Promise<Outcome<FaceChallenge>> {
  try {
    return json(
      await withCsrf('/api/me/face/challenge', { method: 'POST' }, options),
      (v): v is FaceChallenge => isRecord(v) && typeof v.id === 'string' && typeof v.instruction === 'string',
    );
  } catch {
    return { kind: 'network' };
  }
}

export async function submitFaceCheck(checkId: string, frames: Blob[], options: RequestOptions): Promise<Outcome<FaceCheckResult>> {
  const form = new FormData();
  form.append('checkId', checkId);
  frames.forEach((frame, i) => form.append('frames', frame, `frame-${i + 1}.jpg`));
  try {
    return json(
      await withCsrf('/api/me/face/checks', { method: 'POST', body: form }, options),
      (v): v is FaceCheckResult => isRecord(v) && typeof v.status === 'string' && typeof v.message === 'string',
    );
  } catch {
    return { kind: 'network' };
  }
}
