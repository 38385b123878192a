import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '#functions/repositories/table.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const rawItems = async () => (await api.local.table.doc.send(new ScanCommand({ TableName: api.tableName }))).Items ?? [];

describe('producers', () => {
  it('creates a producer with a normalised phone and keeps only a hash and the last 4 digits of the citizen ID', async () => {
    const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ citizenId: '038085001234', phone: '+84 912.345.678', confirmDistinct: true }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone: '0912345678', citizenIdLast4: '1234', communeName: 'Xã Thiệu Hóa', version: 1, productCount: 0 });
    expect(res.body).not.toHaveProperty('citizenId');
    const item = (await api.local.table.doc.send(new GetCommand({ TableName: api.tableName, Key: { PK: `P#38#PRODUCER#${res.body.id}`, SK: 'META' } }))).Item!;
    expect(JSON.stringify(item)).not.toContain('038085001234');
    expect(item.citizenIdHash).toMatch(/^[\w-]{43}$/);
  });

  it('writes an audit event in the same change, without the phone in clear', async () => {
    const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: '0912345678', confirmDistinct: true }) });
    const events = await api.call('GET', `/producers/${created.body.id}/events`, { token: api.adminToken });
    expect(events.status).toBe(200);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({ action: 'create', actor: { username: 'admin' }, before: null });
    expect(JSON.stringify(events.body.items[0])).not.toContain('0912345678');
  });

  it('refuses a stale version with 409 and applies a current one', async () => {
    const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const ok = await api.call('PATCH', `/producers/${created.body.id}`, { token: api.adminToken, body: { version: 1, name: 'Hộ Lê Thị Hoà mới', representative: null } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: 'Hộ Lê Thị Hoà mới', version: 2 });
    const stale = await api.call('PATCH', `/producers/${created.body.id}`, { token: api.adminToken, body: { version: 1, name: 'Other' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const events = await api.call('GET', `/producers/${created.body.id}/events`, { token: api.adminToken });
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
  });

  it('pages a long audit trail newest first, every event reachable', async () => {
    const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    for (let v = 1; v <= 104; v++) expect((await api.call('PATCH', `/producers/${created.body.id}`, { token: api.adminToken, body: { version: v, address: `Thôn ${v}` } })).status).toBe(200);
    const seen: { action: string; after: { address?: string } | null }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: typeof seen; nextCursor: string | null } } = await api.call('GET', `/producers/${created.body.id}/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: api.adminToken });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(105);
    expect(seen[0]!.after?.address).toBe('Thôn 104');
    expect(seen.at(-1)!.action).toBe('create');
    // A cursor is bound to its caller and record.
    const first = await api.call('GET', `/producers/${created.body.id}/events?limit=10`, { token: api.adminToken });
    const other = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    expect((await api.call('GET', `/producers/${other.body.id}/events?cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: api.adminToken })).status).toBe(400);
  }, 60_000);

  it('answers a retried create with the first result and stores one producer', async () => {
    const headers = { 'idempotency-key': 'create-retry-1' };
    const body = producerInput({ name: 'Hộ thử lặp lại' });
    const first = await api.call('POST', '/producers', { token: api.adminToken, body, headers });
    const second = await api.call('POST', '/producers', { token: api.adminToken, body, headers });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const list = await api.call('GET', `/producers?q=${encodeURIComponent('thu lap lai')}`, { token: api.adminToken });
    expect(list.body.items).toHaveLength(1);
  });

  it('answers concurrent requests with the same key with one record', async () => {
    const headers = { 'idempotency-key': 'create-concurrent-1' };
    const body = producerInput({ name: 'Hộ đồng thời' });
    const results = await Promise.all([1, 2, 3].map(() => api.call('POST', '/producers', { token: api.adminToken, body, headers })));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const list = await api.call('GET', `/producers?q=${encodeURIComponent('hộ đồng thời')}`, { token: api.adminToken });
    expect(list.body.items).toHaveLength(1);
  });

  it('keeps only a keyed fingerprint of a request with its Idempotency-Key, never one anyone reading the table could recompute from a guessed citizen ID', async () => {
    const body = producerInput({ citizenId: '038085009876', confirmDistinct: true });
    const created = await api.call('POST', '/producers', { token: api.adminToken, body, headers: { 'idempotency-key': 'fingerprint-1' } });
    expect(created.status).toBe(201);
    const me = (await api.call('GET', '/auth/me', { token: api.adminToken })).body.id as string;
    const item = (await api.local.table.doc.send(new GetCommand({ TableName: api.tableName, Key: { PK: `P#38#IDEM#${me}#fingerprint-1`, SK: 'META' } }))).Item!;
    const sent = `POST /api/v1/producers\n${JSON.stringify(body)}`;
    expect(item.fingerprint).toMatch(/^[\w-]{43}$/);
    expect(item.fingerprint).not.toBe(createHash('sha256').update(sent).digest('base64url'));
    expect(JSON.stringify(item)).not.toContain('038085009876');
    // Still what tells a retry from a reuse.
    expect((await api.call('POST', '/producers', { token: api.adminToken, body, headers: { 'idempotency-key': 'fingerprint-1' } })).body.id).toBe(created.body.id);
  });

  it('refuses an idempotency key reused for a different request with 422', async () => {
    const headers = { 'idempotency-key': 'reused-key' };
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'A' }), headers });
    const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'B' }), headers });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('will not delete a producer that has products, and deletes it once they are gone', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
    expect(product.status).toBe(201);
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).body.productCount).toBe(1);
    const refused = await api.call('DELETE', `/producers/${producer.body.id}`, { token: api.adminToken });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('PRODUCER_HAS_PRODUCTS');
    expect((await api.call('DELETE', `/products/${product.body.id}`, { token: api.adminToken })).status).toBe(204);
    expect((await api.call('DELETE', `/producers/${producer.body.id}`, { token: api.adminToken })).status).toBe(204);
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('moves the products with their producer when it changes commune', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
    const moved = await api.call('PATCH', `/producers/${producer.body.id}`, { token: api.adminToken, body: { version: 1, communeCode: '14758' } });
    expect(moved.status).toBe(200);
    const after = await api.call('GET', `/products/${product.body.id}`, { token: api.adminToken });
    expect(after.body.communeCode).toBe('14758');
    const inNew = await api.call('GET', '/products?communeCode=14758', { token: api.adminToken });
    expect(inNew.body.items.map((p: { id: string }) => p.id)).toContain(product.body.id);
  });

  it('refuses with 409, before writing, a move whose products would not fit in one transaction', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
    for (let i = 0; i < 80; i++) expect((await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: `Sản phẩm ${i}` }) })).status).toBe(201);
    const moved = await api.call('PATCH', `/producers/${producer.body.id}`, { token: api.adminToken, headers: { 'idempotency-key': `move-${producer.body.id}` }, body: { version: 1, communeCode: '14758' } });
    expect(moved.status).toBe(409);
    expect(moved.body.code).toBe('TOO_MANY_PRODUCTS_TO_MOVE');
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).body).toMatchObject({ communeCode: '15772', version: 1 });
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  }, 60_000);

  it('does not move a producer while the product index lags behind its product count (it retries, then answers 503)', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
    // As if a second product had just been created and the index had not caught up yet.
    await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: { PK: `P#38#PRODUCER#${producer.body.id}`, SK: 'META' }, UpdateExpression: 'ADD productCount :one', ExpressionAttributeValues: { ':one': 1 } }));
    const moved = await api.call('PATCH', `/producers/${producer.body.id}`, { token: api.adminToken, body: { version: 1, communeCode: '14758' } });
    expect(moved.status).toBe(503);
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).body).toMatchObject({ communeCode: '15772', version: 1 });
  });

  it('finds producers by a loose name query that ignores case, accents and tone-mark style', async () => {
    await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'HTX Thuỷ sản Hoà Bình' }) });
    for (const q of ['thuy san hoa binh', 'THỦY SẢN HÒA', 'Thuỷ sản Hoà'.normalize('NFD')]) {
      const res = await api.call('GET', `/producers?q=${encodeURIComponent(q)}`, { token: api.adminToken });
      expect(res.body.items.map((p: { name: string }) => p.name)).toContain('HTX Thuỷ sản Hoà Bình');
    }
  });

  it('finds a producer by its phone, tax code or citizen ID typed any usual way, in the caller’s scope only; the department by tax code alone', async () => {
    const phone = `09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const taxCode = `28${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const citizenId = `0380${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'HTX Dệt chiếu Nga Sơn', phone, taxCode, citizenId, communeCode: '15772' }) });
    expect(created.status).toBe(201);
    const search = async (q: string, token = api.adminToken) => {
      const res = await api.call('GET', `/producers?q=${encodeURIComponent(q)}`, { token });
      expect(res.status, q).toBe(200);
      return (res.body.items as { id: string }[]).map((p) => p.id);
    };
    const spacedPhone = `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
    for (const q of [phone, spacedPhone, `+84${phone.slice(1)}`, phone.slice(1), taxCode, `${taxCode.slice(0, 4)}.${taxCode.slice(4)}`, citizenId]) expect(await search(q), q).toEqual([created.body.id]);

    const inScope = await api.userToken({ role: 'officer', communes: ['15772'] });
    const elsewhere = await api.userToken({ role: 'officer', communes: ['14758'] });
    expect(await search(phone, inScope)).toEqual([created.body.id]);
    expect(await search(phone, elsewhere)).toEqual([]);
    expect(await search(taxCode, elsewhere)).toEqual([]);
    const department = await api.userToken({ role: 'department' });
    expect(await search(taxCode, department)).toEqual([created.body.id]);
    expect(await search(phone, department)).toEqual([]);
    expect(await search(citizenId, department)).toEqual([]);
    expect(await search('0999999999')).toEqual([]);
    expect(await search(phone.slice(0, 6))).toEqual([]);
  });

  it('pages through a commune with signed cursors that nobody else can use', async () => {
    const commune = '14797';
    const officer = await api.userToken({ role: 'officer', communes: [commune] });
    const other = await api.userToken({ role: 'officer', communes: [commune] });
    for (let i = 0; i < 7; i++) await api.call('POST', '/producers', { token: officer, body: producerInput({ communeCode: commune, name: `Hộ số ${i}` }) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.call('GET', `/producers?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: officer });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p) => p.id));
      if (res.body.nextCursor && seen.length === 3) {
        const stolen = await api.call('GET', `/producers?limit=3&cursor=${encodeURIComponent(res.body.nextCursor)}`, { token: other });
        expect(stolen.status).toBe(400);
        expect(stolen.body.code).toBe('INVALID_CURSOR');
        const [payload, sig] = res.body.nextCursor.split('.');
        const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), b: 'x' })).toString('base64url');
        expect((await api.call('GET', `/producers?cursor=${forged}.${sig}`, { token: officer })).status).toBe(400);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);

    // The one-page answers (a cooperative's own producer, a number looked up) give no cursor: none sent to them is theirs.
    const mine = await api.call('POST', '/producers', { token: officer, body: producerInput({ communeCode: commune, name: 'HTX có tài khoản' }) });
    const cooperative = await api.userToken({ role: 'cooperative', producerId: mine.body.id });
    expect((await api.call('GET', '/producers', { token: cooperative })).body.items.map((p: { id: string }) => p.id)).toEqual([mine.body.id]);
    const taken = (await api.call('GET', '/producers?limit=3', { token: officer })).body.nextCursor as string;
    for (const [token, path] of [
      [cooperative, '/producers?cursor=garbage'],
      [cooperative, `/producers?cursor=${encodeURIComponent(taken)}`],
      [officer, `/producers?q=0912345678&cursor=${encodeURIComponent(taken)}`],
    ] as const) {
      const res = await api.call('GET', path, { token });
      expect([res.status, res.body.code], path).toEqual([400, 'INVALID_CURSOR']);
    }
  });
});

describe('products', () => {
  it('derives the certificate expiry 36 months after the decision and requires a certificate for a rated product', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { certificateDate: '2024-02-29' }) });
    expect(product.body).toMatchObject({ certificateExpiry: '2027-02-28', communeCode: '15772', version: 1 });
    const bad = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { certificateNo: undefined }) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'certificateNo', message: expect.any(String), rule: 'certificate_required' }]);
    const unrate = await api.call('PATCH', `/products/${product.body.id}`, { token: api.adminToken, body: { version: 1, certificateNo: null } });
    expect(unrate.status).toBe(400);
    const ok = await api.call('PATCH', `/products/${product.body.id}`, { token: api.adminToken, body: { version: 1, ocopStars: 0, certificateNo: null, certificateDate: null } });
    expect(ok.status).toBe(200);
    expect(ok.body).not.toHaveProperty('certificateExpiry');
  });

  it('filters products by OCOP rating on the server, across pages', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    for (let i = 0; i < 6; i++) await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: `Sản phẩm ${i}`, ocopStars: i === 4 ? 5 : 3 }) });
    const five = await api.call('GET', `/products?producerId=${producer.body.id}&ocopStars=5&limit=2`, { token: api.adminToken });
    expect(five.body.items.map((p: { name: string }) => p.name)).toEqual(['Sản phẩm 4']);
    const three = await api.call('GET', `/products?producerId=${producer.body.id}&ocopStars=3&limit=100`, { token: api.adminToken });
    expect(three.body.items).toHaveLength(5);
    expect((await api.call('GET', '/products?ocopStars=2', { token: api.adminToken })).status).toBe(400);
  });

  it('lists a producer’s products', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: 'A' }) });
    await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: 'B' }) });
    const res = await api.call('GET', `/products?producerId=${producer.body.id}`, { token: api.adminToken });
    expect(res.body.items.map((p: { name: string }) => p.name).sort()).toEqual(['A', 'B']);
  });

  it('deletes a product with a long listing history, the history included', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id) });
    const id = product.body.id as string;
    expect((await api.call('PUT', `/products/${id}/listings/postmart`, { token: api.adminToken, body: { status: 'draft' } })).status).toBe(200);
    // Years of moves: more transitions than one transaction (100 items) can delete.
    await batchPut(api.local.table, Array.from({ length: 150 }, (_, i) => ({ PK: `P#38#PRODUCT#${id}`, SK: `LISTHIST#postmart#2025-01-01T00:00:${String(i).padStart(3, '0')}Z#${i}`, type: 'listing-transition', at: '2025-01-01T00:00:00Z', actor: { id: 'x', username: 'x' }, from: 'draft', to: 'submitted' })));
    expect((await api.call('DELETE', `/products/${id}`, { token: api.adminToken })).status).toBe(204);
    const left = await api.local.table.doc.send(new QueryCommand({ TableName: api.tableName, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': `P#38#PRODUCT#${id}` } }));
    expect(left.Items).toEqual([]);
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: api.adminToken })).body.productCount).toBe(0);
  });

  it('refuses a product for a producer that does not exist with 404 and stores nothing', async () => {
    const before = (await rawItems()).length;
    const res = await api.call('POST', '/products', { token: api.adminToken, body: productInput('01JD3Q0B9M2W7X8Y9Z0A1B2C3D') });
    expect(res.status).toBe(404);
    expect((await rawItems()).length).toBe(before);
  });
});

describe('the trail of a record that is gone', () => {
  it('stays readable, deleted or merged away, by whoever could see the record — and by nobody else', async () => {
    const commune = '15796';
    const officer = await api.userToken({ role: 'officer', communes: [commune] });
    const outsider = await api.userToken({ role: 'officer', communes: ['14758'] });
    const department = await api.userToken({ role: 'department' });
    const phone = (n: number) => `0377${String(Date.now()).slice(-5)}${n}`;
    const trail = (path: string, token: string) => api.call('GET', `${path}/events`, { token });

    const kept = await api.call('POST', '/producers', { token: officer, body: producerInput({ communeCode: commune, phone: phone(1), confirmDistinct: true }) });
    const product = await api.call('POST', '/products', { token: officer, body: productInput(kept.body.id) });
    const cooperative = await api.userToken({ role: 'cooperative', producerId: kept.body.id });
    expect((await api.call('DELETE', `/products/${product.body.id}`, { token: officer })).status).toBe(204);
    for (const token of [officer, department, api.adminToken, cooperative]) {
      const res = await trail(`/products/${product.body.id}`, token);
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['delete', 'create']);
    }
    const otherCooperative = await api.userToken({ role: 'cooperative', producerId: (await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune, phone: phone(2), confirmDistinct: true }) })).body.id });
    for (const token of [outsider, otherCooperative]) expect((await trail(`/products/${product.body.id}`, token)).status).toBe(404);

    const dup = await api.call('POST', '/producers', { token: officer, body: producerInput({ communeCode: commune, phone: phone(3), confirmDistinct: true }) });
    expect((await api.call('POST', `/producers/${kept.body.id}/merge`, { token: officer, body: { sourceId: dup.body.id, version: 1 } })).status).toBe(200);
    const merged = await trail(`/producers/${dup.body.id}`, officer);
    expect(merged.status).toBe(200);
    expect(merged.body.items[0]).toMatchObject({ action: 'merge', after: { mergedInto: kept.body.id } });
    expect((await trail(`/producers/${dup.body.id}`, outsider)).status).toBe(404);

    // Its cooperative user must be bound elsewhere first.
    expect((await api.call('DELETE', `/producers/${kept.body.id}`, { token: officer, headers: {} })).body.code).toBe('PRODUCER_HAS_USERS');
    const cooperativeUser = (await api.call('GET', '/auth/me', { token: cooperative })).body.id as string;
    const elsewhere = (await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune, phone: phone(4), confirmDistinct: true }) })).body.id;
    const { version } = (await api.local.repositories.users.get(cooperativeUser, { consistent: true }))!;
    expect((await api.call('PATCH', `/users/${cooperativeUser}`, { token: api.adminToken, body: { version, producerId: elsewhere } })).status).toBe(200);
    expect((await api.call('DELETE', `/producers/${kept.body.id}`, { token: officer, headers: {} })).status).toBe(204);
    expect((await trail(`/producers/${kept.body.id}`, department)).body.items[0]).toMatchObject({ action: 'delete', actor: { username: expect.any(String) } });
    expect((await trail(`/producers/${kept.body.id}`, outsider)).status).toBe(404);
    // Nothing for an id that never was.
    expect((await trail('/producers/01JD3Q0B9M2W7X8Y9Z0A1B2C3D', api.adminToken)).status).toBe(404);
  });
});
