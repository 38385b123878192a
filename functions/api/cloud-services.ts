import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createRemoteJWKSet } from 'jose';
import type { BlobStore } from '#functions/core/blob-store.ts';
import type { Config } from '#functions/core/config.ts';
import { AppError } from '#functions/core/errors.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createLambdaJobRunner } from '#functions/core/lambda-job-runner.ts';
import type { ScheduledJobEvent } from '#functions/jobs/scheduled-jobs.ts';
import type { JobRunner } from '#functions/imports/import-service.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import type { IdentityProvider } from '#functions/services/auth-service.ts';
import { createCognitoIdentity, createCognitoTokenVerifier } from '#functions/services/cognito-identity.ts';
import { composeServices, createRepositories } from './compose.ts';
import type { PhotoStore } from '#functions/photos/photo-store.ts';

const notSetUp = (what: string, missing: string) => new AppError(501, 'NOT_AVAILABLE', `${what} are not set up in this deployment (no ${missing})`);

/** An adapter that answers every call with `error` (its resource is not configured). */
function unavailable<T extends object>(error: () => AppError): T {
  return new Proxy({} as T, { get: (_, name) => (name === 'then' ? undefined : async () => Promise.reject(error())) });
}

/**
 * An adapter whose members are all async methods, created on first call (`load` runs once; a
 * failure is retried on the next call). Used for S3, the largest SDK client, which few requests
 * need: esbuild leaves a dynamically imported module unevaluated until the import runs, so a
 * cold start does not pay for it. (Import only our own modules this way: they import the SDK
 * by name, so its unused commands are still left out of the bundle.)
 */
function lazyAdapter<T extends object>(load: () => Promise<T>): T {
  let loading: Promise<T> | undefined;
  const get = () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
  return new Proxy({} as T, {
    get: (_, name) =>
      name === 'then'
        ? undefined
        : async (...args: unknown[]) => {
            const target = await get();
            return (target[name as keyof T] as (...a: unknown[]) => unknown).apply(target, args);
          },
  });
}

/**
 * The services in the cloud — DynamoDB, Secrets Manager, Cognito, S3 and the job Lambda —
 * built once per container by every cloud entry point (API, import jobs, scheduled jobs,
 * photos). `DYNAMO_ENDPOINT` points the table at another DynamoDB (DynamoDB Local in the
 * built-artifact tests); the other clients follow the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`.
 * The server secret is read here, at start-up; the S3 client on first use.
 */
export async function createCloudServices(config: Config, opts: { prefetchSigningKeys?: boolean } = {}) {
  if (config.auth.mode !== 'jwks') throw new Error('The cloud entry points need AUTH_MODE=jwks');
  const { region, filesBucket, photoBucket, jobFunctionName, scheduledFunctionName, userPoolId } = config;
  const signingKeys = createRemoteJWKSet(new URL(config.auth.jwksUrl));
  // The API fetches Cognito's signing keys alongside the secret, so the first request does not
  // wait for them; a failure here is left to that request, which fetches them again.
  const [secret] = await Promise.all([
    new SecretsManagerClient({ region }).send(new GetSecretValueCommand({ SecretId: config.auth.secretArn })),
    opts.prefetchSigningKeys ? signingKeys.reload().catch(() => undefined) : undefined,
  ]);
  if (!secret.SecretString) throw new Error('The server secret is empty');
  const table = createTable(createDocumentClient({ region, endpoint: config.dynamoEndpoint }), config.tableName, config.provinceCode);

  const identity: IdentityProvider = userPoolId ? createCognitoIdentity({ userPoolId, region }) : unavailable(() => notSetUp('Users', 'user pool'));
  const blobs: BlobStore = filesBucket
    ? lazyAdapter(async () => {
        const [{ createS3Client }, { createS3BlobStore }] = await Promise.all([import('#functions/photos/s3-photo-store.ts'), import('#functions/core/blob-store.ts')]);
        return createS3BlobStore(createS3Client({ region }), filesBucket);
      })
    : unavailable(() => notSetUp('Imports', 'files bucket'));
  const lambda = new LambdaClient({ region });
  const runner: JobRunner = jobFunctionName ? createLambdaJobRunner(lambda, jobFunctionName) : unavailable(() => notSetUp('Imports', 'job function'));
  // The recount scans the whole table: the API may not (nor would it fit its 29 s); the scheduled function does it.
  const scheduled = scheduledFunctionName ? createLambdaJobRunner<ScheduledJobEvent>(lambda, scheduledFunctionName) : undefined;
  const photoStore: PhotoStore = photoBucket
    ? lazyAdapter(async () => {
        const { createS3Client, createS3PhotoStore } = await import('#functions/photos/s3-photo-store.ts');
        return createS3PhotoStore({ client: createS3Client({ region }), bucket: photoBucket });
      })
    : unavailable(() => notSetUp('Photos', 'photo bucket'));

  return composeServices({
    photoStore,
    table,
    repositories: createRepositories(table),
    keyring: createKeyring(secret.SecretString),
    identity,
    verify: createCognitoTokenVerifier(signingKeys, { issuer: config.auth.issuer, clientId: config.auth.audience }),
    blobs,
    ...(scheduled ? { startReconcile: () => scheduled.submit({ job: 'coverage-reconcile' }) } : {}),
    runner,
  });
}
