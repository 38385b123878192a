import { createCloudServices } from '#functions/api/cloud-services.ts';
import { loadConfig } from '#functions/core/config.ts';
import type { Job } from './import-service.ts';

// Cloud entry point of background jobs (import preview and commit), invoked asynchronously by the API.
const services = await createCloudServices(loadConfig());

export const handler = async (job: Job): Promise<void> => services.imports.handleJob(job);
