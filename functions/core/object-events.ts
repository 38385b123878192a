import { logger } from './logger.ts';

/** S3's own notification (`Records[]`, keys URL-encoded) or EventBridge's "Object Created" (`detail`, keys plain). */
export type ObjectCreatedEvent =
  | { Records: { eventName?: string; s3: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } } }[] }
  | { source?: string; 'detail-type'?: string; detail: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } } };

/** One object an event announces: its key (decoded), size, and S3's sequencer (which PUT of the key it was). */
export type CreatedObject = { key: string; size?: number; sequencer?: string };

/** Whether `event` has the shape of an object event (either kind), as opposed to any other payload. */
export function isObjectCreatedEvent(event: unknown): event is ObjectCreatedEvent {
  if (!event || typeof event !== 'object') return false;
  if ('Records' in event) return Array.isArray(event.Records);
  return 'detail' in event && (event as { source?: unknown }).source === 'aws.s3';
}

/**
 * The objects created in `bucket` that an event announces and `accept` recognises (`accept`
 * returns what the caller wants of the key, or undefined); other event types, buckets and keys
 * are logged and ignored.
 */
export function objectsCreatedIn<T>(event: ObjectCreatedEvent, bucket: string, accept: (key: string) => T | undefined): (T & { object: CreatedObject })[] {
  const objects =
    'Records' in event
      ? event.Records.filter((r) => !r.eventName || r.eventName.startsWith('ObjectCreated:')).map((r) => ({ bucket: r.s3.bucket.name, object: { ...r.s3.object, key: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) } }))
      : event['detail-type'] && event['detail-type'] !== 'Object Created'
        ? []
        : [{ bucket: event.detail.bucket.name, object: event.detail.object }];
  return objects.flatMap((o) => {
    const found = o.bucket === bucket ? accept(o.object.key) : undefined;
    if (found === undefined) logger.warn('ignored object event', { bucket: o.bucket, key: o.object.key });
    return found === undefined ? [] : [{ ...found, object: { key: o.object.key, size: o.object.size, sequencer: o.object.sequencer } }];
  });
}
