import { z } from 'zod';
import { createCloudServices } from '#functions/api/cloud-services.ts';
import { loadConfig } from '#functions/core/config.ts';
import { logger, withLogContext } from '#functions/core/logger.ts';
import { isObjectCreatedEvent, objectsCreatedIn } from '#functions/core/object-events.ts';
import { importOfSourceKey, type Job } from './import-service.ts';

// Cloud entry point of background jobs: the dry run of a file uploaded straight into the files
// bucket (S3's "Object Created" on `imports/<id>/source`, through an EventBridge rule), and
// the jobs the API submits (`JOB_FUNCTION_NAME`: a commit, or the dry run of a file sent to
// the API's own upload route). An event that throws is retried by Lambda, then lands in the
// function's dead-letter queue; a commit resumes where it stopped, a dry run runs again.
const config = loadConfig();
if (!config.filesBucket) throw new Error('Missing environment variable: FILES_BUCKET');
const filesBucket = config.filesBucket;
const services = await createCloudServices(config);

const JobSchema = z.object({ type: z.enum(['import-preview', 'import-commit']), id: z.string().min(1) }) satisfies z.ZodType<Job>;

export const handler = (event: unknown, context?: { awsRequestId?: string }) => withLogContext({ requestId: context?.awsRequestId }, () => run(event));

async function run(event: unknown) {
  const started = performance.now();
  if (isObjectCreatedEvent(event)) {
    const results = [];
    for (const { importId, object } of objectsCreatedIn(event, filesBucket, importOfSourceKey)) {
      const result = await services.imports.sourceArrived(importId, { tag: object.sequencer ?? object.key });
      results.push(result);
      logger.info('import file arrived', { importId, outcome: result.outcome, ms: Math.round(performance.now() - started) });
    }
    return { imports: results };
  }
  const job = JobSchema.parse(event);
  await services.imports.handleJob(job);
  logger.info('job done', { type: job.type, importId: job.id, ms: Math.round(performance.now() - started) });
  return undefined;
}
