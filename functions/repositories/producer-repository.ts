import { z } from 'zod';
import { ProducerSchema } from '#shared/schemas/producer.ts';
import { NotFoundError, VersionConflictError, ConflictError, RaceError } from '#functions/core/errors.ts';
import { LIST_READ_BUDGET, batchGet, getItem, queryAcross, type Item, type PageState, type Partition, type Table, type TxOp } from './table.ts';

/** A producer as stored. `citizenIdHash` is a keyed hash; the number itself is never stored. */
export const ProducerRecordSchema = ProducerSchema.omit({ communeName: true }).extend({
  searchName: z.string(),
  citizenIdHash: z.string().optional(),
  createdBy: z.string(),
  updatedBy: z.string(),
  /** Coverage revision: bumped by every change that moves coverage counters, guarding them against races. */
  covRev: z.number().int().default(0),
  /**
   * How many cooperative users are bound to it, written with every change that binds or unbinds
   * one, so that a delete or merge conditioned on it cannot miss a user bound meanwhile. Not part
   * of the producer's `version`: binding a login is no edit of the producer. Absent on producers
   * stored before it was kept whose users have not changed since: theirs are found through the
   * user list (`UserRepository.boundCount`).
   */
  userCount: z.number().int().optional(),
  /**
   * When a user change last moved `userCount` (absent: before this was kept). The user list is an
   * index that can lag a bind: the reconciliation lowers a count only once it has stood still
   * longer than any such lag.
   */
  userCountAt: z.string().optional(),
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
  /** A condition that the bound-user count is still what was read (absent: still not kept). */
  const userCountIs = (seen: number | undefined) =>
    seen === undefined ? { condition: 'attribute_not_exists(userCount)', values: {} } : { condition: 'userCount = :users', values: { ':users': seen } };
  /**
   * The condition that `current` is as read: at `expectedVersion` (the caller's, else 409), with the
   * coverage revision, product count and bound-user count read (else the caller re-reads and retries).
   */
  const unchangedSince = (current: ProducerRecord, expectedVersion: number) => {
    const users = userCountIs(current.userCount);
    return {
      ConditionExpression: `version = :v AND covRev = :r AND productCount = :n AND ${users.condition}`,
      ExpressionAttributeValues: { ':v': expectedVersion, ':r': current.covRev, ':n': current.productCount, ...users.values },
    };
  };
  /** A failed guard: gone (404), edited by someone else (409), or a concurrent change to re-read and retry. */
  const guard = (expectedVersion: number) => (old: Item | undefined) =>
    !old ? new NotFoundError('Producer') : old.version !== expectedVersion ? new VersionConflictError(old.version as number) : new RaceError();

  return {
    key,
    communePartition,
    provincePartition,
    /** The producer; `consistent` for writes that judge by it (a change just made must be seen). */
    async get(id: string, opts: { consistent?: boolean } = {}): Promise<ProducerRecord | undefined> {
      const item = await getItem(table, key(id), opts.consistent);
      return item ? fromItem(item) : undefined;
    },
    /** The records of these ids that exist (a strongly consistent read), by id. */
    async getMany(ids: string[]): Promise<Map<string, ProducerRecord>> {
      const items = await batchGet(table, ids.map(key), true);
      return new Map(items.map((i) => {
        const r = fromItem(i);
        return [r.id, r];
      }));
    },
    createOp(r: ProducerRecord): TxOp {
      return { item: { Put: { TableName: table.name, Item: toItem(r), ConditionExpression: 'attribute_not_exists(PK)' } } };
    },
    /**
     * Replaces `current` with `next` if nobody changed it meanwhile: its version (else 409),
     * and its coverage revision, product count and bound-user count (else the caller re-reads and
     * retries). `next` carries the bound-user count to keep.
     */
    replaceOp(next: ProducerRecord, current: ProducerRecord, expectedVersion = current.version): TxOp {
      return {
        item: { Put: { TableName: table.name, Item: toItem({ ...next, covRev: current.covRev + 1 }), ...unchangedSince(current, expectedVersion) } },
        onConditionFailed: guard(expectedVersion),
      };
    },
    /**
     * Deletes a producer that has no products, provided nobody changed its coverage or its bound
     * users since `current` was read (the caller judged those users: none; else it re-reads).
     */
    deleteOp(current: ProducerRecord): TxOp {
      const users = userCountIs(current.userCount);
      return {
        item: {
          Delete: {
            TableName: table.name,
            Key: key(current.id),
            ConditionExpression: `covRev = :r AND productCount = :zero AND ${users.condition}`,
            ExpressionAttributeValues: { ':r': current.covRev, ':zero': 0, ...users.values },
          },
        },
        onConditionFailed: (old) =>
          !old ? new NotFoundError('Producer') : (old.productCount as number) > 0 ? new ConflictError('PRODUCER_HAS_PRODUCTS', 'Delete or move this producer’s products first', { productCount: old.productCount }) : new RaceError(),
      };
    },
    /**
     * Deletes a producer merged into another, provided nobody changed it, added a product or bound
     * or unbound a user meanwhile, and it is still at `expectedVersion` (the version the operator
     * reviewed; else 409).
     */
    deleteMergedOp(current: ProducerRecord, expectedVersion = current.version): TxOp {
      return {
        item: { Delete: { TableName: table.name, Key: key(current.id), ...unchangedSince(current, expectedVersion) } },
        onConditionFailed: guard(expectedVersion),
      };
    },
    /**
     * Records a change below the producer — a product added or removed, an account or a live
     * listing — in its coverage state, guarded by the coverage revision it was computed from.
     */
    childChangeOp(current: ProducerRecord, change: { productCountDelta?: number; accountMarketplaces?: string[]; liveCounts?: Record<string, number> }): TxOp {
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(current.id),
            UpdateExpression: 'SET accountMarketplaces = :am, liveCounts = :lc, covRev = :r1 ADD productCount :d',
            ConditionExpression: 'covRev = :r AND communeCode = :c',
            ExpressionAttributeValues: {
              ':am': change.accountMarketplaces ?? current.accountMarketplaces,
              ':lc': change.liveCounts ?? current.liveCounts,
              ':r': current.covRev,
              ':r1': current.covRev + 1,
              ':d': change.productCountDelta ?? 0,
              ':c': current.communeCode,
            },
          },
        },
        onConditionFailed: (old) => (old ? new RaceError() : new NotFoundError('Producer')),
      };
    },
    /**
     * Sets how many cooperative users are bound to the producer, written with the user change that
     * binds or unbinds one, provided the producer still exists and the count is still what was read
     * in `current` (else RaceError: judge again; gone: 404). Neither its version nor its coverage
     * revision moves: an edit of the producer based on its version stays valid.
     */
    userCountOp(current: ProducerRecord, count: number, at = new Date().toISOString()): TxOp {
      const users = userCountIs(current.userCount);
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(current.id),
            UpdateExpression: 'SET userCount = :count, userCountAt = :at',
            ConditionExpression: `attribute_exists(PK) AND ${users.condition}`,
            ExpressionAttributeValues: { ':count': count, ':at': at, ...users.values },
          },
        },
        onConditionFailed: (old) => (old ? new RaceError() : new NotFoundError('Producer')),
      };
    },
    async list(partitions: Partition[], opts: { limit: number; start?: PageState; nameQuery?: string }) {
      const filter = opts.nameQuery
        ? { FilterExpression: 'contains(#sn, :q)', ExpressionAttributeNames: { '#sn': 'searchName' }, ExpressionAttributeValues: { ':q': opts.nameQuery } }
        : undefined;
      const page = await queryAcross(table, partitions, { limit: opts.limit, start: opts.start, filter, readBudget: filter && LIST_READ_BUDGET });
      return { items: page.items.map(fromItem), next: page.next };
    },
  };
}
export type ProducerRepository = ReturnType<typeof createProducerRepository>;
