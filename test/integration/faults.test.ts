import { beforeAll, describe, expect, it } from 'vitest';
import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

/** Makes the next `times` commands of the given kind fail with `error()` before they reach DynamoDB Local. */
function inject(commandName: string, times: number, error: () => Error) {
  let left = times;
  const name = `inject-${commandName}-${Math.random()}`;
  api.local.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName && left > 0) {
        left -= 1;
        throw error();
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { remove: () => api.local.table.doc.middlewareStack.remove(name), left: () => left };
}

const count = async () => (await api.local.table.doc.send(new ScanCommand({ TableName: api.tableName, Select: 'COUNT' }))).Count ?? 0;

describe('faults of the store', () => {
  it('answers 503 THROTTLED with Retry-After when DynamoDB keeps throttling, and stores nothing', async () => {
    const before = await count();
    const fault = inject('TransactWriteItemsCommand', 1, () => new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));
    try {
      const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('THROTTLED');
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      fault.remove();
    }
    expect(await count()).toBe(before);
  });

  it('retries a transaction that lost a conflict and writes it once', async () => {
    const conflict = () => new TransactionCanceledException({ message: 'conflict', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
    const fault = inject('TransactWriteItemsCommand', 2, conflict);
    try {
      const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ name: 'Hộ xung đột' }) });
      expect(res.status).toBe(201);
      expect(fault.left()).toBe(0);
    } finally {
      fault.remove();
    }
    const list = await api.call('GET', `/producers?q=${encodeURIComponent('ho xung dot')}`, { token: api.adminToken });
    expect(list.body.items).toHaveLength(1);
  });

  it('gives up with 503 after repeated conflicts, storing nothing', async () => {
    const before = await count();
    const conflict = () => new TransactionCanceledException({ message: 'conflict', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }] });
    const fault = inject('TransactWriteItemsCommand', 10, conflict);
    try {
      const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
      expect(res.status).toBe(503);
    } finally {
      fault.remove();
    }
    expect(await count()).toBe(before);
  });

  it('hides an unexpected failure behind a 500 problem that reveals nothing', async () => {
    const fault = inject('GetItemCommand', 1, () => new Error('secret internals 0912345678'));
    try {
      const created = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput() });
      const res = await api.call('GET', `/producers/${created.body.id}`, { token: api.adminToken });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('INTERNAL');
      expect(JSON.stringify(res.body)).not.toContain('secret internals');
    } finally {
      fault.remove();
    }
  });
});
