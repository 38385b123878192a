import type { MiddlewareHandler } from 'hono';
import { AppError, ValidationError } from '#functions/core/errors.ts';
import { handleError } from './errors.ts';
import type { IdempotencyRepository } from '#functions/repositories/idempotency-repository.ts';
import type { AppEnv } from '../app-env.ts';

/**
 * `Idempotency-Key` on writes: a key seen before answers with the stored first result; a new
 * key is handed to the service, which stores the result in the same transaction as the change.
 */
export function idempotency(repo: IdempotencyRepository, opts: { fingerprint: (request: string) => string; rawBodyPaths?: RegExp[] }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    // Keys are kept per caller: a route open to anyone (signing in) has none, and nothing to replay.
    if (key === undefined || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(c.req.method) || !c.get('principal')) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new ValidationError([{ path: 'Idempotency-Key', message: '1–255 visible ASCII characters' }]);
    // A file sent as a raw body (an import's spreadsheet) is not replayed: its route checks the import's state instead.
    if (opts.rawBodyPaths?.some((p) => p.test(c.req.path))) return next();
    const body = ['POST', 'PUT', 'PATCH'].includes(c.req.method) ? await c.req.text() : '';
    const fingerprint = opts.fingerprint(`${c.req.method} ${c.req.path}\n${body}`);
    const claim = { key, fingerprint };
    const replay = await repo.find(c.get('principal').sub, claim);
    if (replay) throw replay;
    c.set('idempotency', claim);
    await next();
    if (c.error instanceof AppError) {
      // A concurrent twin with the same key may have won while this one failed a check
      // that the twin's write made true (e.g. "looks like a duplicate"): answer as the twin.
      const twin = await repo.find(c.get('principal').sub, claim).catch(() => undefined);
      if (twin) c.res = handleError(twin, c);
    }
  };
}
