import { countsAsOcop } from '#shared/coverage-rules.ts';
import { csvDocument, type Cell } from '#shared/csv.ts';
import { formatNumber, formatPercent, shareOf } from './format.ts';
/** Coverage when the API's report is not there yet: counts per commune from the lists in scope, and CSV export. */
import { coverageMetrics, type Commune, type Coverage, type CoverageCounts, type CoverageMetric, type CoverageRow, type Producer, type Product } from './types.ts';

const empty = (): CoverageCounts => ({ producers: 0, producersTrained: 0, producersWithAccount: null, producersLive: null, products: 0, ocopProducts: 0, productsReady: null, productsLive: null, ocopLive: null });

/**
 * Per-commune counts from producer and product lists: producers, producers trained, products
 * and OCOP products (with a certificate not lapsed). Metrics that need accounts, listings or readiness stay null ("—").
 * `communeCodes` limits the rows (an officer's communes); by default every commune has a row.
 */
export function coverageFromLists(communes: readonly Commune[], producers: readonly Pick<Producer, 'communeCode' | 'trainingDate'>[], products: readonly Pick<Product, 'communeCode' | 'ocopStars' | 'certificateExpired'>[], communeCodes?: readonly string[]): Coverage {
  const rows = new Map<string, CoverageRow>();
  const wanted = communeCodes ? new Set(communeCodes) : null;
  for (const c of communes) if (!wanted || wanted.has(c.code)) rows.set(c.code, { communeCode: c.code, communeName: c.fullName, ...empty() });
  const row = (code: string) => rows.get(code);
  for (const p of producers) {
    const r = row(p.communeCode);
    if (!r) continue;
    r.producers! += 1;
    if (p.trainingDate) r.producersTrained! += 1;
  }
  for (const p of products) {
    const r = row(p.communeCode);
    if (!r) continue;
    r.products! += 1;
    if (countsAsOcop(p)) r.ocopProducts! += 1;
  }
  const list = [...rows.values()];
  return { asOf: new Date().toISOString(), rows: list, totals: sumRows(list) };
}

/** Province totals: the sum over communes; a metric null in every row stays null. */
export function sumRows(rows: readonly CoverageCounts[]): CoverageCounts {
  const totals = {} as CoverageCounts;
  for (const m of coverageMetrics) {
    const values = rows.map((r) => r[m]).filter((v): v is number => typeof v === 'number');
    totals[m] = values.length ? values.reduce((a, b) => a + b, 0) : null;
  }
  return totals;
}

/** The dashboard's table as CSV (BOM, CRLF, formula-like text neutralised). */
export const toCsv = (header: readonly string[], rows: readonly (readonly Cell[])[]): string => csvDocument([header, ...rows]);

export type Indicator = CoverageMetric | 'ocopLiveShare';

/** The value of an indicator for a row: a count, or the OCOP live share in percent (one decimal, rounded as every share: 99,96 % is 99,9, not 100). */
export function indicatorValue(row: CoverageCounts, ind: Indicator): number | null {
  if (ind !== 'ocopLiveShare') return row[ind];
  if (row.ocopLive === null || !row.ocopProducts) return null;
  return shareOf(row.ocopLive, row.ocopProducts);
}

/** An indicator's value as the map and its legend write it: `1.250`, `41,7%`, or `—`. */
export const indicatorText = (v: number | null, ind: Indicator): string => (ind === 'ocopLiveShare' ? formatPercent(v, 100) : formatNumber(v));

/** Five class breaks for the map: 0 in its own class, the rest in equal steps up to the maximum. */
export function classBreaks(values: readonly (number | null)[]): number[] {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  if (max <= 0) return [0];
  const step = max / 4;
  return [0, ...[1, 2, 3, 4].map((i) => Math.ceil(step * i))].filter((v, i, a) => i === 0 || v > a[i - 1]!);
}

const tenths = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/**
 * The legend's words for each class of `breaks`: "0", then what each holds above the one before —
 * "2–4" for counts, "1" for a class of one count, "4,1–8%" for shares (which have tenths).
 */
export function classLabels(breaks: readonly number[], ind: Indicator): string[] {
  const share = ind === 'ocopLiveShare';
  return breaks.map((b, i) => {
    if (i === 0) return '0';
    const from = breaks[i - 1]! + (share ? 0.1 : 1);
    return from >= b ? indicatorText(b, ind) : share ? `${tenths.format(from)}–${indicatorText(b, ind)}` : `${formatNumber(from)}–${formatNumber(b)}`;
  });
}

/** Index of the class a value falls into (0 = zero; -1 = no data). */
export function classOf(value: number | null, breaks: readonly number[]): number {
  if (value === null) return -1;
  if (value <= 0) return 0;
  for (let i = 1; i < breaks.length; i++) if (value <= breaks[i]!) return i;
  return breaks.length - 1;
}

export type RawCounts = Partial<Record<CoverageMetric | 'productsOcop3' | 'productsOcop4' | 'productsOcop5', number | null>>;

/**
 * The API's coverage report in the shape the dashboard uses: OCOP products are reported per star
 * rating (`productsOcop3/4/5`) and summed here; a metric the report lacks is null.
 */
/** The API's counters as the web app shows them (OCOP products: the sum of the three ratings). */
export function countsOf(r: RawCounts): CoverageCounts {
  const out = {} as CoverageCounts;
  for (const m of coverageMetrics) out[m] = typeof r[m] === 'number' ? r[m] : null;
  if (out.ocopProducts === null && [r.productsOcop3, r.productsOcop4, r.productsOcop5].some((v) => typeof v === 'number')) out.ocopProducts = (r.productsOcop3 ?? 0) + (r.productsOcop4 ?? 0) + (r.productsOcop5 ?? 0);
  return out;
}

export function normaliseCoverage(raw: { asOf: string; rows: (RawCounts & { communeCode?: string; communeName?: string })[]; totals: RawCounts }): Coverage {
  return {
    asOf: raw.asOf,
    rows: raw.rows.filter((r) => r.communeCode).map((r) => ({ communeCode: r.communeCode!, communeName: r.communeName ?? r.communeCode!, ...countsOf(r) })),
    totals: countsOf(raw.totals),
  };
}
