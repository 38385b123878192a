/**
 * `npm run bench:coverage`: the coverage bar of DESIGN §6 on the province-scale data set.
 *
 * Side by side in one run, against the same DynamoDB Local:
 * - report: `GET /api/v1/coverage?by=commune&marketplace=all` through the real API app
 *   (createLocalServices + createApiApp, signed in as admin), body read in full;
 * - raw: the DynamoDB reads that report needs, timed directly with the SDK — the counter
 *   query of `all` and the target list in parallel, then the counters of every other
 *   marketplace a target refers to, in parallel;
 * - recompute: the same report rebuilt from the records (recountFromRecords + the same rows).
 * Report and raw calls alternate, so load on the machine hits both alike. Bars: recompute /
 * report ≥ 100×, report / raw ≤ 2×, and the counters equal the recount exactly.
 *
 *   --data-dir <dir>       the store to use (default $DATA_DIR or .data); seeded first when empty
 *   --scale province|small data set to seed when the store is empty (default province)
 *   --writes batch|transact how to seed (see scripts/seed.ts)
 *   --calls <n>            timed report and raw calls (default 50, at least 30)
 *   --warmup <n>           untimed calls first (default 10)
 *   --recounts <n>         recompute runs (default 3)
 *   --http                 also time the report over a real HTTP server on a free port
 */
import { openLocalStore } from '#functions/local/local-store.ts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { ALL, coverageMetrics, emptyMetrics, type Contribution, type Metrics } from '#shared/coverage-rules.ts';
import { TargetSchema, type Target } from '#shared/schemas/coverage.ts';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { loadOrCreateLocalKeys } from '#functions/local/local-keys.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { SeedRefusedError, assertSeedable, seedProvince, type SeedScale, type WriteMode } from '#functions/local/seed-generator.ts';
import { createDocumentClient, createTable, type Table } from '#functions/repositories/table.ts';

process.env.LOG_LEVEL ??= 'warn';
const { createApiApp } = await import('#functions/api/app.ts');
const { ensureLocalAdmin } = await import('#functions/local/demo-data.ts');
const { createLocalServices } = await import('#functions/local/local-services.ts');
const { compareCounters, indicatorValue, recountFromRecords, sumRows } = await import('#functions/services/coverage-service.ts');
const { noPhotos } = await import('#functions/services/coverage-tracker.ts');

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    scale: { type: 'string', default: 'province' },
    writes: { type: 'string', default: 'batch' },
    calls: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    recounts: { type: 'string', default: '3' },
    http: { type: 'boolean', default: false },
  },
});
const CALLS = Math.max(30, Number(args.calls));
const WARMUP = Number(args.warmup);
const RECOUNTS = Math.max(1, Number(args.recounts));

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const out = await f();
  return [performance.now() - t, out];
}

/** The raw reads the report needs: counters of `all` + targets, then the counters of the targets' other marketplaces. */
async function rawReads(doc: DynamoDBDocumentClient, table: Table) {
  const query = async (pk: string, skPrefix?: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
          ExpressionAttributeNames: skPrefix ? { '#pk': 'PK', '#sk': 'SK' } : { '#pk': 'PK' },
          ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const counters = (m: string) => query(`${table.prefix}COVERAGE`, `M#${m}#C#`);
  const [rows, targets] = await Promise.all([counters(ALL), query(`${table.prefix}TARGET`)]);
  const others = [...new Set(targets.map((t) => t.marketplace as string))].filter((m) => m !== ALL);
  const more = await Promise.all(others.map(counters));
  return { rows: rows.length + more.reduce((s, r) => s + r.length, 0), targets: targets.length };
}

/** The report's rows and totals for `all`, and the targets' progress, from counters by `<marketplace>|<commune>`. */
function reportFromCounters(counters: Contribution, targets: Target[]) {
  const metricsOf = (m: string, commune: string) => {
    const metrics = emptyMetrics();
    const counted = counters.get(`${m}|${commune}`);
    if (counted) for (const k of coverageMetrics) metrics[k] = counted[k] ?? 0;
    return metrics;
  };
  const totalsOf = (m: string, communes?: string[]) => sumRows(listCommunes().filter((c) => !communes || communes.includes(c.code)).map((c) => metricsOf(m, c.code)));
  const rows = listCommunes().map((c) => ({ communeCode: c.code, communeName: c.fullName, formerDistrict: c.formerDistricts[0]?.fullName ?? '', ...metricsOf(ALL, c.code) }));
  const progress = targets.map((t) => {
    const current = indicatorValue(totalsOf(t.marketplace, t.scope === 'province' ? undefined : [t.scope]), t.indicator);
    return { ...t, current: current ?? null, achieved: current === undefined || t.value === 0 ? null : Math.round((1000 * current) / t.value) / 10 };
  });
  return { marketplace: ALL, by: 'commune', rows, totals: sumRows(rows), targets: progress };
}

async function main() {
  const store = await openLocalStore({ dataDir: args['data-dir'] ? resolve(args['data-dir']) : undefined });
  const settings = { dataDir: store.dataDir, tableName: store.tableName };
  const interrupted = () => void store.close().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    console.log(`DynamoDB Local ${store.endpoint} (${store.started ? `started on ${settings.dataDir}` : 'already running'}), table ${settings.tableName}`);
    await ensureTable(store.endpoint, settings.tableName);
    const seedTable = createTable(createDocumentClient({ region: 'local', endpoint: store.endpoint }), settings.tableName, '38');
    const empty = await assertSeedable(seedTable).then(
      () => true,
      (e) => {
        if (e instanceof SeedRefusedError) return false;
        throw e;
      },
    );
    if (empty) {
      const keys = await loadOrCreateLocalKeys(settings.dataDir);
      console.log(`The store is empty: seeding the ${args.scale} data set first…`);
      const s = await seedProvince(seedTable, { scale: args.scale as SeedScale, writes: args.writes as WriteMode, hashCitizenId: createKeyring(keys.secret).hashCitizenId, log: (l) => console.log(l) });
      console.log(`Seeded ${s.items.toLocaleString('en')} items in ${(s.writeMs / 1000).toFixed(1)} s (${Math.round(s.itemsPerSecond)} items/s)`);
    }

    const local = await createLocalServices({ dataDir: settings.dataDir, tableName: settings.tableName, endpoint: store.endpoint });
    await ensureLocalAdmin(local, process.env.ADMIN_PASSWORD ?? 'admin');
    const app = createApiApp(local.services);
    const login = await app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: process.env.ADMIN_PASSWORD ?? 'admin' }) });
    if (login.status !== 200) throw new Error(`admin sign-in failed (${login.status}): set ADMIN_PASSWORD`);
    const token = ((await login.json()) as { token: string }).token;
    const headers = { authorization: `Bearer ${token}` };
    const path = '/api/v1/coverage?by=commune&marketplace=all';
    let bytes = 0;
    const viaApi = async () => {
      const res = await app.request(path, { headers });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`report answered ${res.status}: ${body.slice(0, 300)}`);
      bytes = body.length;
      return body;
    };
    // The raw reads use their own client, configured like the app's.
    const rawDoc = createDocumentClient({ region: 'local', endpoint: store.endpoint });
    const raw = () => rawReads(rawDoc, local.table);

    const first = JSON.parse(await viaApi()) as { rows: unknown[]; totals: Metrics; targets: unknown[] };
    const shape = await raw();
    console.log(`Data: ${first.totals.producers.toLocaleString('en')} producers, ${first.totals.products.toLocaleString('en')} products (OCOP ${first.totals.productsOcop3 + first.totals.productsOcop4 + first.totals.productsOcop5}), ${first.rows.length} communes, ${shape.targets} targets; report ${Math.round(bytes / 1024)} KB; raw reads ${shape.rows} counter items + ${shape.targets} targets`);

    // Breakdown of the report path (informative): the service calls the route makes, without HTTP or auth.
    const reports = local.services.coverageReports;
    const service = {
      report: () => reports.report('all', 'commune', ALL),
      targets: () => reports.targetsWithProgress('all'),
      route: async () => JSON.stringify(await Promise.all([reports.report('all', 'commune', ALL), reports.targetsWithProgress('all')])),
      auth: async () => local.services.principals.resolve(await local.services.verify(token)),
      // What the route would cost with the change proposed to the lead: the target list and the
      // `all` counters in parallel, then each other target marketplace's counters in parallel, once.
      proposed: async () => {
        const { coverage, targets } = local.repositories;
        const [rowsAll, list] = await Promise.all([coverage.rowsFor(ALL), targets.list()]);
        const others = [...new Set(list.map((x) => x.marketplace))].filter((m) => m !== ALL);
        const more = await Promise.all(others.map((m) => coverage.rowsFor(m)));
        const counters: Contribution = new Map([...rowsAll, ...more.flat()].map((r) => [`${r.marketplace}|${r.communeCode}`, r]));
        return JSON.stringify(reportFromCounters(counters, list));
      },
    };

    for (let i = 0; i < WARMUP; i++) {
      await viaApi();
      await raw();
    }
    // DynamoDB calls one report makes through the API, against the raw path's.
    const calls = async (f: () => Promise<unknown>, doc: DynamoDBDocumentClient) => {
      const seen: string[] = [];
      doc.middlewareStack.add((next, context) => async (a) => (seen.push(String(context.commandName).replace(/Command$/, '')), next(a)), { step: 'initialize', name: 'bench-count' });
      try {
        await f();
      } finally {
        doc.middlewareStack.remove('bench-count');
      }
      return Object.entries(seen.reduce<Record<string, number>>((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {})).map(([c, n]) => `${n} ${c}`).join(' + ');
    };
    const apiCalls = await calls(viaApi, local.table.doc);
    const rawCalls = await calls(raw, rawDoc);
    const t = { api: [] as number[], raw: [] as number[], report: [] as number[], targets: [] as number[], route: [] as number[], auth: [] as number[], proposed: [] as number[], http: [] as number[] };
    let server: { close(): void } | undefined;
    let httpUrl = '';
    if (args.http) {
      const { serve } = await import('@hono/node-server');
      await new Promise<void>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
          httpUrl = `http://127.0.0.1:${info.port}${path}`;
          resolve();
        });
        server = s;
      });
      for (let i = 0; i < WARMUP; i++) await (await fetch(httpUrl, { headers })).text();
    }
    for (let i = 0; i < CALLS; i++) {
      // Alternate which goes first, so drift in the machine's load falls on both alike.
      if (i % 2) {
        t.api.push((await timed(viaApi))[0]);
        t.raw.push((await timed(raw))[0]);
      } else {
        t.raw.push((await timed(raw))[0]);
        t.api.push((await timed(viaApi))[0]);
      }
      t.report.push((await timed(service.report))[0]);
      t.targets.push((await timed(service.targets))[0]);
      t.route.push((await timed(service.route))[0]);
      t.auth.push((await timed(service.auth))[0]);
      t.proposed.push((await timed(service.proposed))[0]);
      if (httpUrl) t.http.push((await timed(async () => (await fetch(httpUrl, { headers })).text()))[0]);
    }
    server?.close();

    console.log(`\nRecomputing the report from the records (${RECOUNTS} run${RECOUNTS > 1 ? 's' : ''}; each scans the table)…`);
    const targetItems = (await local.repositories.targets.list()).map((x) => TargetSchema.parse(x));
    const recomputeTimes: number[] = [];
    let recount: Awaited<ReturnType<typeof recountFromRecords>> | undefined;
    let rebuilt: ReturnType<typeof reportFromCounters> | undefined;
    for (let i = 0; i < RECOUNTS; i++) {
      const [dt, out] = await timed(async () => {
        const r = await recountFromRecords(local.table, noPhotos);
        return { r, report: reportFromCounters(r.counters, targetItems) };
      });
      recomputeTimes.push(dt);
      recount = out.r;
      rebuilt = out.report;
      console.log(`  run ${i + 1}: ${(dt / 1000).toFixed(1)} s (${out.r.producers.toLocaleString('en')} producers, ${out.r.products.toLocaleString('en')} products)`);
    }

    const differences = compareCounters(await local.repositories.coverage.allRows(), recount!.counters);
    const latest = JSON.parse(await viaApi()) as { rows: Record<string, unknown>[]; totals: Metrics; targets: Record<string, unknown>[] };
    const rowsEqual = JSON.stringify(latest.rows) === JSON.stringify(rebuilt!.rows) && JSON.stringify(latest.totals) === JSON.stringify(rebuilt!.totals);
    const targetsEqual = JSON.stringify(latest.targets.map((x) => [x.indicator, x.scope, x.marketplace, x.current])) === JSON.stringify(rebuilt!.targets.map((x) => [x.indicator, x.scope, x.marketplace, x.current]));

    const proposedOut = JSON.parse(await service.proposed()) as typeof latest;
    const proposedSame = JSON.stringify(proposedOut.rows) === JSON.stringify(latest.rows) && JSON.stringify(proposedOut.targets.map((x) => x.current)) === JSON.stringify(latest.targets.map((x) => x.current));
    const report = { median: median(t.api), p95: quantile(t.api, 0.95) };
    const rawStats = { median: median(t.raw), p95: quantile(t.raw, 0.95) };
    const recompute = median(recomputeTimes);
    const speedup = recompute / report.median;
    const overhead = report.median / rawStats.median;
    const line = (label: string, xs: number[], note = '') => console.log(`  ${label.padEnd(44)} median ${ms(median(xs)).padStart(10)}   p95 ${ms(quantile(xs, 0.95)).padStart(10)}${note}`);
    console.log(`\nCoverage report, whole province by commune, marketplace=all (${CALLS} calls each after ${WARMUP} warm-up, interleaved):`);
    line('report through the API (app.request)', t.api);
    line('raw DynamoDB reads it needs (SDK)', t.raw);
    if (t.http.length) line('report over HTTP (node-server, fetch)', t.http);
    console.log(`  ${'recompute from the records'.padEnd(44)} median ${ms(recompute).padStart(10)}   (${RECOUNTS} run${RECOUNTS > 1 ? 's' : ''})`);
    console.log(`  DynamoDB calls per report: API ${apiCalls}; raw ${rawCalls}`);
    console.log('\n  breakdown of the report path (service calls, no HTTP):');
    line('  report(all, commune, all)', t.report);
    line('  targetsWithProgress(all)', t.targets);
    line('  both in parallel + JSON.stringify (route)', t.route);
    line('  token verify + principal (cached)', t.auth);
    line('  proposed: target counters in parallel, once', t.proposed, `  (${(median(t.proposed) / rawStats.median).toFixed(2)}× raw; same rows and targets: ${proposedSame ? 'yes' : 'NO'})`);
    const bars = [
      { name: 'recompute / report ≥ 100×', value: `${speedup.toFixed(0)}×`, pass: speedup >= 100 },
      { name: 'report / raw reads ≤ 2×', value: `${overhead.toFixed(2)}×`, pass: overhead <= 2 },
      { name: 'counters equal a full recount exactly', value: `${differences.length} differences; rows ${rowsEqual ? 'equal' : 'DIFFER'}; targets ${targetsEqual ? 'equal' : 'DIFFER'}`, pass: differences.length === 0 && rowsEqual && targetsEqual },
    ];
    console.log('\nBars (DESIGN §6):');
    for (const b of bars) console.log(`  ${b.pass ? 'PASS' : 'FAIL'}  ${b.name.padEnd(40)} ${b.value}`);
    if (!bars[1]!.pass) {
      console.log(`\n  The report path is ${overhead.toFixed(1)}× its raw reads: report() ${ms(median(t.report))}, targetsWithProgress() ${ms(median(t.targets))}, auth ${ms(median(t.auth))}; DynamoDB calls API ${apiCalls} vs raw ${rawCalls}.`);
    }
    process.exitCode = bars.every((b) => b.pass) ? 0 : 1;
  } finally {
    await store.close();
  }
}

await main();
