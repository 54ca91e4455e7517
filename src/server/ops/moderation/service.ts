import fs from 'node:fs';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Language } from '../../../common/i18n/index.js';
import type { MemberProfileView } from '../../../common/social/profile.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { ReportCategory, ModerationDecision } from '../../social/graph/tables.js';
import { notify } from '../../social/posts/notifications.js';
import { auditStaffRead, type StaffSession } from '../staff/guard.js';
import { reinstateMember } from './reinstate.js';

export const STAFF_NOTE_MAX = 1000;
export const QUEUE_LIMIT = 100;

/** What the moderator asks for; stored as the past tense (`moderation_cases.decision`). */
export const DECISION_ACTIONS = ['dismiss', 'warn', 'suspend'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];
const DECIDED: Record<DecisionAction, ModerationDecision> = { dismiss: 'dismissed', warn: 'warned', suspend: 'suspended' };

/** What the reported member's "public profile" shows a stranger (profiles decides, field by field). */
export type PublicProfileSource = (memberId: string) => Promise<MemberProfileView>;

export interface QueueEntry {
  id: string;
  category: ReportCategory;
  createdAt: Date;
  waitedSeconds: number;
  evidence: number;
  hasMessage: boolean;
}

export interface EvidenceMessage {
  id: string;
  /** Who wrote it: the reporter, the reported member, or a former member (an erased account). */
  from: 'reporter' | 'reported' | 'former_member';
  /** Decrypted text; null for a photo without text or a message deleted for both (wiped). */
  body: string | null;
  photo: boolean;
  deleted: boolean;
  sentAt: Date;
}

export interface CaseView {
  id: string;
  category: ReportCategory;
  createdAt: Date;
  waitedSeconds: number;
  /** Null: the reporter has deleted their account ("former member"). */
  reporter: { memberId: string; username: string; nickname: string } | null;
  reporterBlocked: boolean;
  reported: { memberId: string; status: string; profile: MemberProfileView };
  message: string | null;
  /** Only the messages the reporter attached, in the order they were sent. */
  evidence: EvidenceMessage[];
  /** Other reports about the same member (this one not counted). */
  otherReports: { open: number; closed: number };
}

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  /** Where chat photos are stored (evidence photos are served from there while their case is open). */
  dataDir: string;
  logger: Logger;
  publicProfile: PublicProfileSource;
  jobs: Pick<JobQueue, 'send'>;
  /** Drops a suspended member's sessions from the session cache once the transaction committed. */
  forgetSessions: (memberId: string) => void;
  clock?: () => Date;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const caseClosed = (status: 410 | 409) =>
  new AppError('case_closed', status, 'moderation case already decided', { messageKey: 'moderation.errors.caseClosed' });
const noCase = () => new AppError('not_found', 404, 'no such moderation case', { messageKey: 'moderation.errors.notFound' });
const waited = (from: Date, now: Date) => Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));

/**
 * The moderators' side of member reports (issue 4 item 6): the queue of open cases, one case with
 * what a moderator needs to judge it (every read of a member's data audited on that member's access
 * log), and the decision that closes it — dismiss, warn (an in-app notice to the reported member),
 * or suspend (the account's status and every session, as a guardian's withdrawal does, and an
 * email telling the member so, in their language, sent by a job). The
 * reporter is told only that the report was handled. A closed case is not readable any more:
 * 410 `case_closed` (the id is known to moderators; the page can say "already decided" rather than
 * "no such case"), and its evidence with it.
 *
 * A moderator never works a case they filed or that is about them: for them it does not exist (404).
 */
export function makeModerationService({ db, keyring, dataDir, logger, publicProfile, jobs, forgetSessions, clock = () => new Date() }: Deps) {
  async function openCaseRow(ex: Kysely<Database> | Transaction<Database>, caseId: string, staffId: string, forUpdate = false) {
    if (!UUID.test(caseId)) throw noCase();
    let query = ex.selectFrom('moderation_cases').selectAll().where('id', '=', caseId.toLowerCase());
    if (forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row || row.reporter_id === staffId || row.reported_id === staffId) throw noCase();
    return row;
  }

  return {
    /** Open cases, oldest first, with how long each has waited; no personal data (category and counts only). */
    async queue(staffId: string): Promise<QueueEntry[]> {
      const now = clock();
      const rows = await db
        .selectFrom('moderation_cases')
        .select(['id', 'category', 'created_at', 'evidence_message_ids', 'message'])
        .where('status', '<>', 'closed')
        .where((eb) => eb.or([eb('reporter_id', 'is', null), eb('reporter_id', '<>', staffId)]))
        .where('reported_id', '<>', staffId)
        .orderBy('created_at')
        .orderBy('id')
        .limit(QUEUE_LIMIT)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        category: r.category,
        createdAt: r.created_at,
        waitedSeconds: waited(r.created_at, now),
        evidence: (r.evidence_message_ids as unknown as string[]).length,
        hasMessage: r.message !== null,
      }));
    },

    /**
     * One open case for a moderator. Each member whose data is shown gets a `staff.data_read` on
     * their access log in the same transaction: the reporter (`moderation_report`), the reported
     * member (`moderation_case`), and whoever wrote an evidence message (`moderation_evidence`).
     */
    async read(staff: Pick<StaffSession, 'staffId' | 'role'>, caseId: string): Promise<CaseView> {
      const now = clock();
      const row = await openCaseRow(db, caseId, staff.staffId);
      if (row.status === 'closed') throw caseClosed(410);
      const profile = await publicProfile(row.reported_id);
      return db.transaction().execute(async (trx) => {
        const reported = await trx.selectFrom('members').select(['id', 'status']).where('id', '=', row.reported_id).executeTakeFirst();
        if (!reported) throw noCase();
        const reporter = row.reporter_id
          ? await trx.selectFrom('members').select(['id', 'username', 'nickname']).where('id', '=', row.reporter_id).executeTakeFirst()
          : undefined;
        const ids = row.evidence_message_ids as unknown as string[];
        // Only the attached ids, and only messages of a conversation the reported member is in.
        const messages =
          ids.length === 0
            ? []
            : await trx
                .selectFrom('chat_messages as m')
                .innerJoin('chat_members as cm', 'cm.conversation_id', 'm.conversation_id')
                .select(['m.id', 'm.sender_id', 'm.body', 'm.photo_path', 'm.created_at', 'm.deleted_for_both'])
                .where('m.id', 'in', ids)
                .where('cm.member_id', '=', row.reported_id)
                .orderBy('m.created_at')
                .orderBy('m.id')
                .execute();
        const counts = await trx
          .selectFrom('moderation_cases')
          .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
          .where('reported_id', '=', row.reported_id)
          .where('id', '<>', row.id)
          .groupBy('status')
          .execute();
        const otherReports = { open: 0, closed: 0 };
        for (const c of counts) otherReports[c.status === 'closed' ? 'closed' : 'open'] += Number(c.n);

        const evidence: EvidenceMessage[] = messages.map((m) => ({
          id: m.id,
          from: m.sender_id === row.reported_id ? 'reported' : m.sender_id !== null && m.sender_id === row.reporter_id ? 'reporter' : 'former_member',
          body: m.body === null ? null : keyring.decrypt(m.body, 'chat_messages.body'),
          photo: m.photo_path !== null,
          deleted: Boolean(m.deleted_for_both),
          sentAt: m.created_at,
        }));

        const read = { staffId: staff.staffId, role: staff.role, purpose: 'security' as const, at: now };
        if (reporter) await auditStaffRead(trx, { ...read, memberId: reporter.id, what: 'moderation_report' });
        await auditStaffRead(trx, { ...read, memberId: reported.id, what: 'moderation_case' });
        const writers = new Set(messages.map((m) => m.sender_id).filter((id): id is string => id !== null));
        for (const writer of writers) await auditStaffRead(trx, { ...read, memberId: writer, what: 'moderation_evidence' });

        return {
          id: row.id,
          category: row.category,
          createdAt: row.created_at,
          waitedSeconds: waited(row.created_at, now),
          reporter: reporter ? { memberId: reporter.id, username: reporter.username, nickname: keyring.decrypt(reporter.nickname, 'members.nickname') } : null,
          reporterBlocked: row.reporter_blocked,
          reported: { memberId: reported.id, status: reported.status, profile },
          message: row.message === null ? null : keyring.decrypt(row.message, 'moderation_cases.message'),
          evidence,
          otherReports,
        };
      });
    },

    /**
     * The photo of one evidence message of an open case (the chat photo file's path), for a
     * moderator: only a message the report attached, of a conversation the reported member is in,
     * not deleted for both. Its sender gets a `staff.data_read` (`moderation_evidence_photo`) on
     * their access log. A closed case answers 410, anything else 404.
     */
    async evidencePhoto(staff: Pick<StaffSession, 'staffId' | 'role'>, caseId: string, messageId: string): Promise<string> {
      const row = await openCaseRow(db, caseId, staff.staffId);
      if (row.status === 'closed') throw caseClosed(410);
      const ids = (row.evidence_message_ids as unknown as string[]).map((id) => id.toLowerCase());
      const noPhoto = () => new AppError('not_found', 404, 'no such evidence photo', { messageKey: 'moderation.errors.notFound' });
      if (!UUID.test(messageId) || !ids.includes(messageId.toLowerCase())) throw noPhoto();
      return db.transaction().execute(async (trx) => {
        const message = await trx
          .selectFrom('chat_messages as m')
          .innerJoin('chat_members as cm', 'cm.conversation_id', 'm.conversation_id')
          .select(['m.sender_id', 'm.photo_path', 'm.deleted_for_both'])
          .where('m.id', '=', messageId.toLowerCase())
          .where('cm.member_id', '=', row.reported_id)
          .executeTakeFirst();
        if (!message || message.deleted_for_both || !message.photo_path) throw noPhoto();
        const file = path.join(dataDir, message.photo_path);
        // Checked before the read is recorded: nothing was shown if the file is gone.
        if (!fs.existsSync(file)) throw noPhoto();
        if (message.sender_id) await auditStaffRead(trx, { staffId: staff.staffId, role: staff.role, purpose: 'security', at: clock(), memberId: message.sender_id, what: 'moderation_evidence_photo' });
        return file;
      });
    },

    /**
     * Closes an open case with the decision and the moderator's note, in one transaction: the
     * decision's effect, `moderation.case_decided` in the audit log, and the reporter's neutral
     * notice. A case already closed answers 409 `case_closed` and changes nothing.
     */
    async decide(staff: Pick<StaffSession, 'staffId' | 'role'>, caseId: string, action: DecisionAction, note: string): Promise<{ decision: ModerationDecision; sessionsEnded: number }> {
      const text = note.trim();
      if (text === '') throw new AppError('validation_failed', 400, 'staff note required', { fields: [{ field: 'note', code: 'required', messageKey: 'moderation.errors.noteRequired' }] });
      if ([...text].length > STAFF_NOTE_MAX) throw new AppError('validation_failed', 400, 'staff note too long', { fields: [{ field: 'note', code: 'tooLong', messageKey: 'moderation.errors.noteTooLong', params: { max: STAFF_NOTE_MAX } }] });
      const decision = DECIDED[action];
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const row = await openCaseRow(trx, caseId, staff.staffId, true);
        if (row.status === 'closed') throw caseClosed(409);
        await trx
          .updateTable('moderation_cases')
          .set({ status: 'closed', closed_at: now, decision, decided_by: staff.staffId, staff_note: keyring.encrypt(text, 'moderation_cases.staff_note') })
          .where('id', '=', row.id)
          .execute();
        let sessionsEnded = 0;
        if (action === 'warn') {
          await notify(trx, { memberId: row.reported_id, kind: 'moderation_warning', objectId: row.id, now });
        } else if (action === 'suspend') {
          // The same suspension a guardian's withdrawal makes: status `suspended` (sign-in and every
          // session check refuse it) and every live session ended. An account in its deletion grace
          // period keeps that status (its sessions end too): the erasure the member asked for goes on.
          const member = await trx.selectFrom('members').select('status').where('id', '=', row.reported_id).forUpdate().executeTakeFirstOrThrow();
          if (member.status !== 'suspended' && member.status !== 'deleted' && member.status !== 'deletion_pending') {
            await trx.updateTable('members').set({ status: 'suspended', updated_at: now }).where('id', '=', row.reported_id).execute();
            // Told by email (the member can no longer sign in to read a notice): sent once this commits.
            await jobs.send(trx, 'moderation.send-suspension-notice', { memberId: row.reported_id });
          }
          const ended = await trx.updateTable('sessions').set({ revoked_at: now }).where('member_id', '=', row.reported_id).where('revoked_at', 'is', null).executeTakeFirst();
          sessionsEnded = Number(ended.numUpdatedRows);
          await appendAudit(
            trx,
            { type: 'staff', id: staff.staffId },
            { action: 'accounts.suspended', subjectType: 'member', subjectId: row.reported_id, details: { reason: 'moderation', caseId: row.id, sessionsEnded } },
            { purpose: 'security', at: now },
          );
        }
        await appendAudit(
          trx,
          { type: 'staff', id: staff.staffId },
          { action: 'moderation.case_decided', subjectType: 'member', subjectId: row.reported_id, details: { caseId: row.id, decision, category: row.category, reporterId: row.reporter_id } },
          { purpose: 'security', at: now },
        );
        // The reporter learns only that the report was handled, never the outcome.
        if (row.reporter_id) await notify(trx, { memberId: row.reporter_id, kind: 'report_handled', objectId: row.id, now });
        return { decision, sessionsEnded, reportedId: row.reported_id };
      });
      if (outcome.decision === 'suspended') forgetSessions(outcome.reportedId);
      logger.info({ caseId, decision: outcome.decision }, 'moderation case decided');
      return { decision: outcome.decision, sessionsEnded: outcome.sessionsEnded };
    },

    /** Operator CLI `member:reinstate`: see reinstate.ts. */
    reinstate: (username: string, caseId: string, options?: { by?: string; now?: Date }) => reinstateMember(db, jobs, username, caseId, options),

    /**
     * Jobs: where to send the suspension notice (`suspended`) or the reinstatement notice (`active`) —
     * nowhere if the account's status changed again before the job ran (deleted meanwhile, say).
     */
    async noticeFor(memberId: string, status: 'suspended' | 'active'): Promise<{ to: string; nickname: string; language: Language } | undefined> {
      const member = await db.selectFrom('members').select(['status', 'email', 'nickname', 'language']).where('id', '=', memberId).executeTakeFirst();
      if (!member || member.status !== status) return undefined;
      return { to: keyring.decrypt(member.email, 'members.email'), nickname: keyring.decrypt(member.nickname, 'members.nickname'), language: member.language };
    },
  };
}
export type ModerationService = ReturnType<typeof makeModerationService>;
