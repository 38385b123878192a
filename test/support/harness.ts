import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createApiApp } from '#functions/api/app.ts';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { ensureLocalAdmin } from '#functions/local/demo-data.ts';
import { createLocalServices } from '#functions/local/local-services.ts';

export const ADMIN_PASSWORD = 'admin-test-pw';

export type Api = Awaited<ReturnType<typeof createTestApi>>;

/** A fresh table on the shared DynamoDB Local, the real API app over it, and sign-in helpers. */
export async function createTestApi() {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `t-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  const dataDir = await mkdtemp(join(tmpdir(), 'ocop-test-'));
  const local = await createLocalServices({ dataDir, tableName, endpoint });
  await ensureLocalAdmin(local, ADMIN_PASSWORD);
  const app = createApiApp(local.services, { localPhotoFiles: local.photoFiles });
  const tokens = new Map<string, string>();

  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) {
    const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(`/api/v1${path}`, { method, headers, body });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  }

  const adminToken = await login('admin', ADMIN_PASSWORD);

  /** Creates a user through the API and returns a token for it. */
  async function userToken(spec: { role: string; communes?: string[]; producerId?: string }): Promise<string> {
    const username = `u${randomUUID().slice(0, 8)}`;
    const res = await call('POST', '/users', { token: adminToken, body: { username, password: 'password-123', ...spec } });
    if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${JSON.stringify(res.body)}`);
    const token = await login(username, 'password-123');
    tokens.set(username, token);
    return token;
  }

  return { app, local, tableName, dataDir, endpoint, call, login, adminToken, userToken, idle: () => local.runner.idle() };
}

let producerSeq = 0;

/** A valid producer body, unique by name and phone unless overridden (so it is not a duplicate). */
export function producerInput(overrides: Record<string, unknown> = {}) {
  producerSeq += 1;
  const phone = `09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return { kind: 'household', name: `Hộ Lê Thị Hoa ${producerSeq}-${randomUUID().slice(0, 6)}`, phone, communeCode: '15772', legalBasis: { type: 'state_management' }, ...overrides };
}

/**
 * Makes the next transaction that counts an import batch fail once, as if the process died
 * right before it (its records already written); `stop()` removes the fault and says how
 * many transactions it failed.
 */
export function failNextBatchCount(api: Api) {
  const name = `fail-batch-count-${randomUUID()}`;
  let failed = 0;
  api.local.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const items = (args.input as { TransactItems?: { Put?: { Item?: { SK?: string } } }[] }).TransactItems ?? [];
      if (context.commandName === 'TransactWriteItemsCommand' && !failed && items.some((i) => String(i.Put?.Item?.SK).startsWith('BATCH#'))) {
        failed += 1;
        throw new Error('socket hang up');
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    stop() {
      api.local.table.doc.middlewareStack.remove(name);
      return failed;
    },
  };
}

export function productInput(producerId: string, overrides: Record<string, unknown> = {}) {
  return { producerId, name: 'Mật ong rừng', ocopGroup: 'food', ocopStars: 3, certificateNo: '12/QĐ-UBND', certificateDate: '2024-02-29', priceVnd: 150000, ...overrides };
}
