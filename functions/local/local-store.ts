import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { assertJava, ensureTable, startDynamoLocal } from './dynamo-local.ts';

export const localDefaults = {
  dataDir: () => resolve(process.env.DATA_DIR ?? '.data'),
  port: () => Number(process.env.PORT ?? 3000),
  dynamoPort: () => Number(process.env.DYNAMO_PORT ?? Number(process.env.PORT ?? 3000) + 1000),
  tableName: () => process.env.TABLE_NAME ?? 'ocop-onboard',
};

async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 } });
  try {
    await client.send(new ListTablesCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/**
 * The local store for a command (snapshot, seed, benchmarks): the DynamoDB Local that
 * `npm start` is running on the data folder, or one started here on it and stopped after.
 */
export async function openLocalStore(opts: { dataDir?: string; dynamoPort?: number; tableName?: string } = {}) {
  const dataDir = opts.dataDir ?? localDefaults.dataDir();
  const port = opts.dynamoPort ?? localDefaults.dynamoPort();
  const tableName = opts.tableName ?? localDefaults.tableName();
  const running = `http://127.0.0.1:${port}`;
  if (await answers(running)) {
    await ensureTable(running, tableName);
    return { endpoint: running, dataDir, tableName, started: false, close: async () => {} };
  }
  assertJava();
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  const dynamo = await startDynamoLocal({ port, dbPath: join(dataDir, 'dynamodb') });
  await ensureTable(dynamo.endpoint, tableName);
  return { endpoint: dynamo.endpoint, dataDir, tableName, started: true, close: () => dynamo.stop() };
}
