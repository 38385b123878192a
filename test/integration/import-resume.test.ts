import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTable, startDynamoLocal, type DynamoLocal } from '#functions/local/dynamo-local.ts';
import { ensureLocalAdmin } from '#functions/local/demo-data.ts';
import { createLocalServices } from '#functions/local/local-services.ts';
import { freePort } from '#test/support/dynamo-global-setup.ts';
import { createTestApi, failNextBatchCount, producerInput, type Api } from '#test/support/harness.ts';

const ROWS = 2400;

function bigCsv(): Buffer {
  const communes = ['15772', '15778', '15796', '15835', '14758', '14797'];
  const lines = ['Tên chủ thể,SĐT,Xã/Phường,Ngày tập huấn'];
  for (let i = 0; i < ROWS; i++) lines.push(`Hộ số ${i},03${String(10_000_000 + i).padStart(8, '0')},${communes[i % communes.length]},${i % 3 ? '' : '01/02/2025'}`);
  return Buffer.from(lines.join('\n'));
}

describe('an import commit killed with the store', () => {
  it('resumes after the store restarts and writes every row exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'resume-'));
    const port = await freePort();
    const tableName = 'resume';
    let dynamo: DynamoLocal = await startDynamoLocal({ port, dbPath: dataDir });
    await ensureTable(dynamo.endpoint, tableName);
    const open = async () => {
      const local = await createLocalServices({ dataDir, tableName, endpoint: dynamo.endpoint });
      return { local, admin: await ensureLocalAdmin(local, 'pw') };
    };
    let { local, admin } = await open();
    const job = await local.services.imports.create({ principal: admin }, { kind: 'producers', fileName: 'big.csv' });
    await local.services.imports.upload(admin, job.id, bigCsv());
    await local.runner.idle();
    expect((await local.services.imports.get(admin, job.id)).counts).toEqual({ new: ROWS });

    await local.services.imports.commit({ principal: admin }, job.id, []);
    for (;;) {
      const j = await local.services.imports.get(admin, job.id);
      expect(j.status).toBe('committing');
      if (j.batchesDone >= 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    dynamo.process.kill('SIGKILL');
    await local.runner.idle();

    dynamo = await startDynamoLocal({ port, dbPath: dataDir });
    ({ local, admin } = await open());
    const interrupted = await local.services.imports.get(admin, job.id);
    expect(interrupted.status).toBe('committing');
    expect(interrupted.progress.done).toBeLessThan(ROWS);
    expect(await local.services.imports.resumeInterrupted()).toEqual([job.id]);
    await local.runner.idle();

    const done = await local.services.imports.get(admin, job.id);
    expect(done).toMatchObject({ status: 'committed', progress: { done: ROWS, total: ROWS } });
    const check = await local.services.coverageReports.reconcile();
    expect(check.producers).toBe(ROWS);
    expect(check.differences).toEqual([]);
    const totals = (await local.services.coverageReports.report('all', 'province')).totals;
    expect(totals.producers).toBe(ROWS);
    expect(totals.producersTrained).toBe(ROWS / 3);
    await dynamo.stop();
  }, 300_000);
});

/** Previews `csv` as the admin, then commits it with the first batch's count failing: the commit stops with that batch's records written. */
async function commitStoppedBeforeFirstCount(api: Api, csv: string): Promise<string> {
  const created = await api.call('POST', '/imports', { token: api.adminToken, body: { kind: 'producers', fileName: 'list.csv', bytes: Buffer.byteLength(csv) } });
  const sent = await api.app.request(created.body.uploadUrl, { method: 'PUT', headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'text/csv' }, body: csv });
  expect(sent.status).toBe(202);
  await api.idle();
  const id = created.body.id as string;
  const fault = failNextBatchCount(api);
  await api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: {} });
  await api.idle();
  expect(fault.stop()).toBe(1);
  return id;
}

describe('a commit stopped after writing a batch’s records but before counting them', () => {
  it('resumes without undoing what users did to those records meanwhile, and counts them as they are', async () => {
    const api = await createTestApi();
    const csv = ['Tên chủ thể,SĐT,Xã/Phường', 'Hộ Giữ Nguyên,0381000001,15772', 'Hộ Được Sửa,0381000002,15772', 'Hộ Bị Xóa,0381000003,15772', 'Hộ Đổi Số,0381000004,15772'].join('\n');
    const id = await commitStoppedBeforeFirstCount(api, csv);
    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body.status).toBe('failed');

    // The records are visible, so users work on them before anyone resumes the import.
    const find = async (q: string) => (await api.call('GET', `/producers?q=${encodeURIComponent(q)}`, { token: api.adminToken })).body.items as { id: string; name: string; phone?: string; communeCode: string }[];
    const [edited] = await find('Hộ Được Sửa');
    const [deleted] = await find('Hộ Bị Xóa');
    const [rephoned] = await find('Hộ Đổi Số');
    expect((await api.call('PATCH', `/producers/${edited!.id}`, { token: api.adminToken, body: { version: 1, name: 'Hộ Đã Sửa Tên', communeCode: '15835' } })).status).toBe(200);
    expect((await api.call('DELETE', `/producers/${deleted!.id}`, { token: api.adminToken })).status).toBe(204);
    expect((await api.call('PATCH', `/producers/${rephoned!.id}`, { token: api.adminToken, body: { version: 1, phone: '0381000099' } })).status).toBe(200);

    const resumed = await api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: {} });
    expect(resumed.status).toBe(202);
    await api.idle();
    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body).toMatchObject({ status: 'committed', progress: { done: 4, total: 4 } });

    expect(await find('Hộ Bị Xóa')).toEqual([]);
    expect(await find('Hộ Được Sửa')).toEqual([]);
    expect(await find('Hộ Đã Sửa Tên')).toMatchObject([{ id: edited!.id, communeCode: '15835' }]);
    expect(await find('Hộ Giữ Nguyên')).toHaveLength(1);
    // The old phone is free again: a new producer with it is not flagged as a duplicate of the changed one.
    const dup = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'Hộ Mới', communeCode: '15772', phone: '0381000004' }) });
    expect(dup.status).toBe(201);
    const check = await api.local.services.coverageReports.reconcile();
    expect(check.differences).toEqual([]);
    const counts = Object.fromEntries((await api.local.services.coverageReports.communeReport(['15772', '15835'])).rows.map((r) => [r.communeCode, r.producers]));
    expect(counts).toEqual({ '15772': 3, '15835': 1 });
  }, 120_000);
});

describe('a commit stopped in its first batch of many', () => {
  it('looks for what the stopped run left only in the batch it had begun, not in the batches it never reached', async () => {
    const api = await createTestApi();
    const rows = Array.from({ length: 1000 }, (_, i) => `Hộ Số ${i + 1},038${String(2000000 + i).padStart(7, '0')},15772`);
    const csv = ['Tên chủ thể,SĐT,Xã/Phường', ...rows].join('\n');
    const id = await commitStoppedBeforeFirstCount(api, csv);
    const stopped = await api.call('GET', `/imports/${id}`, { token: api.adminToken });
    expect(stopped.body).toMatchObject({ status: 'failed', progress: { done: 0, total: 1000 } });

    // Each record the resume cannot find costs a look at its history: count those looks.
    let historyQueries = 0;
    const name = `count-history-${id}`;
    api.local.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const values = (args.input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues ?? {};
        if (context.commandName === 'QueryCommand' && Object.values(values).some((v) => typeof v === 'string' && v.includes('AUDIT#PRODUCER#'))) historyQueries += 1;
        return next(args);
      },
      { step: 'initialize', name },
    );
    expect((await api.call('POST', `/imports/${id}/commit`, { token: api.adminToken, body: {} })).status).toBe(202);
    await api.idle();
    api.local.table.doc.middlewareStack.remove(name);

    expect((await api.call('GET', `/imports/${id}`, { token: api.adminToken })).body).toMatchObject({ status: 'committed', progress: { done: 1000, total: 1000 } });
    // The first batch's 400 records were all there; the 600 of the batches never begun were not looked for.
    expect(historyQueries).toBe(0);
    expect((await api.local.services.coverageReports.reconcile()).differences).toEqual([]);
    expect((await api.local.services.coverageReports.communeReport(['15772'])).rows[0]).toMatchObject({ producers: 1000 });
  }, 180_000);
});
