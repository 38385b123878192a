import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApiApp } from '#functions/api/app.ts';
import type { Services } from '#functions/api/compose.ts';
import type { LocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { notFound, problemBody } from '#functions/api/middleware/errors.ts';
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
    // A request Node refuses before the app sees it (headers over its limit, broken HTTP) is answered
    // as the app answers, in problem+json, not with Node's bare status line.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
      if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
      const [status, reason, code, title] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'The request headers or its address are too long'] as const : [400, 'Bad Request', 'MALFORMED_REQUEST', 'The request is not valid HTTP'] as const;
      const body = JSON.stringify(problemBody(status, code, title));
      socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
}
