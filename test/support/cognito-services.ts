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
 * Puts itself between the services and Cognito so that each disable, once sent, waits until
 * `count` of them were sent: administrators acting at the same moment, before either writes.
 */
export function disablesHeldTogether(count = 2): (identity: CognitoIdentity) => CognitoIdentity {
  let release!: () => void;
  const allSent = new Promise<void>((resolve) => (release = resolve));
  let sent = 0;
  return (cognito) => ({
    ...cognito,
    async disableIdentity(username: string) {
      await cognito.disableIdentity(username);
      if (++sent === count) release();
      await allSent;
    },
  });
}

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
