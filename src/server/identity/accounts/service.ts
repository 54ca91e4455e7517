import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { checkNikAgainst, parseNik } from '../../../common/identity/nik.js';
import { nikMessageKey, phoneMessageKey, usernameMessageKey } from '../../../common/identity/messages.js';
import { normalizePhone } from '../../../common/identity/phone.js';
import { validateUsername } from '../../../common/identity/username.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database, GuardianStatus, MemberStatus } from '../../platform/db/schema.js';
import { AppError, type FieldProblem } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { DEFAULT_PHOTO_LIMITS, processProfilePhoto } from '../../platform/media/image.js';
import type { ConsentLedger } from '../../privacy/consent/ledger.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import { hashPassword } from '../password/hash.js';
import { checkPasswordStrengthHere, type PasswordStrengthChecker } from '../password/strength-pool.js';
import { adultFrom } from '../../../common/age.js';
import { GUARDIAN_INVITE_TTL_MS } from '../guardians/service.js';
import { readyToActivate } from './activation.js';
import type { AccountsRepo } from './repo.js';
import { jakartaToday, newEmailToken, newSmsCode, sha256, isAdult } from './verification.js';

export const GENDERS = ['female', 'male', 'nonbinary', 'unspecified'] as const;
export type Gender = (typeof GENDERS)[number];
export const SMS_CODE_TTL_MS = 5 * 60 * 1000;
export const SMS_MAX_ATTEMPTS = 5;
export const SMS_RESEND_SECONDS = 60;
export const EMAIL_TOKEN_TTL_MS = 24 * 3600 * 1000;
export const NICKNAME_MAX_LENGTH = 40;

/** The raw multipart form: every text field as received, and the one photo. */
export interface SignUpForm {
  fields: Record<string, string | undefined>;
  photo?: { bytes: Buffer } | undefined;
}

export interface SignUpContext {
  language: Language;
  ip?: string | undefined;
  userAgent?: string | undefined;
  idempotencyKey?: string | undefined;
}

export interface SignUpStatus {
  status: MemberStatus;
  emailVerified: boolean;
  phoneVerified: boolean;
  guardian: 'none' | GuardianStatus;
}

export interface SignUpResult {
  id: string;
  status: MemberStatus;
  verification: { emailSent: true; smsSent: true };
}

interface Deps {
  db: Kysely<Database>;
  repo: AccountsRepo;
  keyring: Keyring;
  jobs: JobQueue;
  consent: ConsentLedger;
  dataDir: string;
  /** The password rules (strength.ts); compose.ts passes the worker-thread pool, by default the calling thread. */
  checkPassword?: PasswordStrengthChecker;
  clock?: () => Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[^\s@"<>()[\],;:\\]+@[^\s@"<>()[\],;:\\]+\.[^\s@"<>()[\],;:\\]{2,}$/;
const UNIQUE_VIOLATION = '23505';

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) && Number(m[1]) >= 1900;
}

/** Which unique index a violation hit (node-postgres and PGlite both report `constraint`). */
function violatedIndex(err: unknown): string | undefined {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== UNIQUE_VIOLATION) return undefined;
  return e.constraint ?? /"([a-z_]+)"/.exec(e.message ?? '')?.[1] ?? 'unknown';
}

export function makeAccountsService({ db, repo, keyring, jobs, consent, dataDir, checkPassword = checkPasswordStrengthHere, clock = () => new Date() }: Deps) {
  const enc = (column: string, value: string) => keyring.encrypt(value, `members.${column}`);
  const dec = (column: string, value: string) => keyring.decrypt(value, `members.${column}`);
  const bidx = (column: string, normalized: string) => keyring.blindIndex(normalized, `members.${column}`);
  const codeHash = (code: string) => keyring.blindIndex(code, 'verification_codes.code');

  /** Validates every field; returns all problems at once, or the normalized values. */
  async function validate(form: SignUpForm, today: string) {
    const f = (name: string) => (typeof form.fields[name] === 'string' ? form.fields[name]! : '');
    const problems: FieldProblem[] = [];
    const add = (field: string, code: string, messageKey?: string, params?: Record<string, string | number>) =>
      problems.push({ field, code, ...(messageKey ? { messageKey } : {}), ...(params ? { params } : {}) });

    const username = validateUsername(f('username'));
    if (!username.ok) add('username', username.error, usernameMessageKey(username.error));
    else if (await repo.usernameTaken(db, username.username)) add('username', 'taken', 'accounts.fields.taken');

    const nickname = f('nickname').trim();
    if (nickname.length === 0) add('nickname', 'required');
    else if ([...nickname].length > NICKNAME_MAX_LENGTH) add('nickname', 'tooLong', undefined, { max: NICKNAME_MAX_LENGTH });

    const gender = f('gender');
    if (!(GENDERS as readonly string[]).includes(gender)) add('gender', gender === '' ? 'required' : 'choice');

    const email = f('email').trim();
    if (email === '') add('email', 'required');
    else if (email.length > 254 || !EMAIL.test(email)) add('email', 'email');

    const phone = normalizePhone(f('phone'));
    if (!phone.ok) add('phone', phone.error, phoneMessageKey(phone.error));

    const dateOfBirth = f('dateOfBirth').trim();
    const dobValid = validDate(dateOfBirth);
    if (dateOfBirth === '') add('dateOfBirth', 'required');
    else if (!dobValid) add('dateOfBirth', 'invalid', 'accounts.fields.dateOfBirth');
    else if (dateOfBirth > today) add('dateOfBirth', 'invalid', 'accounts.fields.dateOfBirthFuture');

    const nik = parseNik(f('nik'), { today });
    if (!nik.ok) add('nik', nik.error, nikMessageKey(nik.error));
    else if (dobValid) {
      for (const mismatch of checkNikAgainst(nik, { dateOfBirth, gender })) add('nik', mismatch, nikMessageKey(mismatch));
    }

    const language = f('language');
    if (language !== 'id' && language !== 'en') add('language', language === '' ? 'required' : 'choice');

    // P5.1: a minor names a parent or guardian, who must be reachable at their own email and phone.
    const minor = dobValid && dateOfBirth <= today && !isAdult(dateOfBirth, today);
    let guardian: { email: string; phone: string } | undefined;
    if (minor) {
      const guardianEmail = f('guardianEmail').trim();
      const guardianPhone = normalizePhone(f('guardianPhone'));
      if (guardianEmail === '') add('guardianEmail', 'required', 'guardian.fields.emailRequired');
      else if (guardianEmail.length > 254 || !EMAIL.test(guardianEmail)) add('guardianEmail', 'email', 'accounts.fields.emailInvalid');
      else if (NORMALIZERS.email(guardianEmail) === NORMALIZERS.email(email)) add('guardianEmail', 'sameAsMember', 'guardian.fields.sameEmail');
      if (!guardianPhone.ok) {
        add('guardianPhone', guardianPhone.error, guardianPhone.error === 'required' ? 'guardian.fields.phoneRequired' : phoneMessageKey(guardianPhone.error));
      } else if (phone.ok && guardianPhone.e164 === phone.e164) add('guardianPhone', 'sameAsMember', 'guardian.fields.samePhone');
      if (guardianPhone.ok) guardian = { email: guardianEmail, phone: guardianPhone.e164 };
    }

    const password = typeof form.fields.password === 'string' ? form.fields.password : '';
    if (password === '') add('password', 'required');
    else {
      const strength = await checkPassword(password, {
        username: username.ok ? username.username : f('username'),
        nickname,
        email,
        phone: f('phone'),
        nik: f('nik'),
        language: 'id',
      });
      if (!strength.ok) {
        for (const reason of strength.reasons) add('password', reason, `password.problems.${reason}`, { min: 10, max: 128 });
      }
    }

    if (f('acceptPolicy') !== 'true') add('acceptPolicy', 'required', 'accounts.fields.acceptPolicy');

    let photo: Awaited<ReturnType<typeof processProfilePhoto>> | undefined;
    if (!form.photo || form.photo.bytes.length === 0) add('photo', 'required', 'accounts.fields.photoRequired');
    else {
      photo = await processProfilePhoto(form.photo.bytes);
      if (!photo.ok) {
        const l = DEFAULT_PHOTO_LIMITS;
        add('photo', photo.error, `media.${photo.error}`, {
          maxMegabytes: Math.floor(l.maxBytes / (1024 * 1024)),
          maxSide: l.maxSide,
          maxMegapixels: Math.floor(l.maxPixels / 1_000_000),
          minSide: l.minSide,
        });
      }
    }

    if (problems.length > 0 || !username.ok || !phone.ok || !nik.ok || !photo?.ok || (minor && !guardian)) {
      throw new AppError('validation_failed', 400, 'sign-up form invalid', { fields: problems });
    }
    return {
      username: username.username,
      nickname,
      gender: gender as Gender,
      email,
      phone: phone.e164,
      nik: nik.nik,
      nikLast4: nik.last4,
      dateOfBirth,
      password,
      language: language as Language,
      photo,
      guardian,
    };
  }

  async function replay(key: string, email: string): Promise<SignUpResult | undefined> {
    const existing = await repo.findByIdempotencyKey(db, key);
    if (!existing) return undefined;
    if (existing.email_bidx !== bidx('email', NORMALIZERS.email(email))) {
      throw new AppError('idempotency_conflict', 409, 'idempotency key reused for another sign-up');
    }
    return { id: existing.id, status: existing.status, verification: { emailSent: true, smsSent: true } };
  }

  return {
    /** Validates, stores the photo files, then writes everything in one transaction (files removed on failure). */
    async signUp(form: SignUpForm, context: SignUpContext): Promise<{ result: SignUpResult; created: boolean }> {
      const now = clock();
      if (context.idempotencyKey) {
        const replayed = await replay(context.idempotencyKey, form.fields.email ?? '');
        if (replayed) return { result: replayed, created: false };
      }
      const today = jakartaToday(now);
      const v = await validate(form, today);
      const passwordHash = await hashPassword(v.password);
      const status: MemberStatus = v.guardian ? 'pending_guardian' : 'pending_verification';
      const id = crypto.randomUUID();
      const guardianId = v.guardian ? crypto.randomUUID() : undefined;
      const photoId = crypto.randomUUID();

      const dir = path.join(dataDir, 'media', 'members', id);
      const files = [
        { file: path.join(dir, `${photoId}.jpg`), bytes: v.photo.image.bytes },
        ...v.photo.thumbnails.map((th) => ({ file: path.join(dir, `${photoId}-${th.size}.jpg`), bytes: th.bytes })),
      ];
      const removeFiles = () => fs.rm(dir, { recursive: true, force: true });
      try {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        for (const { file, bytes } of files) await fs.writeFile(file, bytes, { mode: 0o600 });

        await db.transaction().execute(async (trx) => {
          await repo.insertMember(trx, {
            id,
            username: v.username,
            username_norm: v.username,
            nickname: enc('nickname', v.nickname),
            gender: v.gender,
            email: enc('email', v.email),
            email_bidx: bidx('email', NORMALIZERS.email(v.email)),
            email_verified_at: null,
            phone: enc('phone', v.phone),
            phone_bidx: bidx('phone', v.phone),
            phone_verified_at: null,
            nik: enc('nik', v.nik),
            nik_bidx: bidx('nik', v.nik),
            nik_last4: v.nikLast4,
            date_of_birth: enc('date_of_birth', v.dateOfBirth),
            adult_from: adultFrom(v.dateOfBirth),
            password_hash: passwordHash,
            language: v.language,
            status,
            idempotency_key: context.idempotencyKey ?? null,
            sms_requested_at: now,
            created_at: now,
            updated_at: now,
          });
          await repo.insertPhoto(trx, {
            id: photoId,
            member_id: id,
            storage_path: `media/members/${id}/${photoId}.jpg`,
            mime: v.photo.image.mime,
            width: v.photo.image.width,
            height: v.photo.image.height,
            bytes: v.photo.image.bytes.length,
            created_at: now,
          });
          await consent.recordPolicyAcceptance(trx, {
            subject: { type: 'member', id },
            language: v.language,
            ip: context.ip,
            userAgent: context.userAgent,
          });
          await appendAudit(
            trx,
            { type: 'member', id },
            { action: 'accounts.signed_up', subjectType: 'member', subjectId: id, details: { status, photoId, language: v.language } },
            { purpose: 'account', at: now },
          );
          await jobs.send(trx, 'accounts.send-sms-code', { memberId: id });
          await jobs.send(trx, 'accounts.send-verification-email', { memberId: id });
          if (v.guardian && guardianId) {
            await repo.insertGuardian(trx, {
              id: guardianId,
              member_id: id,
              email: keyring.encrypt(v.guardian.email, 'guardians.email'),
              phone: keyring.encrypt(v.guardian.phone, 'guardians.phone'),
              // The guardian hears from us first in the language the minor chose; their page can switch.
              language: v.language,
              status: 'pending',
              invite_hash: null,
              // The invitation job sets it again with the token; set now so a resend is throttled from the start.
              invite_expires_at: new Date(now.getTime() + GUARDIAN_INVITE_TTL_MS),
              withdraw_hash: null,
              consented_at: null,
              withdrawn_at: null,
              created_at: now,
              updated_at: now,
            });
            await appendAudit(
              trx,
              { type: 'member', id },
              { action: 'guardians.requested', subjectType: 'guardian', subjectId: guardianId, details: { memberId: id } },
              { purpose: 'account', at: now },
            );
            await jobs.send(trx, 'guardians.send-invitation', { guardianId });
            await jobs.send(trx, 'guardians.send-invitation-sms', { guardianId });
          }
        });
      } catch (err) {
        await removeFiles();
        const index = violatedIndex(err);
        if (index === 'members_username_norm_key') {
          throw new AppError('validation_failed', 400, 'username taken (race)', {
            fields: [{ field: 'username', code: 'taken', messageKey: 'accounts.fields.taken' }],
          });
        }
        if (index === 'members_idempotency_key_key' && context.idempotencyKey) {
          const replayed = await replay(context.idempotencyKey, v.email);
          if (replayed) return { result: replayed, created: false };
        }
        // Email, phone or NIK already registered: say nothing about which, or whose.
        if (index) throw new AppError('signup_refused', 409, `sign-up refused (${index})`);
        throw err;
      }
      return { result: { id, status, verification: { emailSent: true, smsSent: true } }, created: true };
    },

    /** Job: a fresh 6-digit code, stored only as an HMAC, and the SMS text in the member's language. */
    async issueSmsCode(memberId: string): Promise<{ to: string; code: string; language: Language } | undefined> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const member = await repo.findMember(trx, memberId);
        if (!member || member.phone_verified_at) return undefined;
        const code = newSmsCode();
        await repo.replaceCode(trx, {
          id: crypto.randomUUID(),
          member_id: memberId,
          channel: 'phone',
          secret_hash: codeHash(code),
          expires_at: new Date(now.getTime() + SMS_CODE_TTL_MS),
          used_at: null,
          created_at: now,
        });
        return { to: dec('phone', member.phone), code, language: member.language };
      });
    },

    /** Job: a fresh 32-byte token, stored only as its sha256. */
    async issueEmailToken(memberId: string): Promise<{ to: string; nickname: string; token: string; language: Language } | undefined> {
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const member = await repo.findMember(trx, memberId);
        if (!member || member.email_verified_at) return undefined;
        const token = newEmailToken();
        await repo.replaceCode(trx, {
          id: crypto.randomUUID(),
          member_id: memberId,
          channel: 'email',
          secret_hash: sha256(token),
          expires_at: new Date(now.getTime() + EMAIL_TOKEN_TTL_MS),
          used_at: null,
          created_at: now,
        });
        return { to: dec('email', member.email), nickname: dec('nickname', member.nickname), token, language: member.language };
      });
    },

    async verifyPhone(memberId: string, code: string): Promise<void> {
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const member = await repo.findMemberForUpdate(trx, memberId);
        if (!member) return 'invalid' as const;
        const row = await repo.latestOpenCodeForUpdate(trx, memberId, 'phone');
        if (!row) return 'invalid' as const;
        if (row.attempts >= SMS_MAX_ATTEMPTS) return 'locked' as const;
        if (row.expires_at.getTime() <= now.getTime()) return 'expired' as const;
        const given = Buffer.from(codeHash(String(code).trim()));
        const stored = Buffer.from(row.secret_hash);
        if (given.length !== stored.length || !crypto.timingSafeEqual(given, stored)) {
          const attempts = row.attempts + 1;
          await repo.setAttempts(trx, row.id, attempts);
          return attempts >= SMS_MAX_ATTEMPTS ? ('locked' as const) : ('invalid' as const);
        }
        await repo.markUsed(trx, row.id, now);
        await verified(trx, member, 'phone', now);
        return 'ok' as const;
      });
      throwFor(outcome);
    },

    async verifyEmail(token: string): Promise<void> {
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const row = await repo.codeBySecretForUpdate(trx, 'email', sha256(String(token)));
        if (!row) return 'invalid' as const;
        if (row.used_at || row.expires_at.getTime() <= now.getTime()) return 'expired' as const;
        const member = await repo.findMemberForUpdate(trx, row.member_id);
        if (!member) return 'invalid' as const;
        await repo.markUsed(trx, row.id, now);
        await verified(trx, member, 'email', now);
        return 'ok' as const;
      });
      throwFor(outcome);
    },

    /**
     * What the verify page needs after a reload: the account status, which checks are done, and the
     * guardian's decision (`none` for adults). Nothing else: the id is known only to whoever signed up.
     */
    async status(memberId: string): Promise<SignUpStatus> {
      const member = await repo.findMember(db, memberId);
      if (!member) throw new AppError('not_found', 404, 'no such member');
      const guardian = await repo.guardianStatus(db, memberId);
      return {
        status: member.status,
        emailVerified: member.email_verified_at !== null,
        phoneVerified: member.phone_verified_at !== null,
        guardian: guardian ?? 'none',
      };
    },

    /** Queues a new SMS code unless one was requested less than 60 s ago. */
    async resendSms(memberId: string): Promise<void> {
      const now = clock();
      const outcome = await db.transaction().execute(async (trx) => {
        const member = await repo.findMemberForUpdate(trx, memberId);
        if (!member) return { kind: 'not_found' as const };
        if (member.phone_verified_at) return { kind: 'ok' as const };
        const claimed = await repo.claimSmsSlot(trx, memberId, now, new Date(now.getTime() - SMS_RESEND_SECONDS * 1000));
        if (!claimed) {
          const last = member.sms_requested_at?.getTime() ?? now.getTime();
          return { kind: 'wait' as const, seconds: Math.max(1, Math.ceil((last + SMS_RESEND_SECONDS * 1000 - now.getTime()) / 1000)) };
        }
        await jobs.send(trx, 'accounts.send-sms-code', { memberId });
        return { kind: 'ok' as const };
      });
      if (outcome.kind === 'not_found') throw new AppError('not_found', 404);
      if (outcome.kind === 'wait') throw new AppError('resend_too_soon', 429, 'sms resend throttled', { params: { seconds: outcome.seconds } });
    },
  };

  async function verified(
    trx: Transaction<Database>,
    member: { id: string; status: MemberStatus; email_verified_at: Date | null; phone_verified_at: Date | null },
    channel: 'phone' | 'email',
    at: Date,
  ) {
    const emailVerified = channel === 'email' ? at : member.email_verified_at;
    const phoneVerified = channel === 'phone' ? at : member.phone_verified_at;
    // P5.1: a minor also needs the guardian's consent; whichever of the three steps comes last activates.
    const guardian = member.status === 'pending_guardian' ? await repo.guardianStatus(trx, member.id) : undefined;
    const activate = readyToActivate({ status: member.status, email_verified_at: emailVerified, phone_verified_at: phoneVerified }, guardian);
    await repo.updateMember(trx, member.id, {
      ...(channel === 'email' ? { email_verified_at: at } : { phone_verified_at: at }),
      ...(activate ? { status: 'active' as const } : {}),
      updated_at: at,
    });
    await appendAudit(
      trx,
      { type: 'member', id: member.id },
      { action: channel === 'email' ? 'accounts.email_verified' : 'accounts.phone_verified', subjectType: 'member', subjectId: member.id, details: {} },
      { purpose: 'account', at },
    );
    if (activate) {
      await appendAudit(
        trx,
        { type: 'member', id: member.id },
        { action: 'accounts.activated', subjectType: 'member', subjectId: member.id, details: { from: member.status } },
        { purpose: 'account', at },
      );
    }
  }
}

function throwFor(outcome: 'ok' | 'invalid' | 'expired' | 'locked'): void {
  if (outcome === 'invalid') throw new AppError('code_invalid', 400);
  if (outcome === 'expired') throw new AppError('code_expired', 410);
  if (outcome === 'locked') throw new AppError('too_many_attempts', 429);
}

export type AccountsService = ReturnType<typeof makeAccountsService>;
