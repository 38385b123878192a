import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Job } from '#functions/imports/import-service.ts';

/** In the cloud a job is an asynchronous invocation of a job Lambda (retries and a dead-letter queue are its own). */
export function createLambdaJobRunner<J = Job>(client: LambdaClient, functionName: string): { submit(job: J): Promise<void> } {
  return {
    async submit(job: J) {
      await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(job)) }));
    },
  };
}
