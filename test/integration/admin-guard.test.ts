import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestApi, type Api } from '#test/support/harness.ts';

// The province always keeps an enabled administrator; signing in takes no Idempotency-Key.

let api: Api;
beforeAll(async () => void (api = await createTestApi()), 120_000);

async function createUser(body: Record<string, unknown>) {
  const username = `u${Math.random().toString(36).slice(2, 10)}`;
  const res = await api.call('POST', '/users', { token: api.adminToken, body: { username, password: 'password-123', ...body } });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, username, version: res.body.version as number, token: await api.login(username, 'password-123') };
}

const enabledAdmins = async () => (await api.local.repositories.users.enabledAdmins()).map((u) => u.id).sort();

describe('administrators', () => {
  it('answers a sign-in that carries an Idempotency-Key like any other (401 for a wrong password), not 500', async () => {
    const refused = await api.call('POST', '/auth/login', { body: { username: 'admin', password: 'wrong-password' }, headers: { 'idempotency-key': 'k1' } });
    expect(refused.status).toBe(401);
    const signedIn = await api.call('POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD }, headers: { 'idempotency-key': 'k2' } });
    expect(signedIn.status).toBe(200);
  });

  it('never lets two administrators take each other away at once: one change goes through, the other is 409 LAST_ADMIN', async () => {
    const a = await createUser({ role: 'admin' });
    const b = await createUser({ role: 'admin' });
    // Only a and b are enabled administrators now.
    const seeded = (await api.call('GET', '/auth/me', { token: api.adminToken })).body.id as string;
    const seededUser = await api.local.repositories.users.get(seeded, { consistent: true });
    expect((await api.call('PATCH', `/users/${seeded}`, { token: a.token, body: { version: seededUser!.version, disabled: true } })).status).toBe(200);
    expect(await enabledAdmins()).toEqual([a.id, b.id].sort());

    const [ra, rb] = await Promise.all([
      api.call('PATCH', `/users/${b.id}`, { token: a.token, body: { version: b.version, role: 'department' } }),
      api.call('PATCH', `/users/${a.id}`, { token: b.token, body: { version: a.version, disabled: true } }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    expect([ra, rb].find((r) => r.status === 409)!.body.code).toBe('LAST_ADMIN');
    expect(await enabledAdmins()).toHaveLength(1);

    // The one left cannot be taken away by anyone either.
    const [left] = await enabledAdmins();
    const other = left === a.id ? b : a;
    const leftUser = await api.local.repositories.users.get(left!, { consistent: true });
    const tryAgain = await api.call('PATCH', `/users/${left}`, { token: other.token, body: { version: leftUser!.version, role: 'department' } });
    expect([401, 403, 409]).toContain(tryAgain.status);
    expect(await enabledAdmins()).toEqual([left]);
  }, 60_000);
});
