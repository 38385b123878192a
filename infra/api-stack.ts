import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventField, Match, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { scheduledJobs, type ScheduledJobName } from '#functions/jobs/scheduled-jobs.ts';
import { apiFunctionName, type EnvName } from '#infra/environment.ts';
import { IMPORT_SOURCE_KEY_PATTERN, bindFilesBucket, filesBucketName } from '#infra/files-bucket.ts';
import { bindPhotoBucketForApi } from '#infra/photo-stack.ts';
import { ProjectFunction, cognitoIssuer, type ProjectFunctionProps } from '#infra/project-function.ts';

export interface ApiStackProps extends StackProps {
  readonly envName: EnvName;
  readonly table: ITableV2;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly appSecret: ISecret;
  /** Province whose data this deployment serves. @default '38' */
  readonly provinceCode?: string;
}

/** API Gateway stage throttling, applied to every route unless a route overrides it. */
export const apiThrottle = { rateLimit: 50, burstLimit: 100 } as const;

/** Where the app is mounted; CloudFront sends `/api/*` here unchanged. */
export const API_PREFIX = '/api/v1';

/** Routes that answer without a token: the API description and its reference page (there is no sign-in route in the cloud: Cognito signs in). */
export const publicRoutes = [
  { method: HttpMethod.GET, path: `${API_PREFIX}/openapi.json` },
  { method: HttpMethod.GET, path: '/api/docs' },
] as const;

/** Retries of an asynchronous event before it goes to the dead-letter queue, and how long it may wait. */
export const asyncRetries = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

/** The CloudWatch namespace of the app's own metrics (the reconciliation's differences). */
export const metricsNamespace = (envName: EnvName) => `OcopOnboard/${envName}`;

/**
 * The HTTP API and the functions behind it:
 * - the API function (hono, `functions/api/lambda.ts`) behind `ANY /api/v1/{proxy+}` with a
 *   Cognito JWT authorizer, plus the public routes without one; the app verifies the same
 *   access token again and applies roles and scopes from the table;
 * - the import job function, run by an EventBridge rule when an import's file arrives in the
 *   files bucket (`imports/<id>/source`, uploaded by the browser through a presigned PUT), and
 *   invoked asynchronously by the API (`JOB_FUNCTION_NAME`) for commits and for files sent
 *   through the API's own route;
 * - the scheduled job function, run by EventBridge rules (month-end snapshot, nightly
 *   reconciliation).
 * Asynchronous functions retry twice, then keep the event in their dead-letter queue.
 */
export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly apiFunction: ProjectFunction;
  readonly importJobFunction: ProjectFunction;
  /** The files bucket's "Object Created" on `imports/<id>/source` → the import job function (the dry run). */
  readonly importFileArrived: Rule;
  readonly scheduledJobFunction: ProjectFunction;
  readonly schedules: Record<ScheduledJobName, Rule>;
  readonly accessLogs: LogGroup;
  readonly metricsNamespace: string;
  readonly provinceCode: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const isProd = props.envName === 'prod';
    const logRemovalPolicy = isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.provinceCode = props.provinceCode ?? '38';
    this.metricsNamespace = metricsNamespace(props.envName);

    /** A function built on `createCloudServices`: the environment contract of functions/core/config.ts. */
    const cloudFunction = (fnId: string, fnProps: ProjectFunctionProps, identity: { admin?: boolean } = {}) =>
      new ProjectFunction(this, fnId, { logRemovalPolicy, queueRemovalPolicy: logRemovalPolicy, ...fnProps, environment: { PROVINCE_CODE: this.provinceCode, ...fnProps.environment } })
        .bindUserPool(props.userPool, props.userPoolClient, identity)
        .bindSecret(props.appSecret);

    this.importJobFunction = cloudFunction('ImportJobFunction', {
      entry: 'functions/imports/import-job-lambda.ts',
      description: 'OCOP onboard import jobs (dry run, commit), invoked asynchronously by the API',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      asyncInvocation: asyncRetries,
    }).bindTable(props.table, 'readwrite');
    bindFilesBucket(this.importJobFunction, props.envName);
    // The stateful stack's files bucket sends its events to EventBridge (see FilesBucket): the
    // rule lives here, so that stack never refers to this function.
    this.importFileArrived = new Rule(this, 'ImportFileArrived', {
      description: 'An import spreadsheet arrived under imports/<id>/source: run its dry run',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [filesBucketName(props.envName)] }, object: { key: Match.wildcard(IMPORT_SOURCE_KEY_PATTERN) } },
      },
      targets: [new LambdaFunction(this.importJobFunction.function, { ...asyncRetries, deadLetterQueue: this.importJobFunction.deadLetterQueue })],
    });

    this.apiFunction = cloudFunction('ApiFunction', { entry: 'functions/api/lambda.ts', functionName: apiFunctionName(props.envName), description: 'OCOP onboard HTTP API (hono)' }, { admin: true })
      .bindTable(props.table, 'readwrite')
      .bindInvoke(this.importJobFunction, 'JOB_FUNCTION_NAME');
    bindFilesBucket(this.apiFunction, props.envName);
    bindPhotoBucketForApi(this.apiFunction, props.envName);

    this.scheduledJobFunction = cloudFunction('ScheduledJobFunction', {
      entry: 'functions/jobs/scheduled-lambda.ts',
      description: 'OCOP onboard scheduled jobs: month-end coverage snapshot, nightly reconciliation',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      asyncInvocation: asyncRetries,
      environment: { METRICS_NAMESPACE: this.metricsNamespace },
    }).bindTable(props.table, 'read');
    // The reconciliation recounts from the records: a batch job, the only one allowed to scan.
    this.scheduledJobFunction.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:Scan'], resources: [props.table.tableArn] }));
    // An administrator's POST /coverage/reconcile hands the recount to it.
    this.apiFunction.bindInvoke(this.scheduledJobFunction, 'SCHEDULED_FUNCTION_NAME');
    /** One write action, only on items whose partition key is like one of `leadingKeys`. */
    const allowOnKeys = (action: string, ...leadingKeys: string[]) =>
      this.scheduledJobFunction.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: [action], resources: [props.table.tableArn], conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } }),
      );
    // The snapshot writes only month-end snapshot items (PK P#<province>#COVSNAP).
    allowOnKeys('dynamodb:PutItem', 'P#*#COVSNAP');
    // A certificate the marking finds lapsed gets an audit event in the product's trail (PK P#<province>#AUDIT#PRODUCT#<id>).
    allowOnKeys('dynamodb:PutItem', 'P#*#AUDIT#PRODUCT#*');
    // The reconciliation marks the OCOP certificates that lapsed and repairs what a product keeps from its records
    // (PK P#<province>#PRODUCT#<id>): its listing statuses (one UpdateItem), and its readiness and certificate lapse
    // with the coverage counters that follow them (PK P#<province>#COVERAGE), in one transaction — which DynamoDB
    // authorises item by item, as UpdateItem.
    allowOnKeys('dynamodb:UpdateItem', 'P#*#PRODUCT#*', 'P#*#COVERAGE');
    // ... and sets right the count of bound cooperative users a producer keeps (PK P#<province>#PRODUCER#<id>).
    allowOnKeys('dynamodb:UpdateItem', 'P#*#PRODUCER#*');
    // ... and lists imports saved before the import list existed (PK P#<province>#IMPORT#<id>).
    allowOnKeys('dynamodb:UpdateItem', 'P#*#IMPORT#*');
    this.schedules = Object.fromEntries(
      (Object.keys(scheduledJobs) as ScheduledJobName[]).map((job) => {
        const { cron, description } = scheduledJobs[job];
        const rule = new Rule(this, `${job.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Schedule`, {
          description,
          schedule: Schedule.cron(cron),
          targets: [
            new LambdaFunction(this.scheduledJobFunction.function, {
              event: RuleTargetInput.fromObject({ job, time: EventField.time, eventId: EventField.eventId }),
              ...asyncRetries,
              deadLetterQueue: this.scheduledJobFunction.deadLetterQueue,
            }),
          ],
        });
        return [job, rule];
      }),
    ) as Record<ScheduledJobName, Rule>;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `OCOP onboard API (${props.envName})`,
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction.function);
    // Audience = the web client id: API Gateway checks `aud`, or `client_id` when there is no
    // `aud` (Cognito access tokens) — the same token the app's verifier accepts.
    const authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', cognitoIssuer(props.userPool), {
      authorizerName: 'cognito-access-token',
      jwtAudience: [props.userPoolClient.userPoolClientId],
    });
    this.httpApi.addRoutes({ path: `${API_PREFIX}/{proxy+}`, methods: [HttpMethod.ANY], integration, authorizer });
    for (const route of publicRoutes) {
      const [added] = this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration }) as [HttpRoute];
      Validations.of(added).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          `${route.method} ${route.path} is public by design: it serves the generated API description (or its reference ` +
          'page), holds no data, and must be readable before sign-in; every other route needs a Cognito access token.',
      });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // JSON, one line a request, joined to the app's log lines by requestId. No client IP,
        // no query string (search terms may be names or phone numbers), no token claims.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            lambdaRequestId: '$context.integration.requestId',
            requestTime: '$context.requestTime',
            userAgent: '$context.identity.userAgent',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            protocol: '$context.protocol',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            error: '$context.error.message',
          }),
        ),
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'ApiFunctionName', { value: this.apiFunction.function.functionName });
  }
}
