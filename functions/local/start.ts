import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { buildWeb } from '../../scripts/build-web.ts';
import { assertJava, ensureTable, startDynamoLocal } from './dynamo-local.ts';
import { ensureLocalAdmin, loadDemoData, demoAccounts, DEMO_COOPERATIVE } from './demo-data.ts';
import { createLocalServices } from './local-services.ts';
import { runDailyJobs, scheduleDailyJobs } from './daily-jobs.ts';
import { createLocalApp, listen } from './server.ts';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DYNAMO_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    DATA_DIR: z.string().default('.data'),
    ADMIN_PASSWORD: z.string().min(1).default('admin'),
    TABLE_NAME: z.string().default('ocop-onboard'),
  })
  .parse(process.env);

/** `npm start`: DynamoDB Local, the table, the API, the web app and demo data, on one port. */
async function main() {
  assertJava();
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  const dynamo = await startDynamoLocal({ port: env.DYNAMO_PORT ?? env.PORT + 1000, dbPath: join(dataDir, 'dynamodb') });
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await dynamo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  dynamo.process.on('exit', (code) => {
    if (!stopping) {
      console.error(`DynamoDB Local stopped unexpectedly (exit ${code})`);
      void stop(1);
    }
  });
  try {
    const table = await ensureTable(dynamo.endpoint, env.TABLE_NAME);
    const local = await createLocalServices({ dataDir, tableName: env.TABLE_NAME, endpoint: dynamo.endpoint });
    const admin = await ensureLocalAdmin(local, env.ADMIN_PASSWORD);
    const demo = await loadDemoData(local, admin);
    const resumed = await local.services.imports.resumeInterrupted();
    const listed = await local.services.imports.indexUnlisted();
    if (listed) console.log(`Listed ${listed} import(s) saved before the import list existed`);
    if (resumed.length) console.log(`Resuming ${resumed.length} interrupted import(s): ${resumed.join(', ')}`);
    // Not a reason to stay down: the server starts, and the next look (minutes later) tries again.
    let ranAt: Date | undefined = new Date();
    const daily = await runDailyJobs(local, ranAt).catch((e: unknown) => ((ranAt = undefined), [`Daily jobs failed (tried again in a few minutes): ${(e as Error).message}`]));
    for (const line of daily) console.log(line);
    scheduleDailyJobs(local, (line) => console.log(line), ranAt);
    const webRoot = await buildWeb(join(dataDir, 'web'));
    await listen(createLocalApp(local.services, webRoot, local.photoFiles), env.PORT);
    console.log(
      [
        `ocop-onboard is running on http://localhost:${env.PORT}  (API reference: http://localhost:${env.PORT}/api/docs)`,
        `  DynamoDB Local ${dynamo.endpoint}, data in ${dataDir} (table ${table}; demo data ${demo})`,
        `  Sign in as admin / ${env.ADMIN_PASSWORD === 'admin' ? 'admin' : '$ADMIN_PASSWORD'}; demo users ${[...demoAccounts.map((a) => a.username), DEMO_COOPERATIVE.username].join(', ')} (password demo1234)`,
        '  Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (e) {
    console.error(e);
    await stop(1);
  }
}

void main();
