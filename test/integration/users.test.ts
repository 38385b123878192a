import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestApi, producerInput, type Api } from '#test/support/harness.ts';

let api: Api;
beforeAll(async () => {
  api = await createTestApi();
});

const itemCount = async () => (await api.local.table.doc.send(new ScanCommand({ TableName: api.tableName, Select: 'COUNT' }))).Count ?? 0;

async function createUser(body: Record<string, unknown>) {
  const username = `u${Math.random().toString(36).slice(2, 10)}`;
  const res = await api.call('POST', '/users', { token: api.adminToken, body: { username, password: 'password-123', ...body } });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, username, version: res.body.version as number, token: await api.login(username, 'password-123') };
}

const patch = (id: string, body: Record<string, unknown>, token = api.adminToken) => api.call('PATCH', `/users/${id}`, { token, body });

describe("changing a user's role and scope", () => {
  it("moves an officer to other communes: its token reaches the new ones at once and no longer the old ones (404, as for any id out of scope); one audit event; the password still works", async () => {
    const inThieuHoa = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
    const inHamRong = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '14758' }) });
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    expect(officer.version).toBe(1);
    expect((await api.call('GET', `/producers/${inThieuHoa.body.id}`, { token: officer.token })).status).toBe(200);
    expect((await api.call('GET', `/producers/${inHamRong.body.id}`, { token: officer.token })).status).toBe(404);

    const moved = await patch(officer.id, { version: 1, communes: ['14758', '14758'] });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: officer.id, role: 'officer', communes: ['14758'], version: 2, disabled: false });

    expect((await api.call('GET', `/producers/${inThieuHoa.body.id}`, { token: officer.token })).status).toBe(404);
    expect((await api.call('GET', `/producers/${inHamRong.body.id}`, { token: officer.token })).status).toBe(200);
    expect((await api.call('GET', '/auth/me', { token: officer.token })).body).toMatchObject({ role: 'officer', communes: ['14758'] });

    const events = await api.local.repositories.audit.listForEntity('user', officer.id);
    const update = events.filter((e) => e.action === 'update');
    expect(update).toHaveLength(1);
    expect(update[0]).toMatchObject({ before: { communes: ['15772'], version: 1 }, after: { communes: ['14758'], version: 2 } });
    expect(JSON.stringify(events)).not.toContain('passwordHash');
    expect((await api.call('POST', '/auth/login', { body: { username: officer.username, password: 'password-123' } })).status).toBe(200);
  });

  it("refuses an officer's list cursor taken before their communes changed, instead of resuming at another commune", async () => {
    for (const communeCode of ['15772', '15835']) await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode }) });
    const officer = await createUser({ role: 'officer', communes: ['15772', '15835'] });
    const first = await api.call('GET', '/producers?limit=1', { token: officer.token });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await api.call('GET', `/producers?limit=1&cursor=${cursor}`, { token: officer.token })).status).toBe(200);
    expect((await patch(officer.id, { version: 1, communes: ['14758', '15835'] })).status).toBe(200);
    const stale = await api.call('GET', `/producers?limit=1&cursor=${cursor}`, { token: officer.token });
    expect(stale.status).toBe(400);
    expect(stale.body.code).toBe('INVALID_CURSOR');
  });

  it('turns an officer into a department user: the communes go, the whole province reads, writes are refused', async () => {
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    const res = await patch(officer.id, { version: 1, role: 'department' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'department', version: 2 });
    expect(res.body.communes).toBeUndefined();
    const stored = await api.local.repositories.users.get(officer.id, { consistent: true });
    expect(stored).toMatchObject({ role: 'department', version: 2 });
    expect(stored?.communes).toBeUndefined();
    expect((await api.call('GET', '/coverage', { token: officer.token })).status).toBe(200);
    expect((await api.call('POST', '/producers', { token: officer.token, body: producerInput({ communeCode: '15772' }) })).status).toBe(403);
  });

  it('turns a department user into a cooperative user of one producer', async () => {
    const producer = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
    const other = await api.call('POST', '/producers', { token: api.adminToken, body: producerInput({ communeCode: '15772' }) });
    const user = await createUser({ role: 'department' });
    const res = await patch(user.id, { version: 1, role: 'cooperative', producerId: producer.body.id });
    expect(res).toMatchObject({ status: 200, body: { role: 'cooperative', producerId: producer.body.id } });
    expect((await api.call('GET', `/producers/${producer.body.id}`, { token: user.token })).status).toBe(200);
    expect((await api.call('GET', `/producers/${other.body.id}`, { token: user.token })).status).toBe(404);
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    expect((await patch(officer.id, { version: 1, communes: ['14758'] })).status).toBe(200);
    const before = await itemCount();
    const stale = await patch(officer.id, { version: 1, communes: ['15835'] });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    expect(await itemCount()).toBe(before);
    expect(await api.local.repositories.users.get(officer.id, { consistent: true })).toMatchObject({ communes: ['14758'], version: 2 });
  });

  it('refuses role and scope that do not fit, unknown communes and producers, a missing version, and an empty change — nothing stored', async () => {
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    const before = await itemCount();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ version: 1, role: 'cooperative' }, 'producerId', 'cooperative_needs_producer'],
      [{ version: 1, role: 'department', communes: ['15772'] }, 'communes', 'communes_only_for_officers'],
      [{ version: 1, producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D' }, 'producerId', 'producer_only_for_cooperatives'],
      [{ version: 1, role: 'cooperative', producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D' }, 'producerId', ''],
      [{ version: 1, communes: ['99999'] }, 'communes.0', ''],
      [{ version: 1, communes: [] }, 'communes', 'too_small'],
      [{ communes: ['14758'] }, 'version', 'version_required'],
      [{}, '(body)', 'nothing_to_change'],
      [{ version: 1, username: 'other' }, '(body)', 'unknown_field'],
    ];
    for (const [body, path, rule] of cases) {
      const res = await patch(officer.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors, JSON.stringify(body)).toContainEqual(expect.objectContaining({ path, ...(rule ? { rule } : {}) }));
    }
    expect(await itemCount()).toBe(before);
    expect(await api.local.repositories.users.get(officer.id, { consistent: true })).toMatchObject({ role: 'officer', communes: ['15772'], version: 1 });
  });

  it("refuses an administrator's change of its own role and a non-admin's change of anyone", async () => {
    const me = await api.call('GET', '/users?limit=100', { token: api.adminToken });
    const admin = (me.body.items as { username: string; id: string; version: number }[]).find((u) => u.username === 'admin')!;
    expect((await patch(admin.id, { version: admin.version, role: 'department' })).status).toBe(403);
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    expect((await patch(officer.id, { version: 1, communes: ['14758', '15772'] }, officer.token)).status).toBe(403);
    expect((await api.call('GET', '/auth/me', { token: api.adminToken })).body.role).toBe('admin');
  });

  it('edits an account stored before users had versions (it reads as version 1)', async () => {
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    const key = { PK: `${api.local.table.prefix}USER#${officer.id}`, SK: 'META' };
    const { Item } = await api.local.table.doc.send(new GetCommand({ TableName: api.tableName, Key: key }));
    const { version: _v, ...legacy } = Item!;
    await api.local.table.doc.send(new PutCommand({ TableName: api.tableName, Item: legacy }));
    const listed = await api.call('GET', '/users?limit=100', { token: api.adminToken });
    expect((listed.body.items as { id: string }[]).find((u) => u.id === officer.id)).toMatchObject({ version: 1 });
    expect(await patch(officer.id, { version: 1, communes: ['14758'] })).toMatchObject({ status: 200, body: { version: 2, communes: ['14758'] } });
    expect((await patch(officer.id, { version: 1, communes: ['15835'] })).status).toBe(409);
  });

  it('disables without a version, keeping role and scope, and bumps the version', async () => {
    const officer = await createUser({ role: 'officer', communes: ['15772'] });
    expect(await patch(officer.id, { disabled: true })).toMatchObject({ status: 200, body: { disabled: true, communes: ['15772'], version: 2 } });
    expect((await patch(officer.id, { version: 1, disabled: false })).status).toBe(409);
    expect(await patch(officer.id, { version: 2, disabled: false, communes: ['14758'] })).toMatchObject({ status: 200, body: { disabled: false, communes: ['14758'], version: 3 } });
  });
});
