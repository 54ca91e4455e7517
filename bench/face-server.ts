// The server half of bench/face.ts: Kenalan composed with production settings, served over HTTPS on
// 127.0.0.1, in its own process (started by bench/face.ts with fork(), the allocator settings of
// `npm start` in its environment). Everything measured about the server is measured here, in the
// server's process: RSS and heaps phase by phase, the event-loop delay (monitorEventLoopDelay at
// 1 ms resolution), the engine's time per frame, a CPU profile of the main thread. The bench process
// sends the load over real HTTPS and asks for these numbers over the IPC channel (small messages; the
// images go over HTTPS or as file paths, never through the channel).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { createHistogram, monitorEventLoopDelay, type IntervalHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.js';
import { composeServices } from '../src/server/compose.js';
import { loadConfig } from '../src/server/config.js';
import { toMasterKey } from '../src/server/platform/crypto/master-key.js';
import { openPglite, openPostgres } from '../src/server/platform/db/database.js';
import { loadTls } from '../src/server/platform/http/tls.js';
import { createLogger } from '../src/server/platform/logging/logger.js';
import { conversationIdFor } from '../src/server/social/chat/service.js';
import { fullGc } from '../src/server/verification/face/diagnostics.js';
import { makeFaceEngine, type FaceWorkerStats } from '../src/server/verification/face/engine.js';
import { makeFaceService } from '../src/server/verification/face/service.js';
import type { FaceChallenge } from '../src/server/verification/face/tables.js';
import { makeFaceFixture } from '../src/server/verification/face/test-faces.js';

if (!process.send) throw new Error('bench/face-server.ts is started by bench/face.ts (fork, with an IPC channel)');
const send = process.send.bind(process);

const dataDir = process.env.BENCH_DATA_DIR!;
const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', TRUST_PROXY: 'true', GEOIP_LOOKUP: 'false', FACE_WORKER_CGROUP: process.env.FACE_WORKER_CGROUP ?? 'auto' });
const database = process.env.BENCH_DATABASE_URL ? await openPostgres(process.env.BENCH_DATABASE_URL) : await openPglite(path.join(dataDir, 'pgdata'));
const logger = createLogger('warn');
const services = await composeServices(config, database, logger, { masterKey: toMasterKey(crypto.randomBytes(32)), workers: false });
// The production face service, except that the challenge is the one the fixture can show (a head turn
// in its direction; a photo derived from another cannot smile). It replaces the composed one (same engine).
let fixtureChallenge: FaceChallenge = 'turn_left';
const face = makeFaceService({ db: database.db, keyring: services.keyring, consent: services.consent, engine: services.face.engine, dataDir, logger, pickChallenge: () => fixtureChallenge });
const tls = await loadTls({ dataDir });
const app = await buildApp({ ...services, face, https: tls, isReady: () => true });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const engine = services.face.engine;

export interface ServerPhase { name: string; rss: number; rssAfterGc: number; pss: number; mainRss: number; mainAnon: number; main: NodeJS.MemoryUsage; worker?: FaceWorkerStats }

// The server is this process and its face worker processes (started by the engine under chrt, which
// execs node: they are this process's children). RSS counts pages shared between them (node's own
// code, libvips) in each; PSS shares them out, so the PSS sum is what the server costs the machine.
function serverPids(): number[] {
  const children = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === process.pid;
    } catch {
      return false;
    }
  });
  return [process.pid, ...children.map(Number)];
}
function kbField(file: string, field: string): number {
  try {
    const m = fs.readFileSync(file, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
/** RSS of the server's process tree (bytes). */
const treeRss = (pids = serverPids()) => pids.reduce((a, pid) => a + kbField(`/proc/${pid}/status`, 'VmRSS'), 0);
/** PSS of the server's process tree (bytes). */
const treePss = (pids = serverPids()) => pids.reduce((a, pid) => a + kbField(`/proc/${pid}/smaps_rollup`, 'Pss'), 0);
const phases: ServerPhase[] = [];
let loop: IntervalHistogram | undefined;
let peakRss = 0;
let sampler: NodeJS.Timeout | undefined;
let profiler: Session | undefined;
// Pooled over every window of a kind (IntervalHistograms cannot be merged): a 1 ms timer's lateness, the
// same quantity monitorEventLoopDelay samples, recorded into one histogram per window kind.
const pooledLoop = new Map<string, RecordableHistogram>();
let stopTicker: (() => void) | undefined;
function startTicker(into: RecordableHistogram) {
  let stopped = false;
  let expected = performance.now() + 1;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    into.record(Math.max(1, Math.round((now - expected) * 1000)));
    expected = now + 1;
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  return () => {
    stopped = true;
  };
}

const commands: Record<string, (args: never) => Promise<unknown>> = {
  /** RSS as the session left it; with `gc` also after a full GC in both threads (what stays is native or live). */
  async phase({ name, worker = true, gc = false }: { name: string; worker?: boolean; gc?: boolean }) {
    const pids = serverPids();
    const rss = treeRss(pids);
    const pss = treePss(pids);
    const mainRss = process.memoryUsage.rss();
    const mainAnon = kbField('/proc/self/smaps_rollup', 'Anonymous');
    const stats = worker ? await engine.stats({ gc }) : undefined;
    if (gc) fullGc();
    const main = process.memoryUsage();
    phases.push({ name, rss, rssAfterGc: gc ? treeRss() : Number.NaN, pss, mainRss, mainAnon, main, worker: stats });
    return rss;
  },
  async phases() {
    return phases;
  },
  /**
   * Waits until the engine has replaced its used worker by a fresh one (FACE_REFRESH_IDLE_SECONDS
   * without a check) and the fresh one has loaded its models; the ms waited.
   */
  async awaitRefresh({ timeoutMs }: { timeoutMs: number }) {
    const t0 = performance.now();
    const before = engine.refreshes();
    while (engine.refreshes() === before) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`no worker refresh within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // The count moves when the new worker is asked for; a diagnostics read queues behind its warm-up.
    if (!(await engine.stats()).loaded) throw new Error('the fresh worker did not load its models');
    return performance.now() - t0;
  },
  async warmup() {
    const t0 = performance.now();
    await engine.warmup();
    return performance.now() - t0;
  },
  /** The fixture face (found with this server's engine), written to `dir` for the client to blow up to 12 MP. */
  async fixture({ dir }: { dir: string }) {
    const fx = await makeFaceFixture(engine);
    fixtureChallenge = fx.challenge;
    for (const [name, bytes] of Object.entries({ straight: fx.straight, turned: fx.turned, profile: fx.profile })) fs.writeFileSync(path.join(dir, `${name}.jpg`), bytes);
    return fx.challenge;
  },
  /** Time of `n` analyses of one image through the engine (header check, shrink-on-load, detection). */
  async frames({ file, n }: { file: string; n: number }) {
    const bytes = await fs.promises.readFile(file);
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      const a = await engine.analyse(bytes);
      ms.push(performance.now() - s);
      if (!a.ok || a.faces.length !== 1) throw new Error('the phone frame was not analysed');
    }
    return ms;
  },
  /** Analyses one image through the engine again and again for `ms`: the model's work alone, no HTTP (control windows). */
  async engineFor({ file, ms }: { file: string; ms: number }) {
    const bytes = await fs.promises.readFile(file);
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      await engine.analyse(bytes);
      n++;
    }
    return n;
  },
  /** Marks a member signed up over HTTPS active (the e-mail/SMS activation, skipped). */
  async activate({ id }: { id: string }) {
    await database.db.updateTable('members').set({ status: 'active' }).where('id', '=', id).execute();
    return true;
  },
  /** Connects two members with a conversation of `messages` encrypted messages (the chat history the probe reads). */
  async chat({ a, b, messages }: { a: string; b: string; messages: number }) {
    const db = database.db;
    const now = new Date();
    const conversation = conversationIdFor(a, b);
    await db.insertInto('connections').values([{ member_id: a, other_id: b, created_at: now }, { member_id: b, other_id: a, created_at: now }]).execute();
    await db.insertInto('chat_conversations').values({ id: conversation, created_at: now, last_message_at: now }).execute();
    await db.insertInto('chat_members').values([{ conversation_id: conversation, member_id: a, other_id: b, created_at: now }, { conversation_id: conversation, member_id: b, other_id: a, created_at: now }]).execute();
    const rows = Array.from({ length: messages }, (_, i) => ({
      id: crypto.randomUUID(),
      conversation_id: conversation,
      sender_id: i % 2 === 0 ? a : b,
      client_key: `bench-face-${i}`,
      body: services.keyring.encrypt(`Halo, pesan nomor ${i} di obrolan tolok ukur`, 'chat_messages.body'),
      created_at: new Date(now.getTime() - (messages - i) * 1000),
      delivered_at: now,
      read_at: now,
    }));
    await db.insertInto('chat_messages').values(rows).execute();
    return true;
  },
  /** Starts a window: event-loop delay at 1 ms resolution, and the RSS peak sampled every 50 ms. */
  async windowStart({ kind = 'busy' }: { kind?: string }) {
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    if (!pooledLoop.has(kind)) pooledLoop.set(kind, createHistogram());
    stopTicker = startTicker(pooledLoop.get(kind)!);
    // process.memoryUsage.rss() alone: the full memoryUsage() also walks the heap spaces, too slow every 50 ms.
    const pids = serverPids();
    sampler ??= setInterval(() => (peakRss = Math.max(peakRss, treeRss(pids))), 50);
    return true;
  },
  async windowStop() {
    const h = loop!;
    h.disable();
    loop = undefined;
    stopTicker?.();
    return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, mean: h.mean / 1e6, samples: h.count };
  },
  /** Per window kind, over all its windows: p50/p99/max lateness of a 1 ms timer, in ms. */
  async pooledLoop() {
    return Object.fromEntries([...pooledLoop].map(([kind, h]) => [kind, { p50: h.percentile(50) / 1000, p99: h.percentile(99) / 1000, max: h.max / 1000, samples: h.count }]));
  },
  async pooledReset() {
    pooledLoop.clear();
    return true;
  },
  async peak() {
    if (sampler) clearInterval(sampler);
    sampler = undefined;
    return peakRss;
  },
  /** CPU_PROFILE: a main-thread CPU profile (what the event loop does while checks run). */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
    return true;
  },
  async profileStop({ file }: { file: string }) {
    const session = profiler!;
    fs.writeFileSync(file, JSON.stringify((await session.post('Profiler.stop')).profile));
    session.disconnect();
    profiler = undefined;
    return true;
  },
  /** The bare engine's throughput, pool of `size`, 8 frames queued at once. */
  async throughput({ size, file }: { size: number; file: string }) {
    const bytes = await fs.promises.readFile(file);
    const e = size === engine.size ? engine : makeFaceEngine({ size, cgroup: config.FACE_WORKER_CGROUP });
    await e.warmup();
    const s = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => e.analyse(bytes)));
    const perSecond = 8 / ((performance.now() - s) / 1000);
    const rss = treeRss();
    if (e !== engine) await e.close();
    return { perSecond, rss, rssAfter: treeRss() };
  },
  async close() {
    await app.close();
    await services.stop();
    await database.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on('message', (message: { id: number; cmd: string; args?: unknown }) => {
  const command = commands[message.cmd];
  if (!command) {
    send({ id: message.id, error: `unknown command ${message.cmd}` });
    return;
  }
  command((message.args ?? {}) as never).then(
    (result) => send({ id: message.id, result }),
    (error: unknown) => send({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ ready: true, port });
