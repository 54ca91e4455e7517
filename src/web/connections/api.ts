import { getJson } from '../accounts/api.js';
import { isRecord, withCsrf, type Outcome, type RequestOptions } from '../http.js';

/** The web side of kenalan requests, connections, blocks and reports (server: src/server/social/graph/routes.ts). */

export interface MemberCard {
  memberId: string;
  username: string;
  nickname: string | null;
  photoUrl: string | null;
}
export interface KenalanRequest {
  id: string;
  status: string;
  intro: string | null;
  createdAt: string;
  expiresAt: string;
  member: MemberCard;
}
export interface Connection extends MemberCard {
  since: string;
}
export interface BlockedMember {
  memberId: string;
  username: string;
  nickname: string;
  since: string;
}
export interface Page<T> {
  items: T[];
  next: string | null;
}
export const REPORT_CATEGORIES = ['spam', 'scam', 'harassment', 'hate', 'sexual_content', 'minor_safety', 'impersonation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];
export const INTRO_MAX = 300;
export const REPORT_MESSAGE_MAX = 1000;

/** A display name for a member: the nickname when there is one, otherwise @username. */
export const displayName = (m: { nickname: string | null; username: string }) => m.nickname ?? `@${m.username}`;

async function send<T>(url: string, init: Parameters<typeof withCsrf>[1], options: RequestOptions, read: (json: unknown) => T): Promise<Outcome<T>> {
  try {
    const result = await withCsrf(url, init, options);
    if (!(result instanceof Response)) return result;
    const json: unknown = result.status === 204 ? null : await result.json().catch(() => null);
    return { kind: 'ok', value: read(json) };
  } catch {
    return { kind: 'network' };
  }
}

async function page<T>(url: string, key: string, cursor: string | null, options: RequestOptions): Promise<Outcome<Page<T>>> {
  const outcome = await getJson(cursor ? `${url}?cursor=${encodeURIComponent(cursor)}` : url, options);
  if (outcome.kind !== 'ok') return outcome;
  const value = outcome.value;
  if (!isRecord(value) || !Array.isArray(value[key])) return { kind: 'problem', status: 500, fields: {} };
  return { kind: 'ok', value: { items: value[key] as T[], next: typeof value.next === 'string' ? value.next : null } };
}

export const fetchIncoming = (cursor: string | null, options: RequestOptions) => page<KenalanRequest>('/api/requests/incoming', 'requests', cursor, options);
export const fetchOutgoing = (cursor: string | null, options: RequestOptions) => page<KenalanRequest>('/api/requests/outgoing', 'requests', cursor, options);
export const fetchConnections = (cursor: string | null, options: RequestOptions) => page<Connection>('/api/connections', 'connections', cursor, options);

export async function fetchBlocks(options: RequestOptions): Promise<Outcome<BlockedMember[]>> {
  const outcome = await getJson('/api/blocks', options);
  if (outcome.kind !== 'ok') return outcome;
  return isRecord(outcome.value) && Array.isArray(outcome.value.blocks) ? { kind: 'ok', value: outcome.value.blocks as BlockedMember[] } : { kind: 'problem', status: 500, fields: {} };
}

/** POST /api/requests with an Idempotency-Key the caller keeps for retries of the same request. */
export function sendRequest(to: string, intro: string, idempotencyKey: string, options: RequestOptions): Promise<Outcome<KenalanRequest>> {
  return send('/api/requests', { json: intro.trim() ? { to, intro } : { to }, headers: { 'idempotency-key': idempotencyKey } }, options, (json) => json as KenalanRequest);
}

export function answerRequest(id: string, action: 'accept' | 'decline' | 'withdraw', options: RequestOptions): Promise<Outcome<{ id: string; status: string }>> {
  return send(`/api/requests/${encodeURIComponent(id)}/${action}`, { json: {} }, options, (json) => json as { id: string; status: string });
}

export function removeConnection(memberId: string, options: RequestOptions): Promise<Outcome<null>> {
  return send(`/api/connections/${encodeURIComponent(memberId)}`, { method: 'DELETE' }, options, () => null);
}

export function blockMember(member: string, options: RequestOptions): Promise<Outcome<{ memberId: string }>> {
  return send('/api/blocks', { json: { member } }, options, (json) => json as { memberId: string });
}

export function unblockMember(memberId: string, options: RequestOptions): Promise<Outcome<null>> {
  return send(`/api/blocks/${encodeURIComponent(memberId)}`, { method: 'DELETE' }, options, () => null);
}

export function reportMember(
  input: { member: string; category: ReportCategory; message?: string; evidenceMessageIds?: string[]; block?: boolean },
  options: RequestOptions,
): Promise<Outcome<{ id: string; blocked: boolean }>> {
  const json = { ...input, ...(input.message?.trim() ? {} : { message: undefined }) };
  return send('/api/reports', { json }, options, (value) => value as { id: string; blocked: boolean });
}

/** A random key for one send (kept across retries of the same request). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
