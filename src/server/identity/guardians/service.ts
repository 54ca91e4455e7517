import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database, GuardianStatus } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Mailer } from '../../platform/mail/mailer.js';
import type { ConsentLedger } from '../../privacy/consent/ledger.js';
import type { PolicyService } from '../../privacy/policy/service.js';
import { readyToActivate } from '../accounts/activation.js';
import { newEmailToken, sha256 } from '../accounts/verification.js';
import { refusedNoticeEmail } from './emails.js';
import type { GuardiansRepo } from './repo.js';

/** The invitation link works for 7 days; the withdrawal link has no end (it works while consent stands). */
export const GUARDIAN_INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
/** The minor may ask for the invitation again at most this often (e.g. when it expired or went to spam). */
export const GUARDIAN_RESEND_SECONDS = 10 * 60;

export interface GuardianRequestContext {
  /** The language the page was shown in (recorded in the ledger, and kept for later messages). */
  language: Language;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** What the guardian page shows: who asks, and which policy version applies. Never the NIK, date of birth or contacts. */
export interface GuardianInvitationView {
  nickname: string;
  username: string;
  language: Language;
  policyVersion: string;
  expiresAt: string;
}

export interface GuardianWithdrawalView {
  nickname: string;
  username: string;
  language: Language;
}

interface Deps {
  db: Kysely<Database>;
  repo: GuardiansRepo;
  keyring: Keyring;
  jobs: JobQueue;
  consent: ConsentLedger;
  policy: PolicyService;
  mailer: Mailer;
  dataDir: string;
  logger: Logger;
  clock?: () => Date;
}

type Guardian = NonNullable<Awaited<ReturnType<GuardiansRepo['find']>>>;

/**
 * Policy 5 (P5.1, P5.2): a member under 18 needs a parent or guardian's express consent. The guardian
 * gets a 7-day link (sha256 stored), reads who asks and the Privacy Policy, then consents (ledger +
 * audit; may activate the account) or refuses (the pending account and its photo are deleted). After
 * consenting, a separate long-lived link lets the guardian withdraw: the account is suspended and
 * every session ends.
 */
export function makeGuardiansService({ db, repo, keyring, jobs, consent, policy, mailer, dataDir, logger, clock = () => new Date() }: Deps) {
  const dec = (column: 'email' | 'phone', value: string) => keyring.decrypt(value, `guardians.${column}`);
  const decMember = (column: 'email' | 'nickname', value: string) => keyring.decrypt(value, `members.${column}`);
  const actor = (guardianId: string) => ({ type: 'guardian' as const, id: guardianId });

  /** The invitation row behind a token, or the error the guardian sees. */
  function checkInvitation(guardian: Guardian | undefined, now: Date): Guardian {
    if (!guardian) throw new AppError('guardian_link_invalid', 404, 'unknown guardian invitation');
    if (guardian.status !== 'pending') throw new AppError('guardian_link_used', 410, `guardian already ${guardian.status}`);
    if (!guardian.invite_expires_at || guardian.invite_expires_at.getTime() <= now.getTime()) {
      throw new AppError('guardian_link_expired', 410, 'guardian invitation expired');
    }
    return guardian;
  }

  async function minorOf(executor: Kysely<Database> | Transaction<Database>, memberId: string) {
    const member = await repo.member(executor, memberId);
    if (!member) throw new AppError('guardian_link_invalid', 404, 'member of guardian gone');
    return member;
  }

  return {
    /** Job: a fresh invitation token (sha256 stored, valid 7 days) and what the email needs. */
    async issueInvitation(guardianId: string) {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const guardian = await repo.findForUpdate(trx, guardianId);
        if (!guardian || guardian.status !== 'pending') return undefined;
        const member = await minorOf(trx, guardian.member_id);
        const token = newEmailToken();
        await repo.update(trx, guardianId, { invite_hash: sha256(token), invite_expires_at: new Date(now.getTime() + GUARDIAN_INVITE_TTL_MS), updated_at: now });
        await appendAudit(
          trx,
          { type: 'system' },
          { action: 'guardians.invited', subjectType: 'guardian', subjectId: guardianId, details: { memberId: guardian.member_id } },
          { purpose: 'account', at: now },
        );
        return {
          to: dec('email', guardian.email),
          token,
          language: guardian.language,
          nickname: decMember('nickname', member.nickname),
          username: member.username,
        };
      });
    },

    /** Job: the SMS that tells the guardian to look for the invitation email. */
    async invitationSmsFor(guardianId: string) {
      const guardian = await repo.find(db, guardianId);
      if (!guardian || guardian.status !== 'pending') return undefined;
      const member = await repo.member(db, guardian.member_id);
      if (!member) return undefined;
      return { to: dec('phone', guardian.phone), language: guardian.language, nickname: decMember('nickname', member.nickname), username: member.username };
    },

    /** Job: a fresh withdrawal token (sha256 stored) for the confirmation email; replaces any earlier one. */
    async issueWithdrawalLink(guardianId: string) {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const guardian = await repo.findForUpdate(trx, guardianId);
        if (!guardian || guardian.status !== 'consented') return undefined;
        const member = await minorOf(trx, guardian.member_id);
        const token = newEmailToken();
        await repo.update(trx, guardianId, { withdraw_hash: sha256(token), updated_at: now });
        const recorded = await consent.guardianConsent(guardianId, trx);
        return {
          to: dec('email', guardian.email),
          token,
          version: recorded?.policyVersion ?? '',
          language: guardian.language,
          nickname: decMember('nickname', member.nickname),
          username: member.username,
        };
      });
    },

    /** Job: the suspended minor's address and language for the withdrawal notice. */
    async withdrawalNoticeFor(memberId: string) {
      const member = await repo.member(db, memberId);
      if (!member || member.status !== 'suspended') return undefined;
      return { to: decMember('email', member.email), nickname: decMember('nickname', member.nickname), language: member.language };
    },

    /**
     * POST /api/accounts/:id/guardian-invitation: the minor asks for the invitation (email + SMS) again,
     * e.g. after it expired. At most once per 10 minutes, claimed atomically on the guardian row (the
     * new expiry is written now; the job replaces the token, so only the newest link works).
     */
    async resendInvitation(memberId: string): Promise<void> {
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const guardian = await repo.byMemberForUpdate(trx, memberId);
        if (!guardian) return { kind: 'not_found' as const };
        if (guardian.status !== 'pending') return { kind: 'decided' as const };
        const sentAt = guardian.invite_expires_at ? guardian.invite_expires_at.getTime() - GUARDIAN_INVITE_TTL_MS : 0;
        const waitMs = sentAt + GUARDIAN_RESEND_SECONDS * 1000 - now.getTime();
        if (waitMs > 0) return { kind: 'wait' as const, seconds: Math.ceil(waitMs / 1000) };
        await repo.update(trx, guardian.id, { invite_expires_at: new Date(now.getTime() + GUARDIAN_INVITE_TTL_MS), updated_at: now });
        await jobs.send(trx, 'guardians.send-invitation', { guardianId: guardian.id });
        await jobs.send(trx, 'guardians.send-invitation-sms', { guardianId: guardian.id });
        return { kind: 'ok' as const };
      });
      if (outcome.kind === 'not_found') throw new AppError('not_found', 404, 'no guardian for this member');
      if (outcome.kind === 'decided') throw new AppError('guardian_link_used', 410, 'guardian already decided');
      if (outcome.kind === 'wait') throw new AppError('rate_limited', 429, 'guardian invitation throttled', { params: { seconds: outcome.seconds } });
    },

    /** GET /api/guardians/:token */
    async view(token: string): Promise<GuardianInvitationView> {
      const now = clock();
      const guardian = checkInvitation(await repo.byInviteHash(db, sha256(token)), now);
      const member = await minorOf(db, guardian.member_id);
      const current = await policy.current();
      if (!current) throw new Error('No Privacy Policy is published');
      return {
        nickname: decMember('nickname', member.nickname),
        username: member.username,
        language: guardian.language,
        policyVersion: current.version,
        expiresAt: guardian.invite_expires_at!.toISOString(),
      };
    },

    /** POST /api/guardians/:token/consent: ledger (policy text + consent for the minor), audit, maybe activation. */
    async giveConsent(token: string, context: GuardianRequestContext): Promise<{ memberStatus: string }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const guardian = checkInvitation(await repo.byInviteHashForUpdate(trx, sha256(token)), now);
        const member = await repo.memberForUpdate(trx, guardian.member_id);
        if (!member) throw new AppError('guardian_link_invalid', 404, 'member of guardian gone');
        await repo.update(trx, guardian.id, { status: 'consented', consented_at: now, language: context.language, updated_at: now });
        const ledgerContext = { subject: { type: 'guardian' as const, id: guardian.id }, language: context.language, ip: context.ip, userAgent: context.userAgent };
        const accepted = await consent.recordPolicyAcceptance(trx, ledgerContext);
        await consent.recordGuardianConsent(trx, ledgerContext, true);
        await appendAudit(
          trx,
          actor(guardian.id),
          { action: 'guardians.consented', subjectType: 'guardian', subjectId: guardian.id, details: { memberId: member.id, version: accepted.version, language: context.language } },
          { purpose: 'account', at: now },
        );
        let memberStatus: string = member.status;
        if (readyToActivate(member, 'consented')) {
          await repo.setMemberStatus(trx, member.id, 'active', now);
          await appendAudit(
            trx,
            actor(guardian.id),
            { action: 'accounts.activated', subjectType: 'member', subjectId: member.id, details: { from: member.status } },
            { purpose: 'account', at: now },
          );
          memberStatus = 'active';
        }
        await jobs.send(trx, 'guardians.send-consent-confirmation', { guardianId: guardian.id });
        return { memberStatus };
      });
    },

    /**
     * POST /api/guardians/:token/refuse: deletes the pending account in one transaction (the member
     * row; photos' rows, codes, sessions and this guardian row cascade), then its photo files, then
     * tells the minor. The consent ledger and the audit log are append-only and keep their rows:
     * ids, policy version and the minor's encrypted IP and browser at sign-up (data map: kept as
     * evidence of what was agreed).
     */
    async refuse(token: string, context: GuardianRequestContext): Promise<void> {
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const guardian = checkInvitation(await repo.byInviteHashForUpdate(trx, sha256(token)), now);
        const member = await repo.memberForUpdate(trx, guardian.member_id);
        if (!member) throw new AppError('guardian_link_invalid', 404, 'member of guardian gone');
        const notice = { to: decMember('email', member.email), nickname: decMember('nickname', member.nickname), language: member.language };
        const photos = await repo.photoCount(trx, member.id);
        await appendAudit(
          trx,
          actor(guardian.id),
          { action: 'guardians.refused', subjectType: 'guardian', subjectId: guardian.id, details: { memberId: member.id } },
          { purpose: 'account', at: now },
        );
        await appendAudit(
          trx,
          actor(guardian.id),
          { action: 'accounts.deleted', subjectType: 'member', subjectId: member.id, details: { reason: 'guardian_refused', photos } },
          { purpose: 'account', at: now },
        );
        await repo.deleteMember(trx, member.id);
        return { memberId: member.id, notice };
      });
      // After commit: the files (a crash here leaves an orphan directory, like a failed sign-up).
      try {
        await fs.rm(path.join(dataDir, 'media', 'members', outcome.memberId), { recursive: true, force: true });
      } catch (err) {
        logger.error({ err, memberId: outcome.memberId }, 'could not remove the photos of a refused sign-up');
      }
      // The member row is gone, so a job could not find the address: the notice is sent now, once.
      try {
        const { messageId } = await mailer.send(refusedNoticeEmail(outcome.notice));
        logger.info({ memberId: outcome.memberId, messageId, language: context.language }, 'refusal notice sent');
      } catch (err) {
        logger.error({ err, memberId: outcome.memberId }, 'could not send the refusal notice');
      }
    },

    /** GET /api/guardians/withdraw/:token */
    async viewWithdrawal(token: string): Promise<GuardianWithdrawalView> {
      const guardian = await repo.byWithdrawHash(db, sha256(token));
      if (!guardian) throw new AppError('guardian_link_invalid', 404, 'unknown withdrawal link');
      if (guardian.status !== 'consented') throw new AppError('guardian_link_used', 410, `guardian already ${guardian.status}`);
      const member = await minorOf(db, guardian.member_id);
      return { nickname: decMember('nickname', member.nickname), username: member.username, language: guardian.language };
    },

    /**
     * POST /api/guardians/withdraw/:token: the account is suspended and every session of the member
     * revoked in the same transaction (the session service may trust a verified session from memory
     * for up to SESSION_CACHE_MS = 10 s more); ledger and audit record it; the member is told by email.
     */
    async withdraw(token: string, context: GuardianRequestContext): Promise<{ sessionsEnded: number }> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const guardian = await repo.byWithdrawHashForUpdate(trx, sha256(token));
        if (!guardian) throw new AppError('guardian_link_invalid', 404, 'unknown withdrawal link');
        if (guardian.status !== 'consented') throw new AppError('guardian_link_used', 410, `guardian already ${guardian.status}`);
        const member = await repo.memberForUpdate(trx, guardian.member_id);
        if (!member) throw new AppError('guardian_link_invalid', 404, 'member of guardian gone');
        await repo.update(trx, guardian.id, { status: 'withdrawn', withdrawn_at: now, updated_at: now });
        await repo.setMemberStatus(trx, member.id, 'suspended', now);
        const sessionsEnded = await repo.revokeSessions(trx, member.id, now);
        await consent.recordGuardianConsent(trx, { subject: { type: 'guardian', id: guardian.id }, language: context.language, ip: context.ip, userAgent: context.userAgent }, false);
        await appendAudit(
          trx,
          actor(guardian.id),
          { action: 'guardians.withdrawn', subjectType: 'guardian', subjectId: guardian.id, details: { memberId: member.id } },
          { purpose: 'account', at: now },
        );
        await appendAudit(
          trx,
          actor(guardian.id),
          { action: 'accounts.suspended', subjectType: 'member', subjectId: member.id, details: { reason: 'guardian_withdrew', sessionsEnded } },
          { purpose: 'account', at: now },
        );
        await jobs.send(trx, 'guardians.send-withdrawal-notice', { memberId: member.id });
        return { sessionsEnded };
      });
    },
  };
}

export type GuardiansService = ReturnType<typeof makeGuardiansService>;
export type { GuardianStatus };
