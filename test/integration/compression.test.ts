import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type Api } from '#test/support/harness.ts';

// The API compresses its larger text answers itself (CloudFront does not for /api/*).

let api: Api;
beforeAll(async () => void (api = await createTestApi()), 120_000);

const raw = (path: string, headers: Record<string, string>) => api.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${api.adminToken}`, ...headers } });

describe('answer compression', () => {
  it('gzips a JSON answer of 1 KB and more for a client that accepts it, with Vary, to the same JSON', async () => {
    const plain = await raw('/admin-units/communes', {});
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainText = await plain.text();
    expect(plainText.length).toBeGreaterThan(10_000);

    const zipped = await raw('/admin-units/communes', { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/Accept-Encoding/);
    const bytes = Buffer.from(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(plainText.length / 4);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(JSON.parse(plainText));
  });

  it('leaves small answers and problem details under 1 KB as they are', async () => {
    const me = await raw('/auth/me', { 'accept-encoding': 'gzip' });
    expect(me.status).toBe(200);
    expect(me.headers.get('content-encoding')).toBeNull();
    const missing = await raw('/products/01ARZ3NDEKTSV4RRFFQ69G5FAV', { 'accept-encoding': 'gzip' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-encoding')).toBeNull();
    expect((await missing.json()).code).toBe('NOT_FOUND');
  });

  it('does not gzip twice what is sent gzipped already (the CSV export)', async () => {
    const csv = await raw('/exports/coverage.csv', { 'accept-encoding': 'gzip' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await csv.arrayBuffer())).toString('utf8').charCodeAt(0)).toBe(0xfeff);
  });
});
