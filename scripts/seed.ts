/**
 * `npm run seed -- --scale province` loads the province-scale data set of DESIGN §6 (166
 * communes, 70,000 producers, 20,000 products of which 1,000 OCOP, 60,000 listings, seller
 * accounts, training dates, coverage counters) into the local store, deterministically.
 *
 *   --scale province|small   the numbers (small = 1/100); default province
 *   --seed <text>            same seed → same data; default ocop-38
 *   --reset                  delete the table first (otherwise a table that holds data is refused)
 *   --concurrency <n>        write requests in flight; default 8
 *   --writes batch|transact  BatchWriteItem of 25, or TransactWriteItems of 100 (default), which
 *                            DynamoDB Local's disk store commits several times faster
 *   --data-dir <dir>         default $DATA_DIR or .data
 *
 * Connects to DynamoDB Local on $DYNAMO_PORT (default $PORT + 1000 = 4000) — the one `npm start`
 * runs — or starts one on the data folder for the duration of the seed.
 */
import { openLocalStore } from '#functions/local/local-store.ts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKeyring } from '#functions/core/keyring.ts';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { loadOrCreateLocalKeys } from '#functions/local/local-keys.ts';
import { SeedRefusedError, deleteTable, seedProvince, type SeedScale, type WriteMode } from '#functions/local/seed-generator.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: 'province' },
    seed: { type: 'string', default: 'ocop-38' },
    reset: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
    writes: { type: 'string', default: 'transact' },
    'data-dir': { type: 'string' },
  },
});

async function main(): Promise<number> {
  if (args.scale !== 'province' && args.scale !== 'small') {
    console.error('--scale must be province or small');
    return 2;
  }
  if (args.writes !== 'batch' && args.writes !== 'transact') {
    console.error('--writes must be batch or transact');
    return 2;
  }
  const started = performance.now();
  const store = await openLocalStore({ dataDir: args['data-dir'] ? resolve(args['data-dir']) : undefined });
  const settings = { dataDir: store.dataDir, tableName: store.tableName };
  const interrupted = () => void store.close().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  console.log(`DynamoDB Local ${store.endpoint} (${store.started ? `started on ${settings.dataDir}` : 'already running'}), table ${settings.tableName}`);
  try {
    if (args.reset && (await deleteTable(store.endpoint, settings.tableName))) console.log(`Deleted table ${settings.tableName}`);
    await ensureTable(store.endpoint, settings.tableName);
    const keys = await loadOrCreateLocalKeys(settings.dataDir);
    const table = createTable(createDocumentClient({ region: 'local', endpoint: store.endpoint }), settings.tableName, '38');
    const summary = await seedProvince(table, {
      scale: args.scale as SeedScale,
      seed: args.seed,
      concurrency: Number(args.concurrency),
      writes: args.writes as WriteMode,
      hashCitizenId: createKeyring(keys.secret).hashCitizenId,
      log: (line) => console.log(line),
    });
    const c = summary.counts;
    console.log(
      [
        `Seed "${summary.seed}" (${args.scale}): ${c.communes} communes, ${c.producers} producers, ${c.products} products (OCOP ${c.ocop}: ${c.ocopByStars[3]}×3★ ${c.ocopByStars[4]}×4★ ${c.ocopByStars[5]}×5★), ${c.accounts} seller accounts,`,
        `  ${c.listings} listings (${Object.entries(c.listingsByStatus).map(([s, n]) => `${s} ${n}`).join(', ')}), ${c.transitions} history entries, ${c.duplicateKeys} duplicate keys, ${c.counters} coverage counters, ${c.targets} targets`,
        `  ${summary.items.toLocaleString('en')} items: generated in ${(summary.generateMs / 1000).toFixed(1)} s, written in ${(summary.writeMs / 1000).toFixed(1)} s = ${Math.round(summary.itemsPerSecond).toLocaleString('en')} items/s; total ${((performance.now() - started) / 1000).toFixed(1)} s`,
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if (e instanceof SeedRefusedError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
