import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

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
