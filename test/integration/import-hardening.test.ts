import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { readXlsx } from '#functions/imports/spreadsheet-reader.ts';
import { createTestApi, failNextBatchCount, producerInput, type Api } from '#test/support/harness.ts';
import { csv, importDriver } from '#test/support/imports.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const { dryRun, commit, uniquePhone } = importDriver(() => api);

async function rowsNotImported(id: string) {
  const res = await api.app.request(`/api/v1/imports/${id}/errors.xlsx`, { headers: { authorization: `Bearer ${api.adminToken}` } });
  expect(res.status).toBe(200);
  const grid = readXlsx(new Uint8Array(await res.arrayBuffer()));
  const header = grid.findIndex((r) => r[0] === 'Dòng');
  return grid.slice(header + 1).map((r) => ({ row: r[0], reason: r[1] }));
}

async function decideFirstCandidate(id: string) {
  const waiting = await api.call('GET', `/imports/${id}/rows?outcome=needs_decision`, { token: api.adminToken });
  return waiting.body.items.map((r: { row: number; candidates: { code: string }[] }) => ({ row: r.row, communeCode: r.candidates[0]!.code }));
}

describe('a products import joining existing producers', () => {
  it('keeps every batch within one transaction, for producers spread over many communes and many in one commune', async () => {
    const spread = listCommunes().slice(40, 100).map((c) => c.code);
    const communes = [...spread, ...Array.from({ length: 120 }, () => '15772')];
    const owners: { id: string; phone: string; name: string }[] = [];
    for (const communeCode of communes) {
      const body = producerInput({ communeCode });
      const res = await api.call('POST', '/producers', { token: api.adminToken, body });
      expect(res.status).toBe(201);
      owners.push({ id: res.body.id, phone: body.phone, name: body.name });
    }
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', ...owners.map((o, i) => `Bánh ${i};Thực phẩm;${o.name};${o.phone};Xã Thiệu Hóa`)]), 'products');
    const job = await commit(id);
    expect(job).toMatchObject({ status: 'committed', rowsDone: owners.length });
    for (const o of [owners[0]!, owners[59]!, owners[60]!, owners.at(-1)!]) expect((await api.call('GET', `/producers/${o.id}`, { token: api.adminToken })).body.productCount).toBe(1);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  }, 120_000);
});

describe('a products file whose rows share a phone', () => {
  it('does not merge two households with one phone: the later row is a duplicate of the earlier one for the officer to see', async () => {
    const office = uniquePhone();
    const own = uniquePhone();
    const id = await dryRun(
      csv([
        'Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường',
        `Mật ong;Thực phẩm;Hộ Lê Văn Chung;${office};Xã Thiệu Hóa`,
        `Nem chua;Thực phẩm;Hộ Trần Thị Riêng;${office};Xã Thiệu Hóa`,
        `Chè lam;Thực phẩm;Hộ Lê Văn Chung;${office};Xã Thiệu Hóa`,
        `Bánh gai;Thực phẩm;Hộ Lê Văn Chung;${own};Xã Thiệu Hóa`,
      ]),
      'products',
    );
    const rows = new Map<number, any>((await api.call('GET', `/imports/${id}/rows`, { token: api.adminToken })).body.items.map((r: { row: number }) => [r.row, r]));
    expect(rows.get(3)).toMatchObject({ outcome: 'duplicate_in_file', duplicateOf: { row: 2 } });
    // The same name with another phone is not silently the same producer either.
    expect(rows.get(5)).toMatchObject({ outcome: 'duplicate_in_file', duplicateOf: { row: 2 } });
    expect([rows.get(2).outcome, rows.get(4).outcome]).toEqual(['new', 'new']);
    expect(await commit(id)).toMatchObject({ status: 'committed', rowsDone: 2 });
    const found = await api.call('GET', `/producers?q=${encodeURIComponent('ho le van chung')}`, { token: api.adminToken });
    expect(found.body.items).toEqual([expect.objectContaining({ phone: office, productCount: 2 })]);
    expect((await api.call('GET', `/producers?q=${encodeURIComponent('ho tran thi rieng')}`, { token: api.adminToken })).body.items).toEqual([]);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});

describe('rows that waited for a commune decision', () => {
  it('are checked for duplicates once decided: the same file twice with the same decisions adds nothing the second time', async () => {
    const producers = csv(['Tên chủ thể;Xã/Phường;Huyện', 'Hộ Chỉ Có Tên Quyết Định;Thiệu Hóa;Thiệu Hóa']);
    const products = csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường;Huyện', `Nem chua quyết định;Thực phẩm;HTX Nem Quyết Định;${uniquePhone()};Thiệu Hóa;Thiệu Hóa`]);
    const done: Record<string, number>[] = [];
    for (const run of [1, 2]) {
      for (const [kind, text] of [['producers', producers], ['products', products]] as const) {
        const id = await dryRun(text, kind);
        const decisions = await decideFirstCandidate(id);
        expect(decisions).toHaveLength(1);
        const job = await commit(id, decisions);
        expect(job.status).toBe('committed');
        done.push({ run, rowsDone: job.rowsDone });
        const notImported = await rowsNotImported(id);
        expect(notImported).toEqual(run === 1 ? [] : [{ row: 2, reason: 'Trùng với chủ thể/sản phẩm đã có' }]);
      }
    }
    expect(done.map((d) => d.rowsDone)).toEqual([1, 1, 0, 0]);
    for (const q of ['ho chi co ten quyet dinh', 'htx nem quyet dinh']) expect((await api.call('GET', `/producers?q=${encodeURIComponent(q)}`, { token: api.adminToken })).body.items).toHaveLength(1);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});

/** Puts the import in `status` with its last change `minutesAgo` (as a job that died would leave it). */
const leaveAs = (id: string, status: 'previewing' | 'committing', minutesAgo: number) =>
  api.local.table.doc.send(
    new UpdateCommand({
      TableName: api.tableName,
      Key: { PK: `P#38#IMPORT#${id}`, SK: 'META' },
      UpdateExpression: `SET #s = :s, GSI2SK = :g, updatedAt = :u${status === 'committing' ? ', commitStartedAt = if_not_exists(commitStartedAt, :u)' : ''}`,
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':g': `${status}#${id}`, ':u': new Date(Date.now() - minutesAgo * 60_000).toISOString() },
    }),
  );

describe('a dry run delivered again', () => {
  it('after the import was committed changes nothing (a redelivered event or a Lambda retry cannot undo a commit)', async () => {
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Chạy Lại;${uniquePhone()};Xã Thiệu Hóa`]));
    const committed = await commit(id);
    expect(committed).toMatchObject({ status: 'committed' });
    await api.local.services.imports.handleJob({ type: 'import-preview', id });
    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body).toMatchObject({ status: 'committed', commitStartedAt: committed.commitStartedAt, progress: { done: 1 } });
  });

  it('twice while the import is previewing keeps one result', async () => {
    const file = csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Hai Lần;${uniquePhone()};Xã Thiệu Hóa`, 'Hộ Sai;12;Xã Thiệu Hóa']);
    const id = await dryRun(file);
    await leaveAs(id, 'previewing', 1);
    await Promise.all([api.local.services.imports.handleJob({ type: 'import-preview', id }), api.local.services.imports.handleJob({ type: 'import-preview', id })]);
    const job = (await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body;
    expect(job).toMatchObject({ status: 'previewed', counts: { new: 1, invalid: 1 } });
    expect((await api.call('GET', `/imports/${id}/rows`, { token: api.adminToken })).body.total).toBe(2);
  });
});

describe('citizen IDs in an import', () => {
  it('are never stored in clear by the dry run, and still land as hash and last 4 digits and catch duplicates', async () => {
    const kept = `0381${String(Date.now()).slice(-8)}`;
    const refused = `0382${String(Date.now()).slice(-8)}`;
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Số CCCD;Xã/Phường', `Hộ Có Căn Cước;${uniquePhone()};${kept};Xã Thiệu Hóa`, `Hộ Sai Số Điện Thoại;12345;${refused};Xã Thiệu Hóa`]));
    // Every file the dry run stored for this import (its rows are under a name of their own).
    const dir = join(api.dataDir, 'files', 'imports', id);
    const stored = (await Promise.all((await readdir(dir)).filter((f) => f.startsWith('rows')).map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
    expect(stored).not.toBe('');
    expect(stored).toContain(kept.slice(-4));
    expect(stored).not.toContain(kept);
    expect(stored).not.toContain(refused);
    expect(stored).not.toContain(refused.slice(0, 8));

    expect(await commit(id)).toMatchObject({ status: 'committed', rowsDone: 1 });
    const [producer] = (await api.call('GET', `/producers?q=${encodeURIComponent('ho co can cuoc')}`, { token: api.adminToken })).body.items;
    expect((await api.call('GET', `/producers/${producer.id}`, { token: api.adminToken })).body).toMatchObject({ citizenIdLast4: kept.slice(-4) });

    const again = await dryRun(csv(['Tên chủ thể;SĐT;Số CCCD;Xã/Phường', `Hộ Đổi Tên Khác;${uniquePhone()};${kept};Xã Thiệu Vũ`]));
    const [row] = (await api.call('GET', `/imports/${again}/rows`, { token: api.adminToken })).body.items;
    expect(row).toMatchObject({ outcome: 'duplicate_existing', duplicateOf: { producerIds: [producer.id] } });
  });
});

describe('a commit racing other changes', () => {
  it('starts once when two commits with other decisions arrive together: the other gets 409', async () => {
    const id = await dryRun(csv(['Tên chủ thể;Xã/Phường;Huyện', 'Hộ Hai Người Bấm;Thiệu Hóa;Thiệu Hóa']));
    const [decision] = await decideFirstCandidate(id);
    const waiting = await api.call('GET', `/imports/${id}/rows?outcome=needs_decision`, { token: api.adminToken });
    const [c0, c1] = waiting.body.items[0].candidates.map((c: { code: string }) => c.code);
    const answers = await Promise.all(
      [c0, c1].map((communeCode, i) => api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: { decisions: [{ row: decision.row, communeCode }] }, headers: { 'idempotency-key': `race-${i}-${id}` } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    await api.idle();
    const winner = answers[0]!.status === 202 ? c0 : c1;
    expect(await api.local.repositories.imports.get(id)).toMatchObject({ status: 'committed', commitRuns: 1, rowsDone: 1 });
    const found = await api.call('GET', `/producers?q=${encodeURIComponent('ho hai nguoi bam')}`, { token: api.adminToken });
    expect(found.body.items).toEqual([expect.objectContaining({ communeCode: winner })]);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('does not write, and reports, the products of an existing producer deleted since the dry run', async () => {
    const kept = producerInput({ communeCode: '15772' });
    const gone = producerInput({ communeCode: '15796' });
    const ids = [];
    for (const body of [kept, gone]) ids.push((await api.call('POST', '/producers', { token: api.adminToken, body })).body.id as string);
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Giò lụa;Thực phẩm;${kept.name};${kept.phone};Xã Thiệu Hóa`, `Chả cá;Thực phẩm;${gone.name};${gone.phone};Xã Thiệu Hóa`]), 'products');
    expect((await api.call('DELETE', `/producers/${ids[1]}`, { token: api.adminToken })).status).toBe(204);
    expect(await commit(id)).toMatchObject({ status: 'committed', rowsDone: 2, rowsSkipped: 1 });
    expect((await api.call('GET', `/producers/${ids[0]}`, { token: api.adminToken })).body.productCount).toBe(1);
    expect(await rowsNotImported(id)).toEqual([{ row: 3, reason: 'Chủ thể đã bị xóa, gộp hoặc chuyển xã sau khi kiểm tra' }]);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('removes what a stopped commit wrote for a producer deleted before the resume, and counts the rest', async () => {
    const owner = producerInput({ communeCode: '15835' });
    const ownerId = (await api.call('POST', '/producers', { token: api.adminToken, body: owner })).body.id as string;
    const id = await dryRun(csv(['Tên sản phẩm;Nhóm sản phẩm;Tên chủ thể;SĐT;Xã/Phường', `Bánh răng bừa;Thực phẩm;${owner.name};${owner.phone};Xã Thiệu Hóa`]), 'products');
    const fault = failNextBatchCount(api);
    expect(await commit(id)).toMatchObject({ status: 'failed' });
    expect(fault.stop()).toBe(1);
    expect((await api.call('GET', `/products?producerId=${ownerId}`, { token: api.adminToken })).body.items).toHaveLength(1);
    expect((await api.call('DELETE', `/producers/${ownerId}`, { token: api.adminToken })).status).toBe(204);
    expect(await commit(id)).toMatchObject({ status: 'committed', rowsDone: 1, rowsSkipped: 1 });
    expect((await api.call('GET', `/products?producerId=${ownerId}`, { token: api.adminToken })).body.items).toEqual([]);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });
});

describe('an import whose background job died without a word (a Lambda timeout or out of memory)', () => {
  it('resumes a commit left committing once it has not moved for long, and not while it may still run', async () => {
    const id = await dryRun(csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Việc Treo;${uniquePhone()};Xã Thiệu Hóa`]));
    const view = async () => (await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body;
    await leaveAs(id, 'committing', 1);
    expect(await view()).toMatchObject({ status: 'committing', stalled: false });
    expect((await api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: {} })).status).toBe(409);
    await leaveAs(id, 'committing', 60);
    // The view says so, for the screen to offer the resume.
    expect(await view()).toMatchObject({ status: 'committing', stalled: true });
    expect(await commit(id)).toMatchObject({ status: 'committed', rowsDone: 1 });
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
  });

  it('takes a new file for a dry run left previewing once it has not moved for long', async () => {
    const file = csv(['Tên chủ thể;SĐT;Xã/Phường', `Hộ Xem Lại;${uniquePhone()};Xã Thiệu Hóa`]);
    const created = await api.call('POST', '/imports', { token: api.adminToken, body: { kind: 'producers', fileName: 'list.csv', bytes: Buffer.byteLength(file) } });
    const send = (body: string) => api.app.request(created.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'text/csv' }, body });
    await leaveAs(created.body.id, 'previewing', 1);
    expect((await send(file)).status).toBe(409);
    await leaveAs(created.body.id, 'previewing', 60);
    expect((await send(file)).status).toBe(202);
    await api.idle();
    expect((await api.call('GET', `/imports/${created.body.id}`, { token: api.adminToken })).body).toMatchObject({ status: 'previewed', counts: { new: 1 } });
  });
});

describe('the column mapping of an import', () => {
  it('takes only the fields an import knows, refusing any other key with 400 and storing nothing', async () => {
    const before = (await api.local.repositories.imports.listByStatus('awaiting_file')).length;
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'tên']) {
      const res = await api.call('POST', '/imports', { token: api.adminToken, rawBody: `{"kind":"producers","fileName":"x.csv","bytes":10,"mapping":{"${key}":3}}`, headers: { 'content-type': 'application/json' } });
      expect(res.status, key).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: expect.stringContaining('mapping') })] });
    }
    expect(await api.local.repositories.imports.listByStatus('awaiting_file')).toHaveLength(before);
    const ok = await api.call('POST', '/imports', { token: api.adminToken, body: { kind: 'producers', fileName: 'x.csv', bytes: 10, mapping: { name: 1, phone: 'SĐT' } } });
    expect(ok.status).toBe(201);
  });
});
