import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApiApp } from '#functions/api/app.ts';
import type { Services } from '#functions/api/compose.ts';
import type { LocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { notFound } from '#functions/api/middleware/errors.ts';
import { LOCAL_WEB_CONFIG, type WebConfig } from '#shared/web-config.ts';

/**
 * The local server: the same API app as in Lambda, plus the built web app from `webRoot` and
 * its `/config.json` (local sign-in unless told otherwise).
 */
export function createLocalApp(services: Services, webRoot: string, localPhotoFiles?: LocalPhotoStore, webConfig: WebConfig = LOCAL_WEB_CONFIG) {
  const app = new Hono();
  app.route('/', createApiApp(services, { localPhotoFiles }));
  app.all('/api/*', notFound);
  app.get('/config.json', (c) => c.json(webConfig, 200, { 'cache-control': 'no-cache' }));
  app.use('/*', serveStatic({ root: webRoot }));
  app.get('/*', serveStatic({ root: webRoot, path: 'index.html' }));
  return app;
}

export function listen(app: Hono, port: number) {
  return new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, () => resolve(server));
  });
}
