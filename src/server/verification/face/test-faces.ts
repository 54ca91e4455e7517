import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type { FaceEngine } from './engine.js';
import type { FaceChallenge } from './tables.js';

/**
 * Test and bench fixtures (not a test file): real faces from the @vladmandic/face-api demo photos
 * (a dev dependency). `profile` is one face cropped as a profile photo; `straight` a re-crop of the
 * same face; `turned` its mirror image, whose yaw moves the other way — so [straight, turned] shows a
 * head turn in `challenge`'s direction. A derived image can show a turn but never a smile, hence
 * the challenge is fixed in tests (`setChallengePickerForTests`).
 */
export interface FaceFixture {
  profile: Buffer;
  straight: Buffer;
  turned: Buffer;
  other: Buffer;
  challenge: FaceChallenge;
}

const require = createRequire(import.meta.url);
export const DEMO_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

async function crop(photo: Buffer, box: number[], scale: number, margin: number): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const [x, y, w, h] = box.map((v) => v * scale) as [number, number, number, number];
  const side = Math.max(w, h) * (1 + 2 * margin);
  const left = Math.max(0, Math.round(x + w / 2 - side / 2));
  const top = Math.max(0, Math.round(y + h / 2 - side / 2));
  return sharp(photo)
    .extract({ left, top, width: Math.min(meta.width! - left, Math.round(side)), height: Math.min(meta.height! - top, Math.round(side)) })
    .resize({ width: 480, height: 480, fit: 'cover' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Builds the fixture with the engine (the face with the largest head turn in sample1, and another person). */
export async function makeFaceFixture(engine: FaceEngine, sample = 'sample1.jpg'): Promise<FaceFixture> {
  const photo = fs.readFileSync(path.join(DEMO_DIR, sample));
  const meta = await sharp(photo).metadata();
  const analysis = await engine.analyse(photo);
  if (!analysis.ok || analysis.faces.length < 2) throw new Error('demo photo not analysed');
  const scale = meta.width! / analysis.width;
  const byYaw = [...analysis.faces].sort((a, b) => Math.abs(b.yaw) - Math.abs(a.yaw));
  const face = byYaw[0]!;
  const profile = await crop(photo, face.box, scale, 0.7);
  const straight = await crop(photo, face.box, scale, 0.55);
  const turned = await sharp(straight).flop().jpeg({ quality: 90 }).toBuffer();
  const other = await crop(photo, byYaw[1]!.box, scale, 0.6);
  const [a, b] = await Promise.all([engine.analyse(straight), engine.analyse(turned)]);
  if (!a.ok || !b.ok || !a.faces[0] || !b.faces[0]) throw new Error('fixture faces not found');
  // The model's yaw falls for a turn to the member's left (see challengeFollowed).
  return { profile, straight, turned, other, challenge: b.faces[0].yaw < a.faces[0].yaw ? 'turn_left' : 'turn_right' };
}
