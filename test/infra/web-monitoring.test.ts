import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OcopApp } from '#infra/app-builder.ts';
import { apiDocsPage } from '#functions/api/routes/docs-page.ts';
import { API_5XX_PERCENT } from '#infra/monitoring-stack.ts';
import { HSTS_MAX_AGE } from '#infra/web-stack.ts';
import { IMMUTABLE_CACHE_CONTROL, REVALIDATE_CACHE_CONTROL, SPA_REWRITE_FUNCTION, docsContentSecurityPolicy } from '#infra/web-security.ts';

let outdir: string;
let prod: OcopApp;
let dev: OcopApp;
let web: Template;
let monitoring: Template;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'ocop-web-'));
  prod = buildApp({ envName: 'prod', nag: false, outdir, context: { alarmEmail: 'ops@example.vn' } });
  dev = buildApp({ envName: 'dev', nag: false });
  web = Template.fromStack(prod.web);
  monitoring = Template.fromStack(prod.monitoring);
}, 240_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Behavior = Record<string, any>;
const distributionConfig = () => (Object.values(web.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: Record<string, any> } }).Properties.DistributionConfig;
const headersPolicy = (ref: { Ref: string }) => (web.findResources('AWS::CloudFront::ResponseHeadersPolicy')[ref.Ref] as { Properties: { ResponseHeadersPolicyConfig: Record<string, any> } }).Properties.ResponseHeadersPolicyConfig;
const behavior = (pattern: string): Behavior => distributionConfig().CacheBehaviors.find((b: Behavior) => b.PathPattern === pattern);
const cspOf = (b: Behavior) => headersPolicy(b.ResponseHeadersPolicyId).SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy as unknown;
/** A CSP as CloudFormation renders it, with deploy-time values named. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref) return `<${v.Ref.replace(/^AWS::/, '')}>`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** The CloudFront Function, run as CloudFront runs it (cloudfront-js-2.0: a plain `handler(event)`). */
function spaRewrite(uri: string): string {
  const handler = new Function(`${SPA_REWRITE_FUNCTION}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
  return handler({ request: { uri } }).uri;
}

describe('web hosting (web stack)', () => {
  it('keeps the site in a private, encrypted, TLS-only bucket that only this distribution reads, through origin access control', () => {
    const siteBucket = prod.web.getLogicalId(prod.web.siteBucket.node.defaultChild as CfnElement);
    web.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { LogFilePrefix: 'site-bucket/' },
    });
    const policy = (Object.values(web.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: siteBucket } } }))[0] as { Properties: { PolicyDocument: { Statement: Record<string, any>[] } } }).Properties.PolicyDocument.Statement;
    expect(policy).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } } }),
      ]),
    );
    web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    expect(distributionConfig().Origins.find((o: Behavior) => o.S3OriginConfig)).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] } });
  });

  it('redirects the site to HTTPS, refuses plain HTTP on /api, and talks to the API over TLS 1.2 only', () => {
    expect(distributionConfig().DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', Compress: true });
    expect(behavior('/api/*')).toMatchObject({ ViewerProtocolPolicy: 'https-only' });
    const apiOrigin = distributionConfig().Origins.find((o: Behavior) => o.CustomOriginConfig);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('HttpApi');
  });

  it('sends /api/* to the HTTP API uncached, with every viewer header but Host (the bearer token reaches the API), all methods allowed: same origin, no CORS', () => {
    const api = behavior('/api/*');
    expect(api).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    expect(api.TargetOriginId).toBe(behavior('/api/docs').TargetOriginId);
    expect(headersPolicy(api.ResponseHeadersPolicyId).CorsConfig).toBeUndefined();
    expect(distributionConfig().CustomErrorResponses).toBeUndefined();
  });

  it('answers app routes with index.html through a CloudFront Function on the site only, and leaves files and the API alone', () => {
    expect(distributionConfig().DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/SpaRewrite/), 'FunctionARN'] } }]);
    expect(behavior('/api/*').FunctionAssociations).toBeUndefined();
    expect(['/', '/producers', '/producers/01HX/edit', '/app.js', '/chunks/map-ABC123.js', '/config.json', '/sw.js', '/geo/communes.json'].map(spaRewrite)).toEqual([
      '/index.html',
      '/index.html',
      '/index.html',
      '/app.js',
      '/chunks/map-ABC123.js',
      '/config.json',
      '/sw.js',
      '/geo/communes.json',
    ]);
    web.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
  });

  it('sends HSTS, frame denial, nosniff, a same-origin referrer policy and a CSP on every answer', () => {
    for (const b of [distributionConfig().DefaultCacheBehavior, behavior('/api/*'), behavior('/api/docs')]) {
      const config = headersPolicy(b.ResponseHeadersPolicyId).SecurityHeadersConfig;
      expect(config).toMatchObject({
        StrictTransportSecurity: { AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(), IncludeSubdomains: true, Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ContentTypeOptions: { Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'same-origin', Override: true },
        ContentSecurityPolicy: { Override: true },
      });
      expect(flat(config.ContentSecurityPolicy.ContentSecurityPolicy)).toContain("frame-ancestors 'none'");
    }
  });

  it('lets the app load only its own code, the API on its origin, photos from the photo bucket and Cognito for sign-in', () => {
    const csp = flat(cspOf(distributionConfig().DefaultCacheBehavior));
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:', 'https://ocop-onboard-prod-photos-<AccountId>-<Region>.s3.<Region>.<URLSuffix>']);
    // Photos and import files are PUT straight to their buckets; sign-in talks to Cognito.
    expect(directives['connect-src']).toEqual(["'self'", 'https://ocop-onboard-prod-photos-<AccountId>-<Region>.s3.<Region>.<URLSuffix>', 'https://ocop-onboard-prod-files-<AccountId>-<Region>.s3.<Region>.<URLSuffix>', 'https://cognito-idp.<Region>.<URLSuffix>']);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-eval|\*/);
  });

  it('allows the API reference page exactly its own inline script and style, by hash', () => {
    const csp = flat(cspOf(behavior('/api/docs')));
    expect(csp).toBe(docsContentSecurityPolicy('/api/v1/openapi.json'));
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(apiDocsPage('/api/v1/openapi.json')).toContain('<script>');
    expect(flat(cspOf(behavior('/api/*')))).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  });

  it('deploys the whole web build: hashed files cached for a year and never pruned, everything else revalidated, plus a config.json for the cloud', () => {
    const deployments = Object.values(web.findResources('Custom::CDKBucketDeployment')) as { Properties: Record<string, any>; DependsOn?: string[] }[];
    const hashed = deployments.find((d) => d.Properties.Prune === false)!;
    const shell = deployments.find((d) => d.Properties.Prune === true)!;
    expect(hashed.Properties).toMatchObject({ Include: ['chunks/*', 'assets/*'], Exclude: ['*'], SystemMetadata: { 'cache-control': IMMUTABLE_CACHE_CONTROL } });
    expect(shell.Properties).toMatchObject({ Exclude: ['chunks/*', 'assets/*'], SystemMetadata: { 'cache-control': REVALIDATE_CACHE_CONTROL } });
    expect(shell.DependsOn).toEqual(expect.arrayContaining([prod.web.getLogicalId(prod.web.deployments.hashed.node.children.find((c) => c.node.id.startsWith('CustomResource-'))!.node.defaultChild as CfnElement)]));
    expect(shell.Properties.SourceObjectKeys).toHaveLength(2);
    const siteCache = (Object.values(web.findResources('AWS::CloudFront::CachePolicy'))[0] as { Properties: { CachePolicyConfig: Record<string, any> } }).Properties.CachePolicyConfig;
    expect(siteCache).toMatchObject({ MinTTL: 0, ParametersInCacheKeyAndForwardedToOrigin: { EnableAcceptEncodingBrotli: true, EnableAcceptEncodingGzip: true } });
    expect(prod.web.config).toMatchObject({ apiBase: '/api/v1', auth: { mode: 'cognito', tokenUse: 'access' } });
    expect(JSON.stringify(shell.Properties.SourceMarkers)).toMatch(/UserPool.*UserPoolWebClient/);
  });

  it('stages the web build as produced by scripts/build-web.ts, whatever it emits', () => {
    const assets = JSON.parse(readFileSync(join(outdir, `${prod.web.artifactId}.assets.json`), 'utf8')) as { files: Record<string, { source: { path: string; packaging?: string } }> };
    const webBuild = Object.values(assets.files).map((f) => join(outdir, f.source.path)).find((dir) => { try { return readdirSync(dir).includes('index.html'); } catch { return false; } });
    expect(webBuild).toBeDefined();
    expect(readdirSync(webBuild!).length).toBeGreaterThan(1);
    expect(readFileSync(join(webBuild!, 'index.html'), 'utf8')).toMatch(/<script type="module"/);
  });

  it('retains the site in prod and empties and deletes it with a dev stack', () => {
    expect((Object.values(web.findResources('AWS::S3::Bucket')) as { DeletionPolicy: string }[]).map((b) => b.DeletionPolicy)).toEqual(['Retain', 'Retain']);
    const devWeb = Template.fromStack(dev.web);
    expect((Object.values(devWeb.findResources('AWS::S3::Bucket')) as { DeletionPolicy: string }[]).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    expect(Object.keys(devWeb.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
  });

  it('gives every function of the web stack, CDK’s own included, a log group with retention', () => {
    for (const app of [prod, dev]) {
      for (const stack of [app.stateful, app.web]) {
        const template = Template.fromStack(stack);
        const groups = template.findResources('AWS::Logs::LogGroup') as Record<string, { Properties: { RetentionInDays?: number } }>;
        for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { LoggingConfig?: { LogGroup: unknown } } }[]) {
          const ref = fn.Properties.LoggingConfig?.LogGroup as { Ref: string } | undefined;
          expect(ref && groups[ref.Ref]?.Properties.RetentionInDays, `${stack.stackName}`).toBe(30);
        }
      }
    }
  });
});

describe('operations (monitoring stack)', () => {
  const alarms = () => Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')) as { Properties: Record<string, any> }[];
  const alarm = (suffix: string) => alarms().find((a) => String(a.Properties.AlarmName).endsWith(`-${suffix}`))!.Properties;

  it('notifies an encrypted, TLS-only SNS topic that CloudWatch may publish to, mailed to the alarmEmail from context', () => {
    const topicKey = Object.keys(monitoring.findResources('AWS::KMS::Key'))[0]!;
    monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [topicKey, 'Arn'] } });
    monitoring.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    monitoring.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.vn' });
    expect(Object.keys(Template.fromStack(dev.monitoring).findResources('AWS::SNS::Subscription'))).toEqual([]);
    for (const a of alarms()) expect(a.Properties.AlarmActions).toEqual([{ Ref: Object.keys(monitoring.findResources('AWS::SNS::Topic'))[0] }]);
  });

  it('alarms on the API’s 5xx rate, errors and throttles of every function, every dead-letter queue, DynamoDB throttling and coverage differences', () => {
    expect(alarms().map((a) => String(a.Properties.AlarmName).replace('OcopOnboard-prod-Monitoring-', '')).sort()).toEqual(
      [
        'Api5xxRate',
        ...['Api', 'ImportJob', 'ScheduledJob', 'Photo'].flatMap((f) => [`${f}Errors`, `${f}Throttles`]),
        ...['ImportJob', 'ScheduledJob', 'Photo'].map((f) => `${f}DeadLetters`),
        'TableReadThrottles',
        'TableWriteThrottles',
        'CoverageDifferences',
      ].sort(),
    );
  });

  it('computes the API 5xx rate as a percentage of requests and fires above the threshold in two of three periods', () => {
    const rate = alarm('Api5xxRate');
    expect(rate).toMatchObject({ Threshold: API_5XX_PERCENT, EvaluationPeriods: 3, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const expression = rate.Metrics.find((m: Record<string, any>) => m.Expression);
    expect(expression.Expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    expect(rate.Metrics.filter((m: Record<string, any>) => m.MetricStat).map((m: Record<string, any>) => m.MetricStat.Metric.MetricName).sort()).toEqual(['5xx', 'Count']);
  });

  it('counts DynamoDB throttle events on the table and on each index', () => {
    for (const [suffix, name] of [['TableReadThrottles', 'ReadThrottleEvents'], ['TableWriteThrottles', 'WriteThrottleEvents']] as const) {
      const metrics = alarm(suffix).Metrics.filter((m: Record<string, any>) => m.MetricStat).map((m: Record<string, any>) => m.MetricStat.Metric);
      expect(metrics.every((m: Record<string, any>) => m.MetricName === name && m.Namespace === 'AWS/DynamoDB')).toBe(true);
      expect(metrics.map((m: Record<string, any>) => m.Dimensions.find((d: { Name: string }) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table').sort()).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'table']);
      // Throttle metrics exist only while throttling happens: every term is filled with 0, so one throttled index is enough.
      expect(alarm(suffix).Metrics.find((m: Record<string, any>) => m.Expression).Expression).toBe('FILL(table, 0) + FILL(gsi1, 0) + FILL(gsi2, 0) + FILL(gsi3, 0) + FILL(gsi4, 0)');
    }
  });

  it('fires when the nightly reconciliation publishes any difference, on the metric the scheduled job writes', () => {
    expect(alarm('CoverageDifferences')).toMatchObject({
      Namespace: 'OcopOnboard/prod',
      MetricName: 'CoverageDifferences',
      Dimensions: [{ Name: 'Province', Value: '38' }],
      Statistic: 'Maximum',
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on any message in a dead-letter queue', () => {
    const dlq = alarm('PhotoDeadLetters');
    expect(dlq).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1 });
  });
});

describe('cdk-nag AwsSolutions on the web and monitoring stacks', () => {
  it('finds nothing unacknowledged in either environment', () => {
    for (const app of [prod, dev]) {
      for (const stack of [app.web, app.monitoring]) {
        expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      }
    }
  });
});
