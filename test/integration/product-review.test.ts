import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { certificateWindow } from '#functions/services/product-service.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

async function newProducer() {
  return (await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() })).body as { id: string };
}

async function reportedCertificateIds(): Promise<string[]> {
  const res = await api.call('GET', '/products/certificates?withinDays=3650&limit=100', { token: api.adminToken });
  expect(res.status).toBe(200);
  return res.body.items.map((p: { id: string }) => p.id);
}

const storedItem = async (id: string) => (await api.local.table.doc.send(new GetCommand({ TableName: api.local.table.name, Key: { PK: `${api.local.table.prefix}PRODUCT#${id}`, SK: 'META' } }))).Item!;

describe('OCOP certificates of unrated products', () => {
  it('refuses a certificate on a product created without a rating', async () => {
    const producer = await newProducer();
    const res = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.id, { ocopStars: 0, certificateNo: undefined, certificateDate: '2022-01-10' }) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'certificateDate', message: expect.any(String), rule: 'certificate_only_when_rated' }]);
  });

  it('drops the certificate, its expiry and its place in the expiring report when a rated product becomes unrated', async () => {
    const producer = await newProducer();
    const rated = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.id, { ocopStars: 4, certificateDate: '2022-01-10' }) });
    expect(rated.body.certificateExpiry).toBe('2025-01-10');
    expect(await reportedCertificateIds()).toContain(rated.body.id);

    const unrated = await api.call('PATCH', `/products/${rated.body.id}`, { token: api.adminToken, body: { version: 1, ocopStars: 0 } });
    expect(unrated.status).toBe(200);
    expect(unrated.body).not.toHaveProperty('certificateNo');
    expect(unrated.body).not.toHaveProperty('certificateDate');
    expect(unrated.body).not.toHaveProperty('certificateExpiry');
    expect(await storedItem(rated.body.id)).not.toHaveProperty('GSI4PK');
    expect(await reportedCertificateIds()).not.toContain(rated.body.id);

    const refused = await api.call('PATCH', `/products/${rated.body.id}`, { token: api.adminToken, body: { version: 2, certificateDate: '2022-01-10' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'certificateDate', message: expect.any(String), rule: 'certificate_only_when_rated' }]);
  });

  it('leaves out of the report an unrated product stored with an expiry before the rule held', async () => {
    const producer = await newProducer();
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.id, { ocopStars: 0, certificateNo: undefined, certificateDate: undefined }) });
    const { PK, SK } = await storedItem(product.body.id);
    await api.local.table.doc.send(
      new UpdateCommand({
        TableName: api.local.table.name,
        Key: { PK, SK },
        UpdateExpression: 'SET certificateDate = :d, certificateExpiry = :e, GSI4PK = :pk, GSI4SK = :sk',
        ExpressionAttributeValues: { ':d': '2022-01-10', ':e': '2025-01-10', ':pk': `${api.local.table.prefix}CERT`, ':sk': `2025-01-10#${product.body.id}` },
      }),
    );
    expect(await reportedCertificateIds()).not.toContain(product.body.id);
  });
});

describe('the certificates window', () => {
  it('counts from the date in Vietnam, which is a day ahead of UTC before 07:00', () => {
    const at0130InVietnam = new Date('2026-03-01T18:30:00Z');
    expect(certificateWindow(at0130InVietnam, { withinDays: 0, expiredWithinDays: 0 })).toEqual({ by: '2026-03-02', from: '2026-03-02' });
    expect(certificateWindow(at0130InVietnam, { withinDays: 30, expiredWithinDays: 2 })).toEqual({ by: '2026-04-01', from: '2026-02-28' });
  });

  it('is the same date as UTC from 07:00 in Vietnam, and has no lower bound without expiredWithinDays', () => {
    expect(certificateWindow(new Date('2026-03-01T16:59:00Z'), { withinDays: 90 })).toEqual({ by: '2026-05-30', from: undefined });
  });
});

describe('onboarding writes', () => {
  function recordReads() {
    const name = `record-reads-${Math.random()}`;
    const reads: { read: string; consistent: boolean }[] = [];
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: { PK: string; SK: string }; ExpressionAttributeValues?: Record<string, unknown>; ConsistentRead?: boolean };
        if (context.commandName === 'GetItemCommand') reads.push({ read: `${input.Key!.PK} ${input.Key!.SK}`, consistent: input.ConsistentRead === true });
        if (context.commandName === 'QueryCommand') reads.push({ read: `${String(input.ExpressionAttributeValues?.[':pk'])} (query)`, consistent: input.ConsistentRead === true });
        return next(args);
      },
      { step: 'initialize', name },
    );
    return { reads, stop: () => api.local.table.doc.middlewareStack.remove(name) };
  }

  it('judge a listing move and an account move on strongly consistent reads', async () => {
    const producer = await newProducer();
    const product = (await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.id) })).body;
    const recorder = recordReads();
    try {
      expect((await api.call('PUT', `/producers/${producer.id}/accounts/postmart`, { token: api.adminToken, body: { status: 'registered' } })).status).toBe(200);
      expect((await api.call('PUT', `/producers/${producer.id}/accounts/postmart`, { token: api.adminToken, body: { status: 'verified', version: 1 } })).status).toBe(200);
      expect((await api.call('PUT', `/products/${product.id}/listings/postmart`, { token: api.adminToken, body: { status: 'draft' } })).status).toBe(200);
      expect((await api.call('PUT', `/products/${product.id}/listings/postmart`, { token: api.adminToken, body: { status: 'submitted', version: 1, overrideReason: 'chưa có ảnh' } })).status).toBe(200);
      expect((await api.call('PUT', `/products/${product.id}/listings/postmart`, { token: api.adminToken, body: { status: 'live', version: 2, url: 'https://postmart.vn/p/1' } })).status).toBe(200);
    } finally {
      recorder.stop();
    }
    const reads = recorder.reads.map((r) => r.read);
    expect(reads).toContain(`${api.local.table.prefix}PRODUCER#${producer.id} ACCOUNT#postmart`);
    expect(reads).toContain(`${api.local.table.prefix}PRODUCT#${product.id} LISTING#postmart`);
    expect(recorder.reads.filter((r) => !r.consistent)).toEqual([]);
  });
});

describe('closing a seller account', () => {
  const move = (productId: string, status: string, version?: number, extra: Record<string, unknown> = {}) =>
    api.call('PUT', `/products/${productId}/listings/postmart`, { token: api.adminToken, body: { status, version, ...extra } });

  async function listedProduct(producerId: string, name: string, through: string[]) {
    const product = (await api.call('POST', '/products', { token: api.adminToken, body: productInput(producerId, { name }) })).body;
    const steps: Record<string, Record<string, unknown>> = { submitted: { overrideReason: 'chưa có ảnh' }, live: { url: `https://postmart.vn/p/${product.id}` } };
    for (const [i, status] of through.entries()) expect((await move(product.id, status, i || undefined, steps[status])).status).toBe(200);
    return product as { id: string };
  }

  it('is refused while the producer has listings live or paused there, and allowed once they are delisted', async () => {
    const producer = await newProducer();
    const account = `/producers/${producer.id}/accounts/postmart`;
    await api.call('PUT', account, { token: api.adminToken, body: { status: 'registered' } });
    const live = await listedProduct(producer.id, 'Nem chua', ['draft', 'submitted', 'live']);
    const paused = await listedProduct(producer.id, 'Chè lam', ['draft', 'submitted', 'live', 'paused']);
    await listedProduct(producer.id, 'Bánh gai', ['draft']);

    const refused = await api.call('PUT', account, { token: api.adminToken, body: { status: 'none', version: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT_HAS_LISTINGS', count: 2 });
    expect(refused.body.title).toContain('Nem chua (live)');
    expect(refused.body.listings).toEqual(expect.arrayContaining([{ productId: live.id, name: 'Nem chua', status: 'live' }, { productId: paused.id, name: 'Chè lam', status: 'paused' }]));
    expect((await api.call('GET', `/producers/${producer.id}/accounts`, { token: api.adminToken })).body.items[0]).toMatchObject({ status: 'registered', version: 1 });

    expect((await move(live.id, 'delisted', 3)).status).toBe(200);
    expect((await move(paused.id, 'delisted', 4)).status).toBe(200);
    const closed = await api.call('PUT', account, { token: api.adminToken, body: { status: 'none', version: 1 } });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('none');
  });
});
