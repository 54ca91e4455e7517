// Start-to-ready time on embedded PGlite, as `npm start` runs it (node dist/server/main.js):
// the first start creates the database, keys, certificate and job schema; later starts reopen them.
// Usage: npm run build && npm run bench:startup
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist/server/main.js');
if (!fs.existsSync(entry)) throw new Error('Run `npm run build` first: this measures the built server');
const RUNS = Number(process.env.RUNS ?? 3);

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) =>
    https.get(`https://127.0.0.1:${port}/readyz`, { rejectUnauthorized: false }, (r) => resolve(r.statusCode === 200)).on('error', () => resolve(false)),
  );
}

async function timeStart(dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  while (!(await ready(port))) await new Promise((r) => setTimeout(r, 25));
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return elapsed;
}

const first: number[] = [];
const later: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-startup-'));
  first.push(await timeStart(dataDir, 18543));
  later.push(await timeStart(dataDir, 18543));
  later.push(await timeStart(dataDir, 18543));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const fmt = (xs: number[]) => `median ${(median(xs) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s (n=${xs.length})`;
function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}`);
console.log(`| start | time to /readyz 200 |\n|---|---|\n| first (creates the database) | ${fmt(first)} |\n| later (reopens it) | ${fmt(later)} |`);
