// A member with a history, for the privacy benchmarks (export and erasure of the same member):
// signed up through the real API (photo and thumbnails on disk), then a conversation with
// `messages` encrypted messages from them and `photos` more re-encoded photos inserted directly.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import sharp from 'sharp';
import { buildApp } from '../../src/server/app.js';
import { composeServices, type Services } from '../../src/server/compose.js';
import { loadConfig, type Config } from '../../src/server/config.js';
import { toMasterKey } from '../../src/server/platform/crypto/master-key.js';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/server/platform/db/database.js';
import { createLogger } from '../../src/server/platform/logging/logger.js';

export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PASSWORD = 'Senja merah di Pelabuhan Ratu 77';
const AT = '\u0040';

export interface BenchKenalan {
  app: FastifyInstance;
  services: Services;
  database: DatabaseHandle;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/** Kenalan on a fresh PGlite data directory or a fresh PostgreSQL database, without job workers. */
export async function openBenchKenalan(kind: string, label: string): Promise<BenchKenalan> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `kenalan-bench-${label}-`));
  let database: DatabaseHandle;
  let dropDb: (() => Promise<void>) | undefined;
  if (kind === 'pglite') database = await openPglite(path.join(dataDir, 'pgdata'));
  else {
    const name = `kenalan_bench_${label}_${crypto.randomBytes(4).toString('hex')}`;
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
  return {
    app,
    services,
    database,
    config,
    dataDir,
    async close() {
      await app.close();
      await services.stop();
      await database.close();
      await dropDb?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const photoBytes = sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 200, g: 120, b: 60 } } }).jpeg({ quality: 85 }).toBuffer();

/** Signs up member `n` through the real API and marks them active; returns their id. */
export async function signUpBenchMember(k: BenchKenalan, n: number): Promise<string> {
  const photo = await photoBytes;
  const csrf = await k.app.inject({ url: '/api/csrf' });
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
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
  const response = await k.app.inject({
    method: 'POST',
    url: '/api/accounts',
    headers: { cookie: csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': (csrf.json() as { token: string }).token, 'x-forwarded-for': `192.0.2.${n}` },
    payload: form,
  });
  if (response.statusCode !== 201) throw new Error(`sign-up ${response.statusCode}: ${response.body}`);
  const { id } = response.json() as { id: string };
  await k.database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  return id;
}

/** One conversation with `messages` messages from `member` to `partner`, and `photos` more photos of `member`. */
export async function addHistory(k: BenchKenalan, member: string, partner: string, { messages, photos, tag }: { messages: number; photos: number; tag: string }): Promise<{ conversation: string }> {
  const { db } = k.database;
  const keyring = k.services.keyring;
  const photo = await photoBytes;
  const now = new Date();
  const conversation = crypto.randomUUID();
  await db.insertInto('chat_conversations').values({ id: conversation, created_at: now, last_message_at: now }).execute();
  await db
    .insertInto('chat_members')
    .values([
      { conversation_id: conversation, member_id: member, other_id: partner, created_at: now },
      { conversation_id: conversation, member_id: partner, other_id: member, created_at: now },
    ])
    .execute();
  for (let i = 0; i < messages; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({
      id: crypto.randomUUID(),
      conversation_id: conversation,
      sender_id: member,
      client_key: `bench-${tag}-${i + j}`,
      body: keyring.encrypt(`Halo, pesan nomor ${i + j} dari bench`, 'chat_messages.body'),
      created_at: new Date(now.getTime() + i + j),
    }));
    await db.insertInto('chat_messages').values(rows).execute();
  }
  const folder = path.join(k.dataDir, 'media', 'members', member, 'photos');
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < photos; i += 1) {
    const id = crypto.randomUUID();
    const rel = path.join('media', 'members', member, 'photos', `${id}.jpg`);
    fs.writeFileSync(path.join(k.dataDir, rel), photo);
    await db.insertInto('member_photos').values({ id, member_id: member, storage_path: rel, mime: 'image/jpeg', width: 1200, height: 900, bytes: photo.length, created_at: now }).execute();
  }
  return { conversation };
}
