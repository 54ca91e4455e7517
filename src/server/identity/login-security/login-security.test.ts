import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { isRoutable, makeGeoLocator, distanceKm } from './geo.js';
import { jakartaTime } from './emails.js';
import { DEVICE_COOKIE, networkPrefix } from './service.js';
import { deviceCookieOf, IPHONE_SAFARI, PASSWORD, sessionCookieOf, signIn, signUpMember } from './test-members.js';

// Addresses geoip-lite places far apart (its data ships in the package).
const JAKARTA = '103.10.66.1';
// One Jakarta address per test: the sign-in route allows 10 attempts a minute per IP.
const JAKARTA_1 = '103.10.66.11';
const JAKARTA_2 = '103.10.66.21';
const JAKARTA_3 = '103.10.66.31';
const JAKARTA_4 = '103.10.66.41';
const JAKARTA_5 = '103.10.66.51';
const JAKARTA_6 = '103.10.66.61';
const JAKARTA_7 = '103.10.66.71';
const JAKARTA_OTHER_NETWORK = '114.124.128.1';
const BOGOR = '180.244.0.1';
const SAINT_PAUL_US = '128.101.101.101';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example' } });
}, 90_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const db = () => t.database.db;
async function assessments(memberId: string) {
  const rows = await db()
    .selectFrom('audit_log')
    .select(['details'])
    .where('action', '=', 'login.risk_assessed')
    .where('subject_id', '=', memberId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.details as { score: number; level: string; reasons: string[]; stepUp: boolean; assessmentId: string });
}
async function mailTo(address: string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = smtp.messages.find((x) => x.envelopeTo.includes(address));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address}`);
}
const lastAssessment = async (memberId: string) => (await assessments(memberId)).at(-1)!;

describe('device identifier (P1.6)', () => {
  it('sets a random __Host- device cookie on sign-in, stores only its HMAC, and links the session to the device', async () => {
    const m = await signUpMember(t, 1);
    const first = await signIn(t, m.username, PASSWORD, { ip: JAKARTA_1 });
    expect(first.statusCode, first.body).toBe(201);
    const cookie = deviceCookieOf(first)!;
    expect(cookie).toMatchObject({ name: DEVICE_COOKIE, httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.maxAge).toBe(400 * 24 * 3600);

    const devices = await db().selectFrom('member_devices').selectAll().where('member_id', '=', m.id).execute();
    expect(devices).toHaveLength(1);
    expect(devices[0]!.device_label).toBe('Chrome on Android');
    expect(devices[0]!.device_hash).not.toContain(cookie.value);
    const session = await db().selectFrom('sessions').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(session.device_id).toBe(devices[0]!.id);

    // The same browser again: no new cookie, the same device row, last seen moves on.
    const again = await signIn(t, m.username, PASSWORD, { ip: JAKARTA_1, deviceToken: cookie.value });
    expect(again.statusCode).toBe(201);
    expect(deviceCookieOf(again)).toBeUndefined();
    const after = await db().selectFrom('member_devices').selectAll().where('member_id', '=', m.id).execute();
    expect(after.map((d) => d.id)).toEqual([devices[0]!.id]);
    expect(after[0]!.last_seen_at.getTime()).toBeGreaterThanOrEqual(devices[0]!.last_seen_at.getTime());

    // A made-up cookie value is not trusted: the browser gets a proper one.
    const forged = await signIn(t, m.username, PASSWORD, { ip: JAKARTA_1, deviceToken: 'not-a-device-token' });
    expect(deviceCookieOf(forged)?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // No failed sign-in sets it.
    expect(deviceCookieOf(await signIn(t, m.username, 'wrong password entirely', { ip: JAKARTA_1 }))).toBeUndefined();
  });
});

describe('risk score on every sign-in (P1.9)', () => {
  it('scores a first sign-in, a known device and network, a new device, a new network', async () => {
    const m = await signUpMember(t, 2);
    const first = await signIn(t, m.username, PASSWORD, { ip: JAKARTA_2 });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 0, level: 'low', reasons: ['first_sign_in'], stepUp: false });
    const device = deviceCookieOf(first)!.value;

    await signIn(t, m.username, PASSWORD, { ip: JAKARTA_2, deviceToken: device });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 0, level: 'low', reasons: [] });

    // Same /24, another browser: a new device only.
    await signIn(t, m.username, PASSWORD, { ip: '103.10.66.200', userAgent: IPHONE_SAFARI });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 30, level: 'medium', reasons: ['new_device'] });

    // Known device from another network in the same city: a new network only.
    await signIn(t, m.username, PASSWORD, { ip: JAKARTA_OTHER_NETWORK, deviceToken: device });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 25, level: 'low', reasons: ['new_network'] });
    // …which is known from then on, for 90 days.
    await signIn(t, m.username, PASSWORD, { ip: '114.124.128.77', deviceToken: device });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 0, reasons: [] });
    await db().updateTable('member_networks').set({ last_seen_at: new Date(Date.now() - 91 * 24 * 3600 * 1000) }).where('member_id', '=', m.id).execute();
    await db().updateTable('sessions').set({ created_at: new Date(Date.now() - 91 * 24 * 3600 * 1000) }).where('member_id', '=', m.id).execute();
    await signIn(t, m.username, PASSWORD, { ip: '114.124.128.77', deviceToken: device });
    expect(await lastAssessment(m.id)).toMatchObject({ reasons: ['new_network'] });
  });

  it('flags impossible travel between far-apart cities, but not a nearby city or a long enough gap', async () => {
    const m = await signUpMember(t, 3);
    const device = deviceCookieOf(await signIn(t, m.username, PASSWORD, { ip: JAKARTA_3 }))!.value;

    // Bogor is ~50 km from Jakarta: within geoip's accuracy, not travel.
    await signIn(t, m.username, PASSWORD, { ip: BOGOR, deviceToken: device });
    expect((await lastAssessment(m.id)).reasons).toEqual(['new_network']);

    // Minutes later from Minnesota (~15,000 km): impossible. With a new browser too: high → step-up.
    const far = await signIn(t, m.username, PASSWORD, { ip: SAINT_PAUL_US, userAgent: IPHONE_SAFARI });
    const risky = await lastAssessment(m.id);
    expect(risky).toMatchObject({ score: 100, level: 'high', stepUp: true });
    expect(risky.reasons).toEqual(['new_device', 'new_network', 'impossible_travel']);
    // Step-up: the sign-in must pass a challenge first when the MFA module provides one.
    if (far.statusCode === 202) expect(far.json().challenge.reason).toBe('step_up');

    // The same trip after 30 hours (~500 km/h): possible.
    await db().updateTable('sessions').set({ created_at: new Date(Date.now() - 30 * 3600 * 1000) }).where('member_id', '=', m.id).execute();
    await signIn(t, m.username, PASSWORD, { ip: SAINT_PAUL_US, deviceToken: device });
    expect((await lastAssessment(m.id)).reasons).not.toContain('impossible_travel');
  });

  it('counts recent failures and a recent lock, and records every assessment and its session in the audit log', async () => {
    const m = await signUpMember(t, 4);
    const device = deviceCookieOf(await signIn(t, m.username, PASSWORD, { ip: JAKARTA_4 }))!.value;
    for (let i = 0; i < 3; i++) await signIn(t, m.username, `wrong password ${i}`, { ip: `198.51.100.${i + 1}` });
    await signIn(t, m.username, PASSWORD, { ip: JAKARTA_4, deviceToken: device });
    expect(await lastAssessment(m.id)).toMatchObject({ score: 15, reasons: ['recent_failures'] });

    await t.services.loginGuard.clearAccount(m.id);
    for (let i = 0; i < 10; i++) await signIn(t, m.username, `wrong password ${i}`, { ip: `198.51.100.${i + 10}` });
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(true);
    // The known device still gets in; the lock and the failures raise the score.
    const known = await signIn(t, m.username, PASSWORD, { ip: JAKARTA_4, deviceToken: device });
    expect(known.statusCode, known.body).toBe(201);
    expect(await lastAssessment(m.id)).toMatchObject({ score: 35, level: 'medium', reasons: ['recent_failures', 'recent_lock'] });

    const recorded = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'login.device_recorded')
      .where('subject_id', '=', m.id)
      .orderBy('seq')
      .execute();
    const sessions = await db().selectFrom('sessions').select(['id', 'device_id']).where('member_id', '=', m.id).orderBy('created_at').execute();
    expect(recorded.map((r) => (r.details as { sessionId: string }).sessionId)).toEqual(sessions.map((s) => s.id));
    const all = await assessments(m.id);
    expect(recorded.every((r) => all.some((a) => a.assessmentId === (r.details as { assessmentId?: string }).assessmentId))).toBe(true);
    const log = JSON.stringify(await db().selectFrom('audit_log').select(['subject_id', 'details']).execute());
    expect(log).not.toContain(JAKARTA_4);
    expect(log).not.toContain(device);
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });

  it('keeps the approximate place on the session, encrypted', async () => {
    const m = await signUpMember(t, 5);
    await signIn(t, m.username, PASSWORD, { ip: JAKARTA_5 });
    const row = await db().selectFrom('sessions').select(['place']).where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.place).toMatch(/^enc:v1:/);
    expect(t.services.loginSecurity.placeOfSession(row.place)).toEqual({ city: 'Jakarta', country: 'ID' });
    // Documentation and private addresses never load the geo database and have no place.
    const m2 = await signUpMember(t, 6);
    await signIn(t, m2.username, PASSWORD, { ip: '203.0.113.7' });
    expect((await db().selectFrom('sessions').select(['place']).where('member_id', '=', m2.id).executeTakeFirstOrThrow()).place).toBeNull();
  });
});

describe('step-up (with the MFA module)', () => {
  it('makes a high-risk sign-in pass an emailed code, and links the session it ends in to the assessment', async () => {
    const m = await signUpMember(t, 9, { language: 'en' });
    expect((await signIn(t, m.username, PASSWORD, { ip: JAKARTA_7 })).statusCode).toBe(201);

    // Another browser, minutes later, from Minnesota: high risk → a step-up challenge, no session.
    const jar: Record<string, string> = {};
    const post = async (url: string, payload: object) => {
      const csrf = await csrfHeaders(t.app);
      const [name, value] = csrf.cookie!.split(';')[0]!.split('=');
      jar[name!] = value!;
      const cookie = Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'x-csrf-token': csrf['x-csrf-token']!, cookie, 'x-forwarded-for': SAINT_PAUL_US, 'user-agent': IPHONE_SAFARI },
        payload,
      });
      for (const c of response.cookies) jar[c.name] = c.value;
      return response;
    };
    const before = smtp.messages.length;
    const login = await post('/api/sessions', { identifier: m.username, password: PASSWORD });
    expect(login.statusCode, login.body).toBe(202);
    const { challenge } = login.json() as { challenge: { id: string; reason: string; methods: string[] } };
    expect(challenge.reason).toBe('step_up');
    expect(challenge.methods).toContain('email_code');
    expect(jar[DEVICE_COOKIE]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const risky = await lastAssessment(m.id);
    expect(risky).toMatchObject({ level: 'high', stepUp: true });
    expect(await db().selectFrom('sessions').select('id').where('member_id', '=', m.id).execute()).toHaveLength(1);

    expect((await post('/api/sessions/challenge/send', { challengeId: challenge.id, method: 'email_code' })).statusCode).toBe(202);
    const deadline = Date.now() + 20_000;
    let code: string | undefined;
    while (!code && Date.now() < deadline) {
      const mail = smtp.messages.slice(before).find((x) => x.envelopeTo.includes(m.email) && /\b\d{6}\b/.test(x.parsed.text ?? ''));
      code = mail ? /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1] : undefined;
      if (!code) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const passed = await post('/api/sessions/challenge', { challengeId: challenge.id, method: 'email_code', code: code! });
    expect(passed.statusCode, passed.body).toBe(201);

    const recorded = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'login.device_recorded')
      .where('subject_id', '=', m.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(recorded.details).toMatchObject({ sessionId: (passed.json() as { sessionId: string }).sessionId, assessmentId: risky.assessmentId });
  }, 120_000);
});

describe('new-device email', () => {
  it('emails the member in their language when a device they never used signs in, but not for the first sign-in', async () => {
    const m = await signUpMember(t, 7, { language: 'id' });
    await signIn(t, m.username, PASSWORD, { ip: JAKARTA_6 });
    const second = await signIn(t, m.username, PASSWORD, { ip: '103.10.66.9', userAgent: IPHONE_SAFARI });
    expect(second.statusCode).toBe(201);
    const mail = await mailTo(m.email);
    const text = mail!.parsed.text ?? '';
    expect(mail!.parsed.subject).toBe('Ada yang masuk ke akun Kenalan Anda dari perangkat baru');
    expect(text).toContain('Perangkat: Safari on iOS');
    expect(text).toContain('Perkiraan tempat: Jakarta, Indonesia');
    const session = await db().selectFrom('sessions').select(['created_at']).where('id', '=', second.json().sessionId).executeTakeFirstOrThrow();
    expect(text).toContain(`Waktu: ${jakartaTime(session.created_at, 'id')}`);
    expect(text).toMatch(/WIB/);
    expect(text).toContain('https://kenalan.example/account/sessions');
    expect(text).toContain('https://kenalan.example/forgot-password');
    expect(mail!.raw).not.toContain(JAKARTA_6);
    // Only one email: the first sign-in after sign-up sent none.
    expect(smtp.messages.filter((x) => x.envelopeTo.includes(m.email))).toHaveLength(1);

    const en = await signUpMember(t, 8, { language: 'en' });
    await signIn(t, en.username, PASSWORD, { ip: JAKARTA_6 });
    await signIn(t, en.username, PASSWORD, { ip: SAINT_PAUL_US, userAgent: IPHONE_SAFARI }).then(async (r) => {
      if (r.statusCode === 202) return; // a step-up challenge: no session yet, so no email yet
      const english = await mailTo(en.email);
      expect(english.parsed.subject).toBe('New sign-in to your Kenalan account');
      expect(english.parsed.text).toContain('Approximate place: Saint Paul, United States');
      expect(english.parsed.text).toMatch(/Time: .* WIB/);
    });
  });
});

describe('pieces', () => {
  it('knows which addresses can be placed, network prefixes and distances', () => {
    expect(isRoutable('203.0.113.5')).toBe(false);
    expect(isRoutable('10.1.2.3')).toBe(false);
    expect(isRoutable('::1')).toBe(false);
    expect(isRoutable('::ffff:103.10.66.1')).toBe(true);
    expect(networkPrefix('103.10.66.1')).toBe('103.10.66.0/24');
    expect(networkPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(Math.round(distanceKm({ lat: -6.1741, lon: 106.8296 }, { lat: 45.0782, lon: -93.1894 }))).toBeGreaterThan(15_000);
  });

  it('does not load geoip at all when GEOIP_LOOKUP is off', async () => {
    const off = makeGeoLocator({ enabled: false });
    expect(await off.locate(JAKARTA)).toBeNull();
    expect(off.loaded).toBe(false);
  });
});
