import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import exifr from 'exifr';
import fc from 'fast-check';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageErrorMessage, processProfilePhoto, sniffImageType, type ProfilePhotoResult } from './image.js';

/** piexifjs ships no types; this is the part of its API the tests use. */
interface Piexif {
  dump(exif: Record<string, Record<number, unknown>>): string;
  insert(exif: string, jpeg: string): string;
  ImageIFD: Record<string, number>;
  ExifIFD: Record<string, number>;
  GPSIFD: Record<string, number>;
}
const piexif = createRequire(import.meta.url)('piexifjs') as Piexif;

function noise(width: number, height: number): Sharp {
  return sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
}

/** Left half red, right half blue: shows which way an image was turned. */
async function redLeftBlueRight(width: number, height: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  const blue = await sharp({ create: { width: width - half, height, channels: 3, background: '#0000ff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .composite([{ input: blue, left: half, top: 0 }])
    .jpeg({ quality: 95 })
    .toBuffer();
}

function withExif(jpeg: Buffer, exif: Record<string, Record<number, unknown>>): Buffer {
  return Buffer.from(piexif.insert(piexif.dump(exif), jpeg.toString('binary')), 'binary');
}

/** JPEG marker bytes (APPn, COM, …) of every segment before the image data. */
function jpegSegments(jpeg: Buffer): number[] {
  const markers: number[] = [];
  let offset = 2;
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1]!;
    markers.push(marker);
    if (marker === 0xda) break; // start of scan
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return markers;
}

/** RIFF chunk ids of a WebP file. */
function webpChunks(webp: Buffer): string[] {
  const chunks: string[] = [];
  for (let offset = 12; offset + 8 <= webp.length; ) {
    chunks.push(webp.toString('latin1', offset, offset + 4));
    const size = webp.readUInt32LE(offset + 4);
    offset += 8 + size + (size % 2);
  }
  return chunks;
}

/** A PNG chunk with a correct CRC. */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid PNG of width × height 1-bit grey pixels, all black: a decompression bomb of a few
 * kilobytes when the dimensions are large. Only the compressed stream is built, row by row.
 */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(1, 8); // bit depth 1
  ihdr.writeUInt8(0, 9); // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0 + zero pixels
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) rows.push(row);
  const idat = zlib.deflateSync(Buffer.concat(rows), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Every trace of metadata in an encoded image, by several independent detectors. */
async function metadataFound(out: Buffer, format: 'jpeg' | 'webp'): Promise<string[]> {
  const found: string[] = [];
  if (format === 'jpeg') {
    // exifr reads JPEG, TIFF, HEIF and PNG but not WebP.
    if ((await exifr.parse(out, { tiff: true, exif: true, gps: true, xmp: true, icc: true, iptc: true })) !== undefined) found.push('exifr');
    if ((await exifr.gps(out)) !== undefined) found.push('gps');
    // Only JFIF, tables, frame and scan segments may remain: no APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), COM.
    for (const m of jpegSegments(out)) if ((m >= 0xe1 && m <= 0xef) || m === 0xfe) found.push(`APP${m === 0xfe ? 'COM' : m - 0xe0}`);
  } else {
    for (const c of webpChunks(out)) if (['EXIF', 'XMP ', 'ICCP'].includes(c)) found.push(c);
  }
  const meta = await sharp(out).metadata();
  for (const key of ['exif', 'xmp', 'icc', 'iptc'] as const) if (meta[key] !== undefined) found.push(`sharp:${key}`);
  if (out.includes('KenalanPhone') || out.includes('Budi di Bandung')) found.push('text');
  return found;
}

function expectOk(result: ProfilePhotoResult): Extract<ProfilePhotoResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${result.error}`);
  return result;
}

let jpeg1200x900: Buffer;
beforeAll(async () => {
  jpeg1200x900 = await noise(1200, 900).jpeg({ quality: 90 }).toBuffer();
});

describe('processProfilePhoto: accepted photos', () => {
  it('re-encodes a 1200×900 JPEG to fit 1080×1080 with square 320 and 96 thumbnails', async () => {
    const r = expectOk(await processProfilePhoto(jpeg1200x900));
    expect(r.image).toMatchObject({ mime: 'image/jpeg', width: 1080, height: 810 });
    const out = await sharp(r.image.bytes).metadata();
    expect(out).toMatchObject({ format: 'jpeg', width: 1080, height: 810, space: 'srgb' });
    expect(r.thumbnails.map((t) => [t.size, t.width, t.height])).toEqual([
      [320, 320, 320],
      [96, 96, 96],
    ]);
    for (const t of r.thumbnails) expect(await sharp(t.bytes).metadata()).toMatchObject({ format: 'jpeg', width: t.width, height: t.height });
  });

  it('accepts PNG (with transparency) and WebP, never enlarges, and can output WebP', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const fromPng = expectOk(await processProfilePhoto(png));
    expect(fromPng.image).toMatchObject({ mime: 'image/jpeg', width: 400, height: 300 });
    expect((await sharp(fromPng.image.bytes).metadata()).hasAlpha).toBe(false);
    expect(fromPng.thumbnails.map((t) => [t.width, t.height])).toEqual([
      [300, 300],
      [96, 96],
    ]);

    const webp = await noise(900, 1600).webp().toBuffer();
    const fromWebp = expectOk(await processProfilePhoto(webp, { format: 'webp' }));
    expect(fromWebp.image).toMatchObject({ mime: 'image/webp', width: 608, height: 1080 });
    expect((await sharp(fromWebp.image.bytes).metadata()).format).toBe('webp');
    expect(fromWebp.thumbnails.map((t) => t.width)).toEqual([320, 96]);
  });

  it('accepts AVIF', async () => {
    const avif = await noise(300, 300).avif({ quality: 50, effort: 0 }).toBuffer();
    expect(sniffImageType(avif)).toBe('isobmff');
    const r = expectOk(await processProfilePhoto(avif));
    expect(r.image).toMatchObject({ mime: 'image/jpeg', width: 300, height: 300 });
  });

  it('normalises greyscale, 16-bit and CMYK inputs to 8-bit sRGB', async () => {
    const grey = await noise(300, 300).greyscale().jpeg().toBuffer();
    const deep = await noise(300, 300).toColourspace('rgb16').png().toBuffer();
    const cmyk = await noise(300, 300).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    for (const input of [grey, deep, cmyk]) {
      const r = expectOk(await processProfilePhoto(input));
      expect(await sharp(r.image.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 300, height: 300, depth: 'uchar' });
      expect(['srgb', 'b-w']).toContain((await sharp(r.image.bytes).metadata()).space);
    }
  });

  it('makes good thumbnails from very wide photos', async () => {
    const wide = await noise(4000, 400).jpeg().toBuffer();
    const r = expectOk(await processProfilePhoto(wide));
    expect(r.image).toMatchObject({ width: 1080, height: 108 });
    expect(r.thumbnails.map((t) => [t.width, t.height])).toEqual([
      [320, 320],
      [96, 96],
    ]);
  });
});

describe('processProfilePhoto: metadata', () => {
  it('removes EXIF (GPS, camera, time), XMP and ICC that the input did have', async () => {
    const base = await noise(1200, 900)
      .withIccProfile('p3')
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Budi di Bandung</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')
      .jpeg()
      .toBuffer();
    const input = withExif(base, {
      '0th': { [piexif.ImageIFD.Make!]: 'KenalanPhone', [piexif.ImageIFD.Model!]: 'KP-1' },
      Exif: { [piexif.ExifIFD.DateTimeOriginal!]: '2024:08:17 10:00:00' },
      GPS: {
        [piexif.GPSIFD.GPSLatitudeRef!]: 'S',
        [piexif.GPSIFD.GPSLatitude!]: [
          [6, 1],
          [54, 1],
          [5000, 100],
        ],
        [piexif.GPSIFD.GPSLongitudeRef!]: 'E',
        [piexif.GPSIFD.GPSLongitude!]: [
          [107, 1],
          [36, 1],
          [1000, 100],
        ],
      },
    });

    // The input really carries everything (so this test can fail).
    const before = await exifr.parse(input, { tiff: true, exif: true, gps: true, xmp: true, icc: true, iptc: true });
    expect(before.Make).toBe('KenalanPhone');
    expect(before.DateTimeOriginal).toBeInstanceOf(Date);
    expect(before.latitude).toBeCloseTo(-6.9139, 3);
    expect(before.longitude).toBeCloseTo(107.6028, 3);
    expect(JSON.stringify(before)).toContain('Budi di Bandung');
    expect((await exifr.gps(input)).latitude).toBeCloseTo(-6.9139, 3);
    const inputMeta = await sharp(input).metadata();
    expect(inputMeta.exif && inputMeta.xmp && inputMeta.icc).toBeTruthy();
    expect(jpegSegments(input)).toEqual(expect.arrayContaining([0xe1, 0xe2]));

    // The detector sees metadata when a re-encode keeps it…
    expect(await metadataFound(await sharp(input).keepMetadata().jpeg().toBuffer(), 'jpeg')).toEqual(
      expect.arrayContaining(['exifr', 'gps', 'sharp:exif', 'sharp:xmp', 'sharp:icc', 'text', 'APP1', 'APP2']),
    );
    expect(await metadataFound(await sharp(input).keepMetadata().webp().toBuffer(), 'webp')).toEqual(
      expect.arrayContaining(['sharp:exif', 'sharp:xmp', 'sharp:icc', 'text', 'EXIF', 'XMP ', 'ICCP']),
    );
    // …and finds none in anything processProfilePhoto produces.
    for (const format of ['jpeg', 'webp'] as const) {
      const r = expectOk(await processProfilePhoto(input, { format }));
      for (const out of [r.image.bytes, ...r.thumbnails.map((t) => t.bytes)]) expect(await metadataFound(out, format)).toEqual([]);
    }
  });

  it('applies EXIF orientation 6 to the pixels (width and height swap, left goes to the top)', async () => {
    const input = withExif(await redLeftBlueRight(1200, 900), { '0th': { [piexif.ImageIFD.Orientation!]: 6 } });
    expect(await exifr.orientation(input)).toBe(6);
    const r = expectOk(await processProfilePhoto(input));
    expect(r.image).toMatchObject({ width: 810, height: 1080 });
    const { data, info } = await sharp(r.image.bytes).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    const [tr, , tb] = pixel(405, 100);
    const [br, , bb] = pixel(405, 980);
    expect(tr).toBeGreaterThan(200); // red on top
    expect(tb).toBeLessThan(60);
    expect(bb).toBeGreaterThan(200); // blue at the bottom
    expect(br).toBeLessThan(60);
    expect(await exifr.orientation(r.image.bytes)).toBeUndefined();
  });
});

describe('processProfilePhoto: refusals', () => {
  it('sniffs the bytes, not the name: a text file called photo.jpg is unsupportedType', async () => {
    const text = Buffer.from('Halo! Ini bukan foto, hanya teks biasa yang diberi nama photo.jpg\n'.repeat(20), 'utf8');
    expect(await processProfilePhoto(text)).toEqual({ ok: false, error: 'unsupportedType' });
  });

  it('refuses SVG, GIF, TIFF and HEIC-like files as unsupportedType without decoding them', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><rect width="500" height="500"/></svg>');
    const gif = await noise(300, 300).gif().toBuffer();
    const tiff = await noise(300, 300).tiff().toBuffer();
    // An ISO-BMFF header with the heic brand and nothing usable after it.
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
    for (const bytes of [svg, gif, tiff]) expect(await processProfilePhoto(bytes)).toEqual({ ok: false, error: 'unsupportedType' });
    expect((await processProfilePhoto(heic)).ok).toBe(false);
  });

  it('empty, garbage with a JPEG signature and truncated JPEGs are corrupt', async () => {
    expect(await processProfilePhoto(Buffer.alloc(0))).toEqual({ ok: false, error: 'corrupt' });
    expect(await processProfilePhoto(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]))).toEqual({ ok: false, error: 'corrupt' });
    const truncated = jpeg1200x900.subarray(0, Math.floor(jpeg1200x900.length / 2));
    // The header is intact, so only decoding can notice.
    expect((await sharp(truncated).metadata()).width).toBe(1200);
    expect(await processProfilePhoto(truncated)).toEqual({ ok: false, error: 'corrupt' });
    expect(await processProfilePhoto(null as unknown as Buffer)).toEqual({ ok: false, error: 'corrupt' });
  });

  it('refuses too many bytes before looking at them', async () => {
    expect(await processProfilePhoto(jpeg1200x900, { maxBytes: 1000 })).toEqual({ ok: false, error: 'tooLarge' });
    const over10MiB = Buffer.concat([jpeg1200x900, Buffer.alloc(10 * 1024 * 1024)]);
    expect(await processProfilePhoto(over10MiB)).toEqual({ ok: false, error: 'tooLarge' });
  });

  it('refuses 9000×100 (too long a side) as tooLarge', async () => {
    const strip = await sharp({ create: { width: 9000, height: 100, channels: 3, background: '#336699' } }).png().toBuffer();
    expect(await processProfilePhoto(strip)).toEqual({ ok: false, error: 'tooLarge' });
  });

  it('refuses a 10000×10000 decompression bomb (a few KB) as tooLarge, quickly', async () => {
    const bomb = bombPng(10_000, 10_000);
    expect(bomb.length).toBeLessThan(100_000);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 10_000, height: 10_000 });
    const started = performance.now();
    expect(await processProfilePhoto(bomb)).toEqual({ ok: false, error: 'tooLarge' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses more than 40 megapixels even when each side is allowed (7000×7000)', async () => {
    expect(await processProfilePhoto(bombPng(7000, 7000))).toEqual({ ok: false, error: 'tooLarge' });
    // Lowering the pixel limit applies to real images too.
    expect(await processProfilePhoto(jpeg1200x900, { maxPixels: 1_000_000 })).toEqual({ ok: false, error: 'tooLarge' });
  });

  it('refuses 100×100 and 1000×150 as tooSmall', async () => {
    expect(await processProfilePhoto(await noise(100, 100).jpeg().toBuffer())).toEqual({ ok: false, error: 'tooSmall' });
    expect(await processProfilePhoto(await noise(1000, 150).png().toBuffer())).toEqual({ ok: false, error: 'tooSmall' });
    expect((await processProfilePhoto(await noise(200, 200).jpeg().toBuffer())).ok).toBe(true);
  });

  it('has member-facing texts for every error in both languages', () => {
    for (const error of ['unsupportedType', 'corrupt', 'tooLarge', 'tooSmall'] as const) {
      for (const language of ['id', 'en'] as const) {
        const message = imageErrorMessage(error, language);
        expect(message).not.toMatch(/^media\.|\{\{/);
      }
    }
    expect(imageErrorMessage('tooLarge', 'id')).toContain('10 MB');
    expect(imageErrorMessage('tooSmall', 'en')).toContain('200 pixels');
  });
});

describe('processProfilePhoto: arbitrary input', () => {
  const signatures = [
    [0xff, 0xd8, 0xff],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    [...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP')],
    [0, 0, 0, 28, ...Buffer.from('ftypavif'), 0, 0, 0, 0, ...Buffer.from('avifmif1miaf')],
  ];

  it('random bytes, with or without an image signature, never throw and are never ok', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom([], ...signatures), fc.uint8Array({ maxLength: 2048 }), async (prefix, body) => {
        const r = await processProfilePhoto(Buffer.concat([Buffer.from(prefix), body]));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('damaged real photos never throw, and whatever is accepted is a real image', async () => {
    const small = await noise(240, 240).jpeg({ quality: 70 }).toBuffer();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: small.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
        fc.nat({ max: small.length }),
        async (edits, cut) => {
          const bytes = Buffer.from(small.subarray(0, Math.max(cut, 1)));
          for (const { at, value } of edits) if (at < bytes.length) bytes[at] = value;
          const r = await processProfilePhoto(bytes);
          if (r.ok) {
            const meta = await sharp(r.image.bytes).metadata();
            expect(meta).toMatchObject({ format: 'jpeg', width: r.image.width, height: r.image.height });
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
