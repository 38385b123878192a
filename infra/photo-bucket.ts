import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Bucket, HttpMethods, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { PRIVATE_BUCKET } from '#infra/private-bucket.ts';
import { Construct } from 'constructs';

/** Days an original may sit under `uploads/` before the bucket deletes it (processing deletes it at once). */
export const UNPROCESSED_UPLOAD_DAYS = 2;
/** Days server access logs are kept. */
export const PHOTO_ACCESS_LOG_DAYS = 90;
/**
 * Days a replaced or deleted photo file stays restorable in a versioned (prod) bucket: the
 * table's point-in-time recovery window, so a restored table finds its photos. Originals under
 * `uploads/` (they carry the phone's GPS position) are kept one day only.
 */
export const PHOTO_VERSION_DAYS = 35;

/**
 * The photo bucket's name, `ocop-onboard-<env>-photos-<account>-<region>`: known to every stack
 * of the environment without a cross-stack reference, so the photo stack's IAM policy names
 * the bucket through its own pseudo-parameters (and cdk-nag's finding ids stay stable).
 */
export const photoBucketName = (envName: string) => `ocop-onboard-${envName}-photos-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export interface PhotoBucketProps {
  /** From `photoBucketName`. */
  readonly bucketName: string;
  readonly removalPolicy: RemovalPolicy;
  /** Origins allowed to PUT uploads from a browser. @default ['*'] — the presigned signature is the authorisation. */
  readonly uploadOrigins?: string[];
  /**
   * Keep deleted and replaced files for PHOTO_VERSION_DAYS (prod): the variants are the only copy
   * of a photo, and a mistaken delete — or a table restored to a point in time — needs them back.
   */
  readonly versioned?: boolean;
}

/**
 * The private photo bucket and the bucket of its server access logs.
 *
 * - no public access, TLS only, SSE-S3, ACLs disabled;
 * - `uploads/<productId>/<photoId>`: originals, PUT by browsers through presigned URLs; the
 *   photo Lambda deletes each once processed (they carry the phone's GPS position) and a
 *   lifecycle rule deletes any left after UNPROCESSED_UPLOAD_DAYS (rejected or never processed);
 * - `variants/…`: what the pipeline made, read through presigned GETs — the only copy of a
 *   photo, so in prod the bucket is versioned and a deleted or replaced file stays restorable
 *   for PHOTO_VERSION_DAYS (the table's point-in-time window);
 * - every ObjectCreated goes to EventBridge (set on the bucket itself, not through CDK's
 *   notification custom resource, whose handler Lambda would need a managed policy), where
 *   the photo stack's rule picks `uploads/` — so the stateful stack never refers to the
 *   function and the stacks keep one direction of dependency.
 */
export class PhotoBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: PhotoBucketProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(PHOTO_ACCESS_LOG_DAYS) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'photo-bucket/',
      cors: [
        {
          // PUT: the browser's upload; GET: the web app fetching a marketplace's variants to save them on the device.
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedOrigins: props.uploadOrigins ?? ['*'],
          allowedHeaders: ['content-type'],
          maxAge: 3600,
        },
      ],
      versioned: props.versioned ?? false,
      lifecycleRules: [
        { id: 'expire-unprocessed-uploads', prefix: 'uploads/', expiration: Duration.days(UNPROCESSED_UPLOAD_DAYS), ...(props.versioned ? { noncurrentVersionExpiration: Duration.days(1) } : {}) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(props.versioned ? [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(PHOTO_VERSION_DAYS), expiredObjectDeleteMarker: true }] : []),
      ],
      removalPolicy: props.removalPolicy,
      // Dev only (removal DESTROY): CDK's auto-delete custom resource empties the bucket so `cdk destroy` can remove it.
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }
}
