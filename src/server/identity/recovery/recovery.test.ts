import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { SESSION_COOKIE } from '../sessions/routes.js';

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let photo: Buffer;
let ip = 0;
const nextIp = () => `198.51.100.${(ip++ % 250) + 1}`;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const NEW_PASSWORD = 'Kopi tubruk dan hujan bulan Juni 58';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example' } });
  photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 200, g: 120, b: 90 } } }).jpeg().toBuffer();
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const db = () => t.database.db;
const e164 = (phone: string) => `+62${phone.slice(1)}`;

/** Signs a member up through the API, then marks both contacts verified and the account active (verification is tested in accounts.test.ts). */
async function member(n: number, language: 'id' | 'en' = 'id') {
  const data = new FormData();
  const fields = {
    username: `dewi_${n}`,
    nickname: 'Dewi',
    gender: 'female',
    email: `dewi.${n}${AT}contoh.id`,
    phone: `0812${String(30_000_000 + n)}`,
    nik: `317405520390${String(3000 + n)}`, // woman born 1990-03-12 (day + 40)
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language,
    acceptPolicy: 'true',
  };
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(response.statusCode, response.body).toBe(201);
  const { id } = response.json() as { id: string };
  const now = new Date();
  await db().updateTable('members').set({ status: 'active', email_verified_at: now, phone_verified_at: now }).where('id', '=', id).execute();
  return { id, ...fields };
}

async function post(url: string, payload: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({
    method: 'POST',
    url,
    headers: { ...csrf, 'x-forwarded-for': nextIp(), 'accept-language': 'en', ...headers, cookie: [csrf.cookie, headers.cookie].filter(Boolean).join('; ') },
    payload,
  });
}

async function login(identifier: string, password: string) {
  return post('/api/sessions', { identifier, password });
}
async function signedIn(m: { username: string }, password = PASSWORD) {
  const response = await login(m.username, password);
  expect(response.statusCode, response.body).toBe(201);
  const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE)!;
  return { cookie: `${SESSION_COOKIE}=${cookie.value}` };
}
const me = (session: { cookie: string }) => t.app.inject({ method: 'GET', url: '/api/me', headers: session });

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first delivered mail to `address` whose subject matches. */
const to = (m: { envelopeTo: string[] }, address: string) => m.envelopeTo.some((a) => a.toLowerCase() === address.toLowerCase());
const mailTo = (address: string, subject: RegExp) => waitFor(async () => smtp.messages.find((m) => to(m, address) && subject.test(m.parsed.subject ?? '')));
const mailsTo = (address: string, subject: RegExp) => smtp.messages.filter((m) => to(m, address) && subject.test(m.parsed.subject ?? ''));

/** Every SMS sent to a number (decrypted from the dev outbox), oldest first. */
async function smsesTo(number: string): Promise<string[]> {
  const { keyring } = t.services;
  const rows = await db().selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
  return rows
    .filter((r) => keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === number)
    .map((r) => keyring.decrypt(r.body, 'dev_sms_outbox.body'));
}
const smsTo = (number: string, text: RegExp) => waitFor(async () => (await smsesTo(number)).find((body) => text.test(body)));
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)![1]!;
const tokenIn = (text: string, path: string) => new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(text)![1]!;

const auditFor = async (memberId: string) =>
  db().selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', memberId).orderBy('seq').execute();

describe('password reset by email link', () => {
  it('sends a single-use link, checks the new password like sign-up, ends every session and notifies', async () => {
    const m = await member(1);
    const session = await signedIn(m);
    expect((await me(session)).statusCode).toBe(200);

    const request = await post('/api/password-resets', { identifier: m.email.toUpperCase(), channel: 'email' });
    expect(request.statusCode).toBe(202);
    expect(request.json().resetId).toMatch(UUID);
    const mail = await mailTo(m.email, /Atur ulang kata sandi/);
    expect(mail.parsed.text).toContain('https://kenalan.example/reset-password?token=');
    const token = tokenIn(mail.parsed.text ?? '', 'reset-password');
    // Only a hash of the token is stored.
    const row = await db().selectFrom('password_resets').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(token);

    // A weak password: every reason, localized, next to the field; the token still works afterwards.
    const weak = await post('/api/password-resets/complete', { token, newPassword: `${m.username}12345` });
    expect(weak.statusCode).toBe(400);
    const problems = weak.json().errors as { field: string; code: string; message: string }[];
    expect(problems.every((p) => p.field === 'newPassword')).toBe(true);
    expect(problems.map((p) => p.code)).toContain('containsUsername');
    expect(problems.find((p) => p.code === 'containsUsername')!.message).toMatch(/username/i);
    const nik = await post('/api/password-resets/complete', { token, newPassword: `Rahasia ${m.nik.slice(4, 12)} sekali!` });
    expect(nik.json().errors.map((p: { code: string }) => p.code)).toContain('containsNik');

    const done = await post('/api/password-resets/complete', { token, newPassword: NEW_PASSWORD });
    expect(done.statusCode, done.body).toBe(204);
    expect((await me(session)).statusCode).toBe(401);
    expect((await login(m.username, PASSWORD)).statusCode).toBe(401);
    expect((await login(m.username, NEW_PASSWORD)).statusCode).toBe(201);

    const reused = await post('/api/password-resets/complete', { token, newPassword: 'Another long phrase for reuse 91' });
    expect(reused.statusCode).toBe(410);
    expect(reused.json().code).toBe('code_expired');

    const notice = await mailTo(m.email, /Kata sandi Kenalan Anda telah diganti/);
    expect(notice.parsed.text).toContain('https://kenalan.example/forgot-password');

    const audit = await auditFor(m.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['recovery.reset_requested', 'recovery.password_reset']));
    const resetEvent = audit.find((a) => a.action === 'recovery.password_reset')!;
    expect(resetEvent.details).toEqual({ resetId: row.id, channel: 'email', unlocked: false, sessionsEnded: 1 });
    expect(JSON.stringify(audit)).not.toContain(m.email);
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });

  it('lifts the brute-force lock on the account (LoginGuard.clearAccount) when the reset completes', async () => {
    const m = await member(15);
    for (let i = 0; i < t.services.loginGuard.settings.accountFailures; i++) await login(m.username, `wrong password number ${i}`);
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(true);
    const refused = await login(m.username, PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('login_locked');

    await post('/api/password-resets', { identifier: m.username, channel: 'email' });
    const token = tokenIn((await mailTo(m.email, /Atur ulang kata sandi/)).parsed.text ?? '', 'reset-password');
    expect((await post('/api/password-resets/complete', { token, newPassword: NEW_PASSWORD })).statusCode).toBe(204);
    expect(await t.services.loginGuard.isAccountLocked(m.id)).toBe(false);
  });

  it('answers an unknown identifier, or a contact that is not verified, exactly like a known one, and sends nothing', async () => {
    const known = await member(2);
    const unverified = await member(3);
    await db().updateTable('members').set({ email_verified_at: null }).where('id', '=', unverified.id).execute();
    const before = smtp.messages.length;
    const answers = [];
    for (const identifier of [known.username, 'nobody_at_all', `nobody${AT}contoh.id`, '081299999999', unverified.username]) {
      answers.push(await post('/api/password-resets', { identifier, channel: 'email' }));
    }
    for (const answer of answers) {
      expect(answer.statusCode).toBe(202);
      expect(Object.keys(answer.json())).toEqual(['resetId']);
      expect(answer.json().resetId).toMatch(UUID);
      expect(answer.headers['content-type']).toBe(answers[0]!.headers['content-type']);
    }
    await mailTo(known.email, /Atur ulang kata sandi/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.messages.slice(before).filter((m) => /Atur ulang/.test(m.parsed.subject ?? '')).map((m) => m.envelopeTo)).toEqual([[known.email]]);
    expect(await db().selectFrom('password_resets').select('id').where('member_id', '=', unverified.id).execute()).toEqual([]);
    // A random id can never complete.
    const decoy = answers[1]!.json().resetId as string;
    expect((await post('/api/password-resets/complete', { resetId: decoy, code: '123456', newPassword: NEW_PASSWORD })).json().code).toBe('code_invalid');
  });

  it('refuses an expired link, a made-up token, and a request without token or code', async () => {
    const m = await member(4);
    await post('/api/password-resets', { identifier: m.username, channel: 'email' });
    const token = tokenIn((await mailTo(m.email, /Atur ulang kata sandi/)).parsed.text ?? '', 'reset-password');
    await db().updateTable('password_resets').set({ expires_at: new Date(Date.now() - 1000) }).where('member_id', '=', m.id).execute();
    expect((await post('/api/password-resets/complete', { token, newPassword: NEW_PASSWORD })).statusCode).toBe(410);
    expect((await post('/api/password-resets/complete', { token: 'made-up-token', newPassword: NEW_PASSWORD })).json().code).toBe('code_invalid');
    const missing = await post('/api/password-resets/complete', { newPassword: NEW_PASSWORD });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('validation_failed');
    expect((await login(m.username, PASSWORD)).statusCode).toBe(201);
  });

  it('sends at most 3 reset messages per account per hour, with the same answer', async () => {
    const m = await member(5);
    for (let i = 0; i < 5; i++) expect((await post('/api/password-resets', { identifier: m.username, channel: 'email' })).statusCode).toBe(202);
    const rows = await db().selectFrom('password_resets').select(['id', 'used_at']).where('member_id', '=', m.id).execute();
    expect(rows).toHaveLength(3);
    // Only the latest one is open.
    expect(rows.filter((r) => r.used_at === null)).toHaveLength(1);
  });
});

describe('password reset by SMS code', () => {
  it('sends a 6-digit code to the verified phone; the reset id and code set the new password', async () => {
    const m = await member(6, 'en');
    const { resetId } = (await post('/api/password-resets', { identifier: e164(m.phone), channel: 'sms' })).json() as { resetId: string };
    const sms = await smsTo(e164(m.phone), /password reset code/);
    expect(sms).toMatch(/valid for 10 minutes/);
    const done = await post('/api/password-resets/complete', { resetId, code: codeIn(sms), newPassword: NEW_PASSWORD });
    expect(done.statusCode, done.body).toBe(204);
    expect((await login(m.email, NEW_PASSWORD)).statusCode).toBe(201);
  });

  it('locks the code after 5 wrong attempts — and a random id from an unknown account behaves the same', async () => {
    const m = await member(7);
    const { resetId } = (await post('/api/password-resets', { identifier: m.username, channel: 'sms' })).json() as { resetId: string };
    const code = codeIn(await smsTo(e164(m.phone), /atur ulang kata sandi/));
    const wrong = code === '000000' ? '111111' : '000000';
    const { resetId: decoy } = (await post('/api/password-resets', { identifier: 'no_such_member', channel: 'sms' })).json() as { resetId: string };
    for (const id of [resetId, decoy]) {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await post('/api/password-resets/complete', { resetId: id, code: wrong, newPassword: NEW_PASSWORD })).statusCode);
      expect(statuses).toEqual([400, 400, 400, 400, 429]);
    }
    const locked = await post('/api/password-resets/complete', { resetId, code, newPassword: NEW_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('too_many_attempts');
    expect((await login(m.username, PASSWORD)).statusCode).toBe(201);
  });
});

describe('change email and phone', () => {
  it('needs the current password, confirms the new email by a link to it, and tells the old address', async () => {
    const m = await member(8);
    const session = await signedIn(m);
    const newEmail = `dewi.baru.8${AT}contoh.id`;
    const wrong = await post('/api/account/email', { currentPassword: 'not my password', newEmail: 'not-an-email' }, session);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['currentPassword', 'newEmail']);
    const same = await post('/api/account/email', { currentPassword: PASSWORD, newEmail: m.email.toUpperCase() }, session);
    expect(same.json().errors).toEqual([expect.objectContaining({ field: 'newEmail', code: 'sameAsCurrent' })]);
    expect((await post('/api/account/email', { currentPassword: PASSWORD, newEmail })).statusCode).toBe(401);

    const asked = await post('/api/account/email', { currentPassword: PASSWORD, newEmail }, session);
    expect(asked.statusCode, asked.body).toBe(202);
    const stored = await db().selectFrom('contact_changes').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(stored.new_value).toMatch(/^enc:v1:/);
    const link = await mailTo(newEmail, /Konfirmasi alamat email baru/);
    const token = tokenIn(link.parsed.text ?? '', 'confirm-email-change');
    expect((await post('/api/account/email/confirm', { token })).statusCode).toBe(204);
    expect((await post('/api/account/email/confirm', { token })).statusCode).toBe(410);

    expect((await login(newEmail, PASSWORD)).statusCode).toBe(201);
    expect((await login(m.email, PASSWORD)).statusCode).toBe(401);
    const notice = await mailTo(m.email, /Email akun Kenalan Anda telah diganti/);
    expect(notice.parsed.text).not.toContain(newEmail);
    const audit = await auditFor(m.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['recovery.contact_change_requested', 'recovery.contact_changed']));
    expect(JSON.stringify(audit)).not.toContain(newEmail);
  });

  it("refuses another member's email at confirmation without saying whose it is", async () => {
    const a = await member(9);
    const b = await member(10);
    const session = await signedIn(a);
    expect((await post('/api/account/email', { currentPassword: PASSWORD, newEmail: b.email.toUpperCase() }, session)).statusCode).toBe(202);
    const token = tokenIn((await mailTo(b.email, /Konfirmasi alamat email baru/)).parsed.text ?? '', 'confirm-email-change');
    const refused = await post('/api/account/email/confirm', { token });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('contact_change_refused');
    expect(refused.body).not.toContain(b.username);
    expect(refused.body).not.toContain(b.id);
    expect(refused.body.toLowerCase()).not.toContain(b.email);
    expect((await login(a.email, PASSWORD)).statusCode).toBe(201);
  });

  it('confirms a new phone with an SMS code to it, then notices go to the old number and the email', async () => {
    const m = await member(11, 'en');
    const session = await signedIn(m);
    const newPhone = '081377700011';
    const bad = await post('/api/account/phone', { currentPassword: PASSWORD, newPhone: '12' }, session);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'newPhone' })]);
    const asked = await post('/api/account/phone', { currentPassword: PASSWORD, newPhone }, session);
    expect(asked.statusCode, asked.body).toBe(202);
    const { changeId } = asked.json() as { changeId: string };
    const code = codeIn(await smsTo(e164(newPhone), /use this number/));
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await post('/api/account/phone/confirm', { changeId, code: wrong }, session)).json().code).toBe('code_invalid');
    expect((await post('/api/account/phone/confirm', { changeId, code }, session)).statusCode).toBe(204);

    expect((await login(newPhone, PASSWORD)).statusCode).toBe(201);
    expect(await smsTo(e164(m.phone), /mobile number was changed/)).toContain('reset your password');
    await mailTo(m.email, /mobile number was changed/);
  });
});

describe('my account is compromised', () => {
  it('from a session: locks, ends every session, opens a ticket, notifies by email and SMS; a reset unlocks', async () => {
    const m = await member(12);
    const here = await signedIn(m);
    const elsewhere = await signedIn(m);
    const response = await post('/api/account/compromised', {}, here);
    expect(response.statusCode, response.body).toBe(200);
    const { ticketNumber } = response.json() as { ticketNumber: string };
    expect(response.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect((await me(here)).statusCode).toBe(401);
    expect((await me(elsewhere)).statusCode).toBe(401);

    const row = await db().selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('locked');
    const ticket = await db().selectFrom('support_tickets').select(['id', 'topic']).where('number', '=', ticketNumber).executeTakeFirstOrThrow();
    expect(ticket.topic).toBe('account_compromised');
    expect((await t.services.support.loadTicket(ticket.id))!.email).toBe(m.email);
    await mailTo(m.email, /Akun Kenalan Anda telah dikunci/);
    await mailTo(m.email, new RegExp(ticketNumber));
    expect(await smsTo(e164(m.phone), /dikunci/)).toContain('Atur ulang kata sandi');

    // The right password no longer signs in: the account is locked until a reset.
    const refused = await login(m.username, PASSWORD);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('account_locked');

    await post('/api/password-resets', { identifier: m.username, channel: 'email' });
    const token = tokenIn((await mailTo(m.email, /Atur ulang kata sandi/)).parsed.text ?? '', 'reset-password');
    expect((await post('/api/password-resets/complete', { token, newPassword: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await db().selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('active');
    expect((await login(m.username, NEW_PASSWORD)).statusCode).toBe(201);
    const audit = await auditFor(m.id);
    const compromised = audit.find((a) => a.action === 'recovery.account_compromised')!;
    expect(compromised.details).toEqual({ via: 'session', reportId: null, ticketId: ticket.id, locked: true, sessionsEnded: 2 });
    expect(audit.find((a) => a.action === 'recovery.password_reset')!.details).toMatchObject({ unlocked: true });
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });

  it('from the support form: the same answer for anyone, nothing locked until the emailed link is followed', async () => {
    const m = await member(13);
    const unknown = await post('/api/account/compromised/requests', { identifier: 'someone_else_entirely' });
    const known = await post('/api/account/compromised/requests', { identifier: m.phone });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    expect((await db().selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('active');
    expect((await login(m.username, PASSWORD)).statusCode).toBe(201);

    const mail = await mailTo(m.email, /kunci akun Kenalan Anda\?/);
    const token = tokenIn(mail.parsed.text ?? '', 'account/compromised/confirm');
    const confirmed = await post('/api/account/compromised/confirm', { token });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect((await db().selectFrom('members').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('locked');
    expect((await post('/api/account/compromised/confirm', { token })).statusCode).toBe(410);
    expect((await post('/api/account/compromised/confirm', { token: 'forged' })).statusCode).toBe(400);
    const tickets = await db().selectFrom('support_tickets').select('topic').where('number', '=', confirmed.json().ticketNumber).execute();
    expect(tickets).toEqual([{ topic: 'account_compromised' }]);
    expect((await login(m.username, PASSWORD)).json().code).toBe('account_locked');
    await mailTo(m.email, /Akun Kenalan Anda telah dikunci/);
    expect(mailsTo(m.email, /kunci akun Kenalan Anda\?/)).toHaveLength(1);
  });

  it('drops a pending email change when the account is reported compromised', async () => {
    const m = await member(14);
    const session = await signedIn(m);
    const intruder = `intruder.14${AT}contoh.id`;
    expect((await post('/api/account/email', { currentPassword: PASSWORD, newEmail: intruder }, session)).statusCode).toBe(202);
    const token = tokenIn((await mailTo(intruder, /Konfirmasi alamat email baru/)).parsed.text ?? '', 'confirm-email-change');
    expect((await post('/api/account/compromised', {}, session)).statusCode).toBe(200);
    expect((await post('/api/account/email/confirm', { token })).statusCode).toBe(410);
  });

  it('needs a session for the signed-in routes', async () => {
    for (const url of ['/api/account/compromised', '/api/account/email', '/api/account/phone']) {
      const response = await post(url, url.endsWith('compromised') ? {} : { currentPassword: PASSWORD, newEmail: 'x', newPhone: 'x' });
      expect(response.statusCode, url).toBe(401);
    }
  });
});
