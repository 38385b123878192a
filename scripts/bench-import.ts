/**
 * `npm run bench:import`: imports 66,816 generated producer rows (the number of households
 * Thanh Hóa reported onboarded) and prints, side by side in one run on one DynamoDB Local:
 * the bulk import (dry run + commit), a row-by-row import through the producer service
 * (timed on a sample, its rate applied), and raw BatchWriteItem of the very items the bulk
 * import wrote. Bars: bulk ≥ 5× row-by-row, ≥ 0.5× raw batch writes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { ensureTable, startDynamoLocal } from '#functions/local/dynamo-local.ts';
import { ensureLocalAdmin } from '#functions/local/demo-data.ts';
import { createLocalServices } from '#functions/local/local-services.ts';
import { batchPut, createDocumentClient, createTable, type Item } from '#functions/repositories/table.ts';

const ROWS = Number(process.argv[process.argv.indexOf('--rows') + 1]) || 66_816;
const SAMPLE = Math.min(1000, ROWS);

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function csv(rows: number): Buffer {
  const random = rng(7);
  const communes = listCommunes();
  const family = ['Nguyễn', 'Lê', 'Trần', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Bùi', 'Đặng', 'Ngô'];
  const middle = ['Văn', 'Thị', 'Đình', 'Quang', 'Minh', 'Hữu', 'Thu', 'Ngọc'];
  const given = ['An', 'Bình', 'Cường', 'Dung', 'Hà', 'Hải', 'Hoa', 'Hùng', 'Lan', 'Mai', 'Nam', 'Phúc', 'Quyên', 'Sơn', 'Thảo', 'Tuấn'];
  const lines = ['STT,Tên chủ thể,Số điện thoại,Xã/Phường,Ngày tập huấn'];
  for (let i = 0; i < rows; i++) {
    const c = communes[Math.floor(random() * random() * communes.length)]!;
    const name = `Hộ ${family[i % family.length]} ${middle[Math.floor(random() * middle.length)]} ${given[Math.floor(random() * given.length)]} ${i}`;
    const phone = `${['03', '08', '09'][i % 3]}${String(10_000_000 + i).padStart(8, '0')}`;
    lines.push(`${i + 1},${name},${phone},${c.fullName},${i % 4 === 0 ? '12/09/2025' : ''}`);
  }
  return Buffer.from('\uFEFF' + lines.join('\r\n'));
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const dynamo = await startDynamoLocal({ port: 18000 + Math.floor(Math.random() * 1000) });
const open = async (name: string) => {
  await ensureTable(dynamo.endpoint, name);
  const local = await createLocalServices({ dataDir: mkdtempSync(join(tmpdir(), `bench-${name}-`)), tableName: name, endpoint: dynamo.endpoint });
  return { local, admin: await ensureLocalAdmin(local, 'bench') };
};
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;

try {
  const file = csv(ROWS);
  console.log(`bench:import — ${ROWS} producer rows (${mb(file.length)} CSV), DynamoDB Local in memory`);

  // Warm the JVM behind DynamoDB Local and Node's JIT with a small import first, so neither
  // side of the comparison pays for it.
  const warm = await open('warmup');
  const warmJob = await warm.local.services.imports.create({ principal: warm.admin }, { kind: 'producers', fileName: 'warm.csv' });
  await warm.local.services.imports.upload(warm.admin, warmJob.id, csv(3000));
  await warm.local.runner.idle();
  await warm.local.services.imports.commit({ principal: warm.admin }, warmJob.id, []);
  await warm.local.runner.idle();

  const bulk = await open('bulk');
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  let t = performance.now();
  const job = await bulk.local.services.imports.create({ principal: bulk.admin }, { kind: 'producers', fileName: 'bench.csv' });
  await bulk.local.services.imports.upload(bulk.admin, job.id, file);
  await bulk.local.runner.idle();
  const previewMs = performance.now() - t;
  const previewed = await bulk.local.services.imports.get(bulk.admin, job.id);
  t = performance.now();
  await bulk.local.services.imports.commit({ principal: bulk.admin }, job.id, []);
  await bulk.local.runner.idle();
  const commitMs = performance.now() - t;
  const committed = await bulk.local.services.imports.get(bulk.admin, job.id);
  const bulkPeak = peakRss - rssBefore;
  if (committed.status !== 'committed') throw new Error(`bulk import ended ${committed.status}: ${committed.error}`);
  const written = committed.progress.done;

  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await bulk.local.table.doc.send(new ScanCommand({ TableName: 'bulk', ExclusiveStartKey: start, FilterExpression: '#t IN (:p, :d, :a)', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':p': 'producer', ':d': 'dup-key', ':a': 'audit' } }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  await ensureTable(dynamo.endpoint, 'raw');
  const raw = createTable(createDocumentClient({ region: 'local', endpoint: dynamo.endpoint }), 'raw', '38');
  t = performance.now();
  await batchPut(raw, items, 8);
  const rawMs = performance.now() - t;

  const single = await open('single');
  const grid = file.toString('utf8').slice(1).split('\r\n').slice(1, SAMPLE + 1);
  t = performance.now();
  for (const line of grid) {
    const [, name, phone, commune, trained] = line.split(',');
    const code = listCommunes().find((c) => c.fullName === commune)!.code;
    const [d, m, y] = (trained ?? '').split('/');
    await single.local.services.producers.create({ principal: single.admin }, { kind: 'household', name: name!, phone: phone!, communeCode: code, legalBasis: { type: 'state_management' }, ...(trained ? { trainingDate: `${y}-${m}-${d}` } : {}) });
  }
  const singleMs = performance.now() - t;

  const bulkRate = rate(written, previewMs + commitMs);
  const singleRate = rate(SAMPLE, singleMs);
  const rawRate = rate(written, rawMs);
  console.log('');
  console.log('| import | rows | time | rows/s | notes |');
  console.log('|---|---|---|---|---|');
  console.log(`| bulk (dry run + commit) | ${written} | ${((previewMs + commitMs) / 1000).toFixed(1)} s (dry run ${(previewMs / 1000).toFixed(1)} s, commit ${(commitMs / 1000).toFixed(1)} s) | ${bulkRate} | peak RSS +${mb(bulkPeak)}; ${previewed.counts.new} new of ${previewed.totalRows} |`);
  console.log(`| row by row (producer service) | ${SAMPLE} sampled | ${(singleMs / 1000).toFixed(1)} s | ${singleRate} | projected ${(ROWS / singleRate / 60).toFixed(1)} min for all rows |`);
  console.log(`| raw BatchWriteItem of the same ${items.length} items | ${written} | ${(rawMs / 1000).toFixed(1)} s | ${rawRate} | 8 requests in flight, no checks |`);
  console.log('');
  const vsSingle = bulkRate / singleRate;
  const vsRaw = bulkRate / rawRate;
  console.log(`bulk / row-by-row = ${vsSingle.toFixed(1)}×  (bar ≥ 5×)   ${vsSingle >= 5 ? 'PASS' : 'FAIL'}`);
  console.log(`bulk / raw batch  = ${vsRaw.toFixed(2)}×  (bar ≥ 0.5×) ${vsRaw >= 0.5 ? 'PASS' : 'FAIL'}`);
  const check = await bulk.local.services.coverageReports.reconcile();
  console.log(`coverage after the import: ${check.producers} producers recounted, ${check.differences.length} differences from the counters`);
} finally {
  clearInterval(sampler);
  await dynamo.stop();
}
