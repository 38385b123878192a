import { describe, expect, it } from 'vitest';
import { createExportService } from '#functions/exports/export-service.ts';
import type { Principal } from '#functions/services/principal.ts';
import { indicatorWords } from '#shared/indicator-words.ts';

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

describe('a target’s indicator in words, the same on screen and in the export', () => {
  it('says a ratio as "Tỉ lệ … / …", never with "trên", which also reads "on a marketplace"', () => {
    expect(indicatorWords('ocopLive/productsOcop')).toBe('Tỉ lệ SP OCOP đang bán / SP OCOP');
    expect(indicatorWords('producersTrained/producers')).toBe('Tỉ lệ chủ thể đã tập huấn TMĐT / chủ thể');
    expect(indicatorWords('ocopLive/productsOcop', 'en')).toBe('Share: OCOP products live / OCOP products');
  });

  it('says a count as "Số …", and keeps the name of a metric it does not know', () => {
    expect(indicatorWords('producers')).toBe('Số chủ thể');
    expect(indicatorWords('productsLive')).toBe('Số sản phẩm đang bán');
    expect(indicatorWords('productsLive', 'en')).toBe('Number of products live');
    expect(indicatorWords('somethingNew')).toBe('Số somethingNew');
  });
});
