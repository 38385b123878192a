import { SignJWT, jwtVerify, type JWK, type JWTVerifyGetKey, importJWK, createLocalJWKSet } from 'jose';
import { InvalidCredentialsError, SessionEndedError, UnauthenticatedError } from '#functions/core/errors.ts';
import { hashPassword, verifyPassword } from '#functions/core/passwords.ts';
import type { UserRecord, UserRepository } from '#functions/repositories/user-repository.ts';
import type { Principal } from './principal.ts';

/** What a verified bearer token says: whose it is, and when it was issued (JWT `iat`, whole seconds since the epoch). */
export type VerifiedToken = { sub: string; iat: number };

/** Checks a bearer token against a JWKS; the same code verifies local and Cognito tokens. */
export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export function createTokenVerifier(getKey: JWTVerifyGetKey, opts: { issuer: string; audience: string }): TokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, getKey, { issuer: opts.issuer, audience: opts.audience });
      if (!payload.sub) throw new UnauthenticatedError('The token names no subject');
      if (typeof payload.iat !== 'number') throw new UnauthenticatedError('The token has no issue time');
      return { sub: payload.sub, iat: payload.iat };
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
  /** Ends every session of the user where it signs in (Cognito: its refresh tokens stop working). Locally nothing: the user record's `tokensValidAfter` is the whole story. */
  signOutEverywhere(username: string): Promise<void>;
  /**
   * Gives the user `password` to sign in with (Cognito: a temporary one, replaced at the next
   * sign-in; with `authenticator` its authenticator app is forgotten too, and a new one is set
   * up then). Locally returns the hash for the user record, where the password lives; local
   * sign-in has no second factor.
   */
  resetSignIn(username: string, password: string, opts: { authenticator: boolean }): Promise<{ passwordHash?: string }>;
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
    signOutEverywhere: async () => undefined,
    resetSignIn: async (_username, password) => ({ passwordHash: await hashPassword(password) }),
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
 * The instant a user's sessions end at, when they are ended at `now`: the start of that whole
 * second (ISO). A token's `iat` has whole seconds only, so the sign-in right after a sign-out,
 * in the same second, must still count as after it; the price is that a token issued earlier in
 * that same second counts as after it too.
 */
export function sessionsEndAt(now = Date.now()): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString();
}

/** Whether a token issued at `iat` (seconds) belongs to a session ended at `tokensValidAfter` (see `sessionsEndAt`). */
function issuedBefore(iat: number, tokensValidAfter: string | undefined): boolean {
  return tokensValidAfter !== undefined && iat < Math.floor(Date.parse(tokensValidAfter) / 1000);
}

type Cached = { at: number; principal: Principal | null; tokensValidAfter?: string };

/**
 * Turns a verified token into a principal with its scope from the table. Cached for 30 s per
 * process, so a read costs one DynamoDB call, not two: a disabled user, a changed scope or
 * ended sessions take effect within that time — in the process that made the change at once,
 * as it calls `forget` (the read is strongly consistent, so it sees a change just written).
 */
export function createPrincipalResolver(users: UserRepository) {
  const cache = new Map<string, Cached>();
  // Counts `forget` calls: a read that was already under way when one came is not cached.
  let forgets = 0;
  const lookup = async (sub: string): Promise<Cached> => {
    const hit = cache.get(sub);
    if (hit && Date.now() - hit.at < PRINCIPAL_CACHE_MS) return hit;
    const seen = forgets;
    const u = await users.get(sub, { consistent: true });
    const entry: Cached = {
      at: Date.now(),
      principal: u && !u.disabled ? { sub: u.id, username: u.username, role: u.role, communes: u.communes ?? [], producerId: u.producerId } : null,
      ...(u?.tokensValidAfter ? { tokensValidAfter: u.tokensValidAfter } : {}),
    };
    if (seen === forgets) {
      if (cache.size > 10_000) cache.clear();
      cache.set(sub, entry);
    }
    return entry;
  };
  /** The token's principal, and whether its session has since been ended (signed out everywhere, or the user disabled). Throws for an unknown or disabled user. */
  const session = async (token: VerifiedToken): Promise<{ principal: Principal; ended: boolean }> => {
    const { principal, tokensValidAfter } = await lookup(token.sub);
    if (!principal) throw new UnauthenticatedError('This account does not exist or is disabled');
    return { principal, ended: issuedBefore(token.iat, tokensValidAfter) };
  };
  return {
    session,
    /** The token's principal; a token of an ended session is refused with SESSION_ENDED. */
    async resolve(token: VerifiedToken): Promise<Principal> {
      const { principal, ended } = await session(token);
      if (ended) throw new SessionEndedError();
      return principal;
    },
    forget(sub: string) {
      forgets += 1;
      cache.delete(sub);
    },
  };
}
export type PrincipalResolver = ReturnType<typeof createPrincipalResolver>;

/**
 * Signing out everywhere (`POST /auth/logout`): first at the identity provider (Cognito: no
 * refresh token of the user renews again), then on the user record, whose `tokensValidAfter`
 * makes the API refuse every token issued before (in this process at once, in other warm
 * Lambda processes within the principal cache's 30 s). Each step is idempotent, so a request
 * that failed half-way can simply be repeated.
 */
export function createSessionService(deps: { users: UserRepository; identity: IdentityProvider; principals: PrincipalResolver }) {
  const { users, identity, principals } = deps;
  return {
    async signOutEverywhere(p: Principal): Promise<void> {
      await identity.signOutEverywhere(p.username);
      await users.endSessions(p.sub, sessionsEndAt());
      principals.forget(p.sub);
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
