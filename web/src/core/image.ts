/** Photos are scaled down in the browser before upload: phones on rural networks should not send 8 MB originals. */

export const MAX_LONG_EDGE = 2000;

/** The size that fits `maxEdge` on the long edge, keeping the aspect ratio; never enlarges. */
export function fitLongEdge(width: number, height: number, maxEdge = MAX_LONG_EDGE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxEdge) return { width, height };
  const scale = maxEdge / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes a photo (EXIF orientation applied), scales it to `maxEdge` and re-encodes it as JPEG.
 * Re-encoding also drops the metadata, including the GPS position the phone wrote.
 */
export async function downscale(file: Blob, maxEdge = MAX_LONG_EDGE, quality = 0.85): Promise<{ blob: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const size = fitLongEdge(bitmap.width, bitmap.height, maxEdge);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality));
    return { blob, ...size };
  } finally {
    bitmap.close();
  }
}

/** A file the browser cannot decode as an image. */
export class UnreadablePhotoError extends Error {
  constructor() {
    super('The photo could not be read');
    this.name = 'UnreadablePhotoError';
  }
}

/**
 * The photo to send, scaled down here. A file the browser cannot decode is refused at once with
 * `UnreadablePhotoError` rather than sent: it is no photo, or a HEIC that neither this browser nor
 * the server's pipeline (whose prebuilt sharp reads no HEVC) can read — megabytes sent over a
 * rural connection only to be refused.
 */
export async function preparePhoto(file: File): Promise<Blob> {
  try {
    return (await downscale(file)).blob;
  } catch {
    throw new UnreadablePhotoError();
  }
}
