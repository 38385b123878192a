import { beforeAll, describe, expect, it } from 'vitest';
import { readXlsx } from '#functions/imports/spreadsheet-reader.ts';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';
import { csv, importDriver } from '#test/support/imports.ts';

let api: Api;
let hamRong: string;
beforeAll(async () => {
  api = await createTestApi();
  hamRong = await api.userToken({ role: 'officer', communes: ['14758'] });
});

const { dryRun, commit, uniquePhone: phone } = importDriver(() => api);
const taxCode = () => `28${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

const producer = async (fields: Record<string, unknown>) => {
  const res = await api.call('POST', '/producers', { token: api.adminToken, body: { ...producerInput(fields), confirmDistinct: true } });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string };
};

const rowsOf = async (id: string, token: string) => new Map<number, any>((await api.call('GET', `/imports/${id}/rows?limit=500`, { token })).body.items.map((r: { row: number }) => [r.row, r]));

const errorsFile = async (id: string, token: string) => {
  const res = await api.app.request(`/api/v1/imports/${id}/errors.xlsx`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return JSON.stringify(readXlsx(new Uint8Array(await res.arrayBuffer())));
};

/** Whether any of these producers' ids, names or communes shows in the text. */
const namesAny = (text: string, producers: { id: string; name: string }[], communes: string[]) => producers.some((p) => text.includes(p.id) || text.includes(p.name)) || communes.some((c) => text.includes(c));

describe('a producers import by an officer, matching producers outside the officer’s communes', () => {
  it('flags each row as a likely duplicate with what matched, naming only the producers the officer may see, in the rows and the errors file', async () => {
    const [samePhone, sameTax, both] = [phone(), taxCode(), phone()];
    const outside = [await producer({ phone: samePhone, communeCode: '15772' }), await producer({ taxCode: sameTax, communeCode: '15772' }), await producer({ phone: both, communeCode: '15772' })];
    const inside = await producer({ phone: both, communeCode: '14758' });
    const id = await dryRun(csv(['Tên chủ thể,Xã/Phường,SĐT,MST', `Imp Dup,Phường Hàm Rồng,${samePhone},`, `Imp Thuế,Phường Hàm Rồng,${phone()},${sameTax}`, `Imp Hai Nơi,Phường Hàm Rồng,${both},`]), 'producers', hamRong);
    const rows = await rowsOf(id, hamRong);
    expect([2, 3, 4].map((n) => [rows.get(n).outcome, rows.get(n).duplicateOf])).toEqual([
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }],
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['taxCode'] }] }],
      ['duplicate_existing', { producerIds: [inside.id], outsideScope: [{ matchedOn: ['phone'] }] }],
    ]);
    const file = await errorsFile(id, hamRong);
    expect({ rows: namesAny(JSON.stringify([...rows.values()]), outside, ['15772']), errorsFile: namesAny(file, outside, ['15772']) }).toEqual({ rows: false, errorsFile: false });
    expect(file).toContain('trùng số điện thoại với một chủ thể ngoài địa bàn được giao');
    expect(file).toContain('trùng mã số thuế với một chủ thể ngoài địa bàn được giao');
    // The one the officer may see is named, with its commune: an id tells the person fixing the file nothing.
    expect(file).toContain(`trùng chủ thể “${inside.name}” (Phường Hàm Rồng)`);
    expect(file).not.toContain(inside.id);
  });

  it('flags a row waiting for its commune the same way', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['15835'] });
    const shared = phone();
    const outside = await producer({ phone: shared, communeCode: '15772' });
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường;Huyện', `Imp Chờ Xã;${shared};TT. Thiệu Hoá;Huyện Thiệu Hóa`]), 'producers', officer);
    const row = (await rowsOf(id, officer)).get(2);
    expect([row.outcome, row.duplicateOf]).toEqual(['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }]);
    // The row's candidate communes are its own (TT. Thiệu Hoá was split), not where the match is.
    const file = await errorsFile(id, officer);
    expect(namesAny(JSON.stringify(row) + file, [outside], [])).toBe(false);
    // A duplicate waits for no commune choice: the errors file does not offer one.
    expect(file).not.toContain('Xã/phường mới có thể là');
  });

  it('names every producer to an administrator, who sees the whole province', async () => {
    const shared = phone();
    const outside = await producer({ phone: shared, communeCode: '15772' });
    const id = await dryRun(csv(['Tên chủ thể,Xã/Phường,SĐT', `Imp Quản Trị,Phường Hàm Rồng,${shared}`]));
    expect((await rowsOf(id, api.adminToken)).get(2).duplicateOf).toEqual({ producerIds: [outside.id] });
  });
});

describe('a products import by an officer whose producer matches one outside the officer’s communes', () => {
  it('flags the rows of that producer as likely duplicates with what matched, naming no one, and writes none of them', async () => {
    const [shared, other] = [phone(), phone()];
    const outside = [await producer({ name: `HTX Ngoài Địa Bàn ${Date.now()}`, phone: shared, communeCode: '15772' }), await producer({ phone: other, taxCode: taxCode(), communeCode: '15772' })];
    const name = `Imp Sản Phẩm ${Date.now()}`;
    const id = await dryRun(
      csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;MST;Xã/Phường', `Chè lam;Thực phẩm;${name};${shared};;Phường Hàm Rồng`, `Bánh gai;Thực phẩm;${name};;;Phường Hàm Rồng`, `Nem chua;Thực phẩm;Hộ Khác Mã Thuế ${Date.now()};${other};${taxCode()};Phường Hàm Rồng`]),
      'products',
      hamRong,
    );
    const rows = await rowsOf(id, hamRong);
    expect([2, 3, 4].map((n) => [rows.get(n).outcome, rows.get(n).duplicateOf, rows.get(n).existingProducerId])).toEqual([
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }, undefined],
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }, undefined],
      // A producer with another tax code is not the one the row names, in scope or out of it.
      ['new', undefined, undefined],
    ]);
    expect(namesAny(JSON.stringify([...rows.values()]) + (await errorsFile(id, hamRong)), outside, ['15772'])).toBe(false);
    expect(await commit(id, [], hamRong)).toMatchObject({ status: 'committed', rowsDone: 1, counts: { duplicate_existing: 2, new: 1 } });
    const written = await api.call('GET', `/producers?q=${encodeURIComponent(name)}`, { token: api.adminToken });
    expect(written.body.items).toEqual([]);
  });
});

describe('the commit of an officer’s import', () => {
  it('checks new and decided rows against producers outside the officer’s communes without naming them, and writes neither', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['15835'] });
    const [fresh, waiting] = [phone(), phone()];
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường;Huyện', `Imp Mới;${fresh};Xã Thiệu Trung;`, `Imp Chờ Quyết Định;${waiting};TT. Thiệu Hoá;Huyện Thiệu Hóa`]), 'producers', officer);
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).body.counts).toEqual({ new: 1, needs_decision: 1 });
    // Registered in another officer's commune between the dry run and the commit.
    const outside = [await producer({ phone: fresh, communeCode: '15772' }), await producer({ phone: waiting, communeCode: '15772' })];
    const job = await commit(id, [{ row: 3, communeCode: '15835' }], officer);
    expect(job).toMatchObject({ status: 'committed', rowsDone: 0, counts: { duplicate_existing: 2 } });
    const rows = await rowsOf(id, officer);
    expect([2, 3].map((n) => [rows.get(n).outcome, rows.get(n).duplicateOf])).toEqual([
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }],
      ['duplicate_existing', { outsideScope: [{ matchedOn: ['phone'] }] }],
    ]);
    expect(namesAny(JSON.stringify([...rows.values()]) + (await errorsFile(id, officer)), outside, [])).toBe(false);
  });

  it('takes a decision as a commune only: one carrying a producer to link to is refused and nothing is written', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['15835'] });
    const outside = await producer({ communeCode: '15772' });
    const name = `Imp Liên Kết ${Date.now()}`;
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường;Huyện', `${name};${phone()};TT. Thiệu Hoá;Huyện Thiệu Hóa`]), 'producers', officer);
    const res = await api.call('POST', `/imports/${id}/commit`, { token: officer, body: { decisions: [{ row: 2, communeCode: '15835', producerId: outside.id }] } });
    await api.idle();
    expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'decisions.0', rule: 'unknown_field' }] } });
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).body.status).toBe('previewed');
    expect((await api.call('GET', `/producers?q=${encodeURIComponent(name)}`, { token: api.adminToken })).body.items).toEqual([]);
  });
});
