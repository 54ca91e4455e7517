import fs from 'node:fs';
import sharp from 'sharp';

/** One still picture shown for `frames` video frames. */
export interface Y4mSegment {
  image: Buffer;
  frames: number;
}

/** RGB (8 bit, interleaved) → planar I420 with BT.601 limited-range coefficients, chroma averaged over 2 × 2 pixels. */
function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const cw = width / 2;
  const ch = height / 2;
  const out = Buffer.alloc(width * height + 2 * cw * ch);
  const u = width * height;
  const v = u + cw * ch;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[y * width + x] = Math.round(16 + (65.481 * rgb[i]! + 128.553 * rgb[i + 1]! + 24.966 * rgb[i + 2]!) / 255);
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const i = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      out[u + y * cw + x] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[v + y * cw + x] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return out;
}

/**
 * Writes a YUV4MPEG2 (C420) video that Chromium's fake camera can play
 * (`--use-file-for-fake-video-capture=<file>`; it loops the file): each segment's picture, resized
 * to `width` × `height` (even) with sharp, repeated for its number of frames, at `fps`.
 */
export async function writeY4m(file: string, segments: Y4mSegment[], { width, height, fps }: { width: number; height: number; fps: number }): Promise<void> {
  if (width % 2 || height % 2) throw new Error('Y4M C420 needs even dimensions');
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const segment of segments) {
      const rgb = await sharp(segment.image).resize({ width, height, fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
      const frame = Buffer.concat([Buffer.from('FRAME\n'), rgbToI420(rgb, width, height)]);
      for (let n = 0; n < segment.frames; n++) fs.writeSync(out, frame);
    }
  } finally {
    fs.closeSync(out);
  }
}
