import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IGrantable, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { tableDesign } from '#functions/repositories/table-design.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Lets CommonJS dependencies call `require` inside the ESM bundle. */
const createRequireBanner =
  "import { createRequire as __projectCreateRequire } from 'node:module';" +
  'const require = __projectCreateRequire(import.meta.url);';

/** What a function may do with the table: `read` never writes; neither allows Scan. */
export type TableAccess = 'read' | 'readwrite';

const tableReadActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;
const tableWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export interface ProjectFunctionProps {
  /** Handler file, relative to the repository root, e.g. `functions/api/lambda.ts`. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 29 seconds — just under the HTTP API's 30 s integration limit */
  readonly timeout?: Duration;
  /** Extra environment variables; prefer `bindTable` / `bindSecret` for resources. */
  readonly environment?: Record<string, string>;
  /** @default Tracing.DISABLED */
  readonly tracing?: Tracing;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack goes away. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Packages left out of the bundle and installed into the asset from package-lock.json
   * for Lambda's platform (linux, arm64, glibc), e.g. `['sharp']` for native binaries.
   * Installing runs `npm ci` in the asset directory, so it needs the npm registry or a warm cache.
   */
  readonly installedModules?: string[];
  readonly description?: string;
}

/**
 * A Lambda function with the project's defaults: Node 24 on arm64, an ESM bundle built by
 * the local esbuild (AWS SDK included, minified, source maps on), an explicit log group with
 * retention, and a role that holds only what `bindTable` / `bindSecret` / `grant*` add —
 * log writing is granted on its own log group instead of through AWSLambdaBasicExecutionRole.
 */
export class ProjectFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const installedModules = props.installedModules ?? [];

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const tracing = props.tracing ?? Tracing.DISABLED;
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${repoRoot}${props.entry}`,
      handler: props.handler ?? 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: createRequireBanner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        charset: Charset.UTF8,
        bundleAwsSDK: true,
        externalModules: [],
        nodeModules: installedModules.length > 0 ? installedModules : undefined,
        environment:
          installedModules.length > 0
            ? { npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' }
            : undefined,
      },
    });

    if (tracing === Tracing.ACTIVE) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions, so AWS requires Resource "*" for active tracing.',
      });
    }
  }

  get grantPrincipal(): IPrincipal {
    return this.role;
  }

  /** Sets one environment variable on the function. */
  addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }

  /**
   * Grants the least privilege on the table and its indexes and sets `TABLE_NAME`, in one call.
   * `read`: GetItem, BatchGetItem, Query (table and each index), ConditionCheckItem.
   * `readwrite` adds PutItem, UpdateItem, DeleteItem, BatchWriteItem on the table.
   * Scan is never granted: request paths must not scan.
   */
  bindTable(
    table: ITableV2,
    access: TableAccess = 'read',
    options: { envVar?: string; indexNames?: readonly string[] } = {},
  ): this {
    const indexNames = options.indexNames ?? tableDesign.globalIndexes.map((index) => index.indexName);
    const indexArns = indexNames.map((name) => `${table.tableArn}/index/${name}`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...tableReadActions],
        resources: [table.tableArn],
      }),
    );
    if (indexArns.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:Query'],
          resources: indexArns,
        }),
      );
    }
    if (access === 'readwrite') {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...tableWriteActions],
          resources: [table.tableArn],
        }),
      );
    }
    if (table.encryptionKey) {
      if (access === 'readwrite') table.encryptionKey.grantEncryptDecrypt(this.role);
      else table.encryptionKey.grantDecrypt(this.role);
    }
    return this.addEnvironment(options.envVar ?? 'TABLE_NAME', table.tableName);
  }

  /** Grants read of the secret's value and sets `SECRET_ARN`, in one call. */
  bindSecret(secret: ISecret, options: { envVar?: string } = {}): this {
    secret.grantRead(this.role);
    return this.addEnvironment(options.envVar ?? 'SECRET_ARN', secret.secretArn);
  }
}
