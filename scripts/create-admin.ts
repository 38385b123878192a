import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { UsernameSchema } from '#shared/schemas/user.ts';
import { createRepositories } from '#functions/api/compose.ts';
import { createDocumentClient, createTable, transact } from '#functions/repositories/table.ts';
import type { UserRecord } from '#functions/repositories/user-repository.ts';
import { createCognitoIdentity } from '#functions/services/cognito-identity.ts';
import type { Principal } from '#functions/services/principal.ts';
import { userView } from '#functions/services/user-rules.ts';
import { apiFunctionName, envNames, type EnvName } from '#infra/environment.ts';

// `npm run create-admin -- --stack OcopOnboard-dev --username admin --email admin@example.vn`
// creates the first administrator of a deployment: the Cognito user (permanent password, no
// invitation mail; TOTP is set up at the first sign-in, the pool requires it) and the user
// item in the table with role admin, written by the app's own repository so it has the shape
// the API reads. Table, province and user pool are read from the deployed API function's
// environment, so the admin lands exactly where the API looks.

/** The actor recorded in the audit trail for accounts made outside the API. */
const operator: Principal = { sub: 'create-admin', username: 'create-admin', role: 'admin', communes: [] };

export type CreateAdminOptions = {
  /** `OcopOnboard-<env>` (or any of its stack names, e.g. `OcopOnboard-dev-Api`). */
  stack: string;
  username: string;
  email?: string;
  password: string;
  /** Clients to use (tests point them at stand-ins); by default from the AWS profile and region. */
  lambda?: LambdaClient;
  cognito?: CognitoIdentityProviderClient;
  /** DynamoDB endpoint override (DynamoDB Local in tests). */
  dynamoEndpoint?: string;
};

/** The environment a `--stack` value names. */
export function envOfStack(stack: string): EnvName {
  const env = /^OcopOnboard-([a-z]+)(?:-[A-Za-z]+)?$/.exec(stack)?.[1];
  const found = envNames.find((e) => e === env);
  if (!found) throw new Error(`--stack must be OcopOnboard-<${envNames.join('|')}> (got "${stack}")`);
  return found;
}

/** A password the pool's policy accepts (12+ characters, all four classes): 20 random characters, one of each class at least, shuffled. */
export function generatePassword(): string {
  const sets = ['abcdefghijkmnopqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!#%+-=?@^_'];
  const all = sets.join('');
  const chars = [...sets.map((s) => s[randomInt(s.length)]!), ...Array.from({ length: 16 }, () => all[randomInt(all.length)]!)];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** Creates the Cognito user and the admin's user item; undoes the Cognito user if the table write fails. */
export async function createAdmin(opts: CreateAdminOptions) {
  const username = UsernameSchema.parse(opts.username);
  const email = opts.email === undefined ? undefined : z.email().parse(opts.email);
  const functionName = apiFunctionName(envOfStack(opts.stack));
  const lambda = opts.lambda ?? new LambdaClient({});
  const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const variables = z
    .object({ TABLE_NAME: z.string().min(1), PROVINCE_CODE: z.string().regex(/^\d{2}$/), USER_POOL_ID: z.string().min(1) })
    .parse(configuration.Environment?.Variables ?? {});
  const region = await lambda.config.region();

  const table = createTable(createDocumentClient({ region, endpoint: opts.dynamoEndpoint }), variables.TABLE_NAME, variables.PROVINCE_CODE);
  const repos = createRepositories(table);
  if (await repos.users.getByUsername(username)) throw new Error(`The user ${username} already exists in ${variables.TABLE_NAME}`);
  const identity = createCognitoIdentity({ userPoolId: variables.USER_POOL_ID, region, client: opts.cognito });
  const { sub } = await identity.createIdentity(username, opts.password, { email });

  const now = new Date().toISOString();
  const record: UserRecord = { id: sub, username, role: 'admin', disabled: false, createdAt: now, version: 1 };
  try {
    await transact(table, [...repos.users.createOps(record), repos.audit.recordOp({ entityType: 'user', entityId: sub, action: 'create', actor: operator, at: now, before: null, after: userView(record) })]);
  } catch (e) {
    await identity.deleteIdentity(username).catch(() => undefined);
    throw e;
  }
  return { sub, username, tableName: variables.TABLE_NAME, userPoolId: variables.USER_POOL_ID, provinceCode: variables.PROVINCE_CODE, region, functionName };
}

async function main() {
  const { values } = parseArgs({
    options: { stack: { type: 'string' }, username: { type: 'string', default: 'admin' }, email: { type: 'string' }, region: { type: 'string' } },
  });
  if (!values.stack) throw new Error('Usage: npm run create-admin -- --stack OcopOnboard-<env> --username admin --email you@example.vn [--region ap-southeast-1]');
  const fromEnv = process.env.ADMIN_PASSWORD;
  const password = fromEnv ?? generatePassword();
  const region = values.region ? { region: values.region } : {};
  const created = await createAdmin({
    stack: values.stack,
    username: values.username,
    email: values.email,
    password,
    lambda: new LambdaClient(region),
    cognito: new CognitoIdentityProviderClient(region),
  });
  console.log(`Created the administrator "${created.username}" (sub ${created.sub})`);
  console.log(`  user pool ${created.userPoolId}, table ${created.tableName}, province ${created.provinceCode}, region ${created.region}`);
  if (!fromEnv) console.log(`  password (shown once, hand it over safely): ${password}`);
  console.log('  At the first sign-in the web app asks to set up an authenticator app (TOTP): the pool requires MFA.');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
