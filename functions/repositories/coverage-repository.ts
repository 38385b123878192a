import { coverageMetrics, emptyMetrics, type Contribution, type CoverageMetric, type Metrics } from '#shared/coverage-rules.ts';
import { z } from 'zod';
import { TargetSchema, type Target } from '#shared/schemas/coverage.ts';
import { getItem, queryAcross, transact, type Table, type TxOp } from './table.ts';

export type CoverageRow = { marketplace: string; communeCode: string } & Metrics;

/**
 * Coverage counters, maintained in the same transaction as every change that moves them.
 * Key: PK `P#38#COVERAGE`, SK `M#<marketplace>#C#<commune>` — one item per commune ×
 * marketplace, so a province report for one marketplace is one query of 166 items.
 */
export function createCoverageRepository(table: Table) {
  const pk = `${table.prefix}COVERAGE`;
  const snapPk = `${table.prefix}COVSNAP`;
  const sk = (marketplace: string, commune: string) => `M#${marketplace}#C#${commune}`;
  const toRow = (item: Record<string, unknown>): CoverageRow => {
    const row = { marketplace: item.marketplace as string, communeCode: item.communeCode as string, ...emptyMetrics() };
    for (const k of coverageMetrics) row[k] = Number(item[k] ?? 0);
    return row;
  };
  return {
    /** One ADD per counter item touched (a transaction may not touch an item twice). */
    deltaOps(delta: Contribution): TxOp[] {
      return [...delta].map(([key, metrics]) => {
        const [marketplace, commune] = key.split('|') as [string, string];
        const entries = Object.entries(metrics) as [CoverageMetric, number][];
        return {
          item: {
            Update: {
              TableName: table.name,
              Key: { PK: pk, SK: sk(marketplace, commune) },
              UpdateExpression: `SET marketplace = :mk, communeCode = :cc ADD ${entries.map((_, i) => `#m${i} :v${i}`).join(', ')}`,
              ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#m${i}`, k])),
              ExpressionAttributeValues: { ':mk': marketplace, ':cc': commune, ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])) },
            },
          },
        };
      });
    },
    /** Every commune's counters for one marketplace (`all` for "on any marketplace"). */
    async rowsFor(marketplace: string): Promise<CoverageRow[]> {
      const rows: CoverageRow[] = [];
      let start;
      do {
        const page = await queryAcross(table, [{ pk, skPrefix: `M#${marketplace}#C#` }], { limit: 1000, start });
        rows.push(...page.items.map(toRow));
        start = page.next;
      } while (start);
      return rows;
    },
    /**
     * Month-end snapshots: PK `P#38#COVSNAP`, SK `M#<marketplace>#<yyyy-mm>#C#<commune>` —
     * a marketplace's monthly series over a range of months is one key range. The month's
     * marker (SK `MONTH#<yyyy-mm>`, written last) keeps the targets in force when it was taken
     * (at most 100, a few kB), so a month-end report measures against the targets of its time.
     */
    async writeSnapshot(month: string, rows: CoverageRow[], takenAt: string, targets: Target[]): Promise<void> {
      const ops: TxOp[] = rows.map((r) => ({ item: { Put: { TableName: table.name, Item: { PK: snapPk, SK: `M#${r.marketplace}#${month}#C#${r.communeCode}`, type: 'coverage-snapshot', month, takenAt, ...r } } } }));
      ops.push({ item: { Put: { TableName: table.name, Item: { PK: snapPk, SK: `MONTH#${month}`, type: 'coverage-snapshot-marker', month, takenAt, targets } } } });
      for (let i = 0; i < ops.length; i += 100) await transact(table, ops.slice(i, i + 100));
    },
    async hasSnapshot(month: string): Promise<boolean> {
      return (await this.snapshotTakenAt(month)) !== undefined;
    },
    /** When the snapshot of `month` was taken, or undefined if it was not. */
    async snapshotTakenAt(month: string): Promise<string | undefined> {
      return (await this.snapshotMarker(month))?.takenAt;
    },
    /**
     * The snapshot of `month`: when it was taken and the targets then in force (`targets`
     * undefined for a snapshot taken before they were kept), or undefined if it was not taken.
     */
    async snapshotMarker(month: string): Promise<{ takenAt: string; targets?: Target[] } | undefined> {
      const item = await getItem(table, { PK: snapPk, SK: `MONTH#${month}` }, true);
      if (!item) return undefined;
      return { takenAt: item.takenAt as string, targets: item.targets === undefined ? undefined : z.array(TargetSchema).parse(item.targets) };
    },
    /**
     * The months from `from` to `to` whose snapshot was taken, with when: their markers, which
     * each take writes last, so a take that stopped part-way is not among them.
     */
    async snapshotMonths(from: string, to: string): Promise<{ month: string; takenAt: string }[]> {
      const out: { month: string; takenAt: string }[] = [];
      let start;
      do {
        const page = await queryAcross(table, [{ pk: snapPk, skBetween: [`MONTH#${from}`, `MONTH#${to}`] }], { limit: 1000, start, consistent: true });
        out.push(...page.items.map((i) => ({ month: i.month as string, takenAt: i.takenAt as string })));
        start = page.next;
      } while (start);
      return out;
    },
    async snapshotRows(marketplace: string, from: string, to: string): Promise<(CoverageRow & { month: string; takenAt: string })[]> {
      const out: (CoverageRow & { month: string; takenAt: string })[] = [];
      let start;
      do {
        const page = await queryAcross(table, [{ pk: snapPk, skBetween: [`M#${marketplace}#${from}`, `M#${marketplace}#${to}#~`] }], { limit: 1000, start });
        out.push(...page.items.map((i) => ({ ...toRow(i), month: i.month as string, takenAt: i.takenAt as string })));
        start = page.next;
      } while (start);
      return out;
    },
    /** Every counter item, for reconciliation and snapshots. */
    async allRows(): Promise<CoverageRow[]> {
      const rows: CoverageRow[] = [];
      let start;
      do {
        const page = await queryAcross(table, [{ pk, skPrefix: 'M#' }], { limit: 1000, start });
        rows.push(...page.items.map(toRow));
        start = page.next;
      } while (start);
      return rows;
    },
  };
}
export type CoverageRepository = ReturnType<typeof createCoverageRepository>;
