import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { vietnamDate } from '#shared/vietnam-time.ts';
import { createTestApi, productInput, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const itemCount = async () => (await api.local.table.doc.send(new ScanCommand({ TableName: api.tableName, Select: 'COUNT' }))).Count ?? 0;

describe('bad input gets a clear 4xx problem and nothing is stored', () => {
  const cases: { name: string; status: number; code: string; send: () => Promise<{ status: number; body: any; headers: Headers }> }[] = [
    { name: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', send: () => api.call('POST', '/producers', { token: api.adminToken, rawBody: '{"kind":', headers: { 'content-type': 'application/json' } }) },
    { name: 'a body that is not JSON', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', send: () => api.call('POST', '/producers', { token: api.adminToken, rawBody: 'kind=household', headers: { 'content-type': 'application/x-www-form-urlencoded' } }) },
    { name: 'an oversize body', status: 413, code: 'PAYLOAD_TOO_LARGE', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ address: 'x'.repeat(300_000) }) }) },
    { name: 'a wrong type', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 42 }) }) },
    { name: 'an unknown field', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ citizenIdPlain: '1' }) }) },
    { name: 'a phone that is not Vietnamese', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '12345' }) }) },
    { name: 'a tax code of the wrong length', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ taxCode: '12345678' }) }) },
    { name: 'an unknown commune code', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '99999' }) }) },
    { name: 'a date that does not exist', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ trainingDate: '2025-02-30' }) }) },
    { name: 'an id that is not an id', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('GET', '/producers/not-an-id', { token: api.adminToken }) },
    { name: 'a page size out of range', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('GET', '/producers?limit=5000', { token: api.adminToken }) },
    { name: 'a garbage cursor', status: 400, code: 'INVALID_CURSOR', send: () => api.call('GET', '/producers?cursor=abc.def', { token: api.adminToken }) },
    { name: 'an unknown OCOP group', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/products', { token: api.adminToken, body: { producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D', name: 'x', ocopGroup: 'cars', ocopStars: 0 } }) },
    { name: 'OCOP stars that do not exist', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/products', { token: api.adminToken, body: { producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D', name: 'x', ocopGroup: 'food', ocopStars: 2 } }) },
    { name: 'an unknown field in a legal basis', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ legalBasis: { type: 'state_management', note: 'x' } }) }) },
    { name: 'a certification twice', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/products', { token: api.adminToken, body: { producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D', name: 'x', ocopGroup: 'food', ocopStars: 0, certifications: ['VietGAP', 'VietGAP'] } }) },
    { name: 'an unknown field in a target (the whole set would be replaced)', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('PUT', '/targets', { token: api.adminToken, body: { items: [{ indicator: 'producersLive', period: '2026-12-31', unit: 'count', value: 10, note: 'x' }] } }) },
    { name: 'an Idempotency-Key with control characters', status: 400, code: 'VALIDATION_FAILED', send: () => api.call('POST', '/producers', { token: api.adminToken, body: producerInput(), headers: { 'idempotency-key': 'a b' } }) },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.code}`, async () => {
      const before = await itemCount();
      const res = await c.send();
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: c.status, code: c.code, title: expect.any(String) });
      expect(await itemCount()).toBe(before);
    });
  }

  it('names each failing field by its path', async () => {
    const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: 'abc', legalBasis: { type: 'consent' } }) });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['legalBasis.consentDate', 'phone']);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await api.call('GET', '/nothing-here', { token: api.adminToken });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('sign-in', () => {
  it('refuses a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const res = await api.call('POST', '/auth/login', { body: { username: 'admin', password: 'nope' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses requests without a token, with a tampered token, or with a token of another issuer', async () => {
    expect((await api.call('GET', '/producers')).status).toBe(401);
    const [h, p, s] = api.adminToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${s}`;
    expect((await api.call('GET', '/producers', { token: tampered })).status).toBe(401);
    const other = await createTestApi();
    expect((await api.call('GET', '/producers', { token: other.adminToken })).status).toBe(401);
  });

  it('tells the signed-in user who they are and what they cover', async () => {
    const token = await api.userToken({ role: 'officer', communes: ['15772', '14758'] });
    const me = await api.call('GET', '/auth/me', { token });
    expect(me.body).toMatchObject({ role: 'officer', communes: ['14758', '15772'] });
  });

  it('stores passwords as scrypt hashes and never returns them', async () => {
    const res = await api.call('GET', '/users', { token: api.adminToken });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
    const admin = await api.local.repositories.users.getByUsername('admin');
    expect(admin?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('refuses a second user with the same username with 409', async () => {
    const body = { username: 'dup.user', password: 'password-123', role: 'department' };
    expect((await api.call('POST', '/users', { token: api.adminToken, body })).status).toBe(201);
    const again = await api.call('POST', '/users', { token: api.adminToken, body: { ...body, username: 'DUP.user' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('USERNAME_TAKEN');
  });
});

describe('field errors say which rule broke, so clients can word them', () => {
  it('gives rule and limit for a missing, a too long, an unknown and a badly formatted field', async () => {
    const { name: _n, ...noName } = producerInput();
    const missing = await api.call('POST', '/producers', { token: api.adminToken, body: noName });
    expect(missing.body.errors).toContainEqual(expect.objectContaining({ path: 'name', rule: 'required' }));
    const long = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ address: 'x'.repeat(5000) }) });
    expect(long.body.errors).toContainEqual(expect.objectContaining({ path: 'address', rule: 'too_long', limit: expect.any(Number) }));
    const wrongType = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 42 }) });
    expect(wrongType.body.errors).toContainEqual(expect.objectContaining({ path: 'name', rule: 'type' }));
    const kind = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ kind: 'bank' }) });
    expect(kind.body.errors).toContainEqual(expect.objectContaining({ path: 'kind', rule: 'choice' }));
    const date = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ trainingDate: '2025/01/01' }) });
    expect(date.body.errors?.[0]).toMatchObject({ path: 'trainingDate', message: expect.any(String) });
  });

  it('names the domain rule a field broke across fields (an OCOP product without its certificate, an officer without communes)', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const { certificateNo: _c, ...noCertificate } = productInput(producer.body.id, { ocopStars: 4 });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: noCertificate });
    expect(product.status).toBe(400);
    expect(product.body.errors).toContainEqual(expect.objectContaining({ path: 'certificateNo', rule: 'certificate_required' }));
    const officer = await api.call('POST', '/users', { token: api.adminToken, body: { username: 'canbo.khong.xa', password: 'password-123', role: 'officer' } });
    expect(officer.status).toBe(400);
    expect(officer.body.errors).toEqual([expect.objectContaining({ path: 'communes', rule: 'officer_needs_communes' })]);
    const department = await api.call('POST', '/users', { token: api.adminToken, body: { username: 'so.co.xa', password: 'password-123', role: 'department', communes: ['15772'] } });
    expect(department.body.errors).toEqual([expect.objectContaining({ path: 'communes', rule: 'communes_only_for_officers' })]);
  });
});

describe('dates of things that happened and text as people paste it', () => {
  it('refuses a decision, training or consent date before 2000 or after today in Vietnam (create and PATCH), with its rule, storing nothing', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const tomorrow = vietnamDate(new Date(), 1);
    const before = await itemCount();
    const refused = [
      ['/products', { ...productInput(producer.body.id, { ocopStars: 3 }), certificateDate: '0000-01-01' }, 'certificateDate', 'date_too_early'],
      ['/products', { ...productInput(producer.body.id, { ocopStars: 3 }), certificateDate: '2099-01-01' }, 'certificateDate', 'date_in_future'],
      ['/producers', producerInput({ trainingDate: tomorrow }), 'trainingDate', 'date_in_future'],
      ['/producers', producerInput({ trainingDate: '1999-12-31' }), 'trainingDate', 'date_too_early'],
      ['/producers', producerInput({ legalBasis: { type: 'consent', consentDate: '0001-01-01' } }), 'legalBasis.consentDate', 'date_too_early'],
    ] as const;
    for (const [path, body, field, rule] of refused) {
      const res = await api.call('POST', path, { token: api.adminToken, body });
      expect(res.status, `${field} ${rule}`).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: field, rule })]);
    }
    const patched = await api.call('PATCH', `/producers/${producer.body.id}`, { token: api.adminToken, body: { version: producer.body.version, trainingDate: '2099-12-31' } });
    expect(patched.body.errors).toEqual([expect.objectContaining({ path: 'trainingDate', rule: 'date_in_future' })]);
    expect(await itemCount()).toBe(before);
    // Today and 1 January 2000 are both days that have come.
    const today = vietnamDate(new Date());
    expect((await api.call('PATCH', `/producers/${producer.body.id}`, { token: api.adminToken, body: { version: producer.body.version, trainingDate: today } })).body.trainingDate).toBe(today);
    const old = await api.call('POST', '/products', { token: api.adminToken, body: { ...productInput(producer.body.id, { ocopStars: 3 }), certificateDate: '2000-01-01' } });
    expect(old.body).toMatchObject({ certificateExpiry: '2003-01-01', certificateExpired: true });
  });

  it('still reads a record stored before these rules (a 1999 decision, a certification twice, a name of a zero-width space, a consent in 2099), and the nightly recount still runs', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: { ...productInput(producer.body.id, { ocopStars: 3 }), certificateDate: '2024-01-15' } });
    const key = (kind: string, id: string) => ({ PK: `P#38#${kind}#${id}`, SK: 'META' });
    await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: key('PRODUCT', product.body.id), UpdateExpression: 'SET certificateDate = :d, certifications = :c, #n = :n', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':d': '1999-05-01', ':c': ['VietGAP', 'VietGAP'], ':n': '\u200b' } }));
    await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: key('PRODUCER', producer.body.id), UpdateExpression: 'SET legalBasis = :b', ExpressionAttributeValues: { ':b': { type: 'consent', consentDate: '2099-01-01' } } }));
    expect((await api.call('GET', `/products/${product.body.id}`, { token: api.adminToken })).body).toMatchObject({ certificateDate: '1999-05-01', certifications: ['VietGAP', 'VietGAP'] });
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).body.legalBasis).toEqual({ type: 'consent', consentDate: '2099-01-01' });
    expect((await api.call('GET', `/products?producerId=${producer.body.id}`, { token: api.adminToken })).status).toBe(200);
    await expect(api.local.services.coverageReports.reconcile()).resolves.toBeDefined();
  });

  it('stores text without invisible or direction-changing characters and composed (NFC): a field of such characters alone is empty', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: '\u202eHộ Lê\u200b Văn\u0000 Hoa\u0300 \ufeff', representative: 'Le\u0302 Van An\u00ad' }) });
    expect(producer.status).toBe(201);
    expect(producer.body.name).toBe('Hộ Lê Văn Hoà');
    expect(producer.body.representative).toBe('Lê Van An');
    const empty = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { unit: '\u200b', description: '\u200b\u200d' }) });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([expect.objectContaining({ path: 'unit', rule: 'required' })]);
    const invisibleName = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: '\u200b\u200b' }) });
    // Missing, said once (not also "needs a letter or digit").
    expect(invisibleName.body.errors).toEqual([expect.objectContaining({ path: 'name', rule: 'required' })]);
  });
});

describe('disabling a user', () => {
  it('refuses its token and its sign-in at once, keeps an audit event, and lets it back in when enabled', async () => {
    const created = await api.call('POST', '/users', { token: api.adminToken, body: { username: 'canbo.nghi', password: 'password-123', role: 'department' } });
    const id = created.body.id as string;
    const token = await api.login('canbo.nghi', 'password-123');
    expect((await api.call('GET', '/auth/me', { token })).status).toBe(200);

    const off = await api.call('PATCH', `/users/${id}`, { token: api.adminToken, body: { disabled: true } });
    expect(off).toMatchObject({ status: 200, body: { id, disabled: true } });
    expect((await api.call('GET', '/auth/me', { token })).status).toBe(401);
    expect((await api.call('POST', '/auth/login', { body: { username: 'canbo.nghi', password: 'password-123' } })).status).toBe(401);
    const audit = await api.local.repositories.audit.listForEntity('user', id);
    expect(audit.map((e) => [e.action, e.after && (e.after as { disabled?: boolean }).disabled])).toContainEqual(['update', true]);

    expect((await api.call('PATCH', `/users/${id}`, { token: api.adminToken, body: { disabled: false } })).body).toMatchObject({ disabled: false });
    expect((await api.call('GET', '/auth/me', { token: await api.login('canbo.nghi', 'password-123') })).status).toBe(200);
  });

  it('refuses an admin disabling itself, unknown users, bad ids and other fields, and non-admins', async () => {
    const me = await api.call('GET', '/auth/me', { token: api.adminToken });
    const officer = await api.userToken({ role: 'officer', communes: ['15772'] });
    const cases = [
      { res: await api.call('PATCH', `/users/${me.body.id}`, { token: api.adminToken, body: { disabled: true } }), status: 403 },
      { res: await api.call('PATCH', '/users/01JD3Q0B9M2W7X8Y9Z0A1B2C3D', { token: api.adminToken, body: { disabled: true } }), status: 404 },
      { res: await api.call('PATCH', '/users/x', { token: api.adminToken, body: { disabled: true } }), status: 400 },
      { res: await api.call('PATCH', `/users/${me.body.id}`, { token: api.adminToken, body: { role: 'officer' } }), status: 400 },
      { res: await api.call('PATCH', `/users/${me.body.id}`, { token: officer, body: { disabled: true } }), status: 403 },
    ];
    expect(cases.map((c) => c.res.status)).toEqual(cases.map((c) => c.status));
    for (const c of cases) expect(c.res.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('GET', '/auth/me', { token: api.adminToken })).status).toBe(200);
  });
});

describe('API description', () => {
  it('publishes an OpenAPI document generated from the schemas and a reference page', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/producers', '/producers/{id}', '/products', '/products/{id}', '/users', '/auth/login', '/admin-units/communes', '/admin-units/resolve']));
    expect(res.body.components.schemas.ProducerCreate.properties.phone).toBeDefined();
    const page = await api.app.request('/api/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/api/v1/openapi.json');
  });
});
