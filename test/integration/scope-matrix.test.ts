import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

const IN = '15772';
const OUT = '14758';

type Fixture = { producerId: string; productId: string };
type Route = { name: string; call: (api: Api, token: string, f: Fixture) => Promise<{ status: number; body: any }>; write: boolean };

const routes: Route[] = [
  { name: 'GET /producers/{id}', write: false, call: (a, t, f) => a.call('GET', `/producers/${f.producerId}`, { token: t }) },
  { name: 'PATCH /producers/{id}', write: true, call: (a, t, f) => a.call('PATCH', `/producers/${f.producerId}`, { token: t, body: { version: 1, address: 'Thôn 5' } }) },
  { name: 'DELETE /producers/{id}', write: true, call: async (a, t, f) => {
      const res = await a.call('DELETE', `/producers/${f.producerId}`, { token: t });
      return res.status === 409 && res.body.code === 'PRODUCER_HAS_PRODUCTS' ? { status: 204, body: null } : res;
    } },
  { name: 'GET /producers/{id}/events', write: false, call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/events`, { token: t }) },
  { name: 'GET /products/{id}', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}`, { token: t }) },
  { name: 'PATCH /products/{id}', write: true, call: (a, t, f) => a.call('PATCH', `/products/${f.productId}`, { token: t, body: { version: 1, priceVnd: 99000 } }) },
  { name: 'DELETE /products/{id}', write: true, call: (a, t, f) => a.call('DELETE', `/products/${f.productId}`, { token: t }) },
  { name: 'GET /products/{id}/events', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}/events`, { token: t }) },
  { name: 'POST /producers (in the fixture commune)', write: true, call: (a, t) => a.call('POST', '/producers', { token: t, body: producerInput({ communeCode: IN }) }) },
  { name: 'POST /products (for the fixture producer)', write: true, call: (a, t, f) => a.call('POST', '/products', { token: t, body: productInput(f.producerId) }) },
  { name: 'GET /producers lists it', write: false, call: async (a, t, f) => listed(await a.call('GET', '/producers?limit=100', { token: t }), f.producerId) },
  { name: 'GET /products lists it', write: false, call: async (a, t, f) => listed(await a.call('GET', '/products?limit=100', { token: t }), f.productId) },
  { name: 'GET /products?producerId= lists it', write: false, call: async (a, t, f) => listed(await a.call('GET', `/products?producerId=${f.producerId}`, { token: t }), f.productId) },
  { name: 'GET /producers/{id}/accounts', write: false, call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/accounts`, { token: t }) },
  { name: 'PUT /producers/{id}/accounts/{marketplace}', write: true, call: (a, t, f) => a.call('PUT', `/producers/${f.producerId}/accounts/shopee`, { token: t, body: { status: 'registered' } }) },
  { name: 'GET /producers/{id}/duplicates', write: false, call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/duplicates`, { token: t }) },
  { name: 'GET /products/{id}/listings', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}/listings`, { token: t }) },
  { name: 'PUT /products/{id}/listings/{marketplace}', write: true, call: (a, t, f) => a.call('PUT', `/products/${f.productId}/listings/postmart`, { token: t, body: { status: 'draft' } }) },
  { name: 'GET /products/{id}/listings/{marketplace}/history', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}/listings/postmart/history`, { token: t }) },
  { name: 'GET /products/{id}/readiness', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}/readiness`, { token: t }) },
  { name: 'GET /products/{id}/photos', write: false, call: (a, t, f) => a.call('GET', `/products/${f.productId}/photos`, { token: t }) },
  { name: 'POST /products/{id}/photos', write: true, call: (a, t, f) => a.call('POST', `/products/${f.productId}/photos`, { token: t, body: { contentType: 'image/jpeg', bytes: 1000 } }) },
];

function listed(res: { status: number; body: any }, id: string) {
  if (res.status !== 200) return res;
  return { status: res.body.items.some((x: { id: string }) => x.id === id) ? 200 : 404, body: res.body };
}

const ok = { 'GET /producers/{id}': 200, 'PATCH /producers/{id}': 200, 'DELETE /producers/{id}': 204, 'GET /producers/{id}/events': 200, 'GET /products/{id}': 200, 'PATCH /products/{id}': 200, 'DELETE /products/{id}': 204, 'GET /products/{id}/events': 200, 'POST /producers (in the fixture commune)': 201, 'POST /products (for the fixture producer)': 201, 'GET /producers lists it': 200, 'GET /products lists it': 200, 'GET /products?producerId= lists it': 200, 'GET /producers/{id}/accounts': 200, 'PUT /producers/{id}/accounts/{marketplace}': 200, 'GET /producers/{id}/duplicates': 200, 'GET /products/{id}/listings': 200, 'PUT /products/{id}/listings/{marketplace}': 200, 'GET /products/{id}/listings/{marketplace}/history': 200, 'GET /products/{id}/readiness': 200, 'GET /products/{id}/photos': 200, 'POST /products/{id}/photos': 201 } as Record<string, number>;
const hidden = Object.fromEntries(Object.keys(ok).map((k) => [k, 404]));

const expected: Record<string, Record<string, number>> = {
  admin: ok,
  department: { ...ok, 'PATCH /producers/{id}': 403, 'DELETE /producers/{id}': 403, 'PATCH /products/{id}': 403, 'DELETE /products/{id}': 403, 'POST /producers (in the fixture commune)': 403, 'POST /products (for the fixture producer)': 403, 'PUT /producers/{id}/accounts/{marketplace}': 403, 'PUT /products/{id}/listings/{marketplace}': 403, 'POST /products/{id}/photos': 403 },
  'officer in scope': ok,
  'officer out of scope': { ...hidden, 'POST /producers (in the fixture commune)': 403 },
  'cooperative (its own producer)': { ...ok, 'DELETE /producers/{id}': 403, 'POST /producers (in the fixture commune)': 403 },
  'cooperative (another producer)': { ...hidden, 'POST /producers (in the fixture commune)': 403 },
};

let api: Api;
const tokens: Record<string, (f: Fixture) => Promise<string>> = {};

beforeAll(async () => {
  api = await createTestApi();
  const department = await api.userToken({ role: 'department' });
  const officerIn = await api.userToken({ role: 'officer', communes: [IN, '14797'] });
  const officerOut = await api.userToken({ role: 'officer', communes: [OUT] });
  const otherProducer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: IN, phone: '0988111222' }) });
  const cooperativeOther = await api.userToken({ role: 'cooperative', producerId: otherProducer.body.id });
  tokens.admin = async () => api.adminToken;
  tokens.department = async () => department;
  tokens['officer in scope'] = async () => officerIn;
  tokens['officer out of scope'] = async () => officerOut;
  tokens['cooperative (its own producer)'] = (f) => api.userToken({ role: 'cooperative', producerId: f.producerId });
  tokens['cooperative (another producer)'] = async () => cooperativeOther;
});

async function fixture(): Promise<Fixture> {
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: IN, phone: '0912345678', confirmDistinct: true }) });
  const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
  return { producerId: producer.body.id, productId: product.body.id };
}

describe('every role × every route × in and out of scope', () => {
  for (const [role, outcomes] of Object.entries(expected)) {
    for (const route of routes) {
      const status = outcomes[route.name]!;
      it(`${role}: ${route.name} → ${status}`, async () => {
        const f = await fixture();
        const token = await tokens[role]!(f);
        const res = await route.call(api, token, f);
        expect(res.status).toBe(status);
        if (status >= 400 && res.body) expect(JSON.stringify(res.body)).not.toContain('0912345678');
        if (route.write && status >= 400) {
          const producer = await api.call('GET', `/producers/${f.producerId}`, { token: api.adminToken });
          const product = await api.call('GET', `/products/${f.productId}`, { token: api.adminToken });
          expect([producer.body.version, producer.body.productCount, product.body.version]).toEqual([1, 1, 1]);
        }
      });
    }
  }

  it('masks phone numbers for the department and shows them to the officer in scope', async () => {
    const f = await fixture();
    const dept = await api.call('GET', `/producers/${f.producerId}`, { token: await tokens.department!(f) });
    const officer = await api.call('GET', `/producers/${f.producerId}`, { token: await tokens['officer in scope']!(f) });
    expect(dept.body.phone).toBe('091****678');
    expect(officer.body.phone).toBe('0912345678');
  });

  it('refuses an officer filtering by a commune outside their scope', async () => {
    const res = await api.call('GET', `/producers?communeCode=${IN}`, { token: await tokens['officer out of scope']!({} as Fixture) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('OUT_OF_SCOPE');
  });

  it('refuses an officer moving a producer to a commune outside their scope', async () => {
    const f = await fixture();
    const res = await api.call('PATCH', `/producers/${f.producerId}`, { token: await tokens['officer in scope']!(f), body: { version: 1, communeCode: OUT } });
    expect(res.status).toBe(403);
  });

  it('refuses user administration to everyone but the admin', async () => {
    for (const role of ['department', 'officer in scope'] as const) {
      const token = await tokens[role]!({} as Fixture);
      expect((await api.call('GET', '/users', { token })).status).toBe(403);
      expect((await api.call('POST', '/users', { token, body: { username: 'sneaky', password: 'password-123', role: 'admin' } })).status).toBe(403);
    }
  });
});
