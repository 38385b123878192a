import { BlockPublicAccess, BucketEncryption, ObjectOwnership, type BucketProps } from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the product has: no public access, TLS only, SSE-S3 encryption (the only
 * kind server access logging delivers to, and enough for the rest), no ACLs. Spread it first
 * into a bucket's props; the bucket adds its logging, lifecycle and removal policy.
 */
export const PRIVATE_BUCKET = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: BucketEncryption.S3_MANAGED,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const satisfies BucketProps;
