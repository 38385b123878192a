import { queryAcross, type Table, type TxOp } from './table.ts';

export type DuplicateKind = 'phone' | 'taxCode' | 'citizenId' | 'name';
/** What a producer can be matched on. */
export type DuplicateKeys = Partial<Record<DuplicateKind, string>>;

/**
 * Duplicate-detection keys: PK `P#38#DUP#<kind>#<value>`, SK `<producerId>`, one item per
 * producer per key (phone, tax code, citizen-ID hash, commune + normalised name). Written and
 * removed in the same transaction as the producer, so a lookup is a few key reads, not a scan.
 */
export function createDuplicateKeyRepository(table: Table) {
  const pk = (kind: DuplicateKind, value: string) => `${table.prefix}DUP#${kind}#${value}`;
  const entries = (keys: DuplicateKeys) => Object.entries(keys).filter((e): e is [DuplicateKind, string] => !!e[1]);
  return {
    putOps(producerId: string, keys: DuplicateKeys): TxOp[] {
      return entries(keys).map(([kind, value]) => ({ item: { Put: { TableName: table.name, Item: { PK: pk(kind, value), SK: producerId, type: 'dup-key', producerId } } } }));
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
