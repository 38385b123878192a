import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { IdempotencyClaim } from '#functions/repositories/idempotency-repository.ts';
import type { Principal } from '#functions/services/principal.ts';
import type { WriteContext } from '#functions/services/write-context.ts';
import { z } from 'zod';
import { ValidationError, fieldErrorOf } from '#functions/core/errors.ts';
import { IdSchema, ProblemSchema } from '#shared/schemas/common.ts';

export type AppEnv = {
  Variables: {
    principal: Principal;
    idempotency?: IdempotencyClaim;
    requestId: string;
    /** The bearer token's session was ended; true only on the routes that accept such a token (signing out again). */
    sessionEnded?: boolean;
  };
};
export type AppContext = Context<AppEnv>;

/** A router whose validation failures all become one VALIDATION_FAILED problem, field by field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationError(result.error.issues.map(fieldErrorOf));
      }
    },
  });
}
export type Router = ReturnType<typeof createRouter>;


export function writeContext(c: AppContext): WriteContext {
  return { principal: c.get('principal'), idempotency: c.get('idempotency') };
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

/** The error answers every authenticated route can give. */
export const problemResponses = {
  400: problem('Invalid input (VALIDATION_FAILED, MALFORMED_JSON, INVALID_CURSOR)'),
  401: problem('Not signed in, or signed out since (UNAUTHENTICATED, SESSION_ENDED)'),
  403: problem('Role or scope does not allow it (FORBIDDEN, OUT_OF_SCOPE)'),
  404: problem('Not found or outside your scope (NOT_FOUND)'),
  409: problem('Conflict (VERSION_CONFLICT and others)'),
  413: problem('Body too large (PAYLOAD_TOO_LARGE)'),
  415: problem('Body is not JSON (UNSUPPORTED_MEDIA_TYPE)'),
  422: problem('Idempotency-Key reused for another request (IDEMPOTENCY_KEY_REUSED)'),
  503: problem('Store busy (THROTTLED); retry after Retry-After'),
} as const;

export const bearer = [{ bearer: [] as string[] }];

/** Request headers of every write. */
export const WriteHeadersSchema = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().meta({ description: 'Retries with the same key return the first result, never a duplicate' }),
});

/** A JSON response entry for `createRoute`. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
/** A required JSON request body for `createRoute`. */
export const jsonBodyOf = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
export const IdParamsSchema = z.object({ id: IdSchema });
