import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { createRemoteJWKSet } from 'jose';
import { createS3BlobStore, type BlobStore } from '#functions/core/blob-store.ts';
import type { Config } from '#functions/core/config.ts';
import { AppError } from '#functions/core/errors.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createLambdaJobRunner } from '#functions/core/lambda-job-runner.ts';
import type { JobRunner } from '#functions/imports/import-service.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import { createTokenVerifier, type IdentityProvider } from '#functions/services/auth-service.ts';
import { composeServices, createRepositories } from './compose.ts';
import { createS3Client, createS3PhotoStore } from '#functions/photos/s3-photo-store.ts';
import type { PhotoStore } from '#functions/photos/photo-store.ts';

const unavailable = () => new AppError(501, 'NOT_AVAILABLE', 'Imports are not set up in this deployment (no files bucket or job function)');

/** The services in the cloud: Secrets Manager, DynamoDB, S3 and the job Lambda; read once per container. */
export async function createCloudServices(config: Config) {
  if (config.auth.mode !== 'jwks') throw new Error('The cloud entry points need AUTH_MODE=jwks');
  const secret = await new SecretsManagerClient({ region: config.region }).send(new GetSecretValueCommand({ SecretId: config.auth.secretArn }));
  if (!secret.SecretString) throw new Error('The server secret is empty');
  const table = createTable(createDocumentClient({ region: config.region }), config.tableName, config.provinceCode);

  /** In the cloud, Cognito holds identities; creating them through the API arrives with the Cognito adapter. */
  const cognitoIdentity: IdentityProvider = {
    async createIdentity() {
      throw new AppError(501, 'NOT_AVAILABLE', 'Creating users through the API is not available in the cloud yet; create them in the Cognito user pool');
    },
  };
  const blobs: BlobStore = config.filesBucket
    ? createS3BlobStore(new S3Client({ region: config.region }), config.filesBucket)
    : { put: async () => Promise.reject(unavailable()), get: async () => Promise.reject(unavailable()) };
  const runner: JobRunner = config.jobFunctionName ? createLambdaJobRunner(new LambdaClient({ region: config.region }), config.jobFunctionName) : { submit: async () => Promise.reject(unavailable()) };

  const photoStore: PhotoStore = config.photoBucket
    ? createS3PhotoStore({ client: createS3Client({ region: config.region }), bucket: config.photoBucket })
    : new Proxy({} as PhotoStore, { get: () => async () => Promise.reject(new AppError(501, 'NOT_AVAILABLE', 'Photos are not set up in this deployment (no photo bucket)')) });

  return composeServices({
    photoStore,
    table,
    repositories: createRepositories(table),
    keyring: createKeyring(secret.SecretString),
    identity: cognitoIdentity,
    verify: createTokenVerifier(createRemoteJWKSet(new URL(config.auth.jwksUrl)), { issuer: config.auth.issuer, audience: config.auth.audience }),
    blobs,
    runner,
  });
}
