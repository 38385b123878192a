import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX, compress } from 'hono/compress';

/** Answers smaller than this go as they are: gzip would save next to nothing. */
const THRESHOLD_BYTES = 1024;

/**
 * Gzips (or deflates) text and JSON answers of 1 KB and more when the client accepts it, with
 * `Vary: Accept-Encoding`. In the cloud CloudFront cannot: its `/api/*` behaviour caches nothing,
 * and CloudFront compresses only what a caching policy lets it. Lists, coverage reports and the
 * OpenAPI document then reach a phone on mobile data at a fraction of their size; files already
 * compressed (XLSX, the gzipped CSV, photos) are left alone.
 */
export function compressAnswers(): MiddlewareHandler {
  const gzip = compress({ threshold: THRESHOLD_BYTES });
  return (c, next) =>
    gzip(c, async () => {
      await next();
      // hono's own answers (c.json, c.text) carry no Content-Length, which is how compress judges the
      // threshold: measured here, only for a client that would get a compressed answer at all.
      const type = c.res.headers.get('content-type') ?? '';
      const accepts = /\b(gzip|deflate)\b/i.test(c.req.header('accept-encoding') ?? '');
      if (accepts && c.res.body && !c.res.headers.has('content-length') && !c.res.headers.has('content-encoding') && COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type)) {
        const body = await c.res.arrayBuffer();
        c.res = new Response(body, c.res);
        c.res.headers.set('content-length', String(body.byteLength));
      }
    });
}
