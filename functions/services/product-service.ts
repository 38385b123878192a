import { sameMarketplaces } from '#shared/onboarding-rules.ts';
import { certificateExpiredOn, certificateExpiry, certificateIssues, certificateLapseMoved, type Product, type ProductCreate, type ProductListItem, type ProductListQuery, type ProductUpdate } from '#shared/schemas/product.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import { marketplaceIds } from '#shared/marketplaces.ts';
import { vietnamDate } from '#shared/vietnam-time.ts';
import { NotFoundError, ValidationError, retryOnRace } from '#functions/core/errors.ts';
import type { CoverageTracker } from './coverage-tracker.ts';
import { logger } from '#functions/core/logger.ts';
import { newId } from '#functions/core/ids.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { ProductRecord, ProductRepository } from '#functions/repositories/product-repository.ts';
import { transact, type PageState, type Partition, type Table } from '#functions/repositories/table.ts';
import type { ListingRepository } from '#functions/repositories/onboarding-repository.ts';
import { SYSTEM_ACTOR, assertCommuneInScope, assertMayWriteRecords, assertVisible, canSee, scopeKey, type Principal } from './principal.ts';
import type { Committer, WriteContext } from './write-context.ts';
import { applyPatch } from './patch.ts';

export function productView(r: ProductRecord): Product {
  const { searchName: _sn, createdBy: _cb, updatedBy: _ub, covRev: _cr, ...view } = r;
  return view;
}

/**
 * Derived fields; only a rated product has an OCOP certificate, so only it gets an expiry (and
 * the certificates index entry) and says whether that has passed on `today` (a Vietnam date).
 */
export function withDerived(r: ProductRecord, today = vietnamDate(new Date())): ProductRecord {
  const out = { ...r, searchName: normaliseName(r.name) };
  if (out.ocopStars && out.certificateDate) out.certificateExpiry = certificateExpiry(out.certificateDate);
  else delete out.certificateExpiry;
  const expired = certificateExpiredOn(out, today);
  if (expired === undefined) delete out.certificateExpired;
  else out.certificateExpired = expired;
  return out;
}

/** A product as first stored at `meta.at`, with its derived fields as of then (readiness is the caller's to set). */
export function newProductRecord(input: ProductCreate, meta: { id: string; communeCode: string; at: string; actor: Principal }): ProductRecord {
  return withDerived(
    {
      ...input,
      id: meta.id,
      communeCode: meta.communeCode,
      searchName: '',
      readyMarketplaces: [],
      liveMarketplaces: [],
      listingStatuses: {},
      covRev: 0,
      version: 1,
      createdAt: meta.at,
      updatedAt: meta.at,
      createdBy: meta.actor.sub,
      updatedBy: meta.actor.sub,
    },
    vietnamDate(new Date(meta.at)),
  );
}

/**
 * The certificate rules of a patched product (`certificateIssues`: a rated one needs its
 * certificate; a patch that leaves or makes it unrated may not give one, 400); an unrated one's
 * old certificate is dropped.
 */
function withCertificateRules(next: ProductRecord, changes: Partial<Record<'certificateNo' | 'certificateDate', unknown>>): ProductRecord {
  const issues = certificateIssues(next, changes);
  if (issues.length) throw new ValidationError(issues);
  if (next.ocopStars) return next;
  const { certificateNo: _no, certificateDate: _date, ...unrated } = next;
  return unrated;
}

/**
 * The expiry dates the certificates report covers at `now`: up to `by` (today + `withinDays`),
 * from `from` (today − `expiredWithinDays`) when given; "today" is the date in Vietnam.
 */
export function certificateWindow(now: Date, days: { withinDays: number; expiredWithinDays?: number }): { by: string; from?: string } {
  return { by: vietnamDate(now, days.withinDays), from: days.expiredWithinDays === undefined ? undefined : vietnamDate(now, -days.expiredWithinDays) };
}

type Deps = {
  producers: ProducerRepository;
  products: ProductRepository;
  listings: ListingRepository;
  audit: AuditRepository;
  coverage: CoverageTracker;
  cursors: CursorCodec;
  commit: Committer;
  table: Table;
  /** Called after a product is deleted, to remove what lives outside the table (photo files). */
  onRemoved?: (productId: string) => Promise<void>;
};

export function createProductService(deps: Deps) {
  const { producers, products, listings, audit, coverage, cursors, commit } = deps;

  /** The product if the caller may see it, else 404; `consistent` for a write that judges on it. */
  async function getVisible(principal: Principal, id: string, opts: { consistent?: boolean } = {}): Promise<ProductRecord> {
    const r = await products.get(id, opts);
    if (!r) throw new NotFoundError('Product');
    assertVisible(principal, { communeCode: r.communeCode, producerId: r.producerId }, 'Product');
    return r;
  }

  function partitionsFor(principal: Principal, query: ProductListQuery): Partition[] {
    if (principal.role === 'cooperative') {
      if (!principal.producerId || (query.producerId && query.producerId !== principal.producerId)) return [];
      return [products.producerPartition(principal.producerId)];
    }
    if (query.communeCode) {
      assertCommuneInScope(principal, query.communeCode);
      return [products.communePartition(query.communeCode)];
    }
    if (principal.role === 'officer') return [...principal.communes].sort().map(products.communePartition);
    return [products.provincePartition];
  }

  return {
    getVisible,
    create: (ctx: WriteContext, input: ProductCreate) => retryOnRace(async (): Promise<Product> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      // Writes judge readiness by the producer as it is now (its phone, tax code): a strongly consistent read.
      const producer = await producers.get(input.producerId, { consistent: true });
      if (!producer || !canSee(principal, { communeCode: producer.communeCode, producerId: producer.id })) {
        throw new NotFoundError('Producer');
      }
      assertCommuneInScope(principal, producer.communeCode);
      const now = new Date().toISOString();
      const record = newProductRecord(input, { id: newId(), communeCode: producer.communeCode, at: now, actor: principal });
      record.readyMarketplaces = await coverage.readyMarketplaces(record, producer);
      const view = productView(record);
      await commit(
        ctx,
        [
          products.createOp(record),
          producers.childChangeOp(producer, { productCountDelta: 1 }),
          ...coverage.ops({ products: [[undefined, record]] }),
          audit.recordOp({ entityType: 'product', entityId: record.id, action: 'create', actor: principal, at: now, before: null, after: view }),
        ],
        { status: 201, body: view },
      );
      return view;
    }),

    async get(principal: Principal, id: string): Promise<Product> {
      return productView(await getVisible(principal, id));
    },

    async list(principal: Principal, query: ProductListQuery, page: { limit: number; cursor?: string }) {
      const binding = `products|${principal.sub}|${scopeKey(principal)}|${query.communeCode ?? ''}|${query.producerId ?? ''}|${query.q ?? ''}|${query.ocopStars ?? ''}|${query.marketplace ?? ''}|${query.listingStatus ?? ''}|${query.ready ?? ''}`;
      const start = cursors.decode(page.cursor, binding);
      const partitions = query.producerId && principal.role !== 'cooperative' ? await producerPartitionIfVisible(principal, query) : partitionsFor(principal, query);
      // A marketplace alone asks for products listed there; with `ready` alone it only says whose readiness counts.
      const listing = query.listingStatus || (query.marketplace && !query.ready) ? { marketplaces: query.marketplace ? [query.marketplace] : marketplaceIds, status: query.listingStatus } : undefined;
      const ready = query.ready ? { marketplace: query.marketplace, ready: query.ready === 'true' } : undefined;
      const result = await products.list(partitions, { limit: page.limit, start, nameQuery: query.q ? normaliseName(query.q) : undefined, ocopStars: query.ocopStars === undefined ? undefined : Number(query.ocopStars), listing, ready });
      // Each with its producer's name (products of two producers often share a name): one batch read for the page.
      const owners = result.items.length ? await producers.getMany([...new Set(result.items.map((r) => r.producerId))]) : new Map<string, { name: string }>();
      const items: ProductListItem[] = result.items.map((r) => ({ ...productView(r), producerName: owners.get(r.producerId)?.name }));
      return { items, nextCursor: cursors.encode(result.next, binding) };
    },

    /**
     * Rated products in scope whose certificate expires within `withinDays`, or has expired (only
     * within the last `expiredWithinDays` when given), soonest first.
     */
    async expiringCertificates(principal: Principal, days: { withinDays: number; expiredWithinDays?: number }, page: { limit: number; cursor?: string }) {
      const binding = `certificates|${principal.sub}|${days.withinDays}|${days.expiredWithinDays ?? ''}`;
      const { by, from } = certificateWindow(new Date(), days);
      const scope = principal.role === 'officer' ? { communes: principal.communes } : principal.role === 'cooperative' ? { producerId: principal.producerId ?? '-' } : {};
      const result = await products.listExpiringBy(by, { limit: page.limit, start: cursors.decode(page.cursor, binding), from, ...scope });
      return { items: result.items.map(productView), nextCursor: cursors.encode(result.next, binding) };
    },

    update: (ctx: WriteContext, id: string, patch: ProductUpdate) => retryOnRace(async (): Promise<Product> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      const current = await getVisible(principal, id);
      const { version, ...changes } = patch;
      const now = new Date().toISOString();
      const merged = withCertificateRules(applyPatch(current, changes), changes);
      const next = withDerived({ ...merged, version: current.version + 1, updatedAt: now, updatedBy: principal.sub });
      next.readyMarketplaces = await coverage.readyMarketplaces(next, await producers.get(next.producerId, { consistent: true }));
      const view = productView(next);
      await commit(
        ctx,
        [
          products.replaceOp(next, current, version),
          ...coverage.ops({ products: [[current, next]] }),
          audit.recordOp({ entityType: 'product', entityId: id, action: 'update', actor: principal, at: now, before: productView(current), after: view }),
        ],
        { status: 200, body: view },
      );
      return view;
    }),

    remove: (ctx: WriteContext, id: string) => retryOnRace(async (): Promise<void> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      const current = await getVisible(principal, id);
      const producer = await producers.get(current.producerId, { consistent: true });
      if (!producer) throw new NotFoundError('Producer');
      const now = new Date().toISOString();
      const children = await listings.listingKeysOfProduct(id);
      const liveCounts = { ...producer.liveCounts };
      for (const m of current.liveMarketplaces) liveCounts[m] = Math.max(0, (liveCounts[m] ?? 0) - 1);
      const producerAfter = { ...producer, liveCounts };
      await commit(
        ctx,
        [
          products.deleteOp(current),
          ...children.map((key) => listings.deleteOp(key)),
          producers.childChangeOp(producer, { productCountDelta: -1, liveCounts }),
          ...coverage.ops({ products: [[current, undefined]], producers: [[producer, producerAfter]] }),
          audit.recordOp({ entityType: 'product', entityId: id, action: 'delete', actor: principal, at: now, before: productView(current), after: null }),
        ],
        { status: 204, body: null },
      );
      // The product is gone; what hangs off it goes after, outside its transaction of at most 100
      // items: the photos and the listing history (a transition per move, without limit). Both
      // are tried even if one fails (leftovers are invisible, and cost only storage).
      const cleanUp = await Promise.allSettled([deps.onRemoved?.(id), listings.deleteHistoryOfProduct(id)]);
      for (const r of cleanUp) if (r.status === 'rejected') logger.warn('product clean-up failed', { productId: id, error: (r.reason as Error)?.name });
    }),

    /**
     * Recomputes what the product derives from elsewhere — where it is ready (after its photos
     * changed) and whether its certificate has lapsed (the calendar moved on) — and moves the
     * counters with it. It writes even when nothing moved: the write bumps the product's coverage
     * revision, so an edit that read the photos before this change cannot commit readiness
     * computed without it (the edit retries and reads them again). Says what moved (the
     * reconciliation counts its repairs by it); `now` decides whether the certificate has lapsed.
     */
    refreshDerived: (id: string, now = new Date()) => retryOnRace(async (): Promise<{ readiness: boolean; certificate: boolean }> => {
      const current = await products.get(id);
      if (!current) return { readiness: false, certificate: false };
      const readyMarketplaces = await coverage.readyMarketplaces(current, await producers.get(current.producerId, { consistent: true }));
      const certificateExpired = certificateExpiredOn(current, vietnamDate(now));
      const next = { ...current, readyMarketplaces, certificateExpired };
      const certificate = certificateLapseMoved(current, certificateExpired);
      // Readiness is derived, like the counters; a certificate lapsing is an event in the product's life: its trail says when.
      const lapseEvent = certificate ? [audit.recordOp({ entityType: 'product', entityId: id, action: 'update', actor: SYSTEM_ACTOR, at: new Date().toISOString(), before: { certificateExpired: Boolean(current.certificateExpired) }, after: { certificateExpired: Boolean(certificateExpired) } })] : [];
      await transact(deps.table, [products.derivedOp(current, { readyMarketplaces, certificateExpired }), ...coverage.ops({ products: [[current, next]] }), ...lapseEvent]);
      return { readiness: !sameMarketplaces(readyMarketplaces, current.readyMarketplaces), certificate };
    }),

    /**
     * The rated products whose certificate had expired at `now` (in Vietnam: expiry before that
     * day) and are not yet marked so: from the certificates index, never the table.
     */
    async unmarkedLapsedCertificates(now = new Date()): Promise<string[]> {
      const ids: string[] = [];
      let start: PageState | undefined;
      do {
        const page = await products.listExpiringBy(vietnamDate(now, -1), { limit: 100, start, unmarked: true });
        ids.push(...page.items.map((p) => p.id));
        start = page.next;
      } while (start);
      return ids;
    },
  };

  async function producerPartitionIfVisible(principal: Principal, query: ProductListQuery): Promise<Partition[]> {
    const producer = await producers.get(query.producerId!);
    if (!producer || !canSee(principal, { communeCode: producer.communeCode, producerId: producer.id })) return [];
    if (query.communeCode && query.communeCode !== producer.communeCode) return [];
    return [products.producerPartition(producer.id)];
  }
}
export type ProductService = ReturnType<typeof createProductService>;
