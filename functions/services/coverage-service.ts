import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { ALL, contributionDelta, coverageMetrics, counterKey, roundToTenth, emptyMetrics, producerContribution, productContribution, type Contribution, type CoverageMetric, type Metrics } from '#shared/coverage-rules.ts';
import { marketplaces } from '#shared/marketplaces.ts';
import { accountAllowsLiveListing, listingStatusesOf, readyMarketplacesOf, sameListingStatuses, sameMarketplaces, type ListingStatus } from '#shared/onboarding-rules.ts';
import { AccountSchema, ListingSchema } from '#shared/schemas/onboarding.ts';
import { certificateExpiredOn, certificateLapseMoved } from '#shared/schemas/product.ts';
import { vietnamDate, vietnamMonthEnd } from '#shared/vietnam-time.ts';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { CoverageRepository, CoverageRow } from '#functions/repositories/coverage-repository.ts';
import { ProducerRecordSchema, type ProducerRecord } from '#functions/repositories/producer-repository.ts';
import { ProductRecordSchema, type ProductRecord, type ProductRepository } from '#functions/repositories/product-repository.ts';
import { send, type Item, type Table } from '#functions/repositories/table.ts';
import type { ListingRepository } from '#functions/repositories/onboarding-repository.ts';
import { logger } from '#functions/core/logger.ts';
import { AppError, ConflictError } from '#functions/core/errors.ts';
import { snapshotMonthAt } from '#functions/jobs/scheduled-jobs.ts';
import type { PhotoSummaryProvider } from './coverage-tracker.ts';
import type { TargetRepository } from '#functions/repositories/target-repository.ts';
import type { Target } from '#shared/schemas/coverage.ts';

export type Recount = {
  counters: Contribution;
  producers: number;
  products: number;
  /** Products whose kept listing statuses were missing or differed from their listings when scanned (to check again before repairing). */
  staleListingStatuses: string[];
  /**
   * Products whose kept derived state (what the counters hold for them) differs from their records
   * when scanned: readiness (a refresh that did not run, or a registry change), or whether the
   * certificate has lapsed (the nightly marking has not run yet).
   */
  staleDerived: string[];
  /** Producers whose kept count of bound cooperative users differs from the users scanned (checked again before repairing). */
  staleUserCounts: string[];
};

/**
 * Recounts coverage from the primary records — producers, products, seller accounts,
 * listings and photos — without trusting any derived attribute or counter. A batch job
 * (nightly reconciliation, tests), never a request path: it scans the table.
 */
export async function recountFromRecords(table: Table, photos: PhotoSummaryProvider, now = new Date()): Promise<Recount> {
  const today = vietnamDate(now);
  const producers: ProducerRecord[] = [];
  const products: ProductRecord[] = [];
  const accountsByProducer = new Map<string, string[]>();
  const liveByProduct = new Map<string, string[]>();
  const listingsByProduct = new Map<string, { marketplace: string; status: ListingStatus }[]>();
  const boundUsers = new Map<string, number>();
  const SEGMENTS = 4;
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_, segment) => {
      let start: Item | undefined;
      do {
        const out = await send(() =>
          table.doc.send(
            new ScanCommand({
              TableName: table.name,
              Segment: segment,
              TotalSegments: SEGMENTS,
              ExclusiveStartKey: start,
              FilterExpression: 'begins_with(PK, :p) AND #t IN (:a, :b, :c, :d, :e)',
              ExpressionAttributeNames: { '#t': 'type' },
              ExpressionAttributeValues: { ':p': table.prefix, ':a': 'producer', ':b': 'product', ':c': 'account', ':d': 'listing', ':e': 'user' },
            }),
          ),
        );
        for (const item of out.Items ?? []) {
          if (item.type === 'user') {
            if (typeof item.producerId === 'string') boundUsers.set(item.producerId, (boundUsers.get(item.producerId) ?? 0) + 1);
          } else if (item.type === 'producer') producers.push(ProducerRecordSchema.parse(item));
          else if (item.type === 'product') products.push(ProductRecordSchema.parse(item));
          else if (item.type === 'account') {
            const a = AccountSchema.parse(item);
            if (accountAllowsLiveListing(a.status)) accountsByProducer.set(a.producerId, [...(accountsByProducer.get(a.producerId) ?? []), a.marketplace]);
          } else {
            const l = ListingSchema.parse(item);
            listingsByProduct.set(l.productId, [...(listingsByProduct.get(l.productId) ?? []), l]);
            if (l.status === 'live') liveByProduct.set(l.productId, [...(liveByProduct.get(l.productId) ?? []), l.marketplace]);
          }
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }),
  );
  const producerById = new Map(producers.map((p) => [p.id, p]));
  const liveCounts = new Map<string, Record<string, number>>();
  const pairs: [Contribution, Contribution][] = [];
  const staleDerived: string[] = [];
  for (const p of products) {
    const producer = producerById.get(p.producerId);
    const live = liveByProduct.get(p.id) ?? [];
    const counts = liveCounts.get(p.producerId) ?? {};
    for (const m of live) counts[m] = (counts[m] ?? 0) + 1;
    liveCounts.set(p.producerId, counts);
    const photoSummary = await photos(p.id);
    const ready = readyMarketplacesOf(marketplaces, { product: p, producer: producer ?? {}, photos: photoSummary });
    // From the expiry every write derives from the decision date: whether it has passed is the calendar's part.
    const certificateExpired = certificateExpiredOn(p, today);
    if (!sameMarketplaces(ready, p.readyMarketplaces) || certificateLapseMoved(p, certificateExpired)) staleDerived.push(p.id);
    pairs.push([new Map(), productContribution({ communeCode: producer?.communeCode ?? p.communeCode, ocopStars: p.ocopStars, certificateExpired, readyMarketplaces: ready, liveMarketplaces: live })]);
  }
  for (const p of producers) {
    pairs.push([new Map(), producerContribution({ communeCode: p.communeCode, trainingDate: p.trainingDate, accountMarketplaces: accountsByProducer.get(p.id) ?? [], liveCounts: liveCounts.get(p.id) ?? {} })]);
  }
  const staleListingStatuses = products.filter((p) => !p.listingStatuses || !sameListingStatuses(p.listingStatuses, listingStatusesOf(listingsByProduct.get(p.id) ?? []))).map((p) => p.id);
  // A producer stored before it kept a count has none to check: the first user change touching it counts.
  const staleUserCounts = producers.filter((p) => p.userCount !== undefined && p.userCount !== (boundUsers.get(p.id) ?? 0)).map((p) => p.id);
  return { counters: contributionDelta(pairs), producers: producers.length, products: products.length, staleListingStatuses, staleDerived, staleUserCounts };
}

export type Difference = { marketplace: string; communeCode: string; metric: CoverageMetric; counted: number; recorded: number };

/** Compares maintained counters with a recount; expected: no difference. */
export function compareCounters(rows: CoverageRow[], recount: Contribution): Difference[] {
  const diffs: Difference[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = counterKey(row.marketplace, row.communeCode);
    seen.add(key);
    const counted = recount.get(key) ?? {};
    for (const metric of coverageMetrics) {
      if ((counted[metric] ?? 0) !== row[metric]) diffs.push({ marketplace: row.marketplace, communeCode: row.communeCode, metric, counted: counted[metric] ?? 0, recorded: row[metric] });
    }
  }
  for (const [key, counted] of recount) {
    if (seen.has(key)) continue;
    const [marketplace, communeCode] = key.split('|') as [string, string];
    for (const [metric, n] of Object.entries(counted) as [CoverageMetric, number][]) diffs.push({ marketplace, communeCode, metric, counted: n, recorded: 0 });
  }
  return diffs;
}

export type CoverageBy = 'province' | 'commune' | 'district';

/** Sums rows into one set of metrics. */
export function sumRows(rows: Metrics[]): Metrics {
  const total = emptyMetrics();
  for (const r of rows) for (const k of coverageMetrics) total[k] += r[k];
  return total;
}

/** A metric, or `productsOcop` (3★ + 4★ + 5★), from a set of metrics. */
export function metricValue(m: Metrics, name: string): number | undefined {
  if (name === 'productsOcop') return m.productsOcop3 + m.productsOcop4 + m.productsOcop5;
  return (coverageMetrics as readonly string[]).includes(name) ? m[name as CoverageMetric] : undefined;
}

/** Where an indicator stands: a count, or a ratio `a/b` in percent (one decimal); undefined for an unknown name or a ratio of nothing. */
export function indicatorValue(m: Metrics, indicator: string): number | undefined {
  const [a, b] = indicator.split('/');
  const num = metricValue(m, a!);
  if (num === undefined) return undefined;
  if (b === undefined) return num;
  const den = metricValue(m, b);
  if (den === undefined) return undefined;
  // A share of nothing is not 0 %: none yet (e.g. no OCOP product, so no share of them live).
  return den === 0 ? undefined : roundToTenth((100 * num) / den);
}


/** How many products the reconciliation repairs at once. */
const REPAIR_CONCURRENCY = 8;

/**
 * Runs `repair` over `ids`, a few at a time. One that fails is counted (the first logged) and
 * the rest go on: the next run tries it again. `repair` says whether it wrote.
 */
async function repairEach(ids: readonly string[], repair: (id: string) => Promise<boolean>, what: string) {
  let repaired = 0;
  let failed = 0;
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: REPAIR_CONCURRENCY }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          if (await repair(id)) repaired += 1;
        } catch (e) {
          failed += 1;
          if (failed === 1) logger.warn(`a ${what} could not be repaired`, { recordId: id, error: e instanceof Error ? e.name : String(e) });
        }
      }
    }),
  );
  return { repaired, failed };
}

export function createCoverageService(deps: { table: Table; coverage: CoverageRepository; targets: TargetRepository; photos: PhotoSummaryProvider; products: ProductRepository; listings: ListingRepository; refreshDerived: (productId: string, now?: Date) => Promise<{ readiness: boolean; certificate: boolean }>; unmarkedLapsedCertificates: (now: Date) => Promise<string[]>; repairUserCount: (producerId: string) => Promise<boolean> }) {
  /**
   * Makes the listing statuses product `id` keeps say what its listings say, both read afresh
   * (consistently): a scan is no snapshot, and a listing may have moved since. One UpdateItem,
   * guarded by the product's coverage revision, which every listing change bumps, so a change
   * landing meanwhile wins. True if it wrote.
   */
  const repairListingStatuses = async (id: string): Promise<boolean> => {
    const product = await deps.products.get(id, { consistent: true });
    if (!product) return false;
    const listingStatuses = listingStatusesOf(await deps.listings.listForProduct(id, { consistent: true }));
    if (product.listingStatuses && sameListingStatuses(product.listingStatuses, listingStatuses)) return false;
    try {
      await send(() => deps.table.doc.send(new UpdateCommand(deps.products.derivedOp(product, { listingStatuses }).item.Update!)));
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  };
  /** When the snapshot of `month` was taken; 404 NO_SNAPSHOT if it was not. */
  const snapshotTakenAt = async (month: string) => {
    const takenAt = await deps.coverage.snapshotTakenAt(month);
    if (!takenAt) throw new AppError(404, 'NO_SNAPSHOT', `There is no month-end snapshot of ${month}`);
    return takenAt;
  };
  /** One marketplace's counter rows: now, or as the month-end snapshot of `month` recorded them (none if it was not taken). */
  const rowsAt = (marketplace: string, month?: string): Promise<CoverageRow[]> => (month ? deps.coverage.snapshotRows(marketplace, month, month) : deps.coverage.rowsFor(marketplace));
  return {
    /** The targets those who cover `communes` see: the province's, and those of their own communes (of `all`, today's by default). */
    async targetsFor(communes: string[] | 'all', all?: Target[]) {
      return (all ?? (await deps.targets.list())).filter((t) => t.scope === 'province' || communes === 'all' || communes.includes(t.scope));
    },
    /**
     * The targets with where each stands in the given scope, and the share reached: now, against
     * today's targets; or at the end of `month`, against the targets in force when its snapshot
     * was taken (today's, for a snapshot taken before they were kept). `asOf` says when the
     * targets were read. One parallel read per marketplace. A commune's own target is shown only
     * to those who cover that commune.
     */
    async targetsWithProgress(communes: string[] | 'all', month?: string): Promise<{ asOf: string; items: (Target & { current: number | null; achieved: number | null })[] }> {
      const kept = month ? await deps.coverage.snapshotMarker(month) : undefined;
      const asOf = kept?.targets ? kept.takenAt : new Date().toISOString();
      const targets = await this.targetsFor(communes, kept?.targets);
      const markets = [...new Set(targets.map((t) => t.marketplace))];
      const rowsBy = new Map(await Promise.all(markets.map(async (m) => [m, await rowsAt(m, month)] as const)));
      const items = targets.map((t) => {
        const rows = rowsBy.get(t.marketplace)!.filter((r) => (t.scope === 'province' ? communes === 'all' || communes.includes(r.communeCode) : r.communeCode === t.scope));
        const current = indicatorValue(sumRows(rows), t.indicator);
        // A province-wide count seen from a few communes says where they stand, not how much of the target is reached.
        const partial = t.scope === 'province' && communes !== 'all' && t.unit === 'count';
        return { ...t, current: current ?? null, achieved: current === undefined || t.value === 0 || partial ? null : roundToTenth((100 * current) / t.value) };
      });
      return { asOf, items };
    },
    /**
     * Records the counters as the snapshot of `month` (normally the month just ended, in Vietnam
     * time). Month-end figures are what reports quote: one already taken is kept (409
     * SNAPSHOT_EXISTS) unless `replace` says to take it again.
     */
    async snapshot(month = snapshotMonthAt(new Date()), opts: { replace?: boolean; now?: Date } = {}) {
      if (!opts.replace && (await deps.coverage.hasSnapshot(month))) throw new ConflictError('SNAPSHOT_EXISTS', `The snapshot of ${month} was already taken; ask to replace it to take it again`);
      // First what had lapsed by the month's last day (a certificate valid through that day counts in it), nothing after.
      const now = opts.now ?? new Date();
      const marking = await this.markLapsedCertificates(new Date(Math.min(vietnamMonthEnd(month).getTime(), now.getTime())));
      const takenAt = new Date().toISOString();
      const [rows, targets] = await Promise.all([deps.coverage.allRows(), deps.targets.list()]);
      await deps.coverage.writeSnapshot(month, rows, takenAt, targets);
      return { month, takenAt, certificatesMarkedExpired: marking.marked, certificateMarkingsFailed: marking.failed };
    },
    /** Takes the snapshot of the month ended before `now` if it is missing (the local server's daily jobs). */
    async catchUp(now = new Date()) {
      const month = snapshotMonthAt(now);
      return (await deps.coverage.hasSnapshot(month)) ? null : this.snapshot(month, { now });
    },
    /**
     * The monthly series of totals over the caller's communes: every month whose snapshot was
     * taken — all zeros where none of them had anything yet — and no month whose take stopped
     * part-way.
     */
    async history(communes: string[] | 'all', marketplace: string, from: string, to: string) {
      const [taken, rows] = await Promise.all([deps.coverage.snapshotMonths(from, to), deps.coverage.snapshotRows(marketplace, from, to)]);
      const rowsOf = new Map<string, Metrics[]>();
      for (const r of rows) {
        if (communes !== 'all' && !communes.includes(r.communeCode)) continue;
        rowsOf.set(r.month, [...(rowsOf.get(r.month) ?? []), r]);
      }
      return { marketplace, series: taken.map((m) => ({ month: m.month, takenAt: m.takenAt, totals: sumRows(rowsOf.get(m.month) ?? []) })) };
    },
    /** One row per commune in scope (zeros included) and their totals, for one marketplace: now, or at the end of `month`. */
    async communeReport(communes: string[] | 'all', marketplace = ALL, month?: string) {
      const [takenAt, rows] = await Promise.all([month ? snapshotTakenAt(month) : undefined, rowsAt(marketplace, month)]);
      const byCommune = new Map(rows.map((r) => [r.communeCode, r]));
      const inScope = listCommunes().filter((c) => communes === 'all' || communes.includes(c.code));
      const communeRows = inScope.map((c) => {
        const r = byCommune.get(c.code);
        const metrics = emptyMetrics();
        if (r) for (const k of coverageMetrics) metrics[k] = r[k];
        return { communeCode: c.code, communeName: c.fullName, formerDistrict: c.formerDistricts[0]?.fullName ?? '', ...metrics };
      });
      return { rows: communeRows, totals: sumRows(communeRows), ...(takenAt ? { takenAt } : {}) };
    },

    /** Coverage for one marketplace, by commune (all 166, zeros included), province total, or former district: now, or at the end of `month`. */
    async report(communes: string[] | 'all', by: CoverageBy, marketplace = ALL, month?: string) {
      const { rows: communeRows, totals, takenAt } = await this.communeReport(communes, marketplace, month);
      const when = { asOf: takenAt ?? new Date().toISOString(), ...(month ? { month } : {}) };
      if (by === 'province') return { marketplace, by, rows: [], totals, ...when };
      if (by === 'commune') return { marketplace, by, rows: communeRows, totals, ...when };
      const districts = new Map<string, Metrics & { formerDistrict: string; communes: number }>();
      for (const r of communeRows) {
        const d = districts.get(r.formerDistrict) ?? { formerDistrict: r.formerDistrict, communes: 0, ...emptyMetrics() };
        for (const k of coverageMetrics) d[k] += r[k];
        d.communes += 1;
        districts.set(r.formerDistrict, d);
      }
      return { marketplace, by, rows: [...districts.values()].sort((a, b) => a.formerDistrict.localeCompare(b.formerDistrict, 'vi')), totals, ...when };
    },
    /**
     * Marks the rated products whose certificate had expired at `now` (the day after its expiry
     * date, in Vietnam) and are not marked yet, so they stop counting as OCOP, through the write
     * a product's derived state uses; one that fails is counted and tried again next time.
     */
    async markLapsedCertificates(now = new Date()) {
      const ids = await deps.unmarkedLapsedCertificates(now);
      const { repaired: marked, failed } = await repairEach(ids, async (id) => (await deps.refreshDerived(id, now)).certificate, 'product’s certificate lapse');
      return { marked, failed };
    },
    /**
     * The nightly job. First marks the certificates that lapsed since the last run (the calendar's
     * own change, expected every night: not a difference). Then recounts everything from the
     * records and compares the counters with the recount. Before comparing, it repairs what a
     * product keeps from its records, each through the write the product's own changes use: its
     * derived state — readiness and certificate lapse — with the counters that follow it (so a
     * refresh that failed after a photo change, a change of the marketplace registry, or a night
     * the marking did not run is made good here), and its listing statuses. The differences
     * reported are those still there after the repairs: counters that do not add up, which no
     * record explains. It also sets right each producer's count of bound cooperative users where
     * it differs from the users scanned (`repairUserCount`).
     */
    async reconcile() {
      const marking = await this.markLapsedCertificates();
      const [rowsBefore, recount] = await Promise.all([deps.coverage.allRows(), recountFromRecords(deps.table, deps.photos)]);
      const differencesFound = compareCounters(rowsBefore, recount.counters).length;
      const [listingStatuses, derived, userCounts] = await Promise.all([
        repairEach(recount.staleListingStatuses, repairListingStatuses, 'product’s listing statuses'),
        repairEach(recount.staleDerived, async (id) => Object.values(await deps.refreshDerived(id)).some(Boolean), 'product’s derived state'),
        repairEach(recount.staleUserCounts, deps.repairUserCount, 'producer’s user count'),
      ]);
      const rows = derived.repaired ? await deps.coverage.allRows() : rowsBefore;
      const differences = compareCounters(rows, recount.counters);
      return {
        checkedAt: new Date().toISOString(),
        producers: recount.producers,
        products: recount.products,
        counters: rows.length,
        differences,
        differencesFound,
        certificatesMarkedExpired: marking.marked,
        certificateMarkingsFailed: marking.failed,
        derivedRepaired: derived.repaired,
        derivedRepairsFailed: derived.failed,
        userCountsFound: recount.staleUserCounts.length,
        userCountsRepaired: userCounts.repaired,
        userCountRepairsFailed: userCounts.failed,
        listingStatusesRepaired: listingStatuses.repaired,
        listingStatusRepairsFailed: listingStatuses.failed,
      };
    },
  };
}
export type CoverageService = ReturnType<typeof createCoverageService>;
