import type { MiddlewareHandler } from 'hono';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '#functions/core/errors.ts';
import type { AppEnv } from '../app-env.ts';

export const MAX_JSON_BYTES = 256 * 1024;

/**
 * JSON bodies: must say application/json, stay under the size limit and parse (a request with
 * no body at all and no content type passes, for routes that take none). Runs before
 * validation so each failure gets its own problem code; the parsed body is cached by hono.
 */
export function jsonBody(opts: { rawBodyPaths?: RegExp[] } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(c.req.method)) return next();
    if (opts.rawBodyPaths?.some((re) => re.test(c.req.path))) return next();
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > MAX_JSON_BYTES) throw new PayloadTooLargeError(MAX_JSON_BYTES);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
      // Nothing sent at all (`POST /auth/logout`): no body to check; a route that needs one says so in its validation.
      if (!type && !(await c.req.text())) return next();
      throw new UnsupportedMediaTypeError();
    }
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new PayloadTooLargeError(MAX_JSON_BYTES);
    try {
      JSON.parse(text);
    } catch {
      throw new MalformedJsonError();
    }
    return next();
  };
}
