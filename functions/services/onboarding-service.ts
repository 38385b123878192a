import { getMarketplace, isUrlOnMarketplace, marketplaces, type Marketplace } from '#shared/marketplaces.ts';
import { accountAllowsLiveListing, allowedAccountMoves, allowedListingMoves, isAccountMoveAllowed, isListingMoveAllowed, listingStatusesNeedingAccount, listingStatusesOf, readinessFor, type MarketplaceReadiness } from '#shared/onboarding-rules.ts';
import type { Account, AccountPut, Listing, ListingPut, ListingTransition } from '#shared/schemas/onboarding.ts';
import { AppError, ConflictError, NotFoundError, ValidationError, retryOnRace } from '#functions/core/errors.ts';
import type { CoverageTracker } from './coverage-tracker.ts';
import type { ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { ProductRepository } from '#functions/repositories/product-repository.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { AccountRepository, ListingRepository } from '#functions/repositories/onboarding-repository.ts';
import type { ProducerRecord } from '#functions/repositories/producer-repository.ts';
import type { ProductRecord } from '#functions/repositories/product-repository.ts';
import { assertMayWriteRecords, type Principal } from './principal.ts';
import type { Committer, WriteContext } from './write-context.ts';

type Deps = {
  accounts: AccountRepository;
  listings: ListingRepository;
  audit: AuditRepository;
  commit: Committer;
  /** Producer and product lookups that throw 404 outside the caller's scope. */
  visibleProducer: (p: Principal, id: string, opts?: { consistent?: boolean }) => Promise<ProducerRecord>;
  visibleProduct: (p: Principal, id: string, opts?: { consistent?: boolean }) => Promise<ProductRecord>;
  producers: ProducerRepository;
  products: ProductRepository;
  coverage: CoverageTracker;
};

function marketplaceOr404(id: string): Marketplace {
  const m = getMarketplace(id);
  if (!m) throw new AppError(404, 'UNKNOWN_MARKETPLACE', `No marketplace ${id}`);
  return m;
}

/** A shop's or a listing's address that is not on the marketplace's own domains. */
function offMarketplace(m: Marketplace, path: 'url' | 'shopUrl'): AppError {
  return new AppError(400, 'LISTING_URL_NOT_ON_MARKETPLACE', `The ${path === 'url' ? 'listing' : 'shop'} address is not on ${m.domains.join(', ')}`, { errors: [{ path, message: `expected an address on ${m.domains.join(', ')}` }] });
}

/** Seller accounts, listings and readiness: the onboarding workflow of DESIGN §3. */
export function createOnboardingService(deps: Deps) {
  const { accounts, listings, audit, commit } = deps;

  async function readinessOf(product: ProductRecord, producer: ProducerRecord | undefined): Promise<MarketplaceReadiness[]> {
    const photos = await deps.coverage.photos(product.id);
    return marketplaces.map((m) => readinessFor(m, { product, producer: producer ?? {}, photos }));
  }

  /**
   * Refuses to close a seller account while the producer has listings live or paused on that
   * marketplace. Live ones are also counted on the producer (read consistently, and guarded by
   * the write): a listing that goes live meanwhile makes the close retry and see it.
   */
  async function assertNoListingNeedsAccount(producer: ProducerRecord, m: Marketplace): Promise<void> {
    const listed = await deps.products.listOfProducerListedOn(producer.id, m.id, listingStatusesNeedingAccount, 1000);
    const found = listed.map((p) => ({ productId: p.id, name: p.name, status: p.listingStatuses?.[m.id] ?? 'live' }));
    const unnamedLive = Math.max(0, (producer.liveCounts[m.id] ?? 0) - found.filter((l) => l.status === 'live').length);
    const count = found.length + unnamedLive;
    if (!count) return;
    const shown = found.slice(0, 5).map((l) => `${l.name} (${l.status})`);
    if (count > shown.length) shown.push(`${count - shown.length} more`);
    throw new ConflictError('ACCOUNT_HAS_LISTINGS', `The producer has ${count} listing(s) live or paused on ${m.name} (${shown.join(', ')}); delist them before closing the seller account`, { count, listings: found.slice(0, 20) });
  }

  return {
    async listAccounts(principal: Principal, producerId: string): Promise<Account[]> {
      await deps.visibleProducer(principal, producerId);
      return accounts.listForProducer(producerId);
    },

    putAccount: (ctx: WriteContext, producerId: string, marketplaceId: string, input: AccountPut) => retryOnRace(async (): Promise<Account> => {
      assertMayWriteRecords(ctx.principal);
      const m = marketplaceOr404(marketplaceId);
      // A write judges on what is stored now (a version read a moment ago must match): strongly consistent reads.
      const producer = await deps.visibleProducer(ctx.principal, producerId, { consistent: true });
      const current = await accounts.get(producerId, m.id, { consistent: true });
      const from = current?.status ?? 'none';
      if (current && input.version === undefined) throw new ValidationError([{ path: 'version', message: 'this account exists: send the version you read' }]);
      if (current && input.version !== current.version) throw new ConflictError('VERSION_CONFLICT', 'The account was changed by someone else; reload and retry', { currentVersion: current.version });
      if (!isAccountMoveAllowed(from, input.status)) {
        throw new ConflictError('ILLEGAL_ACCOUNT_TRANSITION', `A seller account cannot go from ${from} to ${input.status}`, { from, to: input.status, allowed: allowedAccountMoves(from) });
      }
      if (input.status === 'none' && from !== 'none') await assertNoListingNeedsAccount(producer, m);
      if (input.shopUrl && !isUrlOnMarketplace(m, input.shopUrl)) throw offMarketplace(m, 'shopUrl');
      const now = new Date().toISOString();
      const next: Account = { producerId, marketplace: m.id, status: input.status, shopUrl: input.shopUrl ?? current?.shopUrl, version: (current?.version ?? 0) + 1, updatedAt: now };
      const others = producer.accountMarketplaces.filter((x) => x !== m.id);
      const accountMarketplaces = (accountAllowsLiveListing(next.status) ? [...others, m.id] : others).sort();
      await commit(
        ctx,
        [
          accounts.putOp(next, current?.version),
          deps.producers.childChangeOp(producer, { accountMarketplaces }),
          ...deps.coverage.ops({ producers: [[producer, { ...producer, accountMarketplaces }]] }),
          audit.recordOp({ entityType: 'account', entityId: `${producerId}#${m.id}`, action: current ? 'update' : 'create', actor: ctx.principal, at: now, before: current ?? null, after: next }),
        ],
        { status: 200, body: next },
      );
      return next;
    }),

    async listListings(principal: Principal, productId: string): Promise<Listing[]> {
      await deps.visibleProduct(principal, productId);
      return listings.listForProduct(productId);
    },

    async history(principal: Principal, productId: string, marketplaceId: string): Promise<ListingTransition[]> {
      marketplaceOr404(marketplaceId);
      await deps.visibleProduct(principal, productId);
      return listings.history(productId, marketplaceId);
    },

    async readiness(principal: Principal, productId: string) {
      const product = await deps.visibleProduct(principal, productId);
      return { productId, marketplaces: await readinessOf(product, await deps.producers.get(product.producerId)) };
    },

    /**
     * Moves a listing through its state machine. Submitting needs readiness 100 (or an
     * override reason); going live needs the listing's URL on the marketplace's domain and a
     * seller account at least registered — both re-checked inside the write transaction.
     */
    putListing: (ctx: WriteContext, productId: string, marketplaceId: string, input: ListingPut) => retryOnRace(async (): Promise<Listing> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      const m = marketplaceOr404(marketplaceId);
      // A write judges on what is stored now (a version read a moment ago must match): strongly consistent reads.
      const product = await deps.visibleProduct(principal, productId, { consistent: true });
      const current = await listings.get(productId, m.id, { consistent: true });
      if (current && input.version === undefined) throw new ValidationError([{ path: 'version', message: 'this listing exists: send the version you read' }]);
      if (current && input.version !== current.version) throw new ConflictError('VERSION_CONFLICT', 'The listing was changed by someone else; reload and retry', { currentVersion: current.version });
      const from = current?.status ?? null;
      const to = input.status;
      if (!isListingMoveAllowed(from, to)) {
        throw new ConflictError('ILLEGAL_LISTING_TRANSITION', `A listing cannot go from ${from ?? 'nothing'} to ${to}`, { from, to, allowed: allowedListingMoves(from) });
      }
      // An address is on the marketplace whatever the status it is sent with: a draft's is shown as a link too.
      if (input.url && !isUrlOnMarketplace(m, input.url)) throw offMarketplace(m, 'url');
      const url = input.url ?? current?.url;
      const checks = [];
      if (to === 'rejected' && !input.reason) throw new AppError(400, 'REJECTION_REASON_REQUIRED', 'Say why the marketplace rejected the listing', { errors: [{ path: 'reason', message: 'required when rejected' }] });
      if (to === 'live') {
        if (!url) throw new AppError(400, 'LISTING_URL_REQUIRED', 'A live listing needs its address on the marketplace', { errors: [{ path: 'url', message: 'required to go live' }] });
        if (!isUrlOnMarketplace(m, url)) throw offMarketplace(m, 'url');
        const account = await accounts.get(product.producerId, m.id, { consistent: true });
        const noAccount = () => new ConflictError('SELLER_ACCOUNT_REQUIRED', `The producer needs a seller account on ${m.name} (at least registered) before a listing goes live`, { accountStatus: account?.status ?? 'none' });
        if (!accountAllowsLiveListing(account?.status)) throw noAccount();
        checks.push(accounts.statusCheckOp(product.producerId, m.id, ['registered', 'verified', 'active'], noAccount));
      }
      if (to === 'submitted') {
        const readiness = (await readinessOf(product, await deps.producers.get(product.producerId, { consistent: true }))).find((r) => r.marketplace === m.id)!;
        if (readiness.percent < 100 && !input.overrideReason) {
          throw new ConflictError('NOT_READY', `The product is ${readiness.percent}% ready for ${m.name}; complete it or record an override reason`, { readiness });
        }
      }
      const wasLive = from === 'live';
      const isLive = to === 'live';
      const liveMarketplaces = wasLive === isLive ? product.liveMarketplaces : (isLive ? [...product.liveMarketplaces, m.id] : product.liveMarketplaces.filter((x) => x !== m.id)).sort();
      // The product keeps its listings' statuses (the product list filters on them); a record older than that field gets them all now.
      const listingStatuses = { ...(product.listingStatuses ?? listingStatusesOf(await listings.listForProduct(productId, { consistent: true }))), [m.id]: to };
      // Submitted on the readiness of this version of the product: it must still be that version.
      checks.push(deps.products.derivedOp(product, { liveMarketplaces, listingStatuses }, to === 'submitted' ? product.version : undefined));
      if (wasLive !== isLive) {
        const producer = await deps.producers.get(product.producerId, { consistent: true });
        if (!producer) throw new NotFoundError('Producer');
        const liveCounts = { ...producer.liveCounts, [m.id]: Math.max(0, (producer.liveCounts[m.id] ?? 0) + (isLive ? 1 : -1)) };
        checks.push(
          deps.producers.childChangeOp(producer, { liveCounts }),
          ...deps.coverage.ops({ products: [[product, { ...product, liveMarketplaces }]], producers: [[producer, { ...producer, liveCounts }]] }),
        );
      }
      const now = new Date().toISOString();
      const next: Listing = {
        productId,
        producerId: product.producerId,
        marketplace: m.id,
        status: to,
        url: to === 'draft' && from === 'delisted' ? undefined : url,
        reason: to === 'rejected' ? input.reason : undefined,
        overrideReason: to === 'submitted' ? input.overrideReason : current?.overrideReason,
        version: (current?.version ?? 0) + 1,
        updatedAt: now,
      };
      const transition: ListingTransition = { at: now, actor: { id: principal.sub, username: principal.username }, from, to, reason: input.reason, overrideReason: input.overrideReason, url: to === 'live' ? url : undefined };
      await commit(
        ctx,
        [
          listings.putOp(next, current?.version),
          listings.transitionOp(productId, m.id, transition),
          ...checks,
          audit.recordOp({ entityType: 'listing', entityId: `${productId}#${m.id}`, action: current ? 'update' : 'create', actor: principal, at: now, before: current ?? null, after: next }),
        ],
        { status: 200, body: next },
      );
      return next;
    }),
  };
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;
