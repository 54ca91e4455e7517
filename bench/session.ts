// What a session check costs: authenticated GET /api/me against a bare Fastify hello-world,
// measured in the same run over HTTPS (target: /api/me ≥ 50% of the bare figure), in alternating
// rounds, with the server CPU time per request beside req/s.
// Kenalan runs in this process (embedded PGlite, production settings); the baseline and
// autocannon run as separate processes. Usage: npm run bench:session
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite } from '../src/server/platform/db/database.js';
import { loadTls } from '../src/server/platform/http/tls.js';
import { createLogger } from '../src/server/platform/logging/logger.js';

const root = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.DURATION ?? 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-session-'));
const config = loadConfig({
  DATA_DIR: dataDir,
  NODE_ENV: 'production',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '100000000',
});
const database = await openPglite(path.join(dataDir, 'pgdata'));
const services = await composeServices(config, database, createLogger('warn'), { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
const tls = await loadTls({ dataDir });
const app = await buildApp({ ...services, https: tls, isReady: () => true });
await app.listen({ host: '127.0.0.1', port: 18843 });

// One active member with a session.
const csrf = await app.inject({ url: '/api/csrf' });
const csrfCookie = csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
const csrfHeaders = { cookie: csrfCookie, 'x-csrf-token': (csrf.json() as { token: string }).token };
const form = new FormData();
const fields = {
  username: 'bench_member',
  nickname: 'Bench',
  gender: 'male',
  email: `bench${'\u0040'}contoh.id`,
  phone: '081299990000',
  nik: '3174051203900001',
  dateOfBirth: '1990-03-12',
  password: 'Senja merah di Pelabuhan Ratu 77',
  language: 'id',
  acceptPolicy: 'true',
};
for (const [k, v] of Object.entries(fields)) form.append(k, v);
const photo = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer();
form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'me.jpg');
const signUp = await app.inject({ method: 'POST', url: '/api/accounts', headers: csrfHeaders, payload: form });
if (signUp.statusCode !== 201) throw new Error(`sign-up failed: ${signUp.body}`);
await database.db.updateTable('members').set({ status: 'active' }).execute();
const login = await app.inject({ method: 'POST', url: '/api/sessions', headers: csrfHeaders, payload: { identifier: fields.username, password: fields.password } });
const session = login.cookies.find((c) => c.name === '__Host-kenalan-session');
if (!session) throw new Error(`login failed: ${login.body}`);

const hello = spawn(process.execPath, ['--import', 'tsx', 'bench/hello-server.ts', path.join(dataDir, 'tls/localhost.crt'), path.join(dataDir, 'tls/localhost.key'), '18844'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve) => hello.stdout!.on('data', (d) => String(d).includes('READY') && resolve()));

/** Runs autocannon in its own process (never spawnSync: that would block this server's event loop). */
function autocannon(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['autocannon', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', () => resolve(text));
  });
}

/** CPU time (user + system, ms) a process has used so far: this one, or a child by pid. */
function cpuMs(pid?: number): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks (100 Hz)
}

async function measure(url: string, pid: number | undefined, headers: Record<string, string> = {}, seconds = DURATION) {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const cpuBefore = cpuMs(pid);
  const out = await autocannon(['-j', '-c', '50', '-d', String(seconds), ...headerArgs, url]);
  const cpu = cpuMs(pid) - cpuBefore;
  const result = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p99: number }; non2xx: number; errors: number };
  return {
    reqPerSec: Math.round(result.requests.average),
    p99ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuUsPerRequest: Math.round((cpu * 1000) / Math.max(1, result.requests.total)),
  };
}

// With other work on the same 2 cores, load shifts within seconds: measure bare and /api/me in
// alternating rounds (order flipped each round) and compare within each round. Besides req/s,
// report the server's CPU time per request (bare: the child process; Kenalan: this process),
// which depends much less on what else runs on the machine.
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const bareUrl = 'https://127.0.0.1:18844/';
const meUrl = 'https://127.0.0.1:18843/api/me';
const cookie = { cookie: `${session.name}=${session.value}` };
await measure(bareUrl, hello.pid, {}, 2); // warm-up
await measure(meUrl, undefined, cookie, 2);
const rounds: { bare: Awaited<ReturnType<typeof measure>>; me: Awaited<ReturnType<typeof measure>> }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    const bare = await measure(bareUrl, hello.pid);
    rounds.push({ bare, me: await measure(meUrl, undefined, cookie) });
  } else {
    const me = await measure(meUrl, undefined, cookie);
    rounds.push({ me, bare: await measure(bareUrl, hello.pid) });
  }
}
const noDb = process.env.REFERENCE ? await measure('https://127.0.0.1:18843/api/policy', undefined) : undefined;
if (noDb) console.log('reference GET /api/policy (no database query):', noDb);
hello.kill('SIGTERM');
await app.close();
await services.stop();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (x: number) => `${Math.round(x * 100)}%`;
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}; 50 connections, ${DURATION} s each, ${ROUNDS} rounds; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
console.log('| round | target | req/s | p99 (ms) | errors | server CPU µs/request | vs bare (req/s) | vs bare (CPU/request) |');
console.log('|---|---|---|---|---|---|---|---|');
rounds.forEach(({ bare, me }, i) => {
  console.log(`| ${i + 1} | bare Fastify hello-world (HTTPS) | ${bare.reqPerSec} | ${bare.p99ms} | ${bare.errors} | ${bare.cpuUsPerRequest} | 100% | 100% |`);
  console.log(
    `| ${i + 1} | Kenalan GET /api/me (session cookie) | ${me.reqPerSec} | ${me.p99ms} | ${me.errors} | ${me.cpuUsPerRequest} | ` +
      `${pct(me.reqPerSec / bare.reqPerSec)} | ${pct(bare.cpuUsPerRequest / me.cpuUsPerRequest)} |`,
  );
});
console.log(
  `Median over rounds: /api/me at ${pct(median(rounds.map((r) => r.me.reqPerSec / r.bare.reqPerSec)))} of bare req/s, ` +
    `${pct(median(rounds.map((r) => r.bare.cpuUsPerRequest / r.me.cpuUsPerRequest)))} of bare's requests per CPU second`,
);
process.exit(0);
