import { logger } from '#functions/core/logger.ts';
import type { CompleteUpload } from './photo-service.ts';
import { photoKeys, type PhotoRef } from './photo-store.ts';

/** S3's own notification (`Records[]`, keys URL-encoded) or EventBridge's "Object Created" (`detail`, keys plain). */
export type ObjectCreatedEvent =
  | { Records: { eventName?: string; s3: { bucket: { name: string }; object: { key: string } } }[] }
  | { source?: string; 'detail-type'?: string; detail: { bucket: { name: string }; object: { key: string } } };

/** The uploads an event announces, in `bucket`; other keys and buckets are ignored. */
export function uploadsIn(event: ObjectCreatedEvent, bucket: string): PhotoRef[] {
  const objects =
    'Records' in event
      ? event.Records.filter((r) => !r.eventName || r.eventName.startsWith('ObjectCreated:')).map((r) => ({ bucket: r.s3.bucket.name, key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) }))
      : event['detail-type'] && event['detail-type'] !== 'Object Created'
        ? []
        : [{ bucket: event.detail.bucket.name, key: event.detail.object.key }];
  return objects.flatMap((o) => {
    const ref = o.bucket === bucket ? photoKeys.parseUpload(o.key) : undefined;
    if (!ref) logger.warn('ignored object event', { bucket: o.bucket, key: o.key });
    return ref ? [ref] : [];
  });
}

/**
 * The photo Lambda's handler: runs the pipeline for each uploaded original. A refused photo
 * is an outcome (recorded on the photo), not a failure; anything else throws so Lambda
 * retries the event.
 */
export function createPhotoEventHandler(completeUpload: CompleteUpload, bucket: string) {
  return async (event: ObjectCreatedEvent): Promise<{ processed: { photoId: string; status: string }[] }> => {
    const processed = [];
    for (const ref of uploadsIn(event, bucket)) {
      const photo = await completeUpload(ref);
      processed.push({ photoId: ref.photoId, status: photo?.status ?? 'gone' });
      logger.info('photo processed', { productId: ref.productId, photoId: ref.photoId, status: photo?.status ?? 'gone' });
    }
    return { processed };
  };
}
