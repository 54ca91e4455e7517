/**
 * What an image is analysed for. A `frame` of a check gets every model. A `profile` photo is only
 * compared with the frames, so it gets the detector, the mesh and the embedding, not the
 * anti-spoofing, liveness and expression models (≈ 15 % of a face's time; their scores read 0 and
 * `emotion` is empty then). The embedding is the same either way (face.test.ts).
 */
export type FacePurpose = 'frame' | 'profile';

/** Messages between the face engine and its worker processes (structured-cloneable: IPC with `serialization: 'advanced'`). */
export type FaceTask =
  | { kind: 'detect'; image: Uint8Array; maxPixels: number; purpose: FacePurpose }
  | { kind: 'warmup' }
  /** Only tests send these: a task that throws, and a worker process that dies mid-task; either fails one check and the pool goes on. */
  | { kind: 'crash' }
  | { kind: 'exit' }
  | { kind: 'hang' };

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
  /** Passive anti-spoofing score (1 = real; 0 when not measured: purpose `profile`). */
  real: number;
  /** Passive liveness score (1 = live; 0 when not measured: purpose `profile`). */
  live: number;
  /** Head rotation in radians. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Expression scores (happy, neutral, …; empty when not measured: purpose `profile`). */
  emotion: Record<string, number>;
  /** 1024 floats. */
  embedding: number[];
}

export type FaceTaskResult =
  | { ok: true; width: number; height: number; faces: FaceObservation[]; rss: number; /** warm-up only: why the worker could not join the idle cgroup. */ cgroupJoinError?: string }
  | { ok: false; error: 'corrupt' };

/** One worker process's memory and scheduling as it sees them (its `stats` method; bench/face.ts, tests). */
export interface FaceWorkerStats {
  /** process.memoryUsage() inside the worker process (its own RSS, apart from the server's). */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Whether the models are loaded (false: nothing below is meaningful yet). */
  loaded: boolean;
  /** Tensors alive in TensorFlow.js (a number that grows per check is a leak). */
  tensors: number;
  /** Bytes of the WASM backend's linear memory (grows to its high-water mark, never shrinks). */
  wasmHeap: number;
  /** libvips' operation cache (turned off by the worker). */
  sharpCache: { memory: number; files: number; items: number };
  /** The worker's process id (its RSS is the server's too: bench/face.ts adds it). */
  pid: number;
  /** Linux: threads of the worker process under SCHED_IDLE, of all its threads; null elsewhere. */
  scheduling: { idle: number; threads: number } | null;
  /** Linux: the worker's cgroup (cpu controller on v1, the unified one on v2); null elsewhere. */
  cgroup: string | null;
}
