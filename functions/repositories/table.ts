import { DynamoDBClient, ProvisionedThroughputExceededException, RequestLimitExceeded, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AppError, RaceError, ThrottledError } from '#functions/core/errors.ts';
import { tableDesign, type IndexName } from './table-design.ts';

export type Item = Record<string, unknown>;
export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, with the error to raise when its condition fails. */
export type TxOp = { item: TxItem; onConditionFailed?: (oldItem: Item | undefined) => Error };

/** What every repository needs: the client, the table and the province its keys live in. */
export type Table = {
  doc: DynamoDBDocumentClient;
  name: string;
  provinceCode: string;
  /** `P#38#` — the prefix of every key of this province. */
  prefix: string;
};

export function createDocumentClient(opts: { region: string; endpoint?: string }): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 4,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createTable(doc: DynamoDBDocumentClient, name: string, provinceCode: string): Table {
  return { doc, name, provinceCode, prefix: `P#${provinceCode}#` };
}

function isThrottle(e: unknown): boolean {
  return e instanceof ProvisionedThroughputExceededException || e instanceof ThrottlingException || e instanceof RequestLimitExceeded;
}

/** Runs a DynamoDB call, turning throttling that outlived the SDK's retries into a 503. */
export async function send<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isThrottle(e)) throw new ThrottledError();
    throw e;
  }
}

export async function getItem(table: Table, key: Item, consistent = false): Promise<Item | undefined> {
  const out = await send(() => table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: consistent })));
  return out.Item;
}

/**
 * Reads many items by key with BatchGetItem, 100 keys a request, retrying unprocessed keys
 * with backoff. Items come back in no particular order; missing keys are simply absent.
 */
/**
 * A revision item: a counter one kind of change moves on, so two such changes judged on the same
 * reading cannot both be written (the set of a product's photos, of the administrators).
 */
export const revisions = {
  /** The revision now (0 before the first change), read consistently: read it before what the change is judged on. */
  async read(table: Table, key: Item): Promise<number> {
    const item = await getItem(table, key, true);
    return typeof item?.rev === 'number' ? item.rev : 0;
  },
  /** Moves the revision on from `seen`; if another change did since, the transaction fails with RaceError (judge again). */
  nextOp(table: Table, key: Item, type: string, seen: number): TxOp {
    return {
      item: {
        Update: {
          TableName: table.name,
          Key: key,
          UpdateExpression: 'SET #type = :type, #rev = :next',
          ConditionExpression: seen === 0 ? 'attribute_not_exists(#rev)' : '#rev = :seen',
          ExpressionAttributeNames: { '#type': 'type', '#rev': 'rev' },
          ExpressionAttributeValues: { ':type': type, ':next': seen + 1, ...(seen === 0 ? {} : { ':seen': seen }) },
        },
      },
      onConditionFailed: () => new RaceError(),
    };
  },
};

export async function batchGet(table: Table, keys: Item[], consistent = false): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 10) throw new ThrottledError();
      if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const res = await send(() => table.doc.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: consistent } } })));
      out.push(...((res.Responses?.[table.name] ?? []) as Item[]));
      pending = (res.UnprocessedKeys?.[table.name]?.Keys ?? []) as Item[];
    }
  }
  return out;
}

/**
 * Puts many items with BatchWriteItem, 25 a request and `parallel` requests in flight,
 * retrying unprocessed items with backoff. Not atomic: for idempotent bulk writes only.
 */
export async function batchPut(table: Table, items: Item[], parallel = 4): Promise<void> {
  await batchWrite(table, items.map((Item) => ({ PutRequest: { Item } })), parallel);
}

/** Deletes many items by key, as {@link batchPut} writes them (not atomic; deleting twice is harmless). */
export async function batchDelete(table: Table, keys: Item[], parallel = 4): Promise<void> {
  await batchWrite(table, keys.map((Key) => ({ DeleteRequest: { Key } })), parallel);
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

async function batchWrite(table: Table, requests: WriteRequest[], parallel: number): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending = chunks[next++]!;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt > 10) throw new ThrottledError();
        if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await send(() => table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } })));
        pending = (out.UnprocessedItems?.[table.name] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
}

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

const TRANSACTION_ATTEMPTS = 4;

/**
 * Writes all ops atomically. A failed condition raises that op's error (with the item as it
 * was); a conflict with a concurrent transaction is retried, then reported as busy.
 */
export async function transact(table: Table, ops: TxOp[]): Promise<void> {
  const items = ops.map(({ item }) => withOldValues(item, table.name));
  for (let attempt = 1; ; attempt++) {
    try {
      await send(() => table.doc.send(new TransactWriteCommand({ TransactItems: items })));
      return;
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const op = ops[failed];
        const old = reasons[failed]?.Item ? unmarshallLoose(reasons[failed]!.Item!) : undefined;
        throw op?.onConditionFailed?.(old) ?? new AppError(409, 'VERSION_CONFLICT', 'A condition of the change no longer holds');
      }
      const retryable = reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded');
      if (!retryable) throw e;
      if (attempt >= TRANSACTION_ATTEMPTS) throw new ThrottledError();
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}

function withOldValues(item: TxItem, tableName: string): TxItem {
  const out: TxItem = {};
  for (const [kind, body] of Object.entries(item) as [keyof TxItem, Record<string, unknown>][]) {
    const withTable = { TableName: tableName, ...body };
    (out as Record<string, unknown>)[kind] = kind === 'ConditionCheck' || !body.ConditionExpression ? withTable : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...withTable };
  }
  return out;
}

function unmarshallLoose(raw: Record<string, unknown>): Item {
  return unmarshall(raw as Parameters<typeof unmarshall>[0]);
}

/** One key range to read: a partition, optionally narrowed by sort-key prefix or upper bound. */
export type Partition = { index?: IndexName; pk: string; skPrefix?: string; skAtMost?: string; skBetween?: [string, string] };
export type PageState = { p: number; k?: Item };

/**
 * At most this many records looked through by one filtered page of a list the API serves (a name
 * search, a product filter): a page may then hold fewer items than asked, even none, with a cursor
 * to go on — each request stays short however rare the match.
 */
export const LIST_READ_BUDGET = 2_000;

/**
 * Reads up to `limit` items across partitions in order, applying an optional filter, and
 * says where the next page starts. The resume point is the last item returned, not where
 * DynamoDB stopped, so filtered pages never skip a match.
 *
 * `readBudget` bounds the items a filtered read may look through in one call (a rare name
 * searched over the province's 70,000 producers would otherwise read them all in one request):
 * once spent, it returns what it found — perhaps nothing — and `next` where DynamoDB stopped,
 * the exact point to go on from.
 */
export async function queryAcross(
  table: Table,
  partitions: Partition[],
  opts: { limit: number; start?: PageState; filter?: Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>; consistent?: boolean; descending?: boolean; readBudget?: number },
): Promise<{ items: Item[]; next?: PageState }> {
  const items: Item[] = [];
  let read = 0;
  let lastPartition = 0;
  let p = opts.start?.p ?? 0;
  let startKey = opts.start?.k;
  while (p < partitions.length) {
    const part = partitions[p]!;
    const keyAttrs = keyAttributesOf(part.index);
    const out = await send(() =>
      table.doc.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: part.index,
          ...opts.filter,
          ...keyCondition(part, keyAttrs, opts.filter),
          ExclusiveStartKey: startKey,
          // Only the table's own partitions can be read consistently, not an index's.
          ...(opts.consistent && !part.index ? { ConsistentRead: true } : {}),
          ...(opts.descending ? { ScanIndexForward: false } : {}),
          Limit: Math.min(1000, opts.filter ? Math.max(opts.limit * 4, 100) : opts.limit - items.length + 1, opts.readBudget === undefined ? Infinity : Math.max(1, opts.readBudget - read)),
        }),
      ),
    );
    for (const it of out.Items ?? []) {
      if (items.length === opts.limit) {
        const last = partitions[lastPartition]!;
        return { items, next: { p: lastPartition, k: pickKeys(items[items.length - 1]!, keyAttributesOf(last.index)) } };
      }
      items.push(it);
      lastPartition = p;
    }
    read += out.ScannedCount ?? out.Items?.length ?? 0;
    if (out.LastEvaluatedKey) {
      startKey = out.LastEvaluatedKey;
    } else {
      p += 1;
      startKey = undefined;
    }
    if (opts.readBudget !== undefined && read >= opts.readBudget && p < partitions.length) return { items, next: { p, ...(startKey ? { k: startKey } : {}) } };
  }
  return { items };
}

function keyCondition(part: Partition, keyAttrs: string[], filter?: Pick<QueryCommandInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>) {
  const names: Record<string, string> = { '#pk': keyAttrs[0]!, ...filter?.ExpressionAttributeNames };
  const values: Record<string, unknown> = { ':pk': part.pk, ...filter?.ExpressionAttributeValues };
  let expression = '#pk = :pk';
  if (part.skPrefix !== undefined || part.skAtMost !== undefined || part.skBetween) {
    names['#sk'] = keyAttrs[1]!;
    if (part.skBetween) {
      expression += ' AND #sk BETWEEN :sk1 AND :sk2';
      [values[':sk1'], values[':sk2']] = part.skBetween;
    } else if (part.skPrefix !== undefined) {
      expression += ' AND begins_with(#sk, :sk)';
      values[':sk'] = part.skPrefix;
    } else {
      expression += ' AND #sk <= :sk';
      values[':sk'] = part.skAtMost;
    }
  }
  return { KeyConditionExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function keyAttributesOf(index?: IndexName): string[] {
  const table = [tableDesign.partitionKey, tableDesign.sortKey];
  if (!index) return table;
  const gsi = tableDesign.globalIndexes.find((g) => g.indexName === index)!;
  return [gsi.partitionKey, gsi.sortKey, ...table];
}

function pickKeys(item: Item, attrs: string[]): Item {
  return Object.fromEntries(attrs.map((a) => [a, item[a]]));
}
