import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readCsv } from '#functions/imports/spreadsheet-reader.ts';
import { createTestApi, producerInput, productInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
  await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: '=HYPERLINK("http://evil","Bấm")', phone: '0912345678', communeCode: '14758' }) });
  await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'Hợp tác xã Nông sản Hoằng Hóa', communeCode: '15772', citizenId: '038085004321' }) });
});

async function download(path: string, token = api.adminToken) {
  const res = await api.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes: Buffer.from(await res.arrayBuffer()) };
}

function xlsxToCsv(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'xlsx-'));
  writeFileSync(join(dir, 'in.xlsx'), bytes);
  execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, join(dir, 'in.xlsx')], { stdio: 'ignore', timeout: 120_000 });
  return readFileSync(join(dir, 'in.csv'), 'utf8');
}

describe('exports', () => {
  it('write coverage as UTF-8 CSV with a byte-order mark, Vietnamese headers, one row per commune and a totals row', async () => {
    const res = await download('/exports/coverage.csv');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/csv');
    expect(res.disposition).toMatch(/attachment; filename="do-phu-tmdt-\d{4}-\d{2}-\d{2}\.csv"/);
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('BÁO CÁO ĐỘ PHỦ THƯƠNG MẠI ĐIỆN TỬ — TỈNH THANH HÓA');
    expect(lines.some((l) => l.startsWith('Số liệu tính đến: '))).toBe(true);
    const header = lines.findIndex((l) => l.startsWith('Mã xã,Xã/Phường'));
    expect(lines[header]).toContain('Sản phẩm OCOP đang bán trên sàn');
    const body = lines.slice(header + 1).filter(Boolean);
    expect(body).toHaveLength(167);
    expect(body.at(-1)).toMatch(/^,Tổng cộng,,2,/);
  });

  it('say that OCOP counts only valid certificates, and list the targets on the exported marketplace with where each stands', async () => {
    onTestFinished(async () => void (await api.call('PUT', '/targets', { token: api.adminToken, body: { items: [] } })));
    const put = await api.call('PUT', '/targets', {
      token: api.adminToken,
      body: {
        items: [
          { indicator: 'ocopLive/productsOcop', period: '2026-12-31', scope: 'province', marketplace: 'all', unit: 'percent', value: 100 },
          { indicator: 'producers', period: '2027-06-30', scope: '15772', marketplace: 'all', unit: 'count', value: 5000 },
          { indicator: 'productsLive', period: '2026-12-31', scope: 'province', marketplace: 'voso', unit: 'count', value: 10 },
        ],
      },
    });
    expect(put.status).toBe(200);
    const lines = (await download('/exports/coverage.csv')).bytes.toString('utf8').slice(1).split('\r\n');
    const header = lines.findIndex((l) => l.startsWith('Mã xã,Xã/Phường'));
    const preamble = lines.slice(0, header).map((l) => l.replace(/^"(.*)"$/, '$1'));
    expect(preamble).toContain('Sản phẩm OCOP: chỉ tính sản phẩm có giấy chứng nhận OCOP còn hạn.');
    expect(preamble).toContain('Chỉ tiêu (hiện hành):');
    const producersIn15772 = (await api.call('GET', '/coverage?by=commune', { token: api.adminToken })).body.rows.find((r: { communeCode: string }) => r.communeCode === '15772').producers;
    expect(preamble).toContain(`• Số chủ thể · Xã Thiệu Hóa · hạn 30/06/2027: ${producersIn15772} / 5.000 — đạt ${String(Math.round((1000 * producersIn15772) / 5000) / 10).replace('.', ',')}%`);
    expect(preamble.some((l) => l.startsWith('• Tỉ lệ SP OCOP đang bán / SP OCOP · Toàn tỉnh · hạn 31/12/2026: '))).toBe(true);
    // The voso target belongs to the voso export, not to this one.
    expect(preamble.some((l) => l.includes('Số sản phẩm đang bán · Toàn tỉnh'))).toBe(false);
    const voso = (await download('/exports/coverage.csv?marketplace=voso')).bytes.toString('utf8');
    expect(voso).toContain('• Số sản phẩm đang bán · Toàn tỉnh · hạn 31/12/2026: ');

    // An officer of another commune: the province's target measured on their communes, said so; not 15772's own.
    const officer = await api.userToken({ role: 'officer', communes: ['14758'] });
    const res = await api.app.request('/api/v1/exports/coverage.csv', { headers: { authorization: `Bearer ${officer}` } });
    const theirs = (await res.text()).split('\r\n').map((l) => l.replace(/^\uFEFF/, '').replace(/^"(.*)"$/, '$1'));
    expect(theirs.some((l) => l.startsWith('• Tỉ lệ SP OCOP đang bán / SP OCOP · Toàn tỉnh (số liệu các xã được giao) · hạn 31/12/2026: '))).toBe(true);
    expect(theirs.some((l) => l.includes('Xã Thiệu Hóa'))).toBe(false);
  });

  it('send CSV gzipped to clients that accept it (a province-wide list stays under Lambda’s response limit)', async () => {
    const plain = await download('/exports/producers.csv');
    const res = await api.app.request('/api/v1/exports/producers.csv', { headers: { authorization: `Bearer ${api.adminToken}`, 'accept-encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toContain('accept-encoding');
    const body = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    // Same list (the as-of minute in the preamble may differ).
    expect(body.split('\r\n').slice(2)).toEqual(plain.bytes.toString('utf8').split('\r\n').slice(2));
  });

  it('neutralise cells that would run as formulas and mask phones for the department', async () => {
    const admin = (await download('/exports/producers.csv')).bytes.toString('utf8');
    expect(admin).toContain(`"'=HYPERLINK(""http://evil"",""Bấm"")"`);
    expect(admin).toContain('0912345678');
    expect(admin).toContain('••••4321');
    expect(admin).not.toContain('038085004321');
    const department = await api.userToken({ role: 'department' });
    const masked = (await download('/exports/producers.csv', department)).bytes.toString('utf8');
    expect(masked).toContain('091****678');
    expect(masked).not.toContain('0912345678');
  });

  it('write an XLSX that LibreOffice opens with the Vietnamese headers and names intact, formula-like text shown as text', async () => {
    const res = await download('/exports/coverage.xlsx');
    expect(res.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const csv = xlsxToCsv(res.bytes);
    expect(csv).toContain('BÁO CÁO ĐỘ PHỦ THƯƠNG MẠI ĐIỆN TỬ — TỈNH THANH HÓA');
    expect(csv).toContain('Chủ thể đã tập huấn TMĐT');
    expect(csv).toContain('Phường Hàm Rồng');
    expect(csv).toMatch(/Tổng cộng,,2,/);
    const producers = xlsxToCsv((await download('/exports/producers.xlsx')).bytes);
    expect(producers).toContain('Hợp tác xã Nông sản Hoằng Hóa');
    // Shown as the text it is — not run as a formula, and without an apostrophe in front.
    expect(producers).toContain(`"=HYPERLINK(""http://evil"",""Bấm"")"`);
    expect(producers).not.toContain(`'=HYPERLINK`);
  }, 240_000);

  it('name each product’s producer in the product list, not only its id', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'Cơ sở Nem chua Thọ Xuân', communeCode: '14758' }) });
    const product = await api.call('POST', '/products', { token: api.adminToken, body: productInput(producer.body.id, { name: 'Nem chua Thọ Xuân' }) });
    expect(product.status).toBe(201);
    const lines = (await download('/exports/products.csv')).bytes.toString('utf8').split('\r\n');
    expect(lines.find((l) => l.startsWith('Mã,'))).toMatch(/^Mã,Tên sản phẩm,Mã chủ thể,Tên chủ thể,Mã xã,/);
    expect(lines.find((l) => l.startsWith(`${product.body.id},`))).toContain(`,Nem chua Thọ Xuân,${producer.body.id},Cơ sở Nem chua Thọ Xuân,14758,`);
  });

  it('say in the product list whether each OCOP certificate still counts, so its OCOP products add up to the coverage report’s, in CSV and in an XLSX LibreOffice opens', async () => {
    const owner = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'HTX Chè Như Thanh', communeCode: '15772' }) });
    const make = async (name: string, extra: Record<string, unknown>) => {
      const res = await api.call('POST', '/products', { token: api.adminToken, body: productInput(owner.body.id, { name, ...extra }) });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const valid = await make('Chè xanh còn hạn', { certificateDate: '2024-02-29' });
    const lapsed = await make('Chè búp hết hạn', { certificateDate: '2020-03-10' });
    const unrated = await make('Chè khô chưa xếp hạng', { ocopStars: 0, certificateNo: undefined, certificateDate: undefined });
    const totals = (await api.call('GET', '/coverage?by=province', { token: api.adminToken })).body.totals;
    const ocopInReport = totals.productsOcop3 + totals.productsOcop4 + totals.productsOcop5;

    const check = (grid: unknown[][]) => {
      const cells = grid.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
      expect(cells.some((r) => r[0]?.startsWith('Sản phẩm có chứng nhận OCOP hết hạn vẫn giữ hạng sao nhưng không được tính là sản phẩm OCOP'))).toBe(true);
      const header = cells.findIndex((r) => r[0] === 'Mã' && r[1] === 'Tên sản phẩm');
      const at = (name: string) => cells[header]!.indexOf(name);
      expect(at('Chứng nhận OCOP')).toBe(at('Hạn chứng nhận') + 1);
      const rows = cells.slice(header + 1);
      const row = (id: string) => rows.find((r) => r[0] === id)!;
      expect([row(valid)[at('Hạn chứng nhận')], row(valid)[at('Chứng nhận OCOP')]]).toEqual(['28/02/2027', 'Còn hiệu lực']);
      expect([row(lapsed)[at('Hạn chứng nhận')], row(lapsed)[at('Chứng nhận OCOP')], row(lapsed)[at('Hạng sao')]]).toEqual(['10/03/2023', 'Hết hạn', '3']);
      expect([row(unrated)[at('Hạn chứng nhận')], row(unrated)[at('Chứng nhận OCOP')]]).toEqual(['', '']);
      // Counting the valid certificates gives the report's OCOP products; counting the stars gives more.
      expect(rows.filter((r) => r[at('Chứng nhận OCOP')] === 'Còn hiệu lực')).toHaveLength(ocopInReport);
      expect(rows.filter((r) => Number(r[at('Hạng sao')]) >= 3).length).toBeGreaterThan(ocopInReport);
    };
    check(readCsv((await download('/exports/products.csv')).bytes));
    check(readCsv(Buffer.from(xlsxToCsv((await download('/exports/products.xlsx')).bytes), 'utf8')));
  }, 240_000);

  it('export only the caller’s scope', async () => {
    const officer = await api.userToken({ role: 'officer', communes: ['14758'] });
    const csv = (await download('/exports/producers.csv', officer)).bytes.toString('utf8');
    expect(csv).toContain('HYPERLINK');
    expect(csv).not.toContain('Hoằng Hóa');
    const coverage = (await download('/exports/coverage.csv', officer)).bytes.toString('utf8');
    expect(coverage.split('\r\n').filter((l) => /^\d{5},/.test(l))).toHaveLength(1);
  });
});
