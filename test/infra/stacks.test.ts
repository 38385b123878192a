import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OcopApp } from '#infra/app-builder.ts';
import { tableDesign } from '#functions/repositories/table-design.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let prod: OcopApp;
let dev: OcopApp;
let prodStateful: Template;
let prodApi: Template;
let devStateful: Template;

beforeAll(() => {
  prod = buildApp({ envName: 'prod', nag: false });
  dev = buildApp({ envName: 'dev', nag: false });
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

function apiFunctionStatements(): Statement[] {
  const fn = onlyResource(prodApi, 'AWS::Lambda::Function');
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
  it('names the stacks OcopOnboard-<env>-Stateful and OcopOnboard-<env>-Api', () => {
    expect([prod.stateful.stackName, prod.api.stackName, dev.stateful.stackName, dev.api.stackName]).toEqual([
      'OcopOnboard-prod-Stateful',
      'OcopOnboard-prod-Api',
      'OcopOnboard-dev-Stateful',
      'OcopOnboard-dev-Api',
    ]);
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
  it('runs the API Lambda on nodejs24.x and arm64', () => {
    prodApi.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 29,
    });
  });

  it('gives the API Lambda the environment contract of functions/core/config.ts', () => {
    const variables = onlyResource(prodApi, 'AWS::Lambda::Function').Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      ['AUTH_MODE', 'JWKS_URL', 'JWT_AUDIENCE', 'JWT_ISSUER', 'NODE_OPTIONS', 'PROVINCE_CODE', 'SECRET_ARN', 'TABLE_NAME'].sort(),
    );
    expect(variables).toMatchObject({ PROVINCE_CODE: '38', AUTH_MODE: 'jwks', NODE_OPTIONS: '--enable-source-maps' });
    expect(JSON.stringify(variables.JWKS_URL)).toContain('/.well-known/jwks.json');
    expect(JSON.stringify(variables.JWT_ISSUER)).toContain('https://cognito-idp.');
    expect(JSON.stringify(variables.JWT_AUDIENCE)).toContain('UserPoolWebClient');
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

  it('grants no wildcard action or resource anywhere in the API stack', () => {
    const statements = Object.values(prodApi.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    expect(statements.flatMap((s) => asArray(s.Resource)).filter((r) => JSON.stringify(r).includes('*'))).toEqual([]);
  });

  it('lets the API Lambda read only the app secret', () => {
    const secrets = apiFunctionStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toHaveLength(1);
    expect(new Set(asArray(secrets[0]!.Action))).toEqual(new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
    expect(JSON.stringify(secrets[0]!.Resource)).toMatch(/OcopOnboard-prod-Stateful.*AppSecret/);
  });

  it('uses no AWS managed policy on the Lambda role and writes logs only to its own log group', () => {
    const role = onlyResource(prodApi, 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const logs = apiFunctionStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    const fn = onlyResource(prodApi, 'AWS::Lambda::Function');
    expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] });
  });

  it('keeps the Lambda and access logs for one month', () => {
    prodApi.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });

  it('routes ANY /{proxy+} to the API Lambda through a payload 2.0 proxy integration', () => {
    prodApi.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}' });
    prodApi.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiFunction'), 'Arn'] },
    });
  });

  it('logs access and throttles on the $default stage', () => {
    prodApi.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  const stacks = () => [prod.stateful, prod.api, dev.stateful, dev.api];

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
    const photoObjectPrefixes = (['prod', 'dev'] as const).flatMap((env) =>
      ['uploads', 'variants'].map((prefix) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::ocop-onboard-${env}-photos-<AWS::AccountId>-<AWS::Region>/${prefix}/*]`),
    );
    expect(new Set(acks.map((a) => a.id.replace(/^annotation::/i, '')))).toEqual(new Set(['AwsSolutions-SMG4', 'AwsSolutions-APIG4', ...photoObjectPrefixes]));
    expect(acks.filter((a) => a.reason.length < 80)).toEqual([]);
  });

  it('synthesizes the whole app in both environments with the AwsSolutions plugin registered', () => {
    for (const envName of ['prod', 'dev'] as const) {
      const { app } = buildApp({ envName });
      expect(() => app.synth()).not.toThrow();
    }
  }, 120_000);

  it('raises no error annotation from any construct', () => {
    for (const stack of stacks()) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});
