import type { Marketplace } from '#shared/marketplaces.ts';
import { checkVariantAgainstRules, photosForMarketplace } from '#shared/onboarding-rules.ts';
import type { PhotoRecord, PhotoRepository } from './photo-repository.ts';

/** What readiness needs to know of a product's photos (the shape of `ReadinessInput['photos']` in shared/onboarding-rules.ts). */
export type PhotoSummary = { readyCount: number; meetsRules: (m: Marketplace) => boolean };

/**
 * Summary of photo records: ready ones count; a marketplace's rules are met when each photo it
 * gets (`photosForMarketplace`: the first `maxCount` ready ones in order) has a variant for it
 * that passes them.
 */
export function summarisePhotos(records: PhotoRecord[]): PhotoSummary {
  return {
    readyCount: records.filter((p) => p.status === 'ready').length,
    meetsRules: (m) => photosForMarketplace(records, m).every(({ variant }) => variant !== undefined && checkVariantAgainstRules(variant, m.photos).length === 0),
  };
}

/** A `PhotoSummaryProvider` for the coverage tracker and readiness: one query of the product's partition. */
export function createPhotoSummaryProvider(photos: PhotoRepository) {
  return async (productId: string): Promise<PhotoSummary> => summarisePhotos(await photos.listOfProduct(productId));
}
