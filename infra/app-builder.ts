import { readFileSync } from 'node:fs';
import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from '#infra/api-stack.ts';
import { parseEnvName, stackName, type EnvName } from '#infra/environment.ts';
import { PhotoStack, photoStackName } from '#infra/photo-stack.ts';
import { StatefulStack } from '#infra/stateful-stack.ts';

export interface BuildAppOptions {
  /** Overrides the `env` context value. */
  readonly envName?: EnvName;
  /** Extra context, on top of cdk.json's feature flags. */
  readonly context?: Record<string, unknown>;
  /** Where to write the cloud assembly. @default a temporary directory (or the CLI's cdk.out) */
  readonly outdir?: string;
  /** Apply cdk-nag's AwsSolutions pack. @default true */
  readonly nag?: boolean;
}

export interface OcopApp {
  readonly app: App;
  readonly envName: EnvName;
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
  readonly photos: PhotoStack;
}

/** The feature flags in cdk.json, so an App built outside the CLI (tests) behaves the same. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Account and region come only from `-c account=… -c region=…`; otherwise stacks are environment-agnostic. */
function deploymentEnvironment(app: App): Environment | undefined {
  const account: unknown = app.node.tryGetContext('account');
  const region: unknown = app.node.tryGetContext('region');
  if (account === undefined && region === undefined) return undefined;
  return {
    account: typeof account === 'string' ? account : undefined,
    region: typeof region === 'string' ? region : undefined,
  };
}

/**
 * Builds the whole CDK app for one environment (context `env`: `dev` default, or `prod`)
 * without synthesizing it: stacks `OcopOnboard-<env>-Stateful` and `OcopOnboard-<env>-Api`,
 * with cdk-nag's AwsSolutions checks applied to every stack.
 */
export function buildApp(options: BuildAppOptions = {}): OcopApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...options.context },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const envName = options.envName ?? parseEnvName(app.node.tryGetContext('env'));
  const env = deploymentEnvironment(app);

  Tags.of(app).add('project', 'ocop-onboard');
  Tags.of(app).add('environment', envName);

  const stateful = new StatefulStack(app, stackName(envName, 'Stateful'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): DynamoDB table, Cognito user pool, app secret`,
    terminationProtection: envName === 'prod',
  });
  const api = new ApiStack(app, stackName(envName, 'Api'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): HTTP API and its Lambda`,
    table: stateful.table,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    appSecret: stateful.appSecret,
  });
  api.addStackDependency(stateful, 'the API reads the table, user pool and secret');
  const photos = new PhotoStack(app, photoStackName(envName), {
    envName,
    env,
    description: `OCOP onboard (${envName}): photo pipeline Lambda on uploads to the photo bucket`,
    table: stateful.table,
  });
  photos.addStackDependency(stateful, 'the photo pipeline reads the photo bucket and writes the table');

  // cdk-nag 3 is a synthesis validation plugin (no longer an Aspect): any unacknowledged
  // AwsSolutions finding, warning or error, fails `app.synth()` and therefore `cdk synth`.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, envName, stateful, api, photos };
}
