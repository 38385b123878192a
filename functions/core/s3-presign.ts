import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** Where and how a client sends one file: one PUT with exactly these headers, before `expiresAt`. */
export type UploadTarget = { url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string };

/**
 * A presigned S3 PUT of one object that binds the key, the exact Content-Length and the
 * Content-Type: a file of another size or type fails S3's signature check, so the declared
 * size is the largest the object can be. The client (photos, import files) uploads straight
 * to S3, never through the API. The client must not add flexible checksums (see
 * `createS3Client`), or the URL's signature no longer matches.
 */
export async function presignPut(client: S3Client, object: { bucket: string; key: string; contentType: string; bytes: number }, expiresInSeconds: number): Promise<UploadTarget> {
  const command = new PutObjectCommand({ Bucket: object.bucket, Key: object.key, ContentType: object.contentType, ContentLength: object.bytes });
  const url = await getSignedUrl(client, command, { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) });
  return {
    url,
    method: 'PUT',
    headers: { 'content-type': object.contentType, 'content-length': String(object.bytes) },
    expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
  };
}
