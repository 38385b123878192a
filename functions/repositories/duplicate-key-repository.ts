import { queryAcross, type Table, type TxOp } from './table.ts';

export type DuplicateKind = 'phone' | 'taxCode' | 'citizenId' | 'name';
/** What a producer can be matched on. */
export type DuplicateKeys = Partial<Record<DuplicateKind, string>>;

/**
 * Duplicate-detection keys: PK `P#38#DUP#<kind>#<value>`, SK `<producerId>`, one item per
 * producer per key (phone, tax code, citizen-ID hash, commune + normalised name). Written and
 * removed in the same transaction as the producer, so a lookup is a few key reads, not a scan.
 * GSI2 `P#38#DUPKEYS#<kind>` / `<value>#<producerId>` lists every key of a kind, for bulk
 * imports that check tens of thousands of rows at once.
 */
export function createDuplicateKeyRepository(table: Table) {
  const pk = (kind: DuplicateKind, value: string) => `${table.prefix}DUP#${kind}#${value}`;
  const entries = (keys: DuplicateKeys) => Object.entries(keys).filter((e): e is [DuplicateKind, string] => !!e[1]);
  return {
    putOps(producerId: string, keys: DuplicateKeys): TxOp[] {
      return entries(keys).map(([kind, value]) => ({
        item: { Put: { TableName: table.name, Item: { PK: pk(kind, value), SK: producerId, type: 'dup-key', producerId, GSI2PK: `${table.prefix}DUPKEYS#${kind}`, GSI2SK: `${value}#${producerId}` } } },
      }));
    },
    deleteOps(producerId: string, keys: DuplicateKeys): TxOp[] {
      return entries(keys).map(([kind, value]) => ({ item: { Delete: { TableName: table.name, Key: { PK: pk(kind, value), SK: producerId } } } }));
    },
    /** Ops that move a producer's keys from `before` to `after`, touching only keys that changed. */
    changeOps(producerId: string, before: DuplicateKeys, after: DuplicateKeys): TxOp[] {
      const changed = (k: DuplicateKind) => before[k] !== after[k];
      const kinds = (['phone', 'taxCode', 'citizenId', 'name'] as const).filter(changed);
      const pick = (keys: DuplicateKeys) => Object.fromEntries(kinds.map((k) => [k, keys[k]])) as DuplicateKeys;
      return [...this.deleteOps(producerId, pick(before)), ...this.putOps(producerId, pick(after))];
    },
    /** Every key of one kind in the province: value → producer ids (bulk imports). */
    async loadAll(kind: DuplicateKind): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      let start;
      do {
        const page = await queryAcross(table, [{ index: 'GSI2', pk: `${table.prefix}DUPKEYS#${kind}` }], { limit: 1000, start });
        for (const i of page.items) {
          const sk = i.GSI2SK as string;
          const cut = sk.lastIndexOf('#');
          const value = sk.slice(0, cut);
          out.set(value, [...(out.get(value) ?? []), sk.slice(cut + 1)]);
        }
        start = page.next;
      } while (start);
      return out;
    },
    /** Producer ids sharing any of `keys`, with what they share. */
    async findMatches(keys: DuplicateKeys): Promise<Map<string, DuplicateKind[]>> {
      const found = new Map<string, DuplicateKind[]>();
      await Promise.all(
        entries(keys).map(async ([kind, value]) => {
          const { items } = await queryAcross(table, [{ pk: pk(kind, value) }], { limit: 50 });
          for (const i of items) found.set(i.SK as string, [...(found.get(i.SK as string) ?? []), kind]);
        }),
      );
      return found;
    },
  };
}
export type DuplicateKeyRepository = ReturnType<typeof createDuplicateKeyRepository>;
