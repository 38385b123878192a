import { TargetSchema, type Target } from '#shared/schemas/coverage.ts';
import { queryAcross, transact, type Table } from './table.ts';

/** Targets: PK `P#38#TARGET`, SK `<indicator>#<marketplace>#<scope>#<period>`; the whole set is small. */
export function createTargetRepository(table: Table) {
  const pk = `${table.prefix}TARGET`;
  const sk = (t: Target) => `${t.indicator}#${t.marketplace}#${t.scope}#${t.period}`;
  return {
    async list(): Promise<Target[]> {
      const { items } = await queryAcross(table, [{ pk }], { limit: 1000 });
      return items.map((i) => TargetSchema.parse(i));
    },
    /** Replaces the whole set in one transaction (at most 100 changes). */
    async replaceAll(next: Target[]): Promise<void> {
      const current = await this.list();
      const keep = new Set(next.map(sk));
      const ops = [
        ...current.filter((t) => !keep.has(sk(t))).map((t) => ({ item: { Delete: { TableName: table.name, Key: { PK: pk, SK: sk(t) } } } })),
        ...next.map((t) => ({ item: { Put: { TableName: table.name, Item: { PK: pk, SK: sk(t), type: 'target', ...t } } } })),
      ];
      for (let i = 0; i < ops.length; i += 100) await transact(table, ops.slice(i, i + 100));
    },
  };
}
export type TargetRepository = ReturnType<typeof createTargetRepository>;
