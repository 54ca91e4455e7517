// Sign-up end to end: POST /api/accounts (multipart, a real JPEG photo, unique username, email,
// phone and NIK per request) over HTTPS, on PGlite and on PostgreSQL, with argon2 reported apart.
//
// Kenalan runs in this process (production settings, job workers off: the SMS and email jobs the
// sign-up enqueues are not run, only enqueued in the sign-up transaction); the load generator runs
// in a child process (`--client`) with every request body built before the clock starts.
// argon2 is not switched off or weakened: the same hashPassword runs inside every sign-up, and
// its cost is measured on its own in this process right before each load phase; "excluding
// argon2" is the end-to-end figure minus that argon2 p50 (meaningful at concurrency 1; at higher
// concurrency the stages share the 2 cores). The other stages (photo processing, password
// strength check) are timed the same way to show where the time goes.
//
// Usage: npm run bench:signup
//   DATABASES=pglite,postgres (default both)   PG_URL=postgres://postgres@127.0.0.1:5432/postgres
//   REQUESTS=30 (per case at concurrency 1; ×2 at CONCURRENCY)   CONCURRENCY=4
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import sharp, { type OverlayOptions } from 'sharp';

const root = path.resolve(import.meta.dirname, '..');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// Client mode: one process that fires COUNT sign-ups with CONCURRENCY in flight and prints
// per-request latencies as JSON.
// ---------------------------------------------------------------------------------------------

interface ClientResult {
  latenciesMs: number[];
  wallMs: number;
  statuses: Record<string, number>;
  firstError?: string;
}

/** A valid NIK for a man born 12 March 1990: province, regency, district and serial vary with i. */
export function benchNik(i: number): string {
  const provinces = ['11', '12', '13', '14', '31', '32', '33', '34', '35', '36', '51', '52', '61', '71', '73', '81', '91'];
  const province = provinces[i % provinces.length]!;
  const rest = Math.floor(i / provinces.length);
  const serial = (rest % 9999) + 1;
  const district = (Math.floor(rest / 9999) % 99) + 1;
  const regency = (Math.floor(rest / (9999 * 99)) % 99) + 1;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${province}${two(regency)}${two(district)}120390${String(serial).padStart(4, '0')}`;
}

function signUpFields(run: string, i: number): Record<string, string> {
  return {
    username: `b${run}_${i}`,
    nickname: `Bench ${i}`,
    gender: 'male',
    email: `bench.${run}.${i}\u0040contoh.id`,
    phone: `0812${String(10_000_000 + i).slice(-8)}`,
    nik: benchNik(i),
    dateOfBirth: '1990-03-12',
    password: 'Senja merah di Pelabuhan Ratu 77',
    language: 'id',
    acceptPolicy: 'true',
  };
}

async function clientMain(): Promise<void> {
  const [url, photoFile, countArg, concurrencyArg, firstArg, run] = process.argv.slice(3);
  const count = Number(countArg);
  const concurrency = Number(concurrencyArg);
  const first = Number(firstArg);
  const photo = fs.readFileSync(photoFile!);
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });
  const target = new URL('/api/accounts', url);

  function request(method: string, pathName: string, headers: Record<string, string>, body?: Buffer) {
    return new Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const req = https.request(new URL(pathName, url), { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  // One CSRF cookie + token for all requests (double-submit: the token stays valid for the cookie).
  const csrf = await request('GET', '/api/csrf', {});
  const cookie = ([] as string[]).concat(csrf.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = (JSON.parse(csrf.body) as { token: string }).token;

  // Every body is built before the clock starts (a fresh multipart body per request).
  const bodies: { body: Buffer; type: string; ip: string }[] = [];
  for (let i = first; i < first + count; i++) {
    const form = new FormData();
    for (const [k, v] of Object.entries(signUpFields(run!, i))) form.append(k, v);
    form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'IMG_20260817_073000.jpg');
    const encoded = new Response(form);
    bodies.push({ body: Buffer.from(await encoded.arrayBuffer()), type: encoded.headers.get('content-type')!, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
  }

  const result: ClientResult = { latenciesMs: [], wallMs: 0, statuses: {} };
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      const t0 = performance.now();
      const res = await request('POST', target.pathname, {
        cookie,
        'x-csrf-token': token,
        'content-type': b.type,
        'content-length': String(b.body.length),
        // Each sign-up comes from its own client address (the route allows 5 per IP per hour).
        'x-forwarded-for': b.ip,
        'idempotency-key': crypto.randomUUID(),
      }, b.body);
      result.latenciesMs.push(performance.now() - t0);
      result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
      if (res.status !== 201 && !result.firstError) result.firstError = `${res.status} ${res.body.slice(0, 500)}`;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  result.wallMs = performance.now() - started;
  agent.destroy();
  process.stdout.write(JSON.stringify(result));
}

if (process.argv[2] === '--client') {
  await clientMain();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Server / orchestration mode.
// ---------------------------------------------------------------------------------------------

const { buildApp } = await import('../src/server/app.js');
const { composeServices } = await import('../src/server/compose.js');
const { loadConfig } = await import('../src/server/config.js');
const { toMasterKey } = await import('../src/server/platform/crypto/master-key.js');
const { openPglite, openPostgres } = await import('../src/server/platform/db/database.js');
const { loadTls } = await import('../src/server/platform/http/tls.js');
const { createLogger } = await import('../src/server/platform/logging/logger.js');
const { processProfilePhoto } = await import('../src/server/platform/media/image.js');
const { hashPassword } = await import('../src/server/identity/password/hash.js');
const { checkPasswordStrength, warmUpPasswordStrength } = await import('../src/server/identity/password/strength.js');
const { isValidNik } = await import('../src/common/identity/nik.js');

const DATABASES = (process.env.DATABASES ?? 'pglite,postgres').split(',').map((s) => s.trim());
const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUESTS = Number(process.env.REQUESTS ?? 30);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const PORT = 18943;

for (let i = 0; i < 2000; i += 37) if (!isValidNik(benchNik(i), { today: '2026-11-27' })) throw new Error(`bench NIK generator: ${benchNik(i)} is invalid`);

// Realistic phone photos: gradients plus texture at three scales (compresses like a real photo),
// EXIF with camera, time, GPS and orientation 6 (rotated), JPEG quality 92 as phone cameras write.
interface Piexif {
  dump(exif: Record<string, Record<number, unknown>>): string;
  insert(exif: string, jpeg: string): string;
  ImageIFD: Record<string, number>;
  ExifIFD: Record<string, number>;
  GPSIFD: Record<string, number>;
}
const piexif = createRequire(import.meta.url)('piexifjs') as Piexif;

async function phonePhoto(width: number, height: number): Promise<Buffer> {
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
      `<stop offset="0" stop-color="#3a6ea5"/><stop offset="0.5" stop-color="#f2c57c"/><stop offset="1" stop-color="#2f4f2f"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2.5}" r="${height / 5}" fill="#d9a07a"/></svg>`,
  );
  const layers: OverlayOptions[] = [];
  for (const [divisor, sigma] of [[1, 18], [4, 40], [16, 60]] as const) {
    const w = Math.round(width / divisor);
    const h = Math.round(height / divisor);
    let layer = sharp({ create: { width: w, height: h, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma } } });
    if (divisor > 1) layer = sharp(await layer.png().toBuffer()).resize(width, height, { kernel: 'cubic' });
    layers.push({ input: await layer.png().toBuffer(), blend: 'soft-light' });
  }
  const base = await sharp(await sharp(gradient).composite(layers).png().toBuffer()).jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toBuffer();
  const exif = piexif.dump({
    '0th': { [piexif.ImageIFD.Make!]: 'Samsung', [piexif.ImageIFD.Model!]: 'SM-A546E', [piexif.ImageIFD.Orientation!]: 6 },
    Exif: { [piexif.ExifIFD.DateTimeOriginal!]: '2026:08:17 07:30:00' },
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef!]: 'S',
      [piexif.GPSIFD.GPSLatitude!]: [[6, 1], [10, 1], [3000, 100]],
      [piexif.GPSIFD.GPSLongitudeRef!]: 'E',
      [piexif.GPSIFD.GPSLongitude!]: [[106, 1], [49, 1], [4000, 100]],
    },
  });
  return Buffer.from(piexif.insert(exif, base.toString('binary')), 'binary');
}

/** CPU time this process has used (all threads: the event loop and libuv's pool, where sharp and argon2 run), in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Wall times of `runs` calls after one warm-up; `cpu` is the process CPU time per call (mean). */
async function time(fn: () => Promise<unknown>, runs: number): Promise<number[] & { cpu: number }> {
  await fn(); // warm-up
  const xs: number[] = [];
  const cpu0 = cpuMs();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return Object.assign(xs, { cpu: (cpuMs() - cpu0) / runs });
}

function runClient(url: string, photoFile: string, count: number, concurrency: number, first: number, run: string): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/signup.ts', '--client', url, photoFile, String(count), String(concurrency), String(first), run], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ClientResult) : reject(new Error(`client exited ${code}: ${out}`))));
  });
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-signup-'));
const photos = [
  { label: '1600×1200', file: path.join(workDir, 'phone-1600.jpg'), bytes: await phonePhoto(1600, 1200) },
  { label: '4000×3000', file: path.join(workDir, 'phone-4000.jpg'), bytes: await phonePhoto(4000, 3000) },
];
for (const p of photos) fs.writeFileSync(p.file, p.bytes);

// Stages on their own, in this process, with the server idle.
warmUpPasswordStrength();
const strengthContext = { username: 'b_x_1', nickname: 'Bench 1', email: `bench.x.1\u0040contoh.id`, phone: '081210000001', nik: benchNik(1), language: 'id' as const };
const stage = {
  strength: await time(async () => checkPasswordStrength('Senja merah di Pelabuhan Ratu 77', strengthContext), 20),
  photo: {} as Record<string, number[] & { cpu: number }>,
};
for (const p of photos) stage.photo[p.label] = await time(() => processProfilePhoto(p.bytes), p.label === '4000×3000' ? 8 : 15);

interface Row {
  database: string;
  photo: string;
  concurrency: number;
  result: ClientResult;
  argon2: number[] & { cpu: number };
  /** This (server) process's CPU time per sign-up during the phase. */
  cpuPerSignUp: number;
  /** The server's event-loop delay during the phase (ms): what every other request waited on top. */
  loop: { p99: number; max: number };
}
const rows: Row[] = [];
const run = crypto.randomBytes(3).toString('hex');
let first = 0;

for (const kind of DATABASES) {
  const dataDir = fs.mkdtempSync(path.join(workDir, `${kind}-`));
  let dropDatabase: (() => Promise<void>) | undefined;
  let database;
  if (kind === 'postgres') {
    const name = `kenalan_bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    database = await openPostgres(url.toString());
    dropDatabase = async () => {
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else if (kind === 'pglite') {
    database = await openPglite(path.join(dataDir, 'pgdata'));
  } else {
    throw new Error(`DATABASES: unknown ${kind}`);
  }
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: 'production',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    TRUST_PROXY: 'true',
  });
  const services = await composeServices(config, database, createLogger('warn'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
  const tls = await loadTls({ dataDir });
  const app = await buildApp({ ...services, https: tls, isReady: () => true });
  await app.listen({ host: '127.0.0.1', port: PORT });
  const url = `https://127.0.0.1:${PORT}`;

  for (const photo of photos) {
    const warm = await runClient(url, photo.file, 3, 1, first, run); // warm-up (JIT, pools, first files)
    first += 3;
    if (warm.firstError) throw new Error(`${kind} ${photo.label} warm-up: ${warm.firstError}`);
    const count = photo.label === '4000×3000' ? Math.ceil(REQUESTS / 2) : REQUESTS;
    for (const concurrency of [1, CONCURRENCY]) {
      const argon2 = await time(() => hashPassword('Senja merah di Pelabuhan Ratu 77'), 10);
      const n = concurrency === 1 ? count : count * 2;
      const cpu0 = cpuMs();
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const result = await runClient(url, photo.file, n, concurrency, first, run);
      delay.disable();
      const cpuPerSignUp = (cpuMs() - cpu0) / n;
      first += n;
      rows.push({ database: kind, photo: photo.label, concurrency, result, argon2, cpuPerSignUp, loop: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } });
      process.stderr.write(`${kind} ${photo.label} c=${concurrency}: ${JSON.stringify(result.statuses)} p50 ${percentile(result.latenciesMs, 50).toFixed(0)} ms\n`);
    }
  }
  await app.close();
  await services.stop();
  await database.close();
  await dropDatabase?.();
}
fs.rmSync(workDir, { recursive: true, force: true });

const ms = (x: number) => `${x.toFixed(0)} ms`;
const cpus = os.cpus();
console.log(`Machine: ${cpus.length} × ${cpus[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
console.log(`Photos: ${photos.map((p) => `${p.label} JPEG ${(p.bytes.length / 2 ** 20).toFixed(2)} MiB`).join(', ')}\n`);
console.log('Stages alone (this process, server idle):\n');
console.log('| stage | p50 | p95 | CPU per call | runs |\n|---|---|---|---|---|');
console.log(`| password strength check (zxcvbn-ts) | ${ms(percentile(stage.strength, 50))} | ${ms(percentile(stage.strength, 95))} | ${ms(stage.strength.cpu)} | ${stage.strength.length} |`);
for (const p of photos) {
  const xs = stage.photo[p.label]!;
  console.log(`| photo ${p.label} (processProfilePhoto) | ${ms(percentile(xs, 50))} | ${ms(percentile(xs, 95))} | ${ms(xs.cpu)} | ${xs.length} |`);
}
const argonAll = rows.flatMap((r) => r.argon2);
console.log(`| argon2id hashPassword (all phases) | ${ms(percentile(argonAll, 50))} | ${ms(percentile(argonAll, 95))} | ${ms(rows.reduce((a, r) => a + r.argon2.cpu, 0) / rows.length)} | ${argonAll.length} |`);
console.log('\nEnd to end (POST /api/accounts over HTTPS, 201 each):\n');
console.log('| database | photo | concurrency | requests | errors | p50 | p95 | p99 | sign-ups/s | argon2 p50 (same run) | p50 excluding argon2 | server CPU per sign-up | of which argon2 | event-loop delay p99 / max |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const xs = r.result.latenciesMs;
  const errors = Object.entries(r.result.statuses).filter(([s]) => s !== '201').reduce((a, [, n]) => a + n, 0);
  const a50 = percentile(r.argon2, 50);
  const p50 = percentile(xs, 50);
  console.log(
    `| ${r.database} | ${r.photo} | ${r.concurrency} | ${xs.length} | ${errors} | ${ms(p50)} | ${ms(percentile(xs, 95))} | ${ms(percentile(xs, 99))} | ` +
      `${((xs.length / r.result.wallMs) * 1000).toFixed(1)} | ${ms(a50)} | ${r.concurrency === 1 ? ms(p50 - a50) : '(shared cores)'} | ` +
      `${ms(r.cpuPerSignUp)} | ${ms(r.argon2.cpu)} | ${r.loop.p99.toFixed(1)} / ${r.loop.max.toFixed(1)} ms |`,
  );
  if (r.result.firstError) console.log(`  first error: ${r.result.firstError}`);
}
process.exit(0);
