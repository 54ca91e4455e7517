import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { phoneMessageKey } from '../../../common/identity/messages.js';
import { normalizePhone } from '../../../common/identity/phone.js';
import { normalizeUsername } from '../../../common/identity/username.js';
import type { SupportService } from '../../ops/support/service.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database, MembersTable } from '../../platform/db/schema.js';
import { AppError, type FieldProblem } from '../../platform/http/app-error.js';
import { t } from '../../platform/i18n/i18n.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import type { LoginGuard } from '../login-security/guard.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../password/hash.js';
import { checkPasswordStrengthHere, type PasswordStrengthChecker } from '../password/strength-pool.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password/strength.js';
import type { SessionService } from '../sessions/service.js';

export const RESET_LINK_TTL_MS = 60 * 60 * 1000;
export const SMS_CODE_TTL_MS = 10 * 60 * 1000;
export const MAX_CODE_ATTEMPTS = 5;
export const EMAIL_CHANGE_TTL_MS = 24 * 3600 * 1000;
export const COMPROMISE_LINK_TTL_MS = 24 * 3600 * 1000;
/** Password-reset and compromise-confirmation messages per member per hour; more are silently dropped. */
export const REQUESTS_PER_HOUR = 3;
/**
 * Anonymous requests (reset, compromise report) answer no sooner than this, whether or not an
 * account matched, so the answer time does not tell who has an account.
 */
export const ANONYMOUS_ANSWER_FLOOR_MS = 350;

export type ResetChannel = 'email' | 'sms';
type MemberRow = Pick<
  MembersTable,
  'id' | 'username' | 'nickname' | 'email' | 'email_verified_at' | 'phone' | 'phone_verified_at' | 'nik' | 'status' | 'language' | 'password_hash'
>;

interface Deps {
  db: Kysely<Database>;
  keyring: Keyring;
  jobs: JobQueue;
  sessions: SessionService;
  support: SupportService;
  /** Brute-force defence: a completed reset lifts the account's sign-in lock. Wired by the lead. */
  guard?: LoginGuard | undefined;
  logger?: Logger | undefined;
  /** The password rules (strength.ts); compose.ts passes the worker-thread pool, by default the calling thread. */
  checkPassword?: PasswordStrengthChecker;
  clock?: () => Date;
}

const EMAIL = /^[^\s@"<>()[\],;:\\]+@[^\s@"<>()[\],;:\\]+\.[^\s@"<>()[\],;:\\]{2,}$/;
const UNIQUE_VIOLATION = '23505';
const sha256 = (value: string) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');
const newCode = () => String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Statuses whose members may recover their account (others cannot sign in anyway, or are gone). */
const RECOVERABLE = new Set(['active', 'locked', 'pending_verification', 'pending_guardian']);

function sameSecret(given: string, stored: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(stored);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === UNIQUE_VIOLATION;
}

function throwFor(outcome: 'ok' | 'invalid' | 'expired' | 'locked'): void {
  if (outcome === 'invalid') throw new AppError('code_invalid', 400);
  if (outcome === 'expired') throw new AppError('code_expired', 410);
  if (outcome === 'locked') throw new AppError('too_many_attempts', 429);
}

/**
 * Account recovery: password reset by email link or SMS code, email/phone change for a signed-in
 * member, and "my account is compromised" (lock, end sessions, force a reset, notify, ticket).
 * Secrets are created by the sending jobs and stored only hashed; every change is one transaction
 * with its audit record and its notification jobs.
 */
export function makeRecoveryService({ db, keyring, jobs, sessions, support, guard, logger, checkPassword = checkPasswordStrengthHere, clock = () => new Date() }: Deps) {
  const dec = (column: string, value: string) => keyring.decrypt(value, `members.${column}`);
  const bidx = (column: string, normalized: string) => keyring.blindIndex(normalized, `members.${column}`);
  const codeHash = (code: string) => keyring.blindIndex(code, 'password_resets.code');
  const changeCodeHash = (code: string) => keyring.blindIndex(code, 'contact_changes.code');
  const memberColumns = [
    'id',
    'username',
    'nickname',
    'email',
    'email_verified_at',
    'phone',
    'phone_verified_at',
    'nik',
    'status',
    'language',
    'password_hash',
  ] as const;
  /** Random reset ids handed out for unknown identifiers → wrong attempts, so they lock like real ones. */
  const decoys = new Map<string, { attempts: number; until: number }>();

  async function findMember(identifier: string): Promise<MemberRow | undefined> {
    const trimmed = identifier.trim();
    const query = db.selectFrom('members').select(memberColumns);
    if (trimmed.includes('\u0040')) return query.where('email_bidx', '=', bidx('email', NORMALIZERS.email(trimmed))).executeTakeFirst();
    const phone = /^[+\d][\d\s().-]{5,}$/.test(trimmed) ? normalizePhone(trimmed) : undefined;
    if (phone?.ok) return query.where('phone_bidx', '=', bidx('phone', phone.e164)).executeTakeFirst();
    return query.where('username_norm', '=', normalizeUsername(trimmed)).executeTakeFirst();
  }

  async function memberForUpdate(trx: Transaction<Database>, id: string): Promise<MemberRow | undefined> {
    return trx.selectFrom('members').select(memberColumns).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * Locks the member before any of its recovery rows. Every transaction here takes its locks in
   * that order (member, then its resets, changes, reports and sessions), so two never deadlock.
   */
  async function lockOwner(trx: Transaction<Database>, memberId: string | undefined): Promise<void> {
    if (memberId) await memberForUpdate(trx, memberId);
  }

  /** Runs `work`, then waits until at least the floor has passed since `started`. */
  async function withFloor<T>(work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      const left = ANONYMOUS_ANSWER_FLOOR_MS - (Date.now() - started);
      if (left > 0) await sleep(left + crypto.randomInt(0, 25));
    }
  }

  async function strengthProblems(password: string, member: MemberRow, field: string): Promise<FieldProblem[]> {
    const strength = await checkPassword(password, {
      username: member.username,
      nickname: dec('nickname', member.nickname),
      email: dec('email', member.email),
      phone: dec('phone', member.phone),
      nik: dec('nik', member.nik),
      language: 'id',
    });
    if (strength.ok) return [];
    return strength.reasons.map((reason) => ({
      field,
      code: reason,
      messageKey: `password.problems.${reason}`,
      params: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH },
    }));
  }

  /** Ends every session of the member inside `trx`; the caller drops them from the cache after commit. */
  async function endSessions(trx: Transaction<Database>, memberId: string, at: Date): Promise<number> {
    const ended = await trx
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('member_id', '=', memberId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return ended.length;
  }

  async function recentRequests(trx: Transaction<Database>, table: 'password_resets' | 'compromise_reports', memberId: string, now: Date): Promise<number> {
    const row = await trx
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('member_id', '=', memberId)
      .where('created_at', '>', new Date(now.getTime() - 3600 * 1000))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Lock, end sessions, drop pending resets and contact changes, open a ticket, notify. Inside `trx`. */
  async function compromise(trx: Transaction<Database>, member: MemberRow, via: 'session' | 'email_link', reportId: string | null, now: Date) {
    const lock = member.status === 'active' || member.status === 'locked';
    if (member.status === 'active') {
      await trx.updateTable('members').set({ status: 'locked', updated_at: now }).where('id', '=', member.id).execute();
    }
    const sessionsEnded = await endSessions(trx, member.id, now);
    // Whatever an intruder may have started (a reset, a new email or phone) no longer works.
    await trx.updateTable('password_resets').set({ used_at: now }).where('member_id', '=', member.id).where('used_at', 'is', null).execute();
    await trx.updateTable('contact_changes').set({ used_at: now }).where('member_id', '=', member.id).where('used_at', 'is', null).execute();
    const language = member.language;
    const ticket = await support.fileTicketIn(
      trx,
      {
        name: dec('nickname', member.nickname).slice(0, 100) || member.username,
        email: dec('email', member.email),
        topic: 'account_compromised',
        message: t(language, 'recovery.ticket.message', { via: t(language, via === 'session' ? 'recovery.ticket.viaSession' : 'recovery.ticket.viaEmail') }),
        language,
      },
      { type: 'member', id: member.id },
    );
    await appendAudit(
      trx,
      { type: 'member', id: member.id },
      {
        action: 'recovery.account_compromised',
        subjectType: 'member',
        subjectId: member.id,
        details: { via, reportId, ticketId: ticket.id, locked: lock, sessionsEnded },
      },
      { purpose: 'security', at: now },
    );
    await jobs.send(trx, 'recovery.send-compromised-notice', { memberId: member.id });
    return { ticketNumber: ticket.number };
  }

  async function afterSessionsEnded(memberId: string): Promise<void> {
    sessions.forgetMember(memberId);
  }

  return {
    /**
     * Starts a password reset. The answer is the same whether or not the identifier matched a
     * member with a verified contact on that channel (a random id that can never complete).
     */
    async requestReset(identifier: string, channel: ResetChannel): Promise<{ resetId: string }> {
      return withFloor(async () => {
        const decoy = crypto.randomUUID();
        const member = await findMember(identifier);
        const verified = member && (channel === 'email' ? member.email_verified_at : member.phone_verified_at);
        if (!member || !verified || !RECOVERABLE.has(member.status)) {
          if (channel === 'sms') rememberDecoy(decoy);
          return { resetId: decoy };
        }
        const now = clock();
        const resetId = await db.transaction().execute(async (trx) => {
          await memberForUpdate(trx, member.id); // serializes this member's requests for the throttle
          if ((await recentRequests(trx, 'password_resets', member.id, now)) >= REQUESTS_PER_HOUR) return undefined;
          await trx.updateTable('password_resets').set({ used_at: now }).where('member_id', '=', member.id).where('used_at', 'is', null).execute();
          const id = crypto.randomUUID();
          await trx
            .insertInto('password_resets')
            .values({
              id,
              member_id: member.id,
              channel,
              secret_hash: null,
              expires_at: new Date(now.getTime() + (channel === 'email' ? RESET_LINK_TTL_MS : SMS_CODE_TTL_MS)),
              used_at: null,
              created_at: now,
            })
            .execute();
          await appendAudit(
            trx,
            { type: 'anonymous' },
            { action: 'recovery.reset_requested', subjectType: 'member', subjectId: member.id, details: { resetId: id, channel } },
            { purpose: 'security', at: now },
          );
          await jobs.send(trx, 'recovery.send-reset', { resetId: id });
          return id;
        });
        if (!resetId && channel === 'sms') rememberDecoy(decoy);
        return { resetId: resetId ?? decoy };
      });
    },

    /**
     * Job: creates the link token or SMS code (stored only hashed) for a pending reset. A retried
     * job (the send failed after this committed) issues a fresh secret; the earlier one stops working.
     */
    async issueReset(resetId: string) {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        await lockOwner(trx, (await trx.selectFrom('password_resets').select('member_id').where('id', '=', resetId).executeTakeFirst())?.member_id);
        const row = await trx.selectFrom('password_resets').selectAll().where('id', '=', resetId).forUpdate().executeTakeFirst();
        if (!row || row.used_at || row.expires_at <= now) return undefined;
        const member = await memberForUpdate(trx, row.member_id);
        if (!member) return undefined;
        const base = { language: member.language, nickname: dec('nickname', member.nickname) };
        if (row.channel === 'email') {
          if (!member.email_verified_at) return undefined;
          const token = newToken();
          await trx.updateTable('password_resets').set({ secret_hash: sha256(token) }).where('id', '=', row.id).execute();
          return { ...base, channel: 'email' as const, to: dec('email', member.email), secret: token };
        }
        if (!member.phone_verified_at) return undefined;
        const code = newCode();
        await trx.updateTable('password_resets').set({ secret_hash: codeHash(code) }).where('id', '=', row.id).execute();
        return { ...base, channel: 'sms' as const, to: dec('phone', member.phone), secret: code };
      });
    },

    /**
     * Completes a reset with the emailed token, or the reset id and SMS code: checks the secret
     * (wrong codes count, 5 lock the reset), then the new password exactly as sign-up does, then
     * in one transaction: new hash, unlock, every session ended, audit, notification email.
     */
    async completeReset(input: { token?: string | undefined; resetId?: string | undefined; code?: string | undefined; newPassword: string }): Promise<void> {
      const byToken = typeof input.token === 'string' && input.token !== '';
      if (!byToken && !(input.resetId && input.code)) {
        throw new AppError('validation_failed', 400, 'token or resetId+code required', {
          fields: [{ field: input.resetId ? 'code' : 'token', code: 'required' }],
        });
      }
      const now = clock();
      const find = (trx: Transaction<Database>) =>
        byToken
          ? trx.selectFrom('password_resets').selectAll().where('channel', '=', 'email').where('secret_hash', '=', sha256(input.token!)).forUpdate().executeTakeFirst()
          : trx.selectFrom('password_resets').selectAll().where('id', '=', input.resetId!).where('channel', '=', 'sms').forUpdate().executeTakeFirst();

      // 1. The secret (a wrong code's attempt is committed even though the request fails).
      const checked = await db.transaction().execute(async (trx) => {
        const row = await find(trx);
        if (!row || !row.secret_hash) return { outcome: byToken ? ('invalid' as const) : decoyAttempt(input.resetId!) };
        if (row.used_at) return { outcome: 'expired' as const };
        if (!byToken && row.attempts >= MAX_CODE_ATTEMPTS) return { outcome: 'locked' as const };
        if (row.expires_at <= now) return { outcome: 'expired' as const };
        if (!byToken && !sameSecret(codeHash(String(input.code).trim()), row.secret_hash)) {
          const attempts = row.attempts + 1;
          await trx.updateTable('password_resets').set({ attempts }).where('id', '=', row.id).execute();
          return { outcome: attempts >= MAX_CODE_ATTEMPTS ? ('locked' as const) : ('invalid' as const) };
        }
        return { outcome: 'ok' as const, row };
      });
      if (checked.outcome !== 'ok') return throwFor(checked.outcome);
      const reset = checked.row;

      // 2. The new password, with the member's own details, as at sign-up (nothing consumed if weak).
      const member = await db.selectFrom('members').select(memberColumns).where('id', '=', reset.member_id).executeTakeFirst();
      if (!member) throw new AppError('code_invalid', 400, 'member gone');
      const problems = input.newPassword === '' ? [{ field: 'newPassword', code: 'required' }] : await strengthProblems(input.newPassword, member, 'newPassword');
      if (problems.length > 0) throw new AppError('validation_failed', 400, 'weak new password', { fields: problems });
      const passwordHash = await hashPassword(input.newPassword);

      // 3. The change, in one transaction.
      const done = await db.transaction().execute(async (trx) => {
        await lockOwner(trx, reset.member_id);
        const row = await trx.selectFrom('password_resets').selectAll().where('id', '=', reset.id).forUpdate().executeTakeFirst();
        if (!row || row.used_at || row.expires_at <= now) return undefined;
        const current = await memberForUpdate(trx, row.member_id);
        if (!current) return undefined;
        const unlocked = current.status === 'locked';
        await trx
          .updateTable('members')
          .set({ password_hash: passwordHash, updated_at: now, ...(unlocked ? { status: 'active' as const } : {}) })
          .where('id', '=', current.id)
          .execute();
        await trx.updateTable('password_resets').set({ used_at: now }).where('member_id', '=', current.id).where('used_at', 'is', null).execute();
        const sessionsEnded = await endSessions(trx, current.id, now);
        await appendAudit(
          trx,
          { type: 'member', id: current.id },
          { action: 'recovery.password_reset', subjectType: 'member', subjectId: current.id, details: { resetId: row.id, channel: row.channel, unlocked, sessionsEnded } },
          { purpose: 'security', at: now },
        );
        await jobs.send(trx, 'recovery.send-password-changed', { memberId: current.id });
        return { memberId: current.id };
      });
      if (!done) throw new AppError('code_expired', 410, 'reset used concurrently');
      await afterSessionsEnded(done.memberId);
      if (guard) {
        try {
          await guard.clearAccount(done.memberId);
        } catch (err) {
          // The password is changed either way; the guard's lock expires on its own.
          logger?.error({ err, memberId: done.memberId }, 'could not lift the sign-in lock after a password reset');
        }
      }
    },

    /** Job: the member's email, name and language for the "password changed" notice. */
    async contactsOf(memberId: string) {
      const member = await db.selectFrom('members').select(memberColumns).where('id', '=', memberId).executeTakeFirst();
      if (!member) return undefined;
      return {
        email: dec('email', member.email),
        phone: member.phone_verified_at ? dec('phone', member.phone) : undefined,
        nickname: dec('nickname', member.nickname),
        language: member.language,
      };
    },

    /** A signed-in member asks to use a new email: checked with the current password; a link goes to the new address. */
    async requestEmailChange(memberId: string, currentPassword: string, newEmail: string): Promise<{ changeId: string }> {
      const email = newEmail.trim();
      return requestContactChange(memberId, currentPassword, 'email', 'newEmail', () => {
        if (email === '') return { problem: { field: 'newEmail', code: 'required' } };
        if (email.length > 254 || !EMAIL.test(email)) return { problem: { field: 'newEmail', code: 'email', messageKey: 'recovery.fields.emailInvalid' } };
        return { value: email, index: bidx('email', NORMALIZERS.email(email)) };
      });
    },

    /** A signed-in member asks to use a new mobile number: a 6-digit code goes to it by SMS. */
    async requestPhoneChange(memberId: string, currentPassword: string, newPhone: string): Promise<{ changeId: string }> {
      return requestContactChange(memberId, currentPassword, 'phone', 'newPhone', () => {
        const phone = normalizePhone(newPhone);
        if (!phone.ok) return { problem: { field: 'newPhone', code: phone.error, messageKey: phoneMessageKey(phone.error) } };
        return { value: phone.e164, index: bidx('phone', phone.e164) };
      });
    },

    /** Job: creates the link token (email) or code (phone) of a pending change; returns where to send it. */
    async issueContactChange(changeId: string) {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        await lockOwner(trx, (await trx.selectFrom('contact_changes').select('member_id').where('id', '=', changeId).executeTakeFirst())?.member_id);
        const row = await trx.selectFrom('contact_changes').selectAll().where('id', '=', changeId).forUpdate().executeTakeFirst();
        if (!row || row.used_at || row.expires_at <= now) return undefined;
        const member = await memberForUpdate(trx, row.member_id);
        if (!member) return undefined;
        const to = keyring.decrypt(row.new_value, 'contact_changes.new_value');
        const base = { to, language: member.language, nickname: dec('nickname', member.nickname) };
        if (row.kind === 'email') {
          const token = newToken();
          await trx.updateTable('contact_changes').set({ secret_hash: sha256(token) }).where('id', '=', row.id).execute();
          return { ...base, kind: 'email' as const, secret: token };
        }
        const code = newCode();
        await trx.updateTable('contact_changes').set({ secret_hash: changeCodeHash(code) }).where('id', '=', row.id).execute();
        return { ...base, kind: 'phone' as const, secret: code };
      });
    },

    /** The link from the new address: replaces the email (a duplicate is refused without saying whose). */
    async confirmEmailChange(token: string): Promise<void> {
      const now = clock();
      let outcome: 'ok' | 'invalid' | 'expired' | 'locked';
      try {
        outcome = await db.transaction().execute(async (trx) => {
          const owner = await trx.selectFrom('contact_changes').select('member_id').where('kind', '=', 'email').where('secret_hash', '=', sha256(String(token))).executeTakeFirst();
          await lockOwner(trx, owner?.member_id);
          const row = await trx
            .selectFrom('contact_changes')
            .selectAll()
            .where('kind', '=', 'email')
            .where('secret_hash', '=', sha256(String(token)))
            .forUpdate()
            .executeTakeFirst();
          if (!row) return 'invalid' as const;
          if (row.used_at || row.expires_at <= now) return 'expired' as const;
          await applyChange(trx, row, now);
          return 'ok' as const;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('contact_change_refused', 409, 'email already registered');
        throw err;
      }
      throwFor(outcome);
    },

    /** The SMS code sent to the new number (signed in): 5 wrong attempts end the change. */
    async confirmPhoneChange(memberId: string, changeId: string, code: string): Promise<void> {
      const now = clock();
      let outcome: 'ok' | 'invalid' | 'expired' | 'locked';
      try {
        outcome = await db.transaction().execute(async (trx) => {
          await lockOwner(trx, memberId);
          const row = await trx
            .selectFrom('contact_changes')
            .selectAll()
            .where('id', '=', changeId)
            .where('member_id', '=', memberId)
            .where('kind', '=', 'phone')
            .forUpdate()
            .executeTakeFirst();
          if (!row || !row.secret_hash) return 'invalid' as const;
          if (row.used_at) return 'expired' as const;
          if (row.attempts >= MAX_CODE_ATTEMPTS) return 'locked' as const;
          if (row.expires_at <= now) return 'expired' as const;
          if (!sameSecret(changeCodeHash(String(code).trim()), row.secret_hash)) {
            const attempts = row.attempts + 1;
            await trx.updateTable('contact_changes').set({ attempts }).where('id', '=', row.id).execute();
            return attempts >= MAX_CODE_ATTEMPTS ? ('locked' as const) : ('invalid' as const);
          }
          await applyChange(trx, row, now);
          return 'ok' as const;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('contact_change_refused', 409, 'phone already registered');
        throw err;
      }
      throwFor(outcome);
    },

    /** Job: what the notices about a confirmed change need (old and current contacts, decrypted). */
    async changedContact(changeId: string) {
      const row = await db.selectFrom('contact_changes').selectAll().where('id', '=', changeId).executeTakeFirst();
      if (!row || !row.old_value) return undefined;
      const member = await db.selectFrom('members').select(memberColumns).where('id', '=', row.member_id).executeTakeFirst();
      if (!member) return undefined;
      return {
        kind: row.kind,
        old: keyring.decrypt(row.old_value, 'contact_changes.old_value'),
        email: dec('email', member.email),
        nickname: dec('nickname', member.nickname),
        language: member.language,
      };
    },

    /** "My account is compromised" from a signed-in session. */
    async reportCompromised(memberId: string): Promise<{ ticketNumber: string }> {
      const now = clock();
      const result = await db.transaction().execute(async (trx) => {
        const member = await memberForUpdate(trx, memberId);
        if (!member) throw new AppError('unauthenticated', 401, 'member gone');
        return compromise(trx, member, 'session', null, now);
      });
      await afterSessionsEnded(memberId);
      return result;
    },

    /**
     * The support form's "my account is compromised": never locks by itself. If the identifier
     * matches a member with a verified email, a confirmation link goes there; the answer is the same either way.
     */
    async requestCompromiseConfirmation(identifier: string): Promise<void> {
      await withFloor(async () => {
        const member = await findMember(identifier);
        if (!member || !member.email_verified_at || !RECOVERABLE.has(member.status)) return;
        const now = clock();
        await db.transaction().execute(async (trx) => {
          await memberForUpdate(trx, member.id);
          if ((await recentRequests(trx, 'compromise_reports', member.id, now)) >= REQUESTS_PER_HOUR) return;
          await trx.updateTable('compromise_reports').set({ used_at: now }).where('member_id', '=', member.id).where('used_at', 'is', null).execute();
          const id = crypto.randomUUID();
          await trx
            .insertInto('compromise_reports')
            .values({ id, member_id: member.id, secret_hash: null, expires_at: new Date(now.getTime() + COMPROMISE_LINK_TTL_MS), used_at: null, created_at: now })
            .execute();
          await appendAudit(
            trx,
            { type: 'anonymous' },
            { action: 'recovery.compromise_report_requested', subjectType: 'member', subjectId: member.id, details: { reportId: id } },
            { purpose: 'security', at: now },
          );
          await jobs.send(trx, 'recovery.send-compromise-confirmation', { reportId: id });
        });
      });
    },

    /** Job: creates the confirmation token of a compromise report; returns where to send it. */
    async issueCompromiseConfirmation(reportId: string) {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        await lockOwner(trx, (await trx.selectFrom('compromise_reports').select('member_id').where('id', '=', reportId).executeTakeFirst())?.member_id);
        const row = await trx.selectFrom('compromise_reports').selectAll().where('id', '=', reportId).forUpdate().executeTakeFirst();
        if (!row || row.used_at || row.expires_at <= now) return undefined;
        const member = await memberForUpdate(trx, row.member_id);
        if (!member?.email_verified_at) return undefined;
        const token = newToken();
        await trx.updateTable('compromise_reports').set({ secret_hash: sha256(token) }).where('id', '=', row.id).execute();
        return { to: dec('email', member.email), nickname: dec('nickname', member.nickname), language: member.language, token };
      });
    },

    /** Following the emailed link performs the compromised action. */
    async confirmCompromise(token: string): Promise<{ ticketNumber: string }> {
      const now = clock();
      const result = await db.transaction().execute(async (trx) => {
        const owner = await trx.selectFrom('compromise_reports').select('member_id').where('secret_hash', '=', sha256(String(token))).executeTakeFirst();
        await lockOwner(trx, owner?.member_id);
        const row = await trx.selectFrom('compromise_reports').selectAll().where('secret_hash', '=', sha256(String(token))).forUpdate().executeTakeFirst();
        if (!row) return 'invalid' as const;
        if (row.used_at || row.expires_at <= now) return 'expired' as const;
        const member = await memberForUpdate(trx, row.member_id);
        if (!member) return 'invalid' as const;
        await trx.updateTable('compromise_reports').set({ used_at: now }).where('id', '=', row.id).execute();
        return { memberId: member.id, ...(await compromise(trx, member, 'email_link', row.id, now)) };
      });
      if (typeof result === 'string') {
        throwFor(result);
        throw new AppError('internal', 500);
      }
      await afterSessionsEnded(result.memberId);
      return { ticketNumber: result.ticketNumber };
    },
  };

  function rememberDecoy(id: string): void {
    const now = Date.now();
    if (decoys.size >= 10_000) {
      for (const [key, entry] of decoys) if (entry.until <= now || decoys.size >= 10_000) decoys.delete(key);
    }
    decoys.set(id, { attempts: 0, until: now + SMS_CODE_TTL_MS });
  }

  /** A code for a decoy id answers exactly as a wrong code for a real reset would (expiry and lock included). */
  function decoyAttempt(id: string): 'invalid' | 'expired' | 'locked' {
    const entry = decoys.get(id);
    if (!entry) return 'invalid';
    if (entry.attempts >= MAX_CODE_ATTEMPTS) return 'locked';
    if (entry.until <= Date.now()) return 'expired';
    entry.attempts += 1;
    return entry.attempts >= MAX_CODE_ATTEMPTS ? 'locked' : 'invalid';
  }

  async function requestContactChange(
    memberId: string,
    currentPassword: string,
    kind: 'email' | 'phone',
    field: string,
    parse: () => { problem: FieldProblem } | { value: string; index: string },
  ): Promise<{ changeId: string }> {
    const member = await db.selectFrom('members').select([...memberColumns, 'email_bidx', 'phone_bidx']).where('id', '=', memberId).executeTakeFirst();
    if (!member) {
      await verifyAgainstDummy(currentPassword);
      throw new AppError('unauthenticated', 401, 'member gone');
    }
    const problems: FieldProblem[] = [];
    const parsed = parse();
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (parsed.index === (kind === 'email' ? member.email_bidx : member.phone_bidx)) {
      problems.push({ field, code: 'sameAsCurrent', messageKey: 'recovery.fields.sameAsCurrent' });
    }
    if (currentPassword === '') problems.push({ field: 'currentPassword', code: 'required' });
    else if (!(await verifyPassword(member.password_hash, currentPassword))) {
      problems.push({ field: 'currentPassword', code: 'incorrect', messageKey: 'recovery.fields.currentPasswordWrong' });
    }
    if (problems.length > 0 || 'problem' in parsed) throw new AppError('validation_failed', 400, 'contact change refused', { fields: problems });
    const now = clock();
    const changeId = crypto.randomUUID();
    await db.transaction().execute(async (trx) => {
      await lockOwner(trx, memberId);
      await trx
        .updateTable('contact_changes')
        .set({ used_at: now })
        .where('member_id', '=', memberId)
        .where('kind', '=', kind)
        .where('used_at', 'is', null)
        .execute();
      await trx
        .insertInto('contact_changes')
        .values({
          id: changeId,
          member_id: memberId,
          kind,
          new_value: keyring.encrypt(parsed.value, 'contact_changes.new_value'),
          old_value: null,
          secret_hash: null,
          expires_at: new Date(now.getTime() + (kind === 'email' ? EMAIL_CHANGE_TTL_MS : SMS_CODE_TTL_MS)),
          used_at: null,
          created_at: now,
        })
        .execute();
      await appendAudit(
        trx,
        { type: 'member', id: memberId },
        { action: 'recovery.contact_change_requested', subjectType: 'member', subjectId: memberId, details: { changeId, kind } },
        { purpose: 'account', at: now },
      );
      await jobs.send(trx, 'recovery.send-contact-change', { changeId });
    });
    return { changeId };
  }

  /** Replaces the member's email or phone with the change's new value (unique index: a duplicate throws). */
  async function applyChange(trx: Transaction<Database>, row: { id: string; member_id: string; kind: 'email' | 'phone'; new_value: string }, now: Date) {
    const member = await memberForUpdate(trx, row.member_id);
    if (!member) throw new AppError('code_invalid', 400, 'member gone');
    const value = keyring.decrypt(row.new_value, 'contact_changes.new_value');
    const old = row.kind === 'email' ? dec('email', member.email) : dec('phone', member.phone);
    if (row.kind === 'email') {
      await trx
        .updateTable('members')
        .set({ email: keyring.encrypt(value, 'members.email'), email_bidx: bidx('email', NORMALIZERS.email(value)), email_verified_at: now, updated_at: now })
        .where('id', '=', member.id)
        .execute();
    } else {
      await trx
        .updateTable('members')
        .set({ phone: keyring.encrypt(value, 'members.phone'), phone_bidx: bidx('phone', value), phone_verified_at: now, updated_at: now })
        .where('id', '=', member.id)
        .execute();
    }
    await trx
      .updateTable('contact_changes')
      .set({ used_at: now, old_value: keyring.encrypt(old, 'contact_changes.old_value') })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(
      trx,
      { type: 'member', id: member.id },
      { action: 'recovery.contact_changed', subjectType: 'member', subjectId: member.id, details: { changeId: row.id, kind: row.kind } },
      { purpose: 'account', at: now },
    );
    await jobs.send(trx, 'recovery.send-contact-changed-notices', { changeId: row.id });
  }
}

export type RecoveryService = ReturnType<typeof makeRecoveryService>;
