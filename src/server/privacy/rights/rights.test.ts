import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';
import { grantStaffRole } from '../../ops/staff/guard.js';
import { REVEAL_HEADER } from '../your-data/routes.js';
import { maskValue } from '../your-data/mask.js';
import { isRestricted } from './restrictions.js';
import { RIGHTS_REQUEST_DUE_MS } from './requests.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
}, 60_000);
afterAll(() => t.close());

const db = () => t.database.db;
// geoip-lite places this address in Jakarta (see login-security.test.ts).
const JAKARTA = '103.10.66.81';
let ipCounter = 0;
const nextIp = () => `100.64.8.${(ipCounter++ % 250) + 1}`;

async function signedIn(n: number, ip = nextIp()) {
  const m = await signUpMember(t, n, { language: 'en' });
  return { ...m, cookie: await sessionOf(m.username, ip) };
}
async function sessionOf(username: string, ip = nextIp()) {
  const login = await signIn(t, username, PASSWORD, { ip });
  expect(login.statusCode, login.body).toBe(201);
  return `${SESSION_COOKIE}=${sessionCookieOf(login)!.value}`;
}
async function send(cookie: string, method: 'POST' | 'PUT' | 'PATCH', url: string, payload: object, headers: Record<string, string> = {}) {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method, url, headers: { ...csrf, cookie: `${csrf.cookie}; ${cookie}`, 'accept-language': 'en', ...headers }, payload });
}
const get = (cookie: string, url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'en', ...headers } });
const actions = async (memberId: string) =>
  (await db().selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', memberId).orderBy('seq').execute()).map((r) => ({ action: r.action, details: r.details }));

describe('reveal after re-authentication (issue 5 item 1)', () => {
  it('never sends masked values in the plain body; the password gives a 5-minute token bound to the session; audited', async () => {
    const m = await signedIn(4201);
    const plain = await get(m.cookie, '/api/me/data');
    expect(plain.statusCode, plain.body).toBe(200);
    for (const secret of [m.email, m.nik, '1990-03-12']) expect(plain.body).not.toContain(secret);
    expect(plain.body).toContain(JSON.stringify(maskValue(m.email)));
    expect(plain.json()).toMatchObject({ revealed: false });

    const wrong = await send(m.cookie, 'POST', '/api/me/data/reveal', { password: 'not it at all' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'reauth_failed' });

    const ok = await send(m.cookie, 'POST', '/api/me/data/reveal', { password: PASSWORD });
    expect(ok.statusCode, ok.body).toBe(200);
    const { token, expiresAt } = ok.json() as { token: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
    const revealed = await get(m.cookie, '/api/me/data', { [REVEAL_HEADER]: token });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toMatchObject({ revealed: true });
    expect(revealed.body).toContain(m.email);
    expect(revealed.body).toContain(m.nik);
    // Still no secrets.
    const hash = (await db().selectFrom('members').select('password_hash').where('id', '=', m.id).executeTakeFirstOrThrow()).password_hash;
    expect(revealed.body).not.toContain(hash);

    // Bound to the session: the same member's other session, and forged or expired tokens, are refused.
    const otherSession = await sessionOf(m.username);
    const elsewhere = await get(otherSession, '/api/me/data', { [REVEAL_HEADER]: token });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({ code: 'reveal_invalid' });
    const [expiry, mac] = token.split('.');
    for (const forged of [`${Number(expiry) + 60_000}.${mac}`, `${Date.now() - 1000}.${mac}`, 'x', `${expiry}.${'A'.repeat(43)}`]) {
      expect((await get(m.cookie, '/api/me/data', { [REVEAL_HEADER]: forged })).statusCode).toBe(403);
    }
    expect((await actions(m.id)).filter((a) => a.action === 'member.data_revealed')).toHaveLength(1);
  });
});

describe('correction (issue 5 item 6)', () => {
  it('corrects nickname, language and gender in one transaction, audited, as a completed correction request', async () => {
    const m = await signedIn(4202);
    const before = await get(m.cookie, '/api/me/account-details');
    expect(before.json()).toEqual({ nickname: 'Dewi', language: 'en', gender: 'female', emailMasked: maskValue(m.email), phoneMasked: expect.stringMatching(/•+\d{4}$/) });

    const changed = await send(m.cookie, 'PATCH', '/api/me/account-details', { nickname: '  Dewi Lestari ', language: 'id', gender: 'nonbinary' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ profile: { nickname: 'Dewi Lestari', language: 'id', gender: 'nonbinary' }, corrected: ['nickname', 'language', 'gender'] });
    const row = await db().selectFrom('members').select(['nickname', 'language', 'gender']).where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.nickname).toMatch(/^enc:v1:/);
    expect(t.services.keyring.decrypt(row.nickname, 'members.nickname')).toBe('Dewi Lestari');
    expect(row).toMatchObject({ language: 'id', gender: 'nonbinary' });
    // The session now answers in the corrected language.
    expect((await get(m.cookie, '/api/me')).json()).toMatchObject({ language: 'id' });

    const requests = await db().selectFrom('rights_requests').selectAll().where('member_id', '=', m.id).execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ kind: 'correction' });
    expect(requests[0]!.completed_at!.getTime()).toBe(requests[0]!.received_at.getTime());
    expect(requests[0]!.due_at.getTime() - requests[0]!.received_at.getTime()).toBe(RIGHTS_REQUEST_DUE_MS);
    const audit = (await actions(m.id)).filter((a) => a.action === 'rights.corrected');
    expect(audit).toEqual([{ action: 'rights.corrected', details: { requestId: requests[0]!.id, fields: ['nickname', 'language', 'gender'] } }]);
    expect(JSON.stringify(audit)).not.toContain('Lestari');

    // Nothing changed: no request.
    const same = await send(m.cookie, 'PATCH', '/api/me/account-details', { nickname: 'Dewi Lestari' });
    expect(same.json()).toMatchObject({ corrected: [] });
    expect(await db().selectFrom('rights_requests').select('id').where('member_id', '=', m.id).execute()).toHaveLength(1);
  });

  it('refuses an empty or too long nickname, a gender the NIK contradicts, and unknown fields', async () => {
    const m = await signedIn(4203);
    const empty = await send(m.cookie, 'PATCH', '/api/me/account-details', { nickname: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([expect.objectContaining({ field: 'nickname', code: 'required' })]);
    const long = await send(m.cookie, 'PATCH', '/api/me/account-details', { nickname: 'x'.repeat(41) });
    expect(long.json().errors).toEqual([expect.objectContaining({ field: 'nickname', code: 'tooLong' })]);
    // The fixture's NIK records a woman (day of birth + 40): "male" contradicts it, other genders never do.
    const male = await send(m.cookie, 'PATCH', '/api/me/account-details', { gender: 'male' });
    expect(male.statusCode).toBe(400);
    expect(male.json().errors).toEqual([expect.objectContaining({ field: 'gender', code: 'genderMismatch' })]);
    expect((await send(m.cookie, 'PATCH', '/api/me/account-details', { gender: 'unspecified' })).statusCode).toBe(200);
    expect((await send(m.cookie, 'PATCH', '/api/me/account-details', {})).statusCode).toBe(400);
    // Email and phone are not corrected here (they change through re-verification in identity/recovery).
    const email = await send(m.cookie, 'PATCH', '/api/me/account-details', { email: 'someone' });
    expect(email.statusCode).toBe(400);
    expect((await db().selectFrom('members').select('gender').where('id', '=', m.id).executeTakeFirstOrThrow()).gender).toBe('unspecified');
    expect((await t.app.inject({ method: 'GET', url: '/api/me/account-details' })).statusCode).toBe(401);
  });
});

describe('restriction of processing (issue 5 item 6)', () => {
  it('a location restriction stops the sign-in place and the shared browser location from being stored', async () => {
    const m = await signUpMember(t, 4204, { language: 'en' });
    // Before: a sign-in from Jakarta stores the approximate place.
    const first = await sessionOf(m.username, JAKARTA);
    const placed = await db().selectFrom('sessions').select('place').where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(placed.place).toMatch(/^enc:v1:/);

    const put = await send(first, 'PUT', '/api/me/restrictions', { restricted: ['location'] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ restrictions: [{ category: 'location' }], categories: ['location', 'device', 'usage'] });
    expect(await isRestricted(db(), m.id, 'location')).toBe(true);
    expect(await isRestricted(db(), m.id, 'device')).toBe(false);

    // After: a new sign-in from the same place stores no place…
    await sessionOf(m.username, JAKARTA);
    const sessions = await db().selectFrom('sessions').select(['place', 'location']).where('member_id', '=', m.id).orderBy('created_at').execute();
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toEqual({ place: null, location: null });
    // …and sharing the browser location is refused and stores nothing.
    const share = await send(first, 'PUT', '/api/sessions/current/location', { latitude: -6.2, longitude: 106.8, accuracy: 30 });
    expect(share.statusCode).toBe(409);
    expect(share.json()).toMatchObject({ code: 'processing_restricted' });
    expect((await db().selectFrom('sessions').select('location').where('member_id', '=', m.id).where('location', 'is not', null).execute())).toHaveLength(0);

    const requests = await db().selectFrom('rights_requests').selectAll().where('member_id', '=', m.id).execute();
    expect(requests).toEqual([expect.objectContaining({ kind: 'restriction', completed_at: expect.any(Date) })]);

    // Lifting it: the row goes, sharing works again; audited both ways.
    const lifted = await send(first, 'PUT', '/api/me/restrictions', { restricted: [] });
    expect(lifted.json()).toMatchObject({ restrictions: [] });
    expect((await send(first, 'PUT', '/api/sessions/current/location', { latitude: -6.2, longitude: 106.8, accuracy: 30 })).statusCode).toBe(200);
    expect((await actions(m.id)).filter((a) => a.action === 'rights.restriction_changed').map((a) => a.details)).toEqual([
      { requestId: requests[0]!.id, category: 'location', restricted: true },
      { requestId: null, category: 'location', restricted: false },
    ]);
    expect((await send(first, 'PUT', '/api/me/restrictions', { restricted: ['identity'] })).statusCode).toBe(400);
  });
});

describe("privacy officer's request log (issue 5 item 8)", () => {
  it('lists every rights request with deadline, completion and overdue flag, filtered and paged, usernames only; each view audited', async () => {
    const member = await signedIn(4205);
    const officer = await signedIn(4206);
    await grantStaffRole(db(), officer.username, 'privacy_officer');
    const now = Date.now();
    const hour = 3600 * 1000;
    const rows = [
      { kind: 'erasure' as const, received: now - 100 * hour, completed: null },
      { kind: 'access' as const, received: now - 80 * hour, completed: now - 79 * hour },
      { kind: 'objection' as const, received: now - 90 * hour, completed: now - 10 * hour },
      { kind: 'correction' as const, received: now - 1 * hour, completed: null },
    ];
    for (const r of rows) {
      await db()
        .insertInto('rights_requests')
        .values({ id: crypto.randomUUID(), member_id: member.id, kind: r.kind, received_at: new Date(r.received), due_at: new Date(r.received + RIGHTS_REQUEST_DUE_MS), completed_at: r.completed ? new Date(r.completed) : null })
        .execute();
    }
    const all = await get(officer.cookie, '/api/staff/rights-requests');
    expect(all.statusCode, all.body).toBe(200);
    const body = all.json() as { requests: { kind: string; username: string; overdue: boolean; completedAt: string | null }[]; total: number };
    const mine = body.requests.filter((r) => r.username === member.username);
    expect(mine.map((r) => [r.kind, r.overdue, r.completedAt !== null])).toEqual([
      ['correction', false, false],
      ['access', false, true],
      ['objection', true, true],
      ['erasure', true, false],
    ]);
    expect(all.body).not.toContain(member.email);
    expect(all.body).not.toContain(member.id);

    const overdue = (await get(officer.cookie, '/api/staff/rights-requests?status=overdue')).json() as { requests: { kind: string; username: string }[] };
    expect(overdue.requests.map((r) => [r.kind, r.username])).toEqual([['erasure', member.username]]);
    const open = (await get(officer.cookie, '/api/staff/rights-requests?status=open&kind=correction')).json() as { requests: { kind: string; username: string }[] };
    expect(open.requests.map((r) => [r.kind, r.username])).toEqual([['correction', member.username]]);
    const paged = (await get(officer.cookie, `/api/staff/rights-requests?page=2&pageSize=${body.total - 1}`)).json() as { requests: { username: string }[]; total: number; page: number };
    expect(paged).toMatchObject({ page: 2, total: body.total });
    // Oldest last: the member's erasure request of 100 hours ago is the one on page 2.
    expect(paged.requests).toEqual([expect.objectContaining({ username: member.username, kind: 'erasure' })]);
    expect((await get(officer.cookie, '/api/staff/rights-requests?page=abc')).statusCode).toBe(400);

    // The member sees each view on "your data": time, role, purpose.
    const reads = (await get(member.cookie, '/api/me/data')).json().accesses as { role: string; purpose: string; what: string }[];
    expect(reads.filter((a) => a.role === 'privacy_officer' && a.purpose === 'accountability' && a.what === 'rights_requests'), JSON.stringify(reads)).toHaveLength(4);
  });
});

describe('export upkeep (issue 5 item 5: files at rest, expiry)', () => {
  function unzipNames(bytes: Buffer): Promise<string[]> {
    return new Promise((resolve, reject) => {
      yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
        if (err || !zip) return reject(err);
        const names: string[] = [];
        zip.on('entry', (e: yauzl.Entry) => {
          names.push(e.fileName);
          zip.readEntry();
        });
        zip.on('end', () => resolve(names));
        zip.on('error', reject);
        zip.readEntry();
      });
    });
  }

  it('encrypts the ZIP at rest, decrypts it while streaming, and the sweeper deletes expired files and orphans', async () => {
    const m = await signedIn(4207);
    const requested = await send(m.cookie, 'POST', '/api/me/exports', { password: PASSWORD });
    expect(requested.statusCode, requested.body).toBe(202);
    const { id } = requested.json() as { id: string };
    expect(await t.services.exports.build(id)).toBe('built');
    const row = await db().selectFrom('data_exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.file_key).toMatch(/^enc:v1:/);
    const file = path.join(t.dataDir, row.file_path!);
    const onDisk = fs.readFileSync(file);
    // Not a ZIP on disk (a ZIP starts with "PK"), and none of the member's values in clear.
    expect(onDisk.subarray(0, 2).toString('latin1')).not.toBe('PK');
    expect(onDisk.toString('latin1')).not.toContain(m.username);

    const download = await send(m.cookie, 'POST', `/api/me/exports/${id}/download`, { password: PASSWORD });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.rawPayload.length).toBe(row.bytes);
    expect(await unzipNames(download.rawPayload)).toEqual(expect.arrayContaining(['index.html', 'data/identity.json']));

    // Forged links: an id that is no export, and one that is not an id at all.
    const forged = await send(m.cookie, 'POST', `/api/me/exports/${crypto.randomUUID()}/download`, { password: PASSWORD });
    expect(forged.statusCode).toBe(404);
    expect((await send(m.cookie, 'POST', '/api/me/exports/..%2F..%2Fmaster.key/download', { password: PASSWORD })).statusCode).toBe(400);

    // An orphan (e.g. the export of an erased member) and a stale partial file.
    const exportsDir = path.dirname(file);
    fs.writeFileSync(path.join(exportsDir, `${crypto.randomUUID()}.zip.enc`), 'orphan');
    fs.writeFileSync(path.join(exportsDir, `${crypto.randomUUID()}.zip.enc.partial`), 'stale');
    expect(await t.services.exports.sweep()).toEqual({ expired: 0, orphansRemoved: 2 });
    expect(fs.existsSync(file)).toBe(true);

    // Expired: the sweeper deletes the file, marks the row, audits; the download says expired.
    await db().updateTable('data_exports').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    expect(await t.services.exports.sweep()).toEqual({ expired: 1, orphansRemoved: 0 });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(exportsDir)).toEqual([]);
    expect(await db().selectFrom('data_exports').select(['status', 'file_path', 'file_key']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'expired', file_path: null, file_key: null });
    expect((await actions(m.id)).filter((a) => a.action === 'privacy.export_expired')).toEqual([{ action: 'privacy.export_expired', details: { exportId: id, fileDeleted: true } }]);
    const expired = await send(m.cookie, 'POST', `/api/me/exports/${id}/download`, { password: PASSWORD });
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ code: 'export_expired' });
    expect((await get(m.cookie, '/api/me/exports')).json().exports[0]).toMatchObject({ id, status: 'expired' });
  });

  it('a file altered on disk is not delivered as a complete export', async () => {
    const m = await signedIn(4208);
    const { id } = (await send(m.cookie, 'POST', '/api/me/exports', { password: PASSWORD })).json() as { id: string };
    await t.services.exports.build(id);
    const row = await db().selectFrom('data_exports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const file = path.join(t.dataDir, row.file_path!);
    const bytes = fs.readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    let complete = false;
    try {
      const response = await send(m.cookie, 'POST', `/api/me/exports/${id}/download`, { password: PASSWORD });
      complete = response.statusCode === 200 && response.rawPayload.length === row.bytes && (await unzipNames(response.rawPayload).then(() => true, () => false));
    } catch {
      complete = false;
    }
    expect(complete).toBe(false);
  });
});

describe('consent check cache (bench/results/consent-check.md)', () => {
  it('answers repeated checks from memory, yet a withdrawal or grant takes effect at once', async () => {
    const m = await signUpMember(t, 4209);
    const subject = { type: 'member' as const, id: m.id };
    const set = (granted: boolean) =>
      db().transaction().execute((trx) => t.services.consent.setConsent(trx, { subject, language: 'id' }, 'marketing_email', granted));
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(false);
    await set(true);
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(true);
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(true);
    await set(false);
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(false);
    // A change rolled back leaves the answer as it was.
    await expect(
      db()
        .transaction()
        .execute(async (trx) => {
          await t.services.consent.setConsent(trx, { subject, language: 'id' }, 'marketing_email', true);
          expect(await t.services.consent.hasConsent(subject, 'marketing_email', trx)).toBe(true);
          throw new Error('roll back');
        }),
    ).rejects.toThrow('roll back');
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(false);
    await set(true);
    expect(await t.services.consent.hasConsent(subject, 'marketing_email')).toBe(true);
  });
});
