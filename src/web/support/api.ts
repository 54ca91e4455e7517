import { isLanguage, type Language } from '../../common/i18n/index.js';
import type { SupportTicketResponse } from '../../common/schemas/support.js';
import { isRecord, withCsrf, type Problem } from '../http.js';
import { isSupportField, type SupportField, type SupportRequestBody } from './validate.js';

export const SUPPORT_TICKETS_URL = '/api/support/tickets';

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
 * Sends a support request through `withCsrf` (token first; an expired token is replaced once).
 * The idempotency key makes a retry after a lost answer return the original ticket instead of
 * creating a second one.
 */
export async function submitSupportTicket(body: SupportRequestBody, options: SubmitOptions): Promise<SubmitOutcome> {
  try {
    const result = await withCsrf(SUPPORT_TICKETS_URL, { json: body, headers: { 'idempotency-key': options.idempotencyKey } }, options);
    if (!(result instanceof Response)) return supportProblem(result);
    const ticket = readTicket(await result.json().catch(() => undefined));
    return ticket ? { kind: 'created', ticket } : { kind: 'problem', status: result.status, fields: {} };
  } catch {
    // fetch rejects only when no HTTP answer arrived (offline, DNS, TLS, timeout).
    return { kind: 'network' };
  }
}

function readTicket(json: unknown): SupportTicketResponse | undefined {
  if (!isRecord(json)) return undefined;
  const { number, topic, language, createdAt, dueAt } = json;
  if (typeof number !== 'string' || typeof topic !== 'string' || !isLanguage(language)) return undefined;
  if (typeof createdAt !== 'string' || typeof dueAt !== 'string') return undefined;
  return { number, topic, language, createdAt, dueAt };
}

/** Keeps only the form's own fields: a body-level problem has no field of ours. */
function supportProblem(problem: Problem): SubmitOutcome {
  const fields: Partial<Record<SupportField, string>> = {};
  for (const [field, message] of Object.entries(problem.fields)) if (isSupportField(field)) fields[field] = message;
  return { ...problem, fields };
}
