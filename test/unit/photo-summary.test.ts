import { describe, expect, it } from 'vitest';
import { marketplaces } from '#shared/marketplaces.ts';
import { readinessFor } from '#shared/onboarding-rules.ts';
import type { PhotoRecord, StoredVariant } from '#functions/photos/photo-repository.ts';
import { summarisePhotos } from '#functions/photos/photo-summary.ts';

const shopee = marketplaces.find((m) => m.id === 'shopee')!;
const lazada = marketplaces.find((m) => m.id === 'lazada')!;

function photo(status: PhotoRecord['status'], variants: Partial<StoredVariant>[] = []): PhotoRecord {
  return {
    id: `P${Math.random()}`,
    productId: 'X',
    status,
    order: 1,
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
    expect(summarisePhotos([good]).meetsRules(lazada)).toBe(false);
    expect(summarisePhotos([good, notSquare]).meetsRules(shopee)).toBe(false);
  });

  it('feeds readiness: a product with a ready photo has the photo checks of Shopee met', () => {
    const input = { product: {}, producer: {}, photos: summarisePhotos([photo('ready', [{ marketplaces: ['shopee'] }])]) };
    expect(readinessFor(shopee, input).missing.map((m) => m.key)).not.toContain('photos.count');
    expect(readinessFor(shopee, input).missing.map((m) => m.key)).not.toContain('photos.rules');
  });
});
