import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, RightsRequestsTable } from '../../platform/db/schema.js';

/** UU PDP: a rights request is answered within 3 × 24 hours. */
export const RIGHTS_REQUEST_DUE_MS = 72 * 3600 * 1000;
export type RightsRequestKind = RightsRequestsTable['kind'];
export const RIGHTS_REQUEST_KINDS: readonly RightsRequestKind[] = ['access', 'erasure', 'correction', 'restriction', 'objection'];

/**
 * Records a rights request with its UU PDP deadline (received + 3 × 24 h) in the caller's
 * transaction; `completed: true` for a request answered at once (a correction, a restriction).
 * Every rights flow records its request here (export, correction, restriction; erasure and
 * objection write the same table).
 */
export async function recordRightsRequest(
  trx: Transaction<Database>,
  { memberId, kind, at, completed }: { memberId: string; kind: RightsRequestKind; at: Date; completed: boolean },
): Promise<string> {
  const id = crypto.randomUUID();
  await trx
    .insertInto('rights_requests')
    .values({ id, member_id: memberId, kind, received_at: at, due_at: new Date(at.getTime() + RIGHTS_REQUEST_DUE_MS), completed_at: completed ? at : null })
    .execute();
  return id;
}

export interface RequestLogFilter {
  status?: 'all' | 'open' | 'overdue';
  kind?: RightsRequestKind | undefined;
  page?: number;
  pageSize?: number;
}

export interface RequestLogEntry {
  id: string;
  memberId: string;
  /** Only the username is shown to the privacy officer; null once the member is gone. */
  username: string | null;
  kind: RightsRequestKind;
  receivedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  /** Answered after the deadline, or still open past it. */
  overdue: boolean;
}

/** The privacy officer's request log: newest first, filtered and paged. */
export async function listRightsRequests(db: Kysely<Database>, filter: RequestLogFilter, now: Date): Promise<{ entries: RequestLogEntry[]; total: number; page: number; pageSize: number }> {
  const page = Math.max(1, filter.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, filter.pageSize ?? 50));
  let query = db.selectFrom('rights_requests').leftJoin('members', 'members.id', 'rights_requests.member_id');
  if (filter.kind) query = query.where('rights_requests.kind', '=', filter.kind);
  if (filter.status === 'open' || filter.status === 'overdue') query = query.where('rights_requests.completed_at', 'is', null);
  if (filter.status === 'overdue') query = query.where('rights_requests.due_at', '<', now);
  const { n } = await query.select(({ fn }) => fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .select([
      'rights_requests.id',
      'rights_requests.member_id',
      'members.username',
      'rights_requests.kind',
      'rights_requests.received_at',
      'rights_requests.due_at',
      'rights_requests.completed_at',
    ])
    .orderBy('rights_requests.received_at', 'desc')
    .orderBy('rights_requests.id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    entries: rows.map((r) => ({
      id: r.id,
      memberId: r.member_id,
      username: r.username ?? null,
      kind: r.kind,
      receivedAt: r.received_at,
      dueAt: r.due_at,
      completedAt: r.completed_at,
      overdue: (r.completed_at ?? now).getTime() > r.due_at.getTime(),
    })),
    total: Number(n),
    page,
    pageSize,
  };
}
