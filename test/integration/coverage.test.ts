import { beforeAll, describe, expect, it } from 'vitest';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { vietnamDate } from '#shared/vietnam-time.ts';
import { certificateExpiry } from '#shared/schemas/product.ts';
import { createCoverageService, recountFromRecords } from '#functions/services/coverage-service.ts';
import { runDailyJobs } from '#functions/local/daily-jobs.ts';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const complete = (producerId: string, extra: Record<string, unknown> = {}) =>
  productInput(producerId, { description: 'Mô tả', unit: 'hộp', weightGrams: 500, shelfLifeDays: 180, ...extra });
const unrated = { ocopStars: 0, certificateNo: undefined, certificateDate: undefined };

async function reconcile() {
  return api.local.services.coverageReports.reconcile();
}

describe('coverage counters', () => {
  it('stay exact through a burst of concurrent creates, transitions, deletes and a merge', async () => {
    const communes = ['15772', '14758', '14797'];
    const producers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: communes[i % 3], trainingDate: i % 2 ? '2025-01-02' : undefined, taxCode: '2801234567', confirmDistinct: true }) })),
    );
    const ids = producers.map((p) => p.body.id as string);
    const products = await Promise.all(
      ids.flatMap((id, i) => {
        const stars = ([0, 3, 4, 5] as const)[i % 4];
        const first = stars ? { ocopStars: stars, certificateNo: 'x', certificateDate: '2025-01-01' } : unrated;
        return [api.call('POST', '/products', { token: api.adminToken, body: complete(id, first) }), api.call('POST', '/products', { token: api.adminToken, body: complete(id, unrated) })];
      }),
    );
    expect(products.every((p) => p.status === 201)).toBe(true);
    await Promise.all(ids.map((id, i) => api.call('PUT', `/producers/${id}/accounts/${i % 2 ? 'voso' : 'postmart'}`, { token: api.adminToken, body: { status: 'registered' } })));
    await Promise.all(
      products.map(async (p, i) => {
        const mkt = i % 4 < 2 ? 'postmart' : 'voso';
        const base = `/products/${p.body.id}/listings/${mkt}`;
        await api.call('PUT', base, { token: api.adminToken, body: { status: 'draft' } });
        await api.call('PUT', base, { token: api.adminToken, body: { status: 'submitted', version: 1, overrideReason: 'chưa có ảnh' } });
        await api.call('PUT', base, { token: api.adminToken, body: { status: 'live', version: 2, url: `https://${mkt}.vn/p/${i}` } });
      }),
    );
    // Closing an account is refused while its marketplace has live listings: ids[2] closes one it has none on.
    await api.call('PUT', `/producers/${ids[2]}/accounts/voso`, { token: api.adminToken, body: { status: 'registered' } });
    const finals = await Promise.all([
      api.call('DELETE', `/products/${products[0]!.body.id}`, { token: api.adminToken }),
      api.call('PATCH', `/producers/${ids[1]}`, { token: api.adminToken, body: { version: 1, communeCode: '14812', phone: null } }),
      api.call('POST', `/producers/${ids[3]}/merge`, { token: api.adminToken, body: { sourceId: ids[6], version: 1 } }),
      api.call('PUT', `/producers/${ids[2]}/accounts/voso`, { token: api.adminToken, body: { status: 'none', version: 1 } }),
    ]);
    expect(finals.map((r) => r.status)).toEqual([204, 200, 200, 200]);
    const result = await reconcile();
    expect(result.differences).toEqual([]);
    expect(result.producers).toBe(8);
    expect(result.products).toBe(17);
  });

  it('reconciliation reports a counter that drifted from the records', async () => {
    const { transact } = await import('#functions/repositories/table.ts');
    await transact(api.local.table, api.local.repositories.coverage.deltaOps(new Map([['voso|14758', { productsLive: 1 }]])));
    const result = await reconcile();
    expect(result.differences).toEqual([expect.objectContaining({ marketplace: 'voso', communeCode: '14758', metric: 'productsLive' })]);
    await transact(api.local.table, api.local.repositories.coverage.deltaOps(new Map([['voso|14758', { productsLive: -1 }]])));
    expect((await reconcile()).differences).toEqual([]);
  });

  it('report province, commune and former-district figures that equal an independent count', async () => {
    const report = await api.call('GET', '/coverage?by=commune&marketplace=all', { token: api.adminToken });
    expect(report.status).toBe(200);
    expect(report.body.rows).toHaveLength(166);
    const listed = await api.call('GET', '/producers?limit=100', { token: api.adminToken });
    expect(report.body.totals.producers).toBe(listed.body.items.length);
    const productList = await api.call('GET', '/products?limit=100', { token: api.adminToken });
    expect(report.body.totals.products).toBe(productList.body.items.length);
    expect(report.body.totals.productsLive).toBe(productList.body.items.filter((p: { liveMarketplaces: string[] }) => p.liveMarketplaces.length > 0).length);
    expect(report.body.totals.ocopLive).toBe(productList.body.items.filter((p: { liveMarketplaces: string[]; ocopStars: number }) => p.liveMarketplaces.length > 0 && p.ocopStars >= 3).length);
    const province = await api.call('GET', '/coverage?by=province', { token: api.adminToken });
    expect(province.body.totals).toEqual(report.body.totals);
    const districts = await api.call('GET', '/coverage?by=district', { token: api.adminToken });
    expect(districts.body.rows).toHaveLength(26);
    expect(districts.body.rows.reduce((s: number, r: { producers: number }) => s + r.producers, 0)).toBe(report.body.totals.producers);
  });

  it('show an officer only their communes', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['14758'] });
    const res = await api.call('GET', '/coverage?by=commune', { token: officer });
    expect(res.body.rows.map((r: { communeCode: string }) => r.communeCode)).toEqual(['14758']);
  });

  it('retry a write that loses a race for the counters and still count it once', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '14845' }) });
    let injected = 0;
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && injected < 1) {
          injected += 1;
          throw new TransactionCanceledException({ message: 'race', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { version: { N: '1' }, covRev: { N: '0' } } }] });
        }
        return next(args);
      },
      { step: 'initialize', name: 'race-once' },
    );
    try {
      const res = await api.call('POST', '/products', { token: api.adminToken, body: complete(producer.body.id) });
      expect(res.status).toBe(201);
    } finally {
      api.local.table.doc.middlewareStack.remove('race-once');
    }
    expect(injected).toBe(1);
    expect((await reconcile()).differences).toEqual([]);
  });
});

describe('lapsed OCOP certificates', () => {
  // A commune no other test here writes to, so its counters are this test's alone.
  const commune = '15061';
  const day = 86_400_000;
  const ocopIn = async (marketplace = 'all') => {
    const totals = (await api.call('GET', `/coverage?by=commune&marketplace=${marketplace}`, { token: api.adminToken })).body.rows.find((r: { communeCode: string }) => r.communeCode === commune);
    return { ocop: totals.productsOcop3 + totals.productsOcop4 + totals.productsOcop5, ocopLive: totals.ocopLive, products: totals.products, productsLive: totals.productsLive };
  };
  /** The calendar moving on: the stored certificate was decided 36 months and `daysAgo` days ago (its expiry and index entry with it), nothing else touched. */
  async function ageCertificate(productId: string, daysAgo: number) {
    const expiry = vietnamDate(new Date(), -daysAgo);
    const decided = `${Number(expiry.slice(0, 4)) - 3}${expiry.slice(4)}`;
    expect(certificateExpiry(decided)).toBe(expiry);
    const { table } = api.local;
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { PK: `${table.prefix}PRODUCT#${productId}`, SK: 'META' },
        UpdateExpression: 'SET certificateDate = :d, certificateExpiry = :e, GSI4SK = :sk',
        ExpressionAttributeValues: { ':d': decided, ':e': expiry, ':sk': `${expiry}#${productId}` },
      }),
    );
  }
  let productId = '';

  it('count a rated product as OCOP while its certificate is valid', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune }) });
    await api.call('PUT', `/producers/${producer.body.id}/accounts/voso`, { token: api.adminToken, body: { status: 'registered' } });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: complete(producer.body.id, { ocopStars: 4, certificateDate: vietnamDate(new Date()) }) });
    expect(product.body).toMatchObject({ ocopStars: 4, certificateExpired: false });
    productId = product.body.id;
    const base = `/products/${productId}/listings/voso`;
    await api.call('PUT', base, { token: api.adminToken, body: { status: 'draft' } });
    await api.call('PUT', base, { token: api.adminToken, body: { status: 'submitted', version: 1, overrideReason: 'chưa có ảnh' } });
    expect((await api.call('PUT', base, { token: api.adminToken, body: { status: 'live', version: 2, url: 'https://voso.vn/p/lapse' } })).status).toBe(200);
    expect(await ocopIn()).toEqual({ ocop: 1, ocopLive: 1, products: 1, productsLive: 1 });
  });

  it('stop counting it as OCOP the night after it expires — marked first, not reported as a difference — while it stays a live product', async () => {
    await ageCertificate(productId, 1);
    expect((await ocopIn()).ocop).toBe(1);
    const result = await reconcile();
    expect(result).toMatchObject({ certificatesMarkedExpired: 1, differencesFound: 0, differences: [], derivedRepaired: 0 });
    expect(await ocopIn()).toEqual({ ocop: 0, ocopLive: 0, products: 1, productsLive: 1 });
    expect(await ocopIn('voso')).toEqual({ ocop: 0, ocopLive: 0, products: 1, productsLive: 1 });
    const product = await api.call('GET', `/products/${productId}`, { token: api.adminToken });
    expect(product.body).toMatchObject({ ocopStars: 4, certificateExpired: true });
    // Its trail says when, by whom: the system.
    const events = await api.call('GET', `/products/${productId}/events`, { token: api.adminToken });
    expect(events.body.items[0]).toMatchObject({ action: 'update', actor: { id: 'system' }, before: { certificateExpired: false }, after: { certificateExpired: true } });
    expect((await reconcile()).certificatesMarkedExpired).toBe(0);
  });

  it('count it again once a new decision date is entered', async () => {
    const current = await api.call('GET', `/products/${productId}`, { token: api.adminToken });
    const renewed = await api.call('PATCH', `/products/${productId}`, { token: api.adminToken, body: { version: current.body.version, certificateDate: vietnamDate(new Date()) } });
    expect(renewed.body.certificateExpired).toBe(false);
    expect(await ocopIn()).toEqual({ ocop: 1, ocopLive: 1, products: 1, productsLive: 1 });
    expect((await reconcile()).differences).toEqual([]);
  });

  it('count a product entered with a certificate already expired as not OCOP from the start', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune }) });
    const decided = vietnamDate(new Date(Date.now() - 4 * 365 * day));
    const product = await api.call('POST', '/products', { token: api.adminToken, body: complete(producer.body.id, { ocopStars: 5, certificateDate: decided }) });
    expect(product.body).toMatchObject({ ocopStars: 5, certificateExpired: true });
    expect(await ocopIn()).toMatchObject({ ocop: 1, products: 2 });
  });

  it('are caught by the recount when the marking cannot find one, and repaired with their counters', async () => {
    // Lapsed while its index entry still says valid (the index lags its table): the marking, which reads the index, does not see it.
    const { table } = api.local;
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: { PK: `${table.prefix}PRODUCT#${productId}`, SK: 'META' } }));
    await ageCertificate(productId, 2);
    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: { PK: `${table.prefix}PRODUCT#${productId}`, SK: 'META' }, UpdateExpression: 'SET GSI4SK = :sk', ExpressionAttributeValues: { ':sk': Item!.GSI4SK } }));
    const recount = await recountFromRecords(api.local.table, api.local.services.coverage.photos);
    expect(recount.staleDerived).toContain(productId);
    const result = await reconcile();
    expect(result).toMatchObject({ certificatesMarkedExpired: 0, derivedRepaired: 1, differences: [] });
    expect(result.differencesFound).toBeGreaterThan(0);
    // Neither of the commune's two rated products counts any more (the other was entered lapsed).
    expect(await ocopIn()).toMatchObject({ ocop: 0, ocopLive: 0, products: 2 });
  });

  it('go on when one cannot be marked: it is counted as failed, and the rest of the night’s work is done', async () => {
    const producerId = (await api.call('GET', `/products/${productId}`, { token: api.adminToken })).body.producerId;
    const [stuck, other] = await Promise.all([0, 1].map(() => api.call('POST', '/products', { token: api.adminToken, body: complete(producerId, { ocopStars: 3, certificateDate: vietnamDate(new Date()) }) })));
    await ageCertificate(stuck!.body.id, 1);
    await ageCertificate(other!.body.id, 1);
    const { repositories, table, services } = api.local;
    const failing = createCoverageService({
      table,
      coverage: repositories.coverage,
      targets: repositories.targets,
      photos: services.coverage.photos,
      products: repositories.products,
      listings: repositories.listings,
      refreshDerived: (id, now) => (id === stuck!.body.id ? Promise.reject(new Error('throttled')) : services.products.refreshDerived(id, now)),
      unmarkedLapsedCertificates: services.products.unmarkedLapsedCertificates,
      repairUserCount: services.producers.repairUserCount,
    });
    const result = await failing.reconcile();
    // The recount still ran: the stuck one is a difference its repair could not fix either, and the alarm says so.
    expect(result).toMatchObject({ certificatesMarkedExpired: 1, certificateMarkingsFailed: 1, derivedRepairsFailed: 1 });
    expect(result.differences.length).toBeGreaterThan(0);
    expect((await api.call('GET', `/products/${other!.body.id}`, { token: api.adminToken })).body.certificateExpired).toBe(true);
    // The next night, without the fault, marks the one left.
    expect(await reconcile()).toMatchObject({ certificatesMarkedExpired: 1, certificateMarkingsFailed: 0, differences: [] });
  });
});

describe('coverage history', () => {
  it('keeps month-end snapshots and returns the monthly series, catching up a missing month once', async () => {
    const reports = api.local.services.coverageReports;
    await reports.snapshot('2026-09');
    const caught = await reports.catchUp(new Date('2026-11-03T00:00:00Z'));
    expect(caught?.month).toBe('2026-10');
    expect(await reports.catchUp(new Date('2026-11-20T00:00:00Z'))).toBeNull();
    const res = await api.call('GET', '/coverage/history?from=2026-01&to=2026-12', { token: api.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.series.map((s: { month: string }) => s.month)).toEqual(['2026-09', '2026-10']);
    const now = await api.call('GET', '/coverage?by=province', { token: api.adminToken });
    expect(res.body.series[1].totals).toEqual(now.body.totals);
    expect((await api.call('GET', '/coverage/history?from=2026-06&to=2026-01', { token: api.adminToken })).status).toBe(400);
    expect((await api.call('GET', '/coverage/history?from=2026-13&to=2026-14', { token: api.adminToken })).status).toBe(400);
  });

  it('shows every month taken — zeros where the caller’s communes had nothing — and no month whose take stopped part-way', async () => {
    const reports = api.local.services.coverageReports;
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
    await reports.snapshot('2026-05', { replace: true });
    // Rows of a take of 2026-04 that stopped before its marker was written.
    await api.local.table.doc.send(new PutCommand({ TableName: api.local.table.name, Item: { PK: 'P#38#COVSNAP', SK: 'M#all#2026-04#C#15772', type: 'coverage-snapshot', month: '2026-04', takenAt: '2026-04-30T17:05:00.000Z', marketplace: 'all', communeCode: '15772', producers: 3 } }));
    const empty = listCommunes().at(-1)!.code;
    const officer = await api.userToken({ role: 'officer', communes: [empty] });
    const mine = await api.call('GET', '/coverage/history?from=2026-04&to=2026-05', { token: officer });
    expect(mine.status).toBe(200);
    expect(mine.body.series).toEqual([{ month: '2026-05', takenAt: expect.any(String), totals: Object.fromEntries(Object.keys(mine.body.series[0].totals).map((k) => [k, 0])) }]);
    expect(Object.keys(mine.body.series[0].totals)).toContain('producers');
    const all = await api.call('GET', '/coverage/history?from=2026-04&to=2026-05', { token: api.adminToken });
    expect(all.body.series.map((s: { month: string }) => s.month)).toEqual(['2026-05']);
    expect(all.body.series[0].totals.producers).toBeGreaterThan(0);
  });

  it('keeps a month-end snapshot once taken: taking it again is refused unless asked to replace it', async () => {
    // (The month may already be taken by the catch-up above: start from a fresh take.)
    const first = await api.call('POST', '/coverage/snapshots?replace=true', { token: api.adminToken, body: {} });
    expect(first.status).toBe(200);
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const again = await api.call('POST', '/coverage/snapshots', { token: api.adminToken, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SNAPSHOT_EXISTS');
    const month = first.body.month as string;
    const kept = await api.call('GET', `/coverage/history?from=${month}&to=${month}`, { token: api.adminToken });
    expect(kept.body.series).toEqual([expect.objectContaining({ month, takenAt: first.body.takenAt })]);
    const replaced = await api.call('POST', '/coverage/snapshots?replace=true', { token: api.adminToken, body: {} });
    expect(replaced.status).toBe(200);
    expect(replaced.body.month).toBe(month);
  });
});

describe('coverage at the end of a month', () => {
  it('reports a month from its snapshot — by commune, district or province, against the targets in force when it was taken — while now moves on; a month never taken is 404', async () => {
    const reports = api.local.services.coverageReports;
    const commune = '15835';
    const before = (await api.call('GET', `/coverage?by=commune`, { token: api.adminToken })).body;
    const producersThen = before.rows.find((r: { communeCode: string }) => r.communeCode === commune).producers as number;
    const target = { indicator: 'producers', period: '2027-12-31', scope: commune, marketplace: 'all', unit: 'count' };
    await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target, value: 100 }] } });
    await reports.snapshot('2025-12', { replace: true });
    // After the month-end: the target is raised, and the commune gains a producer.
    await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target, value: 200 }] } });
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune }) });

    const then = await api.call('GET', '/coverage?by=commune&month=2025-12', { token: api.adminToken });
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ month: '2025-12', by: 'commune', marketplace: 'all' });
    expect(Date.parse(then.body.asOf)).toBeLessThanOrEqual(Date.now());
    expect(then.body.rows).toHaveLength(166);
    expect(then.body.rows.find((r: { communeCode: string }) => r.communeCode === commune).producers).toBe(producersThen);
    expect(then.body.targets).toEqual([expect.objectContaining({ scope: commune, value: 100, current: producersThen })]);
    expect(then.body.targetsAsOf).toBe(then.body.asOf);
    const now = (await api.call('GET', '/coverage?by=commune', { token: api.adminToken })).body;
    expect(now.month).toBeUndefined();
    expect(now.rows.find((r: { communeCode: string }) => r.communeCode === commune).producers).toBe(producersThen + 1);
    expect(now.targets).toEqual([expect.objectContaining({ scope: commune, value: 200, current: producersThen + 1 })]);
    expect(Date.parse(now.targetsAsOf)).toBeGreaterThan(Date.parse(then.body.asOf));

    // A snapshot taken before targets were kept with it is measured against today's.
    const { table } = api.local;
    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: { PK: `${table.prefix}COVSNAP`, SK: 'MONTH#2025-12' }, UpdateExpression: 'REMOVE targets' }));
    const older = (await api.call('GET', '/coverage?by=commune&month=2025-12', { token: api.adminToken })).body;
    expect(older.targets).toEqual([expect.objectContaining({ scope: commune, value: 200, current: producersThen })]);
    expect(Date.parse(older.targetsAsOf)).toBeGreaterThan(Date.parse(older.asOf));

    const province = await api.call('GET', '/coverage?by=province&month=2025-12', { token: api.adminToken });
    expect(province.body.totals).toEqual(then.body.totals);
    const district = await api.call('GET', '/coverage?by=district&month=2025-12', { token: api.adminToken });
    expect(district.body.rows.reduce((n: number, r: { producers: number }) => n + r.producers, 0)).toBe(then.body.totals.producers);
    const officer = await api.userToken({ role: 'officer', communes: [commune] });
    expect((await api.call('GET', '/coverage?by=commune&month=2025-12', { token: officer })).body.rows).toEqual([expect.objectContaining({ communeCode: commune, producers: producersThen })]);

    const never = await api.call('GET', '/coverage?by=commune&month=2019-01', { token: api.adminToken });
    expect(never.status).toBe(404);
    expect(never.headers.get('content-type')).toContain('application/problem+json');
    expect(never.body.code).toBe('NO_SNAPSHOT');
    expect((await api.call('GET', '/coverage?month=2025-13', { token: api.adminToken })).status).toBe(400);
    await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [] } });
  });

  it('exports a month’s figures, saying which month-end they are and when they were taken', async () => {
    await api.local.services.coverageReports.snapshot('2025-11', { replace: true });
    const res = await api.app.request('/api/v1/exports/coverage.csv?month=2025-11&marketplace=voso', { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="do-phu-tmdt-cuoi-thang-2025-11-\d{4}-\d{2}-\d{2}\.csv"/);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    expect(text).toMatch(/Số liệu tính đến: hết tháng 11\/2025 \(số liệu chốt lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\)/);
    expect(text).toContain('Sàn: Voso');
    const missing = await api.app.request('/api/v1/exports/coverage.xlsx?month=2019-01', { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect(missing.status).toBe(404);
  });
});

describe('targets', () => {
  it('are data, and the report says where each stands', async () => {
    const put = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ indicator: 'ocopLive/productsOcop', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'percent', value: 100 }] } });
    expect(put.status).toBe(200);
    const report = await api.call('GET', '/coverage?by=province', { token: api.adminToken });
    const t = report.body.totals;
    const expected = Math.round((1000 * t.ocopLive) / (t.productsOcop3 + t.productsOcop4 + t.productsOcop5) + 1e-9) / 10;
    expect(report.body.targets).toEqual([expect.objectContaining({ indicator: 'ocopLive/productsOcop', current: expected, achieved: expected })]);
    const officer = await api.userToken({ role: 'officer', communes: ['14758'] });
    expect((await api.call('PUT', '/targets', { token: officer, body: { items: [] } })).status).toBe(403);
  });

  it('refuses two targets with the same key with 400, and replaces the set all or nothing', async () => {
    const target = (scope: string, value: number) => ({ indicator: 'producers', period: '2027-06-30', scope, marketplace: 'all', unit: 'count', value });
    const base = Array.from({ length: 60 }, (_, i) => target(listCommunes()[i]!.code, 10));
    expect((await api.call('PUT', '/targets', { token: api.adminToken, body: { items: base } })).status).toBe(200);
    // A count indicator measured in percent would read wrongly everywhere: refused.
    const mismatched = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target('province', 10), unit: 'percent' }] } });
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.errors).toEqual([expect.objectContaining({ path: 'items.0.unit', rule: 'choice' })]);
    // A count is whole (5.000 read as 5 would be a thousand times too small); a share is at most 100 %.
    const fraction = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [target('province', 66.816)] } });
    expect(fraction.body.errors).toEqual([expect.objectContaining({ path: 'items.0.value', rule: 'format' })]);
    const over = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target('province', 120), indicator: 'ocopLive/productsOcop', unit: 'percent' }] } });
    expect(over.body.errors).toEqual([expect.objectContaining({ path: 'items.0.value', rule: 'too_big', limit: 100 })]);
    expect((await api.call('GET', '/targets', { token: api.adminToken })).body.items).toHaveLength(60);
    const dup = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [...base.slice(0, 59), target(base[0]!.scope, 20)] } });
    expect(dup.status).toBe(400);
    expect(dup.body.errors).toEqual([expect.objectContaining({ path: 'items.59' })]);
    // 60 removals and 60 new ones are more than one transaction holds: refused, the set unchanged.
    const other = Array.from({ length: 60 }, (_, i) => target(listCommunes()[100 + i]!.code, 5));
    expect((await api.call('PUT', '/targets', { token: api.adminToken, body: { items: other } })).status).toBe(400);
    expect((await api.call('GET', '/targets', { token: api.adminToken })).body.items).toHaveLength(60);
    // Unchanged targets are not rewritten, so changing one of 60 is one change.
    const changed = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [...base.slice(0, 59), target(base[59]!.scope, 11)] } });
    expect(changed.status).toBe(200);
    expect(changed.body.items.find((t: { scope: string }) => t.scope === base[59]!.scope).value).toBe(11);
  });

  it('refuses an indicator that is no coverage metric, and a commune scope that is no current commune, storing nothing', async () => {
    const before = (await api.call('GET', '/targets', { token: api.adminToken })).body.items;
    const target = { indicator: 'producers', period: '2027-12-31', scope: 'province', marketplace: 'all', unit: 'count', value: 10 };
    const typo = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target, indicator: 'producerLive' }] } });
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual([expect.objectContaining({ path: 'items.0.indicator', rule: 'choice' })]);
    const ratioTypo = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target, indicator: 'ocopLive/productOcop', unit: 'percent' }] } });
    expect(ratioTypo.status).toBe(400);
    // Not one of the 166 communes in force.
    const oldCode = await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ ...target, scope: '99999' }] } });
    expect(oldCode.status).toBe(400);
    expect(oldCode.body.errors).toEqual([expect.objectContaining({ path: 'items.0.scope' })]);
    expect((await api.call('GET', '/targets', { token: api.adminToken })).body.items).toEqual(before);
  });

  it('shows a commune’s own target only to those who cover that commune', async () => {
    const items = [
      { indicator: 'producers', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'count', value: 1000 },
      { indicator: 'producers', period: '2026-12-31', scope: '15796', marketplace: 'all', unit: 'count', value: 10 },
    ];
    expect((await api.call('PUT', '/targets', { token: api.adminToken, body: { items } })).status).toBe(200);
    const scopes = async (token: string) => (await api.call('GET', '/coverage?by=province', { token })).body.targets.map((t: { scope: string }) => t.scope).sort();
    expect(await scopes(await api.userToken({ role: 'officer', communes: ['15772'] }))).toEqual(['province']);
    expect(await scopes(await api.userToken({ role: 'officer', communes: ['15796'] }))).toEqual(['15796', 'province']);
    expect(await scopes(api.adminToken)).toEqual(['15796', 'province']);
    // From a few communes, a province-wide count target shows where they stand, without a share reached.
    const officerView = (await api.call('GET', '/coverage?by=province', { token: await api.userToken({ role: 'officer', communes: ['15772'] }) })).body.targets[0];
    expect(officerView).toMatchObject({ scope: 'province', unit: 'count', current: expect.any(Number), achieved: null });
    const adminView = (await api.call('GET', '/coverage?by=province', { token: api.adminToken })).body.targets.find((t: { scope: string }) => t.scope === 'province');
    expect(adminView.achieved).toEqual(expect.any(Number));
  });
});

describe('the local server’s nightly jobs', () => {
  // A store of its own: the jobs run here as if on a later day, which would touch every other test's products.
  let own: Api;
  beforeAll(async () => {
    own = await createTestApi();
  });

  it('take a missing month-end snapshot before marking what lapsed on its last day, so a certificate valid through that day counts in it', async () => {
    const producer = await own.call('POST', '/producers', { token: own.adminToken, body: producerInput({ communeCode: '15085' }) });
    // Decided 29 February 2024: valid through 28 February 2027.
    const product = await own.call('POST', '/products', { token: own.adminToken, body: complete(producer.body.id, { ocopStars: 3, certificateDate: '2024-02-29' }) });
    const early = await own.call('POST', '/products', { token: own.adminToken, body: complete(producer.body.id, { ocopStars: 4, certificateDate: '2024-02-27' }) });
    expect([product.body.certificateExpired, early.body.certificateExpired]).toEqual([false, false]);

    const done = await runDailyJobs(own.local, new Date('2027-03-05T03:00:00Z'));
    expect(done).toEqual(['Marked 1 OCOP certificate(s) that expired: those products no longer count as OCOP', 'Took the missing month-end coverage snapshot for 2027-02', 'Marked 1 OCOP certificate(s) that expired: those products no longer count as OCOP']);
    const february = (await own.call('GET', '/coverage?by=commune&month=2027-02', { token: own.adminToken })).body.rows.find((r: { communeCode: string }) => r.communeCode === '15085');
    expect(february).toMatchObject({ products: 2, productsOcop3: 1, productsOcop4: 0 });
    expect((await own.call('GET', `/products/${product.body.id}`, { token: own.adminToken })).body.certificateExpired).toBe(true);
    expect(await runDailyJobs(own.local, new Date('2027-03-05T04:00:00Z'))).toEqual([]);
  });

  it('mark a certificate at midnight in Vietnam after its expiry date, not at midnight UTC — also one stored before lapses were kept', async () => {
    const producer = await own.call('POST', '/producers', { token: own.adminToken, body: producerInput({ communeCode: '15085' }) });
    // Decided 10 May 2024: valid through 10 May 2027 (Vietnam time).
    const product = await own.call('POST', '/products', { token: own.adminToken, body: complete(producer.body.id, { ocopStars: 5, certificateDate: '2024-05-10' }) });
    const { table } = own.local;
    // Written before certificateExpired was kept: the attribute is absent.
    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: { PK: `${table.prefix}PRODUCT#${product.body.id}`, SK: 'META' }, UpdateExpression: 'REMOVE certificateExpired' }));
    const reports = own.local.services.coverageReports;
    // 23:59:59 on 10 May in Hà Nội: still valid.
    expect(await reports.markLapsedCertificates(new Date('2027-05-10T16:59:59Z'))).toEqual({ marked: 0, failed: 0 });
    // 00:00 on 11 May in Hà Nội — still 10 May in UTC, when a UTC date would keep it valid for seven more hours.
    expect(await reports.markLapsedCertificates(new Date('2027-05-10T17:00:00Z'))).toEqual({ marked: 1, failed: 0 });
    expect((await own.call('GET', `/products/${product.body.id}`, { token: own.adminToken })).body.certificateExpired).toBe(true);
  });
});
