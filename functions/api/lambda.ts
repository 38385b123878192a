import { handle } from 'hono/aws-lambda';
import { loadConfig } from '#functions/core/config.ts';
import { createApiApp } from './app.ts';
import { createCloudServices } from './cloud-services.ts';

// Cloud entry point of the API: configuration, clients and the server secret are read once per container.
const handleRequest = handle(createApiApp(await createCloudServices(loadConfig(), { prefetchSigningKeys: true })));

/**
 * API Gateway (HTTP API, payload 2.0) → the hono app. The gateway's request id becomes the
 * app's `x-request-id`, so the app's JSON log lines and the stage's access log line of one
 * request share an id (a caller-supplied `x-request-id` is not trusted for that).
 */
export const handler = (...[event, context]: Parameters<typeof handleRequest>) => {
  const requestId = 'requestContext' in event ? (event.requestContext as { requestId?: string }).requestId : undefined;
  if (requestId) event.headers = { ...event.headers, 'x-request-id': requestId };
  return handleRequest(event, context);
};
