import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { SESSION_COOKIE } from './routes.js';
import { deviceLabel } from './service.js';

let t: TestApp;
let photo: Buffer;
let ip = 0;
const nextIp = () => `203.0.113.${(ip++ % 250) + 1}`;
const AT = '\u0040';
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';

beforeAll(async () => {
  t = await createTestApp({ workers: false });
  photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
}, 60_000);
afterAll(() => t.close());

/** Signs a member up through the API; `active` skips the verification steps (tested in accounts.test.ts). */
async function member(n: number, active = true) {
  const data = new FormData();
  const fields = {
    username: `sari_${n}`,
    nickname: 'Sari',
    gender: 'female',
    email: `sari.${n}${AT}contoh.id`,
    phone: `0813${String(20_000_000 + n)}`,
    nik: `317405520390${String(2000 + n)}`, // woman born 1990-03-12 (day + 40)
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: 'id',
    acceptPolicy: 'true',
  };
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(response.statusCode, response.body).toBe(201);
  const { id } = response.json() as { id: string };
  if (active) await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  return { id, ...fields };
}

async function login(identifier: string, password: string, userAgent = ANDROID_CHROME, language = 'en') {
  return t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), 'user-agent': userAgent, 'accept-language': language },
    payload: { identifier, password },
  });
}

const sessionCookie = (response: Awaited<ReturnType<typeof login>>) => response.cookies.find((c) => c.name === SESSION_COOKIE)!;
const asMember = (cookie: { value: string }) => ({ cookie: `${SESSION_COOKIE}=${cookie.value}` });

async function withSession(method: 'GET' | 'DELETE', url: string, cookie: { value: string }) {
  const csrf = method === 'GET' ? {} : await csrfHeaders(t.app);
  const headers = { ...csrf, cookie: [csrf.cookie, asMember(cookie).cookie].filter(Boolean).join('; ') };
  return t.app.inject({ method, url, headers });
}

describe('sign-in and sessions', () => {
  it('signs in by username, email or phone, with a locked-down session cookie', async () => {
    const m = await member(1);
    for (const identifier of [m.username.toUpperCase(), m.email.toUpperCase(), m.phone, '+62 813-2000-0001']) {
      const response = await login(identifier, PASSWORD);
      expect(response.statusCode, identifier).toBe(201);
      expect(sessionCookie(response)).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    }
    const me = await withSession('GET', '/api/me', sessionCookie(await login(m.username, PASSWORD)));
    expect(me.json()).toEqual({ id: m.id, username: m.username, status: 'active', language: 'id', nikLast4: m.nik.slice(-4) });
  });

  it('gives the same answer for a wrong password and an unknown account, and audits the failure', async () => {
    const m = await member(2);
    const wrong = await login(m.username, 'not the password at all');
    const unknown = await login('nobody_here', 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toMatchObject({ code: 'login_failed', detail: expect.stringContaining('do not match') });
    expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', m.id).execute();
    expect(audit.map((a) => a.action)).toContain('accounts.login_failed');
  });

  it('says an account is not active only to someone who knows its password', async () => {
    const m = await member(3, false);
    expect((await login(m.username, 'wrong password here')).json().code).toBe('login_failed');
    const right = await login(m.username, PASSWORD, ANDROID_CHROME, 'id');
    expect(right.statusCode).toBe(403);
    expect(right.json()).toMatchObject({ code: 'account_inactive', detail: expect.stringContaining('belum aktif') });
  });

  it('lists my sessions by device, signs out one, everywhere else, and this one', async () => {
    const m = await member(4);
    const phone = sessionCookie(await login(m.username, PASSWORD, ANDROID_CHROME));
    const iphone = sessionCookie(await login(m.username, PASSWORD, IPHONE_SAFARI));
    const laptop = sessionCookie(await login(m.username, PASSWORD, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'));

    const list = (await withSession('GET', '/api/sessions', phone)).json().sessions as { id: string; device: string; current: boolean }[];
    expect(list.map((s) => s.device).sort()).toEqual(['Chrome on Android', 'Firefox on Linux', 'Safari on iOS']);
    expect(list.filter((s) => s.current).map((s) => s.device)).toEqual(['Chrome on Android']);

    const iphoneId = list.find((s) => s.device === 'Safari on iOS')!.id;
    // Use both other sessions first, so they sit in the in-process session cache when they are ended.
    expect((await withSession('GET', '/api/me', iphone)).statusCode).toBe(200);
    expect((await withSession('GET', '/api/me', laptop)).statusCode).toBe(200);
    expect((await withSession('DELETE', `/api/sessions/${iphoneId}`, phone)).statusCode).toBe(204);
    expect((await withSession('GET', '/api/me', iphone)).statusCode).toBe(401);

    expect((await withSession('DELETE', '/api/sessions/others', phone)).json()).toEqual({ ended: 1 });
    expect((await withSession('GET', '/api/me', laptop)).statusCode).toBe(401);
    expect((await withSession('GET', '/api/me', phone)).statusCode).toBe(200);

    const out = await withSession('DELETE', '/api/sessions/current', phone);
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect((await withSession('GET', '/api/me', phone)).statusCode).toBe(401);
  });

  it('checks many sessions at once for open sockets: ended, expired and suspended ones drop out, the rest slide on', async () => {
    const db = t.database.db;
    const a = await member(40);
    const b = await member(41);
    for (const n of [1, 2, 3]) expect((await login(a.username, PASSWORD)).statusCode, `a ${n}`).toBe(201);
    expect((await login(b.username, PASSWORD)).statusCode).toBe(201);
    const ids = async (memberId: string) => (await db.selectFrom('sessions').select('id').where('member_id', '=', memberId).orderBy('created_at').execute()).map((r) => r.id);
    const [kept, revoked, expired] = await ids(a.id);
    const [suspended] = await ids(b.id);
    const old = new Date(Date.now() - 60 * 60 * 1000);
    await db.updateTable('sessions').set({ last_seen_at: old }).where('id', '=', kept!).execute();
    await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', revoked!).execute();
    await db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expired!).execute();
    await db.updateTable('members').set({ status: 'suspended' }).where('id', '=', b.id).execute();

    const valid = await t.services.sessions.stillValid([kept!, revoked!, expired!, suspended!, crypto.randomUUID()]);
    expect([...valid]).toEqual([kept]);
    // A live socket keeps its session from idling out, as requests do.
    const touched = await db.selectFrom('sessions').select('last_seen_at').where('id', '=', kept!).executeTakeFirstOrThrow();
    expect(touched.last_seen_at.getTime()).toBeGreaterThan(old.getTime());
    expect(await t.services.sessions.stillValid([])).toEqual(new Set());
  });

  it("cannot end another member's session, and refuses requests without a live session", async () => {
    const a = await member(5);
    const b = await member(6);
    const aCookie = sessionCookie(await login(a.username, PASSWORD));
    await login(b.username, PASSWORD);
    const bSession = await t.database.db.selectFrom('sessions').select('id').where('member_id', '=', b.id).executeTakeFirstOrThrow();
    expect((await withSession('DELETE', `/api/sessions/${bSession.id}`, aCookie)).statusCode).toBe(404);
    const anonymous = await t.app.inject({ url: '/api/me', headers: { 'accept-language': 'id' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated', detail: 'Silakan masuk terlebih dahulu.' });
    expect((await withSession('GET', '/api/me', { value: 'forged-token' })).statusCode).toBe(401);
  });

  it('stores only a hash of the session token, and the IP and browser encrypted', async () => {
    const m = await member(7);
    const cookie = sessionCookie(await login(m.username, PASSWORD));
    const rows = await t.database.db.selectFrom('sessions').selectAll().where('member_id', '=', m.id).execute();
    expect(JSON.stringify(rows)).not.toContain(cookie.value);
    expect(rows[0]!.user_agent).not.toContain('Android');
    expect((await verifyAuditLog(t.database.db)).ok).toBe(true);
  });

  it('shows each session\'s browser and system, and a browser location only when the member shares it (P1.6)', async () => {
    const m = await member(8);
    const phone = sessionCookie(await login(m.username, PASSWORD, ANDROID_CHROME));
    const list = async () => (await withSession('GET', '/api/sessions', phone)).json().sessions as { current: boolean; browser: string; os: string; place: unknown; location: unknown }[];
    const mine = (await list()).find((s) => s.current)!;
    expect(mine).toMatchObject({ browser: 'Chrome', os: 'Android', location: null });
    // A sign-in from a public Indonesian address shows its approximate place (from the IP, at sign-in).
    const fromSurabaya = await t.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '36.85.0.1', 'user-agent': IPHONE_SAFARI },
      payload: { identifier: m.username, password: PASSWORD },
    });
    expect(fromSurabaya.statusCode, fromSurabaya.body).toBe(201);
    expect((await list()).find((s) => s.os === 'iOS')!.place).toEqual({ city: 'Surabaya', country: 'ID' });

    const csrf = await csrfHeaders(t.app);
    const put = (payload: unknown) =>
      t.app.inject({ method: 'PUT', url: '/api/sessions/current/location', headers: { ...csrf, cookie: `${csrf.cookie}; ${asMember(phone).cookie}` }, payload: payload as Record<string, unknown> });
    const shared = await put({ latitude: -6.208812, longitude: 106.845599, accuracy: 12 });
    expect(shared.statusCode, shared.body).toBe(200);
    // Stored to about 1 km, never finer.
    expect(shared.json()).toEqual({ latitude: -6.21, longitude: 106.85, accuracy: 1000 });
    expect((await list()).find((s) => s.current)!.location).toEqual({ latitude: -6.21, longitude: 106.85, accuracy: 1000 });
    const row = await t.database.db.selectFrom('sessions').select(['location', 'location_at']).where('member_id', '=', m.id).where('location', 'is not', null).executeTakeFirstOrThrow();
    expect(row.location).not.toContain('106');
    expect(row.location_at).not.toBeNull();

    expect((await put({ latitude: 91, longitude: 0, accuracy: 5 })).statusCode).toBe(400);
    expect((await put({ latitude: 'near', longitude: 0, accuracy: 5 })).statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'PUT', url: '/api/sessions/current/location', headers: csrf, payload: { latitude: 1, longitude: 1, accuracy: 1 } });
    expect(anonymous.statusCode).toBe(401);

    expect((await withSession('DELETE', '/api/sessions/current/location', phone)).statusCode).toBe(204);
    expect((await list()).find((s) => s.current)!.location).toBeNull();
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', m.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['sessions.location_shared', 'sessions.location_removed']));
  });

  it('labels devices without keeping the raw browser string', () => {
    expect(deviceLabel(ANDROID_CHROME)).toBe('Chrome on Android');
    expect(deviceLabel(undefined)).toBe('Unknown device');
    expect(deviceLabel('x'.repeat(5000))).toBe('Unknown browser');
  });
});
