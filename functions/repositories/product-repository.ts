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
  const certificatePartition: Partition = { index: 'GSI4', pk: `${table.prefix}CERT` };
  const toItem = (r: ProductRecord): Item => ({
    ...key(r.id),
    type: 'product',
    GSI1PK: communePartition(r.communeCode).pk,
    GSI1SK: r.id,
    GSI2PK: provincePartition.pk,
    GSI2SK: r.id,
    GSI3PK: producerPartition(r.producerId).pk,
    GSI3SK: r.id,
    ...(r.certificateExpiry ? { GSI4PK: certificatePartition.pk, GSI4SK: `${r.certificateExpiry}#${r.id}` } : {}),
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
    /**
     * Moves a product with its producer: to the producer's new commune, or onto the producer
     * it was merged into. The product keeps its own version.
     */
    moveOp(r: ProductRecord, to: { communeCode: string; producerId: string }): TxOp {
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(r.id),
            UpdateExpression: 'SET communeCode = :c, GSI1PK = :g1, producerId = :p, GSI3PK = :g3',
            ConditionExpression: 'attribute_exists(PK) AND version = :v',
            ExpressionAttributeValues: { ':c': to.communeCode, ':g1': communePartition(to.communeCode).pk, ':p': to.producerId, ':g3': producerPartition(to.producerId).pk, ':v': r.version },
          },
        },
        onConditionFailed: staleOrGone,
      };
    },
    /** Fails the transaction unless the product is still at `version` (its readiness was judged on it). */
    unchangedCheckOp(id: string, version: number): TxOp {
      return {
        item: { ConditionCheck: { TableName: table.name, Key: key(id), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } } },
        onConditionFailed: staleOrGone,
      };
    },
    /** Rated products whose certificate expires on or before `date`, oldest first, narrowed by `filter`. */
    async listExpiringBy(date: string, opts: { limit: number; start?: PageState; communes?: string[]; producerId?: string }) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const clauses: string[] = [];
      if (opts.communes) {
        names['#c'] = 'communeCode';
        clauses.push(`#c IN (${opts.communes.map((c, i) => ((values[`:c${i}`] = c), `:c${i}`)).join(', ')})`);
      }
      if (opts.producerId) {
        names['#p'] = 'producerId';
        values[':p'] = opts.producerId;
        clauses.push('#p = :p');
      }
      const filter = clauses.length ? { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } : undefined;
      const page = await queryAcross(table, [{ ...certificatePartition, skAtMost: `${date}#~` }], { limit: opts.limit, start: opts.start, filter });
      return { items: page.items.map(fromItem), next: page.next };
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
