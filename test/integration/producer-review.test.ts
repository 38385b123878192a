import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '#functions/services/principal.ts';
import { cognitoServices, disablesHeldTogether } from '#test/support/cognito-services.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';
import { startAwsStandIns, type AwsStandIns } from '../infra/aws-stand-ins.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

describe('a producer name', () => {
  it('needs a letter or digit: punctuation alone is refused, not matched as a duplicate of other punctuation', async () => {
    const first = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: '!!!' }) });
    expect(first.status).toBe(400);
    expect(first.body.errors).toEqual([{ path: 'name', message: expect.any(String), rule: 'name_needs_letter' }]);
    expect((await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: '???' }) })).body.errors).toEqual([expect.objectContaining({ path: 'name', rule: 'name_needs_letter' })]);

    const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'HTX 3/2' }) });
    expect(created.status).toBe(201);
    const renamed = await api.call('PATCH', `/producers/${created.body.id}`, { token: api.adminToken, body: { version: 1, name: '- . -' } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors).toEqual([expect.objectContaining({ path: 'name', rule: 'name_needs_letter' })]);
  });
});

const complete = (producerId: string, extra: Record<string, unknown> = {}) => productInput(producerId, { description: 'Mô tả', unit: 'hộp', weightGrams: 500, shelfLifeDays: 180, ...extra });
const reconcile = async () => (await api.local.services.coverageReports.reconcile()).differences;

async function producerWithProducts(count: number, overrides: Record<string, unknown> = {}) {
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ confirmDistinct: true, ...overrides }) });
  expect(producer.status).toBe(201);
  const products: { id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const product = await api.call('POST', '/products', { token: api.adminToken, body: complete(producer.body.id, { name: `Sản phẩm ${i}` }) });
    expect(product.status).toBe(201);
    products.push(product.body);
  }
  return { producer: producer.body as { id: string; version: number }, products };
}

async function addPhoto(productId: string) {
  const sharp = (await import('sharp')).default;
  const jpeg = await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#27ae60' } }).jpeg().toBuffer();
  const target = await api.call('POST', `/products/${productId}/photos`, { token: api.adminToken, body: { contentType: 'image/jpeg', bytes: jpeg.length } });
  expect((await api.app.request(target.body.uploadUrl, { method: 'PUT', headers: target.body.headers, body: jpeg })).status).toBeLessThan(300);
  await api.idle();
}

describe('a producer’s phone or tax code', () => {
  it('changes to another number however many products the producer has: their readiness cannot move', async () => {
    const { producer, products } = await producerWithProducts(91, { taxCode: '2801234567' });
    const covRev = async () => (await api.local.repositories.products.get(products[90]!.id, { consistent: true }))!.covRev;
    const before = await covRev();
    const changed = await api.call('PATCH', `/producers/${producer.id}`, { token: api.adminToken, body: { version: 1, phone: '0912000111', taxCode: '2807654321' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ phone: '0912000111', taxCode: '2807654321', productCount: 91 });
    // Not rewritten: a rewrite moves the product's coverage revision.
    expect(await covRev()).toBe(before);
    expect(await reconcile()).toEqual([]);
  }, 120_000);

  it('is given to a producer of 60 products whose readiness it does not move: each product costs the change its write, not an audit event too', async () => {
    const { producer, products } = await producerWithProducts(60, { phone: undefined });
    const changed = await api.call('PATCH', `/producers/${producer.id}`, { token: api.adminToken, body: { version: 1, phone: '0912000222' } });
    expect(changed.status).toBe(200);
    expect(await api.local.repositories.audit.listForEntity('product', products[0]!.id)).toHaveLength(1);
    expect(await reconcile()).toEqual([]);
  }, 120_000);

  it('still moves its products’ readiness, and the counters with it, when it is cleared or given again', async () => {
    const { producer, products } = await producerWithProducts(1, { taxCode: '2801234567' });
    const productId = products[0]!.id;
    await addPhoto(productId);
    const ready = async () => ((await api.call('GET', `/products/${productId}`, { token: api.adminToken })).body.readyMarketplaces as string[]).sort();
    const readyCount = async () => (await api.call('GET', '/coverage?by=province&marketplace=voso', { token: api.adminToken })).body.totals.productsReady as number;
    const all = await ready();
    expect(all).toContain('voso');
    const before = await readyCount();

    expect((await api.call('PATCH', `/producers/${producer.id}`, { token: api.adminToken, body: { version: 1, phone: null } })).status).toBe(200);
    expect(await ready()).toEqual([]);
    expect(await readyCount()).toBe(before - 1);
    expect(await reconcile()).toEqual([]);

    expect((await api.call('PATCH', `/producers/${producer.id}`, { token: api.adminToken, body: { version: 2, phone: '0912000222', taxCode: null } })).status).toBe(200);
    expect(await ready()).toEqual(all.filter((m) => !['lazada', 'tiktok', 'tiki'].includes(m)));
    expect(await readyCount()).toBe(before);
    expect(await reconcile()).toEqual([]);
  }, 60_000);
});

const productEvents = async (id: string) => (await api.call('GET', `/products/${id}/events`, { token: api.adminToken })).body.items as { action: string; before: any; after: any }[];

describe('what a producer’s change does to other records', () => {
  it('records on each product the commune it moved to with its producer', async () => {
    const { producer, products } = await producerWithProducts(2);
    expect((await api.call('PATCH', `/producers/${producer.id}`, { token: api.adminToken, body: { version: 1, communeCode: '14758' } })).status).toBe(200);
    for (const { id } of products) {
      const [moved] = await productEvents(id);
      expect(moved).toMatchObject({ action: 'update', before: { communeCode: '15772', producerId: producer.id }, after: { communeCode: '14758', producerId: producer.id } });
      expect(moved!.after).not.toHaveProperty('covRev');
    }
  });

  it('records on each product, listing and seller account what a merge changed on it', async () => {
    const target = await producerWithProducts(0);
    const source = await producerWithProducts(1);
    const productId = source.products[0]!.id;
    expect((await api.call('PUT', `/products/${productId}/listings/postmart`, { token: api.adminToken, body: { status: 'draft' } })).status).toBe(200);
    expect((await api.call('PUT', `/producers/${source.producer.id}/accounts/voso`, { token: api.adminToken, body: { status: 'registered' } })).status).toBe(200);
    const merged = await api.call('POST', `/producers/${target.producer.id}/merge`, { token: api.adminToken, body: { sourceId: source.producer.id, version: 1 } });
    expect(merged.status).toBe(200);

    expect((await productEvents(productId))[0]).toMatchObject({ action: 'update', before: { producerId: source.producer.id }, after: { producerId: target.producer.id } });
    const trail = (type: 'listing' | 'account', id: string) => api.local.repositories.audit.listForEntity(type, id);
    expect((await trail('listing', `${productId}#postmart`)).at(-1)).toMatchObject({ action: 'update', before: { producerId: source.producer.id, version: 1 }, after: { producerId: target.producer.id, version: 2 } });
    expect((await trail('account', `${source.producer.id}#voso`)).at(-1)).toMatchObject({ action: 'delete', before: { status: 'registered' }, after: null });
    expect((await trail('account', `${target.producer.id}#voso`)).at(-1)).toMatchObject({ action: 'create', before: null, after: { producerId: target.producer.id, status: 'registered' } });
    expect(await reconcile()).toEqual([]);
  });

  it('records the seller accounts a producer’s delete removed', async () => {
    const { producer } = await producerWithProducts(0);
    expect((await api.call('PUT', `/producers/${producer.id}/accounts/shopee`, { token: api.adminToken, body: { status: 'registered' } })).status).toBe(200);
    expect((await api.call('DELETE', `/producers/${producer.id}`, { token: api.adminToken })).status).toBe(204);
    expect((await api.local.repositories.audit.listForEntity('account', `${producer.id}#shopee`)).at(-1)).toMatchObject({ action: 'delete', before: { status: 'registered' }, after: null });
  });
});

async function cooperativeOf(producerId: string) {
  const token = await api.userToken({ role: 'cooperative', producerId });
  const me = await api.call('GET', '/auth/me', { token });
  return { token, id: me.body.id as string };
}

describe('the cooperative users of a producer', () => {
  it('follow it when it is merged into another: they see the survivor at once, and each user’s trail records the move', async () => {
    const target = await producerWithProducts(1);
    const source = await producerWithProducts(1);
    const active = await cooperativeOf(source.producer.id);
    const disabled = await cooperativeOf(source.producer.id);
    expect((await api.call('PATCH', `/users/${disabled.id}`, { token: api.adminToken, body: { disabled: true } })).status).toBe(200);
    expect((await api.call('GET', `/producers/${source.producer.id}`, { token: active.token })).status).toBe(200);

    expect((await api.call('POST', `/producers/${target.producer.id}/merge`, { token: api.adminToken, body: { sourceId: source.producer.id, version: 1 } })).status).toBe(200);

    expect((await api.call('GET', `/producers/${target.producer.id}`, { token: active.token })).status).toBe(200);
    const seen = await api.call('GET', `/products?producerId=${target.producer.id}`, { token: active.token });
    expect(seen.body.items.map((p: { id: string }) => p.id).sort()).toEqual([target.products[0]!.id, source.products[0]!.id].sort());
    for (const user of [active, disabled]) {
      const stored = await api.local.repositories.users.get(user.id, { consistent: true });
      expect(stored).toMatchObject({ role: 'cooperative', producerId: target.producer.id });
      expect((await api.local.repositories.audit.listForEntity('user', user.id)).at(-1)).toMatchObject({ action: 'update', before: { producerId: source.producer.id }, after: { producerId: target.producer.id } });
    }
    expect(await api.local.repositories.users.get(disabled.id, { consistent: true })).toMatchObject({ disabled: true });
  });

  it('are moved by an administrator’s merge only: an officer’s merge is refused, nothing changed, since it would show the login another producer’s data', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['15772'] });
    const target = await producerWithProducts(0, { communeCode: '15772' });
    const source = await producerWithProducts(0, { communeCode: '15772' });
    const user = await cooperativeOf(source.producer.id);
    const refused = await api.call('POST', `/producers/${target.producer.id}/merge`, { token: officer, body: { sourceId: source.producer.id, version: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
    expect((await api.call('GET', `/producers/${source.producer.id}`, { token: api.adminToken })).status).toBe(200);
    expect((await api.call('GET', `/producers/${target.producer.id}`, { token: api.adminToken })).body.version).toBe(1);
    expect(await api.local.repositories.users.get(user.id, { consistent: true })).toMatchObject({ producerId: source.producer.id });
  });

  it('keep it from being deleted, enabled or disabled, until an administrator binds them elsewhere', async () => {
    const { producer } = await producerWithProducts(0);
    const other = await producerWithProducts(0);
    const user = await cooperativeOf(producer.id);
    expect((await api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { disabled: true } })).status).toBe(200);
    const refused = await api.call('DELETE', `/producers/${producer.id}`, { token: api.adminToken });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
    expect((await api.call('GET', `/producers/${producer.id}`, { token: api.adminToken })).status).toBe(200);

    const version = (await api.local.repositories.users.get(user.id, { consistent: true }))!.version;
    expect((await api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { version, producerId: other.producer.id } })).status).toBe(200);
    expect((await api.call('DELETE', `/producers/${producer.id}`, { token: api.adminToken })).status).toBe(204);
  });
});

describe('a merge', () => {
  it('is refused with 409 when the duplicate changed since the operator reviewed the version the duplicates list showed', async () => {
    const phone = `09${String(Date.now()).slice(-8)}`;
    const target = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone, confirmDistinct: true }) });
    const source = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone, confirmDistinct: true }) });
    const [shown] = (await api.call('GET', `/producers/${target.body.id}/duplicates`, { token: api.adminToken })).body.items;
    expect(shown).toMatchObject({ id: source.body.id, version: 1, matchedOn: ['phone'] });
    expect((await api.call('PATCH', `/producers/${source.body.id}`, { token: api.adminToken, body: { version: 1, address: 'Thôn Đông' } })).status).toBe(200);

    const stale = await api.call('POST', `/producers/${target.body.id}/merge`, { token: api.adminToken, body: { sourceId: source.body.id, version: 1, sourceVersion: shown.version } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect((await api.call('GET', `/producers/${source.body.id}`, { token: api.adminToken })).body.version).toBe(2);
    expect((await api.call('GET', `/producers/${target.body.id}`, { token: api.adminToken })).body.version).toBe(1);

    const merged = await api.call('POST', `/producers/${target.body.id}/merge`, { token: api.adminToken, body: { sourceId: source.body.id, version: 1, sourceVersion: 2 } });
    expect(merged.status).toBe(200);
    expect((await api.call('GET', `/producers/${source.body.id}`, { token: api.adminToken })).status).toBe(404);
  });
});

describe('two administrators disabling the same user at once (Cognito)', () => {
  let aws: AwsStandIns;
  afterAll(async () => void (await aws?.close()));

  it('leave it disabled at Cognito as in the table: the one refused does not enable it again', async () => {
    aws = await startAwsStandIns();
    // Both disables reach Cognito before either change is written.
    const services = cognitoServices(api, aws, disablesHeldTogether(2));
    const admin = (sub: string): Principal => ({ sub, username: sub, role: 'admin', communes: [] });
    const user = await services.users.create({ principal: admin('system') }, { username: `cloud.user.${randomUUID().slice(0, 6)}`, password: 'Strong-passw0rd!', role: 'department' });

    const outcomes = await Promise.allSettled([services.users.update({ principal: admin('admin-a') }, user.id, { disabled: true }), services.users.update({ principal: admin('admin-b') }, user.id, { disabled: true })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await api.local.repositories.users.get(user.id, { consistent: true })).toMatchObject({ disabled: true });
    expect(aws.users.get(user.username)!.enabled).toBe(false);
  }, 60_000);
});
