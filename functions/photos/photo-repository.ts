import { z } from 'zod';
import { photoRejectionReasons, photoStatuses, type PhotoRejectionReason } from '#shared/schemas/photo.ts';
import { NotFoundError } from '#functions/core/errors.ts';
import { getItem, queryAcross, revisions, transact, type Item, type Table, type TxOp } from '#functions/repositories/table.ts';

export const StoredVariantSchema = z.object({
  name: z.string(),
  purpose: z.enum(['marketplace', 'thumbnail']),
  format: z.enum(['jpeg', 'png', 'webp']),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  marketplaces: z.array(z.string()),
  /** Object key in the photo store. */
  key: z.string(),
});
export type StoredVariant = z.infer<typeof StoredVariantSchema>;

export const PhotoRecordSchema = z.object({
  id: z.string(),
  productId: z.string(),
  status: z.enum(photoStatuses),
  reason: z.enum(photoRejectionReasons).optional(),
  message: z.string().optional(),
  order: z.number().int(),
  contentType: z.string(),
  /** Size the uploader declared (and the presigned URL enforces). */
  declaredBytes: z.number().int(),
  source: z.object({ format: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int() }).optional(),
  variants: z.array(StoredVariantSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  /** DynamoDB TTL (epoch seconds): a photo still waiting for its upload, or rejected, goes away by itself. */
  expiresAt: z.number().int().optional(),
});
export type PhotoRecord = z.infer<typeof PhotoRecordSchema>;

/**
 * Photos of a product. Key: PK `P#38#PRODUCT#<productId>`, SK `PHOTO#<photoId>` — in the
 * product's own partition, so "the photos of a product" is one query of one partition and
 * the product's scope (commune, producer) is checked once, on the product.
 */
export function createPhotoRepository(table: Table) {
  const pk = (productId: string) => `${table.prefix}PRODUCT#${productId}`;
  const key = (productId: string, photoId: string) => ({ PK: pk(productId), SK: `PHOTO#${photoId}` });
  const toItem = (r: PhotoRecord): Item => ({ ...key(r.productId, r.id), type: 'photo', ...r });
  const fromItem = (item: Item): PhotoRecord => PhotoRecordSchema.parse(item);
  const gone = () => new NotFoundError('Photo');

  /** The photo as it is now, if it is still waiting to be processed. */
  function whileProcessing(productId: string, photoId: string, update: string, names: Record<string, string>, values: Record<string, unknown>): TxOp {
    return {
      item: {
        Update: {
          TableName: table.name,
          Key: key(productId, photoId),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(PK) AND #status = :processing',
          ExpressionAttributeNames: { '#status': 'status', ...names },
          ExpressionAttributeValues: { ':processing': 'processing', ...values },
        },
      },
      onConditionFailed: gone,
    };
  }

  // The product's photo set: a revision every new photo moves on, so two added at once cannot both pass the count check.
  const setKey = (productId: string) => ({ PK: pk(productId), SK: 'PHOTOSET' });

  return {
    /** The revision of the product's photo set (0 before its first photo): read it before the photos, hand it to `addOps`. */
    async revision(productId: string): Promise<number> {
      return revisions.read(table, setKey(productId));
    },
    /**
     * Adds a photo to a product that still exists, if no other photo was added since `revision`
     * was read (else RaceError: re-read and judge again). @throws NotFoundError if the product is gone.
     */
    addOps(r: PhotoRecord, seenRevision: number): TxOp[] {
      return [
        { item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_not_exists(PK)' } } },
        revisions.nextOp(table, setKey(r.productId), 'photoset', seenRevision),
        {
          item: { ConditionCheck: { TableName: table.name, Key: { PK: pk(r.productId), SK: 'META' }, ConditionExpression: 'attribute_exists(PK)' } },
          onConditionFailed: () => new NotFoundError('Product'),
        },
      ];
    },
    /** Deletes the photo set's own item, with the product's last photos. */
    deleteSetOp(productId: string): TxOp {
      return { item: { Delete: { TableName: table.name, Key: setKey(productId) } } };
    },
    async get(productId: string, photoId: string, consistent = false): Promise<PhotoRecord | undefined> {
      const item = await getItem(table, key(productId, photoId), consistent);
      return item ? fromItem(item) : undefined;
    },
    /** Every photo of a product (a product has a handful), in upload order, read consistently: readiness is computed from them right after a photo changes. */
    async listOfProduct(productId: string): Promise<PhotoRecord[]> {
      const { items } = await queryAcross(table, [{ pk: pk(productId) }], {
        limit: 1000,
        consistent: true,
        filter: { FilterExpression: '#type = :photo', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':photo': 'photo' } },
      });
      return items.map(fromItem);
    },
    deleteOp(productId: string, photoId: string): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key(productId, photoId), ConditionExpression: 'attribute_exists(PK)' } }, onConditionFailed: gone };
    },
    /** Deletes a photo whether or not it is still there (purging a deleted product's photos). */
    purgeOp(productId: string, photoId: string): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key(productId, photoId) } } };
    },
    /** Moves a photo to position `order`, unless it was deleted meanwhile. */
    setOrderOp(productId: string, photoId: string, order: number): TxOp {
      return {
        item: { Update: { TableName: table.name, Key: key(productId, photoId), UpdateExpression: 'SET #order = :o', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeNames: { '#order': 'order' }, ExpressionAttributeValues: { ':o': order } } },
        onConditionFailed: gone,
      };
    },
    /** Processing finished: the variants are stored; the photo no longer expires. @throws NotFoundError if it was deleted or already finished. */
    async markReady(productId: string, photoId: string, done: { source: PhotoRecord['source']; variants: StoredVariant[]; at: string }): Promise<void> {
      await transact(table, [
        whileProcessing(productId, photoId, 'SET #status = :ready, #source = :source, #variants = :variants, #updatedAt = :at REMOVE #expiresAt', { '#source': 'source', '#variants': 'variants', '#updatedAt': 'updatedAt', '#expiresAt': 'expiresAt' }, { ':ready': 'ready', ':source': done.source, ':variants': done.variants, ':at': done.at }),
      ]);
    },
    /** The pipeline refused the photo: kept (without variants) so the uploader sees why, until `expiresAt`. @throws NotFoundError as markReady. */
    async markRejected(productId: string, photoId: string, rejected: { reason: PhotoRejectionReason; message: string; at: string; expiresAt: number }): Promise<void> {
      await transact(table, [
        whileProcessing(productId, photoId, 'SET #status = :rejected, #reason = :reason, #message = :message, #updatedAt = :at, #expiresAt = :exp', { '#reason': 'reason', '#message': 'message', '#updatedAt': 'updatedAt', '#expiresAt': 'expiresAt' }, {
          ':rejected': 'rejected',
          ':reason': rejected.reason,
          ':message': rejected.message,
          ':at': rejected.at,
          ':exp': rejected.expiresAt,
        }),
      ]);
    },
  };
}
export type PhotoRepository = ReturnType<typeof createPhotoRepository>;
