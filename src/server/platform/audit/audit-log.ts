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
 * Walks the whole chain: every row's hash must match its content, link to the previous row,
 * and sequence numbers must have no gap; the head must point at the last row. Detects edited,
 * deleted, inserted and truncated rows.
 */
export async function verifyAuditLog(db: Kysely<Database>, batchSize = 5000): Promise<AuditVerification> {
  const problems: string[] = [];
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1n;
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
