import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorCode } from '#shared/errors.ts';
import type { Problem } from '#shared/schemas/common.ts';
import { AppError, ReplayResponse } from '#functions/core/errors.ts';
import { logger } from '#functions/core/logger.ts';

/** The problem+json document of every refusal (RFC 9457). */
export function problemBody(status: number, code: ErrorCode, title: string, extra: Record<string, unknown> = {}): Problem & Record<string, unknown> {
  return { type: `urn:ocop-onboard:problem:${code.toLowerCase()}`, title, status, code, ...extra };
}

function problem(c: Context, status: number, code: ErrorCode, title: string, extra: Record<string, unknown> = {}) {
  return c.body(JSON.stringify(problemBody(status, code, title, extra)), status as 400, { 'content-type': 'application/problem+json' });
}

const httpStatusCodes: Record<number, ErrorCode> = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/** The one place errors become responses: problem+json for ours, a logged 500 for the rest. */
export function handleError(err: Error, c: Context) {
  if (err instanceof ReplayResponse) {
    c.header('idempotent-replayed', 'true');
    return err.status === 204 ? c.body(null, 204) : c.json(err.body, err.status as 200);
  }
  if (err instanceof AppError) {
    const { retryAfterSeconds, ...extra } = err.extra;
    if (retryAfterSeconds) c.header('retry-after', String(retryAfterSeconds));
    return problem(c, err.status, err.code, err.message, extra);
  }
  if (err instanceof HTTPException && httpStatusCodes[err.status]) {
    return problem(c, err.status, httpStatusCodes[err.status]!, err.message);
  }
  logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, method: c.req.method, error: err.name, at: err.stack?.split('\n').slice(1, 8).join('\n') });
  return problem(c, 500, 'INTERNAL', 'Something went wrong on our side; it has been logged');
}

export function notFound(c: Context) {
  return problem(c, 404, 'NOT_FOUND', `No route ${c.req.method} ${c.req.path}`);
}
