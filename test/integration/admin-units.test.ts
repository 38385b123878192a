import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

describe('administrative-unit routes', () => {
  it('list the 166 current communes with their former districts', async () => {
    const res = await api.call('GET', '/admin-units/communes', { token: api.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(166);
    expect(res.body.items.find((c: { code: string }) => c.code === '15772')).toMatchObject({ fullName: 'Xã Thiệu Hóa', formerDistricts: [expect.objectContaining({ fullName: 'Huyện Thiệu Hóa' })] });
  });

  it('resolve an old split township to all its candidates and say it is ambiguous', async () => {
    for (const name of ['TT. Thiệu Hoá', 'Thị trấn Thiệu Hóa'.normalize('NFD'), 'tt thieu hoa']) {
      const res = await api.call('GET', `/admin-units/resolve?name=${encodeURIComponent(name)}`, { token: api.adminToken });
      expect(res.body.status).toBe('ambiguous');
      expect(res.body.candidates.map((c: { code: string }) => c.code).sort()).toEqual(['15772', '15796', '15835']);
    }
  });

  it('resolve an old commune merged whole into one current commune', async () => {
    const res = await api.call('GET', `/admin-units/resolve?name=${encodeURIComponent('Phường Thiệu Dương')}`, { token: api.adminToken });
    expect(res.body).toMatchObject({ status: 'mapped', candidates: [{ code: '14758' }] });
  });

  it('require a name and sign-in', async () => {
    expect((await api.call('GET', '/admin-units/resolve', { token: api.adminToken })).status).toBe(400);
    expect((await api.call('GET', '/admin-units/communes')).status).toBe(401);
  });
});
