import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ANDROID_CHROME,
  deviceCookieOf,
  PASSWORD,
  signUpMember,
} from '../src/server/identity/login-security/test-members.js';
import { DEVICE_COOKIE } from '../src/server/identity/login-security/service.js';
import { createTestApp, csrfHeaders, type TestApp } from './support/app.js';
import { startTestSmtpServer } from './support/smtp.js';

/**
 * Brute force over HTTP against the real app (app.inject; TRUST_PROXY is on in tests, so
 * X-Forwarded-For poses as many clients). The progressive delay runs for real, at
 * LOGIN_DELAY_MS=5 instead of 1000. Where an attacker is "slow" (10 attempts a minute, the sign-in
 * route's own per-IP limit), the clock is moved a minute on every 10 attempts instead of waiting.
 * The numbers each run produces are printed; nothing here asserts on time.
 */

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let csrf: Record<string, string>;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example', LOGIN_DELAY_MS: '5' } });
  csrf = await csrfHeaders(t.app);
}, 90_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Tally {
  attempts: number;
  failed: number;
  locked: number;
  rateLimited: number;
  signedIn: number;
  other: string[];
  ms: number;
}
const tally = (): Tally => ({ attempts: 0, failed: 0, locked: 0, rateLimited: 0, signedIn: 0, other: [], ms: 0 });

async function attempt(identifier: string, password: string, ip: string, deviceToken?: string) {
  const cookie = [csrf.cookie, deviceToken ? `${DEVICE_COOKIE}=${deviceToken}` : ''].filter(Boolean).join('; ');
  return t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { 'x-csrf-token': csrf['x-csrf-token']!, cookie, 'x-forwarded-for': ip, 'user-agent': ANDROID_CHROME },
    payload: { identifier, password },
  });
}

async function count(into: Tally, response: Awaited<ReturnType<typeof attempt>>) {
  into.attempts++;
  const code = response.statusCode === 201 ? 'signed_in' : (response.json() as { code?: string }).code;
  if (code === 'login_failed') into.failed++;
  else if (code === 'login_locked') {
    into.locked++;
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  } else if (code === 'rate_limited') into.rateLimited++;
  else if (code === 'signed_in') into.signedIn++;
  else into.other.push(`${response.statusCode} ${code}`);
}

/** A "slow" attacker: the clock moves a minute after every 10 attempts (the route allows 10 a minute per IP). */
const aMinuteLater = () => vi.setSystemTime(new Date(Date.now() + 61_000));

async function locks(memberId: string) {
  const rows = await t.database.db
    .selectFrom('audit_log')
    .select(['details'])
    .where('action', '=', 'login.locked')
    .where('subject_id', '=', memberId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.details as { scope: string; seconds: number; lockNumber: number });
}

async function homeDevice(username: string, ip: string): Promise<string> {
  const response = await attempt(username, PASSWORD, ip);
  expect(response.statusCode, response.body).toBe(201);
  return deviceCookieOf(response)!.value;
}

function report(title: string, n: Tally) {
  console.log(
    `[brute-force] ${title}: ${n.attempts} attempts → ${n.failed} wrong-password answers, ${n.locked} refused (login_locked), ` +
      `${n.rateLimited} rate-limited, ${n.signedIn} signed in${n.other.length ? `, other: ${n.other.join(', ')}` : ''}; ${n.ms} ms`,
  );
}

describe('brute force over HTTP', () => {
  it('one IP, 300 wrong passwords on one account at 10 a minute: locks after 10, again (doubled) after the lock ends; the known device still signs in', async () => {
    const m = await signUpMember(t, 101);
    const device = await homeDevice(m.username, '192.0.2.201');
    vi.useFakeTimers({ toFake: ['Date'] });
    const n = tally();
    const started = performance.now();
    for (let i = 0; i < 300; i++) {
      if (i > 0 && i % 10 === 0) aMinuteLater();
      await count(n, await attempt(m.username, `guess number ${i}`, '198.51.100.66'));
    }
    n.ms = Math.round(performance.now() - started);
    report('one IP, one account, 300 attempts over 30 simulated minutes', n);

    // 10 failures → 15 min lock; it ends after 15 simulated minutes → 10 more → 30 min lock.
    expect(n).toMatchObject({ attempts: 300, failed: 20, locked: 280, rateLimited: 0, signedIn: 0, other: [] });
    expect(await locks(m.id)).toEqual([
      expect.objectContaining({ scope: 'account', seconds: 900, lockNumber: 1 }),
      expect.objectContaining({ scope: 'account', seconds: 1800, lockNumber: 2 }),
    ]);
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(true);
    // Even the right password is refused on the attacker's side…
    expect((await attempt(m.username, PASSWORD, '198.51.100.67')).json().code).toBe('login_locked');
    // …but the member's own browser still gets in.
    const home = await attempt(m.username, PASSWORD, '192.0.2.201', device);
    expect(home.statusCode, home.body).toBe(201);
  }, 180_000);

  it('200 IPs against one account (distributed): locks after 10 failures whatever the IP; a password reset lifts the lock', async () => {
    const m = await signUpMember(t, 102);
    const device = await homeDevice(m.username, '192.0.2.202');
    const n = tally();
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      await count(n, await attempt(m.username, `distributed guess ${i}`, `100.${70 + Math.floor(i / 250)}.${i % 250}.9`));
    }
    n.ms = Math.round(performance.now() - started);
    report('200 IPs, one account', n);
    expect(n).toMatchObject({ attempts: 200, failed: 10, locked: 190, rateLimited: 0, signedIn: 0, other: [] });
    expect(await locks(m.id)).toEqual([expect.objectContaining({ scope: 'account', lockNumber: 1 })]);

    // The known device is not locked out.
    expect((await attempt(m.username, PASSWORD, '192.0.2.202', device)).statusCode).toBe(201);

    // A new browser is, until the member resets the password (the recovery module's endpoint).
    expect((await attempt(m.username, PASSWORD, '192.0.2.203')).json().code).toBe('login_locked');
    const request = await t.app.inject({
      method: 'POST',
      url: '/api/password-resets',
      headers: { ...csrf, 'x-forwarded-for': '192.0.2.203' },
      payload: { identifier: m.email, channel: 'email' },
    });
    expect(request.statusCode, request.body).toBe(202);
    const mail = await mailTo(m.email, 'reset-password');
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail)![1]!;
    const newPassword = 'Hujan turun di Kebun Raya Bogor 31';
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/password-resets/complete',
      headers: { ...csrf, 'x-forwarded-for': '192.0.2.203' },
      payload: { token, newPassword },
    });
    expect(done.statusCode, done.body).toBe(204);
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(false);
    const fresh = await attempt(m.username, newPassword, '192.0.2.203');
    expect([201, 202], fresh.body).toContain(fresh.statusCode);
  }, 180_000);

  it('one IP against 60 accounts (credential stuffing) at 10 a minute: blocked after 50 failures; a member with a known device behind it still signs in', async () => {
    const m = await signUpMember(t, 103);
    const device = await homeDevice(m.username, '192.0.2.204');
    vi.useFakeTimers({ toFake: ['Date'] });
    const n = tally();
    const stuffer = '198.51.100.99';
    const started = performance.now();
    for (let i = 0; i < 60; i++) {
      if (i > 0 && i % 10 === 0) aMinuteLater();
      await count(n, await attempt(`stuffed_${i}`, 'Password123!', stuffer));
    }
    n.ms = Math.round(performance.now() - started);
    report('one IP, 60 accounts', n);
    expect(n).toMatchObject({ attempts: 60, failed: 50, locked: 10, rateLimited: 0, other: [] });
    const blocks = await t.database.db.selectFrom('audit_log').select(['details', 'subject_id']).where('action', '=', 'login.locked').execute();
    const ipBlocks = blocks.filter((b) => (b.details as { scope: string }).scope === 'ip');
    expect(ipBlocks).toHaveLength(1);
    expect(ipBlocks[0]!.subject_id).not.toContain(stuffer);

    aMinuteLater();
    expect((await attempt(m.username, PASSWORD, stuffer)).json().code).toBe('login_locked');
    expect((await attempt(m.username, PASSWORD, stuffer, device)).statusCode).toBe(201);
  }, 180_000);

  it('without the slow-down, one IP hits the sign-in route limit (10 a minute) before anything else', async () => {
    const m = await signUpMember(t, 104);
    const n = tally();
    const started = performance.now();
    for (let i = 0; i < 100; i++) await count(n, await attempt(m.username, `fast guess ${i}`, '198.51.100.150'));
    n.ms = Math.round(performance.now() - started);
    report('one IP, one account, 100 attempts as fast as possible', n);
    expect(n).toMatchObject({ attempts: 100, failed: 10, rateLimited: 90 });
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(true);
  }, 180_000);
});

async function mailTo(address: string, containing: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const found = smtp.messages.find((x) => x.envelopeTo.includes(address) && (x.parsed.text ?? '').includes(containing));
    if (found) return found.parsed.text ?? '';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address}`);
}
