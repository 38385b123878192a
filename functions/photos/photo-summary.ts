import type { Marketplace } from '#shared/marketplaces.ts';
import { checkVariantAgainstRules } from './photo-pipeline.ts';
import type { PhotoRecord, PhotoRepository } from './photo-repository.ts';

/** What readiness needs to know of a product's photos (the shape of `ReadinessInput['photos']` in shared/onboarding-rules.ts). */
export type PhotoSummary = { readyCount: number; meetsRules: (m: Marketplace) => boolean };

/** Summary of photo records: ready ones count; a marketplace's rules are met when every ready photo has a variant for it that passes them. */
export function summarisePhotos(records: PhotoRecord[]): PhotoSummary {
  const ready = records.filter((p) => p.status === 'ready');
  return {
    readyCount: ready.length,
    meetsRules: (m) => ready.every((p) => p.variants.some((v) => v.marketplaces.includes(m.id) && checkVariantAgainstRules(v, m.photos).length === 0)),
  };
}

/** A `PhotoSummaryProvider` for the coverage tracker and readiness: one query of the product's partition. */
export function createPhotoSummaryProvider(photos: PhotoRepository) {
  return async (productId: string): Promise<PhotoSummary> => summarisePhotos(await photos.listOfProduct(productId));
}
