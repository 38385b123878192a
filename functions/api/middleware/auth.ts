import type { MiddlewareHandler } from 'hono';
import { UnauthenticatedError } from '#functions/core/errors.ts';
import type { PrincipalResolver, TokenVerifier } from '#functions/services/auth-service.ts';
import type { AppEnv } from '../app-env.ts';

/** Bearer token → verified subject → principal with its scope from the table. */
export function requireAuth(verify: TokenVerifier, principals: PrincipalResolver): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError();
    const { sub } = await verify(match[1]!);
    c.set('principal', await principals.resolve(sub));
    return next();
  };
}
