/**
 * Signing in with the Cognito user pool, straight from the browser over Cognito's JSON API
 * (no SDK): SRP for the password, then whatever the pool asks next — a TOTP code, setting up
 * an authenticator app the first time (the pool requires MFA), or a new password. Refreshes
 * and revokes tokens. Cognito only proves who the user is; the API reads role and scope from
 * its own table (`/auth/me`).
 */
import { cognitoEndpoint, type CognitoAuthConfig } from '#shared/web-config.ts';
import { NetworkError } from './api.ts';
import { passwordClaim, srpStart, type PasswordVerifierChallenge } from './srp.ts';

/** A refusal from Cognito, by its exception name (`NotAuthorizedException`, `CodeMismatchException`, …). */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

export type Tokens = { accessToken: string; refreshToken?: string; expiresAt: string };

/** Where a sign-in stands: done, or waiting for the user to answer one more question. */
export type SignInStep =
  | { kind: 'done'; tokens: Tokens }
  | { kind: 'mfa'; username: string; session: string }
  | { kind: 'mfa-setup'; username: string; session: string; secret: string; otpauthUri: string }
  | { kind: 'new-password'; username: string; session: string };

type AuthResult = { AccessToken: string; RefreshToken?: string; ExpiresIn: number };
type ChallengeAnswer = { ChallengeName?: string; Session?: string; ChallengeParameters?: Record<string, string>; AuthenticationResult?: AuthResult };

async function call<T>(cfg: CognitoAuthConfig, action: string, body: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(cognitoEndpoint(cfg), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
  } catch (e) {
    throw new NetworkError(e);
  }
  const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  // Not Cognito's JSON (a Wi-Fi sign-in page, a proxy's error page): as good as no connection.
  if (!data || typeof data !== 'object') throw new NetworkError(new Error(`Cognito answered ${res.status} without JSON`));
  if (!res.ok) {
    const type = String(data.__type ?? res.headers.get('x-amzn-errortype') ?? 'UnknownError').replace(/^.*#/, '').replace(/:.*$/, '');
    throw new CognitoError(type, String(data.message ?? data.Message ?? res.statusText));
  }
  return data as T;
}

const tokensOf = (r: AuthResult, refreshToken = r.RefreshToken): Tokens => ({
  accessToken: r.AccessToken,
  ...(refreshToken ? { refreshToken } : {}),
  expiresAt: new Date(Date.now() + r.ExpiresIn * 1000).toISOString(),
});

/** Turns Cognito's answer into the next step; setting up TOTP starts here, with the secret to show. */
async function next(cfg: CognitoAuthConfig, username: string, answer: ChallengeAnswer): Promise<SignInStep> {
  if (answer.AuthenticationResult) return { kind: 'done', tokens: tokensOf(answer.AuthenticationResult) };
  const session = answer.Session ?? '';
  switch (answer.ChallengeName) {
    case 'SOFTWARE_TOKEN_MFA':
      return { kind: 'mfa', username, session };
    case 'NEW_PASSWORD_REQUIRED':
      return { kind: 'new-password', username, session };
    case 'MFA_SETUP': {
      const { SecretCode, Session } = await call<{ SecretCode: string; Session: string }>(cfg, 'AssociateSoftwareToken', { Session: session });
      const otpauthUri = `otpauth://totp/${encodeURIComponent(`OCOP:${username}`)}?secret=${SecretCode}&issuer=OCOP`;
      return { kind: 'mfa-setup', username, session: Session, secret: SecretCode, otpauthUri };
    }
    default:
      throw new CognitoError('UnsupportedChallenge', `Sign-in asked for ${answer.ChallengeName ?? 'nothing'}, which this app cannot answer`);
  }
}

/** Username and password, by SRP. */
export async function startSignIn(cfg: CognitoAuthConfig, username: string, password: string): Promise<SignInStep> {
  const { a, A } = srpStart();
  const init = await call<ChallengeAnswer>(cfg, 'InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: cfg.clientId, AuthParameters: { USERNAME: username, SRP_A: A.toString(16) } });
  if (init.ChallengeName !== 'PASSWORD_VERIFIER') return next(cfg, username, init);
  const challenge = init.ChallengeParameters as PasswordVerifierChallenge;
  const claim = await passwordClaim({ userPoolId: cfg.userPoolId, password, a, A, challenge });
  const answer = await call<ChallengeAnswer>(cfg, 'RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ClientId: cfg.clientId, ChallengeResponses: claim, Session: init.Session });
  // Later challenges name the user by the id SRP gave, which works whatever alias was typed.
  return next(cfg, challenge.USER_ID_FOR_SRP, answer);
}

/** Answers the step the user is on: a TOTP code (for `mfa` and `mfa-setup`) or a new password. */
export async function answerStep(cfg: CognitoAuthConfig, step: Exclude<SignInStep, { kind: 'done' }>, value: string): Promise<SignInStep> {
  const respond = (ChallengeName: string, responses: Record<string, string>, Session: string) =>
    call<ChallengeAnswer>(cfg, 'RespondToAuthChallenge', { ChallengeName, ClientId: cfg.clientId, ChallengeResponses: { USERNAME: step.username, ...responses }, Session });
  switch (step.kind) {
    case 'mfa':
      return next(cfg, step.username, await respond('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: value }, step.session));
    case 'new-password':
      return next(cfg, step.username, await respond('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: value }, step.session));
    case 'mfa-setup': {
      const verified = await call<{ Status: string; Session: string }>(cfg, 'VerifySoftwareToken', { Session: step.session, UserCode: value, FriendlyDeviceName: 'OCOP' });
      if (verified.Status !== 'SUCCESS') throw new CognitoError('CodeMismatchException', 'The code was not accepted');
      return next(cfg, step.username, await respond('MFA_SETUP', {}, verified.Session));
    }
  }
}

/** New access token from the refresh token (which Cognito does not rotate here, so it is kept). */
export async function refreshTokens(cfg: CognitoAuthConfig, refreshToken: string): Promise<Tokens> {
  const answer = await call<ChallengeAnswer>(cfg, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: cfg.clientId, AuthParameters: { REFRESH_TOKEN: refreshToken } });
  if (!answer.AuthenticationResult) throw new CognitoError('InvalidResponse', 'Cognito answered the renewal without tokens');
  return tokensOf(answer.AuthenticationResult, answer.AuthenticationResult.RefreshToken ?? refreshToken);
}

/**
 * Revokes the refresh token at sign-out: Cognito renews nothing from it again. The access
 * tokens already issued are ended by the API (`POST /auth/logout`, which also signs the user
 * out of Cognito everywhere); this covers a sign-out that could not reach the API.
 */
export async function revokeRefreshToken(cfg: CognitoAuthConfig, refreshToken: string): Promise<void> {
  await call(cfg, 'RevokeToken', { ClientId: cfg.clientId, Token: refreshToken });
}
