import type { Language } from '../common/i18n/index.js';

/**
 * How the web app talks to the API: every state-changing call fetches a CSRF token first (the
 * answer also sets the CSRF cookie) and reads errors as problem+json, already localized.
 */
export const CSRF_URL = '/api/csrf';
const TIMEOUT_MS = 60_000;

/** A problem+json answer: detail and field messages are already in the member's language. */
export interface Problem {
  kind: 'problem';
  status: number;
  code?: string;
  detail?: string;
  /** Field name → message(s) from the server, joined when a field has several. */
  fields: Record<string, string>;
}
export type Outcome<T> = { kind: 'ok'; value: T } | Problem | { kind: 'network' };

export interface RequestOptions {
  language: Language;
  fetch?: typeof fetch;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function timeoutSignal(): AbortSignal | undefined {
  return typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(TIMEOUT_MS) : undefined;
}

export async function readProblem(response: Response): Promise<Problem> {
  const fields: Record<string, string> = {};
  const json: unknown = /json/i.test(response.headers.get('content-type') ?? '') ? await response.json().catch(() => undefined) : undefined;
  if (!isRecord(json)) return { kind: 'problem', status: response.status, fields };
  if (Array.isArray(json.errors)) {
    for (const entry of json.errors) {
      if (!isRecord(entry) || typeof entry.message !== 'string' || typeof entry.field !== 'string') continue;
      const field = entry.field.split('.')[0] ?? entry.field;
      fields[field] = fields[field] ? `${fields[field]} ${entry.message}` : entry.message;
    }
  }
  return {
    kind: 'problem',
    status: response.status,
    ...(typeof json.code === 'string' ? { code: json.code } : {}),
    ...(typeof json.detail === 'string' && json.detail !== '' ? { detail: json.detail } : {}),
    fields,
  };
}

/**
 * GET /api/csrf for a token (which also sets the CSRF cookie), then the request itself; a
 * rejected (expired) token is replaced once.
 */
export async function withCsrf(
  url: string,
  init: { method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: BodyInit; json?: unknown; headers?: Record<string, string> },
  options: RequestOptions,
): Promise<Response | Problem> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, req?: RequestInit) => fetch(input, req));
  for (let attempt = 1; ; attempt += 1) {
    const csrf = await doFetch(CSRF_URL, {
      method: 'GET',
      headers: { accept: 'application/json', 'accept-language': options.language },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: timeoutSignal(),
    });
    if (!csrf.ok) return readProblem(csrf);
    const json: unknown = await csrf.json().catch(() => undefined);
    const token = isRecord(json) && typeof json.token === 'string' ? json.token : '';
    if (!token) return { kind: 'problem', status: csrf.status, fields: {} };
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      'accept-language': options.language,
      'x-csrf-token': token,
      ...init.headers,
    };
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await doFetch(url, {
      method: init.method ?? 'POST',
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body } : {}),
      signal: timeoutSignal(),
    });
    if (response.ok) return response;
    const problem = await readProblem(response);
    if (problem.code === 'csrf_invalid' && attempt === 1) continue;
    return problem;
  }
}
