import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '#functions/services/principal.ts';
import { cognitoServices, disablesHeldTogether } from '#test/support/cognito-services.ts';
import { ADMIN_PASSWORD, createTestApi, type Api } from '#test/support/harness.ts';
import { startAwsStandIns, type AwsStandIns } from '../infra/aws-stand-ins.ts';

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

describe('administrators in the cloud (Cognito)', () => {
  let aws: AwsStandIns;
  afterAll(async () => void (await aws?.close()));

  it('enables the Cognito identity again when a disable it had already sent is then refused as taking the last administrator', async () => {
    aws = await startAwsStandIns();
    // Both disables reach Cognito before either change is written: the race the admin-set revision settles.
    const services = cognitoServices(api, aws, disablesHeldTogether(2));
    const system: Principal = { sub: 'system', username: 'system', role: 'admin', communes: [] };
    const make = async () => {
      const u = await services.users.create({ principal: system }, { username: `cloud.admin.${randomUUID().slice(0, 6)}`, password: 'Strong-passw0rd!', role: 'admin' });
      return { ...u, principal: { sub: u.id, username: u.username, role: 'admin' as const, communes: [] } };
    };
    const [a, b] = [await make(), await make()];
    // Every other administrator of this table goes, so a and b are the only ones left.
    for (const other of await api.local.repositories.users.enabledAdmins()) {
      if (other.id !== a.id && other.id !== b.id) await services.users.update({ principal: a.principal }, other.id, { version: other.version, role: 'department' });
    }

    const outcomes = await Promise.allSettled([services.users.update({ principal: a.principal }, b.id, { disabled: true }), services.users.update({ principal: b.principal }, a.id, { disabled: true })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.findIndex((o) => o.status === 'rejected');
    expect((outcomes[refused] as PromiseRejectedResult).reason).toMatchObject({ code: 'LAST_ADMIN' });
    const [kept, gone] = refused === 0 ? [b, a] : [a, b];
    expect(aws.users.get(kept.username)!.enabled).toBe(true);
    expect(aws.users.get(gone.username)!.enabled).toBe(false);
    expect((await api.local.repositories.users.enabledAdmins()).map((u) => u.id)).toEqual([kept.id]);
    // The refused disable ended none of the kept administrator's sessions; the one that went through ended the other's.
    expect((await api.local.repositories.users.get(kept.id, { consistent: true }))!.tokensValidAfter).toBeUndefined();
    expect((await api.local.repositories.users.get(gone.id, { consistent: true }))!.tokensValidAfter).toBeDefined();
  }, 60_000);
});
