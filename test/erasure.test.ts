import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_MAP } from '../src/server/data-map.js';
import { PASSWORD, signIn, signUpMember, sessionCookieOf } from '../src/server/identity/login-security/test-members.js';
import { SESSION_COOKIE } from '../src/server/identity/sessions/routes.js';
import { NORMALIZERS } from '../src/server/privacy/data-map/normalizers.js';
import type { TableDeclaration } from '../src/server/privacy/data-map/types.js';
import { erasurePlans, keptFields } from '../src/server/privacy/erasure/plan.js';
import { EXPLICIT_FIXTURES, insertRow, type FixtureContext } from './erasure-fixtures.js';
import { createTestApp, csrfHeaders, type TestApp } from './support/app.js';
import { startTestSmtpServer } from './support/smtp.js';
import { postgresUrl, testDatabaseKind } from './support/template.js';

const DAY = 24 * 3600 * 1000;
let t: TestApp;
let smtp: Awaited<ReturnType<typeof startTestSmtpServer>>;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

async function post(session: string, url: string, payload: unknown, language = 'en') {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method: 'POST', url, headers: { ...csrf, cookie: `${csrf.cookie}; ${session}`, 'accept-language': language }, payload: payload as Record<string, unknown> });
}

async function session(identifier: string, ip: string): Promise<string> {
  const response = await signIn(t, identifier, PASSWORD, { ip });
  expect(response.statusCode, response.body).toBe(201);
  return `${SESSION_COOKIE}=${sessionCookieOf(response)!.value}`;
}

/** The member's rows in a declared table, through its subject locator (as erasure finds them). */
async function rowsOf(declaration: TableDeclaration, memberId: string, bidx: Record<'email' | 'phone' | 'nik', string>): Promise<number> {
  const locator = declaration.subject;
  if (!locator || locator.kind === 'none') return 0;
  let where;
  if (locator.kind === 'column') {
    const extra = Object.entries(locator.where ?? {}).map(([c, v]) => sql`AND ${sql.ref(c)} = ${v}`);
    where = sql`${sql.ref(locator.column)}::text = ${memberId} ${sql.join(extra, sql` `)}`;
  } else if (locator.kind === 'through') {
    where = sql`${sql.ref(locator.column)} IN (SELECT ${sql.ref(locator.parentKey)} FROM ${sql.table(locator.parentTable)} WHERE ${sql.ref(locator.parentMemberColumn)}::text = ${memberId})`;
  } else {
    const member = await t.database.db.selectFrom('members').select(['email', 'phone', 'nik']).where('id', '=', memberId).executeTakeFirst();
    if (!member) return 0;
    where = sql`${sql.ref(locator.column)} = ${t.services.keyring.blindIndex(NORMALIZERS[locator.normalize](t.services.keyring.decrypt(member[locator.memberColumn], `members.${locator.memberColumn}`)), locator.context)}`;
    void bidx;
  }
  const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(declaration.table)} WHERE ${where}`.execute(t.database.db);
  return Number(result.rows[0]!.n);
}

async function mailWith(predicate: (subject: string) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = smtp.messages.find((m) => predicate(m.parsed.subject ?? ''));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such mail; subjects: ${smtp.messages.map((m) => m.parsed.subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('erasure (delete my account)', () => {
  it('deactivates at once, then erases every table of the data map, the files and the jobs; only what the data map keeps remains', async () => {
    const member = await signUpMember(t, 501, { language: 'en' });
    const partner = await signUpMember(t, 502);
    const db = t.database.db;
    const mySession = await session(member.username, '198.51.100.7');
    await session(partner.username, '198.51.100.8');

    // Data through the real APIs: an export (ZIP on disk), a support ticket from the member's address.
    const exported = await post(mySession, '/api/me/exports', { password: PASSWORD });
    expect(exported.statusCode, exported.body).toBe(202);
    const exportId = (exported.json() as { id: string }).id;
    for (let i = 0; i < 300; i += 1) {
      const row = await db.selectFrom('data_exports').select('status').where('id', '=', exportId).executeTakeFirst();
      if (row?.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ticket = await t.app.inject({
      method: 'POST',
      url: '/api/support/tickets',
      headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': '198.51.100.9' },
      payload: { name: 'Dewi', email: member.email, topic: 'privacy', message: 'Tolong jelaskan data saya yang disimpan.' },
    });
    expect(ticket.statusCode, ticket.body).toBe(201);
    // The social graph both ways (rows that belong to the partner but mention the member go with the member's FK).
    const now = new Date();
    await db.insertInto('connections').values([{ member_id: member.id, other_id: partner.id, created_at: now }, { member_id: partner.id, other_id: member.id, created_at: now }]).execute();
    await db.insertInto('blocks').values({ blocker_id: partner.id, blocked_id: member.id, created_at: now }).execute();

    // Every other table with a member subject: a row made from the table's own definition.
    const ctx: FixtureContext = { db, keyring: t.services.keyring, memberId: member.id, otherId: partner.id, declarations: DATA_MAP };
    const bidx = await db.selectFrom('members').select(['email_bidx', 'phone_bidx', 'nik_bidx']).where('id', '=', member.id).executeTakeFirstOrThrow();
    const bidxMap = { email: bidx.email_bidx, phone: bidx.phone_bidx, nik: bidx.nik_bidx };
    const fixtureErrors: string[] = [];
    for (const declaration of DATA_MAP) {
      const locator = declaration.subject;
      if (!locator || locator.kind === 'none' || declaration.table === 'erasures') continue;
      if ((await rowsOf(declaration, member.id, bidxMap)) > 0) continue;
      try {
        if (EXPLICIT_FIXTURES[declaration.table]) await EXPLICIT_FIXTURES[declaration.table]!(ctx);
        else if (locator.kind !== 'blindIndex') await insertRow(ctx, declaration.table, locator);
      } catch (err) {
        fixtureErrors.push((err as Error).message);
      }
    }
    expect(fixtureErrors, 'tables the generic fixture cannot fill: add an EXPLICIT_FIXTURES entry in test/erasure-fixtures.ts').toEqual([]);

    // Delete my account: wrong password refused, then the request.
    const wrong = await post(mySession, '/api/me/deletion', { password: 'not my password at all' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('reauth_failed');
    const requested = await post(mySession, '/api/me/deletion', { password: PASSWORD });
    expect(requested.statusCode, requested.body).toBe(202);
    const erasesOn = new Date((requested.json() as { erasesOn: string }).erasesOn);
    expect(Math.round((erasesOn.getTime() - Date.now()) / DAY)).toBe(14);

    // Every table with a member subject has a row for the member now (the fixture covers the whole data map).
    const empty: string[] = [];
    for (const declaration of DATA_MAP) {
      if (!declaration.subject || declaration.subject.kind === 'none') continue;
      if ((await rowsOf(declaration, member.id, bidxMap)) === 0) empty.push(declaration.table);
    }
    expect(empty, 'tables with a member subject but no fixture row').toEqual([]);

    // Deactivated at once: status, sessions, the request log, and the email saying when and how to cancel.
    expect((await db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('deletion_pending');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: mySession } })).statusCode).toBe(401);
    const live = await db.selectFrom('sessions').select('id').where('member_id', '=', member.id).where('revoked_at', 'is', null).execute();
    expect(live).toEqual([]);
    const request = await db.selectFrom('rights_requests').selectAll().where('member_id', '=', member.id).where('kind', '=', 'erasure').executeTakeFirstOrThrow();
    expect(request.due_at.getTime() - request.received_at.getTime()).toBe(3 * DAY);
    const scheduled = await mailWith((s) => s.includes('will be deleted'));
    expect(scheduled?.envelopeTo).toEqual([member.email]);
    expect(scheduled?.parsed.text).toContain('Restore my account');
    const signInNow = await signIn(t, member.username, PASSWORD, { ip: '198.51.100.7' });
    expect(signInNow.statusCode).toBe(403);
    expect(signInNow.json().code).toBe('account_deletion_pending');

    // Not due yet: nothing happens.
    const erasure = await db.selectFrom('erasures').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(await t.services.erasure.run(erasure.id)).toBe('not_due');

    // After the grace period (time moved): the sweep erases.
    const later = new Date(Date.now() + 15 * DAY);
    const swept = await t.services.erasure.sweep({ now: later });
    expect(swept).toEqual([{ erasureId: erasure.id, outcome: 'done' }]);
    const finished = await db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(finished.state).toBe('done');
    expect(finished.member_id).toBeNull();
    expect(finished.receipt_email).toBeNull();
    expect(finished.steps_done).toEqual(expect.arrayContaining(['start', 'files', 'jobs', 'member', 'receipt', ...erasurePlans().map((p) => `table:${p.table}`)]));

    // The scan: every column of every table (ours and the job queue's) for the id and the blind indexes.
    const needles = [member.id, bidx.email_bidx, bidx.phone_bidx, bidx.nik_bidx];
    const columns = await sql<{ table_schema: string; table_name: string; column_name: string }>`
      SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
      WHERE c.table_schema IN ('public', 'pgboss') ORDER BY 1, 2, c.ordinal_position`.execute(db);
    const byTable = new Map<string, string[]>();
    for (const c of columns.rows) byTable.set(`${c.table_schema}.${c.table_name}`, [...(byTable.get(`${c.table_schema}.${c.table_name}`) ?? []), c.column_name]);
    const hits: { table: string; column: string; rows: number }[] = [];
    for (const [table, cols] of byTable) {
      const counts = cols.map((c) => sql`count(*) FILTER (WHERE ${sql.join(needles.map((n) => sql`${sql.ref(c)}::text LIKE ${`%${n}%`}`), sql` OR `)})::int`);
      const result = await sql<Record<string, number>>`SELECT ${sql.join(counts.map((c, i) => sql`${c} AS ${sql.ref(`c${i}`)}`))} FROM ${sql.table(table)}`.execute(db);
      cols.forEach((column, i) => {
        const rows = Number(result.rows[0]![`c${i}`]);
        if (rows > 0) hits.push({ table: table.replace(/^public\./, ''), column, rows });
      });
    }
    const kept = keptFields();
    const keptTables = new Set(kept.map((k) => k.table));
    const unexpected = hits.filter((h) => !keptTables.has(h.table));
    expect(unexpected, 'values of the erased member found outside what the data map keeps').toEqual([]);
    console.info(
      `Kept after erasure (data map "keep"):\n${hits
        .map((h) => {
          const reasons = kept.filter((k) => k.table === h.table);
          return `  ${h.table}.${h.column}: ${h.rows} row(s) — ${reasons.map((k) => `${k.column}: ${k.legalGround.en}, ${k.forDays} days`).join('; ')}`;
        })
        .join('\n')}`,
    );
    expect(hits.map((h) => h.table)).toEqual(expect.arrayContaining(['audit_log', 'consent_ledger', 'rights_requests']));

    // The file store: no path and no file naming the member.
    const files = walk(t.dataDir).filter((f) => !f.includes(`${path.sep}pgdata${path.sep}`));
    expect(files.filter((f) => f.includes(member.id))).toEqual([]);
    expect(fs.existsSync(path.join(t.dataDir, 'media', 'members', member.id))).toBe(false);
    expect(files.filter((f) => f.includes(exportId))).toEqual([]);
    for (const file of files) if (fs.statSync(file).size < 5_000_000) expect(fs.readFileSync(file).includes(member.id), file).toBe(false);

    // The partner keeps their account; rows that mentioned the member went with the foreign keys.
    expect(await db.selectFrom('members').select('id').where('id', '=', partner.id).executeTakeFirst()).toBeDefined();
    expect(await db.selectFrom('connections').selectAll().where('member_id', '=', partner.id).execute()).toEqual([]);
    expect(await db.selectFrom('blocks').selectAll().where('blocker_id', '=', partner.id).execute()).toEqual([]);
    expect(fs.existsSync(path.join(t.dataDir, 'media', 'members', partner.id))).toBe(true);

    // The request log outlives the member, answered; sign-in now fails as for an unknown account.
    const answered = await db.selectFrom('rights_requests').selectAll().where('id', '=', request.id).executeTakeFirstOrThrow();
    expect(answered.completed_at).not.toBeNull();
    const gone = await signIn(t, member.username, PASSWORD, { ip: '198.51.100.7' });
    expect(gone.statusCode).toBe(401);
    expect(gone.json().code).toBe('login_failed');

    // The receipt, in the member's language, to the captured address: deleted, kept and why, for how long.
    const receipt = await mailWith((s) => s.startsWith('Receipt for the deletion'));
    expect(receipt?.envelopeTo).toEqual([member.email]);
    expect(receipt?.parsed.text).toContain('What was deleted');
    expect(receipt?.parsed.text).toContain('UU PDP Art. 22 (demonstrating consent)');
    // The legal grounds are declared in both languages: the Indonesian page shows them in Indonesian.
    const groundsId = t.services.erasure.info('id').kept.map((k) => k.legalGround);
    expect(groundsId).toContain('UU PDP Pasal 22 (membuktikan persetujuan)');
    expect(groundsId).not.toContain('UU PDP Art. 22 (demonstrating consent)');
    expect(receipt?.parsed.text).toContain('1825 days');
    expect(receipt?.raw).not.toContain(member.nik);

    // A second run does nothing more.
    expect(await t.services.erasure.run(erasure.id, { now: later })).toBe('done');
  }, 120_000);

  it('restores the account when the member signs in during the grace period and asks to', async () => {
    const member = await signUpMember(t, 503);
    const mySession = await session(member.username, '198.51.100.17');
    expect((await post(mySession, '/api/me/deletion', { password: PASSWORD })).statusCode).toBe(202);
    const pending = await signIn(t, member.email, PASSWORD, { ip: '198.51.100.17', language: 'id' });
    expect(pending.statusCode).toBe(403);
    expect(pending.json().detail).toContain('dijadwalkan untuk dihapus');
    const day = new Intl.DateTimeFormat('id-ID', { dateStyle: 'long', timeZone: 'Asia/Jakarta' }).format(new Date(Date.now() + 14 * DAY));
    expect(pending.json().detail).toContain(day);
    // The wrong password with restore changes nothing.
    const csrf = await csrfHeaders(t.app);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { ...csrf, 'x-forwarded-for': '198.51.100.17' }, payload: { identifier: member.username, password: 'wrong wrong wrong', restore: true } });
    expect(wrong.statusCode).toBe(401);
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('deletion_pending');
    const restored = await t.app.inject({ method: 'POST', url: '/api/sessions', headers: { ...csrf, 'x-forwarded-for': '198.51.100.17' }, payload: { identifier: member.username, password: PASSWORD, restore: true } });
    expect(restored.statusCode, restored.body).toBe(201);
    expect((await t.database.db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('active');
    const erasure = await t.database.db.selectFrom('erasures').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(erasure.state).toBe('cancelled');
    // The scheduled job and the sweep leave a cancelled erasure alone.
    expect(await t.services.erasure.run(erasure.id, { now: new Date(Date.now() + 30 * DAY) })).toBe('cancelled');
    expect(await t.database.db.selectFrom('members').select('id').where('id', '=', member.id).executeTakeFirst()).toBeDefined();
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', member.id).where('action', 'like', 'privacy.deletion%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['privacy.deletion_cancelled', 'privacy.deletion_requested']);
    const notice = await mailWith((s) => s === 'Akun Kenalan Anda telah dipulihkan');
    expect(notice.envelopeTo).toEqual([member.email]);
  }, 60_000);

  it('resumes an erasure that stopped mid-run; nothing is left half-erased', async () => {
    const member = await signUpMember(t, 504);
    const mySession = await session(member.username, '198.51.100.27');
    expect((await post(mySession, '/api/me/deletion', { password: PASSWORD })).statusCode).toBe(202);
    const db = t.database.db;
    const erasure = await db.selectFrom('erasures').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    const { makeErasureService } = await import('../src/server/privacy/erasure/service.js');
    const steps: string[] = [];
    const crashing = makeErasureService({
      db,
      keyring: t.services.keyring,
      jobs: t.services.jobs,
      mailer: t.services.mailer,
      dataDir: t.dataDir,
      publicUrl: t.config.PUBLIC_URL,
      logger: t.services.logger,
      graceDays: 14,
      beforeStep: (step) => {
        steps.push(step);
        if (step === 'table:sessions') throw new Error('simulated crash');
      },
    });
    const due = new Date(Date.now() + 15 * DAY);
    await expect(crashing.run(erasure.id, { now: due })).rejects.toThrow('simulated crash');
    const stopped = await db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(stopped.state).toBe('running');
    expect(stopped.steps_done).toContain('files');
    expect(stopped.steps_done).not.toContain('table:sessions');
    expect(stopped.last_error).toBe('Error');
    // Between runs the member cannot sign in or be restored, and each finished table is wholly done.
    expect((await db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('deleted');
    expect(fs.existsSync(path.join(t.dataDir, 'media', 'members', member.id))).toBe(false);
    expect(await db.selectFrom('sessions').select('id').where('member_id', '=', member.id).execute()).not.toEqual([]);

    // The retry (pg-boss, or the sweep) resumes at the step that failed.
    steps.length = 0;
    const resumed = await t.services.erasure.run(erasure.id, { now: due });
    expect(resumed).toBe('done');
    const finished = await db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(finished.state).toBe('done');
    expect(finished.attempts).toBe(2);
    expect(new Set(finished.steps_done).size).toBe(finished.steps_done.length);
    expect(await db.selectFrom('members').select('id').where('id', '=', member.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('sessions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
    expect(await db.selectFrom('member_photos').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
  }, 60_000);
  it.runIf(testDatabaseKind() === 'postgres')('resumes after the erasing process is killed with SIGKILL (PostgreSQL: a second process on the same database)', async () => {
    const member = await signUpMember(t, 505);
    const mySession = await session(member.username, '198.51.100.37');
    expect((await post(mySession, '/api/me/deletion', { password: PASSWORD })).statusCode).toBe(202);
    const db = t.database.db;
    const erasure = await db.selectFrom('erasures').selectAll().where('member_id', '=', member.id).executeTakeFirstOrThrow();
    const database = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(db)).rows[0]!.name;
    const due = Date.now() + 15 * DAY;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'erasure-crash-child.ts'), postgresUrl(database), erasure.id, t.dataDir, String(due), 'table:sessions'], {
      env: { ...process.env, ERASURE_MASTER_KEY: t.services.masterKey.key.toString('base64') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('step table:sessions')) resolve();
      });
      child.on('exit', () => reject(new Error(`child ended early: ${output}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    expect(await exited).toBeNull();

    const stopped = await db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(stopped.state).toBe('running');
    expect(stopped.steps_done).toEqual(expect.arrayContaining(['start', 'files']));
    expect(stopped.steps_done).not.toContain('table:sessions');
    // The dead run's lease holds for 10 minutes: a retry at once is told the erasure is busy…
    expect(await t.services.erasure.run(erasure.id, { now: new Date(due) })).toBe('busy');
    // …and once it has passed, the sweep resumes and finishes it.
    const swept = await t.services.erasure.sweep({ now: new Date(due + 11 * 60 * 1000) });
    expect(swept).toContainEqual({ erasureId: erasure.id, outcome: 'done' });
    const finished = await db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(finished.state).toBe('done');
    expect(new Set(finished.steps_done).size).toBe(finished.steps_done.length);
    expect(await db.selectFrom('members').select('id').where('id', '=', member.id).executeTakeFirst()).toBeUndefined();
    expect(await db.selectFrom('sessions').select('id').where('member_id', '=', member.id).execute()).toEqual([]);
  }, 60_000);
});
