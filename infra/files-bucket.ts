import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket, HttpMethods, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { PRIVATE_BUCKET } from '#infra/private-bucket.ts';
import { Construct } from 'constructs';
import type { EnvName } from '#infra/environment.ts';
import type { ProjectFunction } from '#infra/project-function.ts';

/** Days an import's files (the uploaded spreadsheet, its dry-run rows, decisions) are kept. */
export const IMPORT_FILE_DAYS = 30;

/** Where the import service keeps its files (`imports/<importId>/…`, see `functions/imports/import-service.ts`). */
export const IMPORT_PREFIX = 'imports/';
/** The key of an import's uploaded spreadsheet, `imports/<importId>/source`, as an EventBridge wildcard. */
export const IMPORT_SOURCE_KEY_PATTERN = `${IMPORT_PREFIX}*/source`;

/**
 * The files bucket's name, `ocop-onboard-<env>-files-<account>-<region>`: named like the photo
 * bucket, so the stateless stacks grant on it without a cross-stack reference and cdk-nag's
 * finding ids stay stable.
 */
export const filesBucketName = (envName: string) => `ocop-onboard-${envName}-files-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export interface FilesBucketProps {
  readonly bucketName: string;
  readonly removalPolicy: RemovalPolicy;
  /** Where S3 writes the server access logs (the photo bucket's log bucket). */
  readonly accessLogs: IBucket;
  /** Origins allowed to PUT import files from a browser. @default ['*'] — the presigned signature is the authorisation. */
  readonly uploadOrigins?: string[];
}

/**
 * The server's own files — import spreadsheets and what the dry run made of them. Private (no
 * public access, ACLs disabled), SSE-S3, TLS only, access-logged; import files expire after
 * IMPORT_FILE_DAYS.
 *
 * - `imports/<id>/source`: the spreadsheet, PUT by the browser through a presigned URL bound to
 *   the size declared at `POST /imports` (CORS allows that PUT from `uploadOrigins`), or by the
 *   API when a client sends it to `PUT /imports/{id}/file`;
 * - `imports/<id>/rows.json`, `decisions.json`: the dry run and the commit's decisions;
 * - every ObjectCreated goes to EventBridge (set on the bucket itself, as on the photo bucket),
 *   where the API stack's rule picks `imports/<id>/source` for the import job function.
 */
export class FilesBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: FilesBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'files-bucket/',
      cors: [{ allowedMethods: [HttpMethods.PUT], allowedOrigins: props.uploadOrigins ?? ['*'], allowedHeaders: ['content-type'], maxAge: 3600 }],
      lifecycleRules: [
        { id: 'expire-import-files', prefix: IMPORT_PREFIX, expiration: Duration.days(IMPORT_FILE_DAYS) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }
}

/**
 * Read, write and delete of import files for the API or the import job function, with
 * `FILES_BUCKET` set: s3:GetObject, s3:PutObject and s3:DeleteObject (a committed import's
 * uploaded file, which holds personal data, is deleted) under `imports/`, and s3:ListBucket on the bucket so a
 * missing file reads as "not there" (404), not "access denied" (403).
 */
export function bindFilesBucket(fn: ProjectFunction, envName: EnvName): ProjectFunction {
  const bucket = Bucket.fromBucketName(fn, 'FilesBucketRef', filesBucketName(envName));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${IMPORT_PREFIX}*`)] }));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::ocop-onboard-${envName}-files-<AWS::AccountId>-<AWS::Region>/${IMPORT_PREFIX}*]`,
    reason:
      `Object-level S3 permissions name objects by key prefix (${IMPORT_PREFIX}* of the one files bucket): import files are keyed by ` +
      'import id, unknown at deploy time; only get, put and delete are allowed, and only under that prefix.',
  });
  return fn.addEnvironment('FILES_BUCKET', bucket.bucketName);
}
