import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { DEFAULT_PHOTO_LIMITS, sniffImageType } from '../../platform/media/image.js';
import type { FaceObservation, FaceTask, FaceTaskResult, FaceWorkerStats } from './types.js';

export type { FaceObservation, FaceWorkerStats } from './types.js';

/** Why an image could not be analysed at all (before any face rule applies). */
export type FaceImageError = 'unsupportedType' | 'corrupt' | 'tooLarge' | 'engineFailed';

export type FaceAnalysis = { ok: true; width: number; height: number; faces: FaceObservation[] } | { ok: false; error: FaceImageError };

export interface FaceEngine {
  /** Size-checks the bytes (before any decoding), then detects faces in a worker thread. Never throws for bad input. */
  analyse(image: Uint8Array): Promise<FaceAnalysis>;
  /** Loads the models in every worker (start-up); resolves with the largest worker RSS seen. */
  warmup(): Promise<number>;
  /** Diagnostics of one worker (bench/face.ts): its heap, live tensors, WASM heap, sharp cache; `gc` collects its garbage first. */
  stats(options?: { gc?: boolean }): Promise<FaceWorkerStats>;
  /** Test hook: makes one worker task throw, to prove the pool survives it. */
  crashOnce(): Promise<'failed'>;
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

/** Where the worker module is: compiled `.js` beside this file in dist/, or the `.ts` source run through tsx. */
function workerLocation(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (fs.existsSync(js)) return { filename: js, execArgv: [] };
  return { filename: fileURLToPath(new URL('./worker.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

/**
 * The face engine: a piscina pool of worker threads, each loading @vladmandic/human (WASM backend,
 * models from node_modules) once. Detection never runs on the event loop. A task that throws or a
 * worker that dies fails that one analysis (`engineFailed`); piscina replaces the worker.
 */
export function makeFaceEngine(options: { size: number; idleTimeout?: number }): FaceEngine {
  const size = Math.max(1, options.size);
  const { filename, execArgv } = workerLocation();
  // Created on first use: processes that never verify a face (most tests, CLI) load no models.
  let created: Piscina<FaceTask | { gc?: boolean }, FaceTaskResult | FaceWorkerStats> | undefined;
  const pool = () =>
    (created ??= new Piscina<FaceTask | { gc?: boolean }, FaceTaskResult | FaceWorkerStats>({
      filename,
      execArgv,
      minThreads: size,
      maxThreads: size,
      // One task at a time per worker: WASM is single-threaded, a second would only wait inside.
      concurrentTasksPerWorker: 1,
      idleTimeout: options.idleTimeout ?? Number.POSITIVE_INFINITY,
      // A bounded queue: a burst of checks waits briefly instead of piling up memory.
      maxQueue: size * 32,
      // A small young generation: the worker's garbage is many small per-frame objects, and the
      // default (up to 48 MB of semi-spaces) only pads RSS (bench/results/face.md).
      resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 },
    }));

  return {
    size,
    async analyse(image) {
      const checked = await checkFaceImage(image);
      if (!checked.ok) return checked;
      try {
        const result = (await pool().run({ kind: 'detect', image, maxPixels: FACE_LIMITS.maxPixels })) as FaceTaskResult;
        if (!result.ok) return { ok: false, error: result.error };
        return { ok: true, width: result.width, height: result.height, faces: result.faces };
      } catch {
        return { ok: false, error: 'engineFailed' };
      }
    },
    async warmup() {
      const results = (await Promise.all(Array.from({ length: size }, () => pool().run({ kind: 'warmup' })))) as FaceTaskResult[];
      return Math.max(...results.map((r) => (r.ok ? r.rss : 0)));
    },
    async stats(options = {}) {
      return (await pool().run(options, { name: 'stats' })) as FaceWorkerStats;
    },
    async crashOnce() {
      try {
        await pool().run({ kind: 'crash' });
      } catch {
        return 'failed';
      }
      throw new Error('the crash task did not fail');
    },
    async close() {
      if (created) await created.destroy();
      created = undefined;
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
    (rss) => logger.info({ workers: engine.size, ms: Math.round(performance.now() - started), rssMb: Math.round(rss / 1024 / 1024) }, 'face models loaded'),
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
