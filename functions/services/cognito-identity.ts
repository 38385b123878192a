import {
  AdminCreateUserCommand,
  AdminDeleteSoftwareTokenCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  AliasExistsException,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  InvalidPasswordException,
  ResourceNotFoundException,
  SoftwareTokenMFANotFoundException,
  TooManyRequestsException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppError, ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '#functions/core/errors.ts';
import type { IdentityProvider, TokenVerifier } from './auth-service.ts';

/**
 * Verifies the bearer tokens the web app sends in the cloud: Cognito **access tokens** of the
 * web client. An access token has no `aud`; it names its app client in `client_id` and says
 * `token_use: "access"` (an ID token has `aud` = the client id and `token_use: "id"`, and is
 * refused here: it is meant for the client, not for APIs). API Gateway's JWT authorizer,
 * configured with the client id as its audience, accepts the same tokens, because it checks
 * `client_id` when `aud` is absent. Cognito signs with RS256; nothing else is accepted.
 */
export function createCognitoTokenVerifier(getKey: JWTVerifyGetKey, opts: { issuer: string; clientId: string }): TokenVerifier {
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, { issuer: opts.issuer, algorithms: ['RS256'] }));
    } catch {
      throw new UnauthenticatedError('The token is invalid or expired');
    }
    if (payload.token_use !== 'access' || payload.client_id !== opts.clientId) throw new UnauthenticatedError('Send the access token of the web client');
    if (typeof payload.sub !== 'string' || !payload.sub) throw new UnauthenticatedError('The token names no subject');
    if (typeof payload.iat !== 'number') throw new UnauthenticatedError('The token has no issue time');
    return { sub: payload.sub, iat: payload.iat };
  };
}

/** A Cognito identity provider, with the admin operations the users API and `create-admin` need. */
export type CognitoIdentity = IdentityProvider & {
  /**
   * Creates the Cognito user `username` with a permanent password and returns its `sub`. No
   * invitation is sent (the administrator hands the password over, as locally); with `email`
   * the address is stored as verified so the user can recover the account by email.
   */
  createIdentity(username: string, password: string, opts?: { email?: string }): Promise<{ sub: string }>;
  /** Blocks sign-in and revokes the user's refresh tokens (access tokens live out their hour). */
  disableIdentity(username: string): Promise<void>;
  enableIdentity(username: string): Promise<void>;
  /** Deletes the Cognito user, e.g. when the table write that should follow its creation failed. */
  deleteIdentity(username: string): Promise<void>;
  /** Revokes the user's refresh tokens (AdminUserGlobalSignOut); its access tokens are refused by the API through the user record. */
  signOutEverywhere(username: string): Promise<void>;
  /**
   * Sets a temporary password (the user's status becomes FORCE_CHANGE_PASSWORD: the next sign-in
   * asks for a new one), with `authenticator` deletes the user's TOTP software token (the pool
   * requires MFA, so the next sign-in sets up a new one), then revokes its refresh tokens.
   */
  resetSignIn(username: string, password: string, opts: { authenticator: boolean }): Promise<{ passwordHash?: string }>;
};

/** Identities in a Cognito user pool, created by an administrator (the pool allows no self sign-up). */
export function createCognitoIdentity(opts: { userPoolId: string; region?: string; client?: CognitoIdentityProviderClient }): CognitoIdentity {
  const UserPoolId = opts.userPoolId;
  const client = opts.client ?? new CognitoIdentityProviderClient({ region: opts.region });
  /** Runs `calls` in order, turning Cognito's refusals into the API's errors (a refused parameter named as `field`). */
  const run = async (username: string, calls: (() => Promise<unknown>)[], field = 'username') => {
    try {
      for (const call of calls) await call();
    } catch (e) {
      throw translate(e, username, field);
    }
  };
  return {
    async createIdentity(username: string, password: string, createOpts: { email?: string } = {}) {
      let sub: string | undefined;
      try {
        const created = await client.send(
          new AdminCreateUserCommand({
            UserPoolId,
            Username: username,
            MessageAction: 'SUPPRESS',
            UserAttributes: createOpts.email
              ? [
                  { Name: 'email', Value: createOpts.email },
                  { Name: 'email_verified', Value: 'true' },
                ]
              : undefined,
          }),
        );
        sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
        if (!sub) throw new Error('Cognito created the user without a sub');
        await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true }));
        return { sub };
      } catch (e) {
        // Never leave a half-made identity behind (e.g. a password the pool's policy refuses).
        if (sub) await client.send(new AdminDeleteUserCommand({ UserPoolId, Username: username })).catch(() => undefined);
        throw translate(e, username);
      }
    },
    disableIdentity: (username) =>
      run(username, [
        () => client.send(new AdminDisableUserCommand({ UserPoolId, Username: username })),
        () => client.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: username })),
      ]),
    enableIdentity: (username) => run(username, [() => client.send(new AdminEnableUserCommand({ UserPoolId, Username: username }))]),
    deleteIdentity: (username) => run(username, [() => client.send(new AdminDeleteUserCommand({ UserPoolId, Username: username }))]),
    signOutEverywhere: (username) => run(username, [() => client.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: username }))]),
    async resetSignIn(username, password, { authenticator }) {
      await run(
        username,
        [
          () => client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: false })),
          // A user who never set up an authenticator has none to forget: that is not a failure.
          ...(authenticator ? [() => client.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId, Username: username })).catch(ignore(ResourceNotFoundException, SoftwareTokenMFANotFoundException))] : []),
          () => client.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username: username })),
        ],
        'password',
      );
      return {};
    },
  };
}

/** A rejection handler that swallows the given exception classes and rethrows anything else. */
const ignore =
  (...classes: (abstract new (...args: never[]) => Error)[]) =>
  (e: unknown) => {
    if (!classes.some((c) => e instanceof c)) throw e;
  };

/** Cognito's refusals as the API's errors, told apart by exception class, never by message. */
function translate(e: unknown, username: string, field = 'username'): unknown {
  if (e instanceof UsernameExistsException) return new ConflictError('USERNAME_TAKEN', `The username ${username} is taken`);
  if (e instanceof AliasExistsException) return new ConflictError('USERNAME_TAKEN', 'Another account uses this email address');
  if (e instanceof InvalidPasswordException) return new ValidationError([{ path: 'password', message: e.message }], 'The password does not meet the sign-in policy');
  if (e instanceof InvalidParameterException) return new ValidationError([{ path: field, message: e.message }], 'The identity provider refused the request');
  if (e instanceof UserNotFoundException) return new NotFoundError('User');
  if (e instanceof TooManyRequestsException) return new AppError(503, 'SERVICE_UNAVAILABLE', 'The identity provider is busy; retry shortly', { retryAfterSeconds: 1 });
  return e;
}
