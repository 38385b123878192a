import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CfnOutput, DockerImage, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CacheQueryStringBehavior,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type IOrigin,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { PRIVATE_BUCKET } from '#infra/private-bucket.ts';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { API_PREFIX } from '#infra/api-stack.ts';
import type { EnvName } from '#infra/environment.ts';
import { photoBucketName } from '#infra/photo-bucket.ts';
import { filesBucketName } from '#infra/files-bucket.ts';
import type { WebConfig } from '#shared/web-config.ts';
import {
  HASHED_ASSET_PATTERNS,
  IMMUTABLE_CACHE_CONTROL,
  PERMISSIONS_POLICY,
  REVALIDATE_CACHE_CONTROL,
  SPA_REWRITE_FUNCTION,
  apiContentSecurityPolicy,
  docsContentSecurityPolicy,
  siteContentSecurityPolicy,
} from '#infra/web-security.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Days the site bucket's server access logs are kept. */
export const SITE_ACCESS_LOG_DAYS = 90;

/** HSTS max-age: two years, the preload list's minimum. */
export const HSTS_MAX_AGE = Duration.days(730);

export interface WebStackProps extends StackProps {
  readonly envName: EnvName;
  readonly httpApi: IHttpApi;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /**
   * A custom domain, with its ACM certificate (in us-east-1), from `-c webDomain=… -c webCertificateArn=…`.
   * @default the distribution's own *.cloudfront.net name
   */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  /**
   * The built web app, as a directory. @default built at synth by scripts/build-web.ts
   * (the local esbuild), whatever it emits.
   */
  readonly webAssetDir?: string;
}


/**
 * The web app in the cloud: a private S3 bucket read only by CloudFront (origin access
 * control), HTTPS only, with security headers on every answer, and `/api/*` on the same
 * distribution going to the HTTP API (same origin: no CORS). Content-hashed files are cached
 * for a year; everything else (index.html, app.js, sw.js, config.json) is revalidated on
 * every use. App routes without a file extension answer index.html.
 */
export class WebStack extends Stack {
  readonly siteBucket: Bucket;
  readonly accessLogs: Bucket;
  readonly distribution: Distribution;
  readonly config: WebConfig;
  readonly deployments: { hashed: BucketDeployment; shell: BucketDeployment };

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const isProd = props.envName === 'prod';
    const removalPolicy = isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const autoDeleteObjects = !isProd;

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(SITE_ACCESS_LOG_DAYS) }],
      removalPolicy,
      autoDeleteObjects,
    });
    this.siteBucket = new Bucket(this, 'SiteBucket', {
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy,
      autoDeleteObjects,
    });

    const region = this.region;
    const photoOrigin = `https://${photoBucketName(props.envName)}.s3.${region}.${this.urlSuffix}`;
    // The browser PUTs import files straight to the files bucket (a presigned URL).
    const filesOrigin = `https://${filesBucketName(props.envName)}.s3.${region}.${this.urlSuffix}`;
    const cognitoOrigin = `https://cognito-idp.${region}.${this.urlSuffix}`;
    const common = {
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.SAME_ORIGIN, override: true },
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
      xssProtection: { protection: false, override: true },
    };
    const headers = (policyId: string, comment: string, csp: string) =>
      new ResponseHeadersPolicy(this, policyId, {
        comment,
        securityHeadersBehavior: { ...common, contentSecurityPolicy: { contentSecurityPolicy: csp, override: true } },
        customHeadersBehavior: {
          customHeaders: [
            { header: 'Permissions-Policy', value: PERMISSIONS_POLICY, override: true },
            { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          ],
        },
        removeHeaders: ['Server', 'X-Powered-By'],
      });
    const siteHeaders = headers('SiteHeaders', 'OCOP onboard web app: strict CSP and security headers', siteContentSecurityPolicy({ photoOrigins: [photoOrigin], connectOrigins: [filesOrigin, cognitoOrigin] }));
    const apiHeaders = headers('ApiHeaders', 'OCOP onboard API: no content may load or frame', apiContentSecurityPolicy());
    const docsHeaders = headers('DocsHeaders', 'OCOP onboard API reference page: its inline script and style by hash', docsContentSecurityPolicy(`${API_PREFIX}/openapi.json`));

    const siteCache = new CachePolicy(this, 'SiteCache', {
      comment: 'Follows the Cache-Control the deployment sets: a year for hashed files, revalidate for the rest',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      queryStringBehavior: CacheQueryStringBehavior.none(),
      headerBehavior: CacheHeaderBehavior.none(),
      cookieBehavior: CacheCookieBehavior.none(),
    });
    const spaRewrite = new CloudFrontFunction(this, 'SpaRewrite', {
      comment: 'App routes (no file extension) answer /index.html',
      code: FunctionCode.fromInline(SPA_REWRITE_FUNCTION),
      runtime: FunctionRuntime.JS_2_0,
    });

    const apiOrigin: IOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior = (responseHeadersPolicy: ResponseHeadersPolicy, allowedMethods: AllowedMethods): BehaviorOptions => ({
      origin: apiOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods,
      // Never cached; every viewer header but Host (API Gateway routes on its own host name)
      // reaches the API — the Authorization header included, which CloudFront forwards when caching is off.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy,
      compress: true,
    });

    const certificate = props.domain ? Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn) : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `OCOP onboard (${props.envName}): web app and /api`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Edge locations in Asia (Hanoi, Ho Chi Minh City), Europe and North America.
      priceClass: PriceClass.PRICE_CLASS_200,
      ...(props.domain && certificate ? { domainNames: [props.domain.name], certificate, minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: siteCache,
        responseHeadersPolicy: siteHeaders,
        compress: true,
        functionAssociations: [{ function: spaRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/docs': apiBehavior(docsHeaders, AllowedMethods.ALLOW_GET_HEAD),
        '/api/*': apiBehavior(apiHeaders, AllowedMethods.ALLOW_ALL),
      },
    });

    this.config = {
      apiBase: API_PREFIX,
      auth: { mode: 'cognito', region, userPoolId: props.userPool.userPoolId, clientId: props.userPoolClient.userPoolClientId, tokenUse: 'access' },
    };

    // The deployment's own function: a role with only what BucketDeployment grants it, and a
    // log group with retention (not the AWS managed basic-execution policy).
    const deployLogs = new LogGroup(this, 'DeploymentLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const deployRole = new Role(this, 'DeploymentRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: 'Copies the built web app into the site bucket' });
    deployRole.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [deployLogs.logGroupArn] }));
    const webBuild = props.webAssetDir ? Source.asset(props.webAssetDir) : builtWebApp();
    const deployment = { destinationBucket: this.siteBucket, role: deployRole, logGroup: deployLogs, memoryLimit: 512 };

    // Hashed files first and never pruned: a browser still running the previous app.js can load its chunks.
    const hashed = new BucketDeployment(this, 'DeployHashedAssets', {
      ...deployment,
      sources: [webBuild],
      exclude: ['*'],
      include: [...HASHED_ASSET_PATTERNS],
      prune: false,
      cacheControl: [CacheControl.fromString(IMMUTABLE_CACHE_CONTROL)],
    });
    const shell = new BucketDeployment(this, 'DeployShell', {
      ...deployment,
      sources: [webBuild, Source.jsonData('config.json', this.config)],
      exclude: [...HASHED_ASSET_PATTERNS],
      prune: true,
      cacheControl: [CacheControl.fromString(REVALIDATE_CACHE_CONTROL)],
    });
    shell.node.addDependency(hashed);
    this.deployments = { hashed, shell };

    acknowledgeWebFindings(this, { deployRole, customDomain: !!props.domain });

    new CfnOutput(this, 'WebUrl', { value: `https://${props.domain?.name ?? this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'SiteBucketName', { value: this.siteBucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
  }
}

/** The web build as an asset: scripts/build-web.ts run at synth into CDK's staging folder (cached per process). */
function builtWebApp() {
  return Source.asset(`${repoRoot}web`, {
    bundling: {
      // Never used: the local build below always runs (no Docker on the build machines).
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
      local: {
        tryBundle(outputDir: string) {
          execFileSync(process.execPath, ['--import', 'tsx', `${repoRoot}scripts/build-web.ts`, outputDir], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
          return true;
        },
      },
    },
  });
}

function acknowledgeWebFindings(stack: WebStack, opts: { deployRole: Role; customDomain: boolean }) {
  const distribution = Validations.of(stack.distribution);
  distribution.acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: the users are extension officers, cooperatives and provincial staff who travel and may sign in from ' +
        'abroad; every data route needs a Cognito access token, so blocking countries would add no protection to the data.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'No AWS WAF web ACL: a CloudFront ACL must be created in us-east-1 while this app deploys to one regional stack set, and its ' +
        'fixed monthly cost would exceed the rest of a province deployment; abuse is bounded by API Gateway stage throttling, ' +
        'the JWT authorizer and Cognito threat protection. Add a us-east-1 ACL when the country-wide deployment warrants it.',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'CloudFront standard logs record every client IP address and full query string, and the app searches by producer name and ' +
        'phone number in query strings: personal data that must not be logged. Requests are logged by the API stage (JSON, no ' +
        'client IP, no query string) and the site bucket has server access logs.',
    },
  );
  if (!opts.customDomain) {
    distribution.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose security policy CloudFront fixes; ' +
        'deploy with -c webDomain=… -c webCertificateArn=… to get a custom certificate with TLSv1.2_2021 as the minimum.',
    });
  }
  // BucketDeployment's copy function is a singleton at stack level, created by aws-cdk-lib.
  for (const handler of stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The copy function of BucketDeployment is built by aws-cdk-lib, with the Python runtime its AWS CLI layer is tested on; it ' +
        'runs only during deployments, is not reachable by users, and moves to a newer runtime with aws-cdk-lib upgrades.',
    });
  }
  Validations.of(opts.deployRole).acknowledge(
    ...deploymentWildcards.map((id) => ({
      id: `AwsSolutions-IAM5[${id}]`,
      reason:
        'BucketDeployment grants its copy function read of the CDK asset bucket and read/write of the site bucket with the ' +
        'grantRead/grantReadWrite action groups (s3:GetObject*, s3:List*, s3:DeleteObject*, …) on the objects of those two ' +
        'buckets: it copies and prunes objects whose names come from each build.',
    })),
  );
}

/** The wildcard findings of BucketDeployment's grants on its role, as cdk-nag renders them. */
const deploymentWildcards = [
  'Action::s3:GetBucket*',
  'Action::s3:GetObject*',
  'Action::s3:List*',
  'Action::s3:DeleteObject*',
  'Action::s3:Abort*',
  'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
  'Resource::<SiteBucket397A1860.Arn>/*',
];
