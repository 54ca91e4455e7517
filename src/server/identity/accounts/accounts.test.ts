import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';

let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let t: TestApp;
let photo: Buffer;
let clientIp = 0;
const nextIp = () => `198.51.${Math.floor(clientIp / 250) % 250}.${(clientIp++ % 250) + 1}`;
const AT = '\u0040';

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example' } });
  photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 200, g: 120, b: 80 } } }).jpeg().toBuffer();
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

let seq = 0;
/** A fresh, valid, consistent applicant (male, born 1990-03-12; the NIK serial makes it unique). */
function applicant(overrides: Record<string, string> = {}) {
  // Each test file has its own database, so a counter is enough to make every applicant unique.
  const n = ++seq;
  const serial = String(1000 + n).padStart(4, '0');
  return {
    username: `budi_${n}`,
    nickname: 'Budi',
    gender: 'male',
    email: `budi.${n}${AT}contoh.id`,
    phone: `0812${String(10_000_000 + n)}`,
    nik: `317405120390${serial}`,
    dateOfBirth: '1990-03-12',
    password: 'Senja merah di Pelabuhan Ratu 77',
    language: 'id',
    acceptPolicy: 'true',
    ...overrides,
  };
}

function form(fields: Record<string, string>, file: Buffer | null = photo): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append('photo', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), 'me.jpg');
  return data;
}

async function signUp(fields: Record<string, string>, options: { file?: Buffer | null; headers?: Record<string, string> } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/accounts',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), ...options.headers },
    payload: form(fields, options.file === undefined ? photo : options.file),
  });
}

async function postJson(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), ...headers }, payload });
}

const db = () => t.database.db;
const count = async (table: 'members' | 'member_photos' | 'verification_codes') =>
  Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
const memberDirs = () => {
  const dir = path.join(t.dataDir, 'media', 'members');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The SMS sent to `e164`, read from the dev outbox (decrypted). */
async function smsTo(e164: string, after = 0): Promise<string> {
  const { keyring } = t.services;
  return waitFor(async () => {
    const rows = await db().selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
    const mine = rows.filter((r) => keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === e164);
    return mine.length > after ? keyring.decrypt(mine[mine.length - 1]!.body, 'dev_sms_outbox.body') : undefined;
  });
}
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)![1]!;
const e164 = (phone: string) => `+62${phone.slice(1)}`;

async function mailTo(address: string) {
  return waitFor(async () => smtp.messages.find((m) => m.envelopeTo.includes(address)));
}
const tokenIn = (text: string) => /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text)![1]!;

describe('POST /api/accounts (sign-up)', () => {
  it('creates an encrypted member, photo files, ledger entry, audit event, SMS and email; verifying both activates', async () => {
    const a = applicant();
    const response = await signUp(a, { headers: { 'user-agent': 'vitest' } });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body).toEqual({ id: expect.any(String), status: 'pending_verification', verification: { emailSent: true, smsSent: true } });
    expect(response.body).not.toContain(a.email);
    expect(response.body).not.toContain(a.nik);

    const row = await db().selectFrom('members').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    const raw = JSON.stringify(row);
    for (const secret of [a.email, a.phone, e164(a.phone), a.nik, a.dateOfBirth, a.password, a.nickname]) expect(raw).not.toContain(secret);
    expect(row.email).toMatch(/^enc:v1:/);
    expect(row.nik).toMatch(/^enc:v1:/);
    expect(row.nik_last4).toBe(a.nik.slice(-4));
    expect(row.username_norm).toBe(a.username);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const { keyring } = t.services;
    expect(keyring.decrypt(row.nik, 'members.nik')).toBe(a.nik);
    expect(keyring.decrypt(row.phone, 'members.phone')).toBe(e164(a.phone));
    expect(keyring.decrypt(row.date_of_birth, 'members.date_of_birth')).toBe(a.dateOfBirth);

    const ledger = await db().selectFrom('consent_ledger').selectAll().where('subject_id', '=', body.id).execute();
    expect(ledger.map((l) => l.event)).toEqual(['policy_accepted']);
    const doc = await db().selectFrom('policy_documents').selectAll().where('version', '=', ledger[0]!.policy_version).where('language', '=', 'id').executeTakeFirstOrThrow();
    expect(ledger[0]!.policy_sha256).toBe(doc.sha256);
    expect(ledger[0]!.language).toBe('id');

    const photos = await db().selectFrom('member_photos').selectAll().where('member_id', '=', body.id).execute();
    expect(photos).toHaveLength(1);
    const dir = path.join(t.dataDir, 'media', 'members', body.id);
    expect(fs.readdirSync(dir).sort()).toEqual([`${photos[0]!.id}-320.jpg`, `${photos[0]!.id}-96.jpg`, `${photos[0]!.id}.jpg`].sort());

    const audit = await db().selectFrom('audit_log').selectAll().where('subject_id', '=', body.id).orderBy('seq').execute();
    expect(audit.map((e) => e.action)).toEqual(['consent.policy_accepted', 'accounts.signed_up']);
    expect(JSON.stringify(audit)).not.toContain(a.email);

    // SMS (Indonesian) through the dev outbox; the code row holds only an HMAC.
    const sms = await smsTo(e164(a.phone));
    expect(sms).toContain('Kode verifikasi Kenalan');
    const code = codeIn(sms);
    const codes = await db().selectFrom('verification_codes').selectAll().where('member_id', '=', body.id).execute();
    expect(JSON.stringify(codes)).not.toContain(code);

    // Email (Indonesian) delivered to the real SMTP server, with the link.
    const mail = await mailTo(a.email);
    expect(mail.parsed.subject).toBe('Konfirmasi alamat email Anda untuk Kenalan');
    expect(mail.parsed.text).toContain('https://kenalan.example/verify-email?token=');
    const token = tokenIn(mail.parsed.text ?? '');

    const phoneOk = await postJson(`/api/accounts/${body.id}/verify-phone`, { code });
    expect(phoneOk.statusCode, phoneOk.body).toBe(204);
    expect((await db().selectFrom('members').select('status').where('id', '=', body.id).executeTakeFirstOrThrow()).status).toBe('pending_verification');
    const emailOk = await postJson('/api/accounts/verify-email', { token });
    expect(emailOk.statusCode, emailOk.body).toBe(204);
    const after = await db().selectFrom('members').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('active');
    expect(after.phone_verified_at).not.toBeNull();
    expect(after.email_verified_at).not.toBeNull();
    const actions = (await db().selectFrom('audit_log').select('action').where('subject_id', '=', body.id).orderBy('seq').execute()).map((r) => r.action);
    expect(actions).toEqual(['consent.policy_accepted', 'accounts.signed_up', 'accounts.phone_verified', 'accounts.email_verified', 'accounts.activated']);

    // Single use: the same token again is gone.
    const again = await postJson('/api/accounts/verify-email', { token });
    expect(again.statusCode).toBe(410);
    expect(again.json().code).toBe('code_expired');
    expect((await verifyAuditLog(db())).ok).toBe(true);
  }, 60_000);

  it('sends the SMS and email in English for an English-speaking member', async () => {
    const a = applicant({ language: 'en' });
    const response = await signUp(a);
    expect(response.statusCode, response.body).toBe(201);
    expect(await smsTo(e164(a.phone))).toContain('Your Kenalan verification code is');
    const mail = await mailTo(a.email);
    expect(mail.parsed.subject).toBe('Confirm your email address for Kenalan');
    expect(mail.parsed.headers.get('content-language')).toBe('en');
  }, 30_000);

  it('reports every invalid field at once, in Indonesian and in English', async () => {
    const bad = {
      username: '1',
      nickname: '',
      gender: 'robot',
      email: 'not-an-email',
      phone: '021 555 1234',
      nik: '12',
      dateOfBirth: '12/03/1990',
      password: 'abc',
      language: 'fr',
      acceptPolicy: 'false',
    };
    const fields = ['username', 'nickname', 'gender', 'email', 'phone', 'nik', 'dateOfBirth', 'password', 'language', 'acceptPolicy', 'photo'];
    const before = await count('members');
    const id = await signUp(bad, { file: null, headers: { 'accept-language': 'id' } });
    expect(id.statusCode).toBe(400);
    expect(id.headers['content-type']).toContain('application/problem+json');
    const idBody = id.json();
    expect(idBody.code).toBe('validation_failed');
    expect([...new Set(idBody.errors.map((e: { field: string }) => e.field))].sort()).toEqual([...fields].sort());
    const msg = (body: { errors: { field: string; message: string }[] }, field: string) => body.errors.find((e) => e.field === field)!.message;
    expect(msg(idBody, 'nik')).toContain('NIK harus 16 digit');
    expect(msg(idBody, 'photo')).toBe('Tambahkan satu foto profil.');
    expect(msg(idBody, 'password')).toContain('Gunakan paling sedikit 10 karakter');

    const en = await signUp(bad, { file: Buffer.from('not an image'), headers: { 'accept-language': 'en' } });
    expect(en.statusCode).toBe(400);
    const enBody = en.json();
    expect([...new Set(enBody.errors.map((e: { field: string }) => e.field))].sort()).toEqual([...fields].sort());
    expect(msg(enBody, 'acceptPolicy')).toBe('To create an account, read and accept the Privacy Policy.');
    expect(enBody.errors.find((e: { field: string }) => e.field === 'photo').code).toBe('unsupportedType');
    expect(enBody.detail).toBe('Some of the information you sent is not valid.');
    expect(await count('members')).toBe(before);
  }, 30_000);

  it('refuses a NIK that does not match the date of birth or gender', async () => {
    const response = await signUp(applicant({ dateOfBirth: '1991-03-12', gender: 'female' }), { headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(400);
    const errors = response.json().errors as { field: string; code: string; message: string }[];
    expect(errors.filter((e) => e.field === 'nik').map((e) => e.code)).toEqual(['birthDateMismatch', 'genderMismatch']);
    expect(errors.every((e) => e.field === 'nik')).toBe(true);
  });

  it.each(['email', 'phone', 'nik'] as const)('refuses a duplicate %s with a generic 409, writing nothing (no files)', async (which) => {
    const first = applicant();
    expect((await signUp(first)).statusCode).toBe(201);
    const second = applicant({ [which]: which === 'email' ? first.email.toUpperCase() : first[which] });
    const members = await count('members');
    const photos = await count('member_photos');
    const dirs = memberDirs().length;
    const response = await signUp(second, { headers: { 'accept-language': 'en' } });
    expect(response.statusCode).toBe(409);
    const body = response.json();
    expect(body.code).toBe('signup_refused');
    expect(body.detail).toBe('We could not create an account with these details. If you already have an account, log in or reset your password.');
    expect(response.body).not.toMatch(/email|phone|nik/i);
    expect(await count('members')).toBe(members);
    expect(await count('member_photos')).toBe(photos);
    expect(memberDirs().length).toBe(dirs);
  }, 30_000);

  it('reports a username taken in another case as a field error', async () => {
    const first = applicant();
    expect((await signUp(first)).statusCode).toBe(201);
    const response = await signUp(applicant({ username: first.username.toUpperCase() }), { headers: { 'accept-language': 'id' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ field: 'username', code: 'taken', message: 'Nama pengguna ini sudah dipakai. Silakan pilih nama lain.' }]);
  }, 30_000);

  it('records a minor as pending_guardian', async () => {
    const minor = { ...applicant({ dateOfBirth: '2012-05-10' }), guardianEmail: `wali.${seq}${AT}contoh.id`, guardianPhone: `0813${String(10_000_000 + seq)}` };
    minor.nik = `317405100512${String(5000 + seq)}`;
    const response = await signUp(minor);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().status).toBe('pending_guardian');
  }, 30_000);

  it('returns the same account for a retried Idempotency-Key', async () => {
    const a = applicant();
    const before = await count('members');
    const key = `signup-${crypto.randomUUID()}`;
    const first = await signUp(a, { headers: { 'idempotency-key': key } });
    const again = await signUp(a, { headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(await count('members')).toBe(before + 1);
  }, 30_000);

  it('refuses a non-multipart body (415) and a second file (413), and documents the route in OpenAPI', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
      payload: applicant(),
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('unsupported_media_type');
    const two = form(applicant());
    two.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'again.jpg');
    const before = await count('members');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
      payload: two,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
    expect(await count('members')).toBe(before);
    const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json().paths)).toEqual(expect.arrayContaining(['/api/accounts', '/api/accounts/verify-email']));
  });

  it('never answers 500 to random field values', async () => {
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('', 'true', 'id', 'male', '1990-03-12'));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          username: text,
          nickname: text,
          gender: text,
          email: text,
          phone: text,
          nik: text,
          dateOfBirth: text,
          password: text,
          language: text,
          acceptPolicy: text,
        }),
        fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
        async (fields, bytes) => {
          const response = await signUp(fields, { file: bytes ? Buffer.from(bytes) : null });
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe('phone and email verification', () => {
  async function pendingMember() {
    const a = applicant();
    const response = await signUp(a);
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().id as string;
    const code = codeIn(await smsTo(e164(a.phone)));
    return { a, id, code };
  }

  it('locks the code after 5 wrong attempts (429), even for the right code', async () => {
    const { id, code } = await pendingMember();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) {
      const r = await postJson(`/api/accounts/${id}/verify-phone`, { code: wrong }, { 'accept-language': 'en' });
      expect(r.statusCode).toBe(400);
      expect(r.json().code).toBe('code_invalid');
    }
    const fifth = await postJson(`/api/accounts/${id}/verify-phone`, { code: wrong });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json().code).toBe('too_many_attempts');
    const right = await postJson(`/api/accounts/${id}/verify-phone`, { code });
    expect(right.statusCode).toBe(429);
  }, 30_000);

  it('refuses an expired code with 410', async () => {
    const { id, code } = await pendingMember();
    await db().updateTable('verification_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('member_id', '=', id).execute();
    const r = await postJson(`/api/accounts/${id}/verify-phone`, { code }, { 'accept-language': 'id' });
    expect(r.statusCode).toBe(410);
    expect(r.json().code).toBe('code_expired');
    expect(r.json().detail).toContain('kedaluwarsa');
  }, 30_000);

  it('throttles SMS resends to one per 60 seconds, and a resent code replaces the old one', async () => {
    const { a, id, code } = await pendingMember();
    const soon = await postJson(`/api/accounts/${id}/resend-sms`, {}, { 'accept-language': 'en' });
    expect(soon.statusCode).toBe(429);
    expect(soon.json().code).toBe('resend_too_soon');
    expect(soon.json().detail).toMatch(/wait \d+ seconds/);
    await db().updateTable('members').set({ sms_requested_at: new Date(Date.now() - 61_000) }).where('id', '=', id).execute();
    const ok = await postJson(`/api/accounts/${id}/resend-sms`, {});
    expect(ok.statusCode).toBe(204);
    const newCode = codeIn(await smsTo(e164(a.phone), 1));
    if (newCode !== code) expect((await postJson(`/api/accounts/${id}/verify-phone`, { code })).statusCode).toBe(400);
    expect((await postJson(`/api/accounts/${id}/verify-phone`, { code: newCode })).statusCode).toBe(204);
  }, 30_000);

  it('keeps a verified minor in pending_guardian', async () => {
    const minor = { ...applicant({ dateOfBirth: '2012-05-10' }), guardianEmail: `wali.${seq}${AT}contoh.id`, guardianPhone: `0813${String(10_000_000 + seq)}` };
    minor.nik = `317405100512${String(5000 + seq)}`;
    const response = await signUp(minor);
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().id as string;
    const code = codeIn(await smsTo(e164(minor.phone)));
    expect((await postJson(`/api/accounts/${id}/verify-phone`, { code })).statusCode).toBe(204);
    const token = tokenIn((await mailTo(minor.email)).parsed.text ?? '');
    expect((await postJson('/api/accounts/verify-email', { token })).statusCode).toBe(204);
    expect((await db().selectFrom('members').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('pending_guardian');
  }, 30_000);

  it('answers code_invalid for an unknown email token and a malformed member id', async () => {
    expect((await postJson('/api/accounts/verify-email', { token: 'nope' })).statusCode).toBe(400);
    expect((await postJson('/api/accounts/not-a-uuid/verify-phone', { code: '123456' })).statusCode).toBe(400);
  });
});
