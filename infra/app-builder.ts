import { readFileSync } from 'node:fs';
import { App, RemovalPolicy, Tags, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from '#infra/api-stack.ts';
import { parseEnvName, stackName, type EnvName } from '#infra/environment.ts';
import { MonitoringStack } from '#infra/monitoring-stack.ts';
import { PhotoStack } from '#infra/photo-stack.ts';
import { giveProviderFunctionsLogGroups } from '#infra/provider-logs.ts';
import { StatefulStack } from '#infra/stateful-stack.ts';
import { WebStack } from '#infra/web-stack.ts';

export interface BuildAppOptions {
  /** Overrides the `env` context value. */
  readonly envName?: EnvName;
  /** Extra context, on top of cdk.json's feature flags. */
  readonly context?: Record<string, unknown>;
  /** Where to write the cloud assembly. @default a temporary directory (or the CLI's cdk.out) */
  readonly outdir?: string;
  /** Apply cdk-nag's AwsSolutions pack. @default true */
  readonly nag?: boolean;
  /** An already built web app to deploy. @default built at synth by scripts/build-web.ts */
  readonly webAssetDir?: string;
}

export interface OcopApp {
  readonly app: App;
  readonly envName: EnvName;
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
  readonly photos: PhotoStack;
  readonly web: WebStack;
  readonly monitoring: MonitoringStack;
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

const optionalString = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * Builds the whole CDK app for one environment (context `env`: `dev` default, or `prod`)
 * without synthesizing it, with cdk-nag's AwsSolutions checks applied to every stack:
 * `OcopOnboard-<env>-Stateful` (table, user pool, secret, photo and files buckets),
 * `-Api` (HTTP API, API / import job / scheduled job functions, schedules), `-Photos` (photo
 * pipeline), `-Web` (S3 + CloudFront, `/api/*` to the API) and `-Monitoring` (alarms → SNS).
 * Optional context: `alarmEmail`, `webDomain` + `webCertificateArn`, `account`, `region`.
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

  const webDomain = optionalString(app, 'webDomain');
  const webCertificateArn = optionalString(app, 'webCertificateArn');
  if (!!webDomain !== !!webCertificateArn) throw new Error('Give both -c webDomain=… and -c webCertificateArn=… (an ACM certificate in us-east-1), or neither');
  const stateful = new StatefulStack(app, stackName(envName, 'Stateful'), {
    envName,
    env,
    ...(webDomain ? { uploadOrigins: [`https://${webDomain}`] } : {}),
    description: `OCOP onboard (${envName}): DynamoDB table, Cognito user pool, app secret, photo and files buckets`,
    terminationProtection: envName === 'prod',
  });
  const shared = { table: stateful.table, userPool: stateful.userPool, userPoolClient: stateful.userPoolClient, appSecret: stateful.appSecret };
  const api = new ApiStack(app, stackName(envName, 'Api'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): HTTP API, its Lambda, import and scheduled jobs`,
    ...shared,
  });
  api.addStackDependency(stateful, 'the API reads the table, user pool, secret and buckets');
  const photos = new PhotoStack(app, stackName(envName, 'Photos'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): photo pipeline Lambda on uploads to the photo bucket`,
    ...shared,
  });
  photos.addStackDependency(stateful, 'the photo pipeline reads the photo bucket and writes the table');

  const web = new WebStack(app, stackName(envName, 'Web'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): web app on S3 + CloudFront, /api to the HTTP API`,
    httpApi: api.httpApi,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    ...(webDomain && webCertificateArn ? { domain: { name: webDomain, certificateArn: webCertificateArn } } : {}),
    webAssetDir: options.webAssetDir,
  });
  web.addStackDependency(api, 'CloudFront sends /api/* to the HTTP API');

  const monitoring = new MonitoringStack(app, stackName(envName, 'Monitoring'), {
    envName,
    env,
    description: `OCOP onboard (${envName}): alarms and the topic they notify`,
    httpApi: api.httpApi,
    functions: { Api: api.apiFunction, ImportJob: api.importJobFunction, ScheduledJob: api.scheduledJobFunction, Photo: photos.photoFunction },
    table: stateful.table,
    reconciliation: { namespace: api.metricsNamespace, provinceCode: api.provinceCode },
    alarmEmail: optionalString(app, 'alarmEmail'),
  });
  for (const stack of [stateful, api, photos]) monitoring.addStackDependency(stack, 'the alarms watch its resources');
  for (const stack of [stateful, api, photos, web, monitoring]) giveProviderFunctionsLogGroups(stack, envName === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

  // cdk-nag 3 is a synthesis validation plugin (no longer an Aspect): any unacknowledged
  // AwsSolutions finding, warning or error, fails `app.synth()` and therefore `cdk synth`.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, envName, stateful, api, photos, web, monitoring };
}
