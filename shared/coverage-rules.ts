import { marketplaces } from './marketplaces.ts';

/**
 * Coverage metrics of DESIGN §3, counted per commune × marketplace. The marketplace `all`
 * counts "on at least one marketplace" (a producer with an account anywhere, a product live
 * anywhere), which is not the sum of the per-marketplace rows.
 */
export const coverageMetrics = [
  'producers',
  'producersTrained',
  'producersWithAccount',
  'producersLive',
  'products',
  'productsOcop3',
  'productsOcop4',
  'productsOcop5',
  'productsReady',
  'productsLive',
  'ocopLive',
] as const;
export type CoverageMetric = (typeof coverageMetrics)[number];
export type Metrics = Record<CoverageMetric, number>;

export const ALL = 'all';
export const coverageMarketplaces = [ALL, ...marketplaces.map((m) => m.id)];

export const emptyMetrics = (): Metrics => Object.fromEntries(coverageMetrics.map((k) => [k, 0])) as Metrics;

/** What of a producer counts towards coverage. */
export type ProducerCoverageState = {
  communeCode: string;
  trainingDate?: string;
  /** Marketplaces where its seller account is at least registered. */
  accountMarketplaces: string[];
  /** Per marketplace, how many of its products are live there. */
  liveCounts: Record<string, number>;
};

/** What of a product counts towards coverage. */
export type ProductCoverageState = {
  communeCode: string;
  ocopStars: number;
  /** A rated product whose certificate has lapsed keeps its stars but counts as OCOP no more (the OCOP metrics, `ocopLive`). */
  certificateExpired?: boolean;
  readyMarketplaces: string[];
  liveMarketplaces: string[];
};

/** A contribution: counter key `<marketplace>|<commune>` → metric → count. */
export type Contribution = Map<string, Partial<Metrics>>;

export const counterKey = (marketplace: string, communeCode: string) => `${marketplace}|${communeCode}`;

function add(c: Contribution, marketplace: string, commune: string, metric: CoverageMetric, n = 1) {
  const key = counterKey(marketplace, commune);
  const m = c.get(key) ?? {};
  m[metric] = (m[metric] ?? 0) + n;
  c.set(key, m);
}

export function producerContribution(p: ProducerCoverageState | undefined): Contribution {
  const c: Contribution = new Map();
  if (!p) return c;
  const liveOn = coverageMarketplaces.slice(1).filter((m) => (p.liveCounts[m] ?? 0) > 0);
  for (const m of coverageMarketplaces) {
    add(c, m, p.communeCode, 'producers');
    if (p.trainingDate) add(c, m, p.communeCode, 'producersTrained');
    if (m === ALL ? p.accountMarketplaces.length > 0 : p.accountMarketplaces.includes(m)) add(c, m, p.communeCode, 'producersWithAccount');
    if (m === ALL ? liveOn.length > 0 : liveOn.includes(m)) add(c, m, p.communeCode, 'producersLive');
  }
  return c;
}

/** A product counts as OCOP while it is rated (3–5 stars) and its certificate has not lapsed. */
export const countsAsOcop = (p: Pick<ProductCoverageState, 'ocopStars' | 'certificateExpired'>): boolean => p.ocopStars >= 3 && !p.certificateExpired;

export function productContribution(p: ProductCoverageState | undefined): Contribution {
  const c: Contribution = new Map();
  if (!p) return c;
  const ocop = countsAsOcop(p);
  for (const m of coverageMarketplaces) {
    add(c, m, p.communeCode, 'products');
    if (ocop) add(c, m, p.communeCode, `productsOcop${p.ocopStars}` as CoverageMetric);
    const ready = m === ALL ? p.readyMarketplaces.length > 0 : p.readyMarketplaces.includes(m);
    const live = m === ALL ? p.liveMarketplaces.length > 0 : p.liveMarketplaces.includes(m);
    if (ready) add(c, m, p.communeCode, 'productsReady');
    if (live) add(c, m, p.communeCode, 'productsLive');
    if (live && ocop) add(c, m, p.communeCode, 'ocopLive');
  }
  return c;
}

/** Sum of `after − before` over any number of contribution pairs, without zero entries. */
export function contributionDelta(pairs: [Contribution, Contribution][]): Contribution {
  const out: Contribution = new Map();
  for (const [before, after] of pairs) {
    for (const [sign, c] of [[-1, before], [1, after]] as const) {
      for (const [key, metrics] of c) {
        const m = out.get(key) ?? {};
        for (const [k, v] of Object.entries(metrics) as [CoverageMetric, number][]) m[k] = (m[k] ?? 0) + sign * v;
        out.set(key, m);
      }
    }
  }
  for (const [key, metrics] of out) {
    for (const k of Object.keys(metrics) as CoverageMetric[]) if (metrics[k] === 0) delete metrics[k];
    if (Object.keys(metrics).length === 0) out.delete(key);
  }
  return out;
}

/**
 * A percentage rounded to one decimal, the one rule for every share the product shows, on screen
 * and in exports: 5 of 12 is 41,7 %. A share short of the whole never reads 100: 99,96 % is 99,9
 * (100 is for the whole only). The epsilons keep a value such as 57,3, 41,65 or 100 from landing just
 * under itself in floating point.
 */
export function roundToTenth(percent: number): number {
  const rounded = Math.round(10 * percent + 1e-9) / 10;
  return rounded >= 100 && percent < 100 - 1e-9 ? 99.9 : rounded;
}

const tenths = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** A percentage as the product writes it, rounded as `roundToTenth` says: `41,7%`, `50%`, `99,9%`. */
export const percentText = (percent: number): string => `${tenths.format(roundToTenth(percent))}%`;
