import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer, type ReceivedMail } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { GUARDIAN_CONSENT_PURPOSE } from '../../privacy/consent/ledger.js';
import { SESSION_COOKIE } from '../sessions/routes.js';

/**
 * P5.1 / P5.2: a member under 18 names a parent or guardian, who is invited by email (+ SMS), reads
 * who asks and the policy, and consents (the account activates once the minor is verified too, in
 * any order), refuses (the pending account and its photo files are deleted) or later withdraws (the
 * account is suspended and its sessions end). Real SMTP server on loopback; SMS from the dev outbox.
 */
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let t: TestApp;
let photo: Buffer;
let clientIp = 0;
const nextIp = () => `192.0.2.${(clientIp++ % 250) + 1}`;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://kenalan.example' } });
  photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 120, g: 180, b: 90 } } }).jpeg().toBuffer();
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

let seq = 0;
/** A unique boy born 2012-05-10 (NIK 31 74 05 100512 ssss) and his guardian's contacts. */
function minor(overrides: Record<string, string> = {}) {
  const n = ++seq;
  return {
    username: `adi_${n}`,
    nickname: 'Adi',
    gender: 'male',
    email: `adi.${n}${AT}contoh.id`,
    phone: `0812${String(30_000_000 + n)}`,
    nik: `317405100512${String(3000 + n)}`,
    dateOfBirth: '2012-05-10',
    password: PASSWORD,
    language: 'id',
    acceptPolicy: 'true',
    guardianEmail: `wali.${n}${AT}contoh.id`,
    guardianPhone: `0813${String(30_000_000 + n)}`,
    ...overrides,
  };
}

async function signUp(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  return t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), ...headers }, payload: data });
}

async function post(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp(), ...headers }, payload });
}
const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': nextIp(), ...headers } });

const db = () => t.database.db;
const e164 = (phone: string) => `+62${phone.slice(1)}`;

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function smsTo(number: string): Promise<string> {
  const { keyring } = t.services;
  return waitFor(async () => {
    const rows = await db().selectFrom('dev_sms_outbox').selectAll().orderBy('created_at').execute();
    const mine = rows.filter((r) => keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === number);
    return mine.length > 0 ? keyring.decrypt(mine[mine.length - 1]!.body, 'dev_sms_outbox.body') : undefined;
  });
}

async function mailTo(address: string, match: (m: ReceivedMail) => boolean = () => true): Promise<ReceivedMail> {
  return waitFor(async () => smtp.messages.find((m) => m.envelopeTo.includes(address) && match(m)));
}
const inviteTokenIn = (text: string) => /https:\/\/kenalan\.example\/guardian\/([A-Za-z0-9_-]+)/.exec(text)![1]!;
const withdrawTokenIn = (text: string) => /https:\/\/kenalan\.example\/guardian\/withdraw\/([A-Za-z0-9_-]+)/.exec(text)![1]!;

/** Signs a minor up and returns the member id and the guardian's invitation token (from the email). */
async function minorWithInvitation(overrides: Record<string, string> = {}) {
  const m = minor(overrides);
  const response = await signUp(m);
  expect(response.statusCode, response.body).toBe(201);
  expect(response.json().status).toBe('pending_guardian');
  const id = response.json().id as string;
  const mail = await mailTo(m.guardianEmail);
  return { m, id, token: inviteTokenIn(mail.parsed.text ?? ''), mail };
}

async function verifyMinor(m: ReturnType<typeof minor>, id: string) {
  const code = /\b(\d{6})\b/.exec(await smsTo(e164(m.phone)))![1]!;
  expect((await post(`/api/accounts/${id}/verify-phone`, { code })).statusCode).toBe(204);
  const mail = await mailTo(m.email, (x) => (x.parsed.text ?? '').includes('/verify-email?token='));
  const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.parsed.text ?? '')![1]!;
  expect((await post('/api/accounts/verify-email', { token })).statusCode).toBe(204);
}

const memberStatus = async (id: string) => (await db().selectFrom('members').select('status').where('id', '=', id).executeTakeFirst())?.status;
const auditActions = async (subjectIds: string[]) =>
  (await db().selectFrom('audit_log').select(['action', 'actor_type']).where('subject_id', 'in', subjectIds).orderBy('seq').execute()).map((r) => r.action);
const guardianOf = (memberId: string) => db().selectFrom('guardians').selectAll().where('member_id', '=', memberId).executeTakeFirstOrThrow();

describe('sign-up of a minor', () => {
  it('requires the guardian fields for a minor, with localized messages next to the fields', async () => {
    const { guardianEmail: _e, guardianPhone: _p, ...withoutGuardian } = minor();
    const id = await signUp(withoutGuardian, { 'accept-language': 'id' });
    expect(id.statusCode).toBe(400);
    expect(id.json().errors).toEqual([
      { field: 'guardianEmail', code: 'required', message: 'Masukkan alamat email orang tua atau wali Anda.' },
      { field: 'guardianPhone', code: 'required', message: 'Masukkan nomor HP orang tua atau wali Anda.' },
    ]);
    const en = await signUp(withoutGuardian, { 'accept-language': 'en' });
    expect(en.json().errors.map((e: { message: string }) => e.message)).toEqual([
      "Enter your parent or guardian's email address.",
      "Enter your parent or guardian's mobile number.",
    ]);
    expect(await db().selectFrom('members').select('id').where('username', '=', withoutGuardian.username).execute()).toEqual([]);
  }, 30_000);

  it("refuses a malformed guardian contact, and the minor's own email or phone as the guardian's", async () => {
    const bad = await signUp(minor({ guardianEmail: 'bukan-email', guardianPhone: '021 555 1234' }), { 'accept-language': 'en' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['guardianEmail:email', 'guardianPhone:notMobile']);

    const m = minor();
    // The same addresses written differently: upper case email, phone in international form.
    const same = await signUp({ ...m, guardianEmail: m.email.toUpperCase(), guardianPhone: `+62 ${m.phone.slice(1)}` }, { 'accept-language': 'en' });
    expect(same.statusCode).toBe(400);
    expect(same.json().errors).toEqual([
      { field: 'guardianEmail', code: 'sameAsMember', message: "Use your parent or guardian's own email address, not yours." },
      { field: 'guardianPhone', code: 'sameAsMember', message: "Use your parent or guardian's own mobile number, not yours." },
    ]);
  }, 30_000);

  it('ignores guardian fields from an adult (no guardian row, pending_verification)', async () => {
    const adult = minor({ dateOfBirth: '1990-03-12' });
    adult.nik = `317405120390${String(3000 + seq)}`;
    const response = await signUp(adult);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().status).toBe('pending_verification');
    const status = await get(`/api/accounts/${response.json().id}/status`);
    expect(status.json()).toEqual({ status: 'pending_verification', emailVerified: false, phoneVerified: false, guardian: 'none' });
    expect(await db().selectFrom('guardians').select('id').where('member_id', '=', response.json().id).execute()).toEqual([]);
  }, 30_000);

  it('stores the guardian encrypted and invites them by email (7-day link) and SMS, naming only nickname and username', async () => {
    const { m, id, token, mail } = await minorWithInvitation({ nickname: 'Adi Kecil' });
    const g = await guardianOf(id);
    expect(g.status).toBe('pending');
    expect(g.language).toBe('id');
    expect(g.email).toMatch(/^enc:v1:/);
    expect(g.phone).toMatch(/^enc:v1:/);
    const raw = JSON.stringify(g);
    for (const secret of [m.guardianEmail, e164(m.guardianPhone), token]) expect(raw).not.toContain(secret);
    expect(g.invite_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    const days = (g.invite_expires_at!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    expect(mail.parsed.subject).toBe('Adi Kecil memerlukan persetujuan Anda untuk menggunakan Kenalan');
    expect(mail.parsed.headers.get('content-language')).toBe('id');
    const text = mail.parsed.text ?? '';
    expect(text).toContain(`Adi Kecil (nama pengguna ${m.username})`);
    expect(text).toContain(`https://kenalan.example/guardian/${token}`);
    expect(mail.parsed.html).toContain(`href="https://kenalan.example/guardian/${token}"`);
    for (const secret of [m.nik, m.dateOfBirth, '10-05-2012', m.email, m.phone]) expect(mail.raw).not.toContain(secret);

    const sms = await smsTo(e164(m.guardianPhone));
    expect(sms).toContain(`Adi Kecil (@${m.username})`);
    expect(sms).toContain('periksa kotak masuk');
    expect(sms).not.toContain(m.nik);
    expect(sms).not.toContain(token);

    expect(await auditActions([id, g.id])).toEqual(['consent.policy_accepted', 'accounts.signed_up', 'guardians.requested', 'guardians.invited']);
    const status = await get(`/api/accounts/${id}/status`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ status: 'pending_guardian', emailVerified: false, phoneVerified: false, guardian: 'pending' });
  }, 30_000);

  it('invites an English-speaking minor’s guardian in English', async () => {
    const { m, mail } = await minorWithInvitation({ language: 'en' });
    expect(mail.parsed.subject).toBe('Adi needs your consent to use Kenalan');
    expect(await smsTo(e164(m.guardianPhone))).toContain('asks for your consent as parent or guardian');
  }, 30_000);
});

describe('the guardian page API', () => {
  it('shows who asks and the policy version, never the NIK, date of birth or contacts', async () => {
    const { m, token } = await minorWithInvitation();
    const response = await get(`/api/guardians/${token}`);
    expect(response.statusCode, response.body).toBe(200);
    const current = await t.services.policy.current();
    expect(response.json()).toEqual({ nickname: 'Adi', username: m.username, language: 'id', policyVersion: current!.version, expiresAt: expect.any(String) });
    expect(response.headers['cache-control']).toBe('no-store');
    for (const secret of [m.nik, m.dateOfBirth, m.email, m.guardianEmail]) expect(response.body).not.toContain(secret);
  }, 30_000);

  it('consent before the minor verifies: recorded, activation waits for phone and email', async () => {
    const { m, id, token } = await minorWithInvitation();
    const g = await guardianOf(id);
    const unticked = await post(`/api/guardians/${token}/consent`, {});
    expect(unticked.statusCode).toBe(400);
    expect(unticked.json().code).toBe('validation_failed');

    const consent = await post(`/api/guardians/${token}/consent`, { confirm: true }, { 'accept-language': 'en', 'user-agent': 'guardian-browser' });
    expect(consent.statusCode, consent.body).toBe(200);
    expect(consent.json()).toEqual({ memberStatus: 'pending_guardian' });
    expect(await memberStatus(id)).toBe('pending_guardian');
    const after = await guardianOf(id);
    expect(after.status).toBe('consented');
    expect(after.language).toBe('en');
    expect(after.consented_at).not.toBeNull();
    expect((await get(`/api/accounts/${id}/status`)).json()).toEqual({ status: 'pending_guardian', emailVerified: false, phoneVerified: false, guardian: 'consented' });

    // The ledger: the policy text shown (in English) and the consent for the minor's account, subject = guardian.
    const ledger = await db().selectFrom('consent_ledger').selectAll().where('subject_type', '=', 'guardian').where('subject_id', '=', g.id).orderBy('at').execute();
    expect(ledger.map((l) => [l.event, l.purpose, l.language])).toEqual([
      ['policy_accepted', null, 'en'],
      ['consent_granted', GUARDIAN_CONSENT_PURPOSE, 'en'],
    ]);
    const doc = await db().selectFrom('policy_documents').select('sha256').where('version', '=', ledger[0]!.policy_version).where('language', '=', 'en').executeTakeFirstOrThrow();
    expect(ledger[0]!.policy_sha256).toBe(doc.sha256);
    expect(ledger[0]!.ip).toMatch(/^enc:v1:/);
    expect(t.services.keyring.decrypt(ledger[0]!.user_agent!, 'consent_ledger.user_agent')).toBe('guardian-browser');

    // The guardian's confirmation (in the language of the page) carries the withdrawal link.
    const confirmation = await mailTo(m.guardianEmail, (x) => (x.parsed.text ?? '').includes('/guardian/withdraw/'));
    expect(confirmation.parsed.subject).toBe("You gave consent for Adi's Kenalan account");
    expect(confirmation.parsed.text).toContain(ledger[0]!.policy_version);

    await verifyMinor(m, id);
    expect(await memberStatus(id)).toBe('active');
    expect((await get(`/api/accounts/${id}/status`)).json()).toEqual({ status: 'active', emailVerified: true, phoneVerified: true, guardian: 'consented' });
    const actions = await auditActions([id, g.id]);
    expect(actions.slice(2)).toEqual([
      'guardians.requested',
      'guardians.invited',
      'consent.policy_accepted',
      'consent.changed',
      'guardians.consented',
      ...(actions.indexOf('accounts.phone_verified') < actions.indexOf('accounts.email_verified')
        ? ['accounts.phone_verified', 'accounts.email_verified']
        : ['accounts.email_verified', 'accounts.phone_verified']),
      'accounts.activated',
    ]);
    const guardianAudit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'guardians.consented').where('subject_id', '=', g.id).executeTakeFirstOrThrow();
    expect(guardianAudit.actor_type).toBe('guardian');
    expect(JSON.stringify(guardianAudit)).not.toContain(m.guardianEmail);
  }, 60_000);

  it('consent after the minor verified: activates at once', async () => {
    const { m, id, token } = await minorWithInvitation();
    await verifyMinor(m, id);
    expect(await memberStatus(id)).toBe('pending_guardian');
    expect((await get(`/api/accounts/${id}/status`)).json()).toEqual({ status: 'pending_guardian', emailVerified: true, phoneVerified: true, guardian: 'pending' });
    const consent = await post(`/api/guardians/${token}/consent`, { confirm: true });
    expect(consent.statusCode, consent.body).toBe(200);
    expect(consent.json()).toEqual({ memberStatus: 'active' });
    expect(await memberStatus(id)).toBe('active');
    const activated = await db().selectFrom('audit_log').selectAll().where('action', '=', 'accounts.activated').where('subject_id', '=', id).executeTakeFirstOrThrow();
    expect(activated.details).toEqual({ from: 'pending_guardian' });
    expect((await verifyAuditLog(db())).ok).toBe(true);
  }, 60_000);

  it('answers bad, expired and used links with clear localized errors', async () => {
    const unknown = await get(`/api/guardians/${crypto.randomBytes(32).toString('base64url')}`, { 'accept-language': 'id' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('guardian_link_invalid');
    expect(unknown.json().detail).toContain('Tautan ini tidak berlaku');
    expect((await post('/api/guardians/x/consent', { confirm: true })).json().code).toBe('guardian_link_invalid');

    const expired = await minorWithInvitation();
    await db().updateTable('guardians').set({ invite_expires_at: new Date(Date.now() - 1000) }).where('member_id', '=', expired.id).execute();
    const late = await get(`/api/guardians/${expired.token}`, { 'accept-language': 'en' });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: 'guardian_link_expired', detail: expect.stringContaining('valid for 7 days') });
    expect((await post(`/api/guardians/${expired.token}/consent`, { confirm: true })).statusCode).toBe(410);
    expect((await post(`/api/guardians/${expired.token}/refuse`, { confirm: true })).statusCode).toBe(410);
    expect(await memberStatus(expired.id)).toBe('pending_guardian');

    const used = await minorWithInvitation();
    expect((await post(`/api/guardians/${used.token}/consent`, { confirm: true })).statusCode).toBe(200);
    const again = await post(`/api/guardians/${used.token}/consent`, { confirm: true }, { 'accept-language': 'en' });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'guardian_link_used', detail: expect.stringContaining('already recorded') });
    expect((await post(`/api/guardians/${used.token}/refuse`, { confirm: true })).json().code).toBe('guardian_link_used');
    expect((await get(`/api/guardians/${used.token}`)).json().code).toBe('guardian_link_used');
    expect(await memberStatus(used.id)).toBe('pending_guardian');
  }, 60_000);

  it('lets the minor ask for the invitation again (at most every 10 minutes); only the newest link works', async () => {
    const { m, id, token } = await minorWithInvitation();
    const soon = await post(`/api/accounts/${id}/guardian-invitation`, {}, { 'accept-language': 'en' });
    expect(soon.statusCode).toBe(429);
    expect(soon.json()).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/wait \d+ seconds/) });

    // A week later the link has expired; the minor asks again.
    await db().updateTable('guardians').set({ invite_expires_at: new Date(Date.now() - 1000) }).where('member_id', '=', id).execute();
    expect((await get(`/api/guardians/${token}`)).json().code).toBe('guardian_link_expired');
    expect((await post(`/api/accounts/${id}/guardian-invitation`, {})).statusCode).toBe(204);
    const again = await mailTo(m.guardianEmail, (x) => !(x.parsed.text ?? '').includes(token) && (x.parsed.text ?? '').includes('/guardian/'));
    const fresh = inviteTokenIn(again.parsed.text ?? '');
    expect(fresh).not.toBe(token);
    expect((await get(`/api/guardians/${token}`)).json().code).toBe('guardian_link_invalid');
    expect((await get(`/api/guardians/${fresh}`)).statusCode).toBe(200);
    await waitFor(async () => {
      const rows = await db().selectFrom('dev_sms_outbox').select('to_number').execute();
      const n = rows.filter((r) => t.services.keyring.decrypt(r.to_number, 'dev_sms_outbox.to_number') === e164(m.guardianPhone)).length;
      return n === 2 ? n : undefined;
    });

    expect((await post(`/api/guardians/${fresh}/consent`, { confirm: true })).statusCode).toBe(200);
    expect((await post(`/api/accounts/${id}/guardian-invitation`, {})).json().code).toBe('guardian_link_used');
    expect((await post(`/api/accounts/${crypto.randomUUID()}/guardian-invitation`, {})).statusCode).toBe(404);
  }, 60_000);

  it('refuses a consent without the CSRF token', async () => {
    const { id, token } = await minorWithInvitation();
    const response = await t.app.inject({ method: 'POST', url: `/api/guardians/${token}/consent`, headers: { 'x-forwarded-for': nextIp() }, payload: { confirm: true } });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('csrf_invalid');
    expect((await guardianOf(id)).status).toBe('pending');
  }, 30_000);
});

describe('refusal', () => {
  it('deletes the pending account, its rows and photo files, keeps ledger and audit, and tells the minor', async () => {
    const { m, id, token } = await minorWithInvitation();
    const g = await guardianOf(id);
    const dir = path.join(t.dataDir, 'media', 'members', id);
    expect(fs.readdirSync(dir)).toHaveLength(3);
    // A session row too (the minor cannot sign in yet, but whatever exists for the member goes).
    await db().insertInto('sessions').values({ id: crypto.randomUUID(), token_hash: 'x'.repeat(64), member_id: id, device_label: 'Test', ip: null, user_agent: null, created_at: new Date(), last_seen_at: new Date(), expires_at: new Date(Date.now() + 3600_000) }).execute();

    const unconfirmed = await post(`/api/guardians/${token}/refuse`, {});
    expect(unconfirmed.statusCode).toBe(400);
    const refused = await post(`/api/guardians/${token}/refuse`, { confirm: true });
    expect(refused.statusCode, refused.body).toBe(204);

    expect(await memberStatus(id)).toBeUndefined();
    for (const table of ['member_photos', 'verification_codes', 'guardians', 'sessions'] as const) {
      expect(await db().selectFrom(table).select('id').where('member_id', '=', id).execute(), table).toEqual([]);
    }
    expect(fs.existsSync(dir)).toBe(false);

    // Append-only evidence stays: the minor's policy acceptance (encrypted IP/browser) and the audit trail, ids only.
    const ledger = await db().selectFrom('consent_ledger').selectAll().where('subject_id', '=', id).execute();
    expect(ledger.map((l) => l.event)).toEqual(['policy_accepted']);
    const audit = await db().selectFrom('audit_log').selectAll().where('subject_id', 'in', [id, g.id]).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['consent.policy_accepted', 'accounts.signed_up', 'guardians.requested', 'guardians.invited', 'guardians.refused', 'accounts.deleted']);
    expect(audit.at(-1)!.details).toEqual({ reason: 'guardian_refused', photos: 1 });
    const auditText = JSON.stringify(audit);
    for (const secret of [m.email, m.guardianEmail, m.nik, m.username]) expect(auditText).not.toContain(secret);
    expect((await verifyAuditLog(db())).ok).toBe(true);

    const notice = await mailTo(m.email, (x) => x.parsed.subject === 'Pendaftaran Kenalan Anda tidak disetujui');
    expect(notice.parsed.text).toContain('menghapus akun dan foto profil Anda');

    // The link is gone with the sign-up; so is the status.
    expect((await get(`/api/guardians/${token}`)).json().code).toBe('guardian_link_invalid');
    expect((await post(`/api/guardians/${token}/consent`, { confirm: true })).statusCode).toBe(404);
    expect((await get(`/api/accounts/${id}/status`)).statusCode).toBe(404);
    // The same person may sign up again (email, phone and NIK are free again).
    expect((await signUp({ ...m, username: `${m.username}_b` })).statusCode).toBe(201);
  }, 60_000);
});

describe('withdrawal', () => {
  it('suspends the account, ends every session, records the withdrawal and tells the member', async () => {
    const { m, id, token } = await minorWithInvitation();
    const g = await guardianOf(id);
    await verifyMinor(m, id);
    expect((await post(`/api/guardians/${token}/consent`, { confirm: true })).json()).toEqual({ memberStatus: 'active' });
    const confirmation = await mailTo(m.guardianEmail, (x) => (x.parsed.text ?? '').includes('/guardian/withdraw/'));
    const withdrawToken = withdrawTokenIn(confirmation.parsed.text ?? '');
    expect((await guardianOf(id)).withdraw_hash).toBe(crypto.createHash('sha256').update(withdrawToken).digest('hex'));

    // Two signed-in devices (session rows as the session service writes them: sha256 of the cookie token).
    const tokens = [crypto.randomBytes(32).toString('base64url'), crypto.randomBytes(32).toString('base64url')];
    for (const [i, cookieToken] of tokens.entries()) {
      const now = new Date();
      await db()
        .insertInto('sessions')
        .values({
          id: crypto.randomUUID(),
          token_hash: crypto.createHash('sha256').update(cookieToken).digest('hex'),
          member_id: id,
          device_label: `Device ${i}`,
          ip: null,
          user_agent: null,
          created_at: now,
          last_seen_at: now,
          expires_at: new Date(now.getTime() + 3600_000),
        })
        .execute();
    }

    const view = await get(`/api/guardians/withdraw/${withdrawToken}`);
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json()).toEqual({ nickname: 'Adi', username: m.username, language: 'id' });
    expect((await post(`/api/guardians/withdraw/${withdrawToken}`, {})).statusCode).toBe(400);
    const withdrawn = await post(`/api/guardians/withdraw/${withdrawToken}`, { confirm: true });
    expect(withdrawn.statusCode, withdrawn.body).toBe(204);

    expect(await memberStatus(id)).toBe('suspended');
    const sessions = await db().selectFrom('sessions').select('revoked_at').where('member_id', '=', id).execute();
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    const me = await get('/api/me', { cookie: `${SESSION_COOKIE}=${tokens[1]}` });
    expect(me.statusCode).toBe(401);
    expect((await get(`/api/accounts/${id}/status`)).json()).toEqual({ status: 'suspended', emailVerified: true, phoneVerified: true, guardian: 'withdrawn' });

    const ledger = await db().selectFrom('consent_ledger').selectAll().where('subject_type', '=', 'guardian').where('subject_id', '=', g.id).orderBy('at').orderBy('event').execute();
    expect(ledger.filter((l) => l.purpose === GUARDIAN_CONSENT_PURPOSE).map((l) => l.event)).toEqual(['consent_granted', 'consent_withdrawn']);
    expect(await t.services.consent.guardianConsent(g.id)).toMatchObject({ granted: false });
    const audit = await db().selectFrom('audit_log').selectAll().where('subject_id', 'in', [id, g.id]).orderBy('seq').execute();
    expect(audit.slice(-2).map((a) => [a.action, a.actor_type])).toEqual([
      ['guardians.withdrawn', 'guardian'],
      ['accounts.suspended', 'guardian'],
    ]);
    expect(audit.at(-1)!.details).toEqual({ reason: 'guardian_withdrew', sessionsEnded: 2 });

    const notice = await mailTo(m.email, (x) => x.parsed.subject === 'Akun Kenalan Anda ditangguhkan');
    expect(notice.parsed.text).toContain('menarik persetujuannya');

    // Used once: the link now says so.
    const again = await post(`/api/guardians/withdraw/${withdrawToken}`, { confirm: true }, { 'accept-language': 'en' });
    expect(again.statusCode).toBe(410);
    expect(again.json().code).toBe('guardian_link_used');
    expect((await get(`/api/guardians/withdraw/${crypto.randomBytes(32).toString('base64url')}`)).json().code).toBe('guardian_link_invalid');
    expect((await verifyAuditLog(db())).ok).toBe(true);
  }, 60_000);
});

describe('GET /api/accounts/:id/status', () => {
  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await get(`/api/accounts/${crypto.randomUUID()}/status`)).statusCode).toBe(404);
    expect((await get('/api/accounts/nope/status')).statusCode).toBe(400);
  });
});
