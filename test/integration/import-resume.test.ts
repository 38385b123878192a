import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTable, startDynamoLocal, type DynamoLocal } from '#functions/local/dynamo-local.ts';
import { ensureLocalAdmin } from '#functions/local/demo-data.ts';
import { createLocalServices } from '#functions/local/local-services.ts';
import { freePort } from '#test/support/dynamo-global-setup.ts';

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
