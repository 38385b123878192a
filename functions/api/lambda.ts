import { handle } from 'hono/aws-lambda';
import { loadConfig } from '#functions/core/config.ts';
import { createApiApp } from './app.ts';
import { createCloudServices } from './cloud-services.ts';

// Cloud entry point of the API: configuration, clients and the server secret are read once per container.
export const handler = handle(createApiApp(await createCloudServices(loadConfig())));
