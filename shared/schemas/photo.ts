import { z } from 'zod';
import { IdSchema } from './common.ts';

/**
 * Product photos: what the web app asks for, what it gets back, and the stable reasons a
 * photo is refused. The pipeline itself is `functions/photos/photo-pipeline.ts`.
 */

/**
 * Largest original accepted (25 MiB). A 12 MP phone JPEG is 3–8 MB, a 48–64 MP full-resolution
 * one 15–25 MB; anything bigger is not a product photo. Uploads go straight to the object store
 * (presigned PUT), so this is not bound by the API's JSON limit.
 */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** Photos one product may have that are not rejected (the largest `maxCount` in the registry). */
export const MAX_PHOTOS_PER_PRODUCT = 10;

/** What a phone or PC may send; the pipeline checks the bytes, not this label. */
export const uploadContentTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'] as const;

/** Stable reason codes of a refused photo; the web app shows a message per code. Never rename, only add. */
export const photoRejectionReasons = [
  'EMPTY',
  'NOT_AN_IMAGE',
  'UNSUPPORTED_FORMAT',
  'TRUNCATED',
  'TOO_MANY_PIXELS',
  'TOO_SMALL',
  'TOO_LARGE_BYTES',
] as const;
export type PhotoRejectionReason = (typeof photoRejectionReasons)[number];

export const photoStatuses = ['processing', 'ready', 'rejected'] as const;
export type PhotoStatus = (typeof photoStatuses)[number];

export const PhotoUploadRequestSchema = z
  .strictObject({
    contentType: z.enum(uploadContentTypes).meta({ description: 'Type of the file the client will PUT' }),
    bytes: z.number().int().min(1).max(MAX_UPLOAD_BYTES).meta({ description: `Exact size of the file in bytes (at most ${MAX_UPLOAD_BYTES})` }),
  })
  .meta({ id: 'PhotoUploadRequest' });
export type PhotoUploadRequest = z.infer<typeof PhotoUploadRequestSchema>;

export const PhotoUploadTargetSchema = z
  .object({
    photoId: IdSchema,
    uploadUrl: z.string().meta({ description: 'Send the file here, once, before `expiresAt`' }),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).meta({ description: 'Headers the PUT must carry exactly (content-type, content-length)' }),
    expiresAt: z.string(),
  })
  .meta({ id: 'PhotoUploadTarget' });
export type PhotoUploadTarget = z.infer<typeof PhotoUploadTargetSchema>;

export const PhotoVariantSchema = z
  .object({
    name: z.string().meta({ description: 'Stable within a photo, e.g. `square-1024`, `fit-1200`, `thumb-320`' }),
    purpose: z.enum(['marketplace', 'thumbnail']),
    format: z.enum(['jpeg', 'png', 'webp']),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int(),
    marketplaces: z.array(z.string()).meta({ description: 'Marketplace ids whose photo rules this variant meets' }),
    url: z.string(),
  })
  .meta({ id: 'PhotoVariant' });
export type PhotoVariantView = z.infer<typeof PhotoVariantSchema>;

export const PhotoSchema = z
  .object({
    id: IdSchema,
    productId: IdSchema,
    status: z.enum(photoStatuses),
    reason: z.enum(photoRejectionReasons).optional().meta({ description: 'Why a rejected photo was refused' }),
    message: z.string().optional(),
    order: z.number().int(),
    source: z.object({ format: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int() }).optional(),
    variants: z.array(PhotoVariantSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Photo' });
export type Photo = z.infer<typeof PhotoSchema>;

export const PhotoOrderSchema = z
  .strictObject({
    photoIds: z.array(IdSchema).min(1).max(MAX_PHOTOS_PER_PRODUCT).meta({ description: 'Every photo of the product that is not rejected, in the new order' }),
  })
  .meta({ id: 'PhotoOrder' });
export type PhotoOrder = z.infer<typeof PhotoOrderSchema>;
