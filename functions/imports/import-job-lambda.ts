import { z } from 'zod';
import { createCloudServices } from '#functions/api/cloud-services.ts';
import { loadConfig } from '#functions/core/config.ts';
import { logger } from '#functions/core/logger.ts';
import type { Job } from './import-service.ts';

// Cloud entry point of background jobs (import preview and commit), invoked asynchronously by
// the API (`JOB_FUNCTION_NAME`). A job that throws is retried by Lambda, then lands in the
// function's dead-letter queue; a commit resumes where it stopped.
const services = await createCloudServices(loadConfig());

const JobSchema = z.object({ type: z.enum(['import-preview', 'import-commit']), id: z.string().min(1) }) satisfies z.ZodType<Job>;

export const handler = async (event: unknown, context?: { awsRequestId?: string }): Promise<void> => {
  const job = JobSchema.parse(event);
  const started = performance.now();
  await services.imports.handleJob(job);
  logger.info('job done', { requestId: context?.awsRequestId, type: job.type, importId: job.id, ms: Math.round(performance.now() - started) });
};
