import type { Kysely } from 'kysely';
import { normalizeUsername } from '../../../common/identity/username.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Database } from '../../platform/db/schema.js';
import type { JobQueue } from '../../platform/jobs/queue.js';

export type ReinstateOutcome =
  | { ok: true; memberId: string }
  | { ok: false; reason: 'no_member' | 'not_suspended' | 'guardian_withdrew' | 'other_case' };

/**
 * Operator CLI (`member:reinstate <username> <case id>`): lifts a moderator's suspension, e.g. after
 * the member wrote to support and the decision was found wrong. The operator names the case that
 * suspended the member, so only the latest suspension is lifted and only knowingly. A suspension by
 * a guardian's withdrawal of consent (a minor) is never lifted here: only the guardian's consent can.
 * One transaction: status `active` again (the sessions ended by the suspension stay ended; the member
 * signs in anew), `accounts.reinstated` in the audit log, and the job that emails the member.
 */
export async function reinstateMember(
  db: Kysely<Database>,
  jobs: Pick<JobQueue, 'send'>,
  username: string,
  caseId: string,
  { by = 'operator:cli', now = new Date() }: { by?: string; now?: Date } = {},
): Promise<ReinstateOutcome> {
  return db.transaction().execute(async (trx) => {
    const member = await trx.selectFrom('members').select(['id', 'status']).where('username_norm', '=', normalizeUsername(username)).forUpdate().executeTakeFirst();
    if (!member) return { ok: false, reason: 'no_member' };
    if (member.status !== 'suspended') return { ok: false, reason: 'not_suspended' };
    const latest = await trx
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'accounts.suspended')
      .where('subject_id', '=', member.id)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const details = (latest?.details ?? {}) as { reason?: string; caseId?: string };
    // A minor whose guardian withdrew stays suspended even if a moderator suspended them again later.
    const withdrawn = await trx.selectFrom('guardians').select('id').where('member_id', '=', member.id).where('status', '=', 'withdrawn').executeTakeFirst();
    if (withdrawn || details.reason === 'guardian_withdrew') return { ok: false, reason: 'guardian_withdrew' };
    if (details.reason !== 'moderation' || details.caseId !== caseId.toLowerCase()) return { ok: false, reason: 'other_case' };
    await trx.updateTable('members').set({ status: 'active', updated_at: now }).where('id', '=', member.id).execute();
    await appendAudit(
      trx,
      { type: 'system', id: by },
      { action: 'accounts.reinstated', subjectType: 'member', subjectId: member.id, details: { reason: 'moderation_reversed', caseId: details.caseId, by } },
      { purpose: 'security', at: now },
    );
    await jobs.send(trx, 'moderation.send-reinstatement-notice', { memberId: member.id });
    return { ok: true, memberId: member.id };
  });
}
