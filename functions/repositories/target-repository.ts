import { TargetSchema, targetKey, type Target } from '#shared/schemas/coverage.ts';
import { targetChanges } from '#shared/target-rules.ts';
import { ValidationError } from '#functions/core/errors.ts';
import { MAX_TRANSACTION_ITEMS, queryAcross, transact, type Table } from './table.ts';

/** Targets: PK `P#38#TARGET`, SK `<indicator>#<marketplace>#<scope>#<period>`; the whole set is small. */
export function createTargetRepository(table: Table) {
  const pk = `${table.prefix}TARGET`;
  const sk = targetKey;
  return {
    async list(): Promise<Target[]> {
      const { items } = await queryAcross(table, [{ pk }], { limit: 1000 });
      return items.map((i) => TargetSchema.parse(i));
    },
    /**
     * Replaces the whole set in one transaction, all or nothing: targets removed are deleted,
     * new and changed ones written, unchanged ones left alone. More than 100 changes at once are
     * refused (400) — the admin sends the removals first.
     */
    async replaceAll(next: Target[]): Promise<void> {
      const { removed, written } = targetChanges(await this.list(), next);
      const ops = [
        ...removed.map((k) => ({ item: { Delete: { TableName: table.name, Key: { PK: pk, SK: k } } } })),
        ...written.map((t) => ({ item: { Put: { TableName: table.name, Item: { PK: pk, SK: sk(t), type: 'target', ...t } } } })),
      ];
      if (ops.length > MAX_TRANSACTION_ITEMS) throw new ValidationError([{ path: 'items', message: `this replaces or removes ${ops.length} targets at once; at most ${MAX_TRANSACTION_ITEMS} changes fit in one request`, rule: 'too_many_changes', limit: MAX_TRANSACTION_ITEMS }], 'Too many target changes at once');
      if (ops.length) await transact(table, ops);
    },
  };
}
export type TargetRepository = ReturnType<typeof createTargetRepository>;
