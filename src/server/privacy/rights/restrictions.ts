import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import type { DataCategory } from '../data-map/types.js';
import { recordRightsRequest } from './requests.js';
import { RESTRICTABLE_CATEGORIES, type RestrictableCategory } from './tables.js';

export { RESTRICTABLE_CATEGORIES, type RestrictableCategory };

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Whether the member restricted processing of a data-map category (UU PDP right to restrict).
 * Code that stores or uses data of that category for the member must check it first and do
 * nothing when it is true. Inside a transaction pass `trx` (never `db`: PGlite would deadlock).
 * One indexed lookup (unique (member_id, category)).
 */
export async function isRestricted(executor: Executor, memberId: string, category: DataCategory): Promise<boolean> {
  if (!(RESTRICTABLE_CATEGORIES as readonly string[]).includes(category)) return false;
  const row = await executor
    .selectFrom('processing_restrictions')
    .select('id')
    .where('member_id', '=', memberId)
    .where('category', '=', category as RestrictableCategory)
    .executeTakeFirst();
  return row !== undefined;
}

export async function restrictionsOf(executor: Executor, memberId: string): Promise<{ category: RestrictableCategory; since: Date }[]> {
  const rows = await executor.selectFrom('processing_restrictions').select(['category', 'created_at']).where('member_id', '=', memberId).orderBy('category').execute();
  return rows.map((r) => ({ category: r.category, since: r.created_at }));
}

/**
 * Sets the member's restrictions to exactly `restricted`, in one transaction: each new
 * restriction is recorded as a `restriction` rights request completed at once and audited; each
 * lifted one is deleted and audited. Returns the state after.
 */
export async function setRestrictions(db: Kysely<Database>, memberId: string, restricted: RestrictableCategory[], now: Date) {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('members').select('id').where('id', '=', memberId).forUpdate().executeTakeFirstOrThrow();
    const current = new Set((await restrictionsOf(trx, memberId)).map((r) => r.category));
    const wanted = new Set(restricted);
    for (const category of RESTRICTABLE_CATEGORIES) {
      if (wanted.has(category) && !current.has(category)) {
        await trx.insertInto('processing_restrictions').values({ id: crypto.randomUUID(), member_id: memberId, category, created_at: now }).execute();
        const requestId = await recordRightsRequest(trx, { memberId, kind: 'restriction', at: now, completed: true });
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          { action: 'rights.restriction_changed', subjectType: 'member', subjectId: memberId, details: { requestId, category, restricted: true } },
          { purpose: 'accountability', at: now },
        );
      } else if (!wanted.has(category) && current.has(category)) {
        await trx.deleteFrom('processing_restrictions').where('member_id', '=', memberId).where('category', '=', category).execute();
        await appendAudit(
          trx,
          { type: 'member', id: memberId },
          { action: 'rights.restriction_changed', subjectType: 'member', subjectId: memberId, details: { requestId: null, category, restricted: false } },
          { purpose: 'accountability', at: now },
        );
      }
    }
    return restrictionsOf(trx, memberId);
  });
}
