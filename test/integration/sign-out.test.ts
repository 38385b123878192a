import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiApp } from '#functions/api/app.ts';
import type { Services } from '#functions/api/compose.ts';
import { cognitoServices } from '#test/support/cognito-services.ts';
import { createTestApi, type Api } from '#test/support/harness.ts';
import { startAwsStandIns, type AwsStandIns } from '../infra/aws-stand-ins.ts';

let api: Api;
let base: number;

beforeAll(async () => {
  api = await createTestApi();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Starts a stretch of time `ahead` ms past the next whole second, so that no two tests share a second. */
const startAhead = (ahead: number) => () => void (base = Math.ceil(Date.now() / 1000) * 1000 + ahead);

/** Freezes the clock `ms` into that stretch, so a test decides which second each token is issued in. */
function at(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(base + ms);
}

async function newUser(role = 'department') {
  const username = `u${randomUUID().slice(0, 8)}`;
  const created = await api.call('POST', '/users', { token: api.adminToken, body: { username, password: 'password-123', role } });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, username, login: () => api.login(username, 'password-123') };
}

const me = (token: string) => api.call('GET', '/auth/me', { token });
const logout = (token: string) => api.call('POST', '/auth/logout', { token });
const storedUser = async (id: string) => (await api.local.table.doc.send(new GetCommand({ TableName: api.tableName, Key: { PK: `P#38#USER#${id}`, SK: 'META' }, ConsistentRead: true }))).Item;

describe('POST /auth/logout (local mode)', () => {
  beforeAll(startAhead(60_000));

  it('refuses every token of the caller issued before it with 401 SESSION_ENDED, on every device, at once despite the principal cache', async () => {
    const user = await newUser();
    at(100);
    const phone = await user.login();
    const laptop = await user.login();
    expect((await me(phone)).status).toBe(200);
    expect((await me(laptop)).status).toBe(200);

    at(2_300);
    const out = await logout(laptop);
    expect(out.status).toBe(204);
    expect(out.body).toBeNull();

    for (const token of [phone, laptop]) {
      const refused = await me(token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 401, code: 'SESSION_ENDED' });
      expect((await api.call('GET', '/producers', { token })).body.code).toBe('SESSION_ENDED');
    }
  });

  it('accepts a new sign-in, also one in the same second right after the sign-out', async () => {
    const user = await newUser();
    at(4_900);
    const old = await user.login();
    at(5_100);
    expect((await logout(old)).status).toBe(204);
    at(5_800);
    const sameSecond = await user.login();
    expect(decodeJwt(sameSecond).iat).toBe((base + 5_000) / 1000);
    expect((await me(sameSecond)).status).toBe(200);
    at(7_000);
    const later = await user.login();
    expect((await me(later)).status).toBe(200);
    expect((await me(old)).body.code).toBe('SESSION_ENDED');
  });

  it('leaves the sessions of other users alone', async () => {
    const [user, other] = [await newUser(), await newUser()];
    at(9_100);
    const mine = await user.login();
    const theirs = await other.login();
    at(10_100);
    expect((await logout(mine)).status).toBe(204);
    expect((await me(theirs)).status).toBe(200);
    expect((await me(api.adminToken)).status).toBe(200);
    expect(await storedUser(other.id)).not.toHaveProperty('tokensValidAfter');
  });

  it('is idempotent: the ended session’s token signs out again with 204 and changes nothing, a later session signs out as the first', async () => {
    const user = await newUser();
    at(12_100);
    const old = await user.login();
    at(13_100);
    expect((await logout(old)).status).toBe(204);
    const ended = (await storedUser(user.id))?.tokensValidAfter;
    expect(ended).toBe(new Date(base + 13_000).toISOString());
    at(14_100);
    const fresh = await user.login();
    at(15_100);
    expect((await logout(old)).status).toBe(204);
    expect((await storedUser(user.id))?.tokensValidAfter).toBe(ended);
    expect((await me(fresh)).status).toBe(200);

    expect((await logout(fresh)).status).toBe(204);
    expect((await me(fresh)).body.code).toBe('SESSION_ENDED');
    expect((await storedUser(user.id))?.tokensValidAfter).toBe(new Date(base + 15_000).toISOString());
  });

  it('needs a valid token, and never shows when sessions ended', async () => {
    expect((await api.call('POST', '/auth/logout')).body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await api.call('POST', '/auth/logout', { token: 'not.a.token' })).status).toBe(401);
    const user = await newUser();
    at(17_100);
    expect((await logout(await user.login())).status).toBe(204);
    const listed = await api.call('GET', '/users?limit=100', { token: api.adminToken });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('tokensValidAfter');
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.body.paths['/auth/logout'].post.responses).toHaveProperty('204');
  });
});

describe('disabling a user ends its sessions', () => {
  beforeAll(startAhead(120_000));

  it('so its old tokens stay refused when it is enabled again, while a new sign-in works', async () => {
    const user = await newUser();
    at(100);
    const old = await user.login();
    at(1_100);
    expect((await api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { disabled: true } })).status).toBe(200);
    expect((await api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { disabled: false } })).body).toMatchObject({ disabled: false });
    expect((await me(old)).body).toMatchObject({ status: 401, code: 'SESSION_ENDED' });
    expect((await me(await user.login())).status).toBe(200);
    const audit = await api.local.repositories.audit.listForEntity('user', user.id);
    expect(JSON.stringify(audit)).not.toContain('tokensValidAfter');
  });
});

describe('the user record’s end of sessions', () => {
  it('only moves forward, and is not written for a user that does not exist', async () => {
    const user = await newUser();
    await api.local.repositories.users.endSessions(user.id, '2030-01-01T00:00:10.000Z');
    await api.local.repositories.users.endSessions(user.id, '2030-01-01T00:00:09.000Z');
    expect((await api.local.repositories.users.get(user.id))?.tokensValidAfter).toBe('2030-01-01T00:00:10.000Z');
    const ghost = randomUUID();
    await api.local.repositories.users.endSessions(ghost, '2030-01-01T00:00:10.000Z');
    expect(await storedUser(ghost)).toBeUndefined();
  });
});

describe("POST /users/{id}/sign-in-reset (local mode)", () => {
  beforeAll(startAhead(240_000));
  const reset = (id: string, body: unknown, token = api.adminToken) => api.call('POST', `/users/${id}/sign-in-reset`, { token, body });

  it('gives the user the new password instead of the old one, ends its sessions and records who reset it, without the password', async () => {
    const user = await newUser();
    at(100);
    const old = await user.login();
    const hashBefore = (await storedUser(user.id))?.passwordHash;
    at(1_100);
    const res = await reset(user.id, { password: 'new-password-456' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, username: user.username, disabled: false });
    expect(JSON.stringify(res.body)).not.toMatch(/password|tokensValidAfter/i);

    expect((await me(old)).body).toMatchObject({ status: 401, code: 'SESSION_ENDED' });
    expect((await api.call('POST', '/auth/login', { body: { username: user.username, password: 'password-123' } })).status).toBe(401);
    at(2_100);
    expect((await me(await api.login(user.username, 'new-password-456'))).status).toBe(200);

    const stored = await storedUser(user.id);
    expect(stored?.passwordHash).not.toBe(hashBefore);
    expect(JSON.stringify(stored)).not.toContain('new-password-456');
    const events = await api.local.repositories.audit.listForEntity('user', user.id);
    const resets = events.filter((e) => e.action === 'reset-sign-in');
    expect(resets).toHaveLength(1);
    expect(resets[0]).toMatchObject({ actor: { username: 'admin' }, after: { authenticator: false } });
    expect(JSON.stringify(events)).not.toMatch(/new-password-456|passwordHash/);
  });

  it('keeps a disabled user disabled', async () => {
    const user = await newUser();
    expect((await api.call('PATCH', `/users/${user.id}`, { token: api.adminToken, body: { disabled: true } })).status).toBe(200);
    expect((await reset(user.id, { password: 'new-password-456' })).body).toMatchObject({ disabled: true });
    expect((await api.call('POST', '/auth/login', { body: { username: user.username, password: 'new-password-456' } })).status).toBe(401);
  });

  it('refuses a bad password, unknown fields, an unknown user, its own account and a non-admin — problem+json, nothing changed', async () => {
    const user = await newUser();
    const other = await newUser();
    const before = await storedUser(user.id);
    for (const body of [{ password: 'short' }, {}, { password: 'new-password-456', role: 'admin' }, { password: 'new-password-456', authenticator: 'yes' }]) {
      const res = await reset(user.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await reset(randomUUID(), { password: 'new-password-456' })).body).toMatchObject({ status: 404 });
    const self = (await api.call('GET', '/auth/me', { token: api.adminToken })).body.id as string;
    expect((await reset(self, { password: 'new-password-456' })).body).toMatchObject({ status: 403 });
    expect((await reset(user.id, { password: 'new-password-456' }, await other.login())).body).toMatchObject({ status: 403 });

    expect(await storedUser(user.id)).toEqual(before);
    expect((await api.local.repositories.audit.listForEntity('user', user.id)).filter((e) => e.action === 'reset-sign-in')).toEqual([]);
    expect((await api.call('POST', '/auth/login', { body: { username: user.username, password: 'password-123' } })).status).toBe(200);
    expect((await api.call('POST', '/auth/login', { body: { username: 'admin', password: 'new-password-456' } })).status).toBe(401);
  });
});

describe('POST /auth/logout in the cloud (Cognito access tokens)', () => {
  let aws: AwsStandIns;
  let services: Services;
  let app: ReturnType<typeof createApiApp>;
  let adminToken: string;
  const system = { principal: { sub: 'system', username: 'system', role: 'admin' as const, communes: [] } };

  beforeAll(async () => {
    aws = await startAwsStandIns();
    services = cognitoServices(api, aws);
    app = createApiApp(services);
    const admin = await services.users.create(system, { username: `cloud.admin.${randomUUID().slice(0, 6)}`, password: 'Strong-passw0rd!', role: 'admin' });
    adminToken = await aws.signToken(admin.id);
    startAhead(180_000)();
  });

  afterAll(async () => {
    await aws?.close();
  });

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await app.request(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('passes the issue time of a Cognito access token (RS256) through the verifier', async () => {
    at(100);
    const token = await aws.signToken(randomUUID());
    expect(await services.verify(token)).toMatchObject({ iat: base / 1000 });
  });

  it('signs the user out at Cognito and refuses its earlier access tokens, but not one issued in the same second after', async () => {
    const username = `canbo.${randomUUID().slice(0, 6)}`;
    const { id } = await services.users.create(system, { username, password: 'Strong-passw0rd!', role: 'officer', communes: ['15772'] });
    at(2_400);
    const old = await aws.signToken(id);
    expect((await call('GET', '/auth/me', old)).status).toBe(200);

    at(3_200);
    const callsBefore = aws.calls.length;
    expect((await call('POST', '/auth/logout', old)).status).toBe(204);
    expect(aws.calls.slice(callsBefore)).toContain('AWSCognitoIdentityProviderService.AdminUserGlobalSignOut');
    expect((await call('GET', '/auth/me', old)).body).toMatchObject({ status: 401, code: 'SESSION_ENDED' });

    at(3_900);
    const renewed = await aws.signToken(id);
    expect((await call('GET', '/auth/me', renewed)).status).toBe(200);
  });
  it("resets a user's sign-in at Cognito: a temporary password to replace at the next sign-in, the authenticator app forgotten when asked, sessions ended", async () => {
    const username = `canbo.${randomUUID().slice(0, 6)}`;
    const { id } = await services.users.create(system, { username, password: 'Strong-passw0rd!', role: 'officer', communes: ['15772'] });
    const standIn = aws.users.get(username)!;
    standIn.totpSecret = 'JBSWY3DPEHPK3PXP';
    at(10_100);
    const old = await aws.signToken(id);
    at(11_100);
    const callsBefore = aws.calls.length;
    const kept = await call('POST', `/users/${id}/sign-in-reset`, adminToken, { password: 'Temp-passw0rd!1' });
    expect(kept.status).toBe(200);
    expect(aws.calls.slice(callsBefore)).toEqual(['AWSCognitoIdentityProviderService.AdminSetUserPassword', 'AWSCognitoIdentityProviderService.AdminUserGlobalSignOut']);
    expect(standIn).toMatchObject({ password: 'Temp-passw0rd!1', mustChangePassword: true, totpSecret: 'JBSWY3DPEHPK3PXP' });
    expect((await call('GET', '/auth/me', old)).body).toMatchObject({ status: 401, code: 'SESSION_ENDED' });

    expect((await call('POST', `/users/${id}/sign-in-reset`, adminToken, { password: 'Temp-passw0rd!2', authenticator: true })).status).toBe(200);
    expect(standIn.totpSecret).toBeUndefined();
    expect(aws.calls).toContain('AWSCognitoIdentityProviderService.AdminDeleteSoftwareToken');
    // Asking again, with no authenticator left to forget, is not a failure.
    expect((await call('POST', `/users/${id}/sign-in-reset`, adminToken, { password: 'Temp-passw0rd!3', authenticator: true })).status).toBe(200);
    expect(JSON.stringify((await api.local.repositories.users.get(id)) ?? {})).not.toContain('passwordHash');
  });

  it('answers 404, not 500, for a user the table has but the pool has lost', async () => {
    const username = `canbo.${randomUUID().slice(0, 6)}`;
    const { id } = await services.users.create(system, { username, password: 'Strong-passw0rd!', role: 'officer', communes: ['15772'] });
    aws.users.delete(username);
    const res = await call('POST', `/users/${id}/sign-in-reset`, adminToken, { password: 'Temp-passw0rd!1' });
    expect(res.status).toBe(404);
  });

  it("refuses a password the pool's policy refuses, with 400 on the password and the user's sessions left alone", async () => {
    const username = `canbo.${randomUUID().slice(0, 6)}`;
    const { id } = await services.users.create(system, { username, password: 'Strong-passw0rd!', role: 'officer', communes: ['15772'] });
    at(20_100);
    const token = await aws.signToken(id);
    at(21_100);
    const refused = await call('POST', `/users/${id}/sign-in-reset`, adminToken, { password: 'alllowercase-long' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'password' })]);
    expect(aws.users.get(username)).toMatchObject({ password: 'Strong-passw0rd!' });
    expect((await call('GET', '/auth/me', token)).status).toBe(200);
  });
});
