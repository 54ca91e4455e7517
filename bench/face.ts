// Face verification cost (issue 6): time per verification for a phone selfie (downscaled before
// detection), throughput with the pool busy (pool of 1 and of 2), process RSS with the models loaded,
// and what running checks does to other requests (event-loop delay, GET /api/me latency).
// Kenalan runs in this process (embedded PGlite, production settings). Usage: npx tsx bench/face.ts
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite, openPostgres } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { makeFaceEngine } from '../src/server/verification/face/engine.js';
import { makeFaceService } from '../src/server/verification/face/service.js';
import { makeFaceFixture } from '../src/server/verification/face/test-faces.js';

const CHECKS = Number(process.env.CHECKS ?? 8);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-face-'));
const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000' });
// BENCH_DATABASE_URL (an empty database) measures the server as deployed with PostgreSQL; unset = embedded PGlite (its WASM Postgres is in this process's RSS).
const database = process.env.BENCH_DATABASE_URL ? await openPostgres(process.env.BENCH_DATABASE_URL) : await openPglite(path.join(dataDir, 'pgdata'));
const logger = createLogger('warn');
const services = await composeServices(config, database, logger, { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
const app = await buildApp({ ...services, isReady: () => true });
await app.ready();
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const rssBefore = process.memoryUsage().rss;
const databaseKind = process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';

const t0 = performance.now();
await services.face.engine.warmup();
const loadMs = performance.now() - t0;
const rssLoaded = process.memoryUsage().rss;
const fx = await makeFaceFixture(services.face.engine);

// A phone selfie: the fixture face at 3024 × 4032 (12 MP), JPEG q 88.
const phone = (image: Buffer) => sharp(image).resize({ width: 3024, height: 4032, fit: 'cover' }).jpeg({ quality: 88 }).toBuffer();
const [phoneStraight, phoneTurned, phoneProfile] = await Promise.all([phone(fx.straight), phone(fx.turned), phone(fx.profile)]);

async function member(n: number): Promise<{ id: string; cookie: string }> {
  const csrf = await app.inject({ url: '/api/csrf' });
  const headers = { cookie: csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': (csrf.json() as { token: string }).token };
  const form = new FormData();
  const fields = { username: `bench_face_${n}`, nickname: 'Bench', gender: 'female', email: `bench.face.${n}${'\u0040'}contoh.id`, phone: `0812${String(40_000_000 + n)}`, nik: `317405520390${String(5000 + n)}`, dateOfBirth: '1990-03-12', password: 'Senja merah di Pelabuhan Ratu 77', language: 'id', acceptPolicy: 'true' };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photo', new Blob([new Uint8Array(fx.profile)], { type: 'image/jpeg' }), 'me.jpg');
  const res = await app.inject({ method: 'POST', url: '/api/accounts', headers: { ...headers, 'x-forwarded-for': `192.0.2.${n}` }, payload: form });
  const { id } = res.json() as { id: string };
  await database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  // The profile photo as a phone would have sent it: the stored copy is ≤ 1080 px after sign-up re-encoding.
  const login = await app.inject({ method: 'POST', url: '/api/sessions', headers: { ...headers, 'x-forwarded-for': `192.0.2.${n}` }, payload: { identifier: fields.username, password: fields.password } });
  const session = login.cookies.find((c) => c.name === '__Host-kenalan-session')!;
  await database.db.transaction().execute((trx) => services.consent.setConsent(trx, { subject: { type: 'member', id }, language: 'id' }, 'biometric_verification', true, { ownScreen: true }));
  return { id, cookie: `${session.name}=${session.value}` };
}

const face = makeFaceService({ db: database.db, keyring: services.keyring, consent: services.consent, engine: services.face.engine, dataDir, logger, pickChallenge: () => fx.challenge });
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1)))]!;
const r = (x: number) => Math.round(x);

// 1. One frame: a 12 MP phone selfie through the engine (header check, downscale to ≤ 800 px, detect).
const frameMs: number[] = [];
for (let i = 0; i < CHECKS; i++) {
  const s = performance.now();
  await services.face.engine.analyse(phoneStraight);
  frameMs.push(performance.now() - s);
}

// 2. A whole verification (2 phone frames + the stored profile photo), sequential, one member per 4 checks (5/day limit).
const members = await Promise.all(Array.from({ length: Math.ceil(CHECKS / 4) + 3 }, (_, i) => member(i + 1)));
const checkMs: number[] = [];
let verified = 0;
for (let i = 0; i < CHECKS; i++) {
  const m = members[Math.floor(i / 4)]!;
  const c = await face.startChallenge(m.id);
  const s = performance.now();
  const outcome = await face.check(m.id, c.id, [phoneStraight, phoneTurned]);
  checkMs.push(performance.now() - s);
  if (outcome.status === 'verified') verified++;
}

// 3. Other requests while checks run: GET /api/me latency and event-loop delay, idle vs busy.
const viewer = members.at(-1)!;
async function meLatencies(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await app.inject({ url: '/api/me', headers: { cookie: viewer.cookie } });
    out.push(performance.now() - s);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return out;
}
const loopIdle = monitorEventLoopDelay({ resolution: 10 });
loopIdle.enable();
const idle = await meLatencies(200);
loopIdle.disable();

const rssBeforeBusy = process.memoryUsage().rss;
let peakRss = rssBeforeBusy;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const loopBusy = monitorEventLoopDelay({ resolution: 10 });
loopBusy.enable();
const busyStart = performance.now();
let done = 0;
const busyMembers = members.slice(Math.ceil(CHECKS / 4), -1);
const background = Promise.all(
  busyMembers.map(async (m) => {
    for (let k = 0; k < 2; k++) {
      const c = await face.startChallenge(m.id);
      await face.check(m.id, c.id, [phoneStraight, phoneTurned]);
      done++;
    }
  }),
);
const busy = await meLatencies(200);
await background;
const busySeconds = (performance.now() - busyStart) / 1000;
loopBusy.disable();
clearInterval(sampler);

// 4. Throughput of the bare engine with pool 1 vs 2 (8 phone frames queued at once).
async function throughput(size: number): Promise<{ perSecond: number; rss: number }> {
  const engine = size === services.face.engine.size ? services.face.engine : makeFaceEngine({ size });
  await engine.warmup();
  const s = performance.now();
  await Promise.all(Array.from({ length: 8 }, () => engine.analyse(phoneStraight)));
  const perSecond = 8 / ((performance.now() - s) / 1000);
  const rss = process.memoryUsage().rss;
  if (engine !== services.face.engine) await engine.close();
  return { perSecond, rss };
}
const pool1 = await throughput(1);
const pool2 = await throughput(2);

const lines = [
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} (other engineers' tests running); database: ${databaseKind}`,
  `model load (pool of 1, first use): ${r(loadMs)} ms; server process RSS ${mb(rssBefore)} MB before → ${mb(rssLoaded)} MB with the models loaded; ${mb(rssBeforeBusy)} MB after the sign-ups (argon2id) and sequential checks; peak while checks ran concurrently ${mb(peakRss)} MB`,
  `one 12 MP phone selfie frame (3024×4032 JPEG, ${mb(phoneStraight.length * 10) / 10} MB → ≤ 800 px → detect): p50 ${r(quantile(frameMs, 0.5))} ms, p95 ${r(quantile(frameMs, 0.95))} ms (n=${CHECKS})`,
  `one verification (2 phone frames + the stored profile photo, decision, template sealed, badge): p50 ${r(quantile(checkMs, 0.5))} ms, p95 ${r(quantile(checkMs, 0.95))} ms (n=${CHECKS}, ${verified} verified)`,
  `pool busy: ${done} verifications from ${busyMembers.length} members at once in ${busySeconds.toFixed(1)} s = ${(done / busySeconds).toFixed(2)}/s (${r((done / busySeconds) * 60)}/min)`,
  `engine throughput, 8 phone frames queued: pool 1 ${pool1.perSecond.toFixed(2)} frames/s (RSS ${mb(pool1.rss)} MB); pool 2 ${pool2.perSecond.toFixed(2)} frames/s (RSS ${mb(pool2.rss)} MB)`,
  `GET /api/me (inject) idle: p50 ${quantile(idle, 0.5).toFixed(1)} ms, p99 ${quantile(idle, 0.99).toFixed(1)} ms; while checks run: p50 ${quantile(busy, 0.5).toFixed(1)} ms, p99 ${quantile(busy, 0.99).toFixed(1)} ms`,
  `event-loop delay idle: p50 ${(loopIdle.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopIdle.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopIdle.max / 1e6).toFixed(1)} ms; while checks run: p50 ${(loopBusy.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopBusy.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopBusy.max / 1e6).toFixed(1)} ms`,
];
console.log(lines.join('\n'));
await app.close();
await services.stop();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });
