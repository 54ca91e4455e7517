import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.js';
import { Keyring } from '../../platform/crypto/keyring.js';
import { toMasterKey } from '../../platform/crypto/master-key.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { ipCountingKey, makeLoginGuard, type LoginGuardSettings } from './login-guard.js';

let database: DatabaseHandle;
let keyring: Keyring;
beforeAll(async () => {
  database = await createTestDatabase();
  keyring = await Keyring.load(database.db, toMasterKey(crypto.randomBytes(32)));
}, 60_000);
afterAll(() => database.close());

const guard = (settings: Partial<LoginGuardSettings> = {}) => makeLoginGuard({ db: database.db, keyring, settings });
const member = () => crypto.randomUUID();
let ipCounter = 0;
const freshIp = () => `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter++ % 250) + 1}`;

async function auditRows(action: string) {
  return database.db.selectFrom('audit_log').select(['subject_type', 'subject_id', 'details', 'actor_type']).where('action', '=', action).orderBy('seq').execute();
}

describe('login guard (rate-limiter-flexible on our database through Kysely)', () => {
  it('delays attempts on one IP + account progressively after 5 failures, up to a cap', async () => {
    const g = guard({ baseDelayMs: 1000, maxDelayMs: 8000 });
    const attempt = { ip: freshIp(), accountKey: member() };
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const decision = await g.beforeAttempt(attempt);
      expect(decision.allowed).toBe(true);
      if (decision.allowed) delays.push(decision.delayMs);
      await g.recordFailure(attempt);
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000]);
    // Another IP on the same account starts clean (the delay is per IP + account).
    expect(await g.beforeAttempt({ ...attempt, ip: freshIp() })).toEqual({ allowed: true, delayMs: 0 });
    // A success clears this IP's delay.
    await g.recordSuccess(attempt);
    expect(await g.beforeAttempt(attempt)).toEqual({ allowed: true, delayMs: 0 });
  });

  it('locks the account after 10 failures from any IPs, refuses with Retry-After, and audits ids only', async () => {
    const g = guard();
    const accountKey = member();
    const ips: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ip = freshIp();
      ips.push(ip);
      expect((await g.beforeAttempt({ ip, accountKey })).allowed, `attempt ${i + 1}`).toBe(true);
      await g.recordFailure({ ip, accountKey });
    }
    expect(await g.isAccountLocked(accountKey)).toBe(true);
    const refused = await g.beforeAttempt({ ip: freshIp(), accountKey });
    expect(refused).toMatchObject({ allowed: false, scope: 'account' });
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThan(14 * 60);

    const locked = (await auditRows('login.locked')).filter((r) => r.subject_id === accountKey);
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ subject_type: 'member', actor_type: 'system', details: { scope: 'account', failures: 10, lockNumber: 1, seconds: 900 } });
    const refusedRows = (await auditRows('login.refused')).filter((r) => r.subject_id === accountKey);
    expect(refusedRows.map((r) => r.details)).toEqual([expect.objectContaining({ scope: 'account', refusedSoFar: 1 })]);
    const everything = JSON.stringify(await database.db.selectFrom('audit_log').select(['subject_id', 'details']).execute());
    for (const ip of ips) expect(everything).not.toContain(ip);
    const stored = await database.db.selectFrom('login_rate_limits').select('key').execute();
    for (const ip of ips) expect(stored.map((r) => r.key).join(' ')).not.toContain(ip);
  });

  it('lets a lock expire, and doubles the next one', async () => {
    const g = guard({ accountFailures: 3, accountLockSeconds: 1, freeFailures: 100 });
    const accountKey = member();
    const fail = async (n: number) => {
      for (let i = 0; i < n; i++) await g.recordFailure({ ip: freshIp(), accountKey });
    };
    await fail(3);
    expect(await g.isAccountLocked(accountKey)).toBe(true);
    await sleep(1300);
    expect(await g.isAccountLocked(accountKey)).toBe(false);
    expect((await g.beforeAttempt({ ip: freshIp(), accountKey })).allowed).toBe(true);
    await fail(3);
    const second = await g.beforeAttempt({ ip: freshIp(), accountKey });
    expect(second).toMatchObject({ allowed: false, scope: 'account', retryAfterSeconds: 2 });
    const locks = (await auditRows('login.locked')).filter((r) => r.subject_id === accountKey).map((r) => r.details);
    expect(locks).toEqual([expect.objectContaining({ lockNumber: 1, seconds: 1 }), expect.objectContaining({ lockNumber: 2, seconds: 2 })]);
    expect(await g.failureHistory(accountKey)).toEqual({ account: 3, locks: 2 });
  });

  it('does not lock a known device out (it is still delayed), and keeps the lock for everyone else', async () => {
    const g = guard();
    const accountKey = member();
    const attackerIp = freshIp();
    for (let i = 0; i < 12; i++) await g.recordFailure({ ip: attackerIp, accountKey });
    expect(await g.isAccountLocked(accountKey)).toBe(true);
    const home = freshIp();
    expect(await g.beforeAttempt({ ip: home, accountKey, knownDevice: true })).toEqual({ allowed: true, delayMs: 0 });
    expect((await g.beforeAttempt({ ip: home, accountKey })).allowed).toBe(false);
    // The known device mistyping still earns it the progressive delay.
    for (let i = 0; i < 6; i++) await g.recordFailure({ ip: home, accountKey, knownDevice: true });
    expect(await g.beforeAttempt({ ip: home, accountKey, knownDevice: true })).toEqual({ allowed: true, delayMs: 2000 });
    // Its success does not lift the lock held against the attacker.
    await g.recordSuccess({ ip: home, accountKey, knownDevice: true });
    expect(await g.isAccountLocked(accountKey)).toBe(true);
    expect((await g.beforeAttempt({ ip: attackerIp, accountKey })).allowed).toBe(false);
  });

  it('clearAccount (password reset) lifts the lock, the lock history and every delay on the account', async () => {
    const g = guard();
    const accountKey = member();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) await g.recordFailure({ ip, accountKey });
    expect(await g.isAccountLocked(accountKey)).toBe(true);
    await g.clearAccount(accountKey);
    expect(await g.isAccountLocked(accountKey)).toBe(false);
    expect(await g.beforeAttempt({ ip, accountKey })).toEqual({ allowed: true, delayMs: 0 });
    expect(await g.failureHistory(accountKey)).toEqual({ account: 0, locks: 0 });
    expect((await auditRows('login.unlocked')).filter((r) => r.subject_id === accountKey)).toHaveLength(1);
    // Nothing to lift: nothing audited.
    await g.clearAccount(accountKey);
    expect((await auditRows('login.unlocked')).filter((r) => r.subject_id === accountKey)).toHaveLength(1);
  });

  it('blocks an IP that fails on 50 accounts within the hour (credential stuffing), but not a known device behind it', async () => {
    const g = guard();
    const ip = freshIp();
    for (let i = 0; i < 50; i++) {
      const accountKey = g.identifierKey(`nobody_${i}_${ip}`);
      expect((await g.beforeAttempt({ ip, accountKey })).allowed, `account ${i + 1}`).toBe(true);
      await g.recordFailure({ ip, accountKey });
    }
    const refused = await g.beforeAttempt({ ip, accountKey: member() });
    expect(refused).toMatchObject({ allowed: false, scope: 'ip' });
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThan(59 * 60);
    expect(await g.beforeAttempt({ ip: freshIp(), accountKey: member() })).toEqual({ allowed: true, delayMs: 0 });
    expect(await g.beforeAttempt({ ip, accountKey: member(), knownDevice: true })).toEqual({ allowed: true, delayMs: 0 });
    const blocked = (await auditRows('login.locked')).filter((r) => r.subject_type === 'network');
    expect(blocked.at(-1)).toMatchObject({ details: { scope: 'ip', failures: 50, seconds: 3600 } });
    expect(blocked.at(-1)!.subject_id).not.toContain(ip);
  });

  it('shares its counters between instances (two guards on one database)', async () => {
    const a = guard();
    const b = guard();
    const accountKey = member();
    for (let i = 0; i < 5; i++) await a.recordFailure({ ip: freshIp(), accountKey });
    for (let i = 0; i < 5; i++) await b.recordFailure({ ip: freshIp(), accountKey });
    expect(await a.isAccountLocked(accountKey)).toBe(true);
    expect((await b.beforeAttempt({ ip: freshIp(), accountKey })).allowed).toBe(false);
    await a.clearAccount(accountKey);
    expect(await b.isAccountLocked(accountKey)).toBe(false);
  });

  it('counts an identifier however it is typed, and an IPv6 client by its /64', () => {
    const g = guard();
    expect(g.identifierKey('  Siti_Aminah ')).toBe(g.identifierKey('siti_aminah'));
    expect(g.identifierKey('0813-2000-0001')).toBe(g.identifierKey('+62 813 2000 0001'));
    expect(g.identifierKey('siti_aminah')).not.toBe(g.identifierKey('siti_aminah2'));
    expect(ipCountingKey('2001:db8:1:2:aaaa::1')).toBe(ipCountingKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(ipCountingKey('2001:db8:1:3::1')).not.toBe(ipCountingKey('2001:db8:1:2::1'));
    expect(ipCountingKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });
});
