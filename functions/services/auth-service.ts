import { SignJWT, jwtVerify, type JWK, type JWTVerifyGetKey, importJWK, createLocalJWKSet } from 'jose';
import { InvalidCredentialsError, UnauthenticatedError } from '#functions/core/errors.ts';
import { hashPassword, verifyPassword } from '#functions/core/passwords.ts';
import type { UserRecord, UserRepository } from '#functions/repositories/user-repository.ts';
import type { Principal } from './principal.ts';

/** Checks a bearer token against a JWKS; the same code verifies local and Cognito tokens. */
export type TokenVerifier = (token: string) => Promise<{ sub: string }>;

export function createTokenVerifier(getKey: JWTVerifyGetKey, opts: { issuer: string; audience: string }): TokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, { issuer: opts.issuer, audience: opts.audience });
      if (!payload.sub) throw new UnauthenticatedError('The token names no subject');
      return { sub: payload.sub };
    } catch (e) {
      if (e instanceof UnauthenticatedError) throw e;
      throw new UnauthenticatedError('The token is invalid or expired');
    }
  };
}

/**
 * Where identities live: locally a scrypt hash on the user record, in the cloud Cognito.
 * The users API calls this and never knows which.
 */
export type IdentityProvider = {
  createIdentity(username: string, password: string): Promise<{ sub: string; passwordHash?: string }>;
  /** Blocks sign-in (Cognito: disables the user and revokes its refresh tokens). Locally the table's `disabled` flag is the whole story. */
  disableIdentity(username: string): Promise<void>;
  enableIdentity(username: string): Promise<void>;
  /** Removes an identity whose user record was never written (the table write after its creation failed). */
  deleteIdentity(username: string): Promise<void>;
  /** Local mode only: sign in with username and password, returning a bearer token. */
  signIn?(username: string, password: string): Promise<{ token: string; expiresAt: string; user: UserRecord }>;
};

export const LOCAL_ISSUER = 'ocop-onboard-local';
export const LOCAL_AUDIENCE = 'ocop-onboard';
const TOKEN_HOURS = 12;

export type LocalSigningKey = { privateJwk: JWK; publicJwk: JWK };

/** Local identities: scrypt-hashed passwords in the table, ES256 tokens signed with a key from the data folder. */
export async function createLocalIdentity(users: UserRepository, key: LocalSigningKey, newSub: () => string) {
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  const jwks = { keys: [{ ...key.publicJwk, alg: 'ES256', use: 'sig' }] };
  const provider: IdentityProvider = {
    async createIdentity(_username, password) {
      return { sub: newSub(), passwordHash: await hashPassword(password) };
    },
    // Local identities live on the user record itself: its `disabled` flag and its deletion are the table's.
    disableIdentity: async () => undefined,
    enableIdentity: async () => undefined,
    deleteIdentity: async () => undefined,
    async signIn(username, password) {
      const user = await users.getByUsername(username);
      const ok = user?.passwordHash && !user.disabled ? await verifyPassword(password, user.passwordHash) : await hashPassword(password).then(() => false);
      if (!user || !ok) throw new InvalidCredentialsError();
      const expires = new Date(Date.now() + TOKEN_HOURS * 3600_000);
      const token = await new SignJWT({ username: user.username })
        .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
        .setSubject(user.id)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expires.getTime() / 1000))
        .sign(privateKey);
      return { token, expiresAt: expires.toISOString(), user };
    },
  };
  const verify = createTokenVerifier(createLocalJWKSet(jwks), { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
  return { provider, verify, jwks };
}

const PRINCIPAL_CACHE_MS = 30_000;

/**
 * Turns a verified subject into a principal with its scope from the table. Cached for 30 s
 * per process, so a read costs one DynamoDB call, not two; a disabled user or a changed
 * scope takes effect within that time.
 */
export function createPrincipalResolver(users: UserRepository) {
  const cache = new Map<string, { at: number; principal: Principal | null }>();
  return {
    async resolve(sub: string): Promise<Principal> {
      const hit = cache.get(sub);
      let principal = hit && Date.now() - hit.at < PRINCIPAL_CACHE_MS ? hit.principal : undefined;
      if (principal === undefined) {
        const u = await users.get(sub);
        principal = u && !u.disabled ? { sub: u.id, username: u.username, role: u.role, communes: u.communes ?? [], producerId: u.producerId } : null;
        if (cache.size > 10_000) cache.clear();
        cache.set(sub, { at: Date.now(), principal });
      }
      if (!principal) throw new UnauthenticatedError('This account does not exist or is disabled');
      return principal;
    },
    forget(sub: string) {
      cache.delete(sub);
    },
  };
}
export type PrincipalResolver = ReturnType<typeof createPrincipalResolver>;
