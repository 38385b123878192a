import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const completeProduct = (producerId: string, overrides: Record<string, unknown> = {}) =>
  productInput(producerId, { description: 'Mật ong hoa nhãn nguyên chất', unit: 'chai 500 ml', weightGrams: 700, shelfLifeDays: 365, ...overrides });

async function producerWithProduct(productOverrides: Record<string, unknown> = {}) {
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ taxCode: '2801234567', confirmDistinct: true }) });
  const product = await api.call('POST', '/products', { token: api.adminToken, body: completeProduct(producer.body.id, productOverrides) });
  return { producer: producer.body, product: product.body };
}

const putListing = (productId: string, marketplace: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  api.call('PUT', `/products/${productId}/listings/${marketplace}`, { token: api.adminToken, body, headers });

describe('marketplace registry', () => {
  it('lists the seven marketplaces with their required fields and photo rules', async () => {
    const res = await api.call('GET', '/marketplaces', { token: api.adminToken });
    expect(res.body.items.map((m: { id: string }) => m.id)).toEqual(['postmart', 'voso', 'portal', 'shopee', 'lazada', 'tiktok', 'tiki']);
    const lazada = res.body.items.find((m: { id: string }) => m.id === 'lazada');
    expect(lazada.photos).toMatchObject({ minPx: 330, maxPx: 5000, maxBytes: 3 * 1024 * 1024, formats: ['jpeg', 'png'] });
    expect(res.body.items.find((m: { id: string }) => m.id === 'shopee').photos).toMatchObject({ aspect: 'square', targetPx: 1024, maxCount: 9 });
  });
});

describe('seller accounts', () => {
  it('move one step at a time and refuse a skipped step with 409 ILLEGAL_ACCOUNT_TRANSITION', async () => {
    const { producer } = await producerWithProduct();
    const path = `/producers/${producer.id}/accounts/shopee`;
    const skipped = await api.call('PUT', path, { token: api.adminToken, body: { status: 'active' } });
    expect(skipped.status).toBe(409);
    expect(skipped.body).toMatchObject({ code: 'ILLEGAL_ACCOUNT_TRANSITION', from: 'none', to: 'active', allowed: ['registered'] });
    const registered = await api.call('PUT', path, { token: api.adminToken, body: { status: 'registered', shopUrl: 'https://shopee.vn/htx-demo' } });
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ status: 'registered', version: 1, shopUrl: 'https://shopee.vn/htx-demo' });
    expect((await api.call('PUT', path, { token: api.adminToken, body: { status: 'verified' } })).status).toBe(400);
    expect((await api.call('PUT', path, { token: api.adminToken, body: { status: 'verified', version: 7 } })).body.code).toBe('VERSION_CONFLICT');
    expect((await api.call('PUT', path, { token: api.adminToken, body: { status: 'verified', version: 1 } })).body.status).toBe('verified');
    const list = await api.call('GET', `/producers/${producer.id}/accounts`, { token: api.adminToken });
    expect(list.body.items).toEqual([expect.objectContaining({ marketplace: 'shopee', status: 'verified', version: 2 })]);
  });

  it('refuse a shop address on another site and an unknown marketplace', async () => {
    const { producer } = await producerWithProduct();
    const wrong = await api.call('PUT', `/producers/${producer.id}/accounts/lazada`, { token: api.adminToken, body: { status: 'registered', shopUrl: 'https://shopee.vn/x' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('LISTING_URL_NOT_ON_MARKETPLACE');
    const unknown = await api.call('PUT', `/producers/${producer.id}/accounts/amazon`, { token: api.adminToken, body: { status: 'registered' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('UNKNOWN_MARKETPLACE');
  });
});

describe('readiness', () => {
  it('gives floor(100 × met / required) per marketplace and says what is missing in Vietnamese and English', async () => {
    const { product } = await producerWithProduct({ description: undefined, weightGrams: undefined });
    const res = await api.call('GET', `/products/${product.id}/readiness`, { token: api.adminToken });
    const shopee = res.body.marketplaces.find((m: { marketplace: string }) => m.marketplace === 'shopee');
    expect(shopee.required).toBe(7);
    expect(shopee.met).toBe(4);
    expect(shopee.percent).toBe(Math.floor((100 * 4) / 7));
    expect(shopee.missing.map((m: { key: string }) => m.key).sort()).toEqual(['photos.count', 'product.description', 'product.weightGrams']);
    expect(shopee.missing[0].message).toEqual({ vi: expect.any(String), en: expect.any(String) });
    const portal = res.body.marketplaces.find((m: { marketplace: string }) => m.marketplace === 'portal');
    expect(portal.missing.map((m: { key: string }) => m.key).sort()).toEqual(['photos.count', 'product.description']);
  });

  it('counts a product without photos as not ready anywhere', async () => {
    const { product } = await producerWithProduct();
    const res = await api.call('GET', `/products/${product.id}/readiness`, { token: api.adminToken });
    for (const m of res.body.marketplaces) expect(m.percent).toBeLessThan(100);
  });
});

describe('listings', () => {
  it('re-judge a submission whose product was edited while it was being written, instead of answering 409 about the product’s version', async () => {
    const { product } = await producerWithProduct();
    expect((await putListing(product.id, 'portal', { status: 'draft' })).status).toBe(200);
    let edited = 0;
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const items = (args.input as { TransactItems?: { Update?: { Key?: { PK?: string }; UpdateExpression?: string } }[] }).TransactItems ?? [];
        if (context.commandName === 'TransactWriteItemsCommand' && !edited && items.some((i) => i.Update?.Key?.PK === `P#38#PRODUCT#${product.id}` && i.Update.UpdateExpression?.includes('listingStatuses'))) {
          edited += 1;
          // Someone edits the product between the submission's read and its write.
          await api.call('PATCH', `/products/${product.id}`, { token: api.adminToken, body: { version: 1, description: 'Mật ong hoa nhãn, mùa vụ 2026' } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'edit-during-submit' },
    );
    try {
      const submitted = await putListing(product.id, 'portal', { status: 'submitted', version: 1, overrideReason: 'hồ sơ giấy đủ' });
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ status: 'submitted', version: 2 });
    } finally {
      api.local.table.doc.middlewareStack.remove('edit-during-submit');
    }
    expect(edited).toBe(1);
    expect((await api.call('GET', `/products/${product.id}`, { token: api.adminToken })).body).toMatchObject({ version: 2, description: 'Mật ong hoa nhãn, mùa vụ 2026', listingStatuses: { portal: 'submitted' } });
  });

  it('walk the state machine with its checks and keep every transition', async () => {
    const { producer, product } = await producerWithProduct();
    expect((await putListing(product.id, 'voso', { status: 'submitted' })).body.code).toBe('ILLEGAL_LISTING_TRANSITION');
    // An address off the marketplace is refused whatever the status it comes with, and nothing is stored.
    const offDraft = await putListing(product.id, 'voso', { status: 'draft', url: 'https://evil.example/phish' });
    expect([offDraft.status, offDraft.body.code, offDraft.body.errors]).toEqual([400, 'LISTING_URL_NOT_ON_MARKETPLACE', [expect.objectContaining({ path: 'url' })]]);
    expect((await api.call('GET', `/products/${product.id}/listings`, { token: api.adminToken })).body.items ?? []).toEqual([]);
    const draft = await putListing(product.id, 'voso', { status: 'draft' });
    expect(draft.body).toMatchObject({ status: 'draft', version: 1 });
    const notReady = await putListing(product.id, 'voso', { status: 'submitted', version: 1 });
    expect(notReady.status).toBe(409);
    expect(notReady.body.code).toBe('NOT_READY');
    expect(notReady.body.readiness.missing.map((m: { key: string }) => m.key)).toEqual(['photos.count']);
    const submitted = await putListing(product.id, 'voso', { status: 'submitted', version: 1, overrideReason: 'Ảnh đã gửi trực tiếp cho sàn' });
    expect(submitted.body).toMatchObject({ status: 'submitted', version: 2 });
    expect((await putListing(product.id, 'voso', { status: 'live', version: 2 })).body.code).toBe('LISTING_URL_REQUIRED');
    expect((await putListing(product.id, 'voso', { status: 'live', version: 2, url: 'https://postmart.vn/p/1' })).body.code).toBe('LISTING_URL_NOT_ON_MARKETPLACE');
    const noAccount = await putListing(product.id, 'voso', { status: 'live', version: 2, url: 'https://voso.vn/san-pham/1' });
    expect(noAccount.status).toBe(409);
    expect(noAccount.body.code).toBe('SELLER_ACCOUNT_REQUIRED');
    await api.call('PUT', `/producers/${producer.id}/accounts/voso`, { token: api.adminToken, body: { status: 'registered' } });
    const live = await putListing(product.id, 'voso', { status: 'live', version: 2, url: 'https://voso.vn/san-pham/1' });
    expect(live.body).toMatchObject({ status: 'live', url: 'https://voso.vn/san-pham/1', version: 3 });
    for (const [status, version] of [['paused', 3], ['live', 4], ['delisted', 5], ['draft', 6]] as const) {
      expect((await putListing(product.id, 'voso', { status, version })).body.status).toBe(status);
    }
    const history = await api.call('GET', `/products/${product.id}/listings/voso/history`, { token: api.adminToken });
    expect(history.body.items.map((t: { from: string | null; to: string }) => `${t.from}->${t.to}`)).toEqual(['null->draft', 'draft->submitted', 'submitted->live', 'live->paused', 'paused->live', 'live->delisted', 'delisted->draft']);
    expect(history.body.items[1]).toMatchObject({ actor: { username: 'admin' }, overrideReason: 'Ảnh đã gửi trực tiếp cho sàn' });
  });

  it('need a reason to be rejected, and go back to draft from rejected', async () => {
    const { product } = await producerWithProduct();
    await putListing(product.id, 'tiki', { status: 'draft' });
    await putListing(product.id, 'tiki', { status: 'submitted', version: 1, overrideReason: 'thử nghiệm' });
    expect((await putListing(product.id, 'tiki', { status: 'rejected', version: 2 })).body.code).toBe('REJECTION_REASON_REQUIRED');
    const rejected = await putListing(product.id, 'tiki', { status: 'rejected', version: 2, reason: 'Ảnh mờ' });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'Ảnh mờ' });
    const draft = await putListing(product.id, 'tiki', { status: 'draft', version: 3 });
    expect(draft.body.status).toBe('draft');
    expect(draft.body).not.toHaveProperty('reason');
  });

  it('answer a retried transition with the first result and record it once', async () => {
    const { product } = await producerWithProduct();
    const headers = { 'idempotency-key': `listing-${product.id}` };
    const first = await putListing(product.id, 'lazada', { status: 'draft' }, headers);
    const again = await putListing(product.id, 'lazada', { status: 'draft' }, headers);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const history = await api.call('GET', `/products/${product.id}/listings/lazada/history`, { token: api.adminToken });
    expect(history.body.items).toHaveLength(1);
  });

  it('go away with their product', async () => {
    const { product } = await producerWithProduct();
    await putListing(product.id, 'shopee', { status: 'draft' });
    expect((await api.call('DELETE', `/products/${product.id}`, { token: api.adminToken })).status).toBe(204);
    const left = await api.local.table.doc.send(new QueryCommand({ TableName: api.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `P#38#PRODUCT#${product.id}` } }));
    expect(left.Items).toEqual([]);
  });

  it('are hidden outside the caller’s scope', async () => {
    const { product } = await producerWithProduct();
    const outsider = await api.userToken({ role: 'officer', communes: ['14758'] });
    expect((await api.call('GET', `/products/${product.id}/listings`, { token: outsider })).status).toBe(404);
    expect((await api.call('PUT', `/products/${product.id}/listings/voso`, { token: outsider, body: { status: 'draft' } })).status).toBe(404);
    expect((await api.call('GET', `/products/${product.id}/readiness`, { token: outsider })).status).toBe(404);
    const department = await api.userToken({ role: 'department' });
    expect((await api.call('PUT', `/products/${product.id}/listings/voso`, { token: department, body: { status: 'draft' } })).status).toBe(403);
  });
});

describe('duplicate producers', () => {
  it('answer 409 with the matches unless the request confirms the producer is distinct', async () => {
    const first = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '0977000111' }) });
    const again = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '0977 000 111' }) });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'DUPLICATE_PRODUCER', matches: [{ id: first.body.id, matchedOn: ['phone'] }] });
    const confirmed = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '0977000111', confirmDistinct: true }) });
    expect(confirmed.status).toBe(201);
    const dups = await api.call('GET', `/producers/${confirmed.body.id}/duplicates`, { token: api.adminToken });
    expect(dups.body.items.map((m: { id: string }) => m.id)).toEqual([first.body.id]);
  });

  it('match the same name in the same commune whatever the accents, the same tax code and the same citizen ID', async () => {
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'Hộ Phạm Văn Đức', communeCode: '14797', taxCode: '2809999999', citizenId: '038099000111' }) });
    const byName = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'ho pham van duc', communeCode: '14797' }) });
    expect(byName.body.matches[0].matchedOn).toEqual(['name']);
    expect((await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'ho pham van duc', communeCode: '14812' }) })).status).toBe(201);
    expect((await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ taxCode: '2809999999' }) })).body.matches[0].matchedOn).toEqual(['taxCode']);
    expect((await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ citizenId: '038099000111' }) })).body.matches[0].matchedOn).toEqual(['citizenId']);
  });

  it('tell only that there is a match outside the caller’s scope, not who or where', async () => {
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '0977000222', communeCode: '15772' }) });
    const officer = await api.userToken({ role: 'officer', communes: ['14758'] });
    const res = await api.call('POST', '/producers', { token: officer, body: producerInput({ phone: '0977000222', communeCode: '14758' }) });
    expect(res.status).toBe(409);
    expect(res.body.matches).toEqual([{ matchedOn: ['phone'] }]);
  });

  it('merge into the survivor with products, listings and accounts, keeping both audit trails', async () => {
    const survivor = await producerWithProduct();
    const duplicate = await producerWithProduct({ name: 'Mật ong bạc hà' });
    await api.call('PUT', `/producers/${duplicate.producer.id}/accounts/postmart`, { token: api.adminToken, body: { status: 'registered' } });
    await putListing(duplicate.product.id, 'postmart', { status: 'draft' });
    const merged = await api.call('POST', `/producers/${survivor.producer.id}/merge`, { token: api.adminToken, body: { sourceId: duplicate.producer.id, version: 1 } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ productCount: 2, version: 2 });
    expect((await api.call('GET', `/producers/${duplicate.producer.id}`, { token: api.adminToken })).status).toBe(404);
    const products = await api.call('GET', `/products?producerId=${survivor.producer.id}`, { token: api.adminToken });
    expect(products.body.items).toHaveLength(2);
    const moved = await api.call('GET', `/products/${duplicate.product.id}/listings`, { token: api.adminToken });
    expect(moved.body.items).toEqual([expect.objectContaining({ marketplace: 'postmart', status: 'draft', producerId: survivor.producer.id })]);
    const accounts = await api.call('GET', `/producers/${survivor.producer.id}/accounts`, { token: api.adminToken });
    expect(accounts.body.items).toEqual([expect.objectContaining({ marketplace: 'postmart', status: 'registered', producerId: survivor.producer.id })]);
    const events = await api.call('GET', `/producers/${survivor.producer.id}/events`, { token: api.adminToken });
    expect(events.body.items[0]).toMatchObject({ action: 'merge', after: { mergedFrom: duplicate.producer.id } });
    const stale = await api.call('POST', `/producers/${survivor.producer.id}/merge`, { token: api.adminToken, body: { sourceId: survivor.producer.id, version: 2 } });
    expect(stale.status).toBe(400);
  });
});

describe('OCOP certificates', () => {
  const monthsAgo = (months: number, plusDays: number) => {
    const d = new Date();
    d.setUTCMonth(d.getUTCMonth() - months);
    d.setUTCDate(d.getUTCDate() + plusDays);
    return d.toISOString().slice(0, 10);
  };

  it('list the expired and soon-expiring ones in scope, soonest first', async () => {
    const soon = await producerWithProduct({ name: 'Sắp hết hạn', certificateDate: monthsAgo(36, 10) });
    const expired = await producerWithProduct({ name: 'Đã hết hạn', certificateDate: monthsAgo(40, 0) });
    await producerWithProduct({ name: 'Còn hạn lâu', certificateDate: monthsAgo(1, 0) });
    const res = await api.call('GET', '/products/certificates?withinDays=30&limit=100', { token: api.adminToken });
    const names = res.body.items.map((p: { name: string }) => p.name);
    expect(names).toContain('Sắp hết hạn');
    expect(names).toContain('Đã hết hạn');
    expect(names).not.toContain('Còn hạn lâu');
    expect(names.indexOf('Đã hết hạn')).toBeLessThan(names.indexOf('Sắp hết hạn'));
    const outsider = await api.userToken({ role: 'officer', communes: ['14758'] });
    const none = await api.call('GET', '/products/certificates?withinDays=30', { token: outsider });
    expect(none.body.items.map((p: { id: string }) => p.id)).not.toContain(soon.product.id);
    expect(none.body.items.map((p: { id: string }) => p.id)).not.toContain(expired.product.id);
    // An officer of every commune (166 of them; DynamoDB takes 100 values per IN) sees them too.
    const everywhere = await api.userToken({ role: 'officer', communes: listCommunes().map((c) => c.code) });
    const all = await api.call('GET', '/products/certificates?withinDays=30&limit=100', { token: everywhere });
    expect(all.status).toBe(200);
    expect(all.body.items.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([soon.product.id, expired.product.id]));
  });
});

describe('OCOP certificates by how long ago they expired', () => {
  it('keep long-expired ones apart from those about to expire and those that just expired', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    // Certificates run 36 months from the decision: decide so that each expires on the day wanted.
    const decidedFor = (expiry: string) => {
      const d = new Date(`${expiry}T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - 36);
      return d.toISOString().slice(0, 10);
    };
    const soon = await producerWithProduct({ name: 'Hết hạn sau 20 ngày', certificateDate: decidedFor(day(20)) });
    const just = await producerWithProduct({ name: 'Hết hạn 10 ngày trước', certificateDate: decidedFor(day(-10)) });
    const long = await producerWithProduct({ name: 'Hết hạn 2 năm trước', certificateDate: decidedFor(day(-730)) });
    const ids = async (q: string) => ((await api.call('GET', `/products/certificates?${q}&limit=100`, { token: api.adminToken })).body.items as { id: string }[]).map((p) => p.id);
    const mine = (list: string[]) => list.filter((id) => [soon, just, long].some((x) => x.product.id === id));

    expect(mine(await ids('withinDays=90'))).toEqual([long.product.id, just.product.id, soon.product.id]);
    expect(mine(await ids('withinDays=90&expiredWithinDays=0'))).toEqual([soon.product.id]);
    expect(mine(await ids('withinDays=0&expiredWithinDays=90'))).toEqual([just.product.id]);
    expect((await api.call('GET', '/products/certificates?expiredWithinDays=-1', { token: api.adminToken })).status).toBe(400);
  });
});

describe('readiness with photos', () => {
  it('counts a processed photo, lets the listing be submitted without an override, and keeps coverage exact', async () => {
    const sharp = (await import('sharp')).default;
    const { product } = await producerWithProduct();
    const before = (await api.call('GET', '/coverage?by=province&marketplace=voso', { token: api.adminToken })).body.totals.productsReady;
    const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#c0392b' } }).jpeg().toBuffer();
    const target = await api.call('POST', `/products/${product.id}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } });
    expect(target.status).toBe(201);
    const put = await api.app.request(target.body.uploadUrl, { method: 'PUT', headers: target.body.headers, body: jpeg });
    expect(put.status).toBeLessThan(300);
    await api.idle();
    const readiness = await api.call('GET', `/products/${product.id}/readiness`, { token: api.adminToken });
    const voso = readiness.body.marketplaces.find((m: { marketplace: string }) => m.marketplace === 'voso');
    expect(voso).toMatchObject({ percent: 100, missing: [] });
    expect((await api.call('GET', `/products/${product.id}`, { token: api.adminToken })).body.readyMarketplaces).toContain('voso');
    const after = (await api.call('GET', '/coverage?by=province&marketplace=voso', { token: api.adminToken })).body.totals.productsReady;
    expect(after - before).toBe(1);
    await putListing(product.id, 'voso', { status: 'draft' });
    expect((await putListing(product.id, 'voso', { status: 'submitted', version: 1 })).body.status).toBe('submitted');
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});

describe('readiness while a photo is processed', () => {
  it('an edit that read the photos before one became ready does not keep readiness without it', async () => {
    const sharp = (await import('sharp')).default;
    const { product } = await producerWithProduct({ description: undefined });
    expect(product.readyMarketplaces).toEqual([]);
    const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#2e86c1' } }).jpeg().toBuffer();

    // The edit (adding the description every marketplace needs) is held right before it writes;
    // meanwhile a photo is uploaded, processed and the product's readiness refreshed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held: (() => void) | undefined;
    const reachedWrite = new Promise<void>((r) => (held = r));
    const name = 'hold-product-edit';
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const items = (args.input as { TransactItems?: { Put?: { Item?: { id?: string; description?: string } } }[] }).TransactItems ?? [];
        if (context.commandName === 'TransactWriteItemsCommand' && held && items.some((i) => i.Put?.Item?.id === product.id && i.Put?.Item?.description)) {
          held();
          held = undefined;
          await gate;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const edit = api.call('PATCH', `/products/${product.id}`, { token: api.adminToken, body: { version: 1, description: 'Mô tả đầy đủ cho các sàn.' } });
      await reachedWrite;
      const target = await api.call('POST', `/products/${product.id}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } });
      expect((await api.app.request(target.body.uploadUrl, { method: 'PUT', headers: target.body.headers, body: jpeg })).status).toBeLessThan(300);
      await api.idle();
      release();
      expect((await edit).status).toBe(200);
    } finally {
      api.local.table.doc.middlewareStack.remove(name);
    }
    const readiness = await api.call('GET', `/products/${product.id}/readiness`, { token: api.adminToken });
    const complete = readiness.body.marketplaces.filter((m: { percent: number }) => m.percent === 100).map((m: { marketplace: string }) => m.marketplace);
    expect(complete.length).toBeGreaterThan(0);
    expect((await api.call('GET', `/products/${product.id}`, { token: api.adminToken })).body.readyMarketplaces.sort()).toEqual(complete.sort());
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});
