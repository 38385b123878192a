import { marketplaces } from '#shared/marketplaces.ts';
import { contributionDelta, producerContribution, productContribution, type Contribution, type ProducerCoverageState, type ProductCoverageState } from '#shared/coverage-rules.ts';
import { readyMarketplacesOf, type ReadinessInput } from '#shared/onboarding-rules.ts';
import type { CoverageRepository } from '#functions/repositories/coverage-repository.ts';
import type { ProducerRecord } from '#functions/repositories/producer-repository.ts';
import type { ProductRecord } from '#functions/repositories/product-repository.ts';
import type { TxOp } from '#functions/repositories/table.ts';

/** What readiness knows of a product's photos; the photo pipeline provides it. */
export type PhotoSummaryProvider = (productId: string) => Promise<ReadinessInput['photos']>;
export const noPhotos: PhotoSummaryProvider = async () => ({ readyCount: 0 });

type Pair<T> = [before: T | undefined, after: T | undefined];

/** What the counters hold for a producer: its kept derived state. */
export const producerCoverageState = (r: ProducerRecord): ProducerCoverageState => ({ communeCode: r.communeCode, trainingDate: r.trainingDate, accountMarketplaces: r.accountMarketplaces, liveCounts: r.liveCounts });

/** What the counters hold for a product: its kept derived state. */
export const productCoverageState = (r: ProductRecord): ProductCoverageState => ({ communeCode: r.communeCode, ocopStars: r.ocopStars, certificateExpired: r.certificateExpired, readyMarketplaces: r.readyMarketplaces, liveMarketplaces: r.liveMarketplaces });

/**
 * Keeps the coverage counters exact: every write passes the records it changes, before and
 * after, and gets the counter updates to put in the same transaction. Because the records'
 * coverage revisions are guarded in that transaction, counters never drift under
 * concurrency, retries (idempotency) or merges.
 */
export function createCoverageTracker(deps: { coverage: CoverageRepository; photos: PhotoSummaryProvider }) {
  const producerOf = (r: ProducerRecord | undefined): Contribution => producerContribution(r && producerCoverageState(r));
  const productOf = (r: ProductRecord | undefined): Contribution => productContribution(r && productCoverageState(r));

  return {
    /** Marketplaces where the product is 100% ready, given its producer and photos. */
    async readyMarketplaces(product: ProductRecord, producer: Pick<ProducerRecord, 'phone' | 'taxCode'> | undefined): Promise<string[]> {
      const photos = await deps.photos(product.id);
      return readyMarketplacesOf(marketplaces, { product, producer: producer ?? {}, photos });
    },
    photos: deps.photos,
    ops(changes: { producers?: Pair<ProducerRecord>[]; products?: Pair<ProductRecord>[] }): TxOp[] {
      const pairs: [Contribution, Contribution][] = [
        ...(changes.producers ?? []).map(([b, a]) => [producerOf(b), producerOf(a)] as [Contribution, Contribution]),
        ...(changes.products ?? []).map(([b, a]) => [productOf(b), productOf(a)] as [Contribution, Contribution]),
      ];
      return deps.coverage.deltaOps(contributionDelta(pairs));
    },
  };
}
export type CoverageTracker = ReturnType<typeof createCoverageTracker>;
