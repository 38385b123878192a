import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OcopApp } from '#infra/app-builder.ts';
import { tableDesign } from '#functions/repositories/table-design.ts';
import { loadConfig } from '#functions/core/config.ts';
import { snapshotMonthAt } from '#functions/jobs/scheduled-jobs.ts';
import { apiThrottle } from '#infra/api-stack.ts';
import { IMPORT_FILE_DAYS } from '#infra/files-bucket.ts';
import { ProjectFunction, userPoolAdminActions } from '#infra/project-function.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let prod: OcopApp;
let dev: OcopApp;
let prodStateful: Template;
let prodApi: Template;
let devStateful: Template;

// Built once, with cdk-nag's AwsSolutions plugin registered as in `cdk synth`: the first
// synthesis (by Template.fromStack or the gate test) runs the validation.
beforeAll(() => {
  prod = buildApp({ envName: 'prod' });
  dev = buildApp({ envName: 'dev' });
  prodStateful = Template.fromStack(prod.stateful);
  prodApi = Template.fromStack(prod.api);
  devStateful = Template.fromStack(dev.stateful);
}, 120_000);

function onlyResource(template: Template, type: string): { Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string } {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as never;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function apiFunction(): { Properties: Record<string, any> } {
  return prodApi.findResources('AWS::Lambda::Function')[prod.api.getLogicalId(prod.api.apiFunction.function.node.defaultChild as CfnElement)] as never;
}

function apiFunctionStatements(): Statement[] {
  const fn = apiFunction();
  const roleLogicalId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = Object.values(
    prodApi.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } }),
  ) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  expect(policies.length).toBeGreaterThan(0);
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function acknowledgements(scope: IConstruct): { id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>))
      .map(([id, reason]) => ({ id, reason: typeof reason === 'string' ? reason : JSON.stringify(reason) })),
  );
}

describe('stateful stack', () => {
  it('names the stacks OcopOnboard-<env>-<part>', () => {
    for (const app of [prod, dev]) {
      expect([app.stateful, app.api, app.photos, app.web, app.monitoring].map((s) => s.stackName)).toEqual(
        ['Stateful', 'Api', 'Photos', 'Web', 'Monitoring'].map((part) => `OcopOnboard-${app.envName}-${part}`),
      );
    }
  });

  it('bills the table on demand', () => {
    prodStateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST' });
  });

  it('encrypts the table with KMS', () => {
    prodStateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  it('keeps point-in-time recovery on in prod and dev', () => {
    for (const template of [prodStateful, devStateful]) {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      });
    }
  });

  it('protects the prod table from deletion and retains it', () => {
    const table = onlyResource(prodStateful, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('lets the dev table be deleted with its stack', () => {
    const table = onlyResource(devStateful, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);
    expect(table.DeletionPolicy).toBe('Delete');
  });

  it('takes the key schema and TTL attribute from tableDesign', () => {
    prodStateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true },
    });
  });

  it('creates exactly the GSIs of tableDesign, each projecting ALL', () => {
    prodStateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: tableDesign.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('allows no self sign-up and requires TOTP MFA on the user pool', () => {
    prodStateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('gives the web client SRP sign-in only, revocable refresh tokens of a week and 15 minutes between sign-in steps', () => {
    prodStateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 10080,
      AuthSessionValidity: 15,
    });
  });

  it('requires passwords of 12+ characters with all four character classes', () => {
    prodStateful.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('recovers accounts by verified email only and runs the PLUS plan with enforced threat protection in prod', () => {
    prodStateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('retains the prod user pool and secret', () => {
    for (const type of ['AWS::Cognito::UserPool', 'AWS::SecretsManager::Secret']) {
      expect(onlyResource(prodStateful, type).DeletionPolicy).toBe('Retain');
    }
  });

  it('retains every prod bucket and lets dev buckets be emptied and deleted with the stack', () => {
    const buckets = (t: Template) => Object.values(t.findResources('AWS::S3::Bucket')) as { DeletionPolicy?: string }[];
    expect(buckets(prodStateful).map((b) => b.DeletionPolicy)).toEqual(['Retain', 'Retain', 'Retain']);
    expect(Object.keys(prodStateful.findResources('Custom::S3AutoDeleteObjects'))).toEqual([]);
    expect(buckets(devStateful).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete']);
    expect(Object.keys(devStateful.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(3);
  });

  it('keeps import files in a private, encrypted, TLS-only files bucket that expires them after 30 days', () => {
    const [id, bucket] = Object.entries(prodStateful.findResources('AWS::S3::Bucket', { Properties: { BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['ocop-onboard-prod-files-'])] }) } }))[0] as [string, { Properties: Record<string, any> }];
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { LogFilePrefix: 'files-bucket/' },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([expect.objectContaining({ Prefix: 'imports/', ExpirationInDays: IMPORT_FILE_DAYS, Status: 'Enabled' })]));
    expect(IMPORT_FILE_DAYS).toBe(30);
    prodStateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('lets browsers PUT import files straight into the files bucket (CORS, from the web domain when there is one) and sends its object events to EventBridge', () => {
    const filesBucketOf = (template: Template) =>
      Object.values(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('-files-$')])] }) } }))[0] as { Properties: Record<string, any> };
    const bucket = filesBucketOf(prodStateful);
    expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(Object.keys(prodStateful.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([{ AllowedMethods: ['PUT'], AllowedOrigins: ['*'], AllowedHeaders: ['content-type'], MaxAge: 3600 }]);
    const withDomain = buildApp({ envName: 'prod', nag: false, context: { webDomain: 'ocop.thanhhoa.gov.vn', webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' } });
    expect(filesBucketOf(Template.fromStack(withDomain.stateful)).Properties.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['https://ocop.thanhhoa.gov.vn'] })]);
  });

  it('lets an administrator create users without an email address (the email is optional)', () => {
    const pool = onlyResource(prodStateful, 'AWS::Cognito::UserPool');
    expect(pool.Properties.Schema).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'email', Required: false })]));
  });

  it('gives the web client no secret, SRP sign-in and no plain password flow', () => {
    prodStateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });

  it('generates a 64-character app secret', () => {
    prodStateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });
});

describe('api stack', () => {
  it('runs the API Lambda on nodejs24.x and arm64 under a fixed name', () => {
    expect(apiFunction().Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 512, Timeout: 29, FunctionName: 'OcopOnboard-prod-api' });
  });

  it('gives the API Lambda the environment contract of functions/core/config.ts', () => {
    const variables = apiFunction().Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      ['AUTH_MODE', 'FILES_BUCKET', 'JOB_FUNCTION_NAME', 'JWKS_URL', 'JWT_AUDIENCE', 'JWT_ISSUER', 'NODE_OPTIONS', 'PHOTO_BUCKET', 'PROVINCE_CODE', 'SCHEDULED_FUNCTION_NAME', 'SECRET_ARN', 'TABLE_NAME', 'USER_POOL_ID'].sort(),
    );
    expect(Object.keys(loadConfig({ ...Object.fromEntries(Object.keys(variables).map((k) => [k, 'x'])), PROVINCE_CODE: '38', AUTH_MODE: 'jwks', JWKS_URL: 'https://x/.well-known/jwks.json' }))).toEqual(
      expect.arrayContaining(['filesBucket', 'photoBucket', 'jobFunctionName', 'userPoolId']),
    );
    expect(variables).toMatchObject({ PROVINCE_CODE: '38', AUTH_MODE: 'jwks', NODE_OPTIONS: '--enable-source-maps' });
    expect(JSON.stringify(variables.JWKS_URL)).toContain('/.well-known/jwks.json');
    expect(JSON.stringify(variables.JWT_ISSUER)).toContain('https://cognito-idp.');
    expect(JSON.stringify(variables.JWT_AUDIENCE)).toContain('UserPoolWebClient');
    expect(JSON.stringify(variables.FILES_BUCKET)).toContain('ocop-onboard-prod-files-');
    expect(variables.JOB_FUNCTION_NAME).toEqual({ Ref: prod.api.getLogicalId(prod.api.importJobFunction.function.node.defaultChild as CfnElement) });
    expect(variables.SCHEDULED_FUNCTION_NAME).toEqual({ Ref: prod.api.getLogicalId(prod.api.scheduledJobFunction.function.node.defaultChild as CfnElement) });
  });

  it('grants the API Lambda only named dynamodb actions on the table and its indexes, never Scan', () => {
    const dynamo = apiFunctionStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    const actions = dynamo.flatMap((s) => asArray(s.Action));
    expect(dynamo.every((s) => asArray(s.Action).every((a) => a.startsWith('dynamodb:')))).toBe(true);
    expect(actions.filter((a) => a.includes('*') || a === 'dynamodb:Scan')).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:ConditionCheckItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ]),
    );

    const tableArn = asArray(dynamo.find((s) => asArray(s.Action).includes('dynamodb:GetItem'))!.Resource)[0];
    expect(JSON.stringify(tableArn)).toMatch(/OcopOnboard-prod-Stateful.*Table.*Arn/);
    const allowed = [
      JSON.stringify(tableArn),
      ...tableDesign.globalIndexes.map((index) => JSON.stringify({ 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] })),
    ];
    const resources = dynamo.flatMap((s) => asArray(s.Resource)).map((r) => JSON.stringify(r));
    expect(resources.filter((r) => !allowed.includes(r))).toEqual([]);
    expect(new Set(resources)).toEqual(new Set(allowed));
  });

  it('grants no wildcard action anywhere in the API stack, and wildcard resources only as object-key prefixes of the two buckets', () => {
    const statements = Object.values(prodApi.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    const wildcards = statements.flatMap((s) => asArray(s.Resource)).map((r) => JSON.stringify(r)).filter((r) => r.includes('*'));
    expect(new Set(wildcards.map((r) => /ocop-onboard-prod-(files|photos)-.*?\/(imports|uploads|variants)\/\*/.exec(r)?.slice(1, 3).join(':')))).toEqual(new Set(['files:imports', 'photos:uploads', 'photos:variants']));
  });

  it('lets the API Lambda read only the app secret', () => {
    const secrets = apiFunctionStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toHaveLength(1);
    expect(new Set(asArray(secrets[0]!.Action))).toEqual(new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
    expect(JSON.stringify(secrets[0]!.Resource)).toMatch(/OcopOnboard-prod-Stateful.*AppSecret/);
  });

  it('lets the API Lambda create, disable and delete Cognito users of its own pool, invoke the job functions (imports; the recount), and use import files', () => {
    const statements = apiFunctionStatements();
    const cognito = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect(asArray(cognito[0]!.Action).sort()).toEqual([...userPoolAdminActions].sort());
    expect(JSON.stringify(cognito[0]!.Resource)).toMatch(/OcopOnboard-prod-Stateful.*UserPool.*Arn/);
    const invoke = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    const arnOf = (fn: { function: { node: { defaultChild?: unknown } } }) => ({ 'Fn::GetAtt': [prod.api.getLogicalId(fn.function.node.defaultChild as CfnElement), 'Arn'] });
    expect(invoke.flatMap((s) => asArray(s.Resource))).toEqual([arnOf(prod.api.importJobFunction), arnOf(prod.api.scheduledJobFunction)]);
    const files = statements.filter((s) => JSON.stringify(s.Resource).includes('ocop-onboard-prod-files-'));
    expect(files.map((s) => `${asArray(s.Action).sort().join(',')} ${JSON.stringify(s.Resource).includes('/imports/*') ? 'imports/*' : 'bucket'}`).sort()).toEqual(['s3:DeleteObject,s3:GetObject,s3:PutObject imports/*', 's3:ListBucket bucket']);
  });

  it('uses no AWS managed policy on any function role and writes each function’s logs only to its own log group', () => {
    for (const role of Object.values(prodApi.findResources('AWS::IAM::Role'))) expect((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns).toBeUndefined();
    const logs = apiFunctionStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [apiFunction().Properties.LoggingConfig.LogGroup.Ref, 'Arn'] });
  });

  it('keeps every log group of the API stack one month, retained in prod, and every function logs JSON', () => {
    const groups = Object.values(prodApi.findResources('AWS::Logs::LogGroup')) as { Properties: { RetentionInDays: number }; DeletionPolicy: string }[];
    expect(groups).toHaveLength(4);
    expect(groups.map((g) => [g.Properties.RetentionInDays, g.DeletionPolicy])).toEqual(Array(4).fill([30, 'Retain']));
    for (const fn of Object.values(prodApi.findResources('AWS::Lambda::Function'))) expect((fn as { Properties: { LoggingConfig: { LogFormat: string } } }).Properties.LoggingConfig.LogFormat).toBe('JSON');
  });

  it('routes /api/v1/{proxy+} through a Cognito JWT authorizer whose audience is the web client, and only the API description without one', () => {
    const routes = Object.values(prodApi.findResources('AWS::ApiGatewayV2::Route')) as { Properties: { RouteKey: string; AuthorizationType: string } }[];
    expect(routes.map((r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`).sort()).toEqual(['ANY /api/v1/{proxy+} JWT', 'GET /api/docs NONE', 'GET /api/v1/openapi.json NONE']);
    const authorizer = onlyResource(prodApi, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toEqual(JSON.stringify(apiFunction().Properties.Environment.Variables.JWT_ISSUER));
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([apiFunction().Properties.Environment.Variables.JWT_AUDIENCE]);
    prodApi.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiFunction'), 'Arn'] },
    });
  });

  it('logs access as JSON with the request ids and no client IP or query string, and throttles on the $default stage', () => {
    const stage = onlyResource(prodApi, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'] } },
      DefaultRouteSettings: { ThrottlingRateLimit: apiThrottle.rateLimit, ThrottlingBurstLimit: apiThrottle.burstLimit },
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', lambdaRequestId: '$context.integration.requestId', status: '$context.status' });
    expect(Object.values(format).filter((v) => /sourceIp|querystring|claims/i.test(v))).toEqual([]);
  });
});

describe('jobs (api stack)', () => {
  const fnOf = (pf: ProjectFunction) => prodApi.findResources('AWS::Lambda::Function')[prod.api.getLogicalId(pf.function.node.defaultChild as CfnElement)] as { Properties: Record<string, any> };
  const statementsOf = (pf: ProjectFunction): Statement[] =>
    Object.values(prodApi.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: prod.api.getLogicalId(pf.role.node.defaultChild as CfnElement) }] } })).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );

  it('retries asynchronous jobs twice, then sends them to an encrypted, TLS-only dead-letter queue', () => {
    for (const pf of [prod.api.importJobFunction, prod.api.scheduledJobFunction]) {
      const queue = prod.api.getLogicalId(pf.deadLetterQueue!.node.defaultChild as CfnElement);
      expect(fnOf(pf).Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } });
      prodApi.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: prod.api.getLogicalId(pf.function.node.defaultChild as CfnElement) }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 });
      expect((prodApi.findResources('AWS::SQS::Queue')[queue] as { Properties: Record<string, unknown> }).Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      prodApi.hasResourceProperties('AWS::SQS::QueuePolicy', { Queues: [{ Ref: queue }], PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    }
    expect(fnOf(prod.api.apiFunction).Properties.DeadLetterConfig).toBeUndefined();
  });

  it('runs the month-end snapshot at 00:05 on the 1st and the reconciliation at 02:00, Vietnam time, with the job named in the input', () => {
    const rules = Object.values(prodApi.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })) as { Properties: { ScheduleExpression: string; Targets: Record<string, any>[] } }[];
    expect(rules.map((r) => r.Properties.ScheduleExpression).sort()).toEqual(['cron(0 19 * * ? *)', 'cron(5 17 L * ? *)']);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [prod.api.getLogicalId(prod.api.scheduledJobFunction.function.node.defaultChild as CfnElement), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [prod.api.getLogicalId(prod.api.scheduledJobFunction.deadLetterQueue!.node.defaultChild as CfnElement), 'Arn'] } },
          InputTransformer: expect.objectContaining({ InputPathsMap: { time: '$.time', id: '$.id' } }),
        }),
      ]);
    }
    expect(snapshotMonthAt(new Date('2026-01-31T17:05:00Z'))).toBe('2026-01');
    expect(snapshotMonthAt(new Date('2026-12-31T17:05:00Z'))).toBe('2026-12');
    expect(snapshotMonthAt(new Date('2027-01-01T03:00:00Z'))).toBe('2026-12');
  });

  it('lets only the scheduled function scan, and write nothing but month-end snapshots, the repairs of what products keep (listing statuses, readiness and certificate lapse with their counters and a lapse’s audit event) and producers’ user counts', () => {
    const scheduled = statementsOf(prod.api.scheduledJobFunction).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    const writes = scheduled.filter((s) => asArray(s.Action).some((a) => /Put|Update|Delete|Write/.test(a)));
    expect(writes).toEqual([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#COVSNAP'] } } }),
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#AUDIT#PRODUCT#*'] } } }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#PRODUCT#*', 'P#*#COVERAGE'] } } }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#PRODUCER#*'] } } }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#IMPORT#*'] } } }),
    ]);
    expect(scheduled.filter((s) => asArray(s.Action).includes('dynamodb:Scan'))).toHaveLength(1);
    for (const pf of [prod.api.apiFunction, prod.api.importJobFunction]) expect(statementsOf(pf).flatMap((s) => asArray(s.Action))).not.toContain('dynamodb:Scan');
    expect(fnOf(prod.api.scheduledJobFunction).Properties.Environment.Variables.METRICS_NAMESPACE).toBe('OcopOnboard/prod');
  });

  it('runs the import job function when an import’s file arrives under imports/<id>/source of the files bucket, with retries and its dead-letter queue', () => {
    const fnId = prod.api.getLogicalId(prod.api.importJobFunction.function.node.defaultChild as CfnElement);
    const ruleId = prod.api.getLogicalId(prod.api.importFileArrived.node.defaultChild as CfnElement);
    const rule = prodApi.findResources('AWS::Events::Rule')[ruleId] as { Properties: Record<string, any> };
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining(['ocop-onboard-prod-files-'])] })] }, object: { key: [{ wildcard: 'imports/*/source' }] } },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [prod.api.getLogicalId(prod.api.importJobFunction.deadLetterQueue!.node.defaultChild as CfnElement), 'Arn'] } },
      }),
    ]);
    expect(rule.Properties.Targets[0].Input).toBeUndefined();
    prodApi.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } });
    // It reads the arrived file (HeadObject and GetObject both need s3:GetObject) under imports/ of the files bucket.
    const reads = statementsOf(prod.api.importJobFunction).filter((s) => asArray(s.Action).includes('s3:GetObject'));
    expect(reads.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringMatching(/ocop-onboard-prod-files-.*\/imports\/\*/)]);
    expect(fnOf(prod.api.importJobFunction).Properties.Environment.Variables.FILES_BUCKET).toEqual(expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining(['ocop-onboard-prod-files-'])] }));
  });

  it('gives the import job function the table and the import files, and nothing of Cognito or photos', () => {
    const actions = statementsOf(prod.api.importJobFunction).flatMap((s) => asArray(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 's3:GetObject', 's3:PutObject']));
    expect(actions.filter((a) => a.startsWith('cognito-idp:') || a === 'lambda:InvokeFunction')).toEqual([]);
    expect(Object.keys(fnOf(prod.api.importJobFunction).Properties.Environment.Variables)).not.toContain('PHOTO_BUCKET');
    expect(fnOf(prod.api.importJobFunction).Properties.Timeout).toBe(900);
  });
});

describe('cdk-nag AwsSolutions', () => {
  const stacks = () => [prod, dev].flatMap((app) => [app.stateful, app.api, app.photos, app.web, app.monitoring]);

  it('reports no unacknowledged error in any stack', () => {
    const errors = stacks().flatMap((stack) =>
      new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'error'),
    );
    expect(errors.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('reports no unacknowledged warning in any stack', () => {
    const warnings = stacks().flatMap((stack) =>
      new AwsSolutionsChecks().validateScope(stack).violations.filter((v) => v.severity === 'warning'),
    );
    expect(warnings.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('finds violations in a non-compliant stack, so a clean report means something', () => {
    const stack = new Stack(new App(), 'NonCompliant');
    new UserPool(stack, 'Pool');
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-COG2', 'AwsSolutions-COG8']));
  });

  it('acknowledges only the expected rules, each with a written reason', () => {
    const acks = [prod.app, dev.app].flatMap((app) => acknowledgements(app));
    const objectPrefixes = (['prod', 'dev'] as const).flatMap((env) => [
      ...['uploads', 'variants'].map((prefix) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::ocop-onboard-${env}-photos-<AWS::AccountId>-<AWS::Region>/${prefix}/*]`),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::ocop-onboard-${env}-files-<AWS::AccountId>-<AWS::Region>/imports/*]`,
    ]);
    const bucketDeployment = ['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', 'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', 'Resource::<SiteBucket397A1860.Arn>/*'].map((f) => `AwsSolutions-IAM5[${f}]`);
    expect(new Set(acks.map((a) => a.id.replace(/^annotation::/i, '')))).toEqual(
      new Set(['AwsSolutions-SMG4', 'AwsSolutions-APIG4', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4', 'AwsSolutions-L1', ...objectPrefixes, ...bucketDeployment]),
    );
    expect(acks.filter((a) => a.reason.length < 80)).toEqual([]);
  });

  it('acknowledges nothing that is not found: without the acknowledgements each one would be a finding', () => {
    const rendered = (app: OcopApp) =>
      [app.stateful, app.api, app.photos, app.web, app.monitoring].flatMap((stack) =>
        stack.node.findAll().flatMap((c) =>
          c.node.metadata
            .filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((e) => Object.keys(e.data as Record<string, unknown>).map((id) => ({ id: id.replace(/^annotation::/i, ''), path: c.node.path }))),
        ),
      );
    const acked = rendered(dev);
    // The same app built with `acknowledge` switched off for the duration of the build.
    const acknowledge = Validations.prototype.acknowledge;
    Validations.prototype.acknowledge = () => undefined;
    let unacked: OcopApp;
    try {
      unacked = buildApp({ envName: 'dev', nag: false });
    } finally {
      Validations.prototype.acknowledge = acknowledge;
    }
    const findings = [unacked.stateful, unacked.api, unacked.photos, unacked.web, unacked.monitoring].flatMap((stack) =>
      new AwsSolutionsChecks().validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath }))),
    );
    for (const ack of acked) expect(findings.some((f) => f.id === ack.id && (f.path === ack.path || !!f.path?.startsWith(`${ack.path}/`))), `${ack.id} at ${ack.path}`).toBe(true);
  }, 120_000);

  it('synthesizes the whole app in both environments with the AwsSolutions plugin registered', () => {
    for (const app of [prod, dev]) {
      expect(Validations.of(app.app)).toBeDefined();
      expect(() => app.app.synth()).not.toThrow();
    }
  }, 120_000);

  it('raises no error annotation from any construct', () => {
    for (const stack of stacks()) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});
