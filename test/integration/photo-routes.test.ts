import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_BASE } from '#functions/api/app.ts';
import { createRouter, type AppEnv } from '#functions/api/app-env.ts';
import { requireAuth } from '#functions/api/middleware/auth.ts';
import { handleError, notFound } from '#functions/api/middleware/errors.ts';
import { idempotency } from '#functions/api/middleware/idempotency.ts';
import { jsonBody } from '#functions/api/middleware/request-body.ts';
import { registerLocalPhotoFileRoutes, registerPhotoRoutes } from '#functions/api/routes/photo-routes.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { loadOrCreateLocalKeys } from '#functions/local/local-keys.ts';
import { createLocalPhotoStore, localPhotoDir, type LocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { createPhotoRepository } from '#functions/photos/photo-repository.ts';
import { createPhotoProcessor, createPhotoService, type PhotoService } from '#functions/photos/photo-service.ts';
import { createCommitter } from '#functions/services/write-context.ts';
import { MAX_UPLOAD_BYTES } from '#shared/schemas/photo.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';
import { compressiblePng, jpegWithGpsAndProfiles } from '#test/fixtures/photos/photo-fixtures.ts';

let api: Api;
let photos: PhotoService;
let files: LocalPhotoStore;
let app: Hono<AppEnv>;
let photoDir: string;
let jpeg: Buffer;

/** The API app with the photo routes wired the way app.ts is to wire them. */
function photoApp(): Hono<AppEnv> {
  const services = api.local.services;
  const router = createRouter();
  router.use('*', jsonBody());
  const auth = requireAuth(services.verify, services.principals);
  router.use('*', auth);
  router.use('*', idempotency(services.idempotency, { fingerprint: services.requestFingerprint }));
  registerPhotoRoutes(router, { photos });
  const outer = new Hono<AppEnv>();
  registerLocalPhotoFileRoutes(outer, { apiBase: API_BASE, files, completeUpload: photos.completeUpload });
  outer.route(API_BASE, router);
  outer.onError(handleError);
  outer.notFound(notFound);
  return outer;
}

async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer } = {}) {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  } else if (opts.raw) body = new Uint8Array(opts.raw);
  const res = await app.request(path.startsWith(API_BASE) ? path : `${API_BASE}${path}`, { method, headers, body });
  const buffer = Buffer.from(await res.arrayBuffer());
  let json: any = null;
  try {
    json = buffer.length ? JSON.parse(buffer.toString('utf8')) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json, raw: buffer, headers: res.headers };
}

async function newProduct(communeCode = '15772'): Promise<string> {
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode }) });
  const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
  expect(product.status).toBe(201);
  return product.body.id as string;
}

async function upload(productId: string, data: Buffer, contentType = 'image/jpeg', token = api.adminToken) {
  const target = await call('POST', `/products/${productId}/photos`, { token, body: { contentType, bytes: data.length } });
  expect(target.status).toBe(201);
  const put = await call('PUT', target.body.uploadUrl, { headers: target.body.headers, raw: data });
  return { target: target.body, put };
}

async function filesOf(productId: string, photoId: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [join(photoDir, 'uploads', productId), join(photoDir, 'variants', productId, photoId)]) {
    if (!existsSync(dir)) continue;
    for (const f of await readdir(dir)) if (dir.endsWith(photoId) || f.startsWith(photoId)) found.push(join(dir, f));
  }
  return found;
}

beforeAll(async () => {
  api = await createTestApi();
  const keys = await loadOrCreateLocalKeys(api.dataDir);
  photoDir = localPhotoDir(api.dataDir);
  files = createLocalPhotoStore({ dir: photoDir, keyring: createKeyring(keys.secret), apiBase: API_BASE });
  const repos = api.local.repositories;
  photos = createPhotoService({
    photos: createPhotoRepository(api.local.table),
    store: files,
    audit: repos.audit,
    commit: createCommitter(api.local.table, repos.idempotency),
    getProduct: (principal, id) => api.local.services.products.getVisible(principal, id),
  });
  app = photoApp();
  jpeg = await jpegWithGpsAndProfiles(1600, 1200);
});

describe('photo upload and processing', () => {
  it('refreshes the product again when an event arrives for a photo whose first refresh failed', async () => {
    const productId = await newProduct();
    const target = await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } });
    const ref = { productId, photoId: target.body.photoId as string };
    const refreshed: string[] = [];
    const process = createPhotoProcessor({
      photos: createPhotoRepository(api.local.table),
      store: files,
      onPhotosChanged: async (id) => {
        refreshed.push(id);
        if (refreshed.length === 1) throw new Error('the store was busy');
      },
    });
    await expect(process(ref, jpeg)).rejects.toThrow('busy');
    // S3 delivers the event again (the Lambda failed): the photo is ready already, the product still needs its refresh.
    expect(await process(ref, jpeg)).toMatchObject({ status: 'ready' });
    expect(refreshed).toEqual([productId, productId]);
  });

  it('turns an upload into ready variants a browser can fetch, without GPS, and deletes the original', async () => {
    const productId = await newProduct();
    const { target, put } = await upload(productId, jpeg);
    expect(target).toMatchObject({ method: 'PUT', headers: { 'content-type': 'image/jpeg', 'content-length': String(jpeg.length) } });
    expect(target.uploadUrl).toMatch(new RegExp(`^${API_BASE}/uploads/${target.photoId}\\?`));
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ photoId: target.photoId, status: 'ready' });

    const list = await call('GET', `/products/${productId}/photos`, { token: api.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const photo = list.body.items[0];
    expect(photo).toMatchObject({ id: target.photoId, status: 'ready', order: 1, source: { format: 'jpeg', width: 1600, height: 1200, bytes: jpeg.length } });
    expect(photo.variants.map((v: { name: string }) => v.name)).toEqual(['fit-1200', 'square-1024', 'square-1200', 'thumb-320']);
    for (const v of photo.variants) {
      const file = await call('GET', v.url);
      expect(file.status, v.name).toBe(200);
      expect(file.headers.get('content-type')).toBe(v.format === 'webp' ? 'image/webp' : 'image/jpeg');
      expect(file.raw.length).toBe(v.bytes);
      const meta = await sharp(file.raw).metadata();
      expect([meta.width, meta.height, meta.exif, meta.icc]).toEqual([v.width, v.height, undefined, undefined]);
    }
    expect(existsSync(join(photoDir, 'uploads', productId, target.photoId))).toBe(false);
  });

  it('keeps the photo in the product’s partition under PHOTO#<id>', async () => {
    const productId = await newProduct();
    const { target } = await upload(productId, jpeg);
    const item = (await api.local.table.doc.send(new GetCommand({ TableName: api.tableName, Key: { PK: `P#38#PRODUCT#${productId}`, SK: `PHOTO#${target.photoId}` } }))).Item;
    expect(item).toMatchObject({ type: 'photo', status: 'ready', productId });
    expect(item!.expiresAt).toBeUndefined();
  });

  it('records the added photo in the product’s audit trail', async () => {
    const productId = await newProduct();
    const { target } = await upload(productId, jpeg);
    const events = await api.call('GET', `/products/${productId}/events`, { token: api.adminToken });
    expect(events.body.items[0]).toMatchObject({ action: 'update', before: { photos: [] }, after: { photos: [target.photoId] } });
  });

  it('answers a retried upload request with the same photo', async () => {
    const productId = await newProduct();
    const headers = { 'idempotency-key': `photo-${productId}` };
    const body = { contentType: 'image/jpeg', bytes: jpeg.length };
    const first = await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body, headers });
    const second = await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body, headers });
    expect(second.body.photoId).toBe(first.body.photoId);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('processes a duplicate completion (S3 delivers events at least once) only once', async () => {
    const productId = await newProduct();
    const { target } = await upload(productId, jpeg);
    const before = await photos.list({ sub: 'x', username: 'x', role: 'admin', communes: [] }, productId);
    const again = await photos.completeUpload({ productId, photoId: target.photoId });
    expect(again).toMatchObject({ status: 'ready', updatedAt: before[0]!.updatedAt });
  });
});

describe('refused uploads', () => {
  it.each([
    ['a text file named .jpg', () => Buffer.from('just some text, not a photo'), 'image/jpeg', 'NOT_AN_IMAGE'],
    ['a 20000×20000 PNG bomb', () => compressiblePng(20_000), 'image/png', 'TOO_MANY_PIXELS'],
  ])('refuses %s with a 422 and its reason, and stores no file', async (_name, make, contentType, reason) => {
    const productId = await newProduct();
    const data = make();
    const { target, put } = await upload(productId, data, contentType);
    expect(put.status).toBe(422);
    expect(put.headers.get('content-type')).toBe('application/problem+json');
    expect(put.body).toMatchObject({ reason });
    const list = await call('GET', `/products/${productId}/photos`, { token: api.adminToken });
    expect(list.body.items).toEqual([expect.objectContaining({ id: target.photoId, status: 'rejected', reason, variants: [] })]);
    expect(await filesOf(productId, target.photoId)).toEqual([]);
    // Deleting the refused upload says so in the product's trail (it was never among its photos).
    expect((await call('DELETE', `/products/${productId}/photos/${target.photoId}`, { token: api.adminToken })).status).toBe(204);
    const [latest] = (await api.call('GET', `/products/${productId}/events?limit=1`, { token: api.adminToken })).body.items;
    expect(latest).toMatchObject({ action: 'update', before: { rejectedPhotos: [target.photoId] }, after: { rejectedPhotos: [] } });
  });

  it('refuses to issue an upload for more than MAX_UPLOAD_BYTES or a type that is not a photo', async () => {
    const productId = await newProduct();
    const big = await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: MAX_UPLOAD_BYTES + 1 } });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].path).toBe('bytes');
    const gif = await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/gif', bytes: 100 } });
    expect(gif.status).toBe(400);
  });

  it('answers 404 for a file link with a malformed escape, not 500', async () => {
    const res = await api.app.request('/api/v1/files/%ZZ.jpg?sig=x');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('problem+json');
  });

  it('refuses an upload whose signature was edited, or sent with another type or size', async () => {
    const productId = await newProduct();
    const target = (await call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } })).body;
    const forged = target.uploadUrl.replace(/size=\d+/, `size=${jpeg.length + 1}`);
    expect((await call('PUT', forged, { headers: { ...target.headers, 'content-length': String(jpeg.length + 1) }, raw: Buffer.concat([jpeg, Buffer.alloc(1)]) })).status).toBe(403);
    expect((await call('PUT', target.uploadUrl, { headers: { ...target.headers, 'content-type': 'image/png' }, raw: jpeg })).status).toBe(403);
    const shorter = jpeg.subarray(0, jpeg.length - 10);
    expect((await call('PUT', target.uploadUrl, { headers: { ...target.headers, 'content-length': String(shorter.length) }, raw: shorter })).status).toBe(403);
    const list = await call('GET', `/products/${productId}/photos`, { token: api.adminToken });
    expect(list.body.items[0].status).toBe('processing');
  });

  it('serves no file for an edited file signature', async () => {
    const productId = await newProduct();
    await upload(productId, jpeg);
    const url: string = (await call('GET', `/products/${productId}/photos`, { token: api.adminToken })).body.items[0].variants[0].url;
    expect((await call('GET', url.replace('fit-1200', 'square-1024'))).status).toBe(404);
  });
});

describe('scope', () => {
  it('hides another commune’s product photos from an officer and lets the department read but not write', async () => {
    const productId = await newProduct('15772');
    await upload(productId, jpeg);
    const stranger = await api.userToken({ role: 'officer', communes: ['14758'] });
    expect((await call('GET', `/products/${productId}/photos`, { token: stranger })).status).toBe(404);
    expect((await call('POST', `/products/${productId}/photos`, { token: stranger, body: { contentType: 'image/jpeg', bytes: 10 } })).status).toBe(404);
    const department = await api.userToken({ role: 'department' });
    expect((await call('GET', `/products/${productId}/photos`, { token: department })).status).toBe(200);
    expect((await call('POST', `/products/${productId}/photos`, { token: department, body: { contentType: 'image/jpeg', bytes: 10 } })).status).toBe(403);
    const officer = await api.userToken({ role: 'officer', communes: ['15772'] });
    const { put } = await upload(productId, jpeg, 'image/jpeg', officer);
    expect(put.status).toBe(200);
  });

  it('needs a token for the photo routes', async () => {
    const productId = await newProduct();
    expect((await call('GET', `/products/${productId}/photos`)).status).toBe(401);
  });
});

describe('remove and reorder', () => {
  it('deletes a photo with its files, and answers 404 for one that is not there', async () => {
    const productId = await newProduct();
    const { target } = await upload(productId, jpeg);
    expect((await filesOf(productId, target.photoId)).length).toBe(4);
    expect((await call('DELETE', `/products/${productId}/photos/${target.photoId}`, { token: api.adminToken })).status).toBe(204);
    expect(await filesOf(productId, target.photoId)).toEqual([]);
    expect((await call('GET', `/products/${productId}/photos`, { token: api.adminToken })).body.items).toEqual([]);
    expect((await call('DELETE', `/products/${productId}/photos/${target.photoId}`, { token: api.adminToken })).status).toBe(404);
  });

  it('purges every photo and file of a deleted product', async () => {
    const productId = await newProduct();
    const a = (await upload(productId, jpeg)).target.photoId;
    const b = (await upload(productId, Buffer.from('not a photo'))).target.photoId;
    expect(await photos.purgeProduct(productId)).toBe(2);
    expect(await filesOf(productId, a)).toEqual([]);
    expect(await filesOf(productId, b)).toEqual([]);
    expect((await call('GET', `/products/${productId}/photos`, { token: api.adminToken })).body.items).toEqual([]);
  });

  it('reorders the photos and refuses a list that is not exactly the product’s photos', async () => {
    const productId = await newProduct();
    const a = (await upload(productId, jpeg)).target.photoId;
    const b = (await upload(productId, jpeg)).target.photoId;
    const c = (await upload(productId, jpeg)).target.photoId;
    const res = await call('PUT', `/products/${productId}/photos/order`, { token: api.adminToken, body: { photoIds: [c, a, b] } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([c, a, b]);
    const list = await call('GET', `/products/${productId}/photos`, { token: api.adminToken });
    expect(list.body.items.map((p: { id: string; order: number }) => [p.id, p.order])).toEqual([
      [c, 1],
      [a, 2],
      [b, 3],
    ]);
    expect((await call('PUT', `/products/${productId}/photos/order`, { token: api.adminToken, body: { photoIds: [c, a] } })).status).toBe(400);
    expect((await call('PUT', `/products/${productId}/photos/order`, { token: api.adminToken, body: { photoIds: [c, a, a] } })).status).toBe(400);
  });

  it('answers a retried reorder with the same photo list as the first answer', async () => {
    const productId = await newProduct();
    const a = (await upload(productId, jpeg)).target.photoId;
    const b = (await upload(productId, jpeg)).target.photoId;
    const send = () => call('PUT', `/products/${productId}/photos/order`, { token: api.adminToken, body: { photoIds: [b, a] }, headers: { 'idempotency-key': `order-${productId}` } });
    const first = await send();
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([b, a]);
    const retried = await send();
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.status).toBe(200);
    expect(retried.body.items.map((p: { id: string }) => p.id)).toEqual([b, a]);
  });
});
