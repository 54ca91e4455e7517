import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuditActor, AuditEvent } from './events.js';

export const GENESIS_HASH = '0'.repeat(64);

interface ChainFields {
  seq: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  details: unknown;
  prev_hash: string;
}

/** The hash covers every field of the row and the previous row's hash, in a fixed order. */
export function chainHash(row: ChainFields): string {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.actor_type,
    row.actor_id,
    row.action,
    row.subject_type,
    row.subject_id,
    row.purpose,
    canonicalJson(row.details),
    row.prev_hash,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Appends an event inside the caller's transaction, so the record and the action it describes
 * commit or roll back together. Takes the chain head's row lock: appends are serialized.
 */
export async function appendAudit(
  trx: Transaction<Database>,
  actor: AuditActor,
  event: AuditEvent,
  options: { purpose?: string; at?: Date } = {},
): Promise<{ seq: string; hash: string }> {
  const head = await trx.selectFrom('audit_head').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  const seq = (BigInt(head.seq) + 1n).toString();
  const at = options.at ?? new Date();
  const fields: ChainFields = {
    seq,
    at: at.toISOString(),
    actor_type: actor.type,
    actor_id: actor.id ?? null,
    action: event.action,
    subject_type: event.subjectType,
    subject_id: event.subjectId,
    purpose: options.purpose ?? null,
    details: event.details,
    prev_hash: head.hash,
  };
  const hash = chainHash(fields);
  await trx
    .insertInto('audit_log')
    .values({ ...fields, at, details: JSON.stringify(event.details), hash })
    .execute();
  await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
  return { seq, hash };
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  problems: string[];
}

/**
 * Walks the whole chain from where it starts (the genesis, or the first row kept after a retention
 * cut): every row's hash must match its content, link to the previous row, and sequence numbers
 * must have no gap; the head must point at the last row. Detects edited, deleted, inserted and
 * truncated rows.
 */
export async function verifyAuditLog(db: Kysely<Database>, batchSize = 5000): Promise<AuditVerification> {
  const problems: string[] = [];
  // Retention cuts the oldest rows as a prefix and records where the kept chain starts (pruneAuditLog).
  const start = await db.selectFrom('audit_head').select(['start_seq', 'start_prev_hash']).where('id', '=', 1).executeTakeFirst();
  let expectedPrev = start?.start_prev_hash ?? GENESIS_HASH;
  let expectedSeq = BigInt(start?.start_seq ?? 1);
  let rows = 0;
  for (;;) {
    const batch = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq.toString())
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of batch) {
      rows++;
      const seq = BigInt(row.seq);
      if (seq !== expectedSeq) problems.push(`rows ${expectedSeq}..${seq - 1n} are missing`);
      if (row.prev_hash !== expectedPrev) problems.push(`row ${seq} does not link to the row before it`);
      const recomputed = chainHash({ ...row, seq: row.seq, at: row.at.toISOString() });
      if (recomputed !== row.hash) problems.push(`row ${seq} was altered (hash mismatch)`);
      expectedPrev = row.hash;
      expectedSeq = seq + 1n;
    }
    if (batch.length < batchSize) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!head) problems.push('the chain head is missing');
  else if (BigInt(head.seq) !== expectedSeq - 1n || head.hash !== expectedPrev) {
    problems.push(`the chain head (row ${head.seq}) does not match the last row (${expectedSeq - 1n}): rows were removed from the end`);
  }
  return { ok: problems.length === 0, rows, problems };
}

/**
 * Cuts the rows recorded before `before` (the audit log's retention, privacy/retention) as a prefix
 * of the chain, and records where the kept chain now starts so `verifyAuditLog` still proves the
 * rest untouched. Takes the head's lock, like an append. Returns how many rows went.
 */
export async function pruneAuditLog(trx: Transaction<Database>, before: Date): Promise<number> {
  const head = await trx.selectFrom('audit_head').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  // Rows are appended in time order under this lock, so "older than" is a prefix of the chain.
  const firstKept = await trx.selectFrom('audit_log').select(['seq', 'prev_hash']).where('at', '>=', before).orderBy('seq').limit(1).executeTakeFirst();
  const startSeq = firstKept ? BigInt(firstKept.seq) : BigInt(head.seq) + 1n;
  const startPrev = firstKept ? firstKept.prev_hash : head.hash;
  if (startSeq <= BigInt(head.start_seq)) return 0;
  // The head moves first: the append-only trigger allows deleting only rows before its start.
  await trx.updateTable('audit_head').set({ start_seq: startSeq.toString(), start_prev_hash: startPrev }).where('id', '=', 1).execute();
  const cut = await trx.deleteFrom('audit_log').where('seq', '<', startSeq.toString()).executeTakeFirst();
  return Number(cut.numDeletedRows);
}
