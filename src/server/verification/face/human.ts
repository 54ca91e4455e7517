/**
 * Loading @vladmandic/human for the face worker (worker.ts) and the benches that run the models
 * directly (bench/support/face-compute-loop.ts): the WASM backend, every model and the .wasm read from
 * node_modules, never downloaded.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
// The package's `exports` map blocks subpaths: find its folder from the main entry (dist/human.node.js).
const humanDir = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HumanLike = any;

/** The longest side the model sees; a phone selfie (4000 px) is shrunk to this first (memory and time). */
export const MODEL_INPUT_SIDE = 800;

/** One detector configuration for enrolment (profile photos) and probe (selfie frames) alike. */
function humanConfig() {
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
      // Off: nothing here uses the iris points (yaw comes from mesh points 10/152/234/454, the face box
      // from the mesh outline), and every score and the embedding are identical without it
      // (bench/results/face.md, run 6); its model only held ≈ 11 MB of WASM heap.
      iris: { enabled: false },
      emotion: { enabled: true, skipFrames: 0, minConfidence: 0.05 },
      description: { enabled: true, skipFrames: 0 },
      antispoof: { enabled: true, skipFrames: 0 },
      liveness: { enabled: true, skipFrames: 0 },
    },
  };
}

/**
 * The WASM build's fetch cannot read file:// URLs: this process's fetch serves them from disk (models
 * and .wasm) and refuses every network address. Only for processes that exist to run the models.
 */
function serveModelFilesFromDisk(): void {
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
}

/** A loaded instance (models read, WASM backend ready). */
export async function loadHuman(): Promise<HumanLike> {
  serveModelFilesFromDisk();
  const mod = await import(pathToFileURL(path.join(humanDir, 'dist', 'human.node-wasm.js')).href);
  const Human = mod.Human ?? mod.default?.Human ?? mod.default;
  const instance = new Human(humanConfig());
  await instance.load();
  await instance.tf.ready();
  return instance;
}
