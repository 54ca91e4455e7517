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
import { verifyAgainstDummy, verifyPassword } from '../password/hash.js';

/** A session lives 30 days from its last use; `last_seen_at` is refreshed at most every 5 minutes. */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export interface SessionContext {
  ip: string;
  userAgent: string | undefined;
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

/**
 * Sign-in with username, email or phone and a password; server-side sessions whose token lives
 * only in the cookie (the table keeps its sha256). Unknown identifiers cost the same argon2 time
 * as known ones, and every answer to a failed sign-in is the same, so neither reveals who has an
 * account. Only active accounts get a session.
 */
export function makeSessionService({ db, keyring, clock = () => new Date() }: { db: Kysely<Database>; keyring: Keyring; clock?: () => Date }) {
  // token hash → verified session; Map keeps insertion order, so the first key is the oldest.
  const cache = new Map<string, { session: AuthenticatedSession; until: number }>();
  const forget = (sessionIds: Set<string>) => {
    for (const [hash, entry] of cache) if (sessionIds.has(entry.session.sessionId)) cache.delete(hash);
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

  return {
    async login(identifier: string, password: string, context: SessionContext): Promise<{ token: string; sessionId: string; memberId: string }> {
      const member = await findMember(identifier);
      if (!member) {
        await verifyAgainstDummy(password);
        throw new AppError('login_failed', 401, 'unknown identifier');
      }
      if (!(await verifyPassword(member.password_hash, password))) {
        await db.transaction().execute((trx) =>
          appendAudit(trx, { type: 'anonymous' }, { action: 'accounts.login_failed', subjectType: 'member', subjectId: member.id, details: { reason: 'password' } }, { purpose: 'security' }),
        );
        throw new AppError('login_failed', 401, 'wrong password');
      }
      // Only after the right password: saying "not active yet" to anyone would reveal the account.
      if (member.status !== 'active') throw new AppError('account_inactive', 403, `account is ${member.status}`);
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
          { action: 'accounts.logged_in', subjectType: 'member', subjectId: member.id, details: { sessionId } },
          { purpose: 'security', at: now },
        );
      });
      return { token, sessionId, memberId: member.id };
    },

    /** The session behind a cookie token, if it is live and its member still active. */
    async authenticate(token: string | undefined): Promise<AuthenticatedSession | undefined> {
      if (!token || token.length > 100) return undefined;
      const hash = sha256(token);
      const now = clock();
      const cached = cache.get(hash);
      if (cached && cached.until > now.getTime()) return cached.session;
      cache.delete(hash);
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
      cache.set(hash, { session, until: now.getTime() + Math.min(SESSION_CACHE_MS, row.expires_at.getTime() - now.getTime()) });
      return session;
    },

    async list(memberId: string) {
      const rows = await db
        .selectFrom('sessions')
        .select(['id', 'device_label', 'created_at', 'last_seen_at'])
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', clock())
        .orderBy('last_seen_at', 'desc')
        .execute();
      return rows;
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
  };
}
export type SessionService = ReturnType<typeof makeSessionService>;
