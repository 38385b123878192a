import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Job, JobRunner } from '#functions/imports/import-service.ts';

/** In the cloud a job is an asynchronous invocation of the job Lambda (retries and a dead-letter queue are its own). */
export function createLambdaJobRunner(client: LambdaClient, functionName: string): JobRunner {
  return {
    async submit(job: Job) {
      await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(job)) }));
    },
  };
}
