import type { MiddlewareHandler } from 'hono';
import { SessionEndedError, UnauthenticatedError } from '#functions/core/errors.ts';
import type { PrincipalResolver, TokenVerifier } from '#functions/services/auth-service.ts';
import type { AppEnv } from '../app-env.ts';

/**
 * Bearer token → verified subject → principal with its scope from the table. A token of a
 * session since ended is refused (401 SESSION_ENDED), except on `endedSessionPaths` (signing
 * out again), which get `sessionEnded` set instead.
 */
export function requireAuth(verify: TokenVerifier, principals: PrincipalResolver, opts: { endedSessionPaths?: ReadonlySet<string> } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError();
    const { principal, ended } = await principals.session(await verify(match[1]!));
    if (ended && !opts.endedSessionPaths?.has(c.req.path)) throw new SessionEndedError();
    c.set('principal', principal);
    c.set('sessionEnded', ended);
    return next();
  };
}
