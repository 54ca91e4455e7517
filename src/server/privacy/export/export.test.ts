import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfHeaders, type TestApp } from '../../../../test/support/app.js';
import { SESSION_COOKIE } from '../../identity/sessions/routes.js';

let t: TestApp;
const AT = '\u0040';
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
let ip = 0;
const nextIp = () => `100.64.1.${(ip++ % 250) + 1}`;

beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(() => t.close());

async function member(n: number) {
  const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 200, g: 140, b: 90 } } }).jpeg().toBuffer();
  const fields = {
    username: `sekar_${n}`,
    nickname: `Sekar ${n}`,
    gender: 'female',
    email: `sekar.${n}${AT}contoh.id`,
    phone: `0813${String(70_000_000 + n)}`,
    nik: `317405520390${String(n).padStart(4, '0')}`,
    dateOfBirth: '1990-03-12',
    password: PASSWORD,
    language: 'id',
    acceptPolicy: 'true',
  };
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const created = await t.app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() }, payload: data });
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json() as { id: string };
  await t.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  const login = await t.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { ...(await csrfHeaders(t.app)), 'x-forwarded-for': nextIp() },
    payload: { identifier: fields.username, password: PASSWORD },
  });
  expect(login.statusCode, login.body).toBe(201);
  return { id, ...fields, session: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)!.value}` };
}

async function post(session: string, url: string, payload: unknown, language = 'en') {
  const csrf = await csrfHeaders(t.app);
  return t.app.inject({ method: 'POST', url, headers: { ...csrf, cookie: `${csrf.cookie}; ${session}`, 'accept-language': language }, payload: payload as Record<string, unknown> });
}

async function waitForReady(session: string, id: string, wait = 30_000) {
  const deadline = Date.now() + wait;
  for (;;) {
    const list = await t.app.inject({ method: 'GET', url: '/api/me/exports', headers: { cookie: session } });
    const found = (list.json().exports as { id: string; status: string }[]).find((e) => e.id === id);
    if (found?.status === 'ready') return found;
    if (Date.now() > deadline) throw new Error(`export ${id} not ready: ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('data export (access and portability)', () => {
  it('builds a complete ZIP in the background, behind the password, and records the rights request', async () => {
    const m = await member(9301);
    // A kenalan request someone sent to m is m's data too (the data map's counterpart view).
    const asker = await member(9308);
    expect((await post(asker.session, '/api/requests', { to: m.username, intro: 'Salam kenal, Sekar!' })).statusCode).toBe(201);
    const wrong = await post(m.session, '/api/me/exports', { password: 'not my password' }, 'id');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'reauth_failed' });
    expect(wrong.json().detail).toContain('Kata sandi itu tidak benar');

    const requested = await post(m.session, '/api/me/exports', { password: PASSWORD });
    expect(requested.statusCode, requested.body).toBe(202);
    const { id } = requested.json() as { id: string };
    const ready = await waitForReady(m.session, id);
    expect(ready).toMatchObject({ status: 'ready', bytes: expect.any(Number) });

    const download = await post(m.session, `/api/me/exports/${id}/download`, { password: PASSWORD });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="kenalan-data-\d{4}-\d{2}-\d{2}\.zip"$/);
    const files = await unzip(download.rawPayload);
    const names = [...files.keys()].sort();
    expect(names).toEqual(expect.arrayContaining(['data/identity.json', 'data/contact.json', 'processing/consents.json', 'processing/accesses.json', 'processing/requests.json', 'index.html']));
    expect(names.some((n) => /^photos\/[0-9a-f-]{36}\.jpg$/.test(n))).toBe(true);

    // The export has values in full (the page masks them); never a secret.
    const identity = JSON.parse(files.get('data/identity.json')!.toString()) as { column: string; values: string[] }[];
    expect(identity.find((f) => f.column === 'nik')!.values).toEqual([m.nik]);
    expect(identity.find((f) => f.column === 'password_hash')!.values).toEqual([]);
    const contact = JSON.parse(files.get('data/contact.json')!.toString()) as { column: string; values: string[] }[];
    expect(contact.find((f) => f.column === 'email')!.values).toEqual([m.email]);
    const stored = await t.database.db.selectFrom('members').select('password_hash').where('id', '=', m.id).executeTakeFirstOrThrow();
    for (const [, content] of files) expect(content.toString('latin1')).not.toContain(stored.password_hash);
    const content = JSON.parse(files.get('data/content.json')!.toString()) as { table: string; column: string; role?: string; values: string[] }[];
    expect(content.find((f) => f.table === 'kenalan_requests' && f.column === 'intro' && f.role === 'recipient')!.values).toEqual(['Salam kenal, Sekar!']);
    const usage = JSON.parse(files.get('data/usage.json')!.toString()) as { table: string; column: string; role?: string; values: string[] }[];
    expect(usage.find((f) => f.table === 'kenalan_requests' && f.column === 'from_id' && f.role === 'recipient')!.values).toEqual([asker.id]);
    const photo = [...files.entries()].find(([n]) => n.startsWith('photos/'))![1];
    expect((await sharp(photo).metadata()).format).toBe('jpeg');
    const consents = JSON.parse(files.get('processing/consents.json')!.toString()) as { purpose: string | null; event: string }[];
    expect(consents[0]).toMatchObject({ purpose: null, event: 'policy_accepted' });

    // The readable summary is in the member's language (asked in English).
    const html = files.get('index.html')!.toString();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`Kenalan data of @${m.username}`);
    expect(html).toContain(m.email);

    // The rights request is on record, answered well within 3 × 24 hours.
    const request = await t.database.db.selectFrom('rights_requests').selectAll().where('member_id', '=', m.id).executeTakeFirstOrThrow();
    expect(request.kind).toBe('access');
    expect(request.completed_at).not.toBeNull();
    expect(request.completed_at!.getTime()).toBeLessThanOrEqual(request.due_at.getTime());
    expect(request.due_at.getTime() - request.received_at.getTime()).toBe(72 * 3600 * 1000);
  }, 90_000);

  it("refuses another member's export, a wrong password and an expired export", async () => {
    const owner = await member(9302);
    const other = await member(9303);
    const { id } = (await post(owner.session, '/api/me/exports', { password: PASSWORD })).json() as { id: string };
    await waitForReady(owner.session, id);

    const stolen = await post(other.session, `/api/me/exports/${id}/download`, { password: PASSWORD });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json()).toMatchObject({ code: 'not_found' });
    const wrong = await post(owner.session, `/api/me/exports/${id}/download`, { password: 'guess' });
    expect(wrong.statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: `/api/me/exports/${id}/download`, headers: await csrfHeaders(t.app), payload: { password: PASSWORD } });
    expect(anonymous.statusCode).toBe(401);

    await t.database.db.updateTable('data_exports').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    const expired = await post(owner.session, `/api/me/exports/${id}/download`, { password: PASSWORD }, 'id');
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ code: 'export_expired' });
    const list = await t.app.inject({ method: 'GET', url: '/api/me/exports', headers: { cookie: owner.session } });
    expect(list.json().exports[0]).toMatchObject({ id, status: 'expired' });

    // No weekly limit: another export right away.
    expect((await post(owner.session, '/api/me/exports', { password: PASSWORD })).statusCode).toBe(202);
  }, 90_000);
});

describe('an interrupted export', () => {
  it('fails the attempt cleanly when a file cannot be read, and the job retry builds it complete', async () => {
    const m = await member(9310);
    const { db } = t.database;
    const photo = await db.selectFrom('member_photos').select('storage_path').where('member_id', '=', m.id).executeTakeFirstOrThrow();
    const file = path.join(t.dataDir, photo.storage_path);
    const bytes = fs.readFileSync(file);
    // The photo turns into something unreadable, so the first build breaks off half-way through the ZIP.
    fs.rmSync(file);
    fs.mkdirSync(file);
    const requested = await post(m.session, '/api/me/exports', { password: PASSWORD });
    expect(requested.statusCode, requested.body).toBe(202);
    const { id } = requested.json() as { id: string };

    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = await sql<{ retry_count: number }>`SELECT retry_count FROM pgboss.job WHERE name = 'privacy.build-export' AND data->>'exportId' = ${id}`.execute(db);
      if ((job.rows[0]?.retry_count ?? 0) >= 1) break;
      if (Date.now() > deadline) throw new Error('the first build attempt never failed');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await db.selectFrom('data_exports').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('queued');
    // No finished file from the broken attempt (a retry may be writing its own .partial right now).
    expect(fs.existsSync(path.join(t.dataDir, 'exports', `${id}.zip.enc`))).toBe(false);

    fs.rmdirSync(file);
    fs.writeFileSync(file, bytes);
    await waitForReady(m.session, id, 60_000);
    const download = await post(m.session, `/api/me/exports/${id}/download`, { password: PASSWORD });
    expect(download.statusCode, download.body).toBe(200);
    const files = await unzip(download.rawPayload);
    expect([...files.keys()].filter((n) => n.startsWith('photos/'))).toHaveLength(1);
    expect(files.has('index.html')).toBe(true);
  }, 120_000);
});
