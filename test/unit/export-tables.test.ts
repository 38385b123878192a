import { describe, expect, it } from 'vitest';
import { createExportService } from '#functions/exports/export-service.ts';
import type { Principal } from '#functions/services/principal.ts';

const admin: Principal = { sub: 'u-admin', username: 'admin', role: 'admin', communes: [] };

/** The export service over lists of `n` producers and products, served 100 to a page as the services serve them. */
function exportsOf(n: number) {
  const pages = <T>(make: (i: number) => T) => async (_p: Principal, _q: object, page: { limit: number; cursor?: string }) => {
    const from = Number(page.cursor ?? 0);
    const to = Math.min(n, from + page.limit);
    return { items: Array.from({ length: to - from }, (_, i) => make(from + i)), nextCursor: to < n ? String(to) : null };
  };
  const producer = (i: number) => ({ id: `p${i}`, name: `Hộ ${i}`, kind: 'household', communeCode: '15772', communeName: 'Xã Thiệu Hóa', legalBasis: { type: 'state_management' }, productCount: 0, accountMarketplaces: [], liveCounts: {}, version: 1, createdAt: '', updatedAt: '' });
  const product = (i: number) => ({ id: `s${i}`, name: `Sản phẩm ${i}`, producerId: 'p0', communeCode: '15772', ocopGroup: 'food', ocopStars: 0, readyMarketplaces: [], liveMarketplaces: [] });
  return createExportService({
    coverage: {} as never,
    producers: { list: pages(producer) } as never,
    products: { list: pages(product) } as never,
    producerNames: async () => new Map([['p0', 'Hộ 0']]),
  });
}

describe('the list exports’ headings', () => {
  it('count the producers and products with the thousands separator the screens use', async () => {
    const exports = exportsOf(3012);
    const [producers, products] = await Promise.all([exports.producers(admin), exports.products(admin)]);
    expect(producers.rows).toHaveLength(3012);
    expect(producers.preamble[1]).toMatch(/ · 3\.012 chủ thể$/);
    expect(products.preamble[1]).toMatch(/ · 3\.012 sản phẩm$/);
  });
});
