import { handle } from 'hono/aws-lambda';
import { createRemoteJWKSet } from 'jose';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '#functions/core/config.ts';
import { AppError } from '#functions/core/errors.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import { createTokenVerifier, type IdentityProvider } from '#functions/services/auth-service.ts';
import { createApiApp } from './app.ts';
import { composeServices, createRepositories } from './compose.ts';

// Cloud entry point: configuration, clients and the server secret are read once per container.
const config = loadConfig();
if (config.auth.mode !== 'jwks') throw new Error('The Lambda entry point needs AUTH_MODE=jwks');
const secret = await new SecretsManagerClient({ region: config.region }).send(new GetSecretValueCommand({ SecretId: config.auth.secretArn }));
if (!secret.SecretString) throw new Error('The server secret is empty');

const table = createTable(createDocumentClient({ region: config.region }), config.tableName, config.provinceCode);

/** In the cloud, Cognito holds identities; creating them through the API arrives with the Cognito adapter. */
const cognitoIdentity: IdentityProvider = {
  async createIdentity() {
    throw new AppError(501, 'NOT_AVAILABLE', 'Creating users through the API is not available in the cloud yet; create them in the Cognito user pool');
  },
};

const services = composeServices({
  table,
  repositories: createRepositories(table),
  keyring: createKeyring(secret.SecretString),
  identity: cognitoIdentity,
  verify: createTokenVerifier(createRemoteJWKSet(new URL(config.auth.jwksUrl)), { issuer: config.auth.issuer, audience: config.auth.audience }),
});

export const handler = handle(createApiApp(services));
