import type { UploadTarget } from '#functions/core/s3-presign.ts';

/**
 * Where photo files live: S3 in the cloud (`s3-photo-store.ts`), a folder on a laptop
 * (`local-photo-store.ts`). The service sees only this interface.
 *
 * Keys:
 * - `uploads/<productId>/<photoId>` — the original as uploaded; deleted once processed (it
 *   carries the phone's GPS position), and by the bucket lifecycle if it never is;
 * - `variants/<productId>/<photoId>/<name>.<ext>` — the processed variants, metadata-free.
 */
export interface PhotoStore {
  /** Where and how the client sends the original: one PUT of exactly `bytes` bytes of `contentType`, before `expiresAt`. */
  uploadTarget(key: string, file: { contentType: string; bytes: number }, expiresInSeconds: number): Promise<UploadTarget>;
  /** Stores an original (the local upload route; tests). */
  putUpload(key: string, data: Buffer, contentType: string): Promise<void>;
  /**
   * The original, or undefined if nothing was uploaded under the key.
   * @throws PhotoRejectedError TOO_LARGE_BYTES when the object is over MAX_UPLOAD_BYTES, without reading it.
   */
  getUpload(key: string): Promise<Buffer | undefined>;
  putVariant(key: string, data: Buffer, contentType: string): Promise<void>;
  /** A prefix ending in `/` deletes every object under it; any other key deletes that one object. Absent objects are no error. */
  delete(prefix: string): Promise<void>;
  /** A time-limited URL a browser can GET the object from. */
  url(key: string): Promise<string>;
}

export type { UploadTarget };

/** The photo a store key belongs to. */
export type PhotoRef = { productId: string; photoId: string };

const id = '[0-9A-HJKMNP-TV-Z]{26}';
const uploadKeyPattern = new RegExp(`^uploads/(${id})/(${id})$`);

export const photoKeys = {
  upload: (r: PhotoRef) => `uploads/${r.productId}/${r.photoId}`,
  variantPrefix: (r: PhotoRef) => `variants/${r.productId}/${r.photoId}/`,
  variant: (r: PhotoRef, name: string, format: string) => `variants/${r.productId}/${r.photoId}/${name}.${format === 'jpeg' ? 'jpg' : format}`,
  /** The photo of an upload key, or undefined for any other key. */
  parseUpload(key: string): PhotoRef | undefined {
    const m = uploadKeyPattern.exec(key);
    return m ? { productId: m[1]!, photoId: m[2]! } : undefined;
  },
};

export const contentTypeOf: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
