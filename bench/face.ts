// Face verification cost (issue 6): process RSS phase by phase through a working session (models
// loaded, sign-ups and sign-ins with argon2id, 12 MP phone selfies through the engine, whole checks
// over HTTP, concurrent checks), with both threads' heaps, live tensors, the WASM heap and sharp's
// cache; time per frame and per verification; throughput of a pool of 1 and 2; and what running
// checks does to other requests (event-loop delay and GET /api/me, several alternating idle/busy
// windows, the median of the busy/idle ratios).
// Kenalan runs in this process with production settings. Usage: npx tsx bench/face.ts
//   BENCH_DATABASE_URL=postgres://…  an empty PostgreSQL database (unset = embedded PGlite, whose WASM
//                                    Postgres then counts in this process's RSS)
//   CHECKS=8 WINDOWS=5               sequential samples; idle/busy window pairs
//   BENCH_MALLOC=default              glibc's allocator defaults instead of the settings `npm start` uses
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite, openPostgres } from '../src/server/platform/db/database.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { fullGc } from '../src/server/verification/face/diagnostics.js';
import { makeFaceEngine, type FaceWorkerStats } from '../src/server/verification/face/engine.js';
import { makeFaceService } from '../src/server/verification/face/service.js';
import type { FaceChallenge } from '../src/server/verification/face/tables.js';
import { makeFaceFixture } from '../src/server/verification/face/test-faces.js';

// The server runs with the glibc allocator settings of `npm start` (package.json; why: bench/results/face.md).
// They must be in the environment before the process starts, so the bench re-runs itself with them.
const startScript = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
const mallocEnv = Object.fromEntries([...startScript.matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
if (process.env.BENCH_MALLOC !== 'default' && Object.keys(mallocEnv).some((name) => process.env[name] === undefined)) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...mallocEnv } });
  process.exit(child.status ?? 1);
}

const CHECKS = Number(process.env.CHECKS ?? 8);
const WINDOWS = Number(process.env.WINDOWS ?? 5);
/** Checks per busy window (2 members at once, 2 each). */
const BUSY_CHECKS = 4;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-face-'));
const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', TRUST_PROXY: 'true' });
const database = process.env.BENCH_DATABASE_URL ? await openPostgres(process.env.BENCH_DATABASE_URL) : await openPglite(path.join(dataDir, 'pgdata'));
const databaseKind = process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
const logger = createLogger('warn');
const services = await composeServices(config, database, logger, { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
// The production face service, except that the challenge is the one the fixture can show (a head turn
// in its direction; a photo derived from another cannot smile). It replaces the composed one (same engine).
let fixtureChallenge: FaceChallenge = 'turn_left';
const face = makeFaceService({ db: database.db, keyring: services.keyring, consent: services.consent, engine: services.face.engine, dataDir, logger, pickChallenge: () => fixtureChallenge });
const app = await buildApp({ ...services, face, isReady: () => true });
await app.ready();
const engine = services.face.engine;

// ---- Memory, phase by phase -------------------------------------------------------------------
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
interface Phase { name: string; rss: number; rssAfterGc: number; main: NodeJS.MemoryUsage; worker?: FaceWorkerStats }
const phases: Phase[] = [];
/**
 * RSS as the session left it; with `gc` (GC_EACH_PHASE=1 for every phase, always at the end) also after
 * a full GC in both threads: what stays is native (WASM heap, libvips, malloc arenas, code) or live JS.
 * A forced GC changes the phases after it, hence only at the end unless asked.
 */
async function phase(name: string, withWorker = true, gc = process.env.GC_EACH_PHASE === '1'): Promise<void> {
  const rss = process.memoryUsage().rss;
  const worker = withWorker ? await engine.stats({ gc }) : undefined;
  if (gc) fullGc();
  const main = process.memoryUsage();
  phases.push({ name, rss, rssAfterGc: gc ? main.rss : Number.NaN, main, worker });
}
await phase('composed (server ready, no face work yet)', false);

const t0 = performance.now();
await engine.warmup();
const loadMs = performance.now() - t0;
await phase('models loaded (warm-up)');

// The fixture face (found with the server's engine), then blown up to 12 MP phone selfies in a child
// process: encoding 12 MP JPEGs is the phone's work, not the server's, and must not count in its RSS.
const fx = await makeFaceFixture(engine);
fixtureChallenge = fx.challenge;
const fixtureDir = path.join(dataDir, 'fixture');
fs.mkdirSync(fixtureDir);
for (const [name, bytes] of Object.entries({ straight: fx.straight, turned: fx.turned, profile: fx.profile })) fs.writeFileSync(path.join(fixtureDir, `${name}.jpg`), bytes);
execFileSync(process.execPath, ['--input-type=module', '-e', `
  import sharp from 'sharp';
  for (const name of ['straight', 'turned', 'profile'])
    await sharp(${JSON.stringify(fixtureDir)} + '/' + name + '.jpg').resize({ width: 3024, height: 4032, fit: 'cover' }).jpeg({ quality: 88 }).toFile(${JSON.stringify(fixtureDir)} + '/' + name + '-12mp.jpg');
`], { cwd: path.resolve(import.meta.dirname, '..') });
const [phoneStraight, phoneTurned] = ['straight', 'turned'].map((n) => fs.readFileSync(path.join(fixtureDir, `${n}-12mp.jpg`))) as [Buffer, Buffer];
await phase('fixture analysed (3 small photos)');

// ---- Members: sign-up (argon2id 64 MiB), activation, sign-in, biometric consent ---------------------
type Member = { id: string; ip: string; headers: () => Promise<Record<string, string>> };
async function csrf(): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const res = await app.inject({ url: '/api/csrf' });
  return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': (res.json() as { token: string }).token };
}
async function member(n: number): Promise<Member> {
  const ip = `192.0.2.${n}`;
  const form = new FormData();
  const fields = { username: `bench_face_${n}`, nickname: 'Bench', gender: 'female', email: `bench.face.${n}${'\u0040'}contoh.id`, phone: `0812${String(40_000_000 + n)}`, nik: `317405520390${String(5000 + n)}`, dateOfBirth: '1990-03-12', password: 'Senja merah di Pelabuhan Ratu 77', language: 'id', acceptPolicy: 'true' };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photo', new Blob([new Uint8Array(fx.profile)], { type: 'image/jpeg' }), 'me.jpg');
  const res = await app.inject({ method: 'POST', url: '/api/accounts', headers: { ...(await csrf()), 'x-forwarded-for': ip }, payload: form });
  const { id } = res.json() as { id: string };
  if (!id) throw new Error(`sign-up failed: ${res.body}`);
  await database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
  const login = await app.inject({ method: 'POST', url: '/api/sessions', headers: { ...(await csrf()), 'x-forwarded-for': ip }, payload: { identifier: fields.username, password: fields.password } });
  const session = login.cookies.find((c) => c.name === '__Host-kenalan-session');
  if (!session) throw new Error(`sign-in failed: ${login.body}`);
  const headers = async () => {
    const c = await csrf();
    return { ...c, cookie: `${c.cookie}; ${session.name}=${session.value}`, 'x-forwarded-for': ip };
  };
  const consent = await app.inject({ method: 'PUT', url: '/api/me/face/consent', headers: await headers(), payload: { granted: true } });
  if (consent.statusCode !== 200) throw new Error(`face consent failed: ${consent.body}`);
  return { id, ip, headers };
}
const sequentialMembers = Math.ceil(CHECKS / 4);
const members: Member[] = [];
for (let i = 0; i < sequentialMembers + WINDOWS * 2 + 1; i++) members.push(await member(i + 1));
await phase(`${members.length} sign-ups + sign-ins (argon2id 64 MiB each)`);

/** One whole check over HTTP, as the browser sends it: challenge, then a multipart with 2 phone frames. */
async function httpCheck(m: Member): Promise<string> {
  const c = await app.inject({ method: 'POST', url: '/api/me/face/challenge', headers: await m.headers() });
  const { id } = c.json() as { id: string };
  if (!id) throw new Error(`challenge failed: ${c.body}`);
  const form = new FormData();
  form.append('checkId', id);
  form.append('frames', new Blob([new Uint8Array(phoneStraight)], { type: 'image/jpeg' }), 'f0.jpg');
  form.append('frames', new Blob([new Uint8Array(phoneTurned)], { type: 'image/jpeg' }), 'f1.jpg');
  const res = await app.inject({ method: 'POST', url: '/api/me/face/checks', headers: await m.headers(), payload: form });
  return (res.json() as { status: string; reason: string | null }).status;
}

// ---- 1. One frame: a 12 MP phone selfie through the engine (header check, shrink-on-load, detect) ----
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1)))]!;
const median = (xs: number[]) => quantile(xs, 0.5);
const r = (x: number) => Math.round(x);
const frameMs: number[] = [];
for (let i = 0; i < CHECKS; i++) {
  const s = performance.now();
  const a = await engine.analyse(phoneStraight);
  frameMs.push(performance.now() - s);
  if (!a.ok || a.faces.length !== 1) throw new Error('the phone frame was not analysed');
}
await phase(`${CHECKS} phone frames (12 MP) analysed`);

// ---- 2. Whole verifications over HTTP (2 phone frames + the stored profile photo), one at a time ----
const checkMs: number[] = [];
let verified = 0;
for (let i = 0; i < CHECKS; i++) {
  const s = performance.now();
  const status = await httpCheck(members[Math.floor(i / 4)]!);
  checkMs.push(performance.now() - s);
  if (status === 'verified') verified++;
}
await phase(`${CHECKS} whole checks over HTTP, one at a time`);

// ---- 3. Other requests while checks run: alternating idle / busy windows ---------------------------
const viewer = members.at(-1)!;
const viewerHeaders = await viewer.headers();
interface Window { loopP99: number; loopMax: number; meP99: number; meP50: number; checks: number; seconds: number }
async function window(busy: boolean, busyMembers: Member[]): Promise<Window> {
  const loop = monitorEventLoopDelay({ resolution: 2 });
  const latencies: number[] = [];
  let running = busy;
  const started = performance.now();
  loop.enable();
  const me = (async () => {
    // Idle windows run as many /api/me requests as the busy one before them did (at least 150).
    while (busy ? running : latencies.length < Math.max(150, lastBusyRequests)) {
      const s = performance.now();
      await app.inject({ url: '/api/me', headers: { cookie: viewerHeaders.cookie } });
      latencies.push(performance.now() - s);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  let checks = 0;
  if (busy) {
    await Promise.all(busyMembers.map(async (m) => {
      for (let k = 0; k < BUSY_CHECKS / busyMembers.length; k++) {
        await httpCheck(m);
        checks++;
      }
    }));
    running = false;
    lastBusyRequests = latencies.length;
  }
  await me;
  loop.disable();
  return { loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, meP99: quantile(latencies, 0.99), meP50: median(latencies), checks, seconds: (performance.now() - started) / 1000 };
}
let lastBusyRequests = 0;
// process.memoryUsage.rss() alone: the full memoryUsage() also walks the heap spaces, too slow to run every 50 ms.
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const idleWindows: Window[] = [];
const busyWindows: Window[] = [];
// CPU_PROFILE=file.cpuprofile: a main-thread CPU profile of the windows (what the event loop does per check).
const profiler = process.env.CPU_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}
for (let w = 0; w < WINDOWS; w++) {
  const pair = members.slice(sequentialMembers + 2 * w, sequentialMembers + 2 * w + 2);
  busyWindows.push(await window(true, pair));
  idleWindows.push(await window(false, []));
}
clearInterval(sampler);
if (profiler) fs.writeFileSync(process.env.CPU_PROFILE!, JSON.stringify((await profiler.post('Profiler.stop')).profile));
await phase(`${WINDOWS * BUSY_CHECKS} checks, 2 at a time, with /api/me traffic (end of the working session)`, true, true);

// ---- 4. Throughput of the bare engine, pool of 1 vs 2 (8 phone frames queued at once) -----------------
async function throughput(size: number): Promise<{ perSecond: number; rss: number }> {
  const e = size === engine.size ? engine : makeFaceEngine({ size });
  await e.warmup();
  const s = performance.now();
  await Promise.all(Array.from({ length: 8 }, () => e.analyse(phoneStraight)));
  const perSecond = 8 / ((performance.now() - s) / 1000);
  const rss = process.memoryUsage().rss;
  if (e !== engine) await e.close();
  return { perSecond, rss };
}
const pool1 = await throughput(1);
const pool2 = await throughput(2);

// ---- Report -----------------------------------------------------------------------------------------
const ratio = (busy: number[], idle: number[]) => median(busy.map((b, i) => b / idle[i]!));
const fmt = (x: number) => x.toFixed(1);
const mallocNow = Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_')).map(([name, value]) => `${name}=${value}`);
const env = mallocNow.length > 0 ? `allocator: ${mallocNow.join(' ')}` : 'allocator: glibc defaults (BENCH_MALLOC=default)';
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}; database: ${databaseKind}; ${env}`);
console.log(`model load (pool of 1): ${r(loadMs)} ms`);
console.log('\nmemory by phase (MB; RSS is the whole process; heaps per thread, after the GC where there is one):');
console.log('| phase | RSS | RSS after GC | main heap used / total | main external (array buffers) | worker heap used / total | worker external (array buffers) | tensors | WASM heap | sharp cache |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const p of phases) {
  const w = p.worker;
  console.log(`| ${p.name} | **${mb(p.rss)}** | ${Number.isNaN(p.rssAfterGc) ? '—' : mb(p.rssAfterGc)} | ${mb(p.main.heapUsed)} / ${mb(p.main.heapTotal)} | ${mb(p.main.external)} (${mb(p.main.arrayBuffers)}) | ${w ? `${mb(w.memory.heapUsed)} / ${mb(w.memory.heapTotal)}` : '—'} | ${w ? `${mb(w.memory.external)} (${mb(w.memory.arrayBuffers)})` : '—'} | ${w?.loaded ? w.tensors : '—'} | ${w?.loaded ? mb(w.wasmHeap) : '—'} | ${w ? `${mb(w.sharpCache.memory)} MB, ${w.sharpCache.items} ops` : '—'} |`);
}
console.log(`peak RSS while checks ran concurrently: ${mb(peakRss)} MB; after the pool-of-2 run (closed again): ${mb(process.memoryUsage().rss)} MB`);
console.log(`\none 12 MP phone selfie frame (3024×4032 JPEG, ${(phoneStraight.length / 1024 / 1024).toFixed(1)} MB → ≤ 800 px → detect): p50 ${r(median(frameMs))} ms, p95 ${r(quantile(frameMs, 0.95))} ms (n=${CHECKS})`);
console.log(`one verification over HTTP (challenge + 2 phone frames + the stored profile photo, decision, template sealed, badge): p50 ${r(median(checkMs))} ms, p95 ${r(quantile(checkMs, 0.95))} ms (n=${CHECKS}, ${verified} verified)`);
const busyChecks = busyWindows.reduce((a, w) => a + w.checks, 0);
const busySeconds = busyWindows.reduce((a, w) => a + w.seconds, 0);
console.log(`pool busy (2 members checking at once): ${busyChecks} verifications in ${busySeconds.toFixed(1)} s = ${(busyChecks / busySeconds).toFixed(2)}/s (${r((busyChecks / busySeconds) * 60)}/min)`);
console.log(`engine throughput, 8 phone frames queued: pool 1 ${pool1.perSecond.toFixed(2)} frames/s (RSS ${mb(pool1.rss)} MB); pool 2 ${pool2.perSecond.toFixed(2)} frames/s (RSS ${mb(pool2.rss)} MB)`);
console.log(`\nother requests, ${WINDOWS} busy/idle window pairs (event loop sampled every 2 ms; GET /api/me every 5 ms):`);
console.log('| window | loop p99 idle → busy | loop max idle → busy | /api/me p50 idle → busy | /api/me p99 idle → busy |');
console.log('|---|---|---|---|---|');
for (let w = 0; w < WINDOWS; w++) {
  const i = idleWindows[w]!;
  const b = busyWindows[w]!;
  console.log(`| ${w + 1} | ${fmt(i.loopP99)} → ${fmt(b.loopP99)} ms | ${fmt(i.loopMax)} → ${fmt(b.loopMax)} ms | ${fmt(i.meP50)} → ${fmt(b.meP50)} ms | ${fmt(i.meP99)} → ${fmt(b.meP99)} ms |`);
}
const pct = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs(Math.round((x - 1) * 100))} %`;
console.log(`median of the busy/idle ratios: event-loop p99 ${pct(ratio(busyWindows.map((w) => w.loopP99), idleWindows.map((w) => w.loopP99)))}, /api/me p99 ${pct(ratio(busyWindows.map((w) => w.meP99), idleWindows.map((w) => w.meP99)))}, /api/me p50 ${pct(ratio(busyWindows.map((w) => w.meP50), idleWindows.map((w) => w.meP50)))} (target: p99 within +20 %)`);

await app.close();
await services.stop();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });
