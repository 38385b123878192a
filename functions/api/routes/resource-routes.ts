import { createRoute, z } from '@hono/zod-openapi';
import { PageQuerySchema, pageOf } from '#shared/schemas/common.ts';
import { AuditEventSchema } from '#shared/schemas/audit.ts';
import type { AuditTrail } from '#functions/services/audit-trail.ts';
import type { Principal } from '#functions/services/principal.ts';
import type { WriteContext } from '#functions/services/write-context.ts';
import { NotFoundError } from '#functions/core/errors.ts';
import { IdParamsSchema, WriteHeadersSchema, bearer, jsonBodyOf, jsonResponse, problemResponses, writeContext, type AppContext, type Router } from '../app-env.ts';

type ResourceService<Create, Update, View, Query> = {
  create(ctx: WriteContext, input: Create): Promise<View>;
  list(p: Principal, query: Query, page: { limit: number; cursor?: string }): Promise<{ items: View[]; nextCursor: string | null }>;
  get(p: Principal, id: string): Promise<View>;
  update(ctx: WriteContext, id: string, patch: Update): Promise<View>;
  remove(ctx: WriteContext, id: string): Promise<void>;
  /** Throws 404 unless the caller may see the record. */
  getVisible(p: Principal, id: string): Promise<unknown>;
};

/** Input that the route's schemas have already validated; generic routes lose its static type. */
function validated<T>(c: AppContext, target: 'json' | 'query' | 'param'): T {
  return (c.req.valid as unknown as (t: string) => T)(target);
}

/**
 * The six routes every scoped record has — create, list, get, update, delete, audit trail —
 * described once from the resource's schemas.
 */
export function registerResourceRoutes<C extends z.ZodType, U extends z.ZodType, V extends z.ZodType, Q extends z.ZodObject>(
  app: Router,
  spec: {
    path: string;
    tag: string;
    noun: string;
    entity: 'producer' | 'product';
    /** `listItem`: what a list gives of each record, when more than `view` (a product's producer name). */
    schemas: { create: C; update: U; view: V; listQuery: Q; listItem?: z.ZodType };
    service: ResourceService<z.infer<C>, z.infer<U>, z.infer<V>, z.infer<Q>>;
    auditTrail: AuditTrail;
    deleteSummary: string;
  },
) {
  const { path, schemas, service, noun } = spec;
  const tags = [spec.tag];
  const common = { tags, security: bearer };

  app.openapi(
    createRoute({ ...common, method: 'post', path, summary: `Register a ${noun}`, request: { headers: WriteHeadersSchema, body: jsonBodyOf(schemas.create) }, responses: { 201: jsonResponse(schemas.view, 'Created'), ...problemResponses } }),
    async (c) => c.json(await service.create(writeContext(c), validated<z.infer<C>>(c, 'json')), 201),
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path, summary: `${spec.tag} in your scope`, request: { query: schemas.listQuery.extend(PageQuerySchema.shape) }, responses: { 200: jsonResponse(pageOf(schemas.listItem ?? schemas.view), `A page of ${noun}s. A filtered page looks through a bounded number of records: it may hold fewer than \`limit\`, even none, with a \`nextCursor\`; the list has ended only when \`nextCursor\` is null`), ...problemResponses } }),
    async (c) => {
      const { limit, cursor, ...query } = validated<{ limit: number; cursor?: string } & z.infer<Q>>(c, 'query');
      return c.json(await service.list(c.get('principal'), query as z.infer<Q>, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: `${path}/{id}`, summary: `One ${noun}`, request: { params: IdParamsSchema }, responses: { 200: jsonResponse(schemas.view, `The ${noun}`), ...problemResponses } }),
    async (c) => c.json(await service.get(c.get('principal'), validated<{ id: string }>(c, 'param').id), 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'patch', path: `${path}/{id}`, summary: `Change a ${noun} (send the version you read)`, request: { params: IdParamsSchema, headers: WriteHeadersSchema, body: jsonBodyOf(schemas.update) }, responses: { 200: jsonResponse(schemas.view, 'Updated'), ...problemResponses } }),
    async (c) => c.json(await service.update(writeContext(c), validated<{ id: string }>(c, 'param').id, validated<z.infer<U>>(c, 'json')), 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'delete', path: `${path}/{id}`, summary: spec.deleteSummary, request: { params: IdParamsSchema, headers: WriteHeadersSchema }, responses: { 204: { description: 'Deleted' }, ...problemResponses } }),
    async (c) => {
      await service.remove(writeContext(c), validated<{ id: string }>(c, 'param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: `${path}/{id}/events`, summary: `Audit trail of a ${noun}, newest first, in pages`, request: { params: IdParamsSchema, query: PageQuerySchema }, responses: { 200: jsonResponse(z.object({ items: z.array(AuditEventSchema), nextCursor: z.string().nullable() }), 'Events, newest first'), ...problemResponses } }),
    async (c) => {
      const { id } = c.req.valid('param');
      const principal = c.get('principal');
      const page = c.req.valid('query');
      try {
        await service.getVisible(principal, id);
      } catch (e) {
        // A record that is gone keeps its trail, for whoever could see it when it went.
        const gone = e instanceof NotFoundError ? await spec.auditTrail.pageOfGone(principal, spec.entity, id, page) : null;
        if (!gone) throw e;
        return c.json(gone, 200);
      }
      return c.json(await spec.auditTrail.page(principal, spec.entity, id, page), 200);
    },
  );
}
