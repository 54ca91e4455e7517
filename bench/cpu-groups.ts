// What a CPU-bound helper at the lowest priority still costs PostgreSQL's answers, by where the
// helper sits (issue 6; ADR 0013, session-8 amendment): the latency of `SELECT 1` from this process,
// one query every 2 ms, while a busy loop runs in a child process
//   none          no busy loop (the floor)
//   idle          SCHED_IDLE, in this process's session (as the face worker sits in the server's)
//   idle-session  SCHED_IDLE, in a session of its own (setsid: another autogroup, as another service)
//   idle-cgroup   SCHED_IDLE inside a cgroup marked cpu.idle (platform/workers/idle-cgroup.ts)
//   face-worker   not a loop: the face engine analysing a photo back to back (bench/support/face-loop.ts;
//                 its worker SCHED_IDLE in the idle cgroup, the relaying process at normal priority)
//   face-worker-last-cpu  the same, the face-loop process and its worker pinned to the last CPU
//                 (taskset) while this process and PostgreSQL may run anywhere
//   face-compute  the models alone on a frame decoded once (bench/support/face-compute-loop.ts: no
//                 sharp, no IPC), SCHED_IDLE in the idle cgroup: what the WASM inference itself costs
// PostgreSQL's backends are in the postmaster's session (another autogroup, or another systemd
// service): the fair scheduler shares the CPU between groups before SCHED_IDLE counts within one.
// Rounds alternate the variants (ROUNDS=3, QUERIES=3000 each); the report pools each variant's rounds.
// PIN=1 pins this process and its PostgreSQL backend to the first CPU and the loop to the second
// (needs the right to set another process's affinity): the scheduler then never puts them on one
// CPU, so what the loop still costs is the hardware they share (caches, memory, the host's cores).
// Linux with chrt and setsid; auto cgroup needs write access to the cgroup tree (root on v1).
// Usage: npx tsx bench/cpu-groups.ts   (BENCH_DATABASE_URL=postgres://… default: the local test database;
//        PIN=1, LOOP_MB=4, ROUNDS=3, QUERIES=3000, VARIANTS=none,face-worker to run some)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { prepareIdleCgroup } from '../src/server/platform/workers/idle-cgroup.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const QUERIES = Number(process.env.QUERIES ?? 3000);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PIN = process.env.PIN === '1';
const lastCpu = String(os.cpus().length - 1);
type Variant = 'none' | 'idle' | 'idle-session' | 'idle-cgroup' | 'face-worker' | 'face-worker-last-cpu' | 'face-compute';
const allVariants: Variant[] = ['none', 'idle', 'idle-session', 'idle-cgroup', 'face-worker', 'face-worker-last-cpu', 'face-compute'];
const variants = process.env.VARIANTS ? allVariants.filter((v) => process.env.VARIANTS!.split(',').includes(v)) : allVariants;

const cgroup = prepareIdleCgroup('auto', { name: 'kenalan-bench-cpu' });
if (!cgroup.ok) console.error(`no idle cgroup here (${cgroup.reason}): idle-cgroup is left out`);

// A floating-point loop over an array of LOOP_MB (default 4 MB): compute and memory traffic, as a
// model's layers are; 64 MB is more than a 32 MB L3 holds (the face worker's WASM heap: ≈ 106 MB).
const LOOP_MB = Number(process.env.LOOP_MB ?? 4);
const LOOP = `
const join = process.env.JOIN_CGROUP;
if (join) require('fs').writeFileSync(join + '/cgroup.procs', '0');
const a = new Float32Array(${LOOP_MB} * 262144); let s = 0;
process.send?.('ready');
for (;;) { for (let i = 0; i < a.length; i++) { a[i] = a[i] * 0.999 + i; s += a[i]; } if (s === -1) console.log(s); }`;

async function startLoop(variant: Variant): Promise<ChildProcess | undefined> {
  if (variant === 'none') return undefined;
  if (variant === 'face-worker' || variant === 'face-worker-last-cpu') {
    const node = [process.execPath, '--import', 'tsx', path.join(import.meta.dirname, 'support', 'face-loop.ts')];
    const [command, ...args] = PIN || variant === 'face-worker-last-cpu' ? ['taskset', '-c', lastCpu, ...node] : (node as [string, ...string[]]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise((resolve) => child.once('message', resolve));
    return child;
  }
  const code = variant === 'face-compute' ? ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'face-compute-loop.ts')] : ['-e', LOOP];
  const loop = [...(variant === 'idle-session' ? ['setsid'] : []), 'chrt', '--idle', '0', process.execPath, ...code];
  const [command, ...args] = PIN ? ['taskset', '-c', lastCpu, ...loop] : (loop as [string, ...string[]]);
  const env = { ...process.env, JOIN_CGROUP: (variant === 'idle-cgroup' || variant === 'face-compute') && cgroup.ok ? cgroup.group.dir : '' };
  const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((resolve) => child.once('message', resolve));
  // Let the loop settle on a core.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return child;
}

async function measure(client: pg.Client): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    await client.query('select 1');
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return latencies;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const client = new pg.Client({ connectionString: url });
await client.connect();
if (PIN) {
  const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  for (const pid of [process.pid, backend]) {
    if (spawnSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' }).status !== 0) throw new Error(`PIN=1: cannot pin ${pid}`);
  }
}
await measure(client); // warm-up: the connection, the JIT
const results = new Map<Variant, number[]>(variants.map((v) => [v, []]));
const used = variants.filter((v) => v !== 'idle-cgroup' || cgroup.ok);
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of used) {
    const loop = await startLoop(variant);
    try {
      results.get(variant)!.push(...(await measure(client)));
    } finally {
      loop?.kill(variant.startsWith('face-worker') ? 'SIGTERM' : 'SIGKILL');
      if (loop) await new Promise((resolve) => loop.once('exit', resolve));
    }
  }
}
await client.end();
if (cgroup.ok) await cgroup.group.remove();

console.log(`\n## CPU groups ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Linux ${os.release()}, Node ${process.version}; PostgreSQL at ${new URL(url).host}; ${ROUNDS} rounds × ${QUERIES} queries per variant, alternating; the loop over ${LOOP_MB} MB${PIN ? `; PIN=1: client and backend on CPU 0, the loop on CPU ${lastCpu}` : ''}\n`);
console.log('| busy loop | SELECT 1 p50 | p99 | p99.9 | max |');
console.log('|---|---|---|---|---|');
for (const variant of used) {
  const sorted = results.get(variant)!.sort((a, b) => a - b);
  const f = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`| ${variant} | ${f(quantile(sorted, 0.5))} | ${f(quantile(sorted, 0.99))} | ${f(quantile(sorted, 0.999))} | ${f(sorted.at(-1)!)} |`);
}
