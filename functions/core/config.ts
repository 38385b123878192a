import { z } from 'zod';

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  PROVINCE_CODE: z.string().regex(/^\d{2}$/).default('38'),
  DYNAMO_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('ap-southeast-1'),
  AUTH_MODE: z.enum(['local', 'jwks']),
  JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  SECRET_ARN: z.string().optional(),
  DATA_DIR: z.string().optional(),
  FILES_BUCKET: z.string().optional(),
  PHOTO_BUCKET: z.string().optional(),
  JOB_FUNCTION_NAME: z.string().optional(),
  SCHEDULED_FUNCTION_NAME: z.string().optional(),
  USER_POOL_ID: z.string().optional(),
});

export type Config = {
  tableName: string;
  provinceCode: string;
  dynamoEndpoint?: string;
  region: string;
  auth:
    | { mode: 'local'; dataDir: string }
    | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string; secretArn: string };
  /** Cloud: the bucket for import files and the job Lambda; absent, imports answer 501. */
  filesBucket?: string;
  /** Cloud: the photo bucket; absent, photo routes answer 501. */
  photoBucket?: string;
  jobFunctionName?: string;
  /** Cloud: the scheduled-job function, which runs the recount `POST /coverage/reconcile` asks for (only it may scan the table). */
  scheduledFunctionName?: string;
  /** Cloud: the Cognito user pool where users created through the API get their identity; absent, creating users answers 501. */
  userPoolId?: string;
};

/** Reads the environment once; a missing variable stops the process with its name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid or missing environment variables: ${names}`);
  }
  const e = parsed.data;
  const base = { tableName: e.TABLE_NAME, provinceCode: e.PROVINCE_CODE, dynamoEndpoint: e.DYNAMO_ENDPOINT, region: e.AWS_REGION, filesBucket: e.FILES_BUCKET, photoBucket: e.PHOTO_BUCKET, jobFunctionName: e.JOB_FUNCTION_NAME, scheduledFunctionName: e.SCHEDULED_FUNCTION_NAME, userPoolId: e.USER_POOL_ID };
  if (e.AUTH_MODE === 'local') {
    if (!e.DATA_DIR) throw new Error('Missing environment variable: DATA_DIR (needed when AUTH_MODE=local)');
    return { ...base, auth: { mode: 'local', dataDir: e.DATA_DIR } };
  }
  const missing = (['JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'SECRET_ARN'] as const).filter((k) => !e[k]);
  if (missing.length) throw new Error(`Missing environment variables: ${missing.join(', ')}`);
  return { ...base, auth: { mode: 'jwks', jwksUrl: e.JWKS_URL!, issuer: e.JWT_ISSUER!, audience: e.JWT_AUDIENCE!, secretArn: e.SECRET_ARN! } };
}
