/**
 * Shrinks a photo the member picked, in the browser, before it is uploaded: EXIF orientation applied,
 * longest side at most `maxSide`, re-encoded as JPEG from the pixels — so no metadata (GPS position,
 * camera serial, capture time) goes with it. Where the browser cannot decode the file (an unsupported
 * format, a damaged or non-image file) the file goes as it is and the server answers with its own
 * localized error; the server checks and cleans every upload either way.
 */
export async function shrinkImageForUpload(file: Blob, maxSide: number, quality = 0.9): Promise<Blob> {
  if (typeof createImageBitmap !== 'function') return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return file;
  }
  try {
    return (await encodeShrunk(bitmap, bitmap.width, bitmap.height, maxSide, quality)) ?? file;
  } finally {
    bitmap.close();
  }
}

/**
 * Draws an image (a decoded file, a video frame) at ≤ `maxSide` on its longest side and encodes it as
 * a JPEG from the pixels, with no metadata; null where the browser cannot.
 */
export async function encodeShrunk(source: CanvasImageSource, width: number, height: number, maxSide: number, quality = 0.9): Promise<Blob | null> {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  if (!context) return null;
  // JPEG has no transparency: transparent pixels become white (as the server's own re-encoding does).
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}
