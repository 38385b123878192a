import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet } from 'jose';
import { composeServices, createRepositories, type Services } from '#functions/api/compose.ts';
import { createLocalBlobStore } from '#functions/core/blob-store.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createInProcessRunner } from '#functions/imports/import-service.ts';
import { createLocalPhotoStore } from '#functions/photos/local-photo-store.ts';
import { createCognitoIdentity, createCognitoTokenVerifier, type CognitoIdentity } from '#functions/services/cognito-identity.ts';
import type { AwsStandIns } from '../infra/aws-stand-ins.ts';
import type { Api } from './harness.ts';

/**
 * The services as the cloud composes them for sign-in — users' identities in the Cognito
 * stand-in, access tokens verified against its keys — on a test API's own table and data folder.
 * `wrapIdentity` may put something between the services and Cognito (e.g. hold calls back).
 */
export function cognitoServices(api: Api, aws: AwsStandIns, wrapIdentity: (identity: CognitoIdentity) => CognitoIdentity = (i) => i): Services {
  const keyring = createKeyring('k'.repeat(64));
  const client = new CognitoIdentityProviderClient({ region: 'ap-southeast-1', endpoint: aws.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return composeServices({
    table: api.local.table,
    repositories: createRepositories(api.local.table),
    keyring,
    identity: wrapIdentity(createCognitoIdentity({ userPoolId: aws.userPoolId, client })),
    verify: createCognitoTokenVerifier(createRemoteJWKSet(new URL(aws.jwksUrl)), { issuer: aws.issuer, clientId: aws.clientId }),
    blobs: createLocalBlobStore(`${api.dataDir}/cloud-files`),
    runner: createInProcessRunner(),
    photoStore: createLocalPhotoStore({ dir: `${api.dataDir}/cloud-photos`, keyring, apiBase: '/api/v1' }),
  });
}
