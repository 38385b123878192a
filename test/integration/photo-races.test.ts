import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '#functions/core/errors.ts';
import { localPhotoDir } from '#functions/photos/local-photo-store.ts';
import { createPhotoRepository } from '#functions/photos/photo-repository.ts';
import { PENDING_PHOTO_SECONDS, createPhotoService } from '#functions/photos/photo-service.ts';
import type { Principal } from '#functions/services/principal.ts';
import { createCommitter } from '#functions/services/write-context.ts';
import { MAX_PHOTOS_PER_PRODUCT } from '#shared/schemas/photo.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';
import { jpegWithGpsAndProfiles } from '#test/fixtures/photos/photo-fixtures.ts';

// Photos under concurrency and partial failure, against DynamoDB Local and the local photo store.

let api: Api;
const admin: Principal = { sub: 'photo-races', username: 'photo-races', role: 'admin', communes: [] };
beforeAll(async () => void (api = await createTestApi()), 120_000);

const newProduct = async () => {
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
  return (await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) })).body.id as string;
};
const ask = (productId: string, bytes = 10) => api.call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes } });
const repository = () => createPhotoRepository(api.local.table);
/** The photo service as the app builds it, with some of its parts replaced. */
const service = (over: Partial<Parameters<typeof createPhotoService>[0]> = {}) =>
  createPhotoService({
    photos: repository(),
    store: api.local.photoFiles,
    audit: api.local.repositories.audit,
    commit: createCommitter(api.local.table, api.local.repositories.idempotency),
    getProduct: (p, id) => api.local.services.products.getVisible(p, id),
    ...over,
  });

describe('photos under concurrency', () => {
  it('never lets photos requested at the same moment pass the limit: the losers get 400, and the order stays settable', async () => {
    const productId = await newProduct();
    for (let i = 0; i < MAX_PHOTOS_PER_PRODUCT - 2; i++) expect((await ask(productId)).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(productId)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 400, 400, 400, 400]);
    const ids = (await api.call('GET', `/products/${productId}/photos`, { token: api.adminToken })).body.items.map((p: { id: string }) => p.id);
    expect(ids).toHaveLength(MAX_PHOTOS_PER_PRODUCT);
    expect((await api.call('PUT', `/products/${productId}/photos/order`, { token: api.adminToken, body: { photoIds: [...ids].reverse() } })).status).toBe(200);
  }, 60_000);

  it('adds no photo to a product deleted between the scope check and the write', async () => {
    const productId = await newProduct();
    const svc = service({
      getProduct: async (p, id) => {
        const product = await api.local.services.products.getVisible(p, id);
        expect((await api.call('DELETE', `/products/${productId}`, { token: api.adminToken })).status).toBe(204);
        return product;
      },
    });
    await expect(svc.requestUpload({ principal: admin }, productId, { contentType: 'image/jpeg', bytes: 10 })).rejects.toBeInstanceOf(NotFoundError);
    expect(await repository().listOfProduct(productId)).toEqual([]);
  }, 60_000);

  it('purges every photo of a deleted product even when one of a batch was deleted meanwhile', async () => {
    const productId = await newProduct();
    const ids = [(await ask(productId)).body.photoId, (await ask(productId)).body.photoId, (await ask(productId)).body.photoId];
    const photos = repository();
    const svc = service({
      photos: {
        ...photos,
        listOfProduct: async (id) => {
          const all = await photos.listOfProduct(id);
          await api.call('DELETE', `/products/${productId}/photos/${ids[0]}`, { token: api.adminToken });
          return all;
        },
      },
    });
    await svc.purgeProduct(productId);
    expect(await photos.listOfProduct(productId)).toEqual([]);
    expect(await photos.revision(productId)).toBe(0);
  }, 60_000);

  it('leaves no variant file behind when an attempt failed part-way and the photo was then deleted', async () => {
    const productId = await newProduct();
    const jpeg = await jpegWithGpsAndProfiles(1600, 1200);
    const photoId = (await ask(productId, jpeg.length)).body.photoId;
    const real = api.local.photoFiles;
    await real.putUpload(`uploads/${productId}/${photoId}`, jpeg, 'image/jpeg');
    let n = 0;
    const flaky = {
      ...real,
      putVariant: async (key: string, data: Buffer, type: string) => {
        const i = ++n;
        if (i === 2) throw new Error('S3 SlowDown');
        // A slow write still under way when another has failed.
        if (i === 1) await new Promise((r) => setTimeout(r, 600));
        return real.putVariant(key, data, type);
      },
    };
    await expect(service({ store: flaky }).completeUpload({ productId, photoId })).rejects.toThrow('SlowDown');
    expect((await api.call('DELETE', `/products/${productId}/photos/${photoId}`, { token: api.adminToken })).status).toBe(204);
    // The event redelivered after the delete.
    await service({ store: flaky }).completeUpload({ productId, photoId });
    await new Promise((r) => setTimeout(r, 800));
    expect(existsSync(join(localPhotoDir(api.dataDir), 'variants', productId, photoId))).toBe(false);
  }, 60_000);
});

describe('photos as they are now', () => {
  it('recomputes the product after a new order: the cover and the photos each marketplace takes follow it', async () => {
    const productId = await newProduct();
    const ids = [(await ask(productId)).body.photoId, (await ask(productId)).body.photoId];
    const changed: string[] = [];
    await service({ onPhotosChanged: async (id) => void changed.push(id) }).reorder({ principal: admin }, productId, [...ids].reverse());
    expect(changed).toEqual([productId]);
  }, 60_000);

  it('neither lists nor counts photos past their expiry that the TTL has not removed yet', async () => {
    const productId = await newProduct();
    for (let i = 0; i < MAX_PHOTOS_PER_PRODUCT; i++) expect((await ask(productId)).status).toBe(201);
    expect((await ask(productId)).status).toBe(400);
    const later = service({ now: () => new Date(Date.now() + (PENDING_PHOTO_SECONDS + 60) * 1000) });
    expect(await later.list(admin, productId)).toEqual([]);
    const target = await later.requestUpload({ principal: admin }, productId, { contentType: 'image/jpeg', bytes: 10 });
    expect((await later.list(admin, productId)).map((p) => p.id)).toEqual([target.photoId]);
  }, 60_000);
});

describe('a readiness refresh that did not run', () => {
  it('is made good by the reconciliation: the product’s readiness and the counters follow its photos, and the next run finds nothing', async () => {
    const commune = '14797';
    const readyIn = async () => (await api.local.services.coverageReports.report([commune], 'commune', 'shopee')).totals.productsReady;
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune, taxCode: '2801234567', confirmDistinct: true }) });
    const productId = (await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { description: 'Mô tả', unit: 'hộp', weightGrams: 500, shelfLifeDays: 180 }) })).body.id as string;
    const readyBefore = await readyIn();
    // The photo becomes ready, but the refresh that follows a photo change never runs (as when it failed).
    const jpeg = await jpegWithGpsAndProfiles(1600, 1200);
    const photoId = (await ask(productId, jpeg.length)).body.photoId;
    await api.local.photoFiles.putUpload(`uploads/${productId}/${photoId}`, jpeg, 'image/jpeg');
    await service({ onPhotosChanged: undefined }).completeUpload({ productId, photoId });
    expect((await api.call('GET', `/products/${productId}/readiness`, { token: api.adminToken })).body.marketplaces.find((m: { marketplace: string }) => m.marketplace === 'shopee').percent).toBe(100);
    expect((await api.call('GET', `/products/${productId}`, { token: api.adminToken })).body.readyMarketplaces).toEqual([]);
    expect(await readyIn()).toBe(readyBefore);

    const result = await api.local.services.coverageReports.reconcile();
    expect(result.differencesFound).toBeGreaterThan(0);
    expect(result.derivedRepaired).toBeGreaterThanOrEqual(1);
    expect(result.derivedRepairsFailed).toBe(0);
    expect(result.differences).toEqual([]);
    expect((await api.call('GET', `/products/${productId}`, { token: api.adminToken })).body.readyMarketplaces).toContain('shopee');
    expect(await readyIn()).toBe(readyBefore + 1);

    expect(await api.local.services.coverageReports.reconcile()).toMatchObject({ differences: [], differencesFound: 0, derivedRepaired: 0 });
  }, 60_000);
});
