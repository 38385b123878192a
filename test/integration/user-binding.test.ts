import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
let officer: string;
beforeAll(async () => {
  api = await createTestApi();
  officer = await api.userToken({ role: 'officer', communes: ['15772'] });
});

type TxItems = {
  Put?: { Item?: Record<string, unknown> };
  Update?: { Key?: Record<string, unknown>; ExpressionAttributeValues?: Record<string, unknown> };
  Delete?: { Key?: Record<string, unknown> };
}[];

const producerPk = (id: string) => `${api.local.table.prefix}PRODUCER#${id}`;
const deletesProducer = (id: string) => (items: TxItems) => items.some((i) => i.Delete?.Key?.PK === producerPk(id) && i.Delete.Key.SK === 'META');
const writesProducer = (id: string) => (items: TxItems) => items.some((i) => i.Put?.Item?.PK === producerPk(id) && i.Put.Item.SK === 'META');
const createsUserOf = (id: string) => (items: TxItems) => items.some((i) => i.Put?.Item?.type === 'user' && i.Put.Item.producerId === id);
const rebindsUserTo = (id: string) => (items: TxItems) => items.some((i) => String(i.Update?.Key?.PK).startsWith(`${api.local.table.prefix}USER#`) && i.Update?.ExpressionAttributeValues?.[':producerId'] === id);

/**
 * Runs `act`; when it is about to send the first transaction that `writes` matches (its reads
 * done, its write not yet sent), runs `meanwhile` to the end first: two requests interleaved.
 */
async function interleaved<T>(writes: (items: TxItems) => boolean, meanwhile: () => Promise<unknown>, act: () => Promise<T>): Promise<T> {
  const name = `interleave-${randomUUID()}`;
  let ran = false;
  api.local.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const items = (args.input as { TransactItems?: TxItems }).TransactItems ?? [];
      if (context.commandName === 'TransactWriteItemsCommand' && !ran && writes(items)) {
        ran = true;
        await meanwhile();
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    const result = await act();
    expect(ran).toBe(true);
    return result;
  } finally {
    api.local.table.doc.middlewareStack.remove(name);
  }
}

/** Runs `act`, counting the queries of the user list it makes. */
async function userListQueries(act: () => Promise<unknown>): Promise<number> {
  const name = `user-list-${randomUUID()}`;
  let queries = 0;
  api.local.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const values = (args.input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues;
      if (context.commandName === 'QueryCommand' && values?.[':pk'] === `${api.local.table.prefix}USER`) queries += 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await act();
  } finally {
    api.local.table.doc.middlewareStack.remove(name);
  }
  return queries;
}

async function newProducer() {
  const res = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772', confirmDistinct: true }) });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const createCooperative = (producerId: string, username = `u${randomUUID().slice(0, 8)}`) =>
  api.call('POST', '/users', { token: api.adminToken, body: { username, password: 'password-123', role: 'cooperative', producerId } });

async function cooperativeOf(producerId: string) {
  const res = await createCooperative(producerId);
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
}

const rebind = (user: { id: string; version: number }, producerId: string) => api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { version: user.version, producerId } });
const deleteProducer = (id: string, token = api.adminToken) => api.call('DELETE', `/producers/${id}`, { token });
const storedUser = (id: string) => api.local.repositories.users.get(id, { consistent: true });

/** Makes the producer look as stored before bound users were counted. */
async function forgetUserCount(id: string) {
  await api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: { PK: producerPk(id), SK: 'META' }, UpdateExpression: 'REMOVE userCount' }));
}

describe('a producer deleted while a cooperative user is bound to it', () => {
  it('is not deleted when the user was bound after the delete read it: 409 PRODUCER_HAS_USERS with userCount, and the user keeps its producer', async () => {
    const producer = await newProducer();
    let user: { id: string } | undefined;
    const refused = await interleaved(deletesProducer(producer), async () => (user = await cooperativeOf(producer)), () => deleteProducer(producer, officer));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
    expect((await api.call('GET', `/producers/${producer}`, { token: api.adminToken })).status).toBe(200);
    expect(await storedUser(user!.id)).toMatchObject({ role: 'cooperative', producerId: producer });
  });

  it('refuses a new user whose producer was deleted after the user’s check read it: 400 no such producer, and no account is left behind', async () => {
    const producer = await newProducer();
    const username = `u${randomUUID().slice(0, 8)}`;
    const refused = await interleaved(createsUserOf(producer), async () => expect((await deleteProducer(producer)).status).toBe(204), () => createCooperative(producer, username));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'producerId' })] });
    expect(await api.local.repositories.users.getByUsername(username)).toBeUndefined();
    expect((await api.call('POST', '/auth/login', { body: { username, password: 'password-123' } })).status).toBe(401);
    expect((await createCooperative(await newProducer(), username)).status).toBe(201);
  });

  it('refuses re-binding a user to it when it was deleted after the change read it: 400, and the user stays with its producer, still counted there', async () => {
    const [kept, doomed] = [await newProducer(), await newProducer()];
    const user = await cooperativeOf(kept);
    const refused = await interleaved(rebindsUserTo(doomed), async () => expect((await deleteProducer(doomed)).status).toBe(204), () => rebind(user, doomed));
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ path: 'producerId' }));
    expect(await storedUser(user.id)).toMatchObject({ producerId: kept, version: 1 });
    expect((await deleteProducer(kept)).body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
  });

  it('keeps its count through an edit written after a user was bound: the edit keeps its version check, and a delete is refused without reading the user list', async () => {
    const producer = await newProducer();
    const edited = await interleaved(writesProducer(producer), () => cooperativeOf(producer), () => api.call('PATCH', `/producers/${producer}`, { token: api.adminToken, body: { version: 1, address: 'Thôn Đông' } }));
    expect(edited).toMatchObject({ status: 200, body: { version: 2, address: 'Thôn Đông' } });
    let refused: Awaited<ReturnType<typeof deleteProducer>> | undefined;
    expect(await userListQueries(async () => (refused = await deleteProducer(producer, officer)))).toBe(0);
    expect(refused).toMatchObject({ status: 409, body: { code: 'PRODUCER_HAS_USERS', userCount: 1 } });
  });
});

describe('a duplicate merged away while a cooperative user is bound to it', () => {
  it('is not merged by an officer when the user was bound after the merge read it: 409 PRODUCER_HAS_USERS, nothing changed', async () => {
    const [target, source] = [await newProducer(), await newProducer()];
    let user: { id: string } | undefined;
    const refused = await interleaved(deletesProducer(source), async () => (user = await cooperativeOf(source)), () =>
      api.call('POST', `/producers/${target}/merge`, { token: officer, body: { sourceId: source, version: 1 } }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
    expect((await api.call('GET', `/producers/${source}`, { token: api.adminToken })).status).toBe(200);
    expect((await api.call('GET', `/producers/${target}`, { token: api.adminToken })).body.version).toBe(1);
    expect(await storedUser(user!.id)).toMatchObject({ producerId: source });
  });

  it('takes along, in an administrator’s merge, the user bound after the merge read it: the user follows to the survivor, which counts it', async () => {
    const [target, source] = [await newProducer(), await newProducer()];
    let user: { id: string } | undefined;
    const merged = await interleaved(deletesProducer(source), async () => (user = await cooperativeOf(source)), () =>
      api.call('POST', `/producers/${target}/merge`, { token: api.adminToken, body: { sourceId: source, version: 1 } }),
    );
    expect(merged.status).toBe(200);
    expect((await api.call('GET', `/producers/${source}`, { token: api.adminToken })).status).toBe(404);
    expect(await storedUser(user!.id)).toMatchObject({ producerId: target });
    expect((await deleteProducer(target)).body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
  });
});

describe('a producer’s likely duplicates', () => {
  it('say how many cooperative users each one in scope has — which a merge binds to the producer kept — also for one stored before they were counted', async () => {
    const phone = producerInput().phone;
    const make = async () => (await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ phone, confirmDistinct: true }) })).body.id as string;
    const [kept, bound, counted, plain] = [await make(), await make(), await make(), await make()];
    await cooperativeOf(bound);
    await cooperativeOf(bound);
    await cooperativeOf(counted);
    await forgetUserCount(counted);
    const users = async (token: string) => Object.fromEntries(((await api.call('GET', `/producers/${kept}/duplicates`, { token })).body.items as { id: string; userCount?: number }[]).map((m) => [m.id, m.userCount]));
    expect(await users(api.adminToken)).toEqual({ [bound]: 2, [counted]: 1, [plain]: 0 });
    expect(await users(officer)).toEqual({ [bound]: 2, [counted]: 1, [plain]: 0 });
    // Outside the caller's scope a match says only what matched.
    const elsewhere = await api.userToken({ role: 'officer', communes: ['14758'] });
    const other = await api.call('POST', '/producers', { token: elsewhere, body: producerInput({ phone, communeCode: '14758', confirmDistinct: true }) });
    expect(other.status).toBe(201);
    const seen = (await api.call('GET', `/producers/${other.body.id}/duplicates`, { token: elsewhere })).body.items as object[];
    expect(seen).toHaveLength(4);
    for (const match of seen) expect(match).toEqual({ matchedOn: ['phone'] });
  });
});

describe('a producer stored before its bound users were counted', () => {
  it('is not deleted when a user was bound after the delete read it', async () => {
    const producer = await newProducer();
    await forgetUserCount(producer);
    const refused = await interleaved(deletesProducer(producer), () => cooperativeOf(producer), () => deleteProducer(producer, officer));
    expect(refused).toMatchObject({ status: 409, body: { code: 'PRODUCER_HAS_USERS', userCount: 1 } });
  });

  it('counts the users bound to it before, from the user list, once a user is bound to or taken from it: a delete then reads only the count', async () => {
    const [producer, other] = [await newProducer(), await newProducer()];
    const earlier = await cooperativeOf(producer);
    await forgetUserCount(producer);
    const later = await cooperativeOf(producer);
    expect((await rebind(earlier, other)).status).toBe(200);

    let refused: Awaited<ReturnType<typeof deleteProducer>> | undefined;
    expect(await userListQueries(async () => (refused = await deleteProducer(producer)))).toBe(0);
    expect(refused).toMatchObject({ status: 409, body: { code: 'PRODUCER_HAS_USERS', userCount: 1 } });
    expect((await rebind(later, other)).status).toBe(200);
    expect((await deleteProducer(producer)).status).toBe(204);
    expect((await deleteProducer(other)).body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 2 });
  });
});

describe('a user count that drifted from the users (the nightly reconciliation)', () => {
  /** The count off, as last moved `minutesAgo` minutes ago. */
  const setUserCount = (id: string, n: number, minutesAgo: number) =>
    api.local.table.doc.send(new UpdateCommand({ TableName: api.tableName, Key: { PK: producerPk(id), SK: 'META' }, UpdateExpression: 'SET userCount = :n, userCountAt = :at', ExpressionAttributeValues: { ':n': n, ':at': new Date(Date.now() - minutesAgo * 60_000).toISOString() } }));
  const keptCount = async (id: string) => (await api.local.repositories.producers.get(id, { consistent: true }))!.userCount;

  it('is set right: too low at once (a delete would otherwise leave a user bound to nothing), too high once it has stood still longer than the user list can lag', async () => {
    const [low, high, recent, untouched] = [await newProducer(), await newProducer(), await newProducer(), await newProducer()];
    for (const p of [low, high, recent, untouched]) await cooperativeOf(p);
    await forgetUserCount(untouched);
    await setUserCount(low, 0, 1);
    await setUserCount(high, 3, 60);
    // Moved a minute ago: the user list may not show a user just bound yet, so it is left for now.
    await setUserCount(recent, 2, 1);
    // Too low, a delete goes through with a user still bound; too high, a merge never sees the count it expects.
    const result = await api.local.services.coverageReports.reconcile();
    expect(result).toMatchObject({ userCountsFound: 3, userCountsRepaired: 2, userCountRepairsFailed: 0, differences: [] });
    expect([await keptCount(low), await keptCount(high), await keptCount(recent), await keptCount(untouched)]).toEqual([1, 1, 2, undefined]);
    expect((await deleteProducer(low, officer)).body).toMatchObject({ code: 'PRODUCER_HAS_USERS', userCount: 1 });
    expect(await api.local.services.coverageReports.reconcile()).toMatchObject({ userCountsFound: 1, userCountsRepaired: 0 });
  });
});
