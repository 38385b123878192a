import { mkdir, readFile, rm, stat, writeFile, rename } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Keyring } from '#functions/core/keyring.ts';
import { MAX_UPLOAD_BYTES } from '#shared/schemas/photo.ts';
import { PhotoRejectedError } from './photo-pipeline.ts';
import { photoKeys, type PhotoRef, type PhotoStore, type UploadTarget } from './photo-store.ts';

/** What the local upload route was promised by a signed upload URL. */
export type UploadGrant = PhotoRef & { contentType: string; bytes: number };

/** The local store plus what its two routes need: checking signatures and reading files. */
export interface LocalPhotoStore extends PhotoStore {
  /** The grant of a signed upload URL's query, or undefined if it is forged, edited or expired. */
  verifyUpload(photoId: string, query: Record<string, string | undefined>): UploadGrant | undefined;
  /** The file behind a signed file URL, or undefined if the signature is bad or expired or the file is gone. */
  readSigned(key: string, query: Record<string, string | undefined>): Promise<Buffer | undefined>;
}

const FILE_URL_SECONDS = 3600;

/**
 * Photos on a laptop: files under `dir`, served back through signed, expiring URLs on the
 * API (`PUT <apiBase>/uploads/<photoId>?…&sig=`, `GET <apiBase>/files/<key>?exp=&sig=`), the
 * same contract as S3's presigned URLs. Signatures use the keyring's cursor key with a
 * purpose prefix, so a signed upload can never pass as a cursor or the other way round.
 */
export function createLocalPhotoStore(opts: { dir: string; keyring: Keyring; apiBase: string; now?: () => number }): LocalPhotoStore {
  const root = resolve(opts.dir);
  const now = opts.now ?? Date.now;
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`Key outside the photo folder: ${key}`);
    return path;
  };
  const uploadPayload = (g: UploadGrant, exp: number) => `photo-upload|${g.productId}|${g.photoId}|${g.contentType}|${g.bytes}|${exp}`;
  const filePayload = (key: string, exp: number) => `photo-file|${key}|${exp}`;

  async function write(key: string, data: Buffer) {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
  }

  return {
    async uploadTarget(key, file, expiresInSeconds): Promise<UploadTarget> {
      const ref = photoKeys.parseUpload(key);
      if (!ref) throw new Error(`Not an upload key: ${key}`);
      const exp = Math.floor(now() / 1000) + expiresInSeconds;
      const grant = { ...ref, contentType: file.contentType, bytes: file.bytes };
      const query = new URLSearchParams({ product: ref.productId, type: file.contentType, size: String(file.bytes), exp: String(exp), sig: opts.keyring.sign(uploadPayload(grant, exp)) });
      return {
        url: `${opts.apiBase}/uploads/${ref.photoId}?${query}`,
        method: 'PUT',
        headers: { 'content-type': file.contentType, 'content-length': String(file.bytes) },
        expiresAt: new Date(exp * 1000).toISOString(),
      };
    },
    verifyUpload(photoId, q) {
      const exp = Number(q.exp);
      const bytes = Number(q.size);
      if (!q.product || !q.type || !q.sig || !Number.isInteger(exp) || !Number.isInteger(bytes)) return undefined;
      const grant = { productId: q.product, photoId, contentType: q.type, bytes };
      if (!photoKeys.parseUpload(photoKeys.upload(grant))) return undefined;
      if (!opts.keyring.verify(uploadPayload(grant, exp), q.sig) || exp * 1000 < now()) return undefined;
      return grant;
    },
    async readSigned(key, q) {
      const exp = Number(q.exp);
      if (!q.sig || !Number.isInteger(exp) || !opts.keyring.verify(filePayload(key, exp), q.sig) || exp * 1000 < now()) return undefined;
      return readFile(pathOf(key)).catch(() => undefined);
    },
    putUpload: (key, data) => write(key, data),
    async getUpload(key) {
      const info = await stat(pathOf(key)).catch(() => undefined);
      if (!info) return undefined;
      if (info.size > MAX_UPLOAD_BYTES) throw new PhotoRejectedError('TOO_LARGE_BYTES', `The file is larger than ${MAX_UPLOAD_BYTES} bytes`);
      return readFile(pathOf(key));
    },
    putVariant: (key, data) => write(key, data),
    async delete(prefix) {
      if (prefix.endsWith('/')) await rm(pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
      else await rm(pathOf(prefix), { force: true });
    },
    async url(key) {
      pathOf(key);
      const exp = Math.floor(now() / 1000) + FILE_URL_SECONDS;
      return `${opts.apiBase}/files/${key}?${new URLSearchParams({ exp: String(exp), sig: opts.keyring.sign(filePayload(key, exp)) })}`;
    },
  };
}

export const localPhotoDir = (dataDir: string) => join(dataDir, 'photos');
