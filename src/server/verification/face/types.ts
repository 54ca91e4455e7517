/** Messages between the face engine and its worker threads (structured-cloneable). */
export type FaceTask =
  | { kind: 'detect'; image: Uint8Array; maxPixels: number }
  | { kind: 'warmup' }
  /** Only tests send this: proves a worker failure fails one check and the pool goes on. */
  | { kind: 'crash' };

export interface FaceObservation {
  /** [x, y, width, height] in pixels of the downscaled image. */
  box: [number, number, number, number];
  /** Shorter side of the face box, in pixels of the downscaled image. */
  size: number;
  /** Shorter side of the box relative to the image (0..1). */
  relativeSize: number;
  /** Detector confidence (0..1). */
  score: number;
  /** Mean luma inside the face box (0 black .. 1 white). */
  brightness: number;
  /** Passive anti-spoofing score (1 = real). */
  real: number;
  /** Passive liveness score (1 = live). */
  live: number;
  /** Head rotation in radians. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Expression scores (happy, neutral, …). */
  emotion: Record<string, number>;
  /** 1024 floats. */
  embedding: number[];
}

export type FaceTaskResult =
  | { ok: true; width: number; height: number; faces: FaceObservation[]; rss: number }
  | { ok: false; error: 'corrupt' };

/** One worker's memory as it sees it (the worker's `stats` export; bench/face.ts) (RSS is the whole process's; the heaps are the worker's own). */
export interface FaceWorkerStats {
  /** process.memoryUsage() inside the worker: rss (process-wide), heapUsed/heapTotal (this isolate), external, arrayBuffers. */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Whether the models are loaded (false: nothing below is meaningful yet). */
  loaded: boolean;
  /** Tensors alive in TensorFlow.js (a number that grows per check is a leak). */
  tensors: number;
  /** Bytes of the WASM backend's linear memory (grows to its high-water mark, never shrinks). */
  wasmHeap: number;
  /** libvips' operation cache (process-wide; turned off by the worker). */
  sharpCache: { memory: number; files: number; items: number };
}
