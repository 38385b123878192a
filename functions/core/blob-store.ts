import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { presignPut, type UploadTarget } from './s3-presign.ts';

/** Files the server keeps for itself (import sources and results): a folder locally, S3 in the cloud. */
export interface BlobStore {
  put(key: string, data: Uint8Array, contentType?: string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  /** The object's size in bytes without reading it, or undefined if there is none. */
  size(key: string): Promise<number | undefined>;
  /** Removes the object (nothing happens if there is none). */
  delete(key: string): Promise<void>;
  /**
   * Where a client sends a file straight into the store under `key` (one PUT of exactly `bytes`
   * bytes of `contentType`), or undefined when the store takes no direct uploads (the local
   * folder: the API's own route takes the file).
   */
  uploadTarget(key: string, file: { contentType: string; bytes: number }, expiresInSeconds: number): Promise<UploadTarget | undefined>;
}

export function createLocalBlobStore(dir: string): BlobStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`Key outside the store: ${key}`);
    return path;
  };
  return {
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, path);
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async size(key) {
      return (await stat(pathOf(key)).catch(() => undefined))?.size;
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    uploadTarget: async () => undefined,
  };
}

/** Import files in the files bucket; browsers upload a spreadsheet straight into it through `uploadTarget` (a presigned PUT). */
export function createS3BlobStore(client: S3Client, bucket: string): BlobStore {
  return {
    async put(key, data, contentType = 'application/octet-stream') {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentType: contentType, ServerSideEncryption: 'AES256' }));
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (e) {
        if (e instanceof NoSuchKey) return undefined;
        throw e;
      }
    },
    async size(key) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
      } catch (e) {
        if (e instanceof NotFound || e instanceof NoSuchKey) return undefined;
        throw e;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    uploadTarget: (key, file, expiresInSeconds) => presignPut(client, { bucket, key, ...file }, expiresInSeconds),
  };
}
