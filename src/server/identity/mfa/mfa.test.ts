import { Secret, TOTP } from 'otpauth';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { SoftAuthenticator } from '../../../../test/support/soft-authenticator.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { isCiphertext } from '../../platform/crypto/keyring.js';
import { CHALLENGE_COOKIE, SESSION_COOKIE } from '../sessions/routes.js';
import { makeMfaService, webAuthnConfigFrom } from './service.js';

/**
 * Sign-in challenges and second factors through the real app: TOTP (setup, confirm, window,
 * reuse, disable), recovery codes, the challenge cookie, attempt limits, expiry, step-up codes by
 * email and SMS (sent by the job), and passkeys made by a software authenticator (ES256).
 */
let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let photo: Buffer;
let ip = 0;
const nextIp = () => `198.51.100.${(ip++ % 250) + 1}`;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const ORIGIN = 'https://localhost:8443';

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: ORIGIN, LOGIN_DELAY_MS: '0' } });
  photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const db = () => t.database.db;

async function member(n: number, status: 'active' | 'locked' | 'suspended' = 'active') {
  const data = new FormData();
  const fields = {
    username: `dewi_${n}`,
    nickname: 'Dewi',
    gender: 'female',
    email: `dewi.${n}${AT}contoh.id`,
    phone: `0812${String(30_000_000 + n)}`,
    nik: `317405520390${String(3000 + n)}`,
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: 'en',
    acceptPolicy: 'true',
  };
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(response.statusCode, response.body).toBe(201);
  const { id } = response.json() as { id: string };
  const now = new Date();
  await db().updateTable('members').set({ status, email_verified_at: now, phone_verified_at: now }).where('id', '=', id).execute();
  return { id, ...fields, e164: `+62812${String(30_000_000 + n)}` };
}

type Jar = Record<string, string>;
const cookieHeader = (jar: Jar) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** One "browser": its cookies (CSRF, challenge, session) travel with every request. */
function browser() {
  const jar: Jar = {};
  async function request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    let headers: Record<string, string> = { 'x-forwarded-for': nextIp(), 'accept-language': 'en' };
    if (method !== 'GET') {
      const csrf = await csrfHeaders(t.app);
      const [name, value] = csrf.cookie!.split(';')[0]!.split('=');
      jar[name!] = value!;
      headers = { ...headers, 'x-csrf-token': csrf['x-csrf-token']! };
    }
    const response = await t.app.inject({ method, url, headers: { ...headers, cookie: cookieHeader(jar) }, ...(payload === undefined ? {} : { payload: payload as object }) });
    for (const c of response.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() <= Date.now())) delete jar[c.name];
      else jar[c.name] = c.value;
    }
    return response;
  }
  return {
    jar,
    request,
    login: (identifier: string, password = PASSWORD) => request('POST', '/api/sessions', { identifier, password }),
    answer: (challengeId: string, method: string, code: string) => request('POST', '/api/sessions/challenge', { challengeId, method, code }),
  };
}

/** The last step each secret's code was handed out for use (a step is accepted only once). */
const usedSteps = new Map<string, number>();

/**
 * A code the server will accept now: the current step, or one ahead when the current step was
 * already used. Waits out the last 8 s of a step, so a busy machine cannot deliver the code after
 * it left the server's ±1 window. `peekTotp` gives the same code without marking it used (for
 * requests that are refused before the code is checked, or to pick a surely wrong code).
 */
async function peekTotp(secret: string): Promise<{ code: string; step: number }> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 22_000) await new Promise((r) => setTimeout(r, 30_000 - intoStep + 50));
  const step = Math.max(Math.floor(Date.now() / 30_000), (usedSteps.get(secret) ?? -1) + 1);
  const code = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), digits: 6, period: 30 }).generate({ timestamp: step * 30_000 + 1000 });
  return { code, step };
}
async function totpCode(secret: string): Promise<string> {
  const { code, step } = await peekTotp(secret);
  usedSteps.set(secret, step);
  return code;
}
const peekCode = async (secret: string) => (await peekTotp(secret)).code;

/** Signs in, turns TOTP on; returns the browser, the secret and the recovery codes. */
async function memberWithTotp(n: number) {
  const m = await member(n);
  const b = browser();
  expect((await b.login(m.username)).statusCode).toBe(201);
  const setup = await b.request('POST', '/api/mfa/totp');
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret } = setup.json() as { secret: string };
  const confirm = await b.request('POST', '/api/mfa/totp/confirm', { code: await totpCode(secret) });
  expect(confirm.statusCode, confirm.body).toBe(200);
  return { m, b, secret, recoveryCodes: (confirm.json() as { recoveryCodes: string[] }).recoveryCodes };
}

async function auditOf(memberId: string) {
  return db().selectFrom('audit_log').select(['action', 'details', 'actor_type']).where('subject_id', '=', memberId).orderBy('seq').execute();
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('restructured sign-in', () => {
  it('still gives a member without a second factor a session at once, audited as a password sign-in', async () => {
    const m = await member(1);
    const b = browser();
    const response = await b.login(m.username);
    expect(response.statusCode).toBe(201);
    expect(b.jar[SESSION_COOKIE]).toBeDefined();
    expect(b.jar[CHALLENGE_COOKIE]).toBeUndefined();
    const events = await auditOf(m.id);
    expect(events.find((e) => e.action === 'accounts.logged_in')?.details).toMatchObject({ method: 'password' });
  });

  it('refuses a locked account with account_locked, only after the right password', async () => {
    const m = await member(2, 'locked');
    expect((await browser().login(m.username, 'wrong password entirely')).json().code).toBe('login_failed');
    const right = await browser().login(m.username);
    expect(right.statusCode).toBe(403);
    expect(right.json()).toMatchObject({ code: 'account_locked', detail: expect.stringContaining('locked') });
    const suspended = await member(3, 'suspended');
    expect((await browser().login(suspended.username)).json().code).toBe('account_inactive');
  });
});

describe('authenticator app (TOTP)', () => {
  it('sets up a pending, encrypted secret with QR code and grouped key, and confirms it with a code into 10 hashed recovery codes', async () => {
    const m = await member(10);
    const b = browser();
    await b.login(m.username);
    expect((await browser().request('POST', '/api/mfa/totp')).statusCode).toBe(401);

    const setup = await b.request('POST', '/api/mfa/totp');
    expect(setup.headers['cache-control']).toBe('no-store');
    const body = setup.json() as { secret: string; uri: string; qrSvgDataUrl: string };
    expect(body.secret).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    const uri = new URL(body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Kenalan:${m.username}`);
    expect(uri.searchParams.get('secret')).toBe(body.secret.replace(/ /g, ''));
    expect(uri.searchParams.get('issuer')).toBe('Kenalan');
    expect(body.qrSvgDataUrl.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(body.qrSvgDataUrl.split(',')[1]!, 'base64').toString()).toContain('<svg');

    const row = await db().selectFrom('member_totp').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(isCiphertext(row.secret)).toBe(true);
    expect(row.secret).not.toContain(body.secret.replace(/ /g, ''));
    expect(row.confirmed_at).toBeNull();
    // Pending: signing in still needs no code.
    expect((await browser().login(m.username)).statusCode).toBe(201);

    const wrong = await b.request('POST', '/api/mfa/totp/confirm', { code: '000000' === (await peekCode(body.secret)) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([expect.objectContaining({ field: 'code', message: expect.stringContaining('not correct') })]);

    const confirm = await b.request('POST', '/api/mfa/totp/confirm', { code: await totpCode(body.secret) });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await db().selectFrom('recovery_codes').select('code_hash').where('member_id', '=', m.id).execute();
    expect(stored).toHaveLength(10);
    for (const s of stored) {
      expect(s.code_hash.startsWith('$argon2id$')).toBe(true);
      for (const c of recoveryCodes) expect(s.code_hash).not.toContain(c.replace('-', ''));
    }
    expect((await b.request('POST', '/api/mfa/totp')).json().code).toBe('totp_already_enabled');
    expect((await b.request('GET', '/api/mfa')).json()).toEqual({ totp: { enabled: true, pending: false }, recoveryCodesLeft: 10, passkeys: [] });
    const actions = (await auditOf(m.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['mfa.totp_setup_started', 'mfa.change_refused', 'mfa.totp_enabled']));
  });

  it('turns a correct password into a challenge bound to this browser, and a right code into a session', async () => {
    const { m, secret } = await memberWithTotp(11);
    const b = browser();
    const response = await b.login(m.username);
    expect(response.statusCode).toBe(202);
    const { challenge } = response.json() as { challenge: { id: string; methods: string[]; reason: string } };
    expect(challenge).toEqual({ id: expect.any(String), methods: ['totp', 'recovery_code'], reason: 'mfa' });
    expect(b.jar[SESSION_COOKIE]).toBeUndefined();
    expect(response.cookies.find((c) => c.name === CHALLENGE_COOKIE)).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/', maxAge: 300 });
    const row = await db().selectFrom('signin_challenges').selectAll().where('id', '=', challenge.id).executeTakeFirstOrThrow();
    expect(row.browser_hash).not.toBe(b.jar[CHALLENGE_COOKIE]);
    expect(row.browser_hash).toMatch(/^[0-9a-f]{64}$/);

    const wrong = await b.answer(challenge.id, 'totp', '123456' === (await peekCode(secret)) ? '654321' : '123456');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'mfa_code_invalid', detail: expect.stringContaining('4 attempts left') });

    const code = await totpCode(secret);
    const ok = await b.answer(challenge.id, 'totp', code);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toEqual({ memberId: m.id, sessionId: expect.any(String) });
    expect(ok.cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(b.jar[CHALLENGE_COOKIE]).toBeUndefined();
    expect((await b.request('GET', '/api/me')).json().id).toBe(m.id);

    // Single use: the same challenge cannot make a second session.
    b.jar[CHALLENGE_COOKIE] = 'replayed';
    expect((await b.answer(challenge.id, 'totp', code)).json().code).toBe('challenge_invalid');
    // The same code on a new challenge is refused: its step was used.
    const again = browser();
    const second = (await again.login(m.username)).json().challenge as { id: string };
    expect((await again.answer(second.id, 'totp', code)).json().code).toBe('mfa_code_invalid');

    const events = await auditOf(m.id);
    expect(events.find((e) => e.action === 'mfa.challenge_opened')?.details).toEqual({ challengeId: challenge.id, reason: 'mfa', methods: ['totp', 'recovery_code'] });
    expect(events.find((e) => e.action === 'mfa.challenge_passed')?.details).toEqual({ challengeId: challenge.id, method: 'totp' });
    expect(events.filter((e) => e.action === 'accounts.logged_in').at(-1)?.details).toMatchObject({ method: 'challenge', challengeId: challenge.id, factor: 'totp' });
    expect(JSON.stringify(events)).not.toContain(code);
    expect(await verifyAuditLog(db())).toMatchObject({ ok: true });
  });

  it('refuses an answer without the challenge cookie or from another browser, without counting it', async () => {
    const { m, secret } = await memberWithTotp(12);
    const mine = browser();
    const { challenge } = (await mine.login(m.username)).json() as { challenge: { id: string } };
    const stranger = browser();
    const other = await stranger.answer(challenge.id, 'totp', await peekCode(secret));
    expect(other.statusCode).toBe(401);
    expect(other.json().code).toBe('challenge_invalid');
    // Another browser with its own challenge cookie (its own sign-in) cannot answer mine either.
    await stranger.login(m.username);
    expect(stranger.jar[CHALLENGE_COOKIE]).toBeDefined();
    expect((await stranger.answer(challenge.id, 'totp', await peekCode(secret))).json().code).toBe('challenge_invalid');
    const row = await db().selectFrom('signin_challenges').select(['attempts', 'used_at']).where('id', '=', challenge.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ attempts: 0, used_at: null });
    const failures = (await auditOf(m.id)).filter((e) => e.action === 'mfa.challenge_failed').map((e) => (e.details as { reason: string }).reason);
    expect(failures).toEqual(['browser', 'browser']);
    expect((await mine.answer(challenge.id, 'totp', await totpCode(secret))).statusCode).toBe(201);
  });

  it('kills a challenge after 5 wrong answers, and refuses an expired one', async () => {
    const { m, secret } = await memberWithTotp(13);
    const b = browser();
    const { challenge } = (await b.login(m.username)).json() as { challenge: { id: string } };
    const right = await peekCode(secret);
    const wrongCode = right === '000001' ? '000002' : '000001';
    for (let i = 1; i <= 4; i++) expect((await b.answer(challenge.id, 'totp', wrongCode)).json().code).toBe('mfa_code_invalid');
    const fifth = await b.answer(challenge.id, 'totp', wrongCode);
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().code).toBe('challenge_too_many_attempts');
    expect((await b.answer(challenge.id, 'totp', right)).json().code).toBe('challenge_too_many_attempts');
    expect(b.jar[SESSION_COOKIE]).toBeUndefined();

    const late = browser();
    const second = (await late.login(m.username)).json().challenge as { id: string };
    await db().updateTable('signin_challenges').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', second.id).execute();
    const expired = await late.answer(second.id, 'totp', right);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('challenge_invalid');
    expect((await late.answer(second.id, 'email_code', '123456')).json().code).toBe('challenge_invalid');
  });

  it('offers only the member’s methods: an email code is refused for a member with an app', async () => {
    const { m } = await memberWithTotp(14);
    const b = browser();
    const { challenge } = (await b.login(m.username)).json() as { challenge: { id: string } };
    const response = await b.answer(challenge.id, 'email_code', '123456');
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('mfa_method_unavailable');
    expect((await b.request('POST', '/api/sessions/challenge/send', { challengeId: challenge.id, method: 'email_code' })).json().code).toBe('mfa_method_unavailable');
  });

  it('accepts each recovery code once, and new codes replace the old ones only with a current code', async () => {
    const { m, b: signedIn, secret, recoveryCodes } = await memberWithTotp(15);
    const first = browser();
    const c1 = (await first.login(m.username)).json().challenge as { id: string };
    const used = await first.answer(c1.id, 'recovery_code', recoveryCodes[3]!.toUpperCase().replace('-', ' '));
    expect(used.statusCode, used.body).toBe(201);

    const second = browser();
    const c2 = (await second.login(m.username)).json().challenge as { id: string };
    expect((await second.answer(c2.id, 'recovery_code', recoveryCodes[3]!)).json().code).toBe('mfa_code_invalid');
    expect((await signedIn.request('GET', '/api/mfa')).json().recoveryCodesLeft).toBe(9);

    expect((await signedIn.request('POST', '/api/mfa/recovery-codes', { code: '999999' })).json().errors[0].field).toBe('code');
    const fresh = await signedIn.request('POST', '/api/mfa/recovery-codes', { code: await totpCode(secret) });
    expect(fresh.statusCode, fresh.body).toBe(200);
    const newCodes = (fresh.json() as { recoveryCodes: string[] }).recoveryCodes;
    expect((await second.answer(c2.id, 'recovery_code', recoveryCodes[5]!)).json().code).toBe('mfa_code_invalid');
    expect((await second.answer(c2.id, 'recovery_code', newCodes[0]!)).statusCode).toBe(201);
    expect((await auditOf(m.id)).map((e) => e.action)).toContain('mfa.recovery_codes_regenerated');
  });

  it('turns TOTP off only with the current password and a valid code', async () => {
    const { m, b, secret } = await memberWithTotp(16);
    const wrongPassword = await b.request('POST', '/api/mfa/totp/disable', { password: 'not my password', code: await peekCode(secret) });
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json().errors).toEqual([expect.objectContaining({ field: 'password' })]);
    const wrongCode = await b.request('POST', '/api/mfa/totp/disable', { password: PASSWORD, code: '000000' === (await peekCode(secret)) ? '111111' : '000000' });
    expect(wrongCode.json().errors).toEqual([expect.objectContaining({ field: 'code' })]);
    expect((await b.request('GET', '/api/mfa')).json().totp.enabled).toBe(true);

    const off = await b.request('POST', '/api/mfa/totp/disable', { password: PASSWORD, code: await totpCode(secret) });
    expect(off.statusCode, off.body).toBe(204);
    expect((await b.request('GET', '/api/mfa')).json()).toEqual({ totp: { enabled: false, pending: false }, recoveryCodesLeft: 0, passkeys: [] });
    expect((await browser().login(m.username)).statusCode).toBe(201);
    const refusals = (await auditOf(m.id)).filter((e) => e.action === 'mfa.change_refused').map((e) => e.details);
    expect(refusals).toEqual([
      { operation: 'disable', reason: 'password' },
      { operation: 'disable', reason: 'code' },
    ]);
  });

  it('accepts a code one step early or late, not two, and never a step at or before the last one used', async () => {
    const m = await member(17);
    let now = new Date('2026-11-27T08:00:10Z');
    const mfa = makeMfaService({ db: db(), keyring: t.services.keyring, jobs: t.services.jobs, webauthn: webAuthnConfigFrom(ORIGIN), clock: () => now });
    const { secret } = await mfa.startTotp(m.id);
    const totp = new TOTP({ secret: Secret.fromBase32(secret.replace(/ /g, '')), digits: 6, period: 30 });
    const at = (offsetSteps: number) => totp.generate({ timestamp: now.getTime() + offsetSteps * 30_000 });
    await expect(mfa.confirmTotp(m.id, at(-2))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mfa.confirmTotp(m.id, at(2))).rejects.toMatchObject({ code: 'validation_failed' });
    const { recoveryCodes } = await mfa.confirmTotp(m.id, at(1)); // step s+1 used
    expect(recoveryCodes).toHaveLength(10);
    // Same step again, and the (still valid) current and previous steps: all at or before s+1.
    await expect(mfa.regenerateRecoveryCodes(m.id, at(1))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mfa.regenerateRecoveryCodes(m.id, at(0))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mfa.regenerateRecoveryCodes(m.id, at(-1))).rejects.toMatchObject({ code: 'validation_failed' });
    now = new Date(now.getTime() + 60_000); // two steps later: the used step s+1 is now one behind
    await expect(mfa.regenerateRecoveryCodes(m.id, at(-1))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mfa.regenerateRecoveryCodes(m.id, at(0))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    await expect(mfa.regenerateRecoveryCodes(m.id, at(0))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mfa.regenerateRecoveryCodes(m.id, at(1))).resolves.toBeDefined();
  });
});

describe('an account in its deletion grace period', () => {
  const status = async (id: string) => (await db().selectFrom('members').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  it('is restored only once the second factor is passed: the password alone does not undo a deletion', async () => {
    const { m, b, secret } = await memberWithTotp(24);
    const deleted = await b.request('POST', '/api/me/deletion', { password: PASSWORD });
    expect(deleted.statusCode, deleted.body).toBe(202);
    const other = browser();
    expect((await other.login(m.username)).json().code).toBe('account_deletion_pending');
    const asked = await other.request('POST', '/api/sessions', { identifier: m.username, password: PASSWORD, restore: true });
    expect(asked.statusCode, asked.body).toBe(202);
    const challenge = (asked.json() as { challenge: { id: string } }).challenge;
    expect(await status(m.id)).toBe('deletion_pending');
    const wrong = await other.answer(challenge.id, 'totp', '123456' === (await peekCode(secret)) ? '654321' : '123456');
    expect(wrong.statusCode).toBe(400);
    expect(await status(m.id)).toBe('deletion_pending');
    const passed = await other.answer(challenge.id, 'totp', await totpCode(secret));
    expect(passed.statusCode, passed.body).toBe(201);
    expect(await status(m.id)).toBe('active');
    expect((await db().selectFrom('erasures').select('state').where('member_id', '=', m.id).executeTakeFirstOrThrow()).state).toBe('cancelled');
  });

  it('is not restored by a challenge opened before the deletion (it did not carry the wish)', async () => {
    const { m, b, secret } = await memberWithTotp(25);
    const other = browser();
    const opened = await other.login(m.username);
    expect(opened.statusCode, opened.body).toBe(202);
    expect((await b.request('POST', '/api/me/deletion', { password: PASSWORD })).statusCode).toBe(202);
    const passed = await other.answer((opened.json() as { challenge: { id: string } }).challenge.id, 'totp', await totpCode(secret));
    expect(passed.statusCode).toBe(403);
    expect(passed.json().code).toBe('account_deletion_pending');
    expect(await status(m.id)).toBe('deletion_pending');
  });
});

describe('step-up codes by email and SMS', () => {
  async function stepUpChallenge(memberId: string) {
    const b = browser();
    const opened = await t.services.mfa.challenges.openIfNeeded(memberId, { stepUp: true }, { ip: '198.51.100.1', userAgent: undefined });
    expect(opened).toBeDefined();
    b.jar[CHALLENGE_COOKIE] = opened!.browserToken;
    return { b, challenge: opened! };
  }

  it('opens no challenge without a second factor or a step-up, and offers the verified channels for a step-up', async () => {
    const m = await member(20);
    expect(await t.services.mfa.challenges.openIfNeeded(m.id, { stepUp: false }, { ip: '198.51.100.1', userAgent: undefined })).toBeUndefined();
    const { challenge } = await stepUpChallenge(m.id);
    expect(challenge).toMatchObject({ reason: 'step_up', methods: ['email_code', 'sms_code'] });
    await db().updateTable('members').set({ phone_verified_at: null }).where('id', '=', m.id).execute();
    expect((await stepUpChallenge(m.id)).challenge.methods).toEqual(['email_code']);
    // A member with an app: the step-up is answered with the app, never downgraded to an email code.
    const { m: strong } = await memberWithTotp(21);
    const opened = await t.services.mfa.challenges.openIfNeeded(strong.id, { stepUp: true }, { ip: '198.51.100.1', userAgent: undefined });
    expect(opened).toMatchObject({ reason: 'mfa', methods: ['totp', 'recovery_code'] });
  });

  it('emails a 6-digit code (by a job), once a minute at most, and signs in with it', async () => {
    const m = await member(22);
    const { b, challenge } = await stepUpChallenge(m.id);
    const before = smtp.messages.length;
    const sent = await b.request('POST', '/api/sessions/challenge/send', { challengeId: challenge.challengeId, method: 'email_code' });
    expect(sent.statusCode, sent.body).toBe(202);
    const again = await b.request('POST', '/api/sessions/challenge/send', { challengeId: challenge.challengeId, method: 'email_code' });
    expect(again.statusCode).toBe(429);
    expect(again.json()).toMatchObject({ code: 'resend_too_soon', detail: expect.stringMatching(/\d+ seconds/) });
    expect((await browser().request('POST', '/api/sessions/challenge/send', { challengeId: challenge.challengeId, method: 'email_code' })).json().code).toBe('challenge_invalid');

    // By subject: the sign-up verification email to this address may arrive late, after `before`.
    const mail = await waitFor(async () =>
      smtp.messages.slice(before).find((msg) => msg.envelopeTo.includes(m.email) && msg.parsed.subject === 'Your Kenalan sign-in code'),
    );
    const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1]!;
    const row = await db().selectFrom('signin_challenges').selectAll().where('id', '=', challenge.challengeId).executeTakeFirstOrThrow();
    expect(row.code_hash).not.toContain(code);
    expect(row.code_channel).toBe('email_code');

    expect((await b.answer(challenge.challengeId, 'sms_code', code)).json().code).toBe('mfa_code_invalid');
    const ok = await b.answer(challenge.challengeId, 'email_code', code);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(b.jar[SESSION_COOKIE]).toBeDefined();
    const events = await auditOf(m.id);
    expect(events.find((e) => e.action === 'mfa.challenge_code_sent')?.details).toEqual({ challengeId: challenge.challengeId, method: 'email_code' });
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it('texts a 6-digit code to the verified phone; an old or wrong code does not work', async () => {
    const m = await member(23);
    const { b, challenge } = await stepUpChallenge(m.id);
    expect((await b.request('POST', '/api/sessions/challenge/send', { challengeId: challenge.challengeId, method: 'sms_code' })).statusCode).toBe(202);
    // Only the sign-in code's text: sign-up also queues a verification SMS to this number, and its
    // job may run before the helper marks the phone verified.
    const body = await waitFor(async () => {
      const rows = await db().selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
      return rows
        .filter((r) => t.services.keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === m.e164)
        .map((r) => t.services.keyring.decrypt(r.body, 'dev_sms_outbox.body'))
        .find((text) => text.startsWith('Kenalan sign-in code:'));
    });
    const code = /\b(\d{6})\b/.exec(body)![1]!;
    expect((await b.answer(challenge.challengeId, 'sms_code', code === '000000' ? '000001' : '000000')).json().code).toBe('mfa_code_invalid');
    // Another challenge's code does not fit this one.
    const other = await stepUpChallenge(m.id);
    expect((await other.b.answer(other.challenge.challengeId, 'sms_code', code)).json().code).toBe('mfa_code_invalid');
    expect((await b.answer(challenge.challengeId, 'sms_code', code)).statusCode).toBe(201);
  });
});

describe('passkeys', () => {
  async function registerPasskey(b: ReturnType<typeof browser>, authenticator: SoftAuthenticator, name = 'Pixel 8') {
    const options = (await b.request('POST', '/api/mfa/passkeys/options')).json();
    expect(options).toMatchObject({ rp: { id: 'localhost', name: 'Kenalan' }, authenticatorSelection: { residentKey: 'required' } });
    const response = await b.request('POST', '/api/mfa/passkeys', { response: authenticator.create(options), name });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  }

  it('registers, lists, renames and removes a passkey; a registration challenge works once and only for its origin', async () => {
    const m = await member(30);
    const b = browser();
    await b.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    const id = await registerPasskey(b, phone);
    const listed = (await b.request('GET', '/api/mfa')).json();
    expect(listed.passkeys).toEqual([{ id, name: 'Pixel 8', createdAt: expect.any(String), lastUsedAt: null, synced: false }]);
    const row = await db().selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(isCiphertext(row.name)).toBe(true);
    expect(row.credential_id).toBe(phone.credentials[0]!.id);

    // The same options cannot register twice; a response made for another origin is refused.
    const options = (await b.request('POST', '/api/mfa/passkeys/options')).json();
    expect(options.excludeCredentials).toEqual([expect.objectContaining({ id: phone.credentials[0]!.id })]);
    const evil = new SoftAuthenticator('https://kenalan.example');
    expect((await b.request('POST', '/api/mfa/passkeys', { response: evil.create(options), name: 'x' })).json().code).toBe('passkey_failed');
    expect((await b.request('POST', '/api/mfa/passkeys', { response: phone.create(options), name: 'x' })).json().code).toBe('passkey_failed');

    expect((await b.request('PATCH', `/api/mfa/passkeys/${id}`, { name: 'Ponsel kerja' })).statusCode).toBe(204);
    expect((await b.request('GET', '/api/mfa')).json().passkeys[0].name).toBe('Ponsel kerja');
    const other = browser();
    await other.login((await member(31)).username);
    expect((await other.request('DELETE', `/api/mfa/passkeys/${id}`)).statusCode).toBe(404);
    expect((await b.request('DELETE', `/api/mfa/passkeys/${id}`)).statusCode).toBe(204);
    expect((await b.request('GET', '/api/mfa')).json().passkeys).toEqual([]);
    expect((await auditOf(m.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['mfa.passkey_registered', 'mfa.passkey_renamed', 'mfa.passkey_removed']));
  });

  it('adds or removes a way to sign in only within 10 minutes of signing in', async () => {
    const m = await member(77);
    const b = browser();
    await b.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    const id = await registerPasskey(b, phone);
    // The same session, 11 minutes later (a cookie left open on a shared computer, or stolen).
    await db().updateTable('sessions').set({ created_at: new Date(Date.now() - 11 * 60 * 1000) }).where('member_id', '=', m.id).execute();
    for (const [method, url, body] of [
      ['POST', '/api/mfa/passkeys/options', undefined],
      ['POST', '/api/mfa/totp', undefined],
      ['DELETE', `/api/mfa/passkeys/${id}`, undefined],
    ] as const) {
      const refused = await b.request(method, url, body);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json(), url).toMatchObject({ code: 'reauth_required' });
    }
    expect((await b.request('GET', '/api/mfa')).json().passkeys).toHaveLength(1);
    // A fresh sign-in opens the window again (its start time is what counts).
    await db().updateTable('sessions').set({ created_at: new Date() }).where('member_id', '=', m.id).execute();
    expect((await b.request('DELETE', `/api/mfa/passkeys/${id}`)).statusCode).toBe(204);
  });

  it('answers a sign-in challenge with a passkey', async () => {
    const m = await member(32);
    const setup = browser();
    await setup.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    await registerPasskey(setup, phone);

    const b = browser();
    const { challenge } = (await b.login(m.username)).json() as { challenge: { id: string; methods: string[] } };
    expect(challenge.methods).toEqual(['passkey']);
    const options = (await b.request('POST', '/api/sessions/challenge/passkey-options', { challengeId: challenge.id })).json();
    expect(options.allowCredentials).toEqual([expect.objectContaining({ id: phone.credentials[0]!.id })]);
    // A passkey of another member does not answer this member's challenge.
    const stranger = new SoftAuthenticator(ORIGIN);
    const strangerBrowser = browser();
    await strangerBrowser.login((await member(33)).username);
    await registerPasskey(strangerBrowser, stranger);
    const foreign = await b.request('POST', '/api/sessions/challenge', { challengeId: challenge.id, method: 'passkey', response: stranger.get({ challenge: options.challenge }) });
    expect(foreign.json().code).toBe('passkey_failed');
    const ok = await b.request('POST', '/api/sessions/challenge', { challengeId: challenge.id, method: 'passkey', response: phone.get(options) });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await b.request('GET', '/api/me')).json().id).toBe(m.id);
  });

  it('signs in without a password with a discoverable passkey that verified the user; each challenge once', async () => {
    const m = await member(34);
    const setup = browser();
    await setup.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    await registerPasskey(setup, phone);

    const b = browser();
    const options = (await b.request('POST', '/api/sessions/passkey/options')).json();
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required', allowCredentials: [] });
    const assertion = phone.get(options);
    const ok = await b.request('POST', '/api/sessions/passkey', { response: assertion });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await b.request('GET', '/api/me')).json().id).toBe(m.id);
    const events = await auditOf(m.id);
    expect(events.filter((e) => e.action === 'accounts.logged_in').at(-1)?.details).toMatchObject({ method: 'passkey' });

    // Replaying the same assertion, no user verification, a wrong origin, an unknown key: all refused alike.
    expect((await browser().request('POST', '/api/sessions/passkey', { response: assertion })).json().code).toBe('passkey_failed');
    const fresh = async () => (await browser().request('POST', '/api/sessions/passkey/options')).json();
    expect((await browser().request('POST', '/api/sessions/passkey', { response: phone.get(await fresh(), { userVerification: false }) })).json().code).toBe('passkey_failed');
    expect((await browser().request('POST', '/api/sessions/passkey', { response: phone.get(await fresh(), { origin: 'https://kenalan.example' }) })).json().code).toBe('passkey_failed');
    const unknown = new SoftAuthenticator(ORIGIN);
    unknown.create({ challenge: 'x', rp: {}, user: { id: 'eA' } });
    const refused = await browser().request('POST', '/api/sessions/passkey', { response: unknown.get(await fresh()) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('passkey_failed');
  });

  it('never lets a passkey sign in a locked or inactive account', async () => {
    const m = await member(35);
    const setup = browser();
    await setup.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    const passkeyId = await registerPasskey(setup, phone);
    const tryPasskey = async () => {
      const b = browser();
      const options = (await b.request('POST', '/api/sessions/passkey/options')).json();
      const response = await b.request('POST', '/api/sessions/passkey', { response: phone.get(options) });
      return { response, b };
    };

    for (const status of ['locked', 'suspended', 'pending_verification'] as const) {
      await db().updateTable('members').set({ status }).where('id', '=', m.id).execute();
      const { response, b } = await tryPasskey();
      expect(response.statusCode, status).toBe(403);
      expect(response.json().code, status).toBe(status === 'locked' ? 'account_locked' : 'account_inactive');
      expect(b.jar[SESSION_COOKIE]).toBeUndefined();
    }
    const refusals = (await auditOf(m.id)).filter((e) => e.action === 'mfa.passkey_signin_refused').map((e) => e.details);
    expect(refusals).toEqual([
      { passkeyId, reason: 'locked' },
      { passkeyId, reason: 'inactive' },
      { passkeyId, reason: 'inactive' },
    ]);
    await db().updateTable('members').set({ status: 'active' }).where('id', '=', m.id).execute();
    expect((await tryPasskey()).response.statusCode).toBe(201);
  });

  it('never lets a passkey sign in an account the brute-force guard has locked (the real guard)', async () => {
    const m = await member(36);
    const setup = browser();
    await setup.login(m.username);
    const phone = new SoftAuthenticator(ORIGIN);
    await registerPasskey(setup, phone);
    const guard = t.services.loginGuard;
    for (let i = 0; i < 12 && !(await guard.isAccountLocked(m.id)); i++) await guard.recordFailure({ ip: `192.0.2.${i + 1}`, accountKey: m.id });
    expect(await guard.isAccountLocked(m.id)).toBe(true);

    const b = browser();
    const options = (await b.request('POST', '/api/sessions/passkey/options')).json();
    const response = await b.request('POST', '/api/sessions/passkey', { response: phone.get(options) });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('account_locked');
    expect(b.jar[SESSION_COOKIE]).toBeUndefined();
    expect((await auditOf(m.id)).filter((e) => e.action === 'mfa.passkey_signin_refused').map((e) => e.details)).toEqual([expect.objectContaining({ reason: 'locked' })]);

    await guard.clearAccount(m.id);
    const after = browser();
    const again = (await after.request('POST', '/api/sessions/passkey/options')).json();
    expect((await after.request('POST', '/api/sessions/passkey', { response: phone.get(again) })).statusCode).toBe(201);
  });
});
