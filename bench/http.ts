// Throughput and p99 latency of /healthz and /privacy against a bare Fastify hello-world measured
// in the same run on the same machine, all over HTTPS. Usage: npm run bench:http
// Servers run as child processes; autocannon (50 connections, 10 s) runs here.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const root = path.resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = 50;

function start(args: string[], env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    if (readyText === '') resolve(child);
    let output = '';
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes(readyText)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
}

async function measure(url: string) {
  // Warm up (JIT, TLS session, caches) before the measured run.
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers: { 'accept-language': 'id' } });
  return { reqPerSec: Math.round(result.requests.average), p99ms: result.latency.p99, errors: result.errors + result.non2xx };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-bench-'));
const kenalan = await start(['src/server/main.ts'], {
  DATA_DIR: dataDir,
  PORT: '18443',
  HTTP_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '100000000',
  NODE_ENV: 'production',
  SMTP_URL: 'smtp://127.0.0.1:2525',
}, '');
// main logs "Kenalan is ready" at info, which LOG_LEVEL=warn hides: poll /readyz instead (up to
// 3 minutes: on a loaded machine the first start, migrations included, can take over a minute).
let ready = false;
for (let i = 0; i < 1800 && !ready; i++) {
  ready = await new Promise<boolean>((resolve) =>
    https.get('https://127.0.0.1:18443/readyz', { rejectUnauthorized: false }, (r) => resolve(r.statusCode === 200)).on('error', () => resolve(false)),
  );
  if (!ready) await new Promise((r) => setTimeout(r, 100));
}
if (!ready) {
  kenalan.kill('SIGTERM');
  throw new Error('Kenalan did not become ready within 3 minutes');
}
const hello = await start(['bench/hello-server.ts', path.join(dataDir, 'tls/localhost.crt'), path.join(dataDir, 'tls/localhost.key'), '18444'], {}, 'READY');

const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
rows.push(['bare Fastify hello-world (HTTPS)', await measure('https://127.0.0.1:18444/')]);
rows.push(['Kenalan /healthz', await measure('https://127.0.0.1:18443/healthz')]);
rows.push(['Kenalan /privacy (id, server-rendered)', await measure('https://127.0.0.1:18443/privacy?lang=id')]);
kenalan.kill('SIGTERM');
hello.kill('SIGTERM');

const bare = rows[0]![1].reqPerSec;
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s each`);
console.log('| target | req/s | p99 (ms) | errors | vs bare |');
console.log('|---|---|---|---|---|');
for (const [name, r] of rows) console.log(`| ${name} | ${r.reqPerSec} | ${r.p99ms} | ${r.errors} | ${Math.round((r.reqPerSec / bare) * 100)}% |`);
fs.rmSync(dataDir, { recursive: true, force: true });
