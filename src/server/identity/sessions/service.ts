import crypto from 'node:crypto';
import Bowser from 'bowser';
import type { Kysely } from 'kysely';
import { normalizePhone } from '../../../common/identity/phone.js';
import { normalizeUsername } from '../../../common/identity/username.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { AppError } from '../../platform/http/app-error.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import { isRestricted } from '../../privacy/rights/restrictions.js';
import type { LoginGuard } from '../login-security/guard.js';
import { passLoginGuard } from '../login-security/seam.js';
import type { LoginSecurity } from '../login-security/service.js';
import { verifyAgainstDummy, verifyPassword } from '../password/hash.js';

/** A session lives 30 days from its last use; `last_seen_at` is refreshed at most every 5 minutes. */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;
/** A sign-in challenge (second step after the password) and its browser cookie live 5 minutes. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** A browser location the member chose to share, rounded to about 1 km. */
export interface SharedLocation {
  latitude: number;
  longitude: number;
  /** Metres; never finer than 1,000 once stored. */
  accuracy: number;
}

export interface SessionContext {
  ip: string;
  userAgent: string | undefined;
  /** The `__Host-kenalan-device` cookie (login-security; a fresh token when the browser has none). */
  deviceToken?: string | undefined;
}

export interface AuthenticatedSession {
  sessionId: string;
  memberId: string;
  username: string;
  language: string;
  status: string;
  nikLast4: string;
}

/**
 * How long a verified session is trusted from memory before the database is asked again. Sign-out
 * on this instance takes effect at once (the entry is dropped); on another instance of a
 * PostgreSQL deployment it takes effect within this time. See bench/results/session.md.
 */
export const SESSION_CACHE_MS = 10_000;
const SESSION_CACHE_MAX = 10_000;

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** "Chrome on Android", "Safari on iOS", … — what the sessions page shows; never the raw string. */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const parsed = Bowser.parse(userAgent.slice(0, 500));
  const browser = parsed.browser.name || 'Unknown browser';
  const os = parsed.os.name || undefined;
  return os ? `${browser} on ${os}` : browser;
}

/** How a second step can be passed. `email_code` / `sms_code` are offered only for step-up. */
export type ChallengeMethod = 'totp' | 'recovery_code' | 'passkey' | 'email_code' | 'sms_code';
export type ChallengeReason = 'mfa' | 'step_up';

/**
 * What a sign-in attempt ends in: a session, or a challenge the same browser must pass first
 * (`browserToken` goes only into the short-lived challenge cookie; the table keeps its hash).
 */
export type LoginResult =
  | { kind: 'session'; token: string; sessionId: string; memberId: string }
  | { kind: 'challenge'; challengeId: string; methods: ChallengeMethod[]; reason: ChallengeReason; browserToken: string };

/** How the member proved who they are, recorded in the `accounts.logged_in` audit event. */
export type SignInMethod = 'password' | 'challenge' | 'passkey';

/**
 * Opens a sign-in challenge when the member has a second factor (or a step-up was asked for).
 * Implemented by the MFA module (src/server/identity/mfa/); without it, no challenge is ever opened.
 */
export interface SignInChallenges {
  /** `restoreDeletion`: passing the challenge also cancels the account's pending deletion (the caller does it, see `restoreDeletion`). */
  openIfNeeded(memberId: string, options: { stepUp: boolean; restoreDeletion?: boolean }, context: SessionContext): Promise<Extract<LoginResult, { kind: 'challenge' }> | undefined>;
}

export interface SessionServiceDeps {
  db: Kysely<Database>;
  keyring: Keyring;
  clock?: () => Date;
  /** Brute-force defence (src/server/identity/login-security/guard.ts); optional so tests and tools can go without. */
  guard?: LoginGuard;
  /** Device identifier, risk score and new-device email (src/server/identity/login-security/service.ts). */
  security?: LoginSecurity;
  /** Second factors and step-up (src/server/identity/mfa/). */
  challenges?: SignInChallenges;
  /** Accounts in their deletion grace period (src/server/privacy/erasure/): sign-in offers to restore them. */
  deletion?: PendingDeletion;
}

/**
 * Implemented by the erasure module. A member in the grace period who enters the right password
 * gets `403 account_deletion_pending` (with the erasure date) unless they asked to restore the
 * account (`restore: true`), which cancels the deletion once every step of the sign-in is passed
 * (after the second factor when the member has one: the password alone must not undo a deletion).
 */
export interface PendingDeletion {
  scheduledFor(memberId: string): Promise<Date | undefined>;
  restore(memberId: string): Promise<boolean>;
}

/**
 * Refuses a member who must not get a session, whatever factor they proved: `locked` →
 * `account_locked`, anything else not active → `account_inactive`. Call it only after the member
 * has proved a factor (password or passkey): saying "locked" or "not active" to anyone else
 * would reveal the account.
 */
export function assertMayHaveSession(member: { status: string }): void {
  if (member.status === 'active') return;
  if (member.status === 'locked') throw new AppError('account_locked', 403, 'account is locked');
  if (member.status === 'deletion_pending') throw new AppError('account_deletion_pending', 403, 'account is in its deletion grace period', { messageKey: 'erasure.errors.pendingNoDate' });
  throw new AppError('account_inactive', 403, `account is ${member.status}`);
}

/**
 * Sign-in with username, email or phone and a password; server-side sessions whose token lives
 * only in the cookie (the table keeps its sha256). Unknown identifiers cost the same argon2 time
 * as known ones, and every answer to a failed sign-in is the same, so neither reveals who has an
 * account. Only active accounts get a session; a member with a second factor (or a risky sign-in)
 * gets a challenge instead, and the session is created by `createSession` once it is passed.
 */
export function makeSessionService({ db, keyring, clock = () => new Date(), guard, challenges, security, deletion }: SessionServiceDeps) {
  // cookie token → verified session; Map keeps insertion order, so the first key is the oldest.
  const cache = new Map<string, { session: AuthenticatedSession; until: number }>();
  const forget = (sessionIds: Set<string>) => {
    for (const [key, entry] of cache) if (sessionIds.has(entry.session.sessionId)) cache.delete(key);
  };
  const bidx = (column: string, normalized: string) => keyring.blindIndex(normalized, `members.${column}`);

  async function findMember(identifier: string) {
    const trimmed = identifier.trim();
    const query = db.selectFrom('members').select(['id', 'password_hash', 'status']);
    if (trimmed.includes('\u0040')) return query.where('email_bidx', '=', bidx('email', NORMALIZERS.email(trimmed))).executeTakeFirst();
    const phone = /^[+\d][\d\s().-]{5,}$/.test(trimmed) ? normalizePhone(trimmed) : undefined;
    if (phone?.ok) return query.where('phone_bidx', '=', bidx('phone', phone.e164)).executeTakeFirst();
    return query.where('username_norm', '=', normalizeUsername(trimmed)).executeTakeFirst();
  }

  /** The one place a session is made: password login, a passed challenge, and passkey sign-in. */
  async function createSession(
    member: { id: string },
    context: SessionContext,
    how: { method: SignInMethod; challengeId?: string; factor?: ChallengeMethod } = { method: 'password' },
  ): Promise<Extract<LoginResult, { kind: 'session' }>> {
    const now = clock();
    const token = crypto.randomBytes(32).toString('base64url');
    const sessionId = crypto.randomUUID();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: sessionId,
          token_hash: sha256(token),
          member_id: member.id,
          device_label: deviceLabel(context.userAgent),
          ip: keyring.encrypt(context.ip, 'sessions.ip'),
          user_agent: context.userAgent ? keyring.encrypt(context.userAgent.slice(0, 500), 'sessions.user_agent') : null,
          created_at: now,
          last_seen_at: now,
          expires_at: new Date(now.getTime() + SESSION_IDLE_MS),
        })
        .execute();
      await appendAudit(
        trx,
        { type: 'member', id: member.id },
        {
          action: 'accounts.logged_in',
          subjectType: 'member',
          subjectId: member.id,
          details: { sessionId, method: how.method, ...(how.challengeId ? { challengeId: how.challengeId } : {}), ...(how.factor ? { factor: how.factor } : {}) },
        },
        { purpose: 'security', at: now },
      );
    });
    // Login security: the account's failure count is cleared; the device, the network and the
    // approximate place are recorded (and a new device is emailed about).
    await guard?.recordSuccess({ ip: context.ip, accountKey: member.id });
    await security?.recordSignIn({ memberId: member.id, sessionId, ...context });
    return { kind: 'session', token, sessionId, memberId: member.id };
  }

  /** `403 account_deletion_pending` with the erasure date, in the member's words. */
  async function deletionPending(memberId: string): Promise<AppError> {
    const erasesOn = await deletion?.scheduledFor(memberId);
    return new AppError('account_deletion_pending', 403, 'account is in its deletion grace period', {
      messageKey: erasesOn ? 'erasure.errors.pending' : 'erasure.errors.pendingNoDate',
      params: { date: erasesOn ? erasesOn.getTime() : 0 },
    });
  }

  /** Cancels the pending deletion the member asked to undo, or says it is still pending (e.g. erasure already began). */
  async function restoreDeletionOf(memberId: string): Promise<void> {
    if (!deletion || !(await deletion.restore(memberId))) throw await deletionPending(memberId);
  }

  return {
    /**
     * After a passed sign-in challenge that carried the member's wish to restore their account
     * (see `login`): cancels the deletion before `createSession`.
     */
    restoreDeletion: restoreDeletionOf,

    async login(identifier: string, password: string, context: SessionContext, options: { restore?: boolean } = {}): Promise<LoginResult> {
      // Step 1 — who is signing in (no answer yet: unknown and known identifiers look the same).
      const member = await findMember(identifier);

      // ── LOGIN-SECURITY SEAM: brute-force guard ─────────────────────────────────────────────
      // Before any password is checked: wait the progressive delay or refuse (429 login_locked).
      // Every wrong password and unknown identifier is counted (`recordFailure`); `createSession`
      // records the success. Owned by login-security (src/server/identity/login-security/).
      const attempt = guard && security ? await security.attemptFor(member?.id, identifier, context) : undefined;
      if (guard && attempt) await passLoginGuard(guard, attempt);
      // ────────────────────────────────────────────────────────────────────────────────────────

      // Step 2 — the password (unknown identifiers pay the same argon2 cost).
      if (!member) {
        await verifyAgainstDummy(password);
        if (attempt) await guard?.recordFailure(attempt);
        throw new AppError('login_failed', 401, 'unknown identifier');
      }
      if (!(await verifyPassword(member.password_hash, password))) {
        await db.transaction().execute((trx) =>
          appendAudit(trx, { type: 'anonymous' }, { action: 'accounts.login_failed', subjectType: 'member', subjectId: member.id, details: { reason: 'password' } }, { purpose: 'security' }),
        );
        if (attempt) await guard?.recordFailure(attempt);
        throw new AppError('login_failed', 401, 'wrong password');
      }

      // Step 3 — the account may have a session at all (only after the right password). An account
      // in its deletion grace period is restored if the member asked for it (erasure module) — but
      // only after the second step below, when there is one.
      let restoreDeletion = false;
      if (member.status === 'deletion_pending' && deletion && options.restore) restoreDeletion = true;
      else if (member.status === 'deletion_pending' && deletion) throw await deletionPending(member.id);
      else assertMayHaveSession(member);

      // ── LOGIN-SECURITY SEAM: risk assessment ───────────────────────────────────────────────
      // Password and status are good. A risk assessment (new device, unusual place, …) may set
      // `stepUp = true`, which makes this sign-in pass an email/SMS code (or the member's second
      // factor) before it gets a session. Owned by the login-security engineer; default false.
      const risk = await security?.assess(member.id, context);
      const stepUp = risk?.stepUp ?? false;
      // ────────────────────────────────────────────────────────────────────────────────────────

      // Step 4 — a second step when the member has a second factor or the sign-in looks risky.
      const challenge = await challenges?.openIfNeeded(member.id, { stepUp, restoreDeletion }, context);
      if (challenge) return challenge;
      if (restoreDeletion) {
        await restoreDeletionOf(member.id);
        member.status = 'active';
      }

      // Step 5 — the session.
      return createSession(member, context, { method: 'password' });
    },

    /** Makes a session for a member who proved who they are (password, passed challenge, passkey). */
    createSession,

    /** The session behind a cookie token, if it is live and its member still active. */
    async authenticate(token: string | undefined): Promise<AuthenticatedSession | undefined> {
      if (!token || token.length > 100) return undefined;
      const now = clock();
      // Keyed by the token itself: a cache hit costs no sha256 (the token is in this process's
      // memory for the request anyway); the database only ever sees the hash.
      const cached = cache.get(token);
      if (cached && cached.until > now.getTime()) return cached.session;
      cache.delete(token);
      const hash = sha256(token);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('members', 'members.id', 'sessions.member_id')
        .select([
          'sessions.id',
          'sessions.member_id',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'sessions.revoked_at',
          'members.status',
          'members.username',
          'members.language',
          'members.nik_last4',
        ])
        .where('sessions.token_hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.revoked_at || row.expires_at <= now || row.status !== 'active') return undefined;
      if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: now, expires_at: new Date(now.getTime() + SESSION_IDLE_MS) })
          .where('id', '=', row.id)
          .execute();
      }
      const session: AuthenticatedSession = {
        sessionId: row.id,
        memberId: row.member_id,
        username: row.username,
        language: row.language,
        status: row.status,
        nikLast4: row.nik_last4,
      };
      if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(token, { session, until: now.getTime() + Math.min(SESSION_CACHE_MS, row.expires_at.getTime() - now.getTime()) });
      return session;
    },

    /**
     * Which of these sessions are still valid (not revoked, not expired, member active), asked in
     * one query per thousand, and the valid ones touched as `authenticate` touches them (sliding
     * expiry). For long-lived connections checked together on a timer (live sockets): one query
     * per tick instead of one per socket, which at a thousand sockets stalled every other query
     * behind the burst (bench/results/chat.md).
     */
    async stillValid(sessionIds: readonly string[]): Promise<Set<string>> {
      const now = clock();
      const valid = new Set<string>();
      for (let i = 0; i < sessionIds.length; i += 1000) {
        const ids = [...new Set(sessionIds.slice(i, i + 1000))];
        const rows = await db
          .selectFrom('sessions')
          .innerJoin('members', 'members.id', 'sessions.member_id')
          .select(['sessions.id', 'sessions.last_seen_at'])
          .where('sessions.id', 'in', ids)
          .where('sessions.revoked_at', 'is', null)
          .where('sessions.expires_at', '>', now)
          .where('members.status', '=', 'active')
          .execute();
        for (const row of rows) valid.add(row.id);
        const stale = rows.filter((row) => now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS).map((row) => row.id);
        if (stale.length > 0) {
          await db
            .updateTable('sessions')
            .set({ last_seen_at: now, expires_at: new Date(now.getTime() + SESSION_IDLE_MS) })
            .where('id', 'in', stale)
            .execute();
        }
      }
      return valid;
    },

    /**
     * The member's live sessions for the sessions page: browser and system names (the page words
     * them in the member's language), the approximate place from the IP at sign-in, and the browser
     * location only if the member shared it.
     */
    async list(memberId: string) {
      const rows = await db
        .selectFrom('sessions')
        .select(['id', 'device_label', 'user_agent', 'place', 'location', 'location_at', 'created_at', 'last_seen_at'])
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', clock())
        .orderBy('last_seen_at', 'desc')
        .execute();
      return rows.map((row) => {
        const parsed = row.user_agent ? Bowser.parse(keyring.decrypt(row.user_agent, 'sessions.user_agent')) : undefined;
        return {
          id: row.id,
          device_label: row.device_label,
          browser: parsed?.browser.name || null,
          os: parsed?.os.name || null,
          place: row.place ? (JSON.parse(keyring.decrypt(row.place, 'sessions.place')) as { city: string; country: string }) : null,
          location: row.location ? (JSON.parse(keyring.decrypt(row.location, 'sessions.location')) as SharedLocation) : null,
          location_at: row.location_at,
          created_at: row.created_at,
          last_seen_at: row.last_seen_at,
        };
      });
    },

    /**
     * P1.6: the browser's location, sent by the page only after the member pressed "share" and the
     * browser's permission prompt allowed it. Rounded to 0.01° (about 1 km) before it is stored.
     */
    async shareLocation(memberId: string, sessionId: string, location: SharedLocation): Promise<SharedLocation> {
      const rounded: SharedLocation = {
        latitude: Math.round(location.latitude * 100) / 100,
        longitude: Math.round(location.longitude * 100) / 100,
        accuracy: Math.max(1000, Math.round(location.accuracy)),
      };
      const now = clock();
      await db.transaction().execute(async (trx) => {
        // The member restricted processing of their location (privacy/rights): nothing is stored.
        if (await isRestricted(trx, memberId, 'location')) throw new AppError('processing_restricted', 409, 'location processing restricted by the member');
        await trx
          .updateTable('sessions')
          .set({ location: keyring.encrypt(JSON.stringify(rounded), 'sessions.location'), location_at: now })
          .where('id', '=', sessionId)
          .where('member_id', '=', memberId)
          .execute();
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'sessions.location_shared', subjectType: 'member', subjectId: memberId, details: { sessionId } }, { purpose: 'security', at: now });
      });
      return rounded;
    },

    async forgetLocation(memberId: string, sessionId: string): Promise<void> {
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('sessions').set({ location: null, location_at: null }).where('id', '=', sessionId).where('member_id', '=', memberId).execute();
        await appendAudit(trx, { type: 'member', id: memberId }, { action: 'sessions.location_removed', subjectType: 'member', subjectId: memberId, details: { sessionId } }, { purpose: 'security', at: now });
      });
    },

    /** When a session was signed in (for actions that need a recent sign-in). */
    async startedAt(sessionId: string): Promise<Date | undefined> {
      const row = await db.selectFrom('sessions').select('created_at').where('id', '=', sessionId).executeTakeFirst();
      return row?.created_at;
    },

    /** Ends one of the member's own sessions (another member's id simply matches nothing). */
    async revoke(memberId: string, sessionId: string): Promise<boolean> {
      forget(new Set([sessionId]));
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: clock() })
        .where('id', '=', sessionId)
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async revokeOthers(memberId: string, keepSessionId: string): Promise<number> {
      const ended = await db
        .updateTable('sessions')
        .set({ revoked_at: clock() })
        .where('member_id', '=', memberId)
        .where('id', '!=', keepSessionId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      forget(new Set(ended.map((row) => row.id)));
      return ended.length;
    },

    /** Ends every session of the member (password reset, "my account is compromised"). */
    async revokeAll(memberId: string): Promise<number> {
      const ended = await db
        .updateTable('sessions')
        .set({ revoked_at: clock() })
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      forget(new Set(ended.map((row) => row.id)));
      return ended.length;
    },

    /** Drops the member's sessions from the in-memory cache (after another module revoked them in its own transaction). */
    forgetMember(memberId: string): void {
      for (const [key, entry] of cache) if (entry.session.memberId === memberId) cache.delete(key);
    },
  };
}
export type SessionService = ReturnType<typeof makeSessionService>;
