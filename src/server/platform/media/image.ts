/**
 * Profile photo intake: untrusted bytes in, a clean re-encoded photo and square thumbnails out.
 *
 * Threat model and what each step does about it:
 *  - The client's file name and MIME type are never consulted. The type comes from the bytes: a
 *    signature check first (so only the JPEG, PNG, WebP and HEIF/AVIF decoders ever see member
 *    input — never librsvg, TIFF, GIF, PDF or the other loaders libvips carries), then sharp's own
 *    header parse, which must agree.
 *  - Decompression bombs: the header's dimensions are checked before any pixel is decoded, and
 *    sharp's `limitInputPixels` is set to the same pixel limit, so libvips itself refuses to decode
 *    a larger image even if a header lied to the metadata parser. A processing timeout bounds CPU.
 *  - Privacy: the output is re-encoded from pixels. sharp writes no metadata unless asked to
 *    (keepMetadata / withMetadata / keepExif / withExif / keepIccProfile / withIccProfile /
 *    keepXmp / withXmp) and this module never asks: EXIF (GPS position, camera make and serial,
 *    capture time), XMP, IPTC and ICC profiles are all dropped; pixels are converted to sRGB first,
 *    so colours stay right without an embedded profile. EXIF orientation is applied to the pixels
 *    (`rotate()`) before the tag disappears.
 *  - HEIC (HEVC-coded HEIF, the iPhone default) is refused as unsupportedType: sharp's prebuilt
 *    libvips decodes AVIF but, for patent reasons, not HEVC. iOS converts to JPEG when a photo is
 *    picked in a browser file input, so this mostly affects files sent from elsewhere.
 *
 * Never throws for bad input: every failure maps to an `ImageError`.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import type { Language } from '../../../common/i18n/index.js';
import { t } from '../i18n/i18n.js';

export type ImageError = 'unsupportedType' | 'corrupt' | 'tooLarge' | 'tooSmall';
export type OutputMime = 'image/jpeg' | 'image/webp';
export type ThumbnailSize = 96 | 320;

export interface ProfilePhotoLimits {
  /** Largest accepted upload in bytes (default 10 MiB). */
  maxBytes: number;
  /** Shortest side must be at least this many pixels (default 200). */
  minSide: number;
  /** Neither side may exceed this many pixels (default 8000). */
  maxSide: number;
  /** width × height may not exceed this (default 40 megapixels); also sharp's limitInputPixels. */
  maxPixels: number;
}

export interface ProfilePhotoOptions extends Partial<ProfilePhotoLimits> {
  /** Output format (default JPEG, which every client can show). */
  format?: 'jpeg' | 'webp';
  /** Make the square thumbnails too (default true; a face review copy needs none). */
  thumbnails?: boolean;
}

export interface ProcessedImage {
  mime: OutputMime;
  width: number;
  height: number;
  bytes: Buffer;
}

export interface Thumbnail {
  size: ThumbnailSize;
  width: number;
  height: number;
  bytes: Buffer;
}

export type ProfilePhotoResult =
  | { ok: true; image: ProcessedImage; thumbnails: Thumbnail[] }
  | { ok: false; error: ImageError };

export const DEFAULT_PHOTO_LIMITS: Readonly<ProfilePhotoLimits> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  minSide: 200,
  maxSide: 8000,
  maxPixels: 40_000_000,
});

/** The stored photo fits within OUTPUT_SIZE × OUTPUT_SIZE (never enlarged). */
export const OUTPUT_SIZE = 1080;
export const THUMBNAIL_SIZES: readonly ThumbnailSize[] = [320, 96];
const JPEG_QUALITY = 82;
const WEBP_QUALITY = 80;
const THUMBNAIL_JPEG_QUALITY = 80;
const PROCESSING_TIMEOUT_SECONDS = 20;
const WHITE = { r: 255, g: 255, b: 255 };

type SniffedType = 'jpeg' | 'png' | 'webp' | 'isobmff';

/** Magic numbers of the formats we accept; anything else is not handed to a decoder at all. */
export function sniffImageType(bytes: Uint8Array): SniffedType | undefined {
  const at = (offset: number, ascii: string) => {
    if (bytes.length < offset + ascii.length) return false;
    for (let i = 0; i < ascii.length; i++) if (bytes[offset + i] !== ascii.charCodeAt(i)) return false;
    return true;
  };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (at(0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'webp';
  if (at(4, 'ftyp')) {
    // ISO base media file: accept only HEIF-family brands (AVIF is decided after sharp reads it).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const boxSize = bytes.length >= 8 ? view.getUint32(0) : 0;
    const end = Math.min(bytes.length, boxSize >= 16 ? boxSize : 0, 256);
    const heifBrands = new Set(['avif', 'avis', 'mif1', 'msf1', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
    for (let offset = 8; offset + 4 <= end; offset += 4) {
      if (offset === 12) continue; // minor_version, not a brand
      const brand = String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
      if (heifBrands.has(brand)) return 'isobmff';
    }
  }
  return undefined;
}

const SHARP_FORMAT_FOR: Record<SniffedType, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', isobmff: 'heif' };

function sharpOptions(limits: ProfilePhotoLimits): SharpOptions {
  return {
    limitInputPixels: limits.maxPixels,
    // Truncated or damaged files fail instead of decoding to a grey half-picture.
    failOn: 'warning',
    // Animated WebP/PNG/AVIF: the first frame is the photo.
    pages: 1,
  };
}

function mapSharpError(error: unknown): ImageError {
  const message = error instanceof Error ? error.message : String(error);
  return /pixel limit|too large|exceeds/i.test(message) ? 'tooLarge' : 'corrupt';
}

/**
 * Validates and re-encodes a profile photo. See the module comment for the guarantees; `options`
 * may lower or raise the limits and choose WebP output.
 */
export async function processProfilePhoto(input: Buffer | Uint8Array, options: ProfilePhotoOptions = {}): Promise<ProfilePhotoResult> {
  const limits: ProfilePhotoLimits = {
    maxBytes: options.maxBytes ?? DEFAULT_PHOTO_LIMITS.maxBytes,
    minSide: options.minSide ?? DEFAULT_PHOTO_LIMITS.minSide,
    maxSide: options.maxSide ?? DEFAULT_PHOTO_LIMITS.maxSide,
    maxPixels: options.maxPixels ?? DEFAULT_PHOTO_LIMITS.maxPixels,
  };
  const format = options.format === 'webp' ? 'webp' : 'jpeg';

  if (!(input instanceof Uint8Array) || input.length === 0) return { ok: false, error: 'corrupt' };
  if (input.length > limits.maxBytes) return { ok: false, error: 'tooLarge' };
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);

  const sniffed = sniffImageType(bytes);
  if (!sniffed) return { ok: false, error: 'unsupportedType' };

  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpOptions(limits)).metadata();
  } catch (error) {
    return { ok: false, error: mapSharpError(error) };
  }
  if (meta.format !== SHARP_FORMAT_FOR[sniffed]) return { ok: false, error: 'unsupportedType' };
  if (meta.format === 'heif' && meta.compression !== 'av1') return { ok: false, error: 'unsupportedType' };

  const { width, height } = meta;
  if (!width || !height || width < 1 || height < 1) return { ok: false, error: 'corrupt' };
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    return { ok: false, error: 'tooLarge' };
  }
  if (Math.min(width, height) < limits.minSide) return { ok: false, error: 'tooSmall' };

  try {
    // One decode: orient, shrink to the stored size, drop alpha for JPEG, sRGB 8-bit pixels.
    const main = await decodeToRaw(bytes, limits, format, { width: OUTPUT_SIZE, height: OUTPUT_SIZE, fit: 'inside' });
    const image = await encode(fromRaw(main), format, format === 'jpeg' ? JPEG_QUALITY : WEBP_QUALITY);
    if (options.thumbnails === false) return { ok: true, image: { mime: image.mime, width: image.width, height: image.height, bytes: image.bytes }, thumbnails: [] };
    // Very wide or tall photos shrink below the thumbnail size; decode again at thumbnail scale then.
    const wantedThumbSide = Math.min(Math.max(...THUMBNAIL_SIZES), width, height);
    const thumbSource =
      Math.min(main.info.width, main.info.height) >= wantedThumbSide
        ? main
        : await decodeToRaw(bytes, limits, format, { width: wantedThumbSide, height: wantedThumbSide, fit: 'outside' });
    const thumbnails: Thumbnail[] = [];
    for (const size of THUMBNAIL_SIZES) {
      const side = Math.min(size, thumbSource.info.width, thumbSource.info.height);
      const cropped = fromRaw(thumbSource).resize({ width: side, height: side, fit: 'cover', position: sharp.strategy.attention });
      const encoded = await encode(cropped, format, format === 'jpeg' ? THUMBNAIL_JPEG_QUALITY : WEBP_QUALITY);
      thumbnails.push({ size, width: encoded.width, height: encoded.height, bytes: encoded.bytes });
    }
    return { ok: true, image: { mime: image.mime, width: image.width, height: image.height, bytes: image.bytes }, thumbnails };
  } catch (error) {
    return { ok: false, error: mapSharpError(error) };
  }
}

interface RawImage {
  data: Buffer;
  info: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}

async function decodeToRaw(
  bytes: Buffer,
  limits: ProfilePhotoLimits,
  format: 'jpeg' | 'webp',
  box: { width: number; height: number; fit: 'inside' | 'outside' },
): Promise<RawImage> {
  let pipeline = sharp(bytes, sharpOptions(limits))
    .timeout({ seconds: PROCESSING_TIMEOUT_SECONDS })
    .rotate() // EXIF orientation applied to the pixels
    .resize({ ...box, withoutEnlargement: true });
  if (format === 'jpeg') pipeline = pipeline.flatten({ background: WHITE });
  const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels < 1 || info.channels > 4) throw new Error(`unexpected channel count ${info.channels}`);
  return { data, info: { width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 } };
}

function fromRaw(raw: RawImage): Sharp {
  return sharp(raw.data, { raw: raw.info }).timeout({ seconds: PROCESSING_TIMEOUT_SECONDS });
}

async function encode(pipeline: Sharp, format: 'jpeg' | 'webp', quality: number): Promise<ProcessedImage> {
  // No keepMetadata()/withMetadata()/keep*/with* here, ever: the output carries no metadata blocks.
  const encoder =
    format === 'jpeg' ? pipeline.jpeg({ quality, mozjpeg: true }) : pipeline.webp({ quality, effort: 4 });
  const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
  return { mime: format === 'jpeg' ? 'image/jpeg' : 'image/webp', width: info.width, height: info.height, bytes: data };
}

/** Member-facing text for an ImageError, with the limits filled in. */
export function imageErrorMessage(error: ImageError, language: Language, limits: Partial<ProfilePhotoLimits> = {}): string {
  const l = { ...DEFAULT_PHOTO_LIMITS, ...limits };
  return t(language, `media.${error}`, {
    maxMegabytes: Math.floor(l.maxBytes / (1024 * 1024)),
    maxSide: l.maxSide,
    maxMegapixels: Math.floor(l.maxPixels / 1_000_000),
    minSide: l.minSide,
  });
}
