import { createRoute, z } from '@hono/zod-openapi';
import { listCommunes, provinceCode, provinceName, resolveUnit } from '#shared/admin-units/admin-units.ts';
import { CommuneSchema, ResolutionSchema, ResolveQuerySchema } from '#shared/schemas/admin-unit.ts';
import { bearer, jsonResponse, problemResponses, type Router } from '../app-env.ts';

export function registerAdminUnitRoutes(app: Router) {
  const tags = ['Administrative units'];
  const CommuneListSchema = z.object({ province: z.object({ code: z.string(), name: z.string() }), validFrom: z.string(), items: z.array(CommuneSchema) });
  app.openapi(
    createRoute({ method: 'get', path: '/admin-units/communes', tags, security: bearer, summary: 'The current communes of the province, with their former districts', responses: { 200: jsonResponse(CommuneListSchema, 'Current communes'), 401: problemResponses[401] } }),
    (c) => {
      c.header('cache-control', 'private, max-age=86400');
      return c.json({ province: { code: provinceCode, name: provinceName }, validFrom: '2025-07-01', items: listCommunes() }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/admin-units/resolve', tags, security: bearer, summary: 'Map an old or current name or code to current communes', request: { query: ResolveQuerySchema }, responses: { 200: jsonResponse(ResolutionSchema, 'Resolution'), 400: problemResponses[400], 401: problemResponses[401] } }),
    (c) => c.json(resolveUnit(c.req.valid('query')), 200),
  );
}
