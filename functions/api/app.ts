import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { logger, withLogContext } from '#functions/core/logger.ts';
import { createRouter, type AppEnv } from './app-env.ts';
import type { Services } from './compose.ts';
import { requireAuth } from './middleware/auth.ts';
import { compressAnswers } from './middleware/compression.ts';
import { handleError, notFound } from './middleware/errors.ts';
import { idempotency } from './middleware/idempotency.ts';
import { jsonBody } from './middleware/request-body.ts';
import { registerAdminUnitRoutes } from './routes/admin-unit-routes.ts';
import { registerLoginRoute, registerLogoutRoute, registerUserRoutes } from './routes/auth-routes.ts';
import { apiDocsPage } from './routes/docs-page.ts';
import { registerLocalPhotoFileRoutes, registerPhotoRoutes } from './routes/photo-routes.ts';
import type { LocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { registerImportRoutes } from './routes/import-routes.ts';
import { registerExportRoutes } from './routes/export-routes.ts';
import { registerCoverageRoutes } from './routes/coverage-routes.ts';
import { registerOnboardingRoutes } from './routes/onboarding-routes.ts';
import { registerRecordRoutes } from './routes/record-routes.ts';

/** Routes whose body is a file, not JSON (an import's spreadsheet): no JSON parsing, and no replay by Idempotency-Key. */
const RAW_BODY_PATHS = [/\/imports\/[^/]+\/file$/];

export const API_BASE = '/api/v1';

/** Routes open to anyone: sign-in and the API description. */
const publicPaths = new Set([`${API_BASE}/auth/login`, `${API_BASE}/openapi.json`]);
/** Routes a token of an ended session may still call: signing out again answers as the first time did. */
const endedSessionPaths = new Set([`${API_BASE}/auth/logout`]);

/** Builds the API: the same app runs in Lambda and in the local server. */
export function createApiApp(services: Services, opts: { localPhotoFiles?: LocalPhotoStore } = {}) {
  const api = createRouter();
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  api.use('*', jsonBody({ rawBodyPaths: RAW_BODY_PATHS }));
  const auth = requireAuth(services.verify, services.principals, { endedSessionPaths });
  api.use('*', async (c, next) => (publicPaths.has(c.req.path) ? next() : auth(c, next)));
  api.use('*', idempotency(services.idempotency, { fingerprint: services.requestFingerprint, rawBodyPaths: RAW_BODY_PATHS }));

  registerLoginRoute(api, services.identity);
  registerUserRoutes(api, services.users);
  registerLogoutRoute(api, services.sessions);
  registerAdminUnitRoutes(api);
  registerOnboardingRoutes(api, services);
  registerCoverageRoutes(api, services);
  registerExportRoutes(api, services);
  registerImportRoutes(api, services);
  registerRecordRoutes(api, services);
  registerPhotoRoutes(api, { photos: services.photos });

  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'ocop-onboard API',
      version: '1',
      description: 'Producers, OCOP products and their path onto e-commerce marketplaces, province by commune. Errors are application/problem+json with a stable `code`.',
    },
    servers: [{ url: API_BASE }],
  });

  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const started = performance.now();
    // Every line logged while the request runs carries its id.
    await withLogContext({ requestId }, next);
    logger.info('request', { requestId, method: c.req.method, path: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) });
  });
  app.use('*', compressAnswers());
  if (opts.localPhotoFiles) registerLocalPhotoFileRoutes(app, { apiBase: API_BASE, files: opts.localPhotoFiles, completeUpload: services.photos.completeUpload });
  app.route(API_BASE, api);
  app.get('/api/docs', (c) => c.html(apiDocsPage(`${API_BASE}/openapi.json`)));
  app.onError(handleError);
  app.notFound(notFound);
  return app;
}
export type ApiApp = ReturnType<typeof createApiApp>;
