import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.js';
import { PASSWORD, signIn } from '../../identity/login-security/test-members.js';
import { appendAudit, verifyAuditLog } from '../../platform/audit/audit-log.js';
import { call, signedInMember, type SignedIn } from '../../social/graph/test-helpers.js';
import type { OutgoingMail } from '../../platform/mail/mailer.js';
import { grantStaffRole } from '../staff/guard.js';
import { registerModerationWorkers } from './workers.js';

/**
 * The moderators' side of member reports (issue 4 item 6) over HTTP on the real app: who may work
 * the queue, what one case shows (only the attached evidence, decrypted; every read on the members'
 * access logs), each decision's effect, and that a decided case is no longer readable.
 */
let t: TestApp;
/** r reports d; p is a member without a role (and reports d too); f is a face reviewer; m the moderator. */
let r: SignedIn, d: SignedIn, p: SignedIn, f: SignedIn, m: SignedIn;
const db = () => t.database.db;
/** Mail the moderation job sent (this file registers only that worker, with a recording mailer). */
const mailed: OutgoingMail[] = [];

beforeAll(async () => {
  t = await createTestApp({ workers: false });
  await registerModerationWorkers({
    jobs: t.services.jobs,
    moderation: t.services.moderation,
    mailer: { kind: 'dev-mailbox', close: () => undefined, send: async (mail) => (mailed.push(mail), { messageId: `m${mailed.length}` }) },
    publicUrl: 'https://kenalan.example',
    logger: t.services.logger,
  });
  [r, d, p, f, m] = (await Promise.all([1, 2, 3, 4, 5].map((n) => signedInMember(t, 2500 + n)))) as [SignedIn, SignedIn, SignedIn, SignedIn, SignedIn];
  await grantStaffRole(db(), f.username, 'face_reviewer');
  await grantStaffRole(db(), m.username, 'moderator');
}, 120_000);
afterAll(() => t.close());

const staffReads = (memberId: string) =>
  db().selectFrom('audit_log').select(['actor_type', 'actor_id', 'purpose', 'details']).where('action', '=', 'staff.data_read').where('subject_id', '=', memberId).orderBy('seq').execute();
const notificationsOf = (memberId: string) => db().selectFrom('notifications').select(['kind', 'actor_id', 'object_id']).where('member_id', '=', memberId).orderBy('created_at').execute();
const caseRow = (id: string) => db().selectFrom('moderation_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function report(who: SignedIn, body: Record<string, unknown>): Promise<string> {
  const filed = await call(t, who, 'POST', '/api/reports', { member: d.username, ...body });
  expect(filed.statusCode, filed.body).toBe(201);
  return filed.json().id as string;
}

let withEvidence: string;
let plain: string;
const messages: { id: string; body: string }[] = [];

describe('moderation queue', () => {
  it('is only for moderators; a case shows only the attached evidence, decrypted, and every read is on the members’ access logs', async () => {
    // r and d connect and chat: d writes three messages, r one.
    const asked = (await call(t, r, 'POST', '/api/requests', { to: d.username })).json();
    expect((await call(t, d, 'POST', `/api/requests/${asked.id}/accept`)).statusCode).toBe(200);
    for (const [i, [who, to, body]] of ([
      [d, r, 'Kirim dulu uangnya ke rekening ini'],
      [d, r, 'Pesan biasa yang tidak dilampirkan'],
      [r, d, 'Tidak mau, ini penipuan'],
      [d, r, 'Nanti saya laporkan kamu'],
    ] as const).entries()) {
      const sent = await call(t, who, 'POST', `/api/chats/${to.id}/messages`, { clientKey: `moderation-${i}-000`, body });
      expect(sent.statusCode, sent.body).toBe(201);
      messages.push({ id: sent.json().message.id, body });
    }
    const attached = [messages[0]!, messages[2]!, messages[3]!];
    withEvidence = await report(r, { category: 'scam', message: 'Dia minta transfer uang.', evidenceMessageIds: attached.map((x) => x.id) });
    plain = await report(p, { category: 'harassment' });

    // Not a moderator: refused (and audited); nobody signed in: 401.
    for (const who of [p, f, r]) {
      for (const url of ['/api/staff/reports', `/api/staff/reports/${withEvidence}`]) {
        const refused = await call(t, who, 'GET', url);
        expect(refused.statusCode, url).toBe(403);
        expect(refused.json().code).toBe('staff_only');
      }
      const decided = await call(t, who, 'POST', `/api/staff/reports/${withEvidence}/decision`, { decision: 'dismiss', note: 'tidak ada pelanggaran' });
      expect(decided.statusCode).toBe(403);
    }
    expect((await call(t, null, 'GET', '/api/staff/reports')).statusCode).toBe(401);
    expect((await caseRow(withEvidence)).status).toBe('open');
    expect(await staffReads(r.id)).toEqual([]);
    expect(await staffReads(d.id)).toEqual([]);

    // The queue: oldest first, category and waiting time, no personal data.
    const queue = await call(t, m, 'GET', '/api/staff/reports');
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.headers['cache-control']).toContain('no-store');
    const cases = queue.json().cases as { id: string; category: string; waitedSeconds: number; evidence: number; hasMessage: boolean }[];
    expect(cases.map((c) => c.id)).toEqual([withEvidence, plain]);
    expect(cases[0]).toMatchObject({ category: 'scam', evidence: 3, hasMessage: true });
    expect(cases[0]!.waitedSeconds).toBeGreaterThanOrEqual(0);
    expect(queue.body).not.toContain(d.username);
    expect(queue.body).not.toContain('transfer');
    // Listing reads nobody's personal data.
    expect(await staffReads(d.id)).toEqual([]);

    // One case: reporter, the reported member's public profile, the report, only the attached messages.
    const one = await call(t, m, 'GET', `/api/staff/reports/${withEvidence}`);
    expect(one.statusCode, one.body).toBe(200);
    const view = one.json();
    expect(view).toMatchObject({
      id: withEvidence,
      category: 'scam',
      reporter: { memberId: r.id, username: r.username, nickname: 'Dewi' },
      reported: { memberId: d.id, status: 'active', profile: { username: d.username, nickname: 'Dewi', viewer: 'stranger' } },
      message: 'Dia minta transfer uang.',
      otherReports: { open: 1, closed: 0 },
      decisions: ['dismiss', 'warn', 'suspend'],
    });
    expect(view.evidence.map((e: { id: string; body: string; from: string }) => [e.id, e.body, e.from])).toEqual([
      [messages[0]!.id, messages[0]!.body, 'reported'],
      [messages[2]!.id, messages[2]!.body, 'reporter'],
      [messages[3]!.id, messages[3]!.body, 'reported'],
    ]);
    expect(one.body).not.toContain(messages[1]!.body);

    // Each member whose data was shown has the read on their access log (staff actor, role, purpose, what).
    const read = { actor_type: 'staff', actor_id: m.id, purpose: 'security' };
    expect(await staffReads(r.id)).toEqual([
      { ...read, details: { role: 'moderator', what: 'moderation_report' } },
      { ...read, details: { role: 'moderator', what: 'moderation_evidence' } },
    ]);
    expect(await staffReads(d.id)).toEqual([
      { ...read, details: { role: 'moderator', what: 'moderation_case' } },
      { ...read, details: { role: 'moderator', what: 'moderation_evidence' } },
    ]);
    // …which "your data" lists for the member, like other staff reads.
    const yourData = await call(t, d, 'GET', '/api/me/data');
    expect(yourData.statusCode, yourData.body).toBe(200);
    expect(yourData.body).toContain('moderation_evidence');

    // A case without evidence reads no chat message and logs no evidence read.
    const other = (await call(t, m, 'GET', `/api/staff/reports/${plain}`)).json();
    expect(other).toMatchObject({ reporter: { username: p.username }, message: null, evidence: [], otherReports: { open: 1, closed: 0 } });
    expect((await staffReads(p.id)).map((x) => (x.details as { what: string }).what)).toEqual(['moderation_report']);

    // Unknown ids are 404.
    expect((await call(t, m, 'GET', `/api/staff/reports/${crypto.randomUUID()}`)).statusCode).toBe(404);
  });

  it('a reporter who deleted their account shows as a former member; a moderator never sees a case they filed', async () => {
    const gone = await report(p, { category: 'spam' });
    await db().updateTable('moderation_cases').set({ reporter_id: null }).where('id', '=', gone).execute();
    const view = (await call(t, m, 'GET', `/api/staff/reports/${gone}`)).json();
    expect(view.reporter).toBeNull();

    const own = await report(m, { category: 'other' });
    expect((await call(t, m, 'GET', '/api/staff/reports')).json().cases.map((c: { id: string }) => c.id)).not.toContain(own);
    expect((await call(t, m, 'GET', `/api/staff/reports/${own}`)).statusCode).toBe(404);
    expect((await call(t, m, 'POST', `/api/staff/reports/${own}/decision`, { decision: 'dismiss', note: 'x' })).statusCode).toBe(404);
    // Tidy up for the next test: close both with a second moderator.
    await grantStaffRole(db(), f.username, 'moderator');
    for (const id of [gone, own]) expect((await call(t, f, 'POST', `/api/staff/reports/${id}/decision`, { decision: 'dismiss', note: 'uji' })).statusCode).toBe(200);
  });
});

describe('decisions', () => {
  it('warn: closes the case with the note encrypted, warns the member in the app, tells the reporter only that it was handled; the closed case is gone (410)', async () => {
    const empty = await call(t, m, 'POST', `/api/staff/reports/${withEvidence}/decision`, { decision: 'warn', note: '   ' }, { language: 'id' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([{ field: 'note', code: 'required', message: 'Tulis catatan tentang keputusan Anda untuk moderator lain.' }]);
    expect((await caseRow(withEvidence)).status).toBe('open');

    const warned = await call(t, m, 'POST', `/api/staff/reports/${withEvidence}/decision`, { decision: 'warn', note: 'Meminta uang; peringatan pertama.' });
    expect(warned.statusCode, warned.body).toBe(200);
    expect(warned.json()).toEqual({ decision: 'warned', sessionsEnded: 0 });
    const row = await caseRow(withEvidence);
    expect(row).toMatchObject({ status: 'closed', decision: 'warned', decided_by: m.id });
    expect(row.closed_at).toBeInstanceOf(Date);
    expect(row.staff_note).toMatch(/^enc:v1:/);
    expect(t.services.keyring.decrypt(row.staff_note!, 'moderation_cases.staff_note')).toBe('Meminta uang; peringatan pertama.');

    expect((await notificationsOf(d.id)).filter((n) => n.kind === 'moderation_warning')).toEqual([{ kind: 'moderation_warning', actor_id: null, object_id: withEvidence }]);
    expect((await notificationsOf(r.id)).filter((n) => n.kind === 'report_handled')).toEqual([{ kind: 'report_handled', actor_id: null, object_id: withEvidence }]);
    // The member's notification list carries it (the app words it in their language).
    const listed = (await call(t, d, 'GET', '/api/notifications')).json().notifications as { kind: string }[];
    expect(listed.map((n) => n.kind)).toContain('moderation_warning');

    const decided = (await db().selectFrom('audit_log').select(['actor_type', 'actor_id', 'details']).where('action', '=', 'moderation.case_decided').where('subject_id', '=', d.id).execute()).filter(
      (a) => (a.details as { caseId: string }).caseId === withEvidence,
    );
    expect(decided).toEqual([{ actor_type: 'staff', actor_id: m.id, details: { caseId: withEvidence, decision: 'warned', category: 'scam', reporterId: r.id } }]);
    expect(JSON.stringify(decided)).not.toContain('peringatan');

    // Closed: the case and its evidence are not served any more (410), and not decided twice (409).
    const readsBefore = (await staffReads(d.id)).length;
    const gone = await call(t, m, 'GET', `/api/staff/reports/${withEvidence}`, undefined, { language: 'id' });
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toMatchObject({ code: 'case_closed', detail: 'Kasus ini sudah diputuskan dan ditutup; laporan dan buktinya tidak ditampilkan lagi.' });
    expect(gone.body).not.toContain(messages[0]!.body);
    expect((await staffReads(d.id)).length).toBe(readsBefore);
    const twice = await call(t, m, 'POST', `/api/staff/reports/${withEvidence}/decision`, { decision: 'suspend', note: 'lagi' });
    expect(twice.statusCode).toBe(409);
    expect((await caseRow(withEvidence)).decision).toBe('warned');
    expect((await call(t, m, 'GET', '/api/staff/reports')).json().cases.map((c: { id: string }) => c.id)).toEqual([plain]);
  });

  it('dismiss: closes the case, nothing happens to the member, the reporter is told it was handled', async () => {
    const before = (await notificationsOf(d.id)).length;
    const dismissed = await call(t, m, 'POST', `/api/staff/reports/${plain}/decision`, { decision: 'dismiss', note: 'Tidak ada bukti pelecehan.' });
    expect(dismissed.statusCode, dismissed.body).toBe(200);
    expect(await caseRow(plain)).toMatchObject({ status: 'closed', decision: 'dismissed' });
    expect((await notificationsOf(d.id)).length).toBe(before);
    expect((await notificationsOf(p.id)).filter((n) => n.object_id === plain)).toEqual([{ kind: 'report_handled', actor_id: null, object_id: plain }]);
    expect((await db().selectFrom('members').select('status').where('id', '=', d.id).executeTakeFirstOrThrow()).status).toBe('active');
  });

  it('suspend: the account is suspended and every session ends at once; sign-in is refused; the member is emailed in their language; audited', async () => {
    const third = await report(r, { category: 'harassment', message: 'Mengancam lagi.' });
    const view = (await call(t, m, 'GET', `/api/staff/reports/${third}`)).json();
    // Closed before: the warned one, the dismissed one and the two closed in the first describe.
    expect(view.otherReports).toEqual({ open: 0, closed: 4 });
    expect((await call(t, d, 'GET', '/api/me')).statusCode).toBe(200);

    const suspended = await call(t, m, 'POST', `/api/staff/reports/${third}/decision`, { decision: 'suspend', note: 'Ancaman berulang setelah peringatan.' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(suspended.json()).toEqual({ decision: 'suspended', sessionsEnded: 1 });
    expect((await db().selectFrom('members').select('status').where('id', '=', d.id).executeTakeFirstOrThrow()).status).toBe('suspended');
    expect(await db().selectFrom('sessions').select('id').where('member_id', '=', d.id).where('revoked_at', 'is', null).execute()).toEqual([]);
    // The session ends now (not after the session cache's 10 s), and signing in again is refused.
    expect((await call(t, d, 'GET', '/api/me')).statusCode).toBe(401);
    const again = await signIn(t, d.username, PASSWORD, { ip: '198.51.100.77' });
    expect(again.statusCode).toBe(403);
    expect(again.json().code).toBe('account_inactive');

    const audit = await db().selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('subject_id', '=', d.id).where('action', 'in', ['accounts.suspended', 'moderation.case_decided']).orderBy('seq').execute();
    expect(audit.slice(-2)).toEqual([
      { action: 'accounts.suspended', actor_id: m.id, details: { reason: 'moderation', caseId: third, sessionsEnded: 1 } },
      { action: 'moderation.case_decided', actor_id: m.id, details: { caseId: third, decision: 'suspended', category: 'harassment', reporterId: r.id } },
    ]);
    expect((await notificationsOf(r.id)).filter((n) => n.kind === 'report_handled').map((n) => n.object_id)).toEqual([withEvidence, third]);
    expect((await verifyAuditLog(db())).ok).toBe(true);

    // Told by email, since they can no longer sign in to read a notice: d signed up in Indonesian.
    await expect.poll(() => mailed.length, { timeout: 20_000 }).toBe(1);
    const notice = mailed[0]!;
    expect(notice.to).toBe('dewi.2502' + '\u0040' + 'contoh.id');
    expect(notice.subject).toBe('Akun Kenalan Anda ditangguhkan');
    expect(notice.text).toContain('formulir layanan pelanggan');
    expect(notice.text).toContain('https://kenalan.example/support');
    // Only this one: warnings and dismissals sent none, and the job sends nothing for a member who is not suspended (deleted meanwhile, or reinstated).
    expect(await t.services.moderation.noticeFor(r.id, 'suspended')).toBeUndefined();
  });
});

describe('reinstatement by an operator (member:reinstate)', () => {
  it('lifts only the suspension the named case made, never a guardian’s withdrawal; the member signs in again and is emailed; audited', async () => {
    const suspendedBy = (await db().selectFrom('moderation_cases').select('id').where('reported_id', '=', d.id).where('decision', '=', 'suspended').executeTakeFirstOrThrow()).id;
    expect(await t.services.moderation.reinstate(d.username, withEvidence)).toEqual({ ok: false, reason: 'other_case' });
    expect(await t.services.moderation.reinstate(r.username, suspendedBy)).toEqual({ ok: false, reason: 'not_suspended' });
    expect(await t.services.moderation.reinstate('no_such_member', suspendedBy)).toEqual({ ok: false, reason: 'no_member' });
    expect((await db().selectFrom('members').select('status').where('id', '=', d.id).executeTakeFirstOrThrow()).status).toBe('suspended');

    expect(await t.services.moderation.reinstate(d.username.toUpperCase(), suspendedBy.toUpperCase(), { by: 'operator:test' })).toEqual({ ok: true, memberId: d.id });
    expect((await db().selectFrom('members').select('status').where('id', '=', d.id).executeTakeFirstOrThrow()).status).toBe('active');
    const back = await signIn(t, d.username, PASSWORD, { ip: '198.51.100.78' });
    expect(back.statusCode, back.body).toBe(201);
    const audit = await db().selectFrom('audit_log').select(['action', 'actor_type', 'actor_id', 'details']).where('subject_id', '=', d.id).where('action', '=', 'accounts.reinstated').execute();
    expect(audit).toEqual([{ action: 'accounts.reinstated', actor_type: 'system', actor_id: 'operator:test', details: { reason: 'moderation_reversed', caseId: suspendedBy, by: 'operator:test' } }]);
    // And told by email, in their language.
    await expect.poll(() => mailed.length, { timeout: 20_000 }).toBe(2);
    expect(mailed[1]).toMatchObject({ to: 'dewi.2502' + '\u0040' + 'contoh.id', subject: 'Akun Kenalan Anda aktif kembali' });
    expect(mailed[1]!.text).toContain('https://kenalan.example/signin');
    expect(await t.services.moderation.reinstate(d.username, suspendedBy)).toEqual({ ok: false, reason: 'not_suspended' });

    // A minor suspended by their guardian's withdrawal, then suspended again by a moderator's case:
    // still refused — only the guardian's consent can lift it.
    await db().updateTable('members').set({ status: 'suspended' }).where('id', '=', p.id).execute();
    await db()
      .insertInto('guardians')
      .values({ id: crypto.randomUUID(), member_id: p.id, email: 'x', phone: 'x', language: 'id', status: 'withdrawn', consented_at: new Date(), withdrawn_at: new Date(), created_at: new Date(), updated_at: new Date() })
      .execute();
    await db()
      .transaction()
      .execute((trx) => appendAudit(trx, { type: 'staff', id: m.id }, { action: 'accounts.suspended', subjectType: 'member', subjectId: p.id, details: { reason: 'moderation', caseId: plain, sessionsEnded: 0 } }, { purpose: 'security' }));
    expect(await t.services.moderation.reinstate(p.username, plain)).toEqual({ ok: false, reason: 'guardian_withdrew' });
    expect((await db().selectFrom('members').select('status').where('id', '=', p.id).executeTakeFirstOrThrow()).status).toBe('suspended');
    expect((await verifyAuditLog(db())).ok).toBe(true);
  });
});

describe('evidence photos', () => {
  it('shows a moderator an attached chat photo only while the case is open, each view on its sender’s access log', async () => {
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
    const form = new FormData();
    form.append('clientKey', 'moderation-photo-0001');
    form.append('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'bukti.jpg');
    const sent = await call(t, r, 'POST', `/api/chats/${d.id}/photos`, form);
    expect(sent.statusCode, sent.body).toBe(201);
    const photoId = (sent.json() as { message: { id: string } }).message.id;
    const caseId = await report(r, { category: 'scam', evidenceMessageIds: [photoId, messages[1]!.id] });
    const url = (messageId: string, id = caseId) => `/api/staff/reports/${id}/evidence/${messageId}/photo`;

    expect((await call(t, m, 'GET', `/api/staff/reports/${caseId}`)).json().evidence.find((e: { id: string }) => e.id === photoId)).toMatchObject({ photo: true });
    const readsBefore = (await staffReads(r.id)).length;
    // Not a moderator: refused.
    expect((await call(t, r, 'GET', url(photoId))).statusCode).toBe(403);
    const photo = await call(t, m, 'GET', url(photoId));
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(photo.headers['cache-control']).toContain('no-store');
    expect((await sharp(photo.rawPayload).metadata()).width).toBe(320);
    const reads = await staffReads(r.id);
    expect(reads.slice(readsBefore)).toEqual([{ actor_type: 'staff', actor_id: m.id, purpose: 'security', details: { role: 'moderator', what: 'moderation_evidence_photo' } }]);
    // Attached but without a photo, a photo message not attached, a made-up id: 404.
    expect((await call(t, m, 'GET', url(messages[1]!.id))).statusCode).toBe(404);
    expect((await call(t, m, 'GET', url(messages[0]!.id))).statusCode).toBe(404);
    expect((await call(t, m, 'GET', url(crypto.randomUUID()))).statusCode).toBe(404);
    expect((await call(t, m, 'GET', url(photoId, crypto.randomUUID()))).statusCode).toBe(404);
    // Decided: no longer served.
    expect((await call(t, m, 'POST', `/api/staff/reports/${caseId}/decision`, { decision: 'dismiss', note: 'Foto biasa.' })).statusCode).toBe(200);
    expect((await call(t, m, 'GET', url(photoId))).statusCode).toBe(410);
    expect((await staffReads(r.id)).length).toBe(reads.length);
  });
});

describe('staff hub', () => {
  it('tells a signed-in member their staff roles (none for most)', async () => {
    expect((await call(t, r, 'GET', '/api/me/staff-roles')).json()).toEqual({ roles: [] });
    expect((await call(t, m, 'GET', '/api/me/staff-roles')).json()).toEqual({ roles: ['moderator'] });
    expect((await call(t, f, 'GET', '/api/me/staff-roles')).json()).toEqual({ roles: ['face_reviewer', 'moderator'] });
    expect((await call(t, null, 'GET', '/api/me/staff-roles')).statusCode).toBe(401);
  });
});
