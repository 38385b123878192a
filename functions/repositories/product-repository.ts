import { z } from 'zod';
import { ProductSchema } from '#shared/schemas/product.ts';
import type { ListingStatus } from '#shared/onboarding-rules.ts';
import { NotFoundError, RaceError, VersionConflictError } from '#functions/core/errors.ts';
import { LIST_READ_BUDGET, batchDelete, batchGet, getItem, queryAcross, type Item, type PageState, type Partition, type Table, type TxOp } from './table.ts';

export const ProductRecordSchema = ProductSchema.extend({
  searchName: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  /** Coverage revision: bumped by every change that moves coverage counters. */
  covRev: z.number().int().default(0),
});
export type ProductRecord = z.infer<typeof ProductRecordSchema>;

/** Products by readiness: ready (100%) for one marketplace, or (without one) for at least one — or not. */
export type ReadyFilter = { marketplace?: string; ready: boolean };

/** Products by their listings: on one marketplace or any, with one status, or `none` (no listing there), or any status (`status` absent). */
export type ListingFilter = { marketplaces: readonly string[]; status?: ListingStatus | 'none' };

/**
 * The filter expression for a listing filter over the product's `listingStatuses` map: with one
 * marketplace, its entry; with several, any of them (`none`: none of them has a listing).
 */
function listingClause(f: ListingFilter, names: Record<string, string>, values: Record<string, unknown>): string {
  names['#ls'] = 'listingStatuses';
  if (f.status && f.status !== 'none') values[':lst'] = f.status;
  const one = (m: string, i: number) => {
    names[`#lm${i}`] = m;
    const path = `#ls.#lm${i}`;
    return !f.status ? `attribute_exists(${path})` : f.status === 'none' ? `attribute_not_exists(${path})` : `${path} = :lst`;
  };
  const parts = f.marketplaces.map(one);
  return `(${parts.join(f.status === 'none' ? ' AND ' : ' OR ')})`;
}

/**
 * Products. Keys:
 * - PK `P#38#PRODUCT#<id>`, SK `META` — get by id;
 * - GSI1 `P#38#C#<commune>#PRODUCT` / `<id>` — a commune's products (the commune is the producer's);
 * - GSI2 `P#38#PRODUCT` / `<id>` — the whole province;
 * - GSI3 `P#38#PRODUCER#<producerId>#PRODUCTS` / `<id>` — one producer's products (cooperative scope);
 * - GSI4 `P#38#CERT` / `<certificateExpiry>#<id>` — rated products by certificate expiry (sparse: an
 *   unrated product has none; every write but `derivedOp` puts the whole item, so the keys go when it becomes unrated).
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
    ...(r.ocopStars && r.certificateExpiry ? { GSI4PK: certificatePartition.pk, GSI4SK: `${r.certificateExpiry}#${r.id}` } : {}),
    ...r,
  });
  const fromItem = (item: Item): ProductRecord => ProductRecordSchema.parse(item);
  const guard = (expectedVersion: number) => (old: Item | undefined) =>
    !old ? new NotFoundError('Product') : old.version !== expectedVersion ? new VersionConflictError(old.version as number) : new RaceError();

  return {
    communePartition,
    provincePartition,
    producerPartition,
    async get(id: string, opts: { consistent?: boolean } = {}): Promise<ProductRecord | undefined> {
      const item = await getItem(table, key(id), opts.consistent);
      return item ? fromItem(item) : undefined;
    },
    /** The records of these ids that exist (a strongly consistent read), by id. */
    async getMany(ids: string[]): Promise<Map<string, ProductRecord>> {
      const items = await batchGet(table, ids.map(key), true);
      return new Map(items.map((i) => {
        const r = fromItem(i);
        return [r.id, r];
      }));
    },
    /** Deletes products that were never counted (an import's, whose producer vanished before the count); not atomic. */
    async deleteUncounted(ids: string[]): Promise<void> {
      await batchDelete(table, ids.map(key));
    },
    createOp(r: ProductRecord): TxOp {
      return { item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_not_exists(PK)' } } };
    },
    /** Replaces `current` with `next` unless someone changed its version (409) or its coverage state (retry). */
    replaceOp(next: ProductRecord, current: ProductRecord, expectedVersion = current.version): TxOp {
      return {
        item: { Put: { TableName: table.name, Item: toItem({ ...next, covRev: current.covRev + 1 }), ConditionExpression: 'version = :v AND covRev = :r', ExpressionAttributeValues: { ':v': expectedVersion, ':r': current.covRev } } },
        onConditionFailed: guard(expectedVersion),
      };
    },
    deleteOp(current: ProductRecord): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key(current.id), ConditionExpression: 'covRev = :r', ExpressionAttributeValues: { ':r': current.covRev } } }, onConditionFailed: guard(current.version) };
    },
    /**
     * Updates what a product derives from elsewhere — its commune and producer (when the
     * producer moves or merges), its readiness (when the producer or photos change), where it
     * is live, its listings' statuses and whether its certificate has lapsed (the calendar) — keeping its own version, guarded by its coverage
     * revision (and by its version when `expectedVersion` is given: a listing submitted on the
     * readiness of that version); a failed guard is a race, so the caller reads and judges
     * again. Listing statuses are written only when known.
     */
    derivedOp(current: ProductRecord, to: Partial<Pick<ProductRecord, 'communeCode' | 'producerId' | 'readyMarketplaces' | 'liveMarketplaces' | 'listingStatuses' | 'certificateExpired'>>, expectedVersion?: number): TxOp {
      const next = { ...current, ...to };
      const certificate = next.certificateExpired !== undefined;
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(current.id),
            UpdateExpression: `SET communeCode = :c, GSI1PK = :g1, producerId = :p, GSI3PK = :g3, readyMarketplaces = :rm, liveMarketplaces = :lm, covRev = :r1${next.listingStatuses ? ', listingStatuses = :ls' : ''}${certificate ? ', certificateExpired = :ce' : ''}`,
            ConditionExpression: expectedVersion === undefined ? 'covRev = :r' : 'covRev = :r AND version = :v',
            ExpressionAttributeValues: {
              ...(next.listingStatuses ? { ':ls': next.listingStatuses } : {}),
              ...(certificate ? { ':ce': next.certificateExpired } : {}),
              ...(expectedVersion === undefined ? {} : { ':v': expectedVersion }),
              ':c': next.communeCode,
              ':g1': communePartition(next.communeCode).pk,
              ':p': next.producerId,
              ':g3': producerPartition(next.producerId).pk,
              ':rm': next.readyMarketplaces,
              ':lm': next.liveMarketplaces,
              ':r': current.covRev,
              ':r1': current.covRev + 1,
            },
          },
        },
        // Changed meanwhile (also when a listing was submitted on the readiness of the version read): the caller reads it again and re-judges.
        onConditionFailed: (old) => (old ? new RaceError() : new NotFoundError('Product')),
      };
    },
    /**
     * Rated products whose certificate expires on or before `date` (and on or after `opts.from`),
     * soonest first; `unmarked`: only those not yet marked `certificateExpired`.
     */
    async listExpiringBy(date: string, opts: { limit: number; start?: PageState; from?: string; communes?: string[]; producerId?: string; unmarked?: boolean }) {
      // Only rated products are written to GSI4; one stored unrated with a certificate before that rule held is left out here.
      const names: Record<string, string> = { '#stars': 'ocopStars' };
      const values: Record<string, unknown> = { ':unrated': 0 };
      const clauses: string[] = ['#stars > :unrated'];
      if (opts.unmarked) {
        names['#ce'] = 'certificateExpired';
        values[':expired'] = true;
        clauses.push('(attribute_not_exists(#ce) OR #ce <> :expired)');
      }
      if (opts.communes) {
        names['#c'] = 'communeCode';
        // DynamoDB takes at most 100 values in one IN; an officer may have all 166 communes.
        const placeholders = opts.communes.map((c, i) => ((values[`:c${i}`] = c), `:c${i}`));
        const groups: string[] = [];
        for (let i = 0; i < placeholders.length; i += 100) groups.push(`#c IN (${placeholders.slice(i, i + 100).join(', ')})`);
        clauses.push(groups.length === 1 ? groups[0]! : `(${groups.join(' OR ')})`);
      }
      if (opts.producerId) {
        names['#p'] = 'producerId';
        values[':p'] = opts.producerId;
        clauses.push('#p = :p');
      }
      const filter = { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
      const range = opts.from === undefined ? { skAtMost: `${date}#~` } : { skBetween: [opts.from, `${date}#~`] as [string, string] };
      const page = await queryAcross(table, [{ ...certificatePartition, ...range }], { limit: opts.limit, start: opts.start, filter });
      return { items: page.items.map(fromItem), next: page.next };
    },
    async list(partitions: Partition[], opts: { limit: number; start?: PageState; nameQuery?: string; producerId?: string; ocopStars?: number; listing?: ListingFilter; ready?: ReadyFilter }) {
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
      if (opts.ocopStars !== undefined) {
        clauses.push('#stars = :stars');
        names['#stars'] = 'ocopStars';
        values[':stars'] = opts.ocopStars;
      }
      if (opts.listing) clauses.push(listingClause(opts.listing, names, values));
      if (opts.ready) {
        names['#rm'] = 'readyMarketplaces';
        if (opts.ready.marketplace) values[':rmk'] = opts.ready.marketplace;
        else values[':zero'] = 0;
        clauses.push(opts.ready.marketplace ? `${opts.ready.ready ? '' : 'NOT '}contains(#rm, :rmk)` : `size(#rm) ${opts.ready.ready ? '>' : '='} :zero`);
      }
      const filter = clauses.length ? { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } : undefined;
      const page = await queryAcross(table, partitions, { limit: opts.limit, start: opts.start, filter, readBudget: filter && LIST_READ_BUDGET });
      return { items: page.items.map(fromItem), next: page.next };
    },
    /**
     * A producer's products whose listing on `marketplace` has one of `statuses` (GSI3, eventually
     * consistent), at most `max`; one live there whose record predates `listingStatuses` counts as live.
     */
    async listOfProducerListedOn(producerId: string, marketplace: string, statuses: readonly ListingStatus[], max: number): Promise<ProductRecord[]> {
      const values: Record<string, unknown> = { ':m': marketplace };
      const placeholders = statuses.map((st, i) => ((values[`:st${i}`] = st), `:st${i}`));
      const clauses = [`#ls.#m IN (${placeholders.join(', ')})`, ...(statuses.includes('live') ? ['(attribute_not_exists(#ls) AND contains(#lm, :m))'] : [])];
      const filter = { FilterExpression: clauses.join(' OR '), ExpressionAttributeNames: { '#ls': 'listingStatuses', '#m': marketplace, '#lm': 'liveMarketplaces' }, ExpressionAttributeValues: values };
      const page = await queryAcross(table, [producerPartition(producerId)], { limit: max, filter });
      return page.items.map(fromItem);
    },
    async listAllOfProducer(producerId: string, max: number): Promise<ProductRecord[]> {
      const page = await queryAcross(table, [producerPartition(producerId)], { limit: max });
      return page.items.map(fromItem);
    },
  };
}
export type ProductRepository = ReturnType<typeof createProductRepository>;
