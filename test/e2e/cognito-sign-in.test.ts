import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeServices, createRepositories, type Services } from '#functions/api/compose.ts';
import { createLocalBlobStore } from '#functions/core/blob-store.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createInProcessRunner } from '#functions/imports/import-service.ts';
import { ensureTable } from '#functions/local/dynamo-local.ts';
import { createLocalApp, listen } from '#functions/local/server.ts';
import { createLocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import { createCognitoIdentity, createCognitoTokenVerifier } from '#functions/services/cognito-identity.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { startAwsStandIns, type AwsStandIns } from '../infra/aws-stand-ins.ts';
import { totp } from '../infra/cognito-sign-in-stand-in.ts';
import { launchBrowser, shot } from './support.ts';

// The web app as deployed to the cloud: /config.json names a Cognito user pool, the browser
// signs in with it (SRP, first-time TOTP set-up, codes), the API accepts only Cognito access
// tokens. Cognito is the protocol stand-in (test/infra); the API, DynamoDB Local and Chromium are real.

let aws: AwsStandIns;
let services: Services;
let browser: Browser;
let url = '';
let close: () => void = () => undefined;
const PASSWORD = 'Strong-passw0rd!';

beforeAll(async () => {
  aws = await startAwsStandIns();
  const dataDir = await mkdtemp(join(tmpdir(), 'ocop-cognito-e2e-'));
  const tableName = `t-${randomUUID()}`;
  await ensureTable(inject('dynamoEndpoint'), tableName);
  const table = createTable(createDocumentClient({ region: 'local', endpoint: inject('dynamoEndpoint') }), tableName, '38');
  const keyring = createKeyring('k'.repeat(64));
  const client = new CognitoIdentityProviderClient({ region: 'ap-southeast-1', endpoint: aws.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  services = composeServices({
    table,
    repositories: createRepositories(table),
    keyring,
    identity: createCognitoIdentity({ userPoolId: aws.userPoolId, client }),
    verify: createCognitoTokenVerifier(createRemoteJWKSet(new URL(aws.jwksUrl)), { issuer: aws.issuer, clientId: aws.clientId }),
    blobs: createLocalBlobStore(join(dataDir, 'files')),
    runner: createInProcessRunner(),
    photoStore: createLocalPhotoStore({ dir: join(dataDir, 'photos'), keyring, apiBase: '/api/v1' }),
  });
  const system = { principal: { sub: 'system', username: 'system', role: 'admin' as const, communes: [] } };
  await services.users.create(system, { username: 'canbo.cloud', password: PASSWORD, role: 'officer', communes: ['15772'] });
  const webRoot = await buildWeb(join(dataDir, 'web'));
  const auth = { mode: 'cognito' as const, region: 'ap-southeast-1', userPoolId: aws.userPoolId, clientId: aws.clientId, tokenUse: 'access' as const, endpoint: aws.endpoint };
  const server = await listen(createLocalApp(services, webRoot, undefined, { apiBase: '/api/v1', auth }), 0);
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  close = () => server.close();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  close();
  await aws?.close();
});

async function signInWithPassword(page: Page, password = PASSWORD, username = 'canbo.cloud') {
  await page.goto(url);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}
const session = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('ocop.session') ?? 'null') as { token: string; expiresAt: string; refreshToken?: string } | null);
/** Makes the stored access token look expired (the JWT itself stays valid), as an hour later. */
const expireAccessToken = (page: Page) =>
  page.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem('ocop.session')!);
    localStorage.setItem('ocop.session', JSON.stringify({ ...saved, expiresAt: new Date(Date.now() - 1000).toISOString() }));
  });
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('signing in to the cloud deployment with Cognito (360 px phone)', () => {
  it('sets up the authenticator app at the first sign-in, then works with the Cognito access token; the password never reaches Cognito', async () => {
    const page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' })).newPage();
    await signInWithPassword(page);
    const secret = page.locator('.totp-secret');
    await secret.waitFor();
    await shot(page, 'cognito-01-totp-setup');
    const key = (await secret.getAttribute('data-secret'))!;
    expect(await page.getByRole('link', { name: /ứng dụng xác thực/ }).getAttribute('href')).toBe(`otpauth://totp/OCOP%3Acanbo.cloud?secret=${key}&issuer=OCOP`);
    await page.getByLabel('Mã xác thực').fill(totp(key) === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mã không đúng');
    await page.getByLabel('Mã xác thực').fill(totp(key));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => heading(page)).toBe('Xin chào, canbo.cloud');
    expect(await page.getByTestId('who').textContent()).toContain('Cán bộ');
    const s = (await session(page))!;
    expect(s.refreshToken).toBeTruthy();
    expect(JSON.parse(Buffer.from(s.token.split('.')[1]!, 'base64url').toString())).toMatchObject({ token_use: 'access', client_id: aws.clientId });
    expect(aws.signInRequests.join('\n')).not.toContain(PASSWORD);

    // An access token past its hour is renewed from the refresh token before the next request.
    const before = aws.signInRequests.length;
    await expireAccessToken(page);
    await page.goto(`${url}/#/producers`);
    await expect.poll(() => heading(page)).toMatch(/chủ thể/i);
    expect(aws.signInRequests.slice(before).some((r) => r.includes('REFRESH_TOKEN_AUTH'))).toBe(true);
    expect(Date.parse((await session(page))!.expiresAt)).toBeGreaterThan(Date.now() + 3000_000);

    // Signing out ends the session at the API, so a copy of the access token is refused, and revokes the refresh token at Cognito.
    const { token: accessToken, refreshToken } = (await session(page))!;
    // A token from the very second of the sign-out still counts (token times have whole seconds): this one is from an earlier second.
    const issuedAt = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).iat as number;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (issuedAt + 1) * 1000 - Date.now())));
    expect((await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => aws.signInRequests.some((r) => r.includes(refreshToken!) && r.includes('"Token"'))).toBe(true);
    expect(await session(page)).toBeNull();
    expect(aws.calls).toContain('AWSCognitoIdentityProviderService.AdminUserGlobalSignOut');
    const copied = await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(copied.status).toBe(401);
    expect(await copied.json()).toMatchObject({ code: 'SESSION_ENDED' });
  });

  it('keeps the session when renewal fails for a passing reason (Cognito busy, offline), restarts a sign-in whose session ran out, and signs out offline', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const page = await context.newPage();
    // Cognito's sign-in session runs out at the code step: back to the password, with a word why.
    let expireNext = true;
    await page.route(`${aws.endpoint}/**`, async (route) => {
      const target = route.request().headers()['x-amz-target'] ?? '';
      const body = route.request().postData() ?? '';
      if (expireNext && target.endsWith('.RespondToAuthChallenge') && body.includes('SOFTWARE_TOKEN_MFA')) {
        expireNext = false;
        return route.fulfill({ status: 400, headers: { 'access-control-allow-origin': '*', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' }) });
      }
      if (target.endsWith('.InitiateAuth') && body.includes('REFRESH_TOKEN_AUTH')) {
        return route.fulfill({ status: 500, headers: { 'access-control-allow-origin': '*', 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'InternalErrorException', message: 'busy' }) });
      }
      return route.continue();
    });
    const secret = () => aws.users.get('canbo.cloud')!.totpSecret!;
    await signInWithPassword(page);
    await page.getByLabel('Mã xác thực').fill(totp(secret()));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Phiên đăng nhập đã hết thời gian chờ');
    expect(await page.getByLabel('Tên đăng nhập').inputValue()).toBe('canbo.cloud');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByLabel('Mã xác thực').fill(totp(secret()));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => heading(page)).toBe('Xin chào, canbo.cloud');
    await page.goto(`${url}/#/producers`);
    await expect.poll(() => heading(page)).toMatch(/chủ thể/i);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

    // Cognito answers 500 to the renewal: the app goes on with the token it has (still valid at the API here).
    await expireAccessToken(page);
    await page.goto(`${url}/#/`);
    await page.goto(`${url}/#/producers`);
    await expect.poll(() => heading(page)).toMatch(/chủ thể/i);
    expect(await session(page)).not.toBeNull();

    // Offline with an expired token: the cached list still shows, and the session is kept for later.
    await context.setOffline(true);
    await page.goto(`${url}/#/`);
    await page.goto(`${url}/#/producers`);
    await expect.poll(() => heading(page)).toMatch(/chủ thể/i);
    expect(await session(page)).not.toBeNull();

    // Signing out offline: the API cannot be told, and the phone signs out all the same.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => heading(page)).toBe('Đăng nhập');
    expect(await session(page)).toBeNull();
    await context.setOffline(false);
    await context.close();
  });

  it('asks for the code at later sign-ins, explains a wrong password, and ends the session of a disabled user', async () => {
    const page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' })).newPage();
    await signInWithPassword(page, 'Wrong-passw0rd!');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Sai tên đăng nhập hoặc mật khẩu');

    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByLabel('Mã xác thực').fill(totp(aws.users.get('canbo.cloud')!.totpSecret!));
    await shot(page, 'cognito-02-code');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => heading(page)).toBe('Xin chào, canbo.cloud');

    // The administrator disables the user: the API refuses its token, renewal fails, the app returns to sign-in.
    const sub = aws.users.get('canbo.cloud')!.sub;
    await services.users.update({ principal: { sub: 'system', username: 'system', role: 'admin', communes: [] } }, sub, { disabled: true });
    await expireAccessToken(page);
    await page.goto(`${url}/#/producers`);
    await expect.poll(() => heading(page)).toBe('Đăng nhập');
    expect(await session(page)).toBeNull();
  });
  it('lets an administrator back in an officer who lost the phone: temporary password, a new password of its own, a new authenticator app', async () => {
    const system = { principal: { sub: 'system', username: 'system', role: 'admin' as const, communes: [] } };
    await services.users.create(system, { username: 'quantri.cloud', password: PASSWORD, role: 'admin' });
    await services.users.create(system, { username: 'canbo.matmay', password: PASSWORD, role: 'officer', communes: ['15772'] });
    const lostPhone = aws.users.get('canbo.matmay')!;
    lostPhone.totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

    const admin = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' })).newPage();
    await signInWithPassword(admin, PASSWORD, 'quantri.cloud');
    await admin.locator('.totp-secret').waitFor();
    await admin.getByLabel('Mã xác thực').fill(totp((await admin.locator('.totp-secret').getAttribute('data-secret'))!));
    await admin.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => heading(admin)).toBe('Xin chào, quantri.cloud');
    await admin.goto(`${url}/#/admin/users`);
    const label = 'Đặt lại đăng nhập của canbo.matmay';
    await admin.getByRole('button', { name: label }).click();
    const form = admin.getByRole('form', { name: label });
    // The pool's policy is checked before sending.
    await form.getByLabel(/^Mật khẩu tạm/).fill('alllowercase-long');
    await form.getByRole('button', { name: 'Đặt lại', exact: true }).click();
    expect(await form.locator('.field[data-path=password] .field-error').textContent()).toBe('Ít nhất 12 ký tự, có chữ thường, chữ hoa, chữ số và ký hiệu.');
    await form.getByLabel(/^Mật khẩu tạm/).fill('Tam-thoi-2026!');
    await form.getByRole('checkbox', { name: /Quên ứng dụng xác thực cũ/ }).check();
    await shot(admin, 'cognito-03-reset-sign-in');
    await form.getByRole('button', { name: 'Đặt lại', exact: true }).click();
    await expect.poll(() => admin.getByRole('status').filter({ hasText: 'Đã đặt lại đăng nhập của canbo.matmay' }).count()).toBeGreaterThan(0);
    expect(lostPhone).toMatchObject({ password: 'Tam-thoi-2026!', mustChangePassword: true });
    expect(lostPhone.totpSecret).toBeUndefined();

    // The officer, on a new phone: the temporary password, a password of its own, then a new authenticator.
    const officer = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' })).newPage();
    await signInWithPassword(officer, 'Tam-thoi-2026!', 'canbo.matmay');
    await officer.getByLabel('Mật khẩu mới').fill('Mat-khau-rieng-2026!');
    await officer.getByRole('button', { name: 'Đăng nhập' }).click();
    await officer.locator('.totp-secret').waitFor();
    await officer.getByLabel('Mã xác thực').fill(totp((await officer.locator('.totp-secret').getAttribute('data-secret'))!));
    await officer.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => heading(officer)).toBe('Xin chào, canbo.matmay');
    expect(lostPhone.password).toBe('Mat-khau-rieng-2026!');
  });
});
