import { z } from 'zod';
import { createDocumentClient, createTable } from '#functions/repositories/table.ts';
import { createPhotoEventHandler } from './photo-events.ts';
import { createPhotoRepository } from './photo-repository.ts';
import { createPhotoProcessor } from './photo-service.ts';
import { createS3Client, createS3PhotoStore } from './s3-photo-store.ts';
import { configureSharpForPhotoProcessing } from './sharp-runtime.ts';

// Cloud entry point of the photo pipeline: S3 ObjectCreated on `uploads/` (through
// EventBridge) → the same completeUpload the local upload route runs in process.
const env = z
  .object({
    TABLE_NAME: z.string().min(1),
    PHOTO_BUCKET: z.string().min(1),
    PROVINCE_CODE: z.string().regex(/^\d{2}$/).default('38'),
    AWS_REGION: z.string().default('ap-southeast-1'),
  })
  .safeParse(process.env);
if (!env.success) throw new Error(`Invalid or missing environment variables: ${env.error.issues.map((i) => i.path.join('.')).join(', ')}`);
const config = env.data;

configureSharpForPhotoProcessing();

const table = createTable(createDocumentClient({ region: config.AWS_REGION }), config.TABLE_NAME, config.PROVINCE_CODE);
const store = createS3PhotoStore({ client: createS3Client({ region: config.AWS_REGION }), bucket: config.PHOTO_BUCKET });

export const handler = createPhotoEventHandler(createPhotoProcessor({ photos: createPhotoRepository(table), store }), config.PHOTO_BUCKET);
