import { createRoute, z } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { IdSchema } from '#shared/schemas/common.ts';
import { MAX_UPLOAD_BYTES, PhotoOrderSchema, PhotoSchema, PhotoUploadRequestSchema, PhotoUploadTargetSchema } from '#shared/schemas/photo.ts';
import { AppError, ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from '#functions/core/errors.ts';
import type { LocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import type { CompleteUpload, PhotoService } from '#functions/photos/photo-service.ts';
import { photoKeys } from '#functions/photos/photo-store.ts';
import { IdParamsSchema, WriteHeadersSchema, bearer, jsonBodyOf, jsonResponse, problemResponses, writeContext, type AppEnv, type Router } from '../app-env.ts';

const PhotoParamsSchema = z.object({ id: IdSchema, photoId: IdSchema });
const PhotoListSchema = z.object({ items: z.array(PhotoSchema) });

/**
 * Product photos: `/products/{id}/photos…`. The file itself never passes through these
 * routes: POST answers where to PUT it (S3 presigned URL in the cloud, the local upload route
 * on a laptop); processing then makes the variants and the photo turns `ready` or `rejected`.
 */
export function registerPhotoRoutes(app: Router, deps: { photos: PhotoService }) {
  const { photos } = deps;
  const common = { tags: ['Photos'], security: bearer };

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/products/{id}/photos',
      summary: 'Start a photo upload: answers where to PUT the file',
      description: `PUT the file to \`uploadUrl\` with exactly \`headers\` before \`expiresAt\`. At most ${MAX_UPLOAD_BYTES} bytes; JPEG, PNG, WebP or HEIF. The photo is \`processing\` until the file is checked and its variants are made.`,
      request: { params: IdParamsSchema, headers: WriteHeadersSchema, body: jsonBodyOf(PhotoUploadRequestSchema) },
      responses: { 201: jsonResponse(PhotoUploadTargetSchema, 'Upload target'), ...problemResponses },
    }),
    async (c) => c.json(await photos.requestUpload(writeContext(c), c.req.valid('param').id, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/products/{id}/photos',
      summary: 'Photos of a product, in display order, with their variants',
      request: { params: IdParamsSchema },
      responses: { 200: jsonResponse(PhotoListSchema, 'Photos (rejected ones last, with their reason)'), ...problemResponses },
    }),
    async (c) => c.json({ items: await photos.list(c.get('principal'), c.req.valid('param').id) }, 200),
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/products/{id}/photos/{photoId}',
      summary: 'Delete a photo and its files',
      request: { params: PhotoParamsSchema, headers: WriteHeadersSchema },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }),
    async (c) => {
      const { id, photoId } = c.req.valid('param');
      await photos.remove(writeContext(c), id, photoId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'put',
      path: '/products/{id}/photos/order',
      summary: 'Set the display order of a product’s photos',
      request: { params: IdParamsSchema, headers: WriteHeadersSchema, body: jsonBodyOf(PhotoOrderSchema) },
      responses: { 200: jsonResponse(PhotoListSchema, 'Photos in their new order'), ...problemResponses },
    }),
    async (c) => c.json({ items: await photos.reorder(writeContext(c), c.req.valid('param').id, c.req.valid('json').photoIds) }, 200),
  );
}

const fileTypes: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Reads at most `limit` bytes of a body; undefined if it is longer. */
async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

/**
 * The laptop's stand-in for S3's presigned URLs, on `<apiBase>/uploads/{photoId}` (PUT, raw
 * body) and `<apiBase>/files/<key>` (GET). Authorised by their signed query, not by a bearer
 * token, and their bodies are not JSON: register them on the outer app BEFORE the API router
 * is mounted, so the API's JSON-body, sign-in and idempotency middleware never see them.
 * Never registered in the cloud.
 */
export function registerLocalPhotoFileRoutes(app: Hono<AppEnv>, deps: { apiBase: string; files: LocalPhotoStore; completeUpload: CompleteUpload }) {
  const { files, completeUpload } = deps;

  app.put(`${deps.apiBase}/uploads/:photoId`, async (c) => {
    const grant = files.verifyUpload(c.req.param('photoId'), c.req.query());
    if (!grant) throw new ForbiddenError('The upload link is not valid or has expired; ask for a new one');
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > MAX_UPLOAD_BYTES) throw new PayloadTooLargeError(MAX_UPLOAD_BYTES);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== grant.contentType || declared !== grant.bytes) {
      throw new ForbiddenError(`Send the file with the content-type (${grant.contentType}) and content-length (${grant.bytes}) it was announced with`);
    }
    const data = await readCapped(c.req.raw.body, grant.bytes);
    if (!data || data.length !== grant.bytes) throw new ValidationError([{ path: '(body)', message: `the body must be exactly ${grant.bytes} bytes` }]);
    const ref = { productId: grant.productId, photoId: grant.photoId };
    await files.putUpload(photoKeys.upload(ref), data, grant.contentType);
    const photo = await completeUpload(ref, data);
    if (!photo) throw new NotFoundError('Photo');
    if (photo.status === 'rejected') {
      throw new AppError(422, 'VALIDATION_FAILED', photo.message ?? 'The photo was refused', { reason: photo.reason, errors: [{ path: '(body)', message: photo.message ?? 'refused' }] });
    }
    return c.json({ photoId: photo.id, status: photo.status }, 200);
  });

  app.get(`${deps.apiBase}/files/*`, async (c) => {
    let key: string;
    try {
      key = decodeURIComponent(c.req.path.slice(`${deps.apiBase}/files/`.length));
    } catch {
      throw new NotFoundError('File'); // a malformed %-escape names no file
    }
    const data = await files.readSigned(key, c.req.query());
    if (!data) throw new NotFoundError('File');
    const type = fileTypes[key.slice(key.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    return c.body(new Uint8Array(data), 200, { 'content-type': type, 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' });
  });
}
