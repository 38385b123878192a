import { existsSync, mkdtempSync, openSync, readSync, readFileSync, readdirSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OcopApp } from '#infra/app-builder.ts';
import { PHOTO_FUNCTION_MEMORY_MB, bindPhotoBucketForApi } from '#infra/photo-stack.ts';
import { ProjectFunction } from '#infra/project-function.ts';
import { PHOTO_VERSION_DAYS, UNPROCESSED_UPLOAD_DAYS } from '#infra/photo-bucket.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Record<string, unknown> };

let outdir: string;
let prod: OcopApp;
let dev: OcopApp;
let stateful: Template;
let photos: Template;
let bucketId: string;
let logsId: string;

const asArray = <T,>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'ocop-cdk-'));
  prod = buildApp({ envName: 'prod', nag: false, outdir });
  dev = buildApp({ envName: 'dev', nag: false });
  stateful = Template.fromStack(prod.stateful);
  photos = Template.fromStack(prod.photos);
  bucketId = prod.stateful.getLogicalId(prod.stateful.photos.bucket.node.defaultChild as CfnElement);
  logsId = prod.stateful.getLogicalId(prod.stateful.photos.accessLogs.node.defaultChild as CfnElement);
}, 240_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function photoFunction(): { logicalId: string; Properties: Record<string, any> } {
  const found = Object.entries(photos.findResources('AWS::Lambda::Function'));
  expect(found).toHaveLength(1);
  return { logicalId: found[0]![0], ...(found[0]![1] as { Properties: Record<string, any> }) };
}

function photoStatements(): Statement[] {
  return Object.values(photos.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

describe('photo bucket (stateful stack)', () => {
  it('blocks public access, requires TLS and encrypts with S3-managed keys', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['ocop-onboard-prod-photos-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'photo-bucket/' },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('expires originals left under uploads/ and sends object events to EventBridge without a custom resource', () => {
    const bucket = stateful.findResources('AWS::S3::Bucket')[bucketId] as { Properties: Record<string, any>; DeletionPolicy: string };
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Id: 'expire-unprocessed-uploads', Prefix: 'uploads/', ExpirationInDays: UNPROCESSED_UPLOAD_DAYS, Status: 'Enabled' })]),
    );
    expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(Object.keys(stateful.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('keeps deleted or replaced photo files restorable in prod for the table’s point-in-time window (originals with GPS a day), and not in dev', () => {
    const bucket = stateful.findResources('AWS::S3::Bucket')[bucketId] as { Properties: Record<string, any> };
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Id: 'expire-unprocessed-uploads', Prefix: 'uploads/', NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
        expect.objectContaining({ Id: 'expire-old-versions', NoncurrentVersionExpiration: { NoncurrentDays: PHOTO_VERSION_DAYS }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
      ]),
    );
    expect(PHOTO_VERSION_DAYS).toBe(35); // DynamoDB's point-in-time recovery period (the table keeps the default)
    const devBucket = Template.fromStack(dev.stateful).findResources('AWS::S3::Bucket')[dev.stateful.getLogicalId(dev.stateful.photos.bucket.node.defaultChild as CfnElement)] as { Properties: Record<string, any> };
    expect(devBucket.Properties.VersioningConfiguration).toBeUndefined();
    expect(devBucket.Properties.LifecycleConfiguration.Rules.map((r: { Id: string }) => r.Id)).not.toContain('expire-old-versions');
  });

  it('lets browsers PUT uploads and GET variants through their presigned URLs (CORS), nothing else; from the web app’s own domain when it has one', () => {
    const bucket = stateful.findResources('AWS::S3::Bucket')[bucketId] as { Properties: Record<string, any> };
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['content-type'], AllowedOrigins: ['*'] })]);
    const withDomain = buildApp({ envName: 'prod', nag: false, context: { webDomain: 'ocop.thanhhoa.gov.vn', webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }, outdir: mkdtempSync(join(tmpdir(), 'ocop-domain-')) });
    const rules = Object.values(Template.fromStack(withDomain.stateful).findResources('AWS::S3::Bucket')).flatMap((b) => (b as { Properties: Record<string, any> }).Properties.CorsConfiguration?.CorsRules ?? []);
    // The photo bucket's rule, and the files bucket's (import spreadsheets) alike.
    expect(rules).toEqual([expect.objectContaining({ AllowedMethods: ['PUT', 'GET'], AllowedOrigins: ['https://ocop.thanhhoa.gov.vn'] }), expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: ['https://ocop.thanhhoa.gov.vn'] })]);
  });
});

describe('photo stack', () => {
  it('runs the photo Lambda on nodejs24.x, arm64, with memory for 100 MP originals', () => {
    const fn = photoFunction();
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: PHOTO_FUNCTION_MEMORY_MB, Timeout: 60 });
    expect(PHOTO_FUNCTION_MEMORY_MB).toBeGreaterThanOrEqual(1536);
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual(['AUTH_MODE', 'JWKS_URL', 'JWT_AUDIENCE', 'JWT_ISSUER', 'NODE_OPTIONS', 'PHOTO_BUCKET', 'PROVINCE_CODE', 'SECRET_ARN', 'TABLE_NAME']);
    expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
  });

  it('invokes it for "Object Created" events under uploads/ of the photo bucket only', () => {
    const fn = photoFunction();
    const rule = Object.values(photos.findResources('AWS::Events::Rule'))[0] as { Properties: Record<string, any> };
    expect(rule.Properties.EventPattern).toMatchObject({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: [{ prefix: 'uploads/' }] } } });
    expect(JSON.stringify(rule.Properties.EventPattern.detail.bucket.name)).toContain('ocop-onboard-prod-photos-');
    const dlq = prod.photos.getLogicalId(prod.photos.photoFunction.deadLetterQueue!.node.defaultChild as CfnElement);
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } } })]);
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
    photos.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fn.logicalId }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    photos.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    photos.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] } });
  });

  it('grants only object access under uploads/ and variants/, the secret, its dead-letter queue, and the product, producer and coverage partitions', () => {
    const statements = photoStatements().filter((s) => !asArray(s.Action).some((a) => a.startsWith('logs:') || a.startsWith('secretsmanager:') || a.startsWith('sqs:')));
    const describe = statements.map((s) => ({ actions: asArray(s.Action).sort(), resources: asArray(s.Resource).map((r) => JSON.stringify(r)), condition: s.Condition }));
    expect(describe).toHaveLength(4);
    expect(photoStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:'))).map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringMatching(/AppSecret/)]);
    expect(photoStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:'))).map((s) => asArray(s.Action))).toEqual([['sqs:SendMessage']]);
    const find = (action: string) => describe.find((d) => d.actions.includes(action))!;
    expect(find('s3:GetObject').actions).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(find('s3:GetObject').resources.join()).toMatch(/s3:::ocop-onboard-prod-photos-.*\/uploads\/\*/);
    expect(find('s3:PutObject').actions).toEqual(['s3:DeleteObject', 's3:PutObject']);
    expect(find('s3:PutObject').resources.join()).toMatch(/s3:::ocop-onboard-prod-photos-.*\/variants\/\*/);
    expect(find('s3:ListBucket').condition).toEqual({ StringLike: { 's3:prefix': ['uploads/*', 'variants/*'] } });
    expect(find('dynamodb:GetItem')).toMatchObject({ actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*#PRODUCT#*', 'P#*#PRODUCER#*', 'P#*#COVERAGE'] } } });
    expect(describe.flatMap((d) => d.actions).filter((a) => a.includes('*'))).toEqual([]);
    expect(Object.values(photos.findResources('AWS::IAM::Role')).map((r) => (r as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns)).toEqual([undefined]);
  });
});

function acknowledgements(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((e) => Object.entries(e.data as Record<string, string>).map(([id, reason]) => `${id.replace(/^annotation::/i, '')} :: ${reason}`)));
}

describe('cdk-nag AwsSolutions on the photo resources', () => {
  it('finds nothing unacknowledged in the stateful and photo stacks', () => {
    for (const app of [prod, dev]) {
      for (const stack of [app.stateful, app.photos]) {
        const violations = new AwsSolutionsChecks().validateScope(stack).violations;
        expect(violations.map((v) => `${v.ruleName} ${v.severity} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      }
    }
  });

  it('acknowledges only the two object-prefix wildcards, each with its reason', () => {
    const acks = acknowledgements(prod.photos);
    const arn = 'arn:<AWS::Partition>:s3:::ocop-onboard-prod-photos-<AWS::AccountId>-<AWS::Region>';
    expect(acks.map((a) => a.split(' :: ')[0])).toEqual([`AwsSolutions-IAM5[Resource::${arn}/uploads/*]`, `AwsSolutions-IAM5[Resource::${arn}/variants/*]`]);
    expect(acks.every((a) => a.split(' :: ')[1]!.length > 80)).toBe(true);
    expect(acknowledgements(prod.stateful).filter((a) => /S3|IAM/.test(a))).toEqual([]);
  });
});

describe('photo bucket access for the API Lambda', () => {
  it('grants presigned uploads of originals, reads of variants and deletes, sets PHOTO_BUCKET, and stays cdk-nag clean', () => {
    const stack = new Stack(new App(), 'ApiLike');
    const fn = bindPhotoBucketForApi(new ProjectFunction(stack, 'Fn', { entry: 'functions/photos/photo-events.ts' }), 'prod');
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const where = (r: unknown) => /\/(uploads|variants)\/\*/.exec(JSON.stringify(r))?.[0] ?? 'the bucket';
    const s3 = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:'))).map((s) => `${asArray(s.Action).sort().join(',')} ${asArray(s.Resource).map(where).join()}`);
    expect(s3.sort()).toEqual(['s3:DeleteObject,s3:GetObject /variants/*', 's3:DeleteObject,s3:PutObject /uploads/*', 's3:ListBucket the bucket']);
    const variables = (Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(JSON.stringify(variables.PHOTO_BUCKET)).toContain('ocop-onboard-prod-photos-');
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    expect(fn.role).toBeDefined();
  });
});

describe('photo Lambda asset', () => {
  it('contains sharp installed for linux-arm64 (an aarch64 ELF binary), not bundled, and no x64 build', () => {
    const assembly = prod.app.synth();
    expect(assembly.directory).toBe(outdir);
    const key: string = photoFunction().Properties.Code.S3Key;
    const asset = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    const img = join(asset, 'node_modules', '@img');
    expect(readdirSync(img).sort()).toEqual(['colour', 'sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    const binaries = readdirSync(join(img, 'sharp-linux-arm64', 'lib')).filter((f) => f.endsWith('.node'));
    expect(binaries).toHaveLength(1);
    const header = Buffer.alloc(20);
    const fd = openSync(join(img, 'sharp-linux-arm64', 'lib', binaries[0]!), 'r');
    readSync(fd, header, 0, 20, 0);
    closeSync(fd);
    expect([header.subarray(0, 4).toString('latin1'), header.readUInt16LE(18)]).toEqual(['\x7fELF', 183]);
    expect(existsSync(join(asset, 'node_modules', 'sharp', 'package.json'))).toBe(true);
    const bundle = readFileSync(join(asset, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(/from"sharp"/);
    expect(bundle).not.toContain('sharp-linux-x64');
    expect(Stack.of(prod.photos.photoFunction).stackName).toBe('OcopOnboard-prod-Photos');
  });
});
