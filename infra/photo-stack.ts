import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvName } from '#infra/environment.ts';
import { photoBucketName } from '#infra/photo-bucket.ts';
import { ProjectFunction } from '#infra/project-function.ts';

/**
 * Memory of the photo Lambda. A 12 MP phone JPEG needs ~100–150 MB of RSS with sharp
 * (shrink-on-load decodes it at half size; `npm run bench:photos` prints the figure), but the
 * worst accepted input is a 100 MP PNG, which has no shrink-on-load: ~300 MB of RGB pixels
 * plus libvips' working tiles. 2048 MB covers that twice over, and Lambda's CPU grows with
 * memory (a full vCPU from 1769 MB), which is what makes a photo take well under a second.
 */
export const PHOTO_FUNCTION_MEMORY_MB = 2048;

/**
 * What the API Lambda needs of the photo bucket, with `PHOTO_BUCKET` set: presign PUTs of
 * originals (s3:PutObject on uploads/*), presign GETs of variants (s3:GetObject on
 * variants/*), delete a removed photo's files (s3:DeleteObject on both prefixes, s3:ListBucket
 * limited to them). The bucket is named, not referenced, as in the photo stack.
 */
export function bindPhotoBucketForApi(fn: ProjectFunction, envName: EnvName): ProjectFunction {
  const bucket = Bucket.fromBucketName(fn, 'PhotoBucketRef', photoBucketName(envName));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects('uploads/*')] }));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject', 's3:DeleteObject'], resources: [bucket.arnForObjects('variants/*')] }));
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['uploads/*', 'variants/*'] } } }),
  );
  acknowledgePhotoPrefixes(fn.role, envName, 'the API Lambda may only presign uploads of originals under uploads/ and reads of variants under variants/, and delete a removed photo’s files under both');
  return fn.addEnvironment('PHOTO_BUCKET', bucket.bucketName);
}

function acknowledgePhotoPrefixes(scope: Construct, envName: EnvName, what: string) {
  // cdk-nag 3 acknowledges findings one by one, by the resource as it renders.
  for (const prefix of ['uploads', 'variants']) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::ocop-onboard-${envName}-photos-<AWS::AccountId>-<AWS::Region>/${prefix}/*]`,
      reason:
        `Object-level S3 permissions name objects by key prefix (${prefix}/* of the one photo bucket): ${what}; ` +
        'the object keys are product and photo ids, unknown at deploy time, and listing is limited to the two prefixes.',
    });
  }
}

export interface PhotoStackProps extends StackProps {
  readonly envName: EnvName;
  readonly table: ITableV2;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly appSecret: ISecret;
  /** @default '38' */
  readonly provinceCode?: string;
}

/**
 * The table partitions the photo pipeline touches, through the full services: the product
 * (its photos, its derived readiness), its producer (read, for readiness) and the coverage
 * counters a readiness change moves.
 */
export const photoTablePartitions = ['P#*#PRODUCT#*', 'P#*#PRODUCER#*', 'P#*#COVERAGE'] as const;

/**
 * The photo pipeline in the cloud: an EventBridge rule on the photo bucket's "Object Created"
 * events under `uploads/` invokes the photo Lambda (`functions/photos/photo-lambda.ts`), which
 * runs the same `completeUpload` as the local server, with the full services, so a photo that
 * turns ready also refreshes its product's readiness and the coverage counters. sharp is left
 * out of the bundle and installed into the asset for linux-arm64. Failed events are retried
 * twice, then kept in the function's dead-letter queue.
 */
export class PhotoStack extends Stack {
  readonly photoFunction: ProjectFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: PhotoStackProps) {
    super(scope, id, props);
    const removalPolicy = props.envName === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // The stateful stack's bucket, named rather than referenced (see `photoBucketName`).
    const bucket = Bucket.fromBucketName(this, 'PhotoBucket', photoBucketName(props.envName));

    this.photoFunction = new ProjectFunction(this, 'PhotoFunction', {
      entry: 'functions/photos/photo-lambda.ts',
      description: 'OCOP onboard photo pipeline (sharp): uploads → marketplace variants',
      memorySize: PHOTO_FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(60),
      installedModules: ['sharp'],
      logRemovalPolicy: removalPolicy,
      queueRemovalPolicy: removalPolicy,
      asyncInvocation: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
      environment: { PROVINCE_CODE: props.provinceCode ?? '38', PHOTO_BUCKET: bucket.bucketName, TABLE_NAME: props.table.tableName },
    })
      .bindUserPool(props.userPool, props.userPoolClient)
      .bindSecret(props.appSecret);
    const role = this.photoFunction.role;

    // The table: read the photo, its product and producer; mark the photo ready or rejected;
    // refresh the product's readiness and move the coverage counters (one transaction).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...photoTablePartitions] } },
      }),
    );
    // The bucket: read and delete originals, write variants (and delete those of a photo deleted mid-way).
    role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject', 's3:DeleteObject'], resources: [bucket.arnForObjects('uploads/*')] }));
    role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects('variants/*')] }));
    role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['uploads/*', 'variants/*'] } } }),
    );
    acknowledgePhotoPrefixes(role, props.envName, 'the photo Lambda may only get and delete originals under uploads/ and put and delete variants under variants/');

    this.rule = new Rule(this, 'UploadCreated', {
      description: 'A photo original arrived under uploads/: make its variants',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: 'uploads/' }] } },
      },
      targets: [new LambdaFunction(this.photoFunction.function, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: this.photoFunction.deadLetterQueue })],
    });
  }
}
