/**
 * The face engine's worker process (a workerpool process worker, see engine.ts), started at the
 * lowest CPU priority. Loads @vladmandic/human once, on the WASM backend, with every model read from
 * node_modules (never downloaded), then answers one task per call: decode + downscale the (already
 * size-checked) image with sharp, detect faces, and return per face the numbers the verification
 * service decides on. Nothing is written anywhere.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import workerpool from 'workerpool';
import { currentCpuCgroup } from '../../platform/workers/idle-cgroup.js';
import { fullGc } from './diagnostics.js';
import { loadHuman, MODEL_INPUT_SIDE, type HumanLike } from './human.js';
import type { FaceObservation, FaceTask, FaceTaskResult, FaceWorkerStats } from './types.js';

// Other requests first (FACE_WORKER_PRIORITY=idle, the default; `normal` in tests). engine.ts starts
// this process under `chrt --idle` (SCHED_IDLE) where it can:
// every thread of it — the WASM inference, libuv's pool where sharp decodes, V8's GC and compiler
// threads — then runs only when no normal task wants the CPU. Without chrt (not Linux, no util-linux)
// the process lowers itself to nice 19 instead: every thread that exists now, and the threads created
// later inherit it from the main thread (bench/results/face.md, run 8: nice alone is not enough).
if (process.env.FACE_WORKER_PRIORITY === 'nice') {
  try {
    for (const tid of process.platform === 'linux' ? fs.readdirSync('/proc/self/task').map(Number) : [0]) os.setPriority(tid, 19);
  } catch {
    // A sandbox may forbid it; the checks are right either way, only other requests' tail latency differs.
  }
}

// And where engine.ts prepared one (FACE_WORKER_CGROUP), the process joins a cgroup marked cpu.idle,
// before any model loads: SCHED_IDLE ranks it only within its own group, an idle cgroup below every
// other group too (PostgreSQL's; see platform/workers/idle-cgroup.ts). Failing that, it runs as it is.
let cgroupJoinError: string | undefined;
if (process.env.FACE_WORKER_CGROUP_DIR) {
  try {
    fs.writeFileSync(path.join(process.env.FACE_WORKER_CGROUP_DIR, 'cgroup.procs'), '0');
  } catch (error) {
    cgroupJoinError = error instanceof Error ? error.message : String(error);
  }
}

// libvips' operation cache and thread count are process-wide. Every uploaded image is different (face
// frames here, profile photos on the request thread): the cache would only hold memory, never hit. One
// libvips thread per operation is already sharp's default on glibc; said here so other builds (musl,
// jemalloc) do not multiply threads and their malloc arenas. A 12 MP JPEG is decoded with DCT scaling
// (shrink-on-load) since the resize comes early in the pipeline.
sharp.cache(false);
sharp.concurrency(1);


let human: HumanLike | undefined;
let loading: Promise<HumanLike> | undefined;

/** The loaded engine; concurrent callers (the boot warm-up and an early check) share one load. */
async function engine(): Promise<HumanLike> {
  if (human) return human;
  loading ??= loadHuman().catch((error: unknown) => {
    // A failed load (e.g. a file read error) is retried by the next task instead of failing every check.
    loading = undefined;
    throw error;
  });
  human = await loading;
  return human;
}

function brightnessOf(data: Buffer, width: number, box: [number, number, number, number], channels: number): number {
  const [x0, y0, w, h] = box.map((v) => Math.max(0, Math.round(v))) as [number, number, number, number];
  let sum = 0;
  let n = 0;
  const step = Math.max(1, Math.floor(Math.min(w, h) / 32));
  for (let y = y0; y < y0 + h; y += step) {
    for (let x = x0; x < Math.min(width, x0 + w); x += step) {
      const i = (y * width + x) * channels;
      if (i + 2 >= data.length) continue;
      sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n / 255;
}

/** Runs one image through the detector. A failure to decode is an answer (`error`), not a throw. */
async function run(task: FaceTask): Promise<FaceTaskResult> {
  if (task.kind === 'warmup') {
    await engine();
    return { ok: true, width: 0, height: 0, faces: [], rss: process.memoryUsage().rss, cgroupJoinError };
  }
  if (task.kind === 'crash') throw new Error('face worker: crash requested by a test');
  // The process dies mid-task (as a native crash in the decoder or the WASM runtime would).
  if (task.kind === 'exit') process.exit(70);
  // Never answers (as a runaway loop in a model would): the engine's task timeout must end it.
  if (task.kind === 'hang') return new Promise<never>(() => undefined);
  const h = await engine();
  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    raw = await sharp(Buffer.from(task.image), { limitInputPixels: task.maxPixels, failOn: 'warning', pages: 1 })
      .timeout({ seconds: 10 })
      .rotate()
      .resize({ width: MODEL_INPUT_SIDE, height: MODEL_INPUT_SIDE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    return { ok: false, error: 'corrupt' };
  }
  const { width, height, channels } = raw.info;
  const tensor = h.tf.tensor3d(new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength), [height, width, channels], 'int32');
  const batched = h.tf.expandDims(tensor, 0);
  try {
    // detect() merges this into the instance's configuration for good: both purposes say all three.
    const frame = task.purpose === 'frame';
    const result = await h.detect(batched, { face: { emotion: { enabled: frame }, antispoof: { enabled: frame }, liveness: { enabled: frame } } });
    const faces: FaceObservation[] = (result.face ?? []).map((f: HumanLike) => {
      const box = f.box as [number, number, number, number];
      const emotion: Record<string, number> = {};
      for (const e of f.emotion ?? []) emotion[e.emotion] = e.score;
      return {
        box,
        size: Math.min(box[2], box[3]),
        relativeSize: Math.min(box[2] / width, box[3] / height),
        score: f.score ?? 0,
        brightness: brightnessOf(raw.data, width, box, channels),
        real: f.real ?? 0,
        live: f.live ?? 0,
        yaw: f.rotation?.angle?.yaw ?? 0,
        pitch: f.rotation?.angle?.pitch ?? 0,
        roll: f.rotation?.angle?.roll ?? 0,
        emotion,
        embedding: Array.from(f.embedding ?? []),
      };
    });
    return { ok: true, width, height, faces, rss: process.memoryUsage().rss };
  } finally {
    h.tf.dispose([tensor, batched]);
  }
}

/** Linux: how many of this process's threads run under SCHED_IDLE (policy 5), and how many there are. */
function threadPolicies(): { idle: number; threads: number } | null {
  if (process.platform !== 'linux') return null;
  try {
    const tids = fs.readdirSync('/proc/self/task');
    const idle = tids.filter((tid) => /^policy\s*:\s*5$/m.test(fs.readFileSync(`/proc/self/task/${tid}/sched`, 'utf8'))).length;
    return { idle, threads: tids.length };
  } catch {
    return null;
  }
}

/**
 * Diagnostics (the `stats` method): this worker's memory, live tensors, WASM heap, sharp cache and
 * CPU scheduling. `{ gc: true }` first runs a full garbage collection (bench/face.ts, to separate
 * memory the JS heap would give back from native memory that stays).
 */
async function stats(options?: { gc?: boolean }): Promise<FaceWorkerStats> {
  if (options?.gc) fullGc();
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const cache = sharp.cache();
  return {
    memory: { rss, heapTotal, heapUsed, external, arrayBuffers },
    loaded: human !== undefined,
    tensors: human ? (human.tf.memory().numTensors as number) : 0,
    wasmHeap: human ? ((human.tf.engine().backend?.wasm?.HEAPU8?.length as number | undefined) ?? 0) : 0,
    sharpCache: { memory: cache.memory.current, files: cache.files.current, items: cache.items.current },
    pid: process.pid,
    scheduling: threadPolicies(),
    cgroup: currentCpuCgroup() ?? null,
  };
}

workerpool.worker({ run, stats });

