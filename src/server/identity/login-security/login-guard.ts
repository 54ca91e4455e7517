import net from 'node:net';
import { sql, type Kysely } from 'kysely';
import type { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizePhone } from '../../../common/identity/phone.js';
import { normalizeUsername } from '../../../common/identity/username.js';
import { appendAudit } from '../../platform/audit/audit-log.js';
import type { AuditEvent } from '../../platform/audit/events.js';
import type { Keyring } from '../../platform/crypto/keyring.js';
import type { Database } from '../../platform/db/schema.js';
import { NORMALIZERS } from '../../privacy/data-map/normalizers.js';
import type { GuardDecision, LoginAttempt, LoginGuard } from './guard.js';
import { postgresLimiter, RATE_LIMIT_TABLE } from './store.js';

/**
 * The numbers of the brute-force defence (ADR 0009). Three counters, all in `login_rate_limits`
 * (shared by every server instance), keyed by HMACs — never a raw IP or identifier:
 *
 * - IP + account: after `freeFailures` failures, each attempt waits `baseDelayMs`, doubling per
 *   further failure, up to `maxDelayMs` (slows a guesser without ever locking anyone out);
 * - account: `accountFailures` failures within `accountWindowSeconds` (from any IP) lock the
 *   account for `accountLockSeconds`, doubling with each further lock within `lockHistorySeconds`,
 *   up to `accountLockMaxSeconds`. A known device is not locked out (still delayed);
 * - IP across accounts (credential stuffing): `ipFailures` failures within `ipWindowSeconds`
 *   block that IP (IPv6: its /64) for `ipBlockSeconds`. A member's known device is not blocked.
 */
export interface LoginGuardSettings {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  pairWindowSeconds: number;
  accountFailures: number;
  accountWindowSeconds: number;
  accountLockSeconds: number;
  accountLockMaxSeconds: number;
  lockHistorySeconds: number;
  ipFailures: number;
  ipWindowSeconds: number;
  ipBlockSeconds: number;
}

export const DEFAULT_LOGIN_GUARD_SETTINGS: LoginGuardSettings = {
  freeFailures: 5,
  baseDelayMs: 1000,
  maxDelayMs: 32_000,
  pairWindowSeconds: 3600,
  accountFailures: 10,
  accountWindowSeconds: 15 * 60,
  accountLockSeconds: 15 * 60,
  accountLockMaxSeconds: 24 * 3600,
  lockHistorySeconds: 24 * 3600,
  ipFailures: 50,
  ipWindowSeconds: 3600,
  ipBlockSeconds: 3600,
};

/** What the risk score reads from the guard. */
export interface FailureHistory {
  /** Failures on the account in its current window (any IP). */
  account: number;
  /** Locks of the account in the last `lockHistorySeconds`. */
  locks: number;
}

export interface KenalanLoginGuard extends LoginGuard {
  /** `accountKey` for an identifier that matched no member: a keyed hash of it, never the identifier. */
  identifierKey(identifier: string): string;
  failureHistory(accountKey: string): Promise<FailureHistory>;
  readonly settings: LoginGuardSettings;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HUGE = 1_000_000_000;

/** The same identifier typed differently (case, phone formats) counts as one. */
function normalizeIdentifier(identifier: string): string {
  const trimmed = identifier.trim();
  if (trimmed.includes('\u0040')) return `email:${NORMALIZERS.email(trimmed)}`;
  const phone = /^[+\d][\d\s().-]{5,}$/.test(trimmed) ? normalizePhone(trimmed) : undefined;
  if (phone?.ok) return `phone:${phone.e164}`;
  return `username:${normalizeUsername(trimmed)}`;
}

/**
 * IPv4 as it is; an IPv4-mapped IPv6 address as its IPv4; any other IPv6 address as its /64
 * (one subscriber usually holds a whole /64, so counting single addresses would be useless).
 */
export function ipCountingKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(ip)) return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
  return ip;
}

/** The eight 16-bit groups of an IPv6 address, lower-case, without zero compression. */
export function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

/**
 * The LoginGuard over rate-limiter-flexible's PostgreSQL store, through Kysely (both databases).
 * Decisions that matter are audited: a lock or block starting, refusals (the 1st, 10th, 100th … of
 * a lock, so a flood cannot flood the audit log), and a lock lifted by `clearAccount`.
 */
export function makeLoginGuard({
  db,
  keyring,
  settings: overrides = {},
}: {
  db: Kysely<Database>;
  keyring: Keyring;
  settings?: Partial<LoginGuardSettings>;
}): KenalanLoginGuard {
  const settings: LoginGuardSettings = { ...DEFAULT_LOGIN_GUARD_SETTINGS, ...overrides };
  const pair = postgresLimiter(db, { keyPrefix: 'lpair', points: HUGE, duration: settings.pairWindowSeconds, clearExpired: true });
  const account = postgresLimiter(db, { keyPrefix: 'lacct', points: settings.accountFailures, duration: settings.accountWindowSeconds });
  const locks = postgresLimiter(db, { keyPrefix: 'llock', points: HUGE, duration: settings.lockHistorySeconds });
  const ip = postgresLimiter(db, { keyPrefix: 'lip', points: settings.ipFailures, duration: settings.ipWindowSeconds });
  // Refusals per lock, to audit the 1st, 10th, 100th… (the window is reset by each new lock).
  const refusals = postgresLimiter(db, { keyPrefix: 'lref', points: HUGE, duration: settings.accountLockMaxSeconds });

  const hmac = (value: string) => keyring.blindIndex(value, `${RATE_LIMIT_TABLE}.key`);
  const accountHash = (accountKey: string) => hmac(`account\u0000${accountKey}`);
  const ipHash = (address: string) => hmac(`ip\u0000${ipCountingKey(address)}`);
  const pairKey = (attempt: LoginAttempt) => `${accountHash(attempt.accountKey)}.${ipHash(attempt.ip)}`;

  /** Audit subject: a member id as it is; otherwise a short reference (a prefix of the HMAC). */
  const accountSubject = (accountKey: string) =>
    UUID.test(accountKey)
      ? { subjectType: 'member' as const, subjectId: accountKey }
      : { subjectType: 'login_identifier' as const, subjectId: accountHash(accountKey).slice(0, 16) };
  const ipSubject = (address: string) => ({ subjectType: 'network' as const, subjectId: ipHash(address).slice(0, 16) });

  async function audit(event: AuditEvent): Promise<void> {
    await db.transaction().execute((trx) => appendAudit(trx, { type: 'system' }, event, { purpose: 'security' }));
  }

  const isBlocked = (res: RateLimiterRes | null, limit: number) => res !== null && res.consumedPoints > limit;
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  function delayFor(failures: number): number {
    if (failures < settings.freeFailures) return 0;
    return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (failures - settings.freeFailures));
  }

  async function refuse(scope: 'ip' | 'account', res: RateLimiterRes, attempt: LoginAttempt): Promise<GuardDecision> {
    const retryAfterSeconds = seconds(res.msBeforeNext);
    const subject = scope === 'ip' ? ipSubject(attempt.ip) : accountSubject(attempt.accountKey);
    const counted = await refusals.penalty(`${scope}.${scope === 'ip' ? ipHash(attempt.ip) : accountHash(attempt.accountKey)}`);
    const n = counted.consumedPoints;
    if (Number.isInteger(Math.log10(n))) {
      await audit({ action: 'login.refused', ...subject, details: { scope, retryAfterSeconds, refusedSoFar: n } });
    }
    return { allowed: false, retryAfterSeconds, scope };
  }

  return {
    settings,

    identifierKey(identifier: string): string {
      return `identifier:${hmac(`identifier\u0000${normalizeIdentifier(identifier)}`)}`;
    },

    async failureHistory(accountKey: string): Promise<FailureHistory> {
      const key = accountHash(accountKey);
      const [failures, lockCount] = [await account.get(key), await locks.get(key)];
      return {
        account: failures ? Math.min(failures.consumedPoints, settings.accountFailures) : 0,
        locks: lockCount?.consumedPoints ?? 0,
      };
    },

    async beforeAttempt(attempt: LoginAttempt): Promise<GuardDecision> {
      // One statement at a time: on PGlite they queue on one session anyway.
      const ipRes = await ip.get(ipHash(attempt.ip));
      if (!attempt.knownDevice && ipRes && isBlocked(ipRes, settings.ipFailures)) return refuse('ip', ipRes, attempt);
      const accountRes = await account.get(accountHash(attempt.accountKey));
      if (!attempt.knownDevice && accountRes && isBlocked(accountRes, settings.accountFailures)) return refuse('account', accountRes, attempt);
      const pairRes = await pair.get(pairKey(attempt));
      return { allowed: true, delayMs: delayFor(pairRes?.consumedPoints ?? 0) };
    },

    async recordFailure(attempt: LoginAttempt): Promise<void> {
      await pair.penalty(pairKey(attempt));

      const accountKey = accountHash(attempt.accountKey);
      const failures = await account.penalty(accountKey);
      // Exactly one failure sees the threshold (the upsert is atomic), so a lock starts once.
      if (failures.consumedPoints === settings.accountFailures) {
        const lockNumber = (await locks.penalty(accountKey)).consumedPoints;
        const lockSeconds = Math.min(settings.accountLockMaxSeconds, settings.accountLockSeconds * 2 ** (lockNumber - 1));
        await account.block(accountKey, lockSeconds);
        await refusals.delete(`account.${accountKey}`);
        await audit({
          action: 'login.locked',
          ...accountSubject(attempt.accountKey),
          details: { scope: 'account', seconds: lockSeconds, failures: failures.consumedPoints, lockNumber },
        });
      }

      const ipKey = ipHash(attempt.ip);
      const ipFailures = await ip.penalty(ipKey);
      if (ipFailures.consumedPoints === settings.ipFailures) {
        await ip.block(ipKey, settings.ipBlockSeconds);
        await refusals.delete(`ip.${ipKey}`);
        await audit({
          action: 'login.locked',
          ...ipSubject(attempt.ip),
          details: { scope: 'ip', seconds: settings.ipBlockSeconds, failures: ipFailures.consumedPoints },
        });
      }
    },

    async recordSuccess(attempt: LoginAttempt): Promise<void> {
      await pair.delete(pairKey(attempt));
      // A success from a known device during a lock does not lift it: the lock holds the attacker
      // elsewhere back. Only `clearAccount` (the member proved control another way) lifts it.
      const key = accountHash(attempt.accountKey);
      const current = await account.get(key);
      if (current && !isBlocked(current, settings.accountFailures)) await account.delete(key);
    },

    async isAccountLocked(memberId: string): Promise<boolean> {
      return isBlocked(await account.get(accountHash(memberId)), settings.accountFailures);
    },

    async clearAccount(memberId: string): Promise<void> {
      const key = accountHash(memberId);
      const wasLocked = isBlocked(await account.get(key), settings.accountFailures);
      await account.delete(key);
      await locks.delete(key);
      await refusals.delete(`account.${key}`);
      // Every IP's progressive delay on this account (the pair keys start with the account's HMAC).
      await sql`DELETE FROM login_rate_limits WHERE starts_with(key, ${`lpair:${key}.`})`.execute(db);
      if (wasLocked) await audit({ action: 'login.unlocked', subjectType: 'member', subjectId: memberId, details: {} });
    },
  };
}
