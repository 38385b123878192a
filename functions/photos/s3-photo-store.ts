import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignPut } from '#functions/core/s3-presign.ts';
import { MAX_UPLOAD_BYTES } from '#shared/schemas/photo.ts';
import { PhotoRejectedError } from './photo-pipeline.ts';
import type { PhotoStore, UploadTarget } from './photo-store.ts';

const FILE_URL_SECONDS = 3600;

/**
 * The S3 client for photos. Checksums only when an operation requires them: a default CRC32
 * on PutObject would be baked into presigned URLs and make every browser upload fail.
 */
export function createS3Client(opts: { region: string; endpoint?: string }): S3Client {
  return new S3Client({ region: opts.region, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}) });
}

/**
 * Photos in the private photo bucket. The browser uploads straight to S3 with a presigned PUT
 * that binds the key, the exact Content-Length and the Content-Type (a different size or type
 * fails S3's signature check), so originals never pass through the API; S3's ObjectCreated
 * event on `uploads/` then runs the pipeline in the photo Lambda. Variants are read through
 * presigned GETs.
 */
export function createS3PhotoStore(opts: { client: S3Client; bucket: string }): PhotoStore {
  const { client, bucket: Bucket } = opts;
  return {
    uploadTarget: (key, file, expiresInSeconds): Promise<UploadTarget> => presignPut(client, { bucket: Bucket, key, ...file }, expiresInSeconds),
    async putUpload(key, data, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: data, ContentType: contentType }));
    },
    async getUpload(key) {
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
      if ((out.ContentLength ?? 0) > MAX_UPLOAD_BYTES) {
        out.Body?.transformToWebStream().cancel().catch(() => undefined);
        throw new PhotoRejectedError('TOO_LARGE_BYTES', `The file is larger than ${MAX_UPLOAD_BYTES} bytes`);
      }
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    async putVariant(key, data, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: data, ContentType: contentType, CacheControl: 'private, max-age=31536000, immutable' }));
    },
    async delete(prefix) {
      if (!prefix.endsWith('/')) {
        await client.send(new DeleteObjectCommand({ Bucket, Key: prefix }));
        return;
      }
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    url: (key) => getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: FILE_URL_SECONDS }),
  };
}
