import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  Billing,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
  type GlobalSecondaryIndexPropsV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDesign } from '#functions/repositories/table-design.ts';
import type { EnvName } from '#infra/environment.ts';
import { FilesBucket, filesBucketName } from '#infra/files-bucket.ts';
import { PhotoBucket, photoBucketName } from '#infra/photo-bucket.ts';

export interface StatefulStackProps extends StackProps {
  readonly envName: EnvName;
  /**
   * Origins the web app runs on, the only ones whose browsers may PUT photos and import files
   * straight into their buckets (CORS).
   * @default any origin (the presigned URL is the guard; without a custom domain the CloudFront
   * domain is not known yet when this stack is built)
   */
  readonly uploadOrigins?: string[];
}

/**
 * Everything that holds data: the single DynamoDB table, the Cognito user pool, the
 * application secret, the photo bucket and the files bucket (imports). Kept apart from the stateless stacks so those can be destroyed and
 * redeployed freely; in prod every resource here is retained and delete-protected.
 */
export class StatefulStack extends Stack {
  /** The single table, shaped by `tableDesign`. Bind it with `ProjectFunction.bindTable`. */
  readonly table: TableV2;
  /** Officers' sign-in. No self sign-up: accounts are created by an administrator. */
  readonly userPool: UserPool;
  /** Public (secret-less) SRP client used by the web app; its id is the JWT audience. */
  readonly userPoolClient: UserPoolClient;
  /** 64-character random key: HMAC key for citizen-ID hashes and page-cursor signatures. */
  readonly appSecret: Secret;
  /** Product photos: originals under `uploads/`, variants under `variants/` (see `PhotoBucket`). */
  readonly photos: PhotoBucket;
  /** Import spreadsheets and their dry runs (see `FilesBucket`). */
  readonly files: FilesBucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const isProd = props.envName === 'prod';
    const removalPolicy = isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: tableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      globalSecondaryIndexes: tableDesign.globalIndexes.map(
        (index): GlobalSecondaryIndexPropsV2 => ({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        }),
      ),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS managed key (aws/dynamodb) encrypts with KMS and logs key use in CloudTrail,
      // without a per-key monthly charge, key policy to maintain or KMS grants on every
      // function. A customer managed key would only pay off for cross-account access or
      // crypto-shredding, neither of which this app needs.
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: isProd,
      // Dev tables are throw-away, but the table is RETAIN in prod whatever happens.
      removalPolicy,
    });

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // Optional: accounts are made by an administrator (POST /users, `npm run create-admin`)
      // and a commune officer or a cooperative may have no address; without one, only an
      // administrator can reset the password.
      standardAttributes: { email: { required: false, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.REQUIRED,
      // TOTP only: SMS needs an SNS role, a spend limit and phone numbers we do not hold.
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // PLUS brings threat protection (compromised-credential and adaptive-risk checks),
      // which cdk-nag's AwsSolutions-COG8 asks for; officers are few, so the per-MAU
      // difference is small. Dev only audits so testers are not locked out.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: isProd
        ? StandardThreatProtectionMode.FULL_FUNCTION
        : StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: isProd,
      removalPolicy,
    });

    this.userPoolClient = this.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: false, adminUserPassword: false, custom: false },
      // No hosted UI yet: the web app signs in with SRP directly.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // A week: an officer back from days in the field syncs the outbox without signing in again;
      // signing out revokes it, disabling the user revokes all of them.
      refreshTokenValidity: Duration.days(7),
      // The longest Cognito allows between sign-in steps: setting up an authenticator app takes minutes.
      authSessionValidity: Duration.minutes(15),
    });

    this.appSecret = new Secret(this, 'AppSecret', {
      description: 'HMAC key for citizen-ID hashes and pagination-cursor signatures',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.appSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is an HMAC key, not a credential: stored citizen-ID hashes are looked up by ' +
        'recomputing the HMAC, so rotating the key would orphan every stored hash and ' +
        'invalidate every issued page cursor. Rotation needs a planned re-hash migration, not a schedule.',
    });

    this.photos = new PhotoBucket(this, 'Photos', { bucketName: photoBucketName(props.envName), removalPolicy, uploadOrigins: props.uploadOrigins, versioned: isProd });
    this.files = new FilesBucket(this, 'Files', { bucketName: filesBucketName(props.envName), removalPolicy, accessLogs: this.photos.accessLogs, uploadOrigins: props.uploadOrigins });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'PhotoBucketName', { value: this.photos.bucket.bucketName });
    new CfnOutput(this, 'FilesBucketName', { value: this.files.bucket.bucketName });
  }
}
