import { z } from 'zod';
import { ProducerSchema } from '#shared/schemas/producer.ts';
import { NotFoundError, VersionConflictError, ConflictError } from '#functions/core/errors.ts';
import { getItem, queryAcross, type Item, type PageState, type Partition, type Table, type TxOp } from './table.ts';

/** A producer as stored. `citizenIdHash` is a keyed hash; the number itself is never stored. */
export const ProducerRecordSchema = ProducerSchema.omit({ communeName: true }).extend({
  searchName: z.string(),
  citizenIdHash: z.string().optional(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type ProducerRecord = z.infer<typeof ProducerRecordSchema>;

/**
 * Producers. Keys:
 * - PK `P#38#PRODUCER#<id>`, SK `META` — get by id;
 * - GSI1 `P#38#C#<commune>#PRODUCER` / `<id>` — a commune's producers (officer scope, commune filter);
 * - GSI2 `P#38#PRODUCER` / `<id>` — the whole province (department, admin).
 */
export function createProducerRepository(table: Table) {
  const key = (id: string) => ({ PK: `${table.prefix}PRODUCER#${id}`, SK: 'META' });
  const communePartition = (communeCode: string): Partition => ({ index: 'GSI1', pk: `${table.prefix}C#${communeCode}#PRODUCER` });
  const provincePartition: Partition = { index: 'GSI2', pk: `${table.prefix}PRODUCER` };
  const toItem = (r: ProducerRecord): Item => ({
    ...key(r.id),
    type: 'producer',
    GSI1PK: communePartition(r.communeCode).pk,
    GSI1SK: r.id,
    GSI2PK: provincePartition.pk,
    GSI2SK: r.id,
    ...r,
  });
  const fromItem = (item: Item): ProducerRecord => ProducerRecordSchema.parse(item);
  const versionGuard = () => (old: Item | undefined) => (old ? new VersionConflictError(old.version as number) : new NotFoundError('Producer'));

  return {
    key,
    communePartition,
    provincePartition,
    async get(id: string): Promise<ProducerRecord | undefined> {
      const item = await getItem(table, key(id));
      return item ? fromItem(item) : undefined;
    },
    createOp(r: ProducerRecord): TxOp {
      return { item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_not_exists(PK)' } } };
    },
    /** Replaces the record if it is still at `expectedVersion` and still has `expectedProductCount` products. */
    replaceOp(r: ProducerRecord, expectedVersion: number, expectedProductCount: number): TxOp {
      return {
        item: {
          Put: {
            TableName: table.name,
            Item: toItem(r),
            ConditionExpression: 'attribute_exists(PK) AND version = :v AND productCount = :n',
            ExpressionAttributeValues: { ':v': expectedVersion, ':n': expectedProductCount },
          },
        },
        onConditionFailed: versionGuard(),
      };
    },
    deleteOp(id: string): TxOp {
      return {
        item: { Delete: { TableName: table.name, Key: key(id), ConditionExpression: 'attribute_exists(PK) AND productCount = :zero', ExpressionAttributeValues: { ':zero': 0 } } },
        onConditionFailed: (old) => (old ? new ConflictError('PRODUCER_HAS_PRODUCTS', 'Delete or move this producer’s products first', { productCount: old.productCount }) : new NotFoundError('Producer')),
      };
    },
    /** Deletes a producer merged into another, provided nobody changed it or added a product meanwhile. */
    deleteMergedOp(id: string, expectedVersion: number, expectedProductCount: number): TxOp {
      return {
        item: { Delete: { TableName: table.name, Key: key(id), ConditionExpression: 'version = :v AND productCount = :n', ExpressionAttributeValues: { ':v': expectedVersion, ':n': expectedProductCount } } },
        onConditionFailed: versionGuard(),
      };
    },
    /** Counts a product in or out, provided the producer still sits in `communeCode` (products carry it). */
    adjustProductCountOp(id: string, delta: 1 | -1, communeCode: string): TxOp {
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(id),
            UpdateExpression: 'ADD productCount :d',
            ConditionExpression: 'attribute_exists(PK) AND communeCode = :c',
            ExpressionAttributeValues: { ':d': delta, ':c': communeCode },
          },
        },
        onConditionFailed: (old) => (old ? new ConflictError('VERSION_CONFLICT', 'The producer moved to another commune meanwhile; retry') : new NotFoundError('Producer')),
      };
    },
    async list(partitions: Partition[], opts: { limit: number; start?: PageState; nameQuery?: string }) {
      const filter = opts.nameQuery
        ? { FilterExpression: 'contains(#sn, :q)', ExpressionAttributeNames: { '#sn': 'searchName' }, ExpressionAttributeValues: { ':q': opts.nameQuery } }
        : undefined;
      const page = await queryAcross(table, partitions, { limit: opts.limit, start: opts.start, filter });
      return { items: page.items.map(fromItem), next: page.next };
    },
  };
}
export type ProducerRepository = ReturnType<typeof createProducerRepository>;
