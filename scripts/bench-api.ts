/**
 * `npm run bench:api`: a typical read through the API (`GET /api/v1/producers/{id}`, signed
 * in, scope-checked, serialised) against the raw DynamoDB GetItem it makes, interleaved in
 * one run on one DynamoDB Local. Bar (DESIGN §6): the API within 2× the raw call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createApiApp } from '#functions/api/app.ts';
import { ensureTable, startDynamoLocal } from '#functions/local/dynamo-local.ts';
import { ensureLocalAdmin } from '#functions/local/demo-data.ts';
import { createLocalServices } from '#functions/local/local-services.ts';

const CALLS = 400;
const dynamo = await startDynamoLocal({ port: 19000 + Math.floor(Math.random() * 1000) });
try {
  await ensureTable(dynamo.endpoint, 'api');
  const local = await createLocalServices({ dataDir: mkdtempSync(join(tmpdir(), 'bench-api-')), tableName: 'api', endpoint: dynamo.endpoint });
  await ensureLocalAdmin(local, 'bench');
  const app = createApiApp(local.services);
  const login = await app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench' }) });
  const { token } = (await login.json()) as { token: string };
  const created = await app.request('/api/v1/producers', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ kind: 'cooperative', name: 'HTX Đo Tốc Độ', phone: '0912000111', communeCode: '15772', legalBasis: { type: 'state_management' } }),
  });
  const { id } = (await created.json()) as { id: string };
  const api = async () => {
    const res = await app.request(`/api/v1/producers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`API answered ${res.status}`);
    await res.text();
  };
  const raw = async () => {
    await local.table.doc.send(new GetCommand({ TableName: 'api', Key: { PK: `P#38#PRODUCER#${id}`, SK: 'META' } }));
  };
  for (let i = 0; i < 50; i++) await Promise.all([api(), raw()]);
  const times = { api: [] as number[], raw: [] as number[] };
  for (let i = 0; i < CALLS; i++) {
    for (const [name, fn] of (i % 2 ? [['api', api], ['raw', raw]] : [['raw', raw], ['api', api]]) as [keyof typeof times, () => Promise<void>][]) {
      const t = performance.now();
      await fn();
      times[name].push(performance.now() - t);
    }
  }
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]! };
  };
  const a = stat(times.api);
  const r = stat(times.raw);
  console.log(`bench:api — ${CALLS} interleaved calls each, DynamoDB Local in memory`);
  console.log('| path | median | p95 |');
  console.log('|---|---|---|');
  console.log(`| GET /api/v1/producers/{id} through the API | ${a.median.toFixed(2)} ms | ${a.p95.toFixed(2)} ms |`);
  console.log(`| raw GetItem of the same item | ${r.median.toFixed(2)} ms | ${r.p95.toFixed(2)} ms |`);
  const ratio = a.median / r.median;
  console.log(`API / raw (median) = ${ratio.toFixed(2)}×  (bar ≤ 2×)  ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
} finally {
  await dynamo.stop();
}
