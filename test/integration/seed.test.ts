import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { createCoverageRepository } from '#functions/repositories/coverage-repository.ts';
import { createTable } from '#functions/repositories/table.ts';
import { createTargetRepository } from '#functions/repositories/target-repository.ts';
import { createProductRepository } from '#functions/repositories/product-repository.ts';
import { createListingRepository } from '#functions/repositories/onboarding-repository.ts';
import { createCoverageService } from '#functions/services/coverage-service.ts';
import { noPhotos } from '#functions/services/coverage-tracker.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { loadOrCreateLocalKeys } from '#functions/local/local-keys.ts';
import { SeedRefusedError, generateDataSet, seedProvince, taxCodeWithCheckDigit, type SeedOptions, type SeedSummary } from '#functions/local/seed-generator.ts';
import { isCurrentCommuneCode } from '#shared/admin-units/admin-units.ts';
import { marketplaces } from '#shared/marketplaces.ts';
import { createTestApi, type Api } from '#test/support/harness.ts';

/** The generator at 1/100 of DESIGN §6 (700 producers, 200 products, 10 OCOP, 600 listings). */
let api: Api;
let opts: SeedOptions;
let summary: SeedSummary;
let generated: ReturnType<typeof generateDataSet> | undefined;
/** The data set the seed wrote, generated again (pure: no store involved). */
const dataSet = () => (generated ??= generateDataSet(opts));
beforeAll(async () => {
  api = await createTestApi();
  const keys = await loadOrCreateLocalKeys(api.dataDir);
  opts = { scale: 'small', seed: 'seed-test', hashCitizenId: createKeyring(keys.secret).hashCitizenId };
  summary = await seedProvince(api.local.table, opts);
});

describe('the province data set generator', () => {
  it('writes the requested numbers', () => {
    expect(summary.counts).toMatchObject({ producers: 700, products: 200, ocop: 10, listings: 600 });
    expect(summary.counts.ocopByStars[3] + summary.counts.ocopByStars[4] + summary.counts.ocopByStars[5]).toBe(10);
    expect(Object.keys(summary.counts.listingsByStatus).sort()).toEqual(['delisted', 'draft', 'live', 'paused', 'rejected', 'submitted']);
    expect(summary.counts.transitions).toBeGreaterThanOrEqual(600);
    expect(summary.items).toBeGreaterThan(700 + 200 + 600);
  });

  it('leaves counters that a full recount from the records finds exact', async () => {
    const result = await api.local.services.coverageReports.reconcile();
    expect(result.differences).toEqual([]);
    expect(result.producers).toBe(700);
    expect(result.products).toBe(200);
  });

  it('is deterministic: the same seed gives the same first producer, another seed another', async () => {
    const again = dataSet();
    expect(again.producers[0]!.id).toBe(summary.firstProducerId);
    expect(await api.local.repositories.producers.get(summary.firstProducerId)).toEqual(again.producers[0]);
    expect(generateDataSet({ ...opts, seed: 'another' }).producers[0]).not.toEqual(again.producers[0]);
  });

  it('generates valid Vietnamese phones and tax codes, and every commune code is current', () => {
    const data = dataSet();
    for (const p of data.producers) {
      expect(isCurrentCommuneCode(p.communeCode)).toBe(true);
      if (p.phone) expect(p.phone).toMatch(/^0[35789]\d{8}$/);
      if (p.taxCode) expect(taxCodeWithCheckDigit(p.taxCode.slice(0, 9))).toBe(p.taxCode.slice(0, 10));
    }
    expect(taxCodeWithCheckDigit('010010910')).toBe('0100109106');
    expect(taxCodeWithCheckDigit('030058856')).toBe('0300588569');
    const listed = new Set(data.listings.map((l) => l.listing.marketplace));
    expect([...listed].sort()).toEqual(marketplaces.map((m) => m.id).sort());
  });

  it('is served by the API: the coverage report, listings with their history', async () => {
    const report = await api.call('GET', '/coverage?by=commune&marketplace=all', { token: api.adminToken });
    expect(report.status).toBe(200);
    expect(report.body.rows).toHaveLength(166);
    const data = dataSet();
    const live = data.listings.filter((l) => l.listing.status === 'live');
    expect(report.body.totals).toMatchObject({
      producers: 700,
      products: 200,
      producersTrained: data.producers.filter((p) => p.trainingDate).length,
      producersWithAccount: data.producers.filter((p) => p.accountMarketplaces.length > 0).length,
      productsLive: new Set(live.map((l) => l.listing.productId)).size,
    });
    // The rated products whose certificate has not lapsed by today.
    expect(report.body.totals.productsOcop3 + report.body.totals.productsOcop4 + report.body.totals.productsOcop5).toBe(data.products.filter((p) => p.ocopStars && !p.certificateExpired).length);
    expect(data.products.filter((p) => p.ocopStars).length).toBe(10);
    expect(report.body.targets).toHaveLength(summary.counts.targets);
    const postmart = await api.call('GET', '/coverage?by=province&marketplace=postmart', { token: api.adminToken });
    expect(postmart.body.totals.productsLive).toBe(live.filter((l) => l.listing.marketplace === 'postmart').length);

    const { listing, history } = live[0]!;
    const listings = await api.call('GET', `/products/${listing.productId}/listings`, { token: api.adminToken });
    expect(listings.body.items).toContainEqual(listing);
    const trail = await api.call('GET', `/products/${listing.productId}/listings/${listing.marketplace}/history`, { token: api.adminToken });
    expect(trail.body.items.map((t: { to: string }) => t.to)).toEqual(history.map((t) => t.to));
  });

  it('writes the same records with TransactWriteItems, the faster path on DynamoDB Local’s disk store', async () => {
    const tableName = `t-${randomUUID()}`;
    await ensureTable(api.endpoint, tableName);
    const table = createTable(api.local.table.doc, tableName, '38');
    const counts = { producers: 60, products: 25, ocop: 4, listings: 50 };
    const result = await seedProvince(table, { ...opts, counts, writes: 'transact' });
    expect(result.counts).toMatchObject(counts);
    const reports = createCoverageService({ table, coverage: createCoverageRepository(table), targets: createTargetRepository(table), photos: noPhotos, products: createProductRepository(table), listings: createListingRepository(table), refreshDerived: () => Promise.reject(new Error('the seed’s derived state needs no repair')), unmarkedLapsedCertificates: async () => [], repairUserCount: () => Promise.reject(new Error('the seed’s user counts need no repair')) });
    expect(await reports.reconcile()).toMatchObject({ differences: [], differencesFound: 0, derivedRepaired: 0, derivedRepairsFailed: 0, listingStatusesRepaired: 0, listingStatusRepairsFailed: 0 });
    expect((await reports.report('all', 'province')).totals.producers).toBe(60);
  });

  it('refuses to seed a table that already holds data, and writes nothing', async () => {
    const before = await api.local.repositories.coverage.allRows();
    await expect(seedProvince(api.local.table, { ...opts, seed: 'other' })).rejects.toThrow(SeedRefusedError);
    expect(await api.local.repositories.coverage.allRows()).toEqual(before);
  });
});
