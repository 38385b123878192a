import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { MAX_COLUMNS, MAX_ROWS, MAX_UNZIPPED_BYTES, SpreadsheetError, readCsv, readXlsx } from '#functions/imports/spreadsheet-reader.ts';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';
import { csv, importDriver } from '#test/support/imports.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const { dryRun, commit, uniquePhone: phone } = importDriver(() => api);

const rowsOf = async (id: string, token = api.adminToken) => (await api.call('GET', `/imports/${id}/rows`, { token })).body.items;

const storedRows = async (id: string) => {
  const dir = join(api.dataDir, 'files', 'imports', id);
  return (await Promise.all((await readdir(dir)).filter((f) => f.startsWith('rows')).map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
};

const findProducers = async (name: string) => (await api.call('GET', `/producers?q=${encodeURIComponent(name)}`, { token: api.adminToken })).body.items;

describe('a file previewed twice, then both previews committed', () => {
  it('adds each producer once; the second commit counts the row as a duplicate', async () => {
    const name = `Hộ Hai Tab ${Date.now()}`;
    const file = csv(['Tên chủ thể;SĐT;Xã/Phường', `${name};${phone()};Xã Thiệu Hóa`]);
    const a = await dryRun(file);
    const b = await dryRun(file);
    expect((await commit(a)).status).toBe('committed');
    const second = await commit(b);
    expect({ status: second.status, rowsDone: second.rowsDone, counts: second.counts, producers: (await findProducers(name)).length }).toEqual({ status: 'committed', rowsDone: 0, counts: { duplicate_existing: 1 }, producers: 1 });
    expect((await rowsOf(b))[0]).toMatchObject({ outcome: 'duplicate_existing', duplicateOf: { producerIds: [(await findProducers(name))[0].id] } });
  });

  it('adds each product once in a products file', async () => {
    const name = `HTX Hai Tab ${Date.now()}`;
    const file = csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Chè lam;Thực phẩm;${name};${phone()};Xã Thiệu Hóa`, `Bánh gai;Thực phẩm;${name};;Xã Thiệu Hóa`]);
    const a = await dryRun(file, 'products');
    const b = await dryRun(file, 'products');
    expect((await commit(a)).rowsDone).toBe(2);
    const second = await commit(b);
    const [producer] = await findProducers(name);
    const products = await api.call('GET', `/products?producerId=${producer.id}`, { token: api.adminToken });
    expect({ rowsDone: second.rowsDone, counts: second.counts, producers: (await findProducers(name)).length, products: products.body.items.length }).toEqual({ rowsDone: 0, counts: { duplicate_existing: 2 }, producers: 1, products: 2 });
  });
});

describe('a products row whose phone is shared with another existing producer', () => {
  it('joins the producer it names, not whichever shares the phone', async () => {
    const office = phone();
    const first = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: `Hộ Chung Máy ${Date.now()}`, phone: office, communeCode: '15772' }) });
    const namedName = `Hộ Được Nêu ${Date.now()}`;
    const named = await api.call('POST', '/producers', { token: api.adminToken, body: { ...producerInput({ name: namedName, phone: office, communeCode: '15772' }), confirmDistinct: true } });
    expect([first.status, named.status]).toEqual([201, 201]);
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Nem chua;Thực phẩm;${namedName};${office};Xã Thiệu Hóa`]), 'products');
    expect((await rowsOf(id))[0]).toMatchObject({ outcome: 'new', existingProducerId: named.body.id });
  });

  it('is a duplicate for the officer to see when two producers could be the one it names', async () => {
    const shared = phone();
    const name = `Hộ Trùng Tên ${Date.now()}`;
    const one = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name, phone: shared, communeCode: '15772' }) });
    const two = await api.call('POST', '/producers', { token: api.adminToken, body: { ...producerInput({ name, phone: shared, communeCode: '15796' }), confirmDistinct: true } });
    expect([one.status, two.status]).toEqual([201, 201]);
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Nem chua;Thực phẩm;${name};${shared};Xã Thiệu Hóa`, `Giò lụa;Thực phẩm;${name};${shared};Xã Thiệu Hóa`]), 'products');
    const rows = await rowsOf(id);
    expect(rows.map((r: { outcome: string; existingProducerId?: string }) => [r.outcome, r.existingProducerId])).toEqual([
      ['duplicate_existing', undefined],
      ['duplicate_existing', undefined],
    ]);
    expect([...rows[0].duplicateOf.producerIds].sort()).toEqual([one.body.id, two.body.id].sort());
  });
});

describe('re-importing a products file when the phone also belongs to another producer outside the officer’s scope', () => {
  it('adds nothing after the first time', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['15772'] });
    const shared = phone();
    // Another tax code: not the producer the file names (one that could be is a likely duplicate, test/integration/import-scope.test.ts).
    const other = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone: shared, taxCode: '2800000001', communeCode: '15796' }) });
    expect(other.status).toBe(201);
    const file = csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;MST;Xã/Phường', `Mật ong;Thực phẩm;HTX Ong Lặp ${Date.now()};${shared};2800000002;Xã Thiệu Hóa`]);
    const news: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await dryRun(file, 'products', officer);
      news.push((await api.call('GET', `/imports/${id}`, { token: officer })).body.counts.new ?? 0);
      await commit(id, [], officer);
    }
    expect(news).toEqual([1, 0, 0, 0]);
  });
});

describe('citizen IDs in a column the import does not map', () => {
  it('are not kept in clear (products file with CCCD; producers file headed "Số CCCD/CMND"; an unknown column)', async () => {
    const cccd1 = `0381${String(Date.now()).slice(-8)}`;
    const cccd2 = `0382${String(Date.now()).slice(-8)}`;
    const cccd3 = `0383${String(Date.now()).slice(-8)}`;
    const p = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;CCCD;Xã/Phường', `Rượu;Xe máy;Hộ Có CCCD;${phone()};${cccd1};Xã Thiệu Hóa`]), 'products');
    const q = await dryRun(csv(['Tên chủ thể;SĐT;Số CCCD/CMND;Xã/Phường;Giấy tờ khác', `Hộ Khác;12345;${cccd2};Xã Thiệu Hóa;CC ${cccd3} cấp 2021`]));
    const res = await api.app.request(`/api/v1/imports/${p}/errors.xlsx`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    const errorsFile = JSON.stringify(readXlsx(new Uint8Array(await res.arrayBuffer())));
    const producersRows = await storedRows(q);
    expect({ rows: (await storedRows(p)).includes(cccd1), errorsFile: errorsFile.includes(cccd1), producersRows: producersRows.includes(cccd2), unknownColumn: producersRows.includes(cccd3) }).toEqual({ rows: false, errorsFile: false, producersRows: false, unknownColumn: false });
    expect(errorsFile).toContain(`********${cccd1.slice(-4)}`);
    expect(producersRows).toContain(`CC ********${cccd3.slice(-4)} cấp 2021`);
  });

  it('are masked in the errors file of rows kept before unmapped columns were masked', async () => {
    const cccd = `0384${String(Date.now()).slice(-8)}`;
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Giấy tờ;Xã/Phường', `Hộ Cũ;12345;${cccd.slice(0, 4)}x;Xã Thiệu Hóa`]));
    const dir = join(api.dataDir, 'files', 'imports', id);
    for (const f of (await readdir(dir)).filter((f) => f.startsWith('rows'))) await writeFile(join(dir, f), (await readFile(join(dir, f), 'utf8')).replace(`${cccd.slice(0, 4)}x`, cccd));
    const res = await api.app.request(`/api/v1/imports/${id}/errors.xlsx`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    const errorsFile = JSON.stringify(readXlsx(new Uint8Array(await res.arrayBuffer())));
    expect({ clear: errorsFile.includes(cccd), masked: errorsFile.includes(`********${cccd.slice(-4)}`) }).toEqual({ clear: false, masked: true });
  });

  it('are read from a products file as the producer’s, so a re-import matches it', async () => {
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;Số CMND/CCCD;Xã/Phường', `Nem;Thực phẩm;Hộ CCCD Sản Phẩm ${Date.now()};038123450001;Xã Thiệu Hóa`]), 'products');
    expect((await rowsOf(id))[0].producer).toMatchObject({ citizenIdLast4: '0001' });
  });
});

describe('a CSV that is not UTF-8', () => {
  it('is read as Windows-1258 (legacy Vietnamese Windows), tone marks composed', async () => {
    // "Hộ Lê Test" in cp1258: ô (0xF4) + the combining dot below (0xF2), ê (0xEA)
    const name = Buffer.from([0x48, 0xf4, 0xf2, 0x20, 0x4c, 0xea, 0x20, 0x54, 0x65, 0x73, 0x74]);
    const id = await dryRun(Buffer.concat([Buffer.from('Ten chu the;SDT;Xa\r\n'), name, Buffer.from(`;${phone()};Thieu Hoa\r\n`)]));
    expect((await rowsOf(id))[0]).toMatchObject({ outcome: 'new', producer: { name: 'Hộ Lê Test' } });
  });

  it('is refused with the reason when it is UTF-8 damaged in places, not imported with U+FFFD', async () => {
    const id = await dryRun(Buffer.concat([Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\nHộ Hỏng Một Chỗ;${phone()};Xã Thiệu Hóa\r\nHộ `), Buffer.from([0xff]), Buffer.from(`;${phone()};Xã Thiệu Hóa\r\n`)]));
    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body).toMatchObject({ status: 'failed', failure: { code: 'unknown_encoding' } });
  });
});

describe('a CSV whose numbers lost their leading zero (Excel numbers saved as CSV)', () => {
  it('restores the citizen ID and the tax code as the XLSX path does', async () => {
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Số CCCD;MST;Xã/Phường', `Hộ Mất Số Không;${phone()};38123456789;281234567;Xã Thiệu Hóa`]));
    expect((await rowsOf(id))[0]).toMatchObject({ outcome: 'new', producer: { citizenIdLast4: '6789', taxCode: '0281234567' } });
  });
});

describe('an officer whose role or communes changed between the dry run and the commit', () => {
  async function officerAccount() {
    const username = `rv${randomUUID().slice(0, 8)}`;
    const created = await api.call('POST', '/users', { token: api.adminToken, body: { username, password: 'password-123', role: 'officer', communes: ['15772'] } });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, token: await api.login(username, 'password-123') };
  }

  it('no longer an officer: the commit is refused and nothing is written', async () => {
    const officer = await officerAccount();
    const name = `Hộ Chuyển Vai Trò ${Date.now()}`;
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường', `${name};${phone()};Xã Thiệu Hóa`]), 'producers', officer.token);
    expect((await api.call('PATCH', `/users/${officer.id}`, { token: api.adminToken, body: { version: 1, role: 'department' } })).status).toBe(200);
    const res = await api.call('POST', `/imports/${id}/commit`, { token: officer.token, body: { decisions: [] } });
    await api.idle();
    expect({ status: res.status, written: (await findProducers(name)).length }).toEqual({ status: 403, written: 0 });
  });

  it('moved to other communes: rows of communes no longer held are refused, not written', async () => {
    const officer = await officerAccount();
    const [kept, lost] = [`Hộ Xã Mới ${Date.now()}`, `Hộ Xã Cũ ${Date.now()}`];
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường', `${kept};${phone()};Xã Thiệu Hóa`]), 'producers', officer.token);
    expect((await api.call('PATCH', `/users/${officer.id}`, { token: api.adminToken, body: { version: 1, communes: ['15796'] } })).status).toBe(200);
    const job = await commit(id, [], officer.token);
    expect({ status: job.status, rowsDone: job.rowsDone, counts: job.counts, written: (await findProducers(kept)).length + (await findProducers(lost)).length }).toEqual({ status: 'committed', rowsDone: 0, counts: { out_of_scope: 1 }, written: 0 });
    expect((await rowsOf(id, officer.token))[0]).toMatchObject({ outcome: 'out_of_scope' });
  });
});

describe('the CSV reader’s limits', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof SpreadsheetError ? e.failure.code : (e as Error).name;
    }
    return 'read';
  };

  it('keeps nothing of blank lines: 25 MB of line breaks or of delimiters is no row', () => {
    expect(readCsv(new Uint8Array(25 * 1024 * 1024 - 1).fill(0x0a))).toEqual([]);
    expect(readCsv(new Uint8Array(25 * 1024 * 1024 - 1).fill(0x2c))).toEqual([]);
  });

  it('refuses more rows than the XLSX reader takes, and ignores cells past its last column', () => {
    const lines = new Uint8Array(2 * (MAX_ROWS + 1));
    for (let i = 0; i < lines.length; i++) lines[i] = i % 2 ? 0x0a : 0x61;
    expect(refusal(() => readCsv(lines))).toBe('too_many_rows');
    const wide = readCsv(new TextEncoder().encode(`a${',x'.repeat(100_000)}\nb,y\n`));
    expect(wide.map((r) => r.length)).toEqual([MAX_COLUMNS, 2]);
  });

  it('keeps row numbers as the spreadsheet shows them across blank rows, and drops trailing blank lines', () => {
    expect(readCsv(new TextEncoder().encode('a;b\n\n;;\nc;d\n\n\n'))).toEqual([['a', 'b'], [], [], ['c', 'd']]);
  });
});

describe('an XLSX whose ZIP entry understates its size', () => {
  function lyingZip(content: Uint8Array, claimed: number) {
    const body = deflateSync(content, { level: 6 });
    const name = new TextEncoder().encode('xl/worksheets/sheet1.xml');
    const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
    const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
    const local = new Uint8Array([...u32(0x04034b50), ...u16(20), ...u16(0), ...u16(8), ...u16(0), ...u16(0), ...u32(0), ...u32(body.length), ...u32(claimed), ...u16(name.length), ...u16(0), ...name]);
    const central = new Uint8Array([...u32(0x02014b50), ...u16(20), ...u16(20), ...u16(0), ...u16(8), ...u16(0), ...u16(0), ...u32(0), ...u32(body.length), ...u32(claimed), ...u16(name.length), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(0), ...name]);
    const end = new Uint8Array([...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(1), ...u16(1), ...u32(central.length), ...u32(local.length + body.length), ...u16(0)]);
    const file = new Uint8Array(local.length + body.length + central.length + end.length);
    file.set(local, 0);
    file.set(body, local.length);
    file.set(central, local.length + body.length);
    file.set(end, local.length + body.length + central.length);
    return file;
  }

  it('is refused once what it actually unpacks passes the limit', () => {
    const code = (() => {
      try {
        readXlsx(lyingZip(new Uint8Array(MAX_UNZIPPED_BYTES + 1024 * 1024), 1000));
      } catch (e) {
        return e instanceof SpreadsheetError ? e.failure.code : (e as Error).name;
      }
      return 'read';
    })();
    expect(code).toBe('unpacks_too_large');
  });

  it('is read whole when it unpacks within the limit, whatever size its header claims', () => {
    const sheet = new TextEncoder().encode(`<worksheet><sheetData>${'<row><c t="inlineStr"><is><t>Hộ A</t></is></c></row>'.repeat(5000)}</sheetData></worksheet>`);
    expect(readXlsx(lyingZip(sheet, 10)).length).toBe(5000);
  });
});

describe('coverage after the imports above', () => {
  it('reconciles', async () => {
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});
