import { describe, expect, it } from 'vitest';
import { marketplaces } from '#shared/marketplaces.ts';
import { photosForMarketplace, readinessFor } from '#shared/onboarding-rules.ts';
import type { PhotoRecord, StoredVariant } from '#functions/photos/photo-repository.ts';
import { summarisePhotos } from '#functions/photos/photo-summary.ts';

const shopee = marketplaces.find((m) => m.id === 'shopee')!;
const lazada = marketplaces.find((m) => m.id === 'lazada')!;

function photo(status: PhotoRecord['status'], variants: Partial<StoredVariant>[] = [], order = 1): PhotoRecord {
  return {
    id: `P${Math.random()}`,
    productId: 'X',
    status,
    order,
    contentType: 'image/jpeg',
    declaredBytes: 1,
    variants: variants.map((v) => ({ name: 'v', purpose: 'marketplace', format: 'jpeg', width: 1024, height: 1024, bytes: 100_000, marketplaces: [], key: 'k', ...v })),
    createdAt: '',
    updatedAt: '',
    createdBy: 'u',
  };
}

describe('photo summary for readiness', () => {
  it('counts only ready photos', () => {
    expect(summarisePhotos([photo('ready'), photo('processing'), photo('rejected')]).readyCount).toBe(1);
  });

  it('meets a marketplace’s rules only when every ready photo has a passing variant for it', () => {
    const good = photo('ready', [{ marketplaces: ['shopee'] }]);
    const notSquare = photo('ready', [{ marketplaces: ['shopee'], width: 1200, height: 900 }]);
    expect(summarisePhotos([good]).meetsRules(shopee)).toBe(true);
    // No variant meets rules asking for at least 1100 px.
    expect(summarisePhotos([good]).meetsRules({ ...lazada, photos: { ...lazada.photos, minPx: 1100 } })).toBe(false);
    expect(summarisePhotos([good, notSquare]).meetsRules(shopee)).toBe(false);
  });

  it('judges only the photos a marketplace takes: the first maxCount ready ones in the product’s order', () => {
    const good = (order: number) => photo('ready', [{ marketplaces: ['shopee'] }], order);
    const nine = Array.from({ length: shopee.photos.maxCount }, (_, i) => good(i + 2));
    // A tenth photo without a Shopee variant, last in the order, is never sent to Shopee…
    expect(summarisePhotos([photo('ready', [], 20), ...nine]).meetsRules(shopee)).toBe(true);
    // …but first in the order it is.
    expect(summarisePhotos([...nine, photo('ready', [], 1)]).meetsRules(shopee)).toBe(false);
    // Photos still processing take no place in the order.
    expect(summarisePhotos([photo('processing', [], 1), ...nine, photo('ready', [], 30)]).meetsRules(shopee)).toBe(true);
  });

  it('judges a marketplace added after the photos were made by any marketplace variant that meets its rules', () => {
    const later = { ...lazada, id: 'newshop', photos: { ...lazada.photos, minPx: 800 } };
    const made = photo('ready', [{ name: 'square-1024', marketplaces: ['shopee'] }, { name: 'fit-1200', width: 1200, height: 900, marketplaces: ['lazada'] }, { name: 'thumb-320', purpose: 'thumbnail', width: 320, height: 240, format: 'webp', marketplaces: [] }]);
    expect(summarisePhotos([made]).meetsRules(later)).toBe(true);
    expect(photosForMarketplace([made], later)[0]!.variant?.name).toBe('square-1024');
    expect(summarisePhotos([made]).meetsRules({ ...later, photos: { ...later.photos, minPx: 1100 } })).toBe(false);
    // The thumbnail is never one: it is for the web app only.
    expect(photosForMarketplace([photo('ready', [{ purpose: 'thumbnail', width: 1024, height: 1024, marketplaces: [] }])], later)[0]!.variant).toBeUndefined();
  });

  it('feeds readiness: a product with a ready photo has the photo checks of Shopee met', () => {
    const input = { product: {}, producer: {}, photos: summarisePhotos([photo('ready', [{ marketplaces: ['shopee'] }])]) };
    expect(readinessFor(shopee, input).missing.map((m) => m.key)).not.toContain('photos.count');
    expect(readinessFor(shopee, input).missing.map((m) => m.key)).not.toContain('photos.rules');
  });
});
