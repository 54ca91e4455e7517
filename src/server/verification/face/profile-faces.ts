import fs from 'node:fs';
import type { FaceEngine } from './engine.js';

/**
 * The faces (embeddings) of a member's profile photos that a check compares the frames with.
 *
 * They are analysed when the challenge starts, in the background, while the member takes the frames
 * (seconds to two minutes), so the answer to the check waits only for the frames' analysis: one
 * analysis fewer (bench/results/face.md, run 9: the member's wait 11–17 % shorter). The embeddings live in this process's memory only, for the
 * challenge's lifetime at most; never stored. The check takes them only if the member's photos are
 * still the same ones; otherwise — another instance started the challenge, a photo changed, the
 * analysis failed, the entry expired — they are computed then, as before. A withdrawal forgets them.
 */
export function makeProfileFaces(deps: {
  engine: FaceEngine;
  /** Files of the member's profile photos, in order (the first 6 that exist). Read, never written. */
  photoFiles: (memberId: string) => Promise<string[]>;
  /** Faces smaller than this (px, after downscaling) are not compared. */
  minFaceSize: number;
  /** How long a prefetched entry is kept (the challenge's lifetime). */
  ttlMs: number;
  /** At most this many challenges' faces are held at once; beyond it the check computes them. */
  maxEntries?: number;
}) {
  const { engine, photoFiles, minFaceSize, ttlMs, maxEntries = 200 } = deps;
  const pending = new Map<string, { memberId: string; files: Promise<string | null>; faces: Promise<number[][] | null>; timer: NodeJS.Timeout }>();
  /** Which photos, as they are on disk now (a file replaced in place counts as changed). */
  const key = async (files: string[]) =>
    (await Promise.all(files.map(async (file) => fs.promises.stat(file).then((s) => `${file}|${s.size}|${s.mtimeMs}`, () => `${file}|gone`)))).join('\n');

  async function analyse(files: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (const file of files) {
      // Read without blocking the event loop (a photo erased meanwhile is skipped).
      const bytes = await fs.promises.readFile(file).catch(() => undefined);
      if (!bytes) continue;
      const analysis = await engine.analyse(bytes, 'profile');
      if (!analysis.ok) continue;
      for (const face of analysis.faces) if (face.embedding.length > 0 && face.size >= minFaceSize) out.push(face.embedding);
    }
    return out;
  }

  function drop(checkId: string): void {
    const entry = pending.get(checkId);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(checkId);
  }

  return {
    /** At the start of a challenge: analyse the member's profile photos in the background. Never throws. */
    prefetch(checkId: string, memberId: string): void {
      if (pending.size >= maxEntries) return;
      const files = photoFiles(memberId);
      const timer = setTimeout(() => pending.delete(checkId), ttlMs);
      timer.unref();
      // A failed prefetch (engine closed, file error) means the check analyses the photos itself.
      pending.set(checkId, { memberId, files: files.then(key).catch(() => null), faces: files.then(analyse).catch(() => null), timer });
    },

    /** At the check: the prefetched faces if the photos are unchanged, else analysed now. Forgets the entry. */
    async take(checkId: string, memberId: string): Promise<number[][]> {
      const entry = pending.get(checkId);
      drop(checkId);
      const files = await photoFiles(memberId);
      if (entry && entry.memberId === memberId) {
        const [prefetchedFiles, faces] = await Promise.all([entry.files, entry.faces]);
        if (faces && prefetchedFiles === (await key(files))) return faces;
      }
      return analyse(files);
    },

    /** The check ended before it needed the faces (refused on its frames): forget them now. */
    discard: drop,

    /** Withdrawal of consent, or a new challenge: forget every prefetched face of the member at once. */
    forget(memberId: string): void {
      for (const [checkId, entry] of pending) if (entry.memberId === memberId) drop(checkId);
    },

    /** How many challenges' faces are held (tests). */
    size: () => pending.size,
  };
}
