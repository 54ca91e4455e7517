// Erasure of one member with 10,000 chat messages and 50 photos (target ≤ 3 s), on PGlite and
// PostgreSQL. The member signs up through the real API (photo and thumbnails on disk); the
// conversation, its 10,000 messages (encrypted bodies, as the chat module stores them) and 50 more
// re-encoded photos (files + member_photos rows) are inserted directly; the deletion is requested
// through the service, and the timed part is one erasure run after the grace period: every
// data-map table, the files, the job queue, the member row and the receipt email (dev mailbox).
//
// Usage: npx tsx bench/erasure.ts
//   DATABASES=pglite,postgres (default both)   PG_URL=postgres://postgres@127.0.0.1:5432/postgres
//   RUNS=3 (members erased per database)   MESSAGES=10000   PHOTOS=50
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import sharp from 'sharp';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { makeErasureService } from '../src/server/privacy/erasure/service.js';
import { buildApp } from '../src/server/app.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite, openPostgres, type DatabaseHandle } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';

const DATABASES = (process.env.DATABASES ?? 'pglite,postgres').split(',');
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = Number(process.env.RUNS ?? 3);
const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const PHOTOS = Number(process.env.PHOTOS ?? 50);
const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const AT = '\u0040';
const DAY = 24 * 3600 * 1000;

async function bench(kind: string): Promise<number[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-erasure-'));
  let database: DatabaseHandle;
  let dropDb: (() => Promise<void>) | undefined;
  if (kind === 'pglite') database = await openPglite(path.join(dataDir, 'pgdata'));
  else {
    const name = `kenalan_bench_erasure_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    database = await openPostgres(url.toString());
    dropDb = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', GEOIP_LOOKUP: 'false', TRUST_PROXY: 'true' });
  const services = await composeServices(config, database, createLogger('warn'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
  const app = await buildApp({ ...services, isReady: () => true });
  await app.ready();
  const { db } = database;
  const keyring = services.keyring;
  const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 200, g: 120, b: 60 } } }).jpeg({ quality: 85 }).toBuffer();

  async function signUp(n: number): Promise<string> {
    const csrf = await app.inject({ url: '/api/csrf' });
    const fields = {
      username: `bench_${n}`,
      nickname: `Bench ${n}`,
      gender: 'male',
      email: `bench.${n}${AT}contoh.id`,
      phone: `0813${String(50_000_000 + n)}`,
      nik: `317405120390${String(1000 + n)}`,
      dateOfBirth: '1990-03-12',
      password: PASSWORD,
      language: 'id',
      acceptPolicy: 'true',
    };
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
    const response = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { cookie: csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': (csrf.json() as { token: string }).token, 'x-forwarded-for': `192.0.2.${n}` },
      payload: form,
    });
    if (response.statusCode !== 201) throw new Error(`sign-up ${response.statusCode}: ${response.body}`);
    const { id } = response.json() as { id: string };
    await db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
    return id;
  }

  const timings: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const member = await signUp(run * 2 + 1);
    const partner = await signUp(run * 2 + 2);
    const now = new Date();
    // One conversation with MESSAGES messages from the member (encrypted bodies).
    const conversation = crypto.randomUUID();
    await db.insertInto('chat_conversations' as never).values({ id: conversation, created_at: now, last_message_at: now } as never).execute();
    await db
      .insertInto('chat_members' as never)
      .values([
        { conversation_id: conversation, member_id: member, other_id: partner, created_at: now },
        { conversation_id: conversation, member_id: partner, other_id: member, created_at: now },
      ] as never)
      .execute();
    for (let i = 0; i < MESSAGES; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, MESSAGES - i) }, (_, j) => ({
        id: crypto.randomUUID(),
        conversation_id: conversation,
        sender_id: member,
        client_key: `bench-${run}-${i + j}`,
        body: keyring.encrypt(`Halo, pesan nomor ${i + j} dari bench`, 'chat_messages.body'),
        created_at: new Date(now.getTime() + i + j),
      }));
      await db.insertInto('chat_messages' as never).values(rows as never).execute();
    }
    // PHOTOS more photos: files in the member's folder and their rows.
    const folder = path.join(dataDir, 'media', 'members', member, 'photos');
    fs.mkdirSync(folder, { recursive: true });
    for (let i = 0; i < PHOTOS; i += 1) {
      const id = crypto.randomUUID();
      const rel = path.join('media', 'members', member, 'photos', `${id}.jpg`);
      fs.writeFileSync(path.join(dataDir, rel), photo);
      await db.insertInto('member_photos').values({ id, member_id: member, storage_path: rel, mime: 'image/jpeg', width: 1200, height: 900, bytes: photo.length, created_at: now }).execute();
    }
    const { erasureId } = await services.erasure.request(member, PASSWORD);
    // Per-step times (the gap between one step's start and the next's).
    const marks: [string, number][] = [];
    const profiled = makeErasureService({
      db, keyring, jobs: services.jobs, mailer: services.mailer, dataDir, publicUrl: config.PUBLIC_URL, logger: services.logger, graceDays: 14,
      beforeStep: (step) => void marks.push([step, performance.now()]),
    });
    const start = performance.now();
    const outcome = await profiled.run(erasureId, { now: new Date(Date.now() + 15 * DAY) });
    const ms = performance.now() - start;
    marks.push(['end', performance.now()]);
    const slowest = marks.slice(0, -1).map(([step, at], i) => [step, marks[i + 1]![1] - at] as const).sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(`  slowest steps: ${slowest.map(([step, d]) => `${step} ${d.toFixed(0)} ms`).join(', ')}; ${marks.length - 1} steps`);
    if (outcome !== 'done') throw new Error(`erasure ${outcome}`);
    // The partner keeps the tombstones ("former member"): sender gone, text replaced as the data map declares.
    const left = await sql<{ n: string; bodies: string[] }>`SELECT count(*)::text AS n, array_agg(DISTINCT body) AS bodies FROM chat_messages WHERE conversation_id = ${conversation}`.execute(db);
    const bodies = left.rows[0]!.bodies.map((b) => keyring.decrypt(b, 'chat_messages.body'));
    if (Number(left.rows[0]!.n) !== MESSAGES || bodies.some((b) => b !== '')) throw new Error('message text left after erasure');
    const mine = await sql<{ n: string }>`SELECT count(*)::text AS n FROM chat_messages WHERE sender_id = ${member}`.execute(db);
    if (Number(mine.rows[0]!.n) !== 0) throw new Error('messages still name the member');
    if (fs.existsSync(path.join(dataDir, 'media', 'members', member))) throw new Error('member folder left after erasure');
    timings.push(ms);
    console.log(`${kind} run ${run + 1}: ${ms.toFixed(0)} ms (${MESSAGES} messages, ${PHOTOS + 3} files)`);
  }
  await app.close();
  await services.stop();
  await database.close();
  await dropDb?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return timings;
}

for (const kind of DATABASES) {
  const timings = await bench(kind);
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(`${kind}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (target ≤ 3000 ms)`);
}
