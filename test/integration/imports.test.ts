import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { createLocalBlobStore } from '#functions/core/blob-store.ts';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
let officer: string;
beforeAll(async () => {
  api = await createTestApi();
  officer = await api.userToken({ role: 'officer', communes: ['15772', '15796', '15778', '15835'] });
});

const cell = (v: string | number, opts: { span?: number; formula?: string } = {}) => {
  const span = opts.span ? ` table:number-columns-spanned="${opts.span}"` : '';
  const formula = opts.formula ? ` table:formula="${opts.formula}"` : '';
  const value = typeof v === 'number' ? ` office:value-type="float" office:value="${v}"` : ' office:value-type="string"';
  const cover = opts.span ? '<table:covered-table-cell/>'.repeat(opts.span - 1) : '';
  return `<table:table-cell${span}${formula}${value}><text:p>${v}</text:p></table:table-cell>${cover}`;
};
const row = (...cells: string[]) => `<table:table-row>${cells.join('')}</table:table-row>`;
const empty = () => '<table:table-cell/>';

/** A messy officers' list as LibreOffice writes it: merged title and group headers, blank rows, formulas, serial and text dates, lost leading zeros, old place names. */
function messySpreadsheet(): Buffer {
  const rows = [
    row(cell('DANH SÁCH CHỦ THỂ THAM GIA TMĐT — HUYỆN THIỆU HÓA', { span: 8 })),
    row(cell('Thông tin chủ thể', { span: 5 }), cell('Địa bàn', { span: 2 }), cell('Tập huấn')),
    row(cell('STT'), cell('Tên chủ thể (*)'), cell('Người đại diện'), cell('SĐT'), cell('MST'), cell('Xã/Phường'), cell('Huyện'), cell('Ngày tập huấn')),
    row(cell(1), cell('HTX Thiệu Nguyên'), cell('Lê Văn An'), cell(912345678), cell(2801111111), cell('Xã Thiệu Nguyên'), cell('Thiệu Hóa'), cell(45321)),
    row(cell(2), cell('Hộ Nguyễn Văn Bình'), empty(), cell('0987 111 222'), empty(), cell('TT. Thiệu Hoá'), cell('Huyện Thiệu Hóa'), cell('15/03/2025')),
    row(empty(), empty(), empty(), empty(), empty(), empty(), empty(), empty()),
    row(cell(3), cell('Hộ Trần Thị Cúc'), empty(), cell('0911222333', { formula: 'of:=&quot;0911&quot;&amp;&quot;222333&quot;' }), empty(), cell('Thiệu Vũ'), cell('Thiệu Hóa'), empty()),
    row(cell(4), cell('Hộ Sai Số'), empty(), cell('12345'), empty(), cell('Thiệu Giang'), cell('Thiệu Hóa'), cell('31/02/2025')),
    row(cell(5), cell('HTX Thiệu Nguyên (trùng)'), empty(), cell(912345678), empty(), cell('Thiệu Công'), cell('Thiệu Hóa'), empty()),
    row(cell(6), cell('Hộ Lê Thị Dung'), empty(), cell(356111222), empty(), cell('Thiệu Duy'.normalize('NFD')), cell('thieu hoa'), empty()),
    row(cell(7), cell('Hộ Ngoài Địa Bàn'), empty(), cell(356999888), empty(), cell('Phường Hàm Rồng'), empty(), empty()),
  ];
  const fods = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="Danh sach">${rows.join('')}</table:table></office:spreadsheet></office:body></office:document>`;
  const dir = mkdtempSync(join(tmpdir(), 'import-'));
  writeFileSync(join(dir, 'list.fods'), fods);
  execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'xlsx', '--outdir', dir, join(dir, 'list.fods')], { stdio: 'ignore', timeout: 120_000 });
  return readFileSync(join(dir, 'list.xlsx'));
}

async function runImport(token: string, bytes: Uint8Array, kind = 'producers', fileName = 'list.xlsx') {
  const created = await api.call('POST', '/imports', { token, body: { kind, fileName, bytes: bytes.length } });
  expect(created.status).toBe(201);
  const sent = await api.app.request(created.body.uploadUrl, { method: created.body.method, headers: { authorization: `Bearer ${token}`, ...created.body.headers }, body: Buffer.from(bytes) });
  expect(sent.status).toBe(202);
  await api.idle();
  return created.body.id as string;
}

async function rowsOf(token: string, id: string) {
  const res = await api.call('GET', `/imports/${id}/rows?limit=500`, { token });
  return new Map<number, any>(res.body.items.map((r: { row: number }) => [r.row, r]));
}

describe('import of a messy LibreOffice spreadsheet', () => {
  let id: string;
  let xlsx: Buffer;

  it('previews each row: new, needs a decision, invalid, duplicate in the file, out of scope', async () => {
    xlsx = messySpreadsheet();
    id = await runImport(officer, xlsx);
    const job = await api.call('GET', `/imports/${id}`, { token: officer });
    expect(job.body).toMatchObject({ status: 'previewed', headerRow: 3, totalRows: 7 });
    expect(job.body.counts).toEqual({ new: 3, needs_decision: 1, invalid: 1, duplicate_in_file: 1, out_of_scope: 1 });
    const rows = await rowsOf(officer, id);
    expect(rows.get(4)).toMatchObject({ outcome: 'new', producer: { name: 'HTX Thiệu Nguyên', phone: '0912345678', taxCode: '2801111111', communeCode: '15772', trainingDate: '2024-01-30', kind: 'cooperative' } });
    expect(rows.get(5)).toMatchObject({ outcome: 'needs_decision', producer: { trainingDate: '2025-03-15' } });
    expect(rows.get(5).candidates.map((c: { code: string }) => c.code).sort()).toEqual(['15772', '15796', '15835']);
    expect(rows.get(7)).toMatchObject({ outcome: 'new', producer: { phone: '0911222333', communeCode: '15778' } });
    expect(rows.get(8).outcome).toBe('invalid');
    expect(rows.get(8).errors.map((e: { field: string }) => e.field).sort()).toEqual(['phone', 'trainingDate']);
    expect(rows.get(8).errors).toContainEqual({ field: 'trainingDate', message: 'not a date (dd/mm/yyyy)', vi: 'không phải ngày (dd/mm/yyyy)' });
    expect(rows.get(9)).toMatchObject({ outcome: 'duplicate_in_file', duplicateOf: { row: 4 } });
    expect(rows.get(10)).toMatchObject({ outcome: 'new', producer: { communeCode: '15796', phone: '0356111222' } });
    expect(rows.get(11).outcome).toBe('out_of_scope');
  }, 240_000);

  it('refuses a decision that is not among the row’s candidates', async () => {
    const res = await api.call('POST', `/imports/${id}/commit`, { token: officer, body: { decisions: [{ row: 5, communeCode: '14758' }] } });
    expect(res.status).toBe(400);
  });

  it('commits the new and decided rows once, with exact coverage, and re-importing adds nothing', async () => {
    const before = await api.call('GET', '/coverage?by=province', { token: api.adminToken });
    const res = await api.call('POST', `/imports/${id}/commit`, { token: officer, body: { decisions: [{ row: 5, communeCode: '15835' }] } });
    expect(res.status).toBe(202);
    await api.idle();
    const job = await api.call('GET', `/imports/${id}`, { token: officer });
    expect(job.body).toMatchObject({ status: 'committed', progress: { done: 4, total: 4 } });
    const after = await api.call('GET', '/coverage?by=province', { token: api.adminToken });
    expect(after.body.totals.producers - before.body.totals.producers).toBe(4);
    expect(after.body.totals.producersTrained - before.body.totals.producersTrained).toBe(2);
    const decided = await api.call('GET', `/producers?communeCode=15835&q=${encodeURIComponent('nguyen van binh')}`, { token: officer });
    expect(decided.body.items).toHaveLength(1);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
    // The uploaded file (personal data in clear) is gone once the import is committed.
    expect(existsSync(join(api.dataDir, 'files', 'imports', id, 'source'))).toBe(false);
    // The decisions made a rows file of their own; the dry run's it replaced is gone.
    expect(readdirSync(join(api.dataDir, 'files', 'imports', id)).filter((f) => f.startsWith('rows-'))).toHaveLength(1);

    const again = await runImport(officer, xlsx);
    const second = await api.call('GET', `/imports/${again}`, { token: officer });
    expect(second.body.counts.new ?? 0).toBe(0);
    // The decided row (its phone now known) is a duplicate too, not a decision to make again.
    expect(second.body.counts.needs_decision ?? 0).toBe(0);
    expect(second.body.counts.duplicate_existing).toBe(4);
  });

  it('gives the rows not imported as an XLSX with the reason in a column', async () => {
    const res = await api.app.request(`/api/v1/imports/${id}/errors.xlsx`, { headers: { authorization: `Bearer ${officer}` } });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'errors-'));
    writeFileSync(join(dir, 'e.xlsx'), Buffer.from(await res.arrayBuffer()));
    execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', dir, join(dir, 'e.xlsx')], { stdio: 'ignore', timeout: 120_000 });
    const csv = readFileSync(join(dir, 'e.csv'), 'utf8');
    expect(csv).toContain('Dòng,Lý do,Chi tiết,STT,Tên chủ thể (*)');
    // The reasons are worded in Vietnamese, field by field.
    expect(csv).toMatch(/8,Dữ liệu không hợp lệ,.*Ngày tập huấn: không phải ngày \(dd\/mm\/yyyy\)/);
    expect(csv).toMatch(/8,Dữ liệu không hợp lệ,.*Số điện thoại: Cần số điện thoại Việt Nam: 10 chữ số \(di động, ví dụ 0912345678\) hoặc 11 \(cố định\)\./);
    expect(csv).toContain('Trùng với dòng khác trong tệp');
    expect(csv).toContain('Ngoài địa bàn được phân công');
  }, 240_000);
});

describe('import of CSV files', () => {
  const csv = (rows: string[]) => rows.join('\r\n');

  it('reads UTF-8 with and without a byte-order mark the same way', async () => {
    const text = csv(['Ten chu the,So dien thoai,Xa,Huyen', 'Hộ Phan Văn Em,0356000111,Thiệu Tiến,Thiệu Hóa', 'Hộ Phan Thị Gấm,356000222,Thiệu Ngọc,Thiệu Hóa']);
    for (const bytes of [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), Buffer.from(text)]) {
      const id = await runImport(officer, bytes, 'producers', 'list.csv');
      const rows = await rowsOf(officer, id);
      expect(rows.get(2)).toMatchObject({ producer: { name: 'Hộ Phan Văn Em', communeCode: '15778' } });
      expect(rows.get(3)).toMatchObject({ producer: { phone: '0356000222' } });
    }
  });

  it('imports products with their producer, creating the producer once', async () => {
    const text = csv([
      'Tên sản phẩm;Nhóm sản phẩm;Hạng sao;Số quyết định;Ngày cấp;Tên chủ thể;SĐT;Xã/Phường',
      'Chè lam Thiệu Quang;Thực phẩm;4 sao;123/QĐ-UBND;20/05/2024;HTX Chè Lam;0355123123;Xã Thiệu Quang',
      'Bánh gai;Thực phẩm;3;124/QĐ-UBND;2024-05-21;HTX Chè Lam;0355123123;Xã Thiệu Quang',
      'Rượu;Xe máy;;;;HTX Chè Lam;0355123123;Xã Thiệu Quang',
    ]);
    const id = await runImport(officer, Buffer.from(text), 'products', 'sp.csv');
    const job = await api.call('GET', `/imports/${id}`, { token: officer });
    expect(job.body.counts).toEqual({ new: 2, invalid: 1 });
    await api.call('POST', `/imports/${id}/commit`, { token: officer, body: {} });
    await api.idle();
    const producers = await api.call('GET', `/producers?q=${encodeURIComponent('htx che lam')}`, { token: officer });
    expect(producers.body.items).toHaveLength(1);
    expect(producers.body.items[0].productCount).toBe(2);
    const products = await api.call('GET', `/products?producerId=${producers.body.items[0].id}`, { token: officer });
    expect(products.body.items.map((p: { ocopStars: number }) => p.ocopStars).sort()).toEqual([3, 4]);
    expect(products.body.items.find((p: { ocopStars: number }) => p.ocopStars === 4).certificateExpiry).toBe('2027-05-20');
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('puts a product of an existing producer in that producer’s commune, whatever commune its row names', async () => {
    const phone = `035${String(Date.now()).slice(-7)}`;
    const owner = await api.call('POST', '/producers', { token: officer, body: producerInput({ name: 'HTX Mật Ong Thiệu Vũ', phone, communeCode: '15796' }) });
    expect(owner.status).toBe(201);
    const text = csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Mật ong hoa nhãn;Thực phẩm;HTX Mật Ong Thiệu Vũ;${phone};Xã Thiệu Hóa`]);
    const id = await runImport(officer, Buffer.from(text), 'products', 'sp2.csv');
    await api.call('POST', `/imports/${id}/commit`, { token: officer, body: {} });
    await api.idle();
    const products = await api.call('GET', `/products?producerId=${owner.body.id}`, { token: officer });
    expect(products.body.items).toEqual([expect.objectContaining({ name: 'Mật ong hoa nhãn', communeCode: '15796' })]);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('answers a retried start or commit with the first answer, and takes a file sent with an Idempotency-Key', async () => {
    const key = `imp-${Date.now()}`;
    const file = new TextEncoder().encode(csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Gửi Lại;035${String(Date.now()).slice(-7)};Xã Thiệu Hóa`]));
    const body = { kind: 'producers', fileName: 'retry.csv', bytes: file.length };
    const first = await api.call('POST', '/imports', { token: officer, body, headers: { 'idempotency-key': key } });
    const again = await api.call('POST', '/imports', { token: officer, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, body: { id: first.body.id, uploadUrl: first.body.uploadUrl } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // A file sent with a key and without a content-type (what fetch sends for raw bytes).
    const sent = await api.app.request(first.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, 'idempotency-key': `${key}-file` }, body: file });
    expect(sent.status).toBe(202);
    await api.idle();
    const commitKey = `${key}-commit`;
    const c1 = await api.call('POST', `/imports/${first.body.id}/commit`, { token: officer, body: {}, headers: { 'idempotency-key': commitKey } });
    const c2 = await api.call('POST', `/imports/${first.body.id}/commit`, { token: officer, body: {}, headers: { 'idempotency-key': commitKey } });
    expect([c1.status, c2.status, c2.headers.get('idempotent-replayed')]).toEqual([202, 202, 'true']);
    await api.idle();
    expect((await api.call('GET', `/imports/${first.body.id}`, { token: officer })).body).toMatchObject({ status: 'committed', rowsDone: 1 });
  });

  it('shows only the last 4 digits of a citizen ID in the row outcomes', async () => {
    const id = await runImport(officer, Buffer.from(csv(['Tên chủ thể;SĐT;Số CCCD;Xã/Phường', `Hộ Có CCCD;035${String(Date.now()).slice(-7)};038123456789;Xã Thiệu Hóa`])), 'producers', 'cccd.csv');
    const res = await api.call('GET', `/imports/${id}/rows`, { token: officer });
    expect(res.body.items[0].producer).toMatchObject({ name: 'Hộ Có CCCD', citizenIdLast4: '6789' });
    expect(JSON.stringify(res.body)).not.toContain('038123456789');
  });

  it('imports products for existing producers spread over many communes, whatever commune the rows name', async () => {
    const spread = listCommunes().slice(20, 34).map((c) => c.code);
    const owners: { id: string; phone: string }[] = [];
    for (const [i, communeCode] of spread.entries()) {
      const phone = `039${String(Date.now() + i).slice(-7)}`;
      const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone, communeCode }) });
      owners.push({ id: res.body.id, phone });
    }
    const text = csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', ...owners.map((o, i) => `Bánh đa ${i};Thực phẩm;Chủ thể ${i};${o.phone};Xã Thiệu Hóa`)]);
    const id = await runImport(api.adminToken, Buffer.from(text), 'products', 'spread.csv');
    await api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: {} });
    await api.idle();
    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body).toMatchObject({ status: 'committed', rowsDone: spread.length });
    for (const o of owners) expect((await api.call('GET', `/producers/${o.id}`, { token: api.adminToken })).body.productCount).toBe(1);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('takes two rows with the same phone that both wait for a commune decision as one producer and its duplicate', async () => {
    const phone = `038${String(Date.now()).slice(-7)}`;
    const text = csv(['Tên chủ thể;SĐT;Xã/Phường;Huyện', `Hộ Hai Lần;${phone};Thiệu Hóa;Thiệu Hóa`, `Hộ Hai Lần (lặp);${phone};Thiệu Hóa;Thiệu Hóa`]);
    const id = await runImport(officer, Buffer.from(text), 'producers', 'twice.csv');
    const rows = await rowsOf(officer, id);
    const outcomes = [...rows.values()].map((r: { outcome: string }) => r.outcome).sort();
    expect(outcomes).toEqual(['duplicate_in_file', 'needs_decision']);
  });

  it('refuses another file once a commit has started writing rows (only resuming may follow)', async () => {
    const id = await runImport(officer, Buffer.from(csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Một Lần;035${String(Date.now()).slice(-7)};Xã Thiệu Hóa`])), 'producers', 'a.csv');
    await api.call('POST', `/imports/${id}/commit`, { token: officer, body: {} });
    await api.idle();
    // As a commit that stopped half-way leaves it.
    await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: { PK: `P#38#IMPORT#${id}`, SK: 'META' }, UpdateExpression: 'SET #s = :f', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':f': 'failed' } }));
    const job = await api.call('GET', `/imports/${id}`, { token: officer });
    expect(job.body).toMatchObject({ status: 'failed', commitStartedAt: expect.any(String) });
    const again = await api.app.request(`/api/v1/imports/${id}/file`, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' }, body: 'Tên chủ thể;SĐT;Xã/Phường\r\nHộ Khác;0351234567;Xã Thiệu Hóa' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'VERSION_CONFLICT', failure: { code: 'file_not_accepted' } });
  });

  it('lets a commit that takes the import first win over an upload read just before it: the upload gets 409 and its file is not stored', async () => {
    const original = Buffer.from(csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Đua Nhau;035${String(Date.now()).slice(-7)};Xã Thiệu Hóa`]));
    const id = await runImport(officer, original, 'producers', 'a.csv');
    const key = { PK: `P#38#IMPORT#${id}`, SK: 'META' };
    const name = `commit-first-${id}`;
    // Right before the upload saves the import, a commit takes it (as one arriving a moment earlier would).
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const items = (args.input as { TransactItems?: { Put?: { Item?: { PK?: string; SK?: string; status?: string } } }[] }).TransactItems ?? [];
        if (context.commandName === 'TransactWriteItemsCommand' && items.some((i) => i.Put?.Item?.PK === key.PK && i.Put.Item.SK === 'META' && i.Put.Item.status === 'previewing')) {
          api.local.table.doc.middlewareStack.remove(name);
          await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: key, UpdateExpression: 'SET #s = :c, updatedAt = :now', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':c': 'committing', ':now': new Date(Date.now() + 1000).toISOString() } }));
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    // Of the declared size (an upload of another size is refused before it takes the import).
    const other = Buffer.from(original.toString('utf8').replace('Hộ Đua Nhau', 'Hộ Đua Chen'));
    expect(other.length).toBe(original.length);
    const res = await api.app.request(`/api/v1/imports/${id}/file`, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' }, body: other });
    api.local.table.doc.middlewareStack.remove(name);
    expect(res.status).toBe(409);
    expect(readFileSync(join(api.dataDir, 'files', 'imports', id, 'source'))).toEqual(original);
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).body.status).toBe('committing');
  });

  it('refuses a file without the required columns with a clear reason', async () => {
    const id = await runImport(officer, Buffer.from('a,b\n1,2\n'), 'producers', 'x.csv');
    const job = await api.call('GET', `/imports/${id}`, { token: officer });
    expect(job.body.status).toBe('failed');
    expect(job.body.error).toMatch(/name, commune/);
    expect(job.body.failure).toEqual({ code: 'no_header_row', fields: ['name', 'commune'], limit: 15 });
    const lacking = await runImport(officer, Buffer.from(csv(['Tên chủ thể,SĐT', 'Hộ Thiếu Cột,0351234567'])), 'producers', 'y.csv');
    expect((await api.call('GET', `/imports/${lacking}`, { token: officer })).body).toMatchObject({ status: 'failed', error: 'The file has no column for: commune (set the mapping)', failure: { code: 'missing_columns', fields: ['commune'] } });
  });

  it('keeps imports to officers and admins, and each import to its owner', async () => {
    const department = await api.userToken({ role: 'department' });
    expect((await api.call('POST', '/imports', { token: department, body: { kind: 'producers', fileName: 'x.csv', bytes: 10 } })).status).toBe(403);
    const created = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'x.csv', bytes: 10 } });
    const other = await api.userToken({ role: 'officer', communes: ['15772'] });
    expect((await api.call('GET', `/imports/${created.body.id}`, { token: other })).status).toBe(404);
  });
});

describe('a file an import cannot take as a whole', () => {
  const failureOf = async (file: Buffer, fileName: string) => (await api.call('GET', `/imports/${await runImport(officer, file, 'producers', fileName)}`, { token: officer })).body;

  it('fails the import of a malformed workbook with a code, keeping the English reason', async () => {
    const job = await failureOf(Buffer.from('PK\x03\x04 this is no workbook'), 'hong.xlsx');
    expect(job).toMatchObject({ status: 'failed', totalRows: 0, error: 'The file is not a readable XLSX workbook', failure: { code: 'damaged_workbook' } });
    expect((await api.call('GET', `/imports/${job.id}/rows`, { token: officer })).status).toBe(409);
  });

  it('says an old .xls or other binary file is of the wrong type, and a file of blank lines is empty', async () => {
    const oldXls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const [wrong, blank] = await Promise.all([failureOf(oldXls, 'cu.xls'), failureOf(Buffer.from('\uFEFF\r\n , ,\r\n\r\n'), 'trong.csv')]);
    expect(wrong).toMatchObject({ status: 'failed', failure: { code: 'wrong_type' } });
    expect(blank).toMatchObject({ status: 'failed', failure: { code: 'empty_file' } });
  });

  it('answers an empty or oversize file with the code in the problem, storing nothing', async () => {
    const created = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'x.csv', bytes: 10 } });
    const put = (body: Buffer) => api.app.request(`/api/v1/imports/${created.body.id}/file`, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' }, body: new Uint8Array(body) });
    const empty = await put(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '(body)' }], failure: { code: 'empty_file', bytes: 0 } });
    const oversize = await put(Buffer.alloc(25 * 1024 * 1024 + 1, 0x61));
    expect(oversize.status).toBe(413);
    expect(await oversize.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', failure: { code: 'too_large', limit: 25 * 1024 * 1024 } });
    expect((await api.call('GET', `/imports/${created.body.id}`, { token: officer })).body).toMatchObject({ status: 'awaiting_file' });
  });
});

describe('starting an import: the declared file size', () => {
  it('is required, at least 1 byte and at most 25 MB', async () => {
    const start = (extra: Record<string, unknown>) => api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'x.csv', ...extra } });
    const [missing, zero, over, fraction] = await Promise.all([start({}), start({ bytes: 0 }), start({ bytes: 25 * 1024 * 1024 + 1 }), start({ bytes: 1.5 })]);
    expect(missing).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'bytes', rule: 'required' }] } });
    expect(zero).toMatchObject({ status: 400, body: { errors: [{ path: 'bytes', rule: 'too_small' }] } });
    expect(over).toMatchObject({ status: 400, body: { errors: [{ path: 'bytes', rule: 'too_big', limit: 25 * 1024 * 1024 }] } });
    expect(fraction).toMatchObject({ status: 400, body: { errors: [{ path: 'bytes' }] } });
    expect((await start({ bytes: 10, contentType: 'text/csv\r\nx-evil: 1' })).body).toMatchObject({ errors: [{ path: 'contentType' }] });
  });

  it('on a local server, answers the API’s own upload route with the headers to send, and the PUT starts the dry run', async () => {
    const file = Buffer.from('Tên chủ thể;SĐT;Xã/Phường\r\nHộ Gửi Thẳng;0357000111;Xã Thiệu Hóa');
    const created = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'local.csv', bytes: file.length, contentType: 'text/csv' } });
    expect(created).toMatchObject({ status: 201, body: { status: 'awaiting_file', fileBytes: file.length, uploadUrl: `/api/v1/imports/${created.body.id}/file`, method: 'PUT', headers: { 'content-type': 'text/csv' } } });
    expect(created.body.expiresAt).toBeUndefined();
    const sent = await api.app.request(created.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, ...created.body.headers }, body: file });
    expect(sent.status).toBe(202);
    await api.idle();
    expect((await api.call('GET', `/imports/${created.body.id}`, { token: officer })).body).toMatchObject({ status: 'previewed', counts: { new: 1 } });
  });
});

describe('a file sent to the local upload route', () => {
  it('is refused when its size is not the one declared at the start, larger or smaller, with the code in the problem, storing nothing', async () => {
    const file = Buffer.from('Tên chủ thể;SĐT;Xã/Phường\r\nHộ Sai Cỡ;0357000222;Xã Thiệu Hóa');
    for (const [declared, code] of [[5, 'larger_than_declared'], [file.length + 470, 'smaller_than_declared']] as const) {
      const created = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'sai-co.csv', bytes: declared, contentType: 'text/csv' } });
      const sent = await api.app.request(created.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, ...created.body.headers }, body: file });
      await api.idle();
      expect({ status: sent.status, body: await sent.json() }).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: '(body)' }], failure: { code, bytes: file.length, limit: declared } } });
      expect((await api.call('GET', `/imports/${created.body.id}`, { token: officer })).body).toMatchObject({ status: 'awaiting_file', totalRows: 0, fileBytes: declared });
      expect(existsSync(join(api.dataDir, 'files', 'imports', created.body.id, 'source'))).toBe(false);
    }
  });
});

describe('the list of imports', () => {
  it('shows an officer its own imports newest first, page by page, and an administrator everyone’s with who started each', async () => {
    const mine = await api.userToken({ role: 'officer', communes: ['15772'] });
    const csv = (name: string) => Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\n${name};035${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')};Xã Thiệu Hóa`);
    const first = await runImport(mine, csv('Hộ Danh Sách Một'), 'producers', 'mot.csv');
    const second = await runImport(mine, csv('Hộ Danh Sách Hai'), 'producers', 'hai.csv');
    const theirs = await runImport(officer, csv('Hộ Danh Sách Ba'), 'producers', 'ba.csv');

    const page1 = await api.call('GET', '/imports?limit=1', { token: mine });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toEqual([expect.objectContaining({ id: second, fileName: 'hai.csv', status: 'previewed', importedBy: expect.any(String) })]);
    expect(page1.body.items[0]).not.toHaveProperty('actor');
    const page2 = await api.call('GET', `/imports?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { token: mine });
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([first]);
    expect(page2.body.nextCursor).toBeNull();
    // Someone else's cursor is refused.
    expect((await api.call('GET', `/imports?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { token: officer })).body.code).toBe('INVALID_CURSOR');

    const all = await api.call('GET', '/imports?limit=100', { token: api.adminToken });
    const ids = all.body.items.map((i: { id: string }) => i.id);
    expect(ids.indexOf(theirs)).toBeLessThan(ids.indexOf(second));
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
    const department = await api.userToken({ role: 'department' });
    expect((await api.call('GET', '/imports', { token: department })).body.items).toEqual([]);
  });

  it('lists imports saved before the list existed once they are indexed (at start, and nightly in the cloud)', async () => {
    const mine = await api.userToken({ role: 'officer', communes: ['15772'] });
    const id = await runImport(mine, Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\nHộ Nhập Cũ;0359${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')};Xã Thiệu Hóa`), 'producers', 'cu.csv');
    // As an import saved before the list's index entries were written.
    await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: { PK: `P#38#IMPORT#${id}`, SK: 'META' }, UpdateExpression: 'REMOVE GSI1PK, GSI1SK, GSI3PK, GSI3SK' }));
    expect((await api.call('GET', '/imports', { token: mine })).body.items).toEqual([]);
    expect(await api.local.services.imports.indexUnlisted()).toBe(1);
    expect((await api.call('GET', '/imports', { token: mine })).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect(await api.local.services.imports.indexUnlisted()).toBe(0);
  });
});

describe('discarding an import', () => {
  const file = (name: string) => Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\n${name};035${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')};Xã Thiệu Hóa`);
  const filesOf = (id: string) => (existsSync(join(api.dataDir, 'files', 'imports', id)) ? readdirSync(join(api.dataDir, 'files', 'imports', id)).sort() : []);

  it('removes one that has written nothing with its file and dry-run rows, only for its owner or an administrator', async () => {
    const id = await runImport(officer, file('Hộ Bỏ Đi 1'), 'producers', 'bo.csv');
    // A second file (of the declared size) replaces the first: the first dry run's rows go with it.
    const again = await api.app.request(`/api/v1/imports/${id}/file`, { method: 'PUT', headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' }, body: file('Hộ Bỏ Đi 2') });
    expect(again.status).toBe(202);
    await api.idle();
    expect(filesOf(id)).toEqual([expect.stringMatching(/^rows-.+\.json$/), 'source']);

    // Another officer does not learn of it; the department, which imports nothing, is refused first.
    expect((await api.call('DELETE', `/imports/${id}`, { token: await api.userToken({ role: 'officer', communes: ['15772'] }) })).status).toBe(404);
    expect((await api.call('DELETE', `/imports/${id}`, { token: await api.userToken({ role: 'department' }) })).status).toBe(403);
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).body.status).toBe('previewed');

    expect((await api.call('DELETE', `/imports/${id}`, { token: officer })).status).toBe(204);
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).status).toBe(404);
    expect((await api.call('GET', '/imports?limit=100', { token: officer })).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(filesOf(id)).toEqual([]);

    // One still waiting for its file; an administrator may discard anyone's.
    const waiting = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'chua-gui.csv', bytes: 100 } });
    expect((await api.call('DELETE', `/imports/${waiting.body.id}`, { token: api.adminToken })).status).toBe(204);
    expect((await api.call('GET', `/imports/${waiting.body.id}`, { token: officer })).status).toBe(404);
  });

  it('refuses one whose commit has started writing rows, keeping it and its file', async () => {
    const id = await runImport(officer, file('Hộ Đã Ghi'), 'producers', 'da-ghi.csv');
    const committed = await api.call('POST', `/imports/${id}/commit`, { token: officer, body: {} });
    expect(committed.status).toBe(202);
    await api.idle();
    const res = await api.call('DELETE', `/imports/${id}`, { token: officer });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('VERSION_CONFLICT');
    expect((await api.call('GET', `/imports/${id}`, { token: officer })).body.status).toBe('committed');
    expect(filesOf(id).some((f) => f.startsWith('rows-'))).toBe(true);
  });
});

describe('a file that arrived in the store by a direct upload (the S3 event path)', () => {
  const list = (name: string) => Buffer.from(`Tên chủ thể;SĐT;Xã/Phường\r\n${name};035${String(Date.now()).slice(-7)};Xã Thiệu Hóa\r\nHộ Thứ Hai ${name};036${String(Date.now()).slice(-7)};Xã Thiệu Hóa`);
  const blobs = () => createLocalBlobStore(join(api.dataDir, 'files'));
  async function started(file: Buffer) {
    const created = await api.call('POST', '/imports', { token: officer, body: { kind: 'producers', fileName: 'direct.csv', bytes: file.length } });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }
  const status = async (id: string) => (await api.call('GET', `/imports/${id}`, { token: officer })).body;

  it('marks the import previewing and runs the dry run; another delivery or a later file changes nothing', async () => {
    const file = list('Hộ Tải Thẳng');
    const id = await started(file);
    await blobs().put(`imports/${id}/source`, file);
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'seq-1' })).toEqual({ importId: id, outcome: 'previewed' });
    const first = await status(id);
    expect(first).toMatchObject({ status: 'previewed', totalRows: 2, counts: { new: 2 } });
    expect(first.uploadTag).toBeUndefined();

    await blobs().put(`imports/${id}/source`, Buffer.from('Tên chủ thể;SĐT;Xã/Phường\r\nHộ Khác;0351234567;Xã Thiệu Hóa'));
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'seq-2' })).toEqual({ importId: id, outcome: 'ignored' });
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'seq-1' })).toEqual({ importId: id, outcome: 'ignored' });
    expect(await status(id)).toMatchObject({ status: 'previewed', totalRows: 2, updatedAt: first.updatedAt });
  });

  it('deletes a file that arrives for an import discarded meanwhile: a list of people is not kept for nothing', async () => {
    const file = list('Hộ Đến Muộn');
    const id = await started(file);
    expect((await api.call('DELETE', `/imports/${id}`, { token: officer })).status).toBe(204);
    await blobs().put(`imports/${id}/source`, file);
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'late' })).toEqual({ importId: id, outcome: 'ignored' });
    expect(await blobs().size(`imports/${id}/source`)).toBeUndefined();
  });

  it('takes one of two deliveries that arrive together and ignores the other', async () => {
    const file = list('Hộ Hai Tin');
    const id = await started(file);
    await blobs().put(`imports/${id}/source`, file);
    const outcomes = await Promise.all([api.local.services.imports.sourceArrived(id, { tag: 'a' }), api.local.services.imports.sourceArrived(id, { tag: 'b' })]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['ignored', 'previewed']);
    expect(await status(id)).toMatchObject({ status: 'previewed', counts: { new: 2 } });
  });

  it('runs the dry run again when the event that started it is delivered again while it is still previewing (the first run was cut short)', async () => {
    const file = list('Hộ Bị Ngắt');
    const id = await started(file);
    await blobs().put(`imports/${id}/source`, file);
    expect(await api.local.repositories.imports.claimUpload(id, 'seq-9')).toBe(true);
    expect(await api.local.repositories.imports.claimUpload(id, 'seq-9')).toBe(false);
    expect(await status(id)).toMatchObject({ status: 'previewing' });
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'seq-8' })).toMatchObject({ outcome: 'ignored' });
    expect(await api.local.services.imports.sourceArrived(id, { tag: 'seq-9' })).toMatchObject({ outcome: 'previewed' });
    expect(await status(id)).toMatchObject({ status: 'previewed', counts: { new: 2 } });
  });

  it('fails the import without reading a file larger than declared', async () => {
    const file = list('Hộ Quá Cỡ');
    const id = await started(file.subarray(0, file.length - 1));
    await blobs().put(`imports/${id}/source`, file);
    expect(await api.local.services.imports.sourceArrived(id, { tag: 's' })).toMatchObject({ outcome: 'failed' });
    expect(await status(id)).toMatchObject({ status: 'failed', totalRows: 0, error: `The file has ${file.length} bytes, more than the ${file.length - 1} declared`, failure: { code: 'larger_than_declared', bytes: file.length, limit: file.length - 1 } });
    expect((await api.call('GET', `/imports/${id}/rows`, { token: officer })).status).toBe(409);
  });

  it('ignores a file for an import that does not exist or has started committing', async () => {
    expect(await api.local.services.imports.sourceArrived('01JZZZZZZZZZZZZZZZZZZZZZZZ', { tag: 's' })).toMatchObject({ outcome: 'ignored' });
    const file = list('Hộ Đang Ghi');
    const id = await runImport(officer, file, 'producers', 'direct.csv');
    await api.call('POST', `/imports/${id}/commit`, { token: officer, body: {} });
    expect(await api.local.services.imports.sourceArrived(id, { tag: 's' })).toMatchObject({ outcome: 'ignored' });
    await api.idle();
    expect(await status(id)).toMatchObject({ status: 'committed', rowsDone: 2 });
  });
});
