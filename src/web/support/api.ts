import { isLanguage, type Language } from '../../common/i18n/index.js';
import type { SupportTicketResponse } from '../../common/schemas/support.js';
import { isSupportField, type SupportField, type SupportRequestBody } from './validate.js';

export const CSRF_URL = '/api/csrf';
export const SUPPORT_TICKETS_URL = '/api/support/tickets';
const TIMEOUT_MS = 30_000;

export type SubmitOutcome =
  | { kind: 'created'; ticket: SupportTicketResponse }
  /** The server answered with an error; detail and field messages are already in the member's language. */
  | { kind: 'problem'; status: number; code?: string; detail?: string; fields: Partial<Record<SupportField, string>> }
  /** Kenalan could not be reached (offline, timeout, connection reset). Retrying is safe. */
  | { kind: 'network' };

export interface SubmitOptions {
  idempotencyKey: string;
  language: Language;
  fetch?: typeof fetch;
}

/**
 * Sends a support request: GET /api/csrf for a token (the response also sets the CSRF cookie),
 * then POST the ticket. The idempotency key makes a retry after a lost answer return the
 * original ticket instead of creating a second one. If the token was rejected (it expired),
 * the request is tried once more with a fresh token.
 */
export async function submitSupportTicket(body: SupportRequestBody, options: SubmitOptions): Promise<SubmitOutcome> {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  try {
    for (let attempt = 1; ; attempt += 1) {
      const csrf = await doFetch(CSRF_URL, {
        method: 'GET',
        headers: { accept: 'application/json', 'accept-language': options.language },
        credentials: 'same-origin',
        cache: 'no-store',
        signal: timeoutSignal(),
      });
      if (!csrf.ok) return await readProblem(csrf);
      const token = readToken(await csrf.json().catch(() => undefined));
      if (!token) return { kind: 'problem', status: csrf.status, fields: {} };

      const response = await doFetch(SUPPORT_TICKETS_URL, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, application/problem+json',
          'accept-language': options.language,
          'x-csrf-token': token,
          'idempotency-key': options.idempotencyKey,
        },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify(body),
        signal: timeoutSignal(),
      });
      if (response.ok) {
        const ticket = readTicket(await response.json().catch(() => undefined));
        return ticket ? { kind: 'created', ticket } : { kind: 'problem', status: response.status, fields: {} };
      }
      const problem = await readProblem(response);
      if (problem.kind === 'problem' && problem.code === 'csrf_invalid' && attempt === 1) continue;
      return problem;
    }
  } catch {
    // fetch rejects only when no HTTP answer arrived (offline, DNS, TLS, timeout).
    return { kind: 'network' };
  }
}

function timeoutSignal(): AbortSignal | undefined {
  return typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(TIMEOUT_MS) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readToken(json: unknown): string | undefined {
  return isRecord(json) && typeof json.token === 'string' && json.token !== '' ? json.token : undefined;
}

function readTicket(json: unknown): SupportTicketResponse | undefined {
  if (!isRecord(json)) return undefined;
  const { number, topic, language, createdAt, dueAt } = json;
  if (typeof number !== 'string' || typeof topic !== 'string' || !isLanguage(language)) return undefined;
  if (typeof createdAt !== 'string' || typeof dueAt !== 'string') return undefined;
  return { number, topic, language, createdAt, dueAt };
}

/** Reads an application/problem+json body: { code, detail, errors?: [{ field, code, message }] }. */
async function readProblem(response: Response): Promise<SubmitOutcome> {
  const fields: Partial<Record<SupportField, string>> = {};
  const json: unknown = /json/i.test(response.headers.get('content-type') ?? '') ? await response.json().catch(() => undefined) : undefined;
  if (!isRecord(json)) return { kind: 'problem', status: response.status, fields };
  if (Array.isArray(json.errors)) {
    for (const entry of json.errors) {
      if (!isRecord(entry) || typeof entry.message !== 'string') continue;
      // The server names nested fields with dots; a body-level problem has no field of ours.
      const field = typeof entry.field === 'string' ? entry.field.split('.')[0] : undefined;
      if (isSupportField(field) && !fields[field]) fields[field] = entry.message;
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
