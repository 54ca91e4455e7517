import crypto from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../../common/i18n/index.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { LoginAttempt, LoginGuard } from '../login-security/guard.js';
import { verifyPassword } from '../password/hash.js';
import { assertMayHaveSession, CHALLENGE_TTL_MS, type ChallengeMethod, type ChallengeReason, type LoginResult, type SessionContext, type SignInChallenges } from '../sessions/service.js';
import { findRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { groupSecret, matchTotp, newTotpSecret, totpProvisioning } from './totp.js';

/** Wrong answers a challenge takes before it is dead and the member must enter the password again. */
export const CHALLENGE_MAX_ATTEMPTS = 5;
/** An email/SMS step-up code: at most one per minute, three per challenge. */
export const CODE_RESEND_MS = 60 * 1000;
export const CODE_MAX_SENDS = 3;
/** WebAuthn ceremonies (registration, passwordless sign-in) must finish within 5 minutes. */
export const WEBAUTHN_TTL_MS = 5 * 60 * 1000;
export const PASSKEY_NAME_MAX = 60;

export interface WebAuthnConfig {
  rpName: string;
  /** Host of PUBLIC_URL. */
  rpID: string;
  /** Origin of PUBLIC_URL. */
  origin: string;
}

export function webAuthnConfigFrom(publicUrl: string): WebAuthnConfig {
  const url = new URL(publicUrl);
  return { rpName: 'Kenalan', rpID: url.hostname, origin: url.origin };
}

const sha256 = (value: string) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');
const newSixDigitCode = () => String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The challenge a WebAuthn response was made for (the browser puts it into clientDataJSON). */
function challengeOf(response: { response: { clientDataJSON: string } }): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { challenge?: unknown }).challenge === 'string'
      ? (parsed as { challenge: string }).challenge
      : undefined;
  } catch {
    return undefined;
  }
}

export type ChallengeAnswer =
  | { method: 'totp' | 'recovery_code' | 'email_code' | 'sms_code'; code: string }
  | { method: 'passkey'; response: AuthenticationResponseJSON };

export interface MfaStatus {
  totp: { enabled: boolean; pending: boolean };
  recoveryCodesLeft: number;
  passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean }[];
}

/**
 * Second factors (TOTP + recovery codes, passkeys) and the sign-in challenges a correct password
 * opens when the member has one (or when the risk seam in `login` asks for a step-up). The
 * session itself is made by the session service once `completeChallenge` / `passkeySignIn`
 * have said who the member is.
 */
export function makeMfaService({
  db,
  keyring,
  jobs,
  webauthn,
  guard,
  clock = () => new Date(),
}: {
  db: Kysely<Database>;
  keyring: Keyring;
  jobs: JobQueue;
  webauthn: WebAuthnConfig;
  guard?: LoginGuard;
  clock?: () => Date;
}) {
  const encSecret = (secret: string) => keyring.encrypt(secret, 'member_totp.secret');
  const decSecret = (value: string) => keyring.decrypt(value, 'member_totp.secret');
  const codeHash = (challengeId: string, code: string) => keyring.blindIndex(`${challengeId}:${code}`, 'signin_challenges.code_hash');

  const audit = (trx: Transaction<Database>, memberId: string, event: Omit<Extract<Parameters<typeof appendAudit>[2], { subjectType: 'member' }>, 'subjectType' | 'subjectId'>, actor: 'member' | 'anonymous' = 'member') =>
    appendAudit(
      trx,
      actor === 'member' ? { type: 'member', id: memberId } : { type: 'anonymous' },
      { ...event, subjectType: 'member', subjectId: memberId } as Parameters<typeof appendAudit>[2],
      { purpose: 'security', at: clock() },
    );

  async function secondFactors(executor: Kysely<Database> | Transaction<Database>, memberId: string): Promise<ChallengeMethod[]> {
    const [totp, passkeys, codes] = await Promise.all([
      executor.selectFrom('member_totp').select('member_id').where('member_id', '=', memberId).where('confirmed_at', 'is not', null).executeTakeFirst(),
      executor.selectFrom('passkeys').select(({ fn }) => fn.countAll<string>().as('n')).where('member_id', '=', memberId).executeTakeFirstOrThrow(),
      executor.selectFrom('recovery_codes').select(({ fn }) => fn.countAll<string>().as('n')).where('member_id', '=', memberId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
    ]);
    const methods: ChallengeMethod[] = [];
    if (totp) methods.push('totp');
    if (Number(passkeys.n) > 0) methods.push('passkey');
    if (Number(codes.n) > 0 && methods.length > 0) methods.push('recovery_code');
    return methods;
  }

  /**
   * Checks a TOTP code for the member's confirmed (or, with `pending`, unconfirmed) secret and
   * claims its step, so the same code is never accepted twice — also not by two requests racing.
   */
  async function useTotp(trx: Transaction<Database>, memberId: string, code: string, { pending = false } = {}): Promise<boolean> {
    const row = await trx.selectFrom('member_totp').selectAll().where('member_id', '=', memberId).forUpdate().executeTakeFirst();
    if (!row || (pending ? row.confirmed_at !== null : row.confirmed_at === null)) return false;
    const step = matchTotp(decSecret(row.secret), code, clock());
    if (step === undefined || (row.last_used_step !== null && step <= row.last_used_step)) return false;
    await trx.updateTable('member_totp').set({ last_used_step: step }).where('member_id', '=', memberId).execute();
    return true;
  }

  async function useRecoveryCode(trx: Transaction<Database>, memberId: string, code: string): Promise<boolean> {
    if (!looksLikeRecoveryCode(code)) return false;
    const rows = await trx.selectFrom('recovery_codes').select(['id', 'code_hash']).where('member_id', '=', memberId).where('used_at', 'is', null).forUpdate().execute();
    const id = await findRecoveryCode(rows, code);
    if (!id) return false;
    const used = await trx.updateTable('recovery_codes').set({ used_at: clock() }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(used.numUpdatedRows) === 1;
  }

  /** A TOTP code, or a recovery code (it is then used up): what disabling and regenerating ask for. */
  async function useAnyCode(trx: Transaction<Database>, memberId: string, code: string): Promise<boolean> {
    return looksLikeRecoveryCode(code) ? useRecoveryCode(trx, memberId, code) : useTotp(trx, memberId, code);
  }

  async function replaceRecoveryCodes(trx: Transaction<Database>, memberId: string, hashes: string[]): Promise<void> {
    await trx.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
    const now = clock();
    await trx
      .insertInto('recovery_codes')
      .values(hashes.map((code_hash) => ({ id: crypto.randomUUID(), member_id: memberId, code_hash, used_at: null, created_at: now })))
      .execute();
  }

  async function memberForFactors(memberId: string) {
    return db.selectFrom('members').select(['id', 'username', 'status', 'password_hash']).where('id', '=', memberId).executeTakeFirstOrThrow();
  }

  const attemptOf = (memberId: string, context: SessionContext): LoginAttempt => ({ ip: context.ip, accountKey: memberId });

  /** The brute-force guard (when wired) sees every code as it sees passwords. */
  async function guardBefore(memberId: string, context: SessionContext): Promise<void> {
    if (!guard) return;
    const decision = await guard.beforeAttempt(attemptOf(memberId, context));
    if (!decision.allowed) {
      throw new AppError('login_locked', 429, `login guard refused (${decision.scope})`, { params: { minutes: Math.max(1, Math.ceil(decision.retryAfterSeconds / 60)) } });
    }
    if (decision.delayMs > 0) await sleep(decision.delayMs);
  }

  /** Loads a challenge for an answer: it must exist, belong to this browser, be live and unused. */
  async function liveChallenge(challengeId: string, browserToken: string | undefined, method: string) {
    const row = await db.selectFrom('signin_challenges').selectAll().where('id', '=', challengeId).executeTakeFirst();
    if (!row) throw new AppError('challenge_invalid', 401, 'no such challenge');
    const fail = async (reason: 'browser' | 'expired' | 'attempts') => {
      await db.transaction().execute((trx) =>
        audit(trx, row.member_id, { action: 'mfa.challenge_failed', details: { challengeId, method, reason, attempts: row.attempts } }, 'anonymous'),
      );
    };
    if (!browserToken || sha256(browserToken) !== row.browser_hash) {
      await fail('browser');
      throw new AppError('challenge_invalid', 401, 'challenge cookie missing or from another browser');
    }
    if (row.attempts >= CHALLENGE_MAX_ATTEMPTS) {
      await fail('attempts');
      throw new AppError('challenge_too_many_attempts', 429, 'challenge has no attempts left');
    }
    if (row.used_at || row.expires_at <= clock()) {
      await fail('expired');
      throw new AppError('challenge_invalid', 401, 'challenge expired or used');
    }
    const methods = row.methods.split(',') as ChallengeMethod[];
    if (!methods.includes(method as ChallengeMethod)) {
      await db.transaction().execute((trx) =>
        audit(trx, row.member_id, { action: 'mfa.challenge_failed', details: { challengeId, method, reason: 'method', attempts: row.attempts } }, 'anonymous'),
      );
      throw new AppError('mfa_method_unavailable', 400, `method ${method} not offered`);
    }
    return { ...row, methodList: methods };
  }

  async function passkeyCredential(credentialId: string) {
    return db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  }

  /** Verifies an assertion against a stored passkey and records its new counter. */
  async function verifyPasskeyAssertion(
    stored: NonNullable<Awaited<ReturnType<typeof passkeyCredential>>>,
    response: AuthenticationResponseJSON,
    expectedChallenge: string,
    requireUserVerification: boolean,
  ): Promise<boolean> {
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: webauthn.origin,
        expectedRPID: webauthn.rpID,
        requireUserVerification,
        credential: {
          id: stored.credential_id,
          publicKey: new Uint8Array(Buffer.from(stored.public_key, 'base64url')),
          counter: Number(stored.counter),
          transports: stored.transports ? (JSON.parse(stored.transports) as AuthenticatorTransport[]) : undefined,
        },
      });
      if (!result.verified) return false;
      await db
        .updateTable('passkeys')
        .set({ counter: result.authenticationInfo.newCounter, last_used_at: clock(), backed_up: result.authenticationInfo.credentialBackedUp })
        .where('id', '=', stored.id)
        .execute();
      return true;
    } catch {
      // Malformed data, wrong origin/RP, bad signature, counter going backwards (a cloned key): all "no".
      return false;
    }
  }

  const challenges: SignInChallenges = {
    /**
     * A member with a second factor always gets a challenge offering those factors (reason `mfa`;
     * a step-up is then satisfied by the factor, never downgraded to an emailed code). A member
     * without one gets a challenge only when the risk seam asks for a step-up: a 6-digit code to
     * their verified email or phone (reason `step_up`).
     */
    async openIfNeeded(memberId, { stepUp, restoreDeletion = false }, _context) {
      const factors = await secondFactors(db, memberId);
      let reason: ChallengeReason;
      let methods: ChallengeMethod[];
      if (factors.length > 0) {
        reason = 'mfa';
        methods = factors;
      } else if (stepUp) {
        const member = await db.selectFrom('members').select(['email_verified_at', 'phone_verified_at']).where('id', '=', memberId).executeTakeFirstOrThrow();
        reason = 'step_up';
        methods = [];
        if (member.email_verified_at) methods.push('email_code');
        if (member.phone_verified_at) methods.push('sms_code');
        // An active member has both verified; with neither there is no way to pass the check.
        if (methods.length === 0) throw new AppError('account_inactive', 403, 'step-up needed but no verified email or phone');
      } else {
        return undefined;
      }
      const challengeId = crypto.randomUUID();
      const browserToken = crypto.randomBytes(32).toString('base64url');
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('signin_challenges')
          .values({
            id: challengeId,
            member_id: memberId,
            browser_hash: sha256(browserToken),
            reason,
            methods: methods.join(','),
            code_channel: null,
            code_hash: null,
            code_expires_at: null,
            code_requested_at: null,
            webauthn_challenge: null,
            restore_deletion: restoreDeletion,
            expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS),
            used_at: null,
            created_at: now,
          })
          .execute();
        await audit(trx, memberId, { action: 'mfa.challenge_opened', details: { challengeId, reason, methods } }, 'anonymous');
      });
      const result: Extract<LoginResult, { kind: 'challenge' }> = { kind: 'challenge', challengeId, methods, reason, browserToken };
      return result;
    },
  };

  return {
    challenges,

    /**
     * Answers a challenge. On success the challenge is used up and the member id returned (the
     * caller makes the session); on a wrong answer the attempt is counted, and after
     * CHALLENGE_MAX_ATTEMPTS the challenge is dead.
     */
    async completeChallenge(
      challengeId: string,
      browserToken: string | undefined,
      answer: ChallengeAnswer,
      context: SessionContext,
    ): Promise<{ memberId: string; challengeId: string; method: ChallengeMethod; restoreDeletion: boolean }> {
      const row = await liveChallenge(challengeId, browserToken, answer.method);
      await guardBefore(row.member_id, context);

      let passed = false;
      if (answer.method === 'passkey') {
        const stored = row.webauthn_challenge ? await passkeyCredential(answer.response.id) : undefined;
        passed =
          !!stored &&
          stored.member_id === row.member_id &&
          challengeOf(answer.response) === row.webauthn_challenge &&
          (await verifyPasskeyAssertion(stored, answer.response, row.webauthn_challenge!, false));
      }

      const outcome = await db.transaction().execute(async (trx) => {
        const now = clock();
        if (answer.method === 'totp') passed = await useTotp(trx, row.member_id, answer.code);
        else if (answer.method === 'recovery_code') passed = await useRecoveryCode(trx, row.member_id, answer.code);
        else if (answer.method === 'email_code' || answer.method === 'sms_code') {
          passed =
            row.code_channel === answer.method &&
            row.code_hash !== null &&
            row.code_expires_at !== null &&
            row.code_expires_at > now &&
            /^\d{6}$/.test(answer.code.trim()) &&
            crypto.timingSafeEqual(Buffer.from(row.code_hash), Buffer.from(codeHash(challengeId, answer.code.trim())));
        }
        if (passed) {
          const claimed = await trx
            .updateTable('signin_challenges')
            .set({ used_at: now })
            .where('id', '=', challengeId)
            .where('used_at', 'is', null)
            .where('attempts', '<', CHALLENGE_MAX_ATTEMPTS)
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== 1) return { kind: 'raced' as const };
          await audit(trx, row.member_id, { action: 'mfa.challenge_passed', details: { challengeId, method: answer.method } });
          return { kind: 'passed' as const };
        }
        const counted = await trx
          .updateTable('signin_challenges')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('id', '=', challengeId)
          .returning('attempts')
          .executeTakeFirstOrThrow();
        if (counted.attempts >= CHALLENGE_MAX_ATTEMPTS) {
          await trx.updateTable('signin_challenges').set({ used_at: now }).where('id', '=', challengeId).where('used_at', 'is', null).execute();
        }
        await audit(trx, row.member_id, { action: 'mfa.challenge_failed', details: { challengeId, method: answer.method, reason: 'code', attempts: counted.attempts } }, 'anonymous');
        return { kind: 'failed' as const, attempts: counted.attempts };
      });

      if (outcome.kind === 'raced') throw new AppError('challenge_invalid', 401, 'challenge used concurrently');
      if (outcome.kind === 'failed') {
        await guard?.recordFailure(attemptOf(row.member_id, context));
        if (outcome.attempts >= CHALLENGE_MAX_ATTEMPTS) throw new AppError('challenge_too_many_attempts', 429, 'challenge attempts exhausted');
        if (answer.method === 'passkey') throw new AppError('passkey_failed', 400, 'passkey assertion not verified');
        throw new AppError('mfa_code_invalid', 400, `wrong ${answer.method}`, {
          fields: [{ field: 'code', code: 'incorrect', messageKey: 'errors.mfa_code_invalid', params: { remaining: CHALLENGE_MAX_ATTEMPTS - outcome.attempts } }],
          params: { remaining: CHALLENGE_MAX_ATTEMPTS - outcome.attempts },
        });
      }
      await guard?.recordSuccess(attemptOf(row.member_id, context));
      // The account may have been locked while the challenge was open. One in its deletion grace
      // period passes only if this challenge carries the wish to restore it (the caller restores it).
      const member = await db.selectFrom('members').select('status').where('id', '=', row.member_id).executeTakeFirstOrThrow();
      const restoreDeletion = row.restore_deletion && member.status === 'deletion_pending';
      if (!restoreDeletion) assertMayHaveSession(member);
      if (await guard?.isAccountLocked(row.member_id)) throw new AppError('account_locked', 403, 'locked by the login guard');
      return { memberId: row.member_id, challengeId, method: answer.method, restoreDeletion };
    },

    /** Step-up: asks for a 6-digit code by email or SMS (made and sent by a job). At most one a minute, three per challenge. */
    async requestChallengeCode(challengeId: string, browserToken: string | undefined, method: 'email_code' | 'sms_code'): Promise<void> {
      const row = await liveChallenge(challengeId, browserToken, method);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('signin_challenges')
          .set((eb) => ({ code_requested_at: now, codes_sent: eb('codes_sent', '+', 1), code_channel: method, code_hash: null, code_expires_at: null }))
          .where('id', '=', challengeId)
          .where('codes_sent', '<', CODE_MAX_SENDS)
          .where((eb) => eb.or([eb('code_requested_at', 'is', null), eb('code_requested_at', '<=', new Date(now.getTime() - CODE_RESEND_MS))]))
          .returning('id')
          .executeTakeFirst();
        if (!claimed) {
          const current = await trx.selectFrom('signin_challenges').select(['codes_sent', 'code_requested_at']).where('id', '=', challengeId).executeTakeFirstOrThrow();
          if (current.codes_sent >= CODE_MAX_SENDS) throw new AppError('challenge_too_many_attempts', 429, 'too many codes for this challenge');
          const wait = Math.ceil((current.code_requested_at!.getTime() + CODE_RESEND_MS - now.getTime()) / 1000);
          throw new AppError('resend_too_soon', 429, 'code asked for less than a minute ago', { params: { seconds: Math.max(1, wait) } });
        }
        await jobs.send(trx, 'mfa.send-challenge-code', { challengeId });
        await audit(trx, row.member_id, { action: 'mfa.challenge_code_sent', details: { challengeId, method } }, 'anonymous');
      });
    },

    /** Job: draws the code, stores its HMAC (valid until the challenge expires), and says where to send it. */
    async issueChallengeCode(
      challengeId: string,
    ): Promise<{ channel: 'email_code' | 'sms_code'; to: string; nickname: string; code: string; language: Language } | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('signin_challenges').selectAll().where('id', '=', challengeId).forUpdate().executeTakeFirst();
        const now = clock();
        if (!row || row.used_at || row.expires_at <= now || !row.code_channel) return undefined;
        const member = await trx
          .selectFrom('members')
          .select(['email', 'phone', 'nickname', 'language', 'email_verified_at', 'phone_verified_at'])
          .where('id', '=', row.member_id)
          .executeTakeFirstOrThrow();
        const channel = row.code_channel;
        if (channel === 'email_code' ? !member.email_verified_at : !member.phone_verified_at) return undefined;
        const code = newSixDigitCode();
        await trx
          .updateTable('signin_challenges')
          .set({ code_hash: codeHash(challengeId, code), code_expires_at: row.expires_at })
          .where('id', '=', challengeId)
          .execute();
        const to = channel === 'email_code' ? keyring.decrypt(member.email, 'members.email') : keyring.decrypt(member.phone, 'members.phone');
        return { channel, to, nickname: keyring.decrypt(member.nickname, 'members.nickname'), code, language: member.language };
      });
    },

    /** WebAuthn options for answering a challenge with one of the member's passkeys. */
    async challengePasskeyOptions(challengeId: string, browserToken: string | undefined): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const row = await liveChallenge(challengeId, browserToken, 'passkey');
      const passkeys = await db.selectFrom('passkeys').select(['credential_id', 'transports']).where('member_id', '=', row.member_id).execute();
      const options = await generateAuthenticationOptions({
        rpID: webauthn.rpID,
        userVerification: 'preferred',
        allowCredentials: passkeys.map((p) => ({
          id: p.credential_id,
          ...(p.transports ? { transports: JSON.parse(p.transports) as AuthenticatorTransport[] } : {}),
        })),
      });
      await db.updateTable('signin_challenges').set({ webauthn_challenge: options.challenge }).where('id', '=', challengeId).execute();
      return options;
    },

    // ── Passwordless sign-in with a discoverable passkey ──────────────────────────────────────

    async passkeySignInOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const options = await generateAuthenticationOptions({ rpID: webauthn.rpID, userVerification: 'required', allowCredentials: [] });
      const now = clock();
      await db
        .insertInto('webauthn_challenges')
        .values({ id: crypto.randomUUID(), member_id: null, purpose: 'signin', challenge: options.challenge, expires_at: new Date(now.getTime() + WEBAUTHN_TTL_MS), used_at: null, created_at: now })
        .execute();
      return options;
    },

    /**
     * A passkey with user verification is both factors at once. It never unlocks anything: a
     * member locked by the guard or by status gets no session, whatever key they hold.
     */
    async passkeySignIn(response: AuthenticationResponseJSON): Promise<{ memberId: string; passkeyId: string }> {
      const challenge = challengeOf(response);
      const now = clock();
      const claimed = challenge
        ? await db
            .updateTable('webauthn_challenges')
            .set({ used_at: now })
            .where('challenge', '=', challenge)
            .where('purpose', '=', 'signin')
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('id')
            .executeTakeFirst()
        : undefined;
      const stored = claimed ? await passkeyCredential(response.id) : undefined;
      if (!claimed || !stored || !(await verifyPasskeyAssertion(stored, response, challenge!, true))) {
        throw new AppError('passkey_failed', 401, 'passkey sign-in not verified');
      }
      const member = await db.selectFrom('members').select('status').where('id', '=', stored.member_id).executeTakeFirstOrThrow();
      const lockedByGuard = (await guard?.isAccountLocked(stored.member_id)) ?? false;
      if (lockedByGuard || member.status !== 'active') {
        const reason = lockedByGuard || member.status === 'locked' ? 'locked' : 'inactive';
        await db.transaction().execute((trx) =>
          audit(trx, stored.member_id, { action: 'mfa.passkey_signin_refused', details: { passkeyId: stored.id, reason } }, 'anonymous'),
        );
        if (lockedByGuard) throw new AppError('account_locked', 403, 'locked by the login guard');
        assertMayHaveSession(member);
      }
      return { memberId: stored.member_id, passkeyId: stored.id };
    },

    // ── The member's own second factors (signed in) ───────────────────────────────────────────

    async status(memberId: string): Promise<MfaStatus> {
      const [totp, codes, passkeys] = await Promise.all([
        db.selectFrom('member_totp').select('confirmed_at').where('member_id', '=', memberId).executeTakeFirst(),
        db.selectFrom('recovery_codes').select(({ fn }) => fn.countAll<string>().as('n')).where('member_id', '=', memberId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
        db.selectFrom('passkeys').selectAll().where('member_id', '=', memberId).orderBy('created_at', 'asc').execute(),
      ]);
      return {
        totp: { enabled: !!totp?.confirmed_at, pending: !!totp && !totp.confirmed_at },
        recoveryCodesLeft: Number(codes.n),
        passkeys: passkeys.map((p) => ({
          id: p.id,
          name: keyring.decrypt(p.name, 'passkeys.name'),
          createdAt: p.created_at,
          lastUsedAt: p.last_used_at,
          synced: p.device_type === 'multiDevice',
        })),
      };
    },

    /** A new secret, pending until confirmed with a code (a previous pending secret is replaced). */
    async startTotp(memberId: string): Promise<{ secret: string; uri: string; qrSvgDataUrl: string }> {
      const member = await memberForFactors(memberId);
      const secret = newTotpSecret();
      await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('member_totp').select('confirmed_at').where('member_id', '=', memberId).forUpdate().executeTakeFirst();
        if (existing?.confirmed_at) throw new AppError('totp_already_enabled', 409, 'TOTP already confirmed');
        await trx.deleteFrom('member_totp').where('member_id', '=', memberId).execute();
        await trx
          .insertInto('member_totp')
          .values({ member_id: memberId, secret: encSecret(secret), confirmed_at: null, last_used_step: null, created_at: clock() })
          .execute();
        await audit(trx, memberId, { action: 'mfa.totp_setup_started', details: {} });
      });
      return { secret: groupSecret(secret), ...(await totpProvisioning(secret, member.username)) };
    },

    /** The first right code turns TOTP on and yields 10 recovery codes, shown this once. */
    async confirmTotp(memberId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const { codes, hashes } = await newRecoveryCodes();
      const ok = await db.transaction().execute(async (trx) => {
        const pending = await trx.selectFrom('member_totp').select('confirmed_at').where('member_id', '=', memberId).executeTakeFirst();
        if (!pending) throw new AppError('totp_not_enabled', 409, 'no TOTP setup started');
        if (pending.confirmed_at) throw new AppError('totp_already_enabled', 409, 'TOTP already confirmed');
        if (!(await useTotp(trx, memberId, code, { pending: true }))) return false;
        await trx.updateTable('member_totp').set({ confirmed_at: clock() }).where('member_id', '=', memberId).execute();
        await replaceRecoveryCodes(trx, memberId, hashes);
        await audit(trx, memberId, { action: 'mfa.totp_enabled', details: { recoveryCodes: RECOVERY_CODE_COUNT } });
        return true;
      });
      if (!ok) {
        await db.transaction().execute((trx) => audit(trx, memberId, { action: 'mfa.change_refused', details: { operation: 'confirm', reason: 'code' } }));
        throw new AppError('validation_failed', 400, 'wrong TOTP confirmation code', { fields: [{ field: 'code', code: 'incorrect', messageKey: 'mfa.errors.codeIncorrect' }] });
      }
      return { recoveryCodes: codes };
    },

    /** Turning TOTP off needs the current password and a code (TOTP or recovery); recovery codes go with it. */
    async disableTotp(memberId: string, password: string, code: string): Promise<void> {
      const member = await memberForFactors(memberId);
      const passwordOk = await verifyPassword(member.password_hash, password);
      const result = await db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('member_totp').select('confirmed_at').where('member_id', '=', memberId).executeTakeFirst();
        if (!current?.confirmed_at) throw new AppError('totp_not_enabled', 409, 'TOTP is not on');
        if (!passwordOk) return 'password' as const;
        if (!(await useAnyCode(trx, memberId, code))) return 'code' as const;
        await trx.deleteFrom('member_totp').where('member_id', '=', memberId).execute();
        const removed = await trx.deleteFrom('recovery_codes').where('member_id', '=', memberId).executeTakeFirst();
        await audit(trx, memberId, { action: 'mfa.totp_disabled', details: { recoveryCodesRemoved: Number(removed.numDeletedRows) } });
        return 'ok' as const;
      });
      if (result !== 'ok') {
        await db.transaction().execute((trx) => audit(trx, memberId, { action: 'mfa.change_refused', details: { operation: 'disable', reason: result } }));
        throw new AppError('validation_failed', 400, `TOTP disable refused: ${result}`, {
          fields: [
            result === 'password'
              ? { field: 'password', code: 'incorrect', messageKey: 'mfa.errors.passwordIncorrect' }
              : { field: 'code', code: 'incorrect', messageKey: 'mfa.errors.codeIncorrect' },
          ],
        });
      }
    },

    /** New recovery codes (the old ones stop working) — needs a current code. */
    async regenerateRecoveryCodes(memberId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const { codes, hashes } = await newRecoveryCodes();
      const ok = await db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('member_totp').select('confirmed_at').where('member_id', '=', memberId).executeTakeFirst();
        if (!current?.confirmed_at) throw new AppError('totp_not_enabled', 409, 'TOTP is not on');
        if (!(await useAnyCode(trx, memberId, code))) return false;
        await replaceRecoveryCodes(trx, memberId, hashes);
        await audit(trx, memberId, { action: 'mfa.recovery_codes_regenerated', details: { recoveryCodes: RECOVERY_CODE_COUNT } });
        return true;
      });
      if (!ok) {
        await db.transaction().execute((trx) => audit(trx, memberId, { action: 'mfa.change_refused', details: { operation: 'regenerate', reason: 'code' } }));
        throw new AppError('validation_failed', 400, 'wrong code for regenerating recovery codes', { fields: [{ field: 'code', code: 'incorrect', messageKey: 'mfa.errors.codeIncorrect' }] });
      }
      return { recoveryCodes: codes };
    },

    async passkeyRegistrationOptions(memberId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const member = await memberForFactors(memberId);
      const existing = await db.selectFrom('passkeys').select(['credential_id', 'transports']).where('member_id', '=', memberId).execute();
      const options = await generateRegistrationOptions({
        rpName: webauthn.rpName,
        rpID: webauthn.rpID,
        userName: member.username,
        userDisplayName: member.username,
        userID: new TextEncoder().encode(memberId),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({
          id: p.credential_id,
          ...(p.transports ? { transports: JSON.parse(p.transports) as AuthenticatorTransport[] } : {}),
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      const now = clock();
      await db
        .insertInto('webauthn_challenges')
        .values({ id: crypto.randomUUID(), member_id: memberId, purpose: 'register', challenge: options.challenge, expires_at: new Date(now.getTime() + WEBAUTHN_TTL_MS), used_at: null, created_at: now })
        .execute();
      return options;
    },

    async registerPasskey(memberId: string, response: RegistrationResponseJSON, name: string): Promise<{ id: string }> {
      const challenge = challengeOf(response);
      const now = clock();
      const claimed = challenge
        ? await db
            .updateTable('webauthn_challenges')
            .set({ used_at: now })
            .where('challenge', '=', challenge)
            .where('purpose', '=', 'register')
            .where('member_id', '=', memberId)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('id')
            .executeTakeFirst()
        : undefined;
      if (!claimed) throw new AppError('passkey_failed', 400, 'no live registration challenge');
      let info;
      try {
        const verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge!,
          expectedOrigin: webauthn.origin,
          expectedRPID: webauthn.rpID,
          requireUserVerification: false,
        });
        if (!verified.verified) throw new Error('not verified');
        info = verified.registrationInfo;
      } catch {
        throw new AppError('passkey_failed', 400, 'registration response not verified');
      }
      const id = crypto.randomUUID();
      const label = name.trim().slice(0, PASSKEY_NAME_MAX) || 'Passkey';
      await db.transaction().execute(async (trx) => {
        const taken = await trx.selectFrom('passkeys').select('id').where('credential_id', '=', info.credential.id).executeTakeFirst();
        if (taken) throw new AppError('passkey_failed', 400, 'credential already registered');
        await trx
          .insertInto('passkeys')
          .values({
            id,
            member_id: memberId,
            credential_id: info.credential.id,
            public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
            counter: info.credential.counter,
            transports: info.credential.transports ? JSON.stringify(info.credential.transports) : null,
            device_type: info.credentialDeviceType,
            backed_up: info.credentialBackedUp,
            name: keyring.encrypt(label, 'passkeys.name'),
            created_at: now,
            last_used_at: null,
          })
          .execute();
        await audit(trx, memberId, { action: 'mfa.passkey_registered', details: { passkeyId: id, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp } });
      });
      return { id };
    },

    async renamePasskey(memberId: string, passkeyId: string, name: string): Promise<boolean> {
      const label = name.trim().slice(0, PASSKEY_NAME_MAX);
      if (!label) throw new AppError('validation_failed', 400, 'empty passkey name', { fields: [{ field: 'name', code: 'required' }] });
      return db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('passkeys').set({ name: keyring.encrypt(label, 'passkeys.name') }).where('id', '=', passkeyId).where('member_id', '=', memberId).executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await audit(trx, memberId, { action: 'mfa.passkey_renamed', details: { passkeyId } });
        return true;
      });
    },

    async removePasskey(memberId: string, passkeyId: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('passkeys').where('id', '=', passkeyId).where('member_id', '=', memberId).executeTakeFirst();
        if (Number(removed.numDeletedRows) !== 1) return false;
        await audit(trx, memberId, { action: 'mfa.passkey_removed', details: { passkeyId } });
        return true;
      });
    },
  };
}
export type MfaService = ReturnType<typeof makeMfaService>;
