import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtVerify, createRemoteJWKSet } from 'jose';
import { answerStep, CognitoError, refreshTokens, revokeRefreshToken, startSignIn, type SignInStep } from '../../web/src/core/cognito.ts';
import { cognitoTimestamp, padHex } from '../../web/src/core/srp.ts';
import type { CognitoAuthConfig } from '#shared/web-config.ts';
import { startAwsStandIns, type AwsStandIns } from './aws-stand-ins.ts';
import { totp } from './cognito-sign-in-stand-in.ts';

// The web app's Cognito sign-in (SRP, TOTP set-up and codes, refresh, revoke), run under Node
// against the stand-in that implements Cognito's side from the protocol.

let aws: AwsStandIns;
let cfg: CognitoAuthConfig;
beforeAll(async () => {
  aws = await startAwsStandIns();
  cfg = { mode: 'cognito', region: 'ap-southeast-1', userPoolId: aws.userPoolId, clientId: aws.clientId, tokenUse: 'access', endpoint: aws.endpoint };
});
afterAll(() => aws.close());

function addUser(username: string, extra: Partial<{ totpSecret: string; mustChangePassword: boolean; enabled: boolean }> = {}) {
  const user = { sub: crypto.randomUUID(), attributes: {} as Record<string, string>, password: 'Strong-passw0rd!', enabled: true, ...extra };
  aws.users.set(username, user);
  return user;
}

function expectStep<K extends SignInStep['kind']>(step: SignInStep, kind: K): Extract<SignInStep, { kind: K }> {
  expect(step.kind).toBe(kind);
  return step as Extract<SignInStep, { kind: K }>;
}

describe('SRP helpers', () => {
  it('encodes numbers as Cognito hashes them: even length, 00 before a set top bit', () => {
    expect([padHex(20n), padHex(56n), padHex(200n), padHex(236n), padHex(0xfffn), padHex(0x7fn)]).toEqual(['14', '38', '00c8', '00ec', '0fff', '7f']);
  });
  it("writes Cognito's timestamp with an unpadded day, in UTC", () => {
    expect(cognitoTimestamp(new Date('2026-11-02T01:05:09Z'))).toBe('Mon Nov 2 01:05:09 UTC 2026');
    expect(cognitoTimestamp(new Date('2026-01-22T23:59:59Z'))).toBe('Thu Jan 22 23:59:59 UTC 2026');
  });
});

describe('signing in with Cognito from the web app', () => {
  it('proves the password by SRP without sending it, sets up TOTP the first time, and gets an access token of the web client', async () => {
    const user = addUser('canbo.srp');
    const setup = expectStep(await startSignIn(cfg, 'Canbo.SRP', 'Strong-passw0rd!'), 'mfa-setup');
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUri).toBe(`otpauth://totp/OCOP%3Acanbo.srp?secret=${setup.secret}&issuer=OCOP`);
    await expect(answerStep(cfg, setup, '000000' === totp(setup.secret) ? '111111' : '000000')).rejects.toMatchObject({ type: 'EnableSoftwareTokenMFAException' });
    const done = expectStep(await answerStep(cfg, setup, totp(setup.secret)), 'done');
    const { payload } = await jwtVerify(done.tokens.accessToken, createRemoteJWKSet(new URL(aws.jwksUrl)), { issuer: aws.issuer });
    expect(payload).toMatchObject({ sub: user.sub, token_use: 'access', client_id: aws.clientId });
    expect(done.tokens.refreshToken).toBeTruthy();
    expect(Date.parse(done.tokens.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(aws.signInRequests.join('\n')).not.toContain('Strong-passw0rd!');
  });

  it('asks for the authenticator code once TOTP is set up, and refuses a wrong one', async () => {
    addUser('canbo.totp', { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
    const mfa = expectStep(await startSignIn(cfg, 'canbo.totp', 'Strong-passw0rd!'), 'mfa');
    const right = totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    await expect(answerStep(cfg, mfa, right === '123456' ? '654321' : '123456')).rejects.toMatchObject({ type: 'CodeMismatchException' });
    expect(expectStep(await answerStep(cfg, mfa, right), 'done').tokens.accessToken).toBeTruthy();
  });

  it('signs in by verified email too, proving the password for the username SRP names', async () => {
    const user = addUser('canbo.email', { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
    Object.assign(user.attributes, { email: 'canbo@thanhhoa.gov.vn', email_verified: 'true' });
    const mfa = expectStep(await startSignIn(cfg, 'Canbo@ThanhHoa.gov.vn', 'Strong-passw0rd!'), 'mfa');
    expect(mfa.username).toBe('canbo.email');
    expectStep(await answerStep(cfg, mfa, totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')), 'done');
  });

  it('refuses a wrong password, an unknown user and a disabled user alike', async () => {
    addUser('canbo.off', { enabled: false });
    for (const [u, p] of [['canbo.totp', 'Wrong-passw0rd!'], ['nobody', 'Strong-passw0rd!'], ['canbo.off', 'Strong-passw0rd!']] as const) {
      const err = await startSignIn(cfg, u, p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CognitoError);
      expect(err).toMatchObject({ type: 'NotAuthorizedException' });
    }
  });

  it('asks for a new password when the pool requires one, then goes on to TOTP', async () => {
    addUser('canbo.new', { mustChangePassword: true });
    const step = expectStep(await startSignIn(cfg, 'canbo.new', 'Strong-passw0rd!'), 'new-password');
    await expect(answerStep(cfg, step, 'short')).rejects.toMatchObject({ type: 'InvalidPasswordException' });
    expectStep(await answerStep(cfg, step, 'Another-passw0rd!'), 'mfa-setup');
  });

  it('renews the access token with the refresh token until it is revoked', async () => {
    addUser('canbo.refresh', { totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
    const mfa = expectStep(await startSignIn(cfg, 'canbo.refresh', 'Strong-passw0rd!'), 'mfa');
    const { tokens } = expectStep(await answerStep(cfg, mfa, totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')), 'done');
    const renewed = await refreshTokens(cfg, tokens.refreshToken!);
    expect(renewed.accessToken).toBeTruthy();
    expect(renewed.refreshToken).toBe(tokens.refreshToken);
    await revokeRefreshToken(cfg, tokens.refreshToken!);
    await expect(refreshTokens(cfg, tokens.refreshToken!)).rejects.toMatchObject({ type: 'NotAuthorizedException' });
  });
});
