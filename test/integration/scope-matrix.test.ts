import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, readSpreadsheet } from '#functions/imports/spreadsheet-reader.ts';
import { snapshotMonthAt } from '#functions/jobs/scheduled-jobs.ts';
import { getCommune } from '#shared/admin-units/admin-units.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';
import { csv, importDriver } from '#test/support/imports.ts';

/** The fixture's commune, which the officer in scope serves. */
const IN = '15772';
/** The officer out of scope's one commune. No record is ever placed in it: every figure that officer sees is 0. */
const OUT = '14758';
/** A commune neither officer serves: the other side of a merge the officer in scope may not make. */
const ELSEWHERE = '14812';
/** The month whose snapshot the coverage history reads (taken in `beforeAll`, and by the admin's snapshot route). */
const MONTH = snapshotMonthAt(new Date());
const PHONE = '0912345678';

const roles = ['admin', 'department', 'officer in scope', 'officer out of scope', 'cooperative (its own producer)', 'cooperative (another producer)'] as const;
type Role = (typeof roles)[number];
type Outcomes = Record<Role, number>;

type Fixture = {
  producerId: string;
  productId: string;
  producerName: string;
  productName: string;
  /** Another producer (the other side of a merge). */
  otherId?: string;
  photoIds?: string[];
  importId?: string;
  importFile?: string;
  user?: { id: string; username: string };
};
type Answer = { status: number; body: any };
type Route = {
  name: string;
  /** The OpenAPI operation it calls, `METHOD /path/{param}`; several entries may call one. */
  route: string;
  expect: Outcomes;
  /** A write: when refused, nothing of the fixture (nor what `state` reads) may have changed. */
  write?: boolean;
  /** More fixture, made by the admin before the caller acts. */
  setup?: (api: Api, f: Fixture) => Promise<Partial<Fixture>>;
  call: (api: Api, token: string, f: Fixture) => Promise<Answer>;
  /** What a refused write must leave as it was, besides the fixture's records. */
  state?: (api: Api, f: Fixture) => Promise<unknown>;
};

/** Whoever may see the fixture gets `ok`; anyone else 404, as if it did not exist. */
const seen = (ok: number): Outcomes => ({ admin: ok, department: ok, 'officer in scope': ok, 'officer out of scope': 404, 'cooperative (its own producer)': ok, 'cooperative (another producer)': 404 });
/** As `seen`, but the department only reads. */
const written = (ok: number): Outcomes => ({ ...seen(ok), department: 403 });
/** Province-wide and commune figures: an officer gets those of their communes, a cooperative none. */
const figures = (ok: number): Outcomes => ({ ...seen(ok), 'cooperative (its own producer)': 403, 'cooperative (another producer)': 403 });
const onlyAdmin = (ok: number): Outcomes => ({ admin: ok, department: 403, 'officer in scope': 403, 'officer out of scope': 403, 'cooperative (its own producer)': 403, 'cooperative (another producer)': 403 });
/** Something another officer owns: only the admin reaches it; to anyone else it does not exist. */
const othersOwn = (ok: number): Outcomes => ({ admin: ok, department: 404, 'officer in scope': 404, 'officer out of scope': 404, 'cooperative (its own producer)': 404, 'cooperative (another producer)': 404 });

/**
 * Routes that reach no producer, product or other user's object, so have no matrix entry — each
 * with why. A route of the API must be in the matrix or here.
 */
const notObjectScoped: Record<string, string> = {
  'POST /auth/login': 'public: signs in with a username and password, reaches nothing else',
  'GET /auth/me': 'the caller’s own identity and scope, nobody else’s',
  'POST /auth/logout': 'ends the caller’s own sessions only (and would end the matrix’s tokens)',
  'GET /marketplaces': 'the marketplace registry: reference data every role reads',
  'GET /admin-units/communes': 'the province’s communes: public reference data for any signed-in user',
  'GET /admin-units/resolve': 'maps old unit names to current communes: public reference data for any signed-in user',
};

const routes: Route[] = [
  { name: 'GET /producers/{id}', route: 'GET /producers/{id}', expect: seen(200), call: (a, t, f) => a.call('GET', `/producers/${f.producerId}`, { token: t }) },
  { name: 'PATCH /producers/{id}', route: 'PATCH /producers/{id}', expect: written(200), write: true, call: (a, t, f) => a.call('PATCH', `/producers/${f.producerId}`, { token: t, body: { version: 1, address: 'Thôn 5' } }) },
  { name: 'DELETE /producers/{id}', route: 'DELETE /producers/{id}', expect: { ...written(204), 'cooperative (its own producer)': 403 }, write: true, call: async (a, t, f) => {
      const res = await a.call('DELETE', `/producers/${f.producerId}`, { token: t });
      return res.status === 409 && res.body.code === 'PRODUCER_HAS_PRODUCTS' ? { status: 204, body: null } : res;
    } },
  { name: 'GET /producers/{id}/events', route: 'GET /producers/{id}/events', expect: seen(200), call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/events`, { token: t }) },
  { name: 'GET /products/{id}', route: 'GET /products/{id}', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}`, { token: t }) },
  { name: 'PATCH /products/{id}', route: 'PATCH /products/{id}', expect: written(200), write: true, call: (a, t, f) => a.call('PATCH', `/products/${f.productId}`, { token: t, body: { version: 1, priceVnd: 99000 } }) },
  { name: 'DELETE /products/{id}', route: 'DELETE /products/{id}', expect: written(204), write: true, call: (a, t, f) => a.call('DELETE', `/products/${f.productId}`, { token: t }) },
  { name: 'GET /products/{id}/events', route: 'GET /products/{id}/events', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}/events`, { token: t }) },
  { name: 'POST /producers (in the fixture commune)', route: 'POST /producers', expect: { ...onlyAdmin(201), 'officer in scope': 201 }, write: true, call: (a, t) => a.call('POST', '/producers', { token: t, body: producerInput({ communeCode: IN }) }) },
  { name: 'POST /products (for the fixture producer)', route: 'POST /products', expect: written(201), write: true, call: (a, t, f) => a.call('POST', '/products', { token: t, body: productInput(f.producerId) }) },
  { name: 'GET /producers lists it', route: 'GET /producers', expect: seen(200), call: (a, t, f) => listedInPages(a, t, '/producers', f.producerId) },
  { name: 'GET /products lists it', route: 'GET /products', expect: seen(200), call: (a, t, f) => listedInPages(a, t, '/products', f.productId) },
  { name: 'GET /products?producerId= lists it', route: 'GET /products', expect: seen(200), call: (a, t, f) => listedInPages(a, t, `/products?producerId=${f.producerId}`, f.productId) },
  { name: 'GET /products/certificates lists it', route: 'GET /products/certificates', expect: seen(200), call: (a, t, f) => listedInPages(a, t, '/products/certificates?withinDays=3650', f.productId) },
  { name: 'GET /producers/{id}/accounts', route: 'GET /producers/{id}/accounts', expect: seen(200), call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/accounts`, { token: t }) },
  { name: 'PUT /producers/{id}/accounts/{marketplace}', route: 'PUT /producers/{id}/accounts/{marketplace}', expect: written(200), write: true, call: (a, t, f) => a.call('PUT', `/producers/${f.producerId}/accounts/shopee`, { token: t, body: { status: 'registered' } }) },
  { name: 'GET /producers/{id}/duplicates', route: 'GET /producers/{id}/duplicates', expect: seen(200), call: (a, t, f) => a.call('GET', `/producers/${f.producerId}/duplicates`, { token: t }) },
  ...mergeRoutes(),
  { name: 'GET /products/{id}/listings', route: 'GET /products/{id}/listings', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}/listings`, { token: t }) },
  { name: 'PUT /products/{id}/listings/{marketplace}', route: 'PUT /products/{id}/listings/{marketplace}', expect: written(200), write: true, call: (a, t, f) => a.call('PUT', `/products/${f.productId}/listings/postmart`, { token: t, body: { status: 'draft' } }) },
  { name: 'GET /products/{id}/listings/{marketplace}/history', route: 'GET /products/{id}/listings/{marketplace}/history', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}/listings/postmart/history`, { token: t }) },
  { name: 'GET /products/{id}/readiness', route: 'GET /products/{id}/readiness', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}/readiness`, { token: t }) },
  { name: 'GET /products/{id}/photos', route: 'GET /products/{id}/photos', expect: seen(200), call: (a, t, f) => a.call('GET', `/products/${f.productId}/photos`, { token: t }) },
  { name: 'POST /products/{id}/photos', route: 'POST /products/{id}/photos', expect: written(201), write: true, call: (a, t, f) => a.call('POST', `/products/${f.productId}/photos`, { token: t, body: { contentType: 'image/jpeg', bytes: 1000 } }) },
  { name: 'DELETE /products/{id}/photos/{photoId}', route: 'DELETE /products/{id}/photos/{photoId}', expect: written(204), write: true, setup: twoPhotos, call: (a, t, f) => a.call('DELETE', `/products/${f.productId}/photos/${f.photoIds![0]}`, { token: t }) },
  { name: 'PUT /products/{id}/photos/order', route: 'PUT /products/{id}/photos/order', expect: written(200), write: true, setup: twoPhotos, call: (a, t, f) => a.call('PUT', `/products/${f.productId}/photos/order`, { token: t, body: { photoIds: [...f.photoIds!].reverse() } }) },
  ...exportRoutes(),
  ...coverageRoutes(),
  ...importRoutes(),
  ...userRoutes(),
];

function listed(res: Answer, id: string): Answer {
  if (res.status !== 200) return res;
  return { status: res.body.items.some((x: { id: string }) => x.id === id) ? 200 : 404, body: res.body };
}

/** 200 if the answer holds what `has` looks for, 404 if it does not (the body kept, to check it leaks nothing). */
function found(res: Answer, has: (body: any) => boolean): Answer {
  return res.status === 200 ? { status: has(res.body) ? 200 : 404, body: res.body } : res;
}

/** `listed` over every page of a list. */
async function listedInPages(a: Api, token: string, path: string, id: string): Promise<Answer> {
  const items: { id: string }[] = [];
  let cursor: string | null = null;
  do {
    const res = await a.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    if (res.status !== 200) return res;
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return listed({ status: 200, body: { items } }, id);
}

/** A downloaded CSV or XLSX file as the rows it holds. */
async function spreadsheet(a: Api, token: string, path: string): Promise<Answer> {
  const res = await a.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: 200, body: readSpreadsheet(bytes, detectFormat(bytes)) };
}

async function twoPhotos(a: Api, f: Fixture): Promise<Partial<Fixture>> {
  const photoIds: string[] = [];
  for (let i = 0; i < 2; i++) photoIds.push((await a.call('POST', `/products/${f.productId}/photos`, { token: a.adminToken, body: { contentType: 'image/jpeg', bytes: 1000 } })).body.photoId);
  return { photoIds };
}

/**
 * Merging needs write scope over both producers: the officer in scope may merge two of their
 * commune, not one of theirs with one elsewhere, either way round.
 */
function mergeRoutes(): Route[] {
  const elsewhere = { ...onlyAdmin(200), 'officer in scope': 404, 'officer out of scope': 404 };
  const other = (communeCode: string) => async (a: Api) => ({ otherId: (await a.call('POST', '/producers', { token: a.adminToken, body: producerInput({ communeCode }) })).body.id as string });
  const state = async (a: Api, f: Fixture) => {
    const res = await a.call('GET', `/producers/${f.otherId}`, { token: a.adminToken });
    return [res.status, res.body.version, res.body.productCount];
  };
  const merge = (target: 'fixture' | 'other') => (a: Api, t: string, f: Fixture) =>
    target === 'fixture'
      ? a.call('POST', `/producers/${f.producerId}/merge`, { token: t, body: { sourceId: f.otherId, version: 1 } })
      : a.call('POST', `/producers/${f.otherId}/merge`, { token: t, body: { sourceId: f.producerId, version: 1 } });
  return [
    { name: 'POST /producers/{id}/merge (another producer of the fixture commune into it)', route: 'POST /producers/{id}/merge', expect: { ...written(200), 'cooperative (its own producer)': 403, 'cooperative (another producer)': 403 }, write: true, setup: other(IN), state, call: merge('fixture') },
    { name: 'POST /producers/{id}/merge (a producer elsewhere into it)', route: 'POST /producers/{id}/merge', expect: elsewhere, write: true, setup: other(ELSEWHERE), state, call: merge('fixture') },
    { name: 'POST /producers/{id}/merge (it into a producer elsewhere)', route: 'POST /producers/{id}/merge', expect: elsewhere, write: true, setup: other(ELSEWHERE), state, call: merge('other') },
  ];
}

/** Exports hold the rows in the caller's scope only. */
function exportRoutes(): Route[] {
  return (['csv', 'xlsx'] as const).flatMap((format): Route[] => [
    { name: `GET /exports/producers.${format} holds it`, route: `GET /exports/producers.${format}`, expect: seen(200), call: async (a, t, f) => found(await spreadsheet(a, t, `/exports/producers.${format}`), (rows) => JSON.stringify(rows).includes(f.producerName)) },
    { name: `GET /exports/products.${format} holds it`, route: `GET /exports/products.${format}`, expect: seen(200), call: async (a, t, f) => found(await spreadsheet(a, t, `/exports/products.${format}`), (rows) => JSON.stringify(rows).includes(f.productName)) },
    { name: `GET /exports/coverage.${format} has the fixture commune`, route: `GET /exports/coverage.${format}`, expect: figures(200), call: async (a, t) => found(await spreadsheet(a, t, `/exports/coverage.${format}`), (rows: unknown[][]) => rows.some((r) => String(r[0]) === IN)) },
  ]);
}

const TARGETS = [
  { indicator: 'producers', period: '2027-12-31', scope: 'province', marketplace: 'all', unit: 'count', value: 100 },
  { indicator: 'producers', period: '2027-12-31', scope: IN, marketplace: 'all', unit: 'count', value: 10 },
];

/** Coverage figures: a commune's are for whoever covers it; recounting, snapshots and targets are the admin's. */
function coverageRoutes(): Route[] {
  const snapshot = async (a: Api) => {
    const res = await a.call('GET', `/coverage?by=province&month=${MONTH}`, { token: a.adminToken });
    return [res.status, res.body.asOf];
  };
  return [
    { name: 'GET /coverage has the fixture commune (its row or its target)', route: 'GET /coverage', expect: figures(200), call: async (a, t) => found(await a.call('GET', '/coverage?by=commune', { token: t }), (b) => b.rows.some((r: { communeCode: string }) => r.communeCode === IN) || b.targets.some((x: { scope: string }) => x.scope === IN)) },
    { name: 'GET /coverage/history counts the fixture commune', route: 'GET /coverage/history', expect: figures(200), call: async (a, t) => found(await a.call('GET', `/coverage/history?from=${MONTH}&to=${MONTH}`, { token: t }), (b) => b.series.some((s: { totals: { producers: number } }) => s.totals.producers > 0)) },
    { name: 'POST /coverage/reconcile', route: 'POST /coverage/reconcile', expect: onlyAdmin(200), write: true, call: (a, t) => a.call('POST', '/coverage/reconcile', { token: t }) },
    { name: 'POST /coverage/snapshots', route: 'POST /coverage/snapshots', expect: onlyAdmin(200), write: true, state: snapshot, call: (a, t) => a.call('POST', '/coverage/snapshots?replace=true', { token: t }) },
    { name: 'GET /targets has the fixture commune’s target', route: 'GET /targets', expect: figures(200), call: async (a, t) => found(await a.call('GET', '/targets', { token: t }), (b) => b.items.some((x: { scope: string }) => x.scope === IN)) },
    { name: 'PUT /targets', route: 'PUT /targets', expect: onlyAdmin(200), write: true, state: async (a) => (await a.call('GET', '/targets', { token: a.adminToken })).body, call: (a, t) => a.call('PUT', '/targets', { token: t, body: { items: TARGETS.map((x) => ({ ...x, value: x.value + 1 })) } }) },
  ];
}

/** Imports belong to whoever started them: only the admin reaches another user's. */
function importRoutes(): Route[] {
  const file = () => csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Nhập ${randomUUID().slice(0, 8)};${importer.uniquePhone()};${getCommune(IN)!.fullName}`]);
  const previewedBy = (token: () => string) => async () => ({ importId: await importer.dryRun(file(), 'producers', token()) });
  const previewedByOtherOfficer = previewedBy(() => otherOfficer);
  const state = async (a: Api, f: Fixture) => {
    const { status, totalRows, counts } = (await a.call('GET', `/imports/${f.importId}`, { token: a.adminToken })).body;
    return { status, totalRows, counts };
  };
  return [
    { name: 'POST /imports', route: 'POST /imports', expect: { ...onlyAdmin(201), 'officer in scope': 201, 'officer out of scope': 201 }, write: true, call: (a, t) => a.call('POST', '/imports', { token: t, body: { kind: 'producers', fileName: 'list.csv', bytes: 100 } }) },
    { name: 'GET /imports lists another officer’s import', route: 'GET /imports', expect: othersOwn(200), setup: previewedByOtherOfficer, call: (a, t, f) => listedInPages(a, t, '/imports', f.importId!) },
    { name: 'GET /imports/{id} (another officer’s)', route: 'GET /imports/{id}', expect: othersOwn(200), setup: previewedByOtherOfficer, call: (a, t, f) => a.call('GET', `/imports/${f.importId}`, { token: t }) },
    { name: 'GET /imports/{id} (the admin’s)', route: 'GET /imports/{id}', expect: othersOwn(200), setup: previewedBy(() => api.adminToken), call: (a, t, f) => a.call('GET', `/imports/${f.importId}`, { token: t }) },
    {
      name: 'PUT /imports/{id}/file (another officer’s)',
      route: 'PUT /imports/{id}/file',
      expect: othersOwn(202),
      write: true,
      state,
      setup: async (a) => {
        const importFile = file();
        const created = await a.call('POST', '/imports', { token: otherOfficer, body: { kind: 'producers', fileName: 'list.csv', bytes: Buffer.byteLength(importFile) } });
        return { importId: created.body.id, importFile };
      },
      call: (a, t, f) => a.call('PUT', `/imports/${f.importId}/file`, { token: t, rawBody: f.importFile, headers: { 'content-type': 'text/csv' } }),
    },
    { name: 'GET /imports/{id}/rows (another officer’s)', route: 'GET /imports/{id}/rows', expect: othersOwn(200), setup: previewedByOtherOfficer, call: (a, t, f) => a.call('GET', `/imports/${f.importId}/rows`, { token: t }) },
    { name: 'POST /imports/{id}/commit (another officer’s)', route: 'POST /imports/{id}/commit', expect: { ...onlyAdmin(202), 'officer in scope': 404, 'officer out of scope': 404 }, write: true, state, setup: previewedByOtherOfficer, call: (a, t, f) => a.call('POST', `/imports/${f.importId}/commit`, { token: t, body: { decisions: [] } }) },
    { name: 'DELETE /imports/{id} (another officer’s)', route: 'DELETE /imports/{id}', expect: { ...onlyAdmin(204), 'officer in scope': 404, 'officer out of scope': 404 }, write: true, state, setup: previewedByOtherOfficer, call: (a, t, f) => a.call('DELETE', `/imports/${f.importId}`, { token: t }) },
    { name: 'GET /imports/{id}/errors.xlsx (another officer’s)', route: 'GET /imports/{id}/errors.xlsx', expect: othersOwn(200), setup: previewedByOtherOfficer, call: (a, t, f) => a.call('GET', `/imports/${f.importId}/errors.xlsx`, { token: t }) },
  ];
}

/** Users and their sign-in are the admin's alone. */
function userRoutes(): Route[] {
  const aUser = async (a: Api) => {
    const me = await a.call('GET', '/auth/me', { token: await a.userToken({ role: 'officer', communes: [IN] }) });
    return { user: { id: me.body.id, username: me.body.username } };
  };
  const signIn = (a: Api, username: string) => a.call('POST', '/auth/login', { body: { username, password: 'password-123' } });
  const scope = async (a: Api, f: Fixture) => {
    const res = await signIn(a, f.user!.username);
    return res.status === 200 ? (await a.call('GET', '/auth/me', { token: res.body.token })).body : res.status;
  };
  return [
    { name: 'GET /users', route: 'GET /users', expect: onlyAdmin(200), call: (a, t) => a.call('GET', '/users', { token: t }) },
    {
      name: 'POST /users (an administrator)',
      route: 'POST /users',
      expect: onlyAdmin(201),
      write: true,
      setup: async () => ({ user: { id: '', username: `u${randomUUID().slice(0, 8)}` } }),
      state: async (a, f) => (await signIn(a, f.user!.username)).status,
      call: (a, t, f) => a.call('POST', '/users', { token: t, body: { username: f.user!.username, password: 'password-123', role: 'admin' } }),
    },
    { name: 'PATCH /users/{id}', route: 'PATCH /users/{id}', expect: onlyAdmin(200), write: true, setup: aUser, state: scope, call: (a, t, f) => a.call('PATCH', `/users/${f.user!.id}`, { token: t, body: { version: 1, communes: [IN, OUT] } }) },
    { name: 'POST /users/{id}/sign-in-reset', route: 'POST /users/{id}/sign-in-reset', expect: onlyAdmin(200), write: true, setup: aUser, state: scope, call: (a, t, f) => a.call('POST', `/users/${f.user!.id}/sign-in-reset`, { token: t, body: { password: 'another-password-1' } }) },
  ];
}

let api: Api;
/** An officer of the fixture commune who is none of the matrix's roles: the owner of "another officer's" imports. */
let otherOfficer: string;
const importer = importDriver(() => api);
const tokens: Record<string, (f: Fixture) => Promise<string>> = {};

beforeAll(async () => {
  api = await createTestApi();
  const department = await api.userToken({ role: 'department' });
  const officerIn = await api.userToken({ role: 'officer', communes: [IN, '14797'] });
  const officerOut = await api.userToken({ role: 'officer', communes: [OUT] });
  otherOfficer = await api.userToken({ role: 'officer', communes: [IN] });
  const otherProducer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: IN, phone: '0988111222' }) });
  const cooperativeOther = await api.userToken({ role: 'cooperative', producerId: otherProducer.body.id });
  tokens.admin = async () => api.adminToken;
  tokens.department = async () => department;
  tokens['officer in scope'] = async () => officerIn;
  tokens['officer out of scope'] = async () => officerOut;
  tokens['cooperative (its own producer)'] = (f) => api.userToken({ role: 'cooperative', producerId: f.producerId });
  tokens['cooperative (another producer)'] = async () => cooperativeOther;
  // What the coverage history and the targets show: a snapshot with producers of the fixture commune, and a target of it.
  expect((await api.call('POST', '/coverage/snapshots?replace=true', { token: api.adminToken })).status).toBe(200);
  expect((await api.call('PUT', '/targets', { token: api.adminToken, body: { items: TARGETS } })).status).toBe(200);
});

async function fixture(): Promise<Fixture> {
  const input = producerInput({ communeCode: IN, phone: PHONE, confirmDistinct: true });
  const productName = `Mật ong rừng ${randomUUID().slice(0, 8)}`;
  const producer = await api.call('POST', '/producers', { token: api.adminToken, body: input });
  const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: productName }) });
  return { producerId: producer.body.id, productId: product.body.id, producerName: input.name as string, productName };
}

/** The fixture's records as the admin reads them, and what the route says a refusal must also leave alone. */
async function stateOf(route: Route, f: Fixture) {
  const read = (path: string) => api.call('GET', path, { token: api.adminToken });
  const [producer, product, accounts, listings, photos] = await Promise.all([
    read(`/producers/${f.producerId}`),
    read(`/products/${f.productId}`),
    read(`/producers/${f.producerId}/accounts`),
    read(`/products/${f.productId}/listings`),
    read(`/products/${f.productId}/photos`),
  ]);
  return {
    producer: [producer.body.version, producer.body.productCount],
    product: product.body.version,
    accounts: accounts.body.items,
    listings: listings.body.items,
    photos: photos.body.items.map((p: { id: string; order: number; status: string }) => [p.id, p.order, p.status]),
    route: await route.state?.(api, f),
  };
}

describe('every role × every route × in and out of scope', () => {
  for (const role of roles) {
    for (const route of routes) {
      const status = route.expect[role];
      it(`${role}: ${route.name} → ${status}`, async () => {
        let f = await fixture();
        if (route.setup) f = { ...f, ...(await route.setup(api, f)) };
        const token = await tokens[role]!(f);
        const before = route.write ? await stateOf(route, f) : undefined;
        const res = await route.call(api, token, f);
        // Work the call started (a dry run, a commit) ends before the next test.
        await api.idle();
        expect(res.status).toBe(status);
        if (status >= 400 && res.body) for (const secret of [PHONE, f.producerName, f.productName]) expect(JSON.stringify(res.body)).not.toContain(secret);
        if (route.write && status >= 400) expect(await stateOf(route, f)).toEqual(before);
      });
    }
  }

  it('has an entry, or a reason for none, for every route of the OpenAPI document, and none for a route it does not have', async () => {
    const doc = await api.call('GET', '/openapi.json');
    const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
    const inMatrix = new Set(routes.map((r) => r.route));
    expect(documented.filter((r) => !inMatrix.has(r) && !(r in notObjectScoped))).toEqual([]);
    expect([...inMatrix, ...Object.keys(notObjectScoped)].filter((r) => !documented.includes(r))).toEqual([]);
    expect([...inMatrix].filter((r) => r in notObjectScoped)).toEqual([]);
  });

  it('masks phone numbers for the department, in records and exports, and shows them to the officer in scope', async () => {
    const f = await fixture();
    const dept = await api.call('GET', `/producers/${f.producerId}`, { token: await tokens.department!(f) });
    const officer = await api.call('GET', `/producers/${f.producerId}`, { token: await tokens['officer in scope']!(f) });
    expect(dept.body.phone).toBe('091****678');
    expect(officer.body.phone).toBe(PHONE);
    for (const format of ['csv', 'xlsx']) {
      const rows: unknown[][] = (await spreadsheet(api, await tokens.department!(f), `/exports/producers.${format}`)).body;
      expect(rows.find((r) => r.includes(f.producerName))).toContain('091****678');
      expect(JSON.stringify(rows)).not.toContain(PHONE);
      const inClear: unknown[][] = (await spreadsheet(api, await tokens['officer in scope']!(f), `/exports/producers.${format}`)).body;
      expect(inClear.find((r) => r.includes(f.producerName))).toContain(PHONE);
    }
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
});
