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
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return file;
    // JPEG has no transparency: transparent pixels become white (as the server's own re-encoding does).
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    return blob ?? file;
  } finally {
    bitmap.close();
  }
}
