import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { startTestSmtpServer } from '../../../../test/support/smtp.js';
import { verifyAuditLog } from '../../platform/audit/audit-log.js';
import { PASSWORD, sessionCookieOf, signIn, signUpMember } from '../../identity/login-security/test-members.js';
import { PolicyChangesError } from './changes.js';
import { sha256Hex } from './hash.js';
import { sendChangeNotices } from './notices.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../test/fixtures');
const V2 = path.join(FIXTURES, 'policy-v2');
const V3 = path.join(FIXTURES, 'policy-v3-reduces');

let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;
let ip = 0;
const nextIp = () => `198.51.100.${(ip++ % 250) + 1}`;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
}, 60_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

type Member = Awaited<ReturnType<typeof signUpMember>> & { cookie: string };

async function member(n: number, language: 'id' | 'en' = 'id'): Promise<Member> {
  const m = await signUpMember(t, n, { language });
  return { ...m, cookie: await session(m.username) };
}

async function session(username: string): Promise<string> {
  const login = await signIn(t, username, PASSWORD, { ip: nextIp() });
  expect(login.statusCode, login.body).toBe(201);
  return `__Host-kenalan-session=${sessionCookieOf(login)!.value}`;
}

const get = (url: string, cookie = '', language = 'en') => t.app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': language } });

async function reconsent(m: Member, body: Record<string, unknown>) {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({
    method: 'POST',
    url: '/api/me/policy/reconsent',
    headers: { ...csrf, cookie: `${csrf.cookie}; ${m.cookie}`, 'accept-language': 'en', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' },
    payload: body,
  });
}

/** A copy of a fixture folder with its changes.json replaced (or removed, with `null`). */
function variant(from: string, changes: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-policy-'));
  for (const f of ['en.txt', 'id.txt', 'meta.json']) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  if (changes !== null) fs.writeFileSync(path.join(dir, 'changes.json'), typeof changes === 'string' ? changes : JSON.stringify(changes));
  return dir;
}

const ledger = (memberId: string) =>
  t.database.db
    .selectFrom('consent_ledger')
    .select(['event', 'purpose', 'policy_version', 'policy_sha256', 'language'])
    .where('subject_type', '=', 'member')
    .where('subject_id', '=', memberId)
    .orderBy('at')
    .orderBy('id')
    .execute();

/** Policy-change notices received so far (other mail, e.g. new-device notices, is ignored), waiting until `n` arrived. */
async function notices(version: string, n: number) {
  const mine = () => smtp.messages.filter((m) => /\((versi|version) (\d+)\)$/.exec(m.parsed.subject ?? '')?.[2] === version);
  for (let i = 0; i < 300 && mine().length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return mine();
}

const versionCount = async () => Number((await t.database.db.selectFrom('policy_versions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

let dewi: Member; // Indonesian, accepts v2 and refuses sharing with partners
let alex: Member; // English, accepts v2 and allows it; later declines v3 (reduces rights)
let sari: Member; // accepts v3

describe('policy changes (P7.1, P7.2)', () => {
  it('refuses a second version without valid changes.json, publishing nothing', async () => {
    dewi = await member(5701, 'id');
    alex = await member(5702, 'en');
    sari = await member(5703, 'id');
    const good = JSON.parse(fs.readFileSync(path.join(V2, 'changes.json'), 'utf8')) as Record<string, unknown>;
    const bad: [unknown, RegExp][] = [
      [null, /changes\.json[\s\S]*missing/],
      ['{ not json', /not JSON/],
      [{ ...good, reducesRights: true, material: false, affectedPurposes: [], kinds: [] }, /reduces members' rights must be marked material/],
      [{ ...good, changes: { id: ['Satu perubahan saja.'] } }, /\/changes\/en/],
      [{ ...good, changes: { id: ['Satu.', 'Dua perubahan.'], en: ['One change.'] } }, /same changes in both languages/],
      [{ ...good, affectedPurposes: ['sell_data'] }, /affectedPurposes/],
      [{ ...good, surprise: true }, /surprise|additional/i],
    ];
    for (const [changes, message] of bad) {
      const dir = variant(V2, changes);
      const attempt = t.services.policy.publishFromDirectory(dir);
      await expect(attempt).rejects.toBeInstanceOf(PolicyChangesError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect(await versionCount()).toBe(1);
    expect(await t.database.db.selectFrom('policy_changes').selectAll().execute()).toEqual([]);
    // Before any material change: no notice, no re-consent.
    const notice = (await get('/api/policy/notice', dewi.cookie)).json();
    expect(notice).toMatchObject({ current: { version: '1' }, material: null, member: { reconsentRequired: false, governing: '1' } });
    expect((await get('/api/sessions', dewi.cookie)).statusCode).toBe(200);
  });

  it('publishes a material version with its metadata, audits it and emails every member once, in their language', async () => {
    const result = await t.services.policy.publishFromDirectory(V2);
    expect(result).toMatchObject({ version: '2', created: true });
    const row = await t.database.db.selectFrom('policy_changes').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ version: '2', previous_version: '1', material: true, reduces_rights: false, kinds: ['I', 'III'], affected_purposes: ['share_partners'] });
    expect(row.summary.id[0]).toContain('mitra penyelenggara acara komunitas');
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', '2').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['policy.published', 'policy.changes_published']);
    expect(audit[1]!.details).toMatchObject({ previous: '1', material: true, reducesRights: false, purposes: ['share_partners'] });

    const mails = await notices('2', 3);
    expect(mails).toHaveLength(3);
    const to = (m: Member) => mails.filter((mail) => mail.envelopeTo.includes(m.email));
    const [id] = to(dewi);
    const [en] = to(alex);
    expect(to(dewi)).toHaveLength(1);
    expect(id!.parsed.subject).toBe('Kebijakan Privasi kami telah berubah (versi 2)');
    expect(id!.raw).toMatch(/Content-Language: id/i);
    expect(id!.parsed.text).toContain('Dewi');
    expect(id!.parsed.text).toContain('mitra penyelenggara acara komunitas');
    expect(id!.parsed.text).toContain('/privacy/diff/1/2?lang=id');
    expect(id!.parsed.text).toContain('/reconsent?lang=id');
    expect(en!.parsed.subject).toBe('Our Privacy Policy has changed (version 2)');
    expect(en!.parsed.text).toContain('partners who organise community events');
    expect(en!.parsed.text).not.toContain('reduces some of your rights');
    // The job stamps each notice once the mail server took it (the last stamp may trail its mail).
    const stamped = async () => t.database.db.selectFrom('policy_notices').select(['member_id', 'sent_at']).where('version', '=', '2').where('sent_at', 'is not', null).execute();
    for (let i = 0; i < 100 && (await stamped()).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await stamped()).toHaveLength(3);

    // The job again (a retry) sends nobody a second copy.
    const again = await sendChangeNotices({ ...t.services, db: t.database.db, publicUrl: t.config.PUBLIC_URL }, '2');
    expect(again).toEqual({ sent: 0, skipped: 3 });
    expect(await notices('2', 3)).toHaveLength(3);

    // Publishing the same folder again changes nothing; a different text under the same number is refused.
    expect(await t.services.policy.publishFromDirectory(V2)).toMatchObject({ created: false });
    expect(await versionCount()).toBe(2);
  });

  it('shows the notice to visitors and members, and answers 403 to member routes until the member decides', async () => {
    const visitor = (await get('/api/policy/notice', '', 'id')).json();
    expect(visitor).toMatchObject({ current: { version: '2' }, material: { version: '2', reducesRights: false }, member: null });
    expect(visitor.material.changes[0]).toContain('mitra');

    // An existing session's next request, and a fresh sign-in, both meet the gate.
    const me = await get('/api/sessions', dewi.cookie, 'id');
    expect(me.statusCode).toBe(403);
    expect(me.json()).toMatchObject({ code: 'policy_reconsent_required' });
    expect(me.json().detail).toContain('Kebijakan Privasi kami telah berubah');
    dewi.cookie = await session(dewi.username);
    expect((await get('/api/sessions', dewi.cookie)).json()).toMatchObject({ code: 'policy_reconsent_required' });
    // Who is signed in stays answerable (the header keeps showing the member while they decide).
    expect((await get('/api/me', dewi.cookie)).statusCode).toBe(200);
    // Rights never wait: the data page, consents, the policy itself.
    expect((await get('/api/me/data', dewi.cookie)).statusCode).toBe(200);
    expect((await get('/api/me/consents', dewi.cookie)).statusCode).toBe(200);
    expect((await get('/api/policy', dewi.cookie)).statusCode).toBe(200);

    const notice = (await get('/api/policy/notice', dewi.cookie)).json();
    expect(notice.member).toEqual({ reconsentRequired: true, governing: '2', declined: false });
    const state = (await get('/api/me/policy', dewi.cookie)).json();
    expect(state).toMatchObject({
      current: { version: '2' },
      governing: { version: '2' },
      accepted: { version: '1' },
      reconsentRequired: true,
      pending: { reducesRights: false, purposes: [{ purpose: 'share_partners', granted: false }] },
    });
    expect(state.pending.versions.map((v: { version: string }) => v.version)).toEqual(['2']);
  });

  it('records re-consent in the ledger with the exact document hash and asks each affected purpose again', async () => {
    const missing = await reconsent(dewi, { version: '2', decision: 'accept' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([expect.objectContaining({ field: 'purposes.share_partners', message: 'Choose whether you allow this use.' })]);
    const stale = await reconsent(dewi, { version: '1', decision: 'accept', purposes: { share_partners: false } });
    expect(stale.statusCode).toBe(400);
    // A version that does not reduce rights cannot be declined.
    expect((await reconsent(dewi, { version: '2', decision: 'decline' })).statusCode).toBe(400);
    expect((await get('/api/sessions', dewi.cookie)).statusCode).toBe(403);

    const ok = await reconsent(dewi, { version: '2', decision: 'accept', language: 'id', purposes: { share_partners: false } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ reconsentRequired: false, accepted: { version: '2', language: 'id' }, governing: { version: '2' }, pending: null });
    expect((await get('/api/sessions', dewi.cookie)).statusCode).toBe(200);

    const v2id = sha256Hex(fs.readFileSync(path.join(V2, 'id.txt'), 'utf8'));
    const rows = await ledger(dewi.id);
    expect(rows.slice(-2)).toEqual([
      { event: 'policy_accepted', purpose: null, policy_version: '2', policy_sha256: v2id, language: 'id' },
      { event: 'consent_withdrawn', purpose: 'share_partners', policy_version: '2', policy_sha256: v2id, language: 'id' },
    ]);
    const decisions = await t.database.db.selectFrom('policy_decisions').select(['version', 'decision', 'governing_version']).where('member_id', '=', dewi.id).execute();
    expect(decisions).toEqual([{ version: '2', decision: 'accepted', governing_version: '2' }]);

    // Granting works the same way, and a repeated answer records nothing more.
    const yes = await reconsent(alex, { version: '2', decision: 'accept', purposes: { share_partners: true } });
    expect(yes.statusCode, yes.body).toBe(200);
    expect(await t.services.consent.hasConsent({ type: 'member', id: alex.id }, 'share_partners')).toBe(true);
    const before = (await ledger(alex.id)).length;
    expect((await reconsent(alex, { version: '2', decision: 'accept', purposes: { share_partners: false } })).statusCode).toBe(200);
    expect(await ledger(alex.id)).toHaveLength(before);
    expect(await t.services.consent.hasConsent({ type: 'member', id: alex.id }, 'share_partners')).toBe(true);
    // Sari accepts v2 too, without the optional purpose.
    expect((await reconsent(sari, { version: '2', decision: 'accept', purposes: { share_partners: false } })).statusCode).toBe(200);
    expect((await verifyAuditLog(t.database.db)).ok).toBe(true);
  });

  it('keeps the previous terms for a member who declines a version that reduces rights (P7.1)', async () => {
    await t.services.policy.publishFromDirectory(V3);
    for (const m of [alex, sari]) expect((await get('/api/sessions', m.cookie)).json()).toMatchObject({ code: 'policy_reconsent_required' });
    const pending = (await get('/api/me/policy', alex.cookie)).json();
    // Until they accept, v2 governs them even though v3 is in force.
    expect(pending).toMatchObject({ current: { version: '3' }, governing: { version: '2' }, reconsentRequired: true, pending: { reducesRights: true } });
    expect(pending.pending.purposes).toEqual([
      { purpose: 'share_partners', granted: true },
      { purpose: 'research', granted: false },
    ]);

    const declined = await reconsent(alex, { version: '3', decision: 'decline' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({ current: { version: '3' }, governing: { version: '2' }, declined: true, reconsentRequired: false, accepted: { version: '2' } });
    expect((await get('/api/sessions', alex.cookie)).statusCode).toBe(200);
    // The purposes concerned stay exactly as they were, and no acceptance of v3 exists.
    expect(await t.services.consent.hasConsent({ type: 'member', id: alex.id }, 'share_partners')).toBe(true);
    expect((await ledger(alex.id)).some((r) => r.policy_version === '3')).toBe(false);
    expect(await t.services.policyChanges.governedByCurrentFor(alex.id, 'share_partners')).toBe(false);
    expect(await t.services.policyChanges.governedByCurrentFor(alex.id, 'marketing_email')).toBe(true);
    const decision = await t.database.db.selectFrom('policy_decisions').select(['version', 'decision', 'governing_version']).where('member_id', '=', alex.id).where('version', '=', '3').execute();
    expect(decision).toEqual([{ version: '3', decision: 'declined', governing_version: '2' }]);
    // The emailed notice said the version reduces rights and would not apply without consent.
    const mails = await notices('3', 3);
    expect(mails).toHaveLength(3);
    const v3 = mails.filter((m) => m.envelopeTo.includes(alex.email));
    expect(v3).toHaveLength(1);
    expect(v3[0]!.parsed.text).toContain('It will not apply to you unless you expressly agree');

    // Sari accepts: v3 governs her, her answers recorded under v3.
    const accepted = await reconsent(sari, { version: '3', decision: 'accept', purposes: { share_partners: true, research: false } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ governing: { version: '3' }, declined: false });
    expect(await t.services.policyChanges.governedByCurrentFor(sari.id, 'share_partners')).toBe(true);
    // Alex may still accept later.
    const later = await reconsent(alex, { version: '3', decision: 'accept', purposes: { share_partners: true, research: false } });
    expect(later.json()).toMatchObject({ governing: { version: '3' }, accepted: { version: '3' } });
  });

  it('keeps every version readable and diffs any two, as JSON and as an accessible page', async () => {
    const list = (await get('/api/policy/changes?lang=id')).json();
    expect(list.current).toBe('3');
    expect(list.versions.map((v: { version: string; material: boolean; reducesRights: boolean }) => [v.version, v.material, v.reducesRights])).toEqual([
      ['1', false, false],
      ['2', true, false],
      ['3', true, true],
    ]);

    const diff = (await get('/api/policy/diff/1/2?lang=en')).json();
    const changed = diff.rows.filter((r: { kind: string }) => r.kind === 'changed');
    expect(changed).toHaveLength(1);
    expect(changed[0].new.filter((p: { change?: string }) => p.change === 'added').map((p: { text: string }) => p.text).join('')).toContain('community events in Indonesia');
    expect(changed[0].old.some((p: { change?: string }) => p.change === 'removed')).toBe(false);
    const back = (await get('/api/policy/diff/3/1?lang=id')).json();
    expect(back.rows.filter((r: { kind: string }) => r.kind === 'changed')).toHaveLength(1);
    expect((await get('/api/policy/diff/1/9')).statusCode).toBe(404);

    const page = await get('/privacy/diff/2/3?lang=id');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<del><span class="visually-hidden">[dihapus: </span>');
    expect(page.body).toContain('Mitra kami tidak berhak');
    expect(page.body).not.toContain('<script');
    const versions = await get('/privacy/versions?lang=en');
    expect(versions.statusCode).toBe(200);
    expect(versions.body).toContain('Reduces rights: applies only with your consent');
    expect(versions.body).toContain('href="/privacy/diff/2/3?lang=en"');
    expect(versions.body).toContain('href="/privacy/v/1?lang=en"');
    const old = await get('/privacy/v/1?lang=id');
    expect(old.statusCode).toBe(200);
    expect(old.body).not.toContain('acara komunitas');
    expect((await get('/privacy/v/2?lang=id')).body).toContain('acara komunitas');
    const form = await get('/privacy/diff?from=1&to=3&lang=en');
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/privacy/diff/1/3?lang=en');
  });
});
