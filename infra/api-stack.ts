import { CfnOutput, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvName } from '#infra/environment.ts';
import { ProjectFunction } from '#infra/project-function.ts';

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

/**
 * The HTTP API: one catch-all route to the hono app in `functions/api/lambda.ts`, which
 * verifies Cognito tokens itself (AUTH_MODE=jwks).
 */
export class ApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly apiFunction: ProjectFunction;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const isProd = props.envName === 'prod';
    const logRemovalPolicy = isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${props.userPool.userPoolId}`;

    this.apiFunction = new ProjectFunction(this, 'ApiFunction', {
      entry: 'functions/api/lambda.ts',
      description: 'OCOP onboard HTTP API (hono)',
      logRemovalPolicy,
      environment: {
        PROVINCE_CODE: props.provinceCode ?? '38',
        AUTH_MODE: 'jwks',
        JWKS_URL: `${issuer}/.well-known/jwks.json`,
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: props.userPoolClient.userPoolClientId,
      },
    })
      .bindTable(props.table, 'readwrite')
      .bindSecret(props.appSecret);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: `OCOP onboard API (${props.envName})`,
      createDefaultStage: false,
    });
    this.httpApi.addRoutes({
      path: '/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction.function),
    });

    const accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
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
            error: '$context.error.message',
          }),
        ),
      },
    });

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is enforced inside the hono app, which verifies Cognito JWTs against the ' +
        'user pool JWKS (AUTH_MODE=jwks) and applies per-role and per-commune scopes that a ' +
        'gateway authorizer cannot express; the catch-all route also serves public paths ' +
        '(OpenAPI document, reference page). A gateway JWT authorizer on the private routes is a planned follow-up.',
    });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
  }
}
