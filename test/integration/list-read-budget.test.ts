import { beforeAll, describe, expect, it } from 'vitest';
import { queryAcross, type PageState } from '#functions/repositories/table.ts';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

describe('a filtered list read', () => {
  const commune = '15058';
  const filter = { FilterExpression: 'contains(#sn, :q)', ExpressionAttributeNames: { '#sn': 'searchName' }, ExpressionAttributeValues: { ':q': 'ong lap hiem' } };

  it('looks through at most its budget per call, answers short (even empty) with a cursor, and across calls finds every match once', async () => {
    for (let i = 0; i < 11; i++) await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune, name: `Hộ trồng lúa ${i}` }) });
    const rare = await Promise.all(['Hộ nuôi ong Lập hiếm', 'HTX ong lập hiếm'].map((name) => api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: commune, name, confirmDistinct: true }) })));
    const partition = api.local.repositories.producers.communePartition(commune);
    const unbounded = await queryAcross(api.local.table, [partition], { limit: 10, filter });
    expect(unbounded.items.map((i) => i.id).sort()).toEqual(rare.map((r) => r.body.id).sort());

    const found: string[] = [];
    const sizes: number[] = [];
    let start: PageState | undefined;
    let calls = 0;
    do {
      const page = await queryAcross(api.local.table, [partition], { limit: 10, filter, readBudget: 3, start });
      found.push(...page.items.map((i) => i.id as string));
      sizes.push(page.items.length);
      start = page.next;
      calls += 1;
    } while (start && calls < 20);
    expect(found.sort()).toEqual(rare.map((r) => r.body.id).sort());
    // 13 producers, 3 a call (DynamoDB reads at least what it was asked for per call): several calls, some empty.
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(sizes).toContain(0);
  });

  it('is what the API serves: a name search finds the match however few there are', async () => {
    const res = await api.call('GET', `/producers?q=${encodeURIComponent('ong lap hiem')}&communeCode=${commune}`, { token: api.adminToken });
    expect(res.body.items.map((p: { name: string }) => p.name).sort()).toEqual(['HTX ong lập hiếm', 'Hộ nuôi ong Lập hiếm']);
  });
});
