import { logger } from '#functions/core/logger.ts';
import { objectsCreatedIn, type ObjectCreatedEvent } from '#functions/core/object-events.ts';
import type { CompleteUpload } from './photo-service.ts';
import { photoKeys, type PhotoRef } from './photo-store.ts';

export type { ObjectCreatedEvent };

/** The uploads an event announces, in `bucket`; other keys and buckets are ignored. */
export function uploadsIn(event: ObjectCreatedEvent, bucket: string): PhotoRef[] {
  return objectsCreatedIn(event, bucket, photoKeys.parseUpload).map(({ object: _object, ...ref }) => ref);
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
