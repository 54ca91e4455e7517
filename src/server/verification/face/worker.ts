/**
 * The face engine's worker thread (run by piscina, see engine.ts). Loads @vladmandic/human once, on
 * the WASM backend, with every model read from node_modules (never downloaded), then answers one
 * task per call: decode + downscale the (already size-checked) image with sharp, detect faces, and
 * return per face the numbers the verification service decides on. Nothing is written anywhere.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { FaceObservation, FaceTask, FaceTaskResult } from './types.js';

const require = createRequire(import.meta.url);
// The package's `exports` map blocks subpaths: find its folder from the main entry (dist/human.node.js).
const humanDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

/** The longest side the model sees; a phone selfie (4000 px) is shrunk to this first (memory and time). */
export const MODEL_INPUT_SIDE = 800;

// The WASM build's fetch cannot read file:// URLs: serve them from disk (models and .wasm only).
globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith('file://')) {
    const file = new URL(url).pathname;
    const bytes = await fs.promises.readFile(decodeURIComponent(file));
    const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    return new Response(bytes, { status: 200, headers: { 'content-type': type } });
  }
  throw new Error('face worker: network fetch refused (models load from node_modules only)');
}) as typeof fetch;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HumanLike = any;

/** One detector configuration for enrolment (profile photos) and probe (selfie frames) alike. */
export function humanConfig() {
  return {
    backend: 'wasm',
    wasmPath: `${pathToFileURL(wasmDir).href}/`,
    wasmPlatformFetch: false,
    modelBasePath: `${pathToFileURL(path.join(humanDir, 'models')).href}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheSensitivity: 0,
    cacheModels: false,
    validateModels: false,
    filter: { enabled: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: { enabled: true, rotation: false, maxDetected: 5, minConfidence: 0.5, skipFrames: 0, return: false },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: true },
      emotion: { enabled: true, skipFrames: 0, minConfidence: 0.05 },
      description: { enabled: true, skipFrames: 0 },
      antispoof: { enabled: true, skipFrames: 0 },
      liveness: { enabled: true, skipFrames: 0 },
    },
  };
}

let human: HumanLike | undefined;
let loading: Promise<HumanLike> | undefined;

async function load(): Promise<HumanLike> {
  const mod = await import(pathToFileURL(path.join(humanDir, 'dist', 'human.node-wasm.js')).href);
  const Human = mod.Human ?? mod.default?.Human ?? mod.default;
  const instance = new Human(humanConfig());
  await instance.load();
  await instance.tf.ready();
  return instance;
}

async function engine(): Promise<HumanLike> {
  if (human) return human;
  loading ??= load();
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
export default async function run(task: FaceTask): Promise<FaceTaskResult> {
  if (task.kind === 'warmup') {
    await engine();
    return { ok: true, width: 0, height: 0, faces: [], rss: process.memoryUsage().rss };
  }
  if (task.kind === 'crash') throw new Error('face worker: crash requested by a test');
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
    const result = await h.detect(batched);
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
