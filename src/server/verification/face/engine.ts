import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import sharp from 'sharp';
import workerpool from 'workerpool';
import { DEFAULT_PHOTO_LIMITS, sniffImageType } from '../../platform/media/image.js';
import { prepareIdleCgroup, type IdleCgroupResult, type IdleCgroupSetting } from '../../platform/workers/idle-cgroup.js';
import { makeIdleStoppingPool } from '../../platform/workers/idle-pool.js';
import type { FaceObservation, FacePurpose, FaceTask, FaceTaskResult, FaceWorkerStats } from './types.js';

export type { FaceObservation, FacePurpose, FaceWorkerStats } from './types.js';

/** Why an image could not be analysed at all (before any face rule applies). */
export type FaceImageError = 'unsupportedType' | 'corrupt' | 'tooLarge' | 'engineFailed';

export type FaceAnalysis = { ok: true; width: number; height: number; faces: FaceObservation[] } | { ok: false; error: FaceImageError };

export interface FaceEngine {
  /**
   * Size-checks the bytes (before any decoding), then detects faces in a worker process. Never throws
   * for bad input. `purpose` (default `frame`): see FacePurpose.
   */
  analyse(image: Uint8Array, purpose?: FacePurpose): Promise<FaceAnalysis>;
  /** Loads the models in every worker (start-up); resolves with the largest worker RSS seen and where the workers' CPU time is ranked (`cpuGroup`, for the log). */
  warmup(): Promise<{ rss: number; cpuGroup: string }>;
  /** Diagnostics of one worker (bench/face.ts): its heap, live tensors, WASM heap, sharp cache; `gc` collects its garbage first. */
  stats(options?: { gc?: boolean }): Promise<FaceWorkerStats>;
  /** Whether worker processes are running now (started by a task; stopped by `close` or after `idleMs` without tasks). */
  running(): boolean;
  /** How many times used workers were replaced by fresh ones (`refreshIdleMs`). */
  refreshes(): number;
  /** Test hook: makes one worker task throw (`throw`), its worker process die mid-task (`exit`) or hang (`hang`), to prove the pool survives it. */
  crashOnce(how?: 'throw' | 'exit' | 'hang'): Promise<'failed'>;
  readonly size: number;
  close(): Promise<void>;
}

/** Bytes and pixels refused before decoding (same limits as profile photos: 10 MiB, 40 MP, 8000 px a side). */
export const FACE_LIMITS = { maxBytes: DEFAULT_PHOTO_LIMITS.maxBytes, maxPixels: DEFAULT_PHOTO_LIMITS.maxPixels, maxSide: DEFAULT_PHOTO_LIMITS.maxSide };

/**
 * The header check done on the request thread: type from the bytes (JPEG, PNG, WebP only), size in
 * bytes, then the dimensions from the header, so a decompression bomb never reaches a decoder.
 */
export async function checkFaceImage(image: Uint8Array): Promise<{ ok: true } | { ok: false; error: Exclude<FaceImageError, 'engineFailed'> }> {
  if (image.length === 0) return { ok: false, error: 'corrupt' };
  if (image.length > FACE_LIMITS.maxBytes) return { ok: false, error: 'tooLarge' };
  const type = sniffImageType(image);
  if (type !== 'jpeg' && type !== 'png' && type !== 'webp') return { ok: false, error: 'unsupportedType' };
  try {
    const meta = await sharp(Buffer.from(image.buffer, image.byteOffset, image.byteLength), { limitInputPixels: FACE_LIMITS.maxPixels }).metadata();
    if (meta.format !== type) return { ok: false, error: 'unsupportedType' };
    const { width, height } = meta;
    if (!width || !height) return { ok: false, error: 'corrupt' };
    if (width > FACE_LIMITS.maxSide || height > FACE_LIMITS.maxSide || width * height > FACE_LIMITS.maxPixels) return { ok: false, error: 'tooLarge' };
  } catch (error) {
    return { ok: false, error: /pixel limit|too large|exceeds/i.test(String(error)) ? 'tooLarge' : 'corrupt' };
  }
  return { ok: true };
}

/** The longest a worker task may run by default (from its start in a worker, not its wait in the queue). */
const TASK_TIMEOUT_MS = 60_000;

/** Where the worker module is: compiled `.js` beside this file in dist/, or the `.ts` source run through tsx. */
function workerLocation(): { script: string; nodeArgs: string[] } {
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (fs.existsSync(js)) return { script: js, nodeArgs: [] };
  return { script: fileURLToPath(new URL('./worker.ts', import.meta.url)), nodeArgs: ['--import', 'tsx'] };
}

/** util-linux's chrt, where there is one (Linux) and it may set SCHED_IDLE here (a sandbox could refuse); it starts the worker. */
function findChrt(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const chrt = (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter).map((dir) => path.join(dir, 'chrt')).find((file) => fs.existsSync(file));
  if (!chrt) return undefined;
  // Tried once per pool start (≈ 5 ms): a worker that cannot start would fail every check.
  return spawnSync(chrt, ['--idle', '0', process.execPath, '--version'], { stdio: 'ignore', timeout: 5_000 }).status === 0 ? chrt : undefined;
}

/**
 * How a worker process is started. `chrt --idle 0 node worker.js` where chrt exists: every thread of
 * the worker (the WASM inference, libuv's pool where sharp decodes, V8's GC and compiler threads) is
 * SCHED_IDLE and gives way at once to the server, PostgreSQL and anything else that wants a core.
 * A worker *thread* could not do that: its decoding and garbage collection run on the server
 * process's shared threads (bench/results/face.md, run 8). fork() with chrt as its execPath keeps
 * the IPC channel (chrt execs node with the same file descriptors and environment).
 */
function workerLaunch(wanted: 'idle' | 'normal', nodeArgs: string[]): { execPath: string; execArgv: string[]; priority: 'idle' | 'nice' | 'normal' } {
  // A small young generation: the worker's garbage is many small per-frame objects, and the default
  // semi-spaces (up to 16 MB each) only pad RSS (bench/results/face.md).
  // --single-threaded: V8 compiles and collects garbage on the worker's own thread instead of handing
  // the work to helper threads — the same speed per frame, ≈ 0.2 s more to load the models, and less
  // of the worker's scheduling noise in other processes' tails (bench/results/face.md, run 10).
  const args = [...nodeArgs, '--max-semi-space-size=1', '--max-old-space-size=512', '--single-threaded'];
  if (wanted === 'normal') return { execPath: process.execPath, execArgv: args, priority: 'normal' };
  const chrt = findChrt();
  if (chrt) return { execPath: chrt, execArgv: ['--idle', '0', process.execPath, ...args], priority: 'idle' };
  return { execPath: process.execPath, execArgv: args, priority: 'nice' };
}

/**
 * The face engine: a workerpool pool of worker processes, each loading @vladmandic/human (WASM
 * backend, models from node_modules) once, at the lowest CPU priority. Detection never runs in the
 * server's process. A task that throws or a worker process that dies fails that one analysis
 * (`engineFailed`); workerpool starts a new worker for the next.
 */
export function makeFaceEngine(options: {
  size: number;
  idleMs?: number;
  /** Without a check this long, workers that analysed anything are replaced by fresh ones with the models loaded (0: never). */
  refreshIdleMs?: number;
  taskTimeoutMs?: number;
  priority?: 'idle' | 'normal';
  cgroup?: IdleCgroupSetting;
}): FaceEngine {
  const size = Math.max(1, options.size);
  const { script, nodeArgs } = workerLocation();
  const priority = options.priority ?? 'idle';
  // Prepared with the first pool (a check or the warm-up), kept until close: processes that never
  // verify a face make no cgroup. Only for idle workers: `normal` ones (tests) compete as usual.
  let cgroup: IdleCgroupResult | undefined;
  const idleCgroup = () => (cgroup ??= priority === 'idle' ? prepareIdleCgroup(options.cgroup ?? 'auto', { name: 'kenalan-face' }) : { ok: false, reason: 'normal priority' });
  // Started by the first task: processes that never verify a face (most tests, CLI) start no worker.
  // Stopped again after `idleMs` without a task: most of the day nobody verifies, and the models hold
  // ≈ 200 MB per worker; the next task starts a new pool (the models load again, ≈ 0.5–1 s). A task
  // that hangs (none ever has: a frame takes ≈ 0.2 s, a model load ≤ 8 s) gets its worker killed.
  // Refreshed after `refreshIdleMs` without a check: the WASM heap grows on a worker's first analyses
  // (≈ 20 → 90–105 MB) and a WebAssembly memory never shrinks, so a fresh worker with only the models
  // loaded gives ≈ 80–90 MB back between checks. Its first analysis then costs ≈ 0.15–0.25 s more —
  // the profile photos', which runs while the member reads the challenge (profile-faces.ts).
  const warmEveryWorker = (exec: (method: string, params: unknown[]) => Promise<unknown>) =>
    Promise.all(Array.from({ length: size }, () => exec('run', [{ kind: 'warmup' } satisfies FaceTask]) as Promise<FaceTaskResult>));
  const pool = makeIdleStoppingPool({
    idleMs: options.idleMs,
    refresh: { afterIdleMs: options.refreshIdleMs ?? 0, warm: warmEveryWorker },
    taskTimeoutMs: options.taskTimeoutMs ?? TASK_TIMEOUT_MS,
    create: () => {
      const launch = workerLaunch(priority, nodeArgs);
      const group = idleCgroup();
      return workerpool.pool(script, {
        workerType: 'process',
        minWorkers: size,
        maxWorkers: size,
        // A bounded queue: a burst of checks waits briefly instead of piling up memory.
        maxQueueSize: size * 32,
        workerTerminateTimeout: 2_000,
        forkOpts: {
          execPath: launch.execPath,
          execArgv: launch.execArgv,
          // Images travel as bytes (structured clone), not as JSON arrays of numbers.
          serialization: 'advanced',
          env: { ...process.env, FACE_WORKER_PRIORITY: launch.priority, FACE_WORKER_CGROUP_DIR: group.ok ? group.group.dir : '' },
        },
      });
    },
  });
  const run = (task: FaceTask) => pool.exec<FaceTaskResult>('run', [task]);

  return {
    size,
    async analyse(image, purpose = 'frame') {
      const checked = await checkFaceImage(image);
      if (!checked.ok) return checked;
      try {
        const result = await run({ kind: 'detect', image, maxPixels: FACE_LIMITS.maxPixels, purpose });
        if (!result.ok) return { ok: false, error: result.error };
        return { ok: true, width: result.width, height: result.height, faces: result.faces };
      } catch {
        return { ok: false, error: 'engineFailed' };
      }
    },
    async warmup() {
      const results = await warmEveryWorker((method, params) => pool.exec<FaceTaskResult>(method, params, { leavesWorkerFresh: true }));
      const rss = Math.max(...results.map((r) => (r.ok ? r.rss : 0)));
      const group = idleCgroup();
      const joinError = results.map((r) => (r.ok ? r.cgroupJoinError : undefined)).find(Boolean);
      const cpuGroup = !group.ok ? `own cgroup (no idle one: ${group.reason})` : joinError ? `own cgroup (could not join ${group.group.dir}: ${joinError})` : `idle cgroup ${group.group.dir}`;
      return { rss, cpuGroup };
    },
    async stats(options = {}) {
      return pool.exec<FaceWorkerStats>('stats', [options], { leavesWorkerFresh: true });
    },
    running: () => pool.running(),
    refreshes: () => pool.refreshes(),
    async crashOnce(how = 'throw') {
      try {
        await run({ kind: how === 'throw' ? 'crash' : how });
      } catch {
        return 'failed';
      }
      throw new Error('the crash task did not fail');
    },
    async close() {
      await pool.close();
      if (cgroup?.ok) await cgroup.group.remove();
      cgroup = undefined;
    },
  };
}

/**
 * Starts loading the models in every worker in the background (main.ts, `FACE_WARMUP`), so the first
 * check does not pay the load (0.5–8 s). The event loop stays free meanwhile (the load runs in the
 * workers); a check that arrives first queues behind the warm-up task and waits for it. Never rejects:
 * a failed warm-up is logged and the first check loads the models instead.
 */
export function startFaceWarmup(engine: FaceEngine, logger: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  const started = performance.now();
  return engine.warmup().then(
    ({ rss, cpuGroup }) => logger.info({ workers: engine.size, ms: Math.round(performance.now() - started), rssMb: Math.round(rss / 1024 / 1024), cpuGroup }, 'face models loaded'),
    (err: unknown) => logger.warn({ err }, 'face model warm-up failed; the first check will load the models'),
  );
}

/** Cosine similarity of two embeddings (1 = identical direction). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
