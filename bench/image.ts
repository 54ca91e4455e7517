// Profile photo processing cost: a 4000×3000 phone-like JPEG (EXIF with GPS and orientation)
// through processProfilePhoto, time per photo (p50/p95) and peak RSS. Each case runs in a fresh
// child process so that peak RSS belongs to processing alone, not to generating the test images.
// Usage: npx tsx bench/image.ts   (RUNS=20 by default; results go in bench/results/image.md)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';
import { processProfilePhoto, type ProfilePhotoOptions } from '../src/server/platform/media/image.js';

const RUNS = Number(process.env.RUNS ?? 20);

interface Measurement {
  times: number[];
  rssBeforeMiB: number;
  peakRssMiB: number;
  output: { width: number; height: number; bytes: number; thumbBytes: number[] };
}

if (process.argv[2] === '--measure') {
  const [file, format] = [process.argv[3]!, process.argv[4] as ProfilePhotoOptions['format']];
  const input = fs.readFileSync(file);
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const options: ProfilePhotoOptions = { format };
  const first = await processProfilePhoto(input, options); // warm-up
  if (!first.ok) throw new Error(`processing failed: ${first.error}`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const r = await processProfilePhoto(input, options);
    times.push(performance.now() - started);
    if (!r.ok) throw new Error(r.error);
  }
  const m: Measurement = {
    times,
    rssBeforeMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    output: {
      width: first.image.width,
      height: first.image.height,
      bytes: first.image.bytes.length,
      thumbBytes: first.thumbnails.map((t) => t.bytes.length),
    },
  };
  process.stdout.write(JSON.stringify(m));
  process.exit(0);
}

interface Piexif {
  dump(exif: Record<string, Record<number, unknown>>): string;
  insert(exif: string, jpeg: string): string;
  ImageIFD: Record<string, number>;
  ExifIFD: Record<string, number>;
  GPSIFD: Record<string, number>;
}
const piexif = createRequire(import.meta.url)('piexifjs') as Piexif;

/** A photo-like 4000×3000 picture: smooth gradients plus sensor-like noise, so it compresses like a real one. */
async function phoneLike(width: number, height: number): Promise<Sharp> {
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
      `<stop offset="0" stop-color="#3a6ea5"/><stop offset="0.5" stop-color="#f2c57c"/><stop offset="1" stop-color="#2f4f2f"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 2}" cy="${height / 2.5}" r="${height / 5}" fill="#d9a07a"/></svg>`,
  );
  // Texture at several scales (fine sensor noise would average away when shrunk to 1080 px).
  const layers: OverlayOptions[] = [];
  for (const [divisor, sigma] of [[1, 18], [4, 40], [16, 60]] as const) {
    const w = Math.round(width / divisor);
    const h = Math.round(height / divisor);
    let layer = sharp({ create: { width: w, height: h, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma } } });
    if (divisor > 1) layer = sharp(await layer.png().toBuffer()).resize(width, height, { kernel: 'cubic' });
    layers.push({ input: await layer.png().toBuffer(), blend: 'soft-light' });
  }
  return sharp(await sharp(gradient).composite(layers).png().toBuffer());
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kenalan-image-bench-'));
const base = await (await phoneLike(4000, 3000)).jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toBuffer();
const exif = piexif.dump({
  '0th': { [piexif.ImageIFD.Make!]: 'Samsung', [piexif.ImageIFD.Model!]: 'SM-A546E', [piexif.ImageIFD.Orientation!]: 6 },
  Exif: { [piexif.ExifIFD.DateTimeOriginal!]: '2026:08:17 07:30:00' },
  GPS: {
    [piexif.GPSIFD.GPSLatitudeRef!]: 'S',
    [piexif.GPSIFD.GPSLatitude!]: [[6, 1], [10, 1], [3000, 100]],
    [piexif.GPSIFD.GPSLongitudeRef!]: 'E',
    [piexif.GPSIFD.GPSLongitude!]: [[106, 1], [49, 1], [4000, 100]],
  },
});
const jpeg = Buffer.from(piexif.insert(exif, base.toString('binary')), 'binary');
// A phone screenshot-sized PNG (a 4000×3000 noisy PNG is over the 10 MiB upload limit).
const png = await (await phoneLike(1080, 2400)).png({ compressionLevel: 6 }).toBuffer();
fs.writeFileSync(path.join(dir, 'phone.jpg'), jpeg);
fs.writeFileSync(path.join(dir, 'phone.png'), png);

const cases: [string, string, 'jpeg' | 'webp', number][] = [
  ['4000×3000 JPEG → JPEG', 'phone.jpg', 'jpeg', jpeg.length],
  ['4000×3000 JPEG → WebP', 'phone.jpg', 'webp', jpeg.length],
  ['1080×2400 PNG → JPEG', 'phone.png', 'jpeg', png.length],
];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const rows: string[] = [];
for (const [label, file, format, inputBytes] of cases) {
  const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--measure', path.join(dir, file), format], {
    encoding: 'utf8',
    env: { ...process.env, RUNS: String(RUNS) },
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`${label}: ${child.stderr}`);
  const m = JSON.parse(child.stdout) as Measurement;
  rows.push(
    `| ${label} | ${mib(inputBytes)} | ${percentile(m.times, 50).toFixed(0)} ms | ${percentile(m.times, 95).toFixed(0)} ms | ` +
      `${m.rssBeforeMiB.toFixed(0)} MiB | ${m.peakRssMiB.toFixed(0)} MiB | ${m.output.width}×${m.output.height}, ${kib(m.output.bytes)} | ` +
      `${m.output.thumbBytes.map(kib).join(' / ')} | ${m.times.length} |`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });

const cpus = os.cpus();
console.log(`Machine: ${cpus.length} × ${cpus[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`);
console.log(`sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, libvips threads ${sharp.concurrency()}`);
console.log(`Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}\n`);
console.log('| input | size | p50 | p95 | RSS before | peak RSS | output | thumbnails 320 / 96 | runs |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
