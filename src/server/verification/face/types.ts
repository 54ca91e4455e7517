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
