import { z } from 'zod';
import { ProductSchema } from '#shared/schemas/product.ts';
import { NotFoundError, VersionConflictError } from '#functions/core/errors.ts';
import { getItem, queryAcross, type Item, type PageState, type Partition, type Table, type TxOp } from './table.ts';

export const ProductRecordSchema = ProductSchema.extend({
  searchName: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type ProductRecord = z.infer<typeof ProductRecordSchema>;

/**
 * Products. Keys:
 * - PK `P#38#PRODUCT#<id>`, SK `META` — get by id;
 * - GSI1 `P#38#C#<commune>#PRODUCT` / `<id>` — a commune's products (the commune is the producer's);
 * - GSI2 `P#38#PRODUCT` / `<id>` — the whole province;
 * - GSI3 `P#38#PRODUCER#<producerId>#PRODUCTS` / `<id>` — one producer's products (cooperative scope).
 */
export function createProductRepository(table: Table) {
  const key = (id: string) => ({ PK: `${table.prefix}PRODUCT#${id}`, SK: 'META' });
  const communePartition = (communeCode: string): Partition => ({ index: 'GSI1', pk: `${table.prefix}C#${communeCode}#PRODUCT` });
  const provincePartition: Partition = { index: 'GSI2', pk: `${table.prefix}PRODUCT` };
  const producerPartition = (producerId: string): Partition => ({ index: 'GSI3', pk: `${table.prefix}PRODUCER#${producerId}#PRODUCTS` });
  const toItem = (r: ProductRecord): Item => ({
    ...key(r.id),
    type: 'product',
    GSI1PK: communePartition(r.communeCode).pk,
    GSI1SK: r.id,
    GSI2PK: provincePartition.pk,
    GSI2SK: r.id,
    GSI3PK: producerPartition(r.producerId).pk,
    GSI3SK: r.id,
    ...r,
  });
  const fromItem = (item: Item): ProductRecord => ProductRecordSchema.parse(item);
  const staleOrGone = (old: Item | undefined) => (old ? new VersionConflictError(old.version as number) : new NotFoundError('Product'));

  return {
    communePartition,
    provincePartition,
    producerPartition,
    async get(id: string): Promise<ProductRecord | undefined> {
      const item = await getItem(table, key(id));
      return item ? fromItem(item) : undefined;
    },
    createOp(r: ProductRecord): TxOp {
      return { item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_not_exists(PK)' } } };
    },
    replaceOp(r: ProductRecord, expectedVersion: number): TxOp {
      return {
        item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_exists(PK) AND version = :v', ExpressionAttributeValues: { ':v': expectedVersion } } },
        onConditionFailed: staleOrGone,
      };
    },
    deleteOp(id: string): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key(id), ConditionExpression: 'attribute_exists(PK)' } }, onConditionFailed: staleOrGone };
    },
    /** Moves a product to its producer's new commune (the product keeps its own version). */
    moveOp(r: ProductRecord, communeCode: string): TxOp {
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(r.id),
            UpdateExpression: 'SET communeCode = :c, GSI1PK = :g',
            ConditionExpression: 'attribute_exists(PK) AND version = :v',
            ExpressionAttributeValues: { ':c': communeCode, ':g': communePartition(communeCode).pk, ':v': r.version },
          },
        },
        onConditionFailed: staleOrGone,
      };
    },
    async list(partitions: Partition[], opts: { limit: number; start?: PageState; nameQuery?: string; producerId?: string }) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const clauses: string[] = [];
      if (opts.nameQuery) {
        clauses.push('contains(#sn, :q)');
        names['#sn'] = 'searchName';
        values[':q'] = opts.nameQuery;
      }
      if (opts.producerId) {
        clauses.push('#pid = :pid');
        names['#pid'] = 'producerId';
        values[':pid'] = opts.producerId;
      }
      const filter = clauses.length ? { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } : undefined;
      const page = await queryAcross(table, partitions, { limit: opts.limit, start: opts.start, filter });
      return { items: page.items.map(fromItem), next: page.next };
    },
    async listAllOfProducer(producerId: string, max: number): Promise<ProductRecord[]> {
      const page = await queryAcross(table, [producerPartition(producerId)], { limit: max });
      return page.items.map(fromItem);
    },
  };
}
export type ProductRepository = ReturnType<typeof createProductRepository>;
