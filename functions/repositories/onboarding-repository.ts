import { AccountSchema, ListingSchema, ListingTransitionSchema, type Account, type Listing, type ListingTransition } from '#shared/schemas/onboarding.ts';
import { NotFoundError, RaceError, VersionConflictError } from '#functions/core/errors.ts';
import { newId } from '#functions/core/ids.ts';
import { batchDelete, getItem, queryAcross, type Item, type PageState, type Table, type TxOp } from './table.ts';

const staleOrGone = (what: string) => (old: Item | undefined) => (old ? new VersionConflictError(old.version as number) : new NotFoundError(what));

/** Puts a child record: new (must not exist) when `expectedVersion` is undefined, else only if still at that version. */
function putVersioned(table: Table, item: Item, expectedVersion: number | undefined, what: string): TxOp {
  return expectedVersion === undefined
    ? { item: { Put: { TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } }, onConditionFailed: staleOrGone(what) }
    : { item: { Put: { TableName: table.name, Item: item, ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } } }, onConditionFailed: staleOrGone(what) };
}

/**
 * Seller accounts: PK `P#38#PRODUCER#<producerId>`, SK `ACCOUNT#<marketplace>` — in the
 * producer's partition, so all of a producer's accounts are one query.
 */
export function createAccountRepository(table: Table) {
  const pk = (producerId: string) => `${table.prefix}PRODUCER#${producerId}`;
  const key = (producerId: string, marketplace: string) => ({ PK: pk(producerId), SK: `ACCOUNT#${marketplace}` });
  const fromItem = (item: Item) => AccountSchema.parse(item);
  return {
    /** One account; `consistent` for a write that judges on it (its version, its status). */
    async get(producerId: string, marketplace: string, opts: { consistent?: boolean } = {}): Promise<Account | undefined> {
      const item = await getItem(table, key(producerId, marketplace), opts.consistent);
      return item ? fromItem(item) : undefined;
    },
    async listForProducer(producerId: string): Promise<Account[]> {
      const { items } = await queryAcross(table, [{ pk: pk(producerId), skPrefix: 'ACCOUNT#' }], { limit: 100 });
      return items.map(fromItem);
    },
    putOp(a: Account, expectedVersion: number | undefined): TxOp {
      return putVersioned(table, { ...key(a.producerId, a.marketplace), type: 'account', ...a }, expectedVersion, 'Seller account');
    },
    deleteOp(producerId: string, marketplace: string): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key(producerId, marketplace) } } };
    },
    /** Fails the transaction unless the account is at one of `statuses`. */
    statusCheckOp(producerId: string, marketplace: string, statuses: string[], onFail: () => Error): TxOp {
      const values = Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s]));
      return {
        item: { ConditionCheck: { TableName: table.name, Key: key(producerId, marketplace), ConditionExpression: `#st IN (${Object.keys(values).join(', ')})`, ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: values } },
        onConditionFailed: onFail,
      };
    },
  };
}
export type AccountRepository = ReturnType<typeof createAccountRepository>;

/**
 * Listings and their history, in the product's partition: PK `P#38#PRODUCT#<productId>`,
 * SK `LISTING#<marketplace>` for the current state and `LISTHIST#<marketplace>#<time>#<id>`
 * for each transition (who, when, from, to, why), written in the same transaction.
 */
export function createListingRepository(table: Table) {
  const pk = (productId: string) => `${table.prefix}PRODUCT#${productId}`;
  const key = (productId: string, marketplace: string) => ({ PK: pk(productId), SK: `LISTING#${marketplace}` });
  return {
    /** One listing; `consistent` for a write that judges on it (its version, its status). */
    async get(productId: string, marketplace: string, opts: { consistent?: boolean } = {}): Promise<Listing | undefined> {
      const item = await getItem(table, key(productId, marketplace), opts.consistent);
      return item ? ListingSchema.parse(item) : undefined;
    },
    async listForProduct(productId: string, opts: { consistent?: boolean } = {}): Promise<Listing[]> {
      const { items } = await queryAcross(table, [{ pk: pk(productId), skPrefix: 'LISTING#' }], { limit: 100, consistent: opts.consistent });
      return items.map((i) => ListingSchema.parse(i));
    },
    async history(productId: string, marketplace: string): Promise<ListingTransition[]> {
      const { items } = await queryAcross(table, [{ pk: pk(productId), skPrefix: `LISTHIST#${marketplace}#` }], { limit: 1000 });
      return items.map((i) => ListingTransitionSchema.parse(i));
    },
    putOp(l: Listing, expectedVersion: number | undefined): TxOp {
      return putVersioned(table, { ...key(l.productId, l.marketplace), type: 'listing', ...l }, expectedVersion, 'Listing');
    },
    /**
     * Names another producer on a listing whose product moved (a merge), as a new version of it,
     * so a change prepared against the old producer fails its version check instead of writing it back.
     */
    reassignOp(l: Listing, producerId: string): TxOp {
      return {
        item: {
          Update: {
            TableName: table.name,
            Key: key(l.productId, l.marketplace),
            UpdateExpression: 'SET producerId = :p, version = version + :one',
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':p': producerId, ':one': 1, ':v': l.version },
          },
        },
        onConditionFailed: () => new RaceError(),
      };
    },
    transitionOp(productId: string, marketplace: string, t: ListingTransition): TxOp {
      return { item: { Put: { TableName: table.name, Item: { PK: pk(productId), SK: `LISTHIST#${marketplace}#${t.at}#${newId()}`, type: 'listing-transition', ...t } } } };
    },
    /** The current listings of a product (one per marketplace), deleted in the same change as the product. */
    async listingKeysOfProduct(productId: string): Promise<Item[]> {
      const { items } = await queryAcross(table, [{ pk: pk(productId), skPrefix: 'LISTING#' }], { limit: 100 });
      return items.map((i) => ({ PK: i.PK, SK: i.SK }));
    },
    /** Deletes a deleted product's listing history, however long (after the product itself is gone). */
    async deleteHistoryOfProduct(productId: string): Promise<void> {
      let start: PageState | undefined;
      do {
        const page = await queryAcross(table, [{ pk: pk(productId), skPrefix: 'LISTHIST#' }], { limit: 1000, start });
        await batchDelete(table, page.items.map((i) => ({ PK: i.PK, SK: i.SK })));
        start = page.next;
      } while (start);
    },
    deleteOp(key: Item): TxOp {
      return { item: { Delete: { TableName: table.name, Key: key } } };
    },
  };
}
export type ListingRepository = ReturnType<typeof createListingRepository>;
