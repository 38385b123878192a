import { marketplaces, type Marketplace } from '#shared/marketplaces.ts';
import { MAX_PHOTOS_PER_PRODUCT, type Photo, type PhotoUploadRequest, type PhotoUploadTarget } from '#shared/schemas/photo.ts';
import { NotFoundError, ValidationError, retryOnRace } from '#functions/core/errors.ts';
import { newId } from '#functions/core/ids.ts';
import { logger } from '#functions/core/logger.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import { assertMayWriteRecords, type Placement, type Principal } from '#functions/services/principal.ts';
import type { Committer, WriteContext } from '#functions/services/write-context.ts';
import { PhotoRejectedError, processPhoto } from './photo-pipeline.ts';
import type { PhotoRecord, PhotoRepository, StoredVariant } from './photo-repository.ts';
import { contentTypeOf, photoKeys, type PhotoRef, type PhotoStore } from './photo-store.ts';

/** How long an upload URL stays valid. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** A photo whose upload never arrives disappears after this (DynamoDB TTL; the bucket lifecycle removes stray files). */
export const PENDING_PHOTO_SECONDS = 2 * 24 * 3600;
/** A rejected photo is shown with its reason for this long, then goes away by itself. */
export const REJECTED_PHOTO_SECONDS = 7 * 24 * 3600;

/** The product a photo belongs to, as far as scope checks need it. Throws 404 if the caller may not see it. */
export type GetProduct = (principal: Principal, productId: string) => Promise<Placement & { id: string }>;

type ProcessorDeps = {
  photos: PhotoRepository;
  store: PhotoStore;
  registry?: readonly Marketplace[];
  now?: () => Date;
  /** Called after a photo turned ready or was removed, e.g. to recompute the product's readiness and coverage. */
  onPhotosChanged?: (productId: string) => Promise<void>;
};

/**
 * Turns an uploaded original into variants: the one function behind both the local upload
 * route (in process) and the photo Lambda (S3 ObjectCreated on `uploads/`). Idempotent: S3
 * delivers events at least once, and a photo no longer `processing` is left alone.
 */
export function createPhotoProcessor(deps: ProcessorDeps) {
  const { photos, store } = deps;
  const registry = deps.registry ?? marketplaces;
  const now = deps.now ?? (() => new Date());

  /**
   * Processes the original of `ref` (`bytes`, or read from the store). A refused photo is
   * recorded `rejected` with its reason, keeps no variant, and its upload is deleted; an
   * accepted one becomes `ready` with its variants, and its original (with GPS) is deleted.
   * @returns the photo as it ends up, or undefined if it no longer exists.
   */
  return async function completeUpload(ref: PhotoRef, bytes?: Buffer): Promise<PhotoRecord | undefined> {
    const uploadKey = photoKeys.upload(ref);
    const photo = await photos.get(ref.productId, ref.photoId, true);
    if (!photo) {
      // Deleted, or a redelivered event after an attempt that stored variants and then failed: keep no file of it.
      await Promise.all([store.delete(uploadKey), store.delete(photoKeys.variantPrefix(ref))]);
      return undefined;
    }
    if (photo.status !== 'processing') {
      await store.delete(uploadKey);
      // A redelivered event (or a retried upload) after a run that made the variants but failed to
      // refresh the product: refresh it now (idempotent), or its readiness would never count the photo.
      if (photo.status === 'ready') await deps.onPhotosChanged?.(ref.productId);
      return photo;
    }

    let result;
    try {
      const original = bytes ?? (await store.getUpload(uploadKey));
      if (!original) return photo;
      result = await processPhoto(original, registry);
    } catch (e) {
      if (!(e instanceof PhotoRejectedError)) throw e;
      await store.delete(uploadKey);
      const at = now();
      await photos.markRejected(ref.productId, ref.photoId, { reason: e.reason, message: e.message, at: at.toISOString(), expiresAt: Math.floor(at.getTime() / 1000) + REJECTED_PHOTO_SECONDS }).catch(ignoreGone);
      logger.info('photo rejected', { productId: ref.productId, photoId: ref.photoId, reason: e.reason });
      return photos.get(ref.productId, ref.photoId, true);
    }

    // Every write settles before a failure is passed on: a retry then never races a write still under way.
    const stored = await Promise.allSettled(
      result.variants.map(async (v): Promise<StoredVariant> => {
        const key = photoKeys.variant(ref, v.name, v.format);
        await store.putVariant(key, v.data, contentTypeOf[v.format]!);
        return { name: v.name, purpose: v.purpose, format: v.format, width: v.width, height: v.height, bytes: v.bytes, marketplaces: v.marketplaces, key };
      }),
    );
    const failed = stored.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    const variants = stored.map((o) => (o as PromiseFulfilledResult<StoredVariant>).value);
    let changed = true;
    try {
      await photos.markReady(ref.productId, ref.photoId, { source: result.source, variants, at: now().toISOString() });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      changed = false;
      // Deleted while we worked (or finished by a duplicate event): keep no orphan files.
      const current = await photos.get(ref.productId, ref.photoId, true);
      if (!current) await store.delete(photoKeys.variantPrefix(ref));
    }
    await store.delete(uploadKey);
    if (changed) await deps.onPhotosChanged?.(ref.productId);
    return photos.get(ref.productId, ref.photoId, true);
  };
}
export type CompleteUpload = ReturnType<typeof createPhotoProcessor>;

/** The actor of clean-up writes no user asked for directly; they carry no idempotency key. */
const systemPrincipal: Principal = { sub: 'system', username: 'system', role: 'admin', communes: [] };

function ignoreGone(e: unknown) {
  if (!(e instanceof NotFoundError)) throw e;
}

/**
 * Product photos: upload targets, processing, listing, removal and order. Scope is the
 * product's: whoever may see the product sees its photos; whoever may write records and see
 * it may change them (department is read-only).
 */
export function createPhotoService(deps: ProcessorDeps & { audit: AuditRepository; commit: Committer; getProduct: GetProduct }) {
  const { photos, store, audit, commit, getProduct } = deps;
  const now = deps.now ?? (() => new Date());
  const completeUpload = createPhotoProcessor(deps);

  async function view(r: PhotoRecord): Promise<Photo> {
    return {
      id: r.id,
      productId: r.productId,
      status: r.status,
      ...(r.reason ? { reason: r.reason, message: r.message } : {}),
      order: r.order,
      ...(r.source ? { source: r.source } : {}),
      variants: await Promise.all(r.variants.map(async ({ key, ...v }) => ({ ...v, url: await store.url(key) }))),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  const byOrder = (a: PhotoRecord, b: PhotoRecord) => a.order - b.order || a.id.localeCompare(b.id);
  const activeIds = (all: PhotoRecord[]) => all.filter((p) => p.status !== 'rejected').sort(byOrder).map((p) => p.id);
  /** The product's photos, without those past their `expiresAt` that DynamoDB's TTL has not removed yet (it can take days). */
  const currentPhotos = async (productId: string) => {
    const seconds = now().getTime() / 1000;
    return (await photos.listOfProduct(productId)).filter((p) => p.expiresAt === undefined || p.expiresAt > seconds);
  };

  return {
    completeUpload,

    /** A new photo, `processing` until its file arrives: where to PUT the file. */
    async requestUpload(ctx: WriteContext, productId: string, file: PhotoUploadRequest): Promise<PhotoUploadTarget> {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      await getProduct(principal, productId);
      // Judged again if another photo was added meanwhile (the photo set's revision moved on).
      return retryOnRace(async () => {
        const revision = await photos.revision(productId);
        const existing = await currentPhotos(productId);
        const active = activeIds(existing);
        if (active.length >= MAX_PHOTOS_PER_PRODUCT) {
          throw new ValidationError([{ path: 'productId', message: `a product has at most ${MAX_PHOTOS_PER_PRODUCT} photos; remove one first` }]);
        }
        const at = now();
        const record: PhotoRecord = {
          id: newId(at.getTime()),
          productId,
          status: 'processing',
          order: Math.max(0, ...existing.map((p) => p.order)) + 1,
          contentType: file.contentType,
          declaredBytes: file.bytes,
          variants: [],
          createdAt: at.toISOString(),
          updatedAt: at.toISOString(),
          createdBy: principal.sub,
          expiresAt: Math.floor(at.getTime() / 1000) + PENDING_PHOTO_SECONDS,
        };
        const target = await store.uploadTarget(photoKeys.upload({ productId, photoId: record.id }), file, UPLOAD_URL_SECONDS);
        const body: PhotoUploadTarget = { photoId: record.id, uploadUrl: target.url, method: 'PUT', headers: target.headers, expiresAt: target.expiresAt };
        await commit(
          ctx,
          [
            ...photos.addOps(record, revision),
            audit.recordOp({ entityType: 'product', entityId: productId, action: 'update', actor: principal, at: record.createdAt, before: { photos: active }, after: { photos: [...active, record.id] } }),
          ],
          { status: 201, body },
        );
        return body;
      });
    },

    /** The product's photos in display order (rejected ones last), with time-limited variant URLs. */
    async list(principal: Principal, productId: string): Promise<Photo[]> {
      await getProduct(principal, productId);
      const all = await currentPhotos(productId);
      const rank = (p: PhotoRecord) => (p.status === 'rejected' ? 1 : 0);
      return Promise.all(all.sort((a, b) => rank(a) - rank(b) || byOrder(a, b)).map(view));
    },

    /** Deletes a photo and its files. */
    async remove(ctx: WriteContext, productId: string, photoId: string): Promise<void> {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      await getProduct(principal, productId);
      const all = await currentPhotos(productId);
      if (!all.some((p) => p.id === photoId)) throw new NotFoundError('Photo');
      const before = activeIds(all);
      // A refused upload was never among the product's photos: its trail says a refused one went.
      const field = before.includes(photoId) ? 'photos' : 'rejectedPhotos';
      const listed = field === 'photos' ? before : all.filter((p) => p.status === 'rejected').map((p) => p.id);
      await commit(
        ctx,
        [
          photos.deleteOp(productId, photoId),
          audit.recordOp({ entityType: 'product', entityId: productId, action: 'update', actor: principal, at: now().toISOString(), before: { [field]: listed }, after: { [field]: listed.filter((id) => id !== photoId) } }),
        ],
        { status: 204, body: null },
      );
      const ref = { productId, photoId };
      await Promise.all([store.delete(photoKeys.variantPrefix(ref)), store.delete(photoKeys.upload(ref))]);
      await deps.onPhotosChanged?.(productId);
    },

    /**
     * Deletes every photo of a product and their files — for the product service to call once
     * the product itself is deleted (no scope check: the caller has done it).
     */
    async purgeProduct(productId: string): Promise<number> {
      const all = await photos.listOfProduct(productId);
      // Unconditional deletes: a photo already gone (deleted meanwhile, or by TTL) must not hold back the others of its batch.
      const ops = [...all.map((p) => photos.purgeOp(productId, p.id)), photos.deleteSetOp(productId)];
      for (let i = 0; i < ops.length; i += 25) await commit({ principal: systemPrincipal }, ops.slice(i, i + 25), { status: 204, body: null });
      await Promise.all([store.delete(`variants/${productId}/`), store.delete(`uploads/${productId}/`)]);
      return all.length;
    },

    /** Puts the product's photos in the given order; `photoIds` must list every photo that is not rejected, once. */
    async reorder(ctx: WriteContext, productId: string, photoIds: string[]): Promise<Photo[]> {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      await getProduct(principal, productId);
      const all = await currentPhotos(productId);
      const before = activeIds(all);
      const sameSet = photoIds.length === before.length && new Set(photoIds).size === photoIds.length && photoIds.every((id) => before.includes(id));
      if (!sameSet) throw new ValidationError([{ path: 'photoIds', message: 'list every photo of the product that is not rejected, each once' }]);
      const at = now().toISOString();
      const ordered = photoIds.map((id, i) => ({ ...all.find((p) => p.id === id)!, order: i + 1 }));
      const result = await Promise.all(ordered.map(view));
      await commit(
        ctx,
        [
          ...ordered.map((p) => photos.setOrderOp(productId, p.id, p.order)),
          audit.recordOp({ entityType: 'product', entityId: productId, action: 'update', actor: principal, at, before: { photos: before }, after: { photos: photoIds } }),
        ],
        // Stored as the route answers it, so a retry with the same key gets the same shape.
        { status: 200, body: { items: result } },
      );
      // The cover, and which photos a marketplace takes (its first maxCount), follow the order: readiness too.
      await deps.onPhotosChanged?.(productId);
      return result;
    },
  };
}
export type PhotoService = ReturnType<typeof createPhotoService>;
