import { describe, expect, it } from 'vitest';
import { createPhotoEventHandler, uploadsIn } from '#functions/photos/photo-events.ts';
import type { PhotoRecord } from '#functions/photos/photo-repository.ts';
import type { PhotoRef } from '#functions/photos/photo-store.ts';

const productId = '01JD3Q0B9M2W7X8Y9Z0A1B2C3D';
const photoId = '01JD3Q0B9M2W7X8Y9Z0A1B2C3E';
const key = `uploads/${productId}/${photoId}`;

describe('photo Lambda events', () => {
  it('reads the upload from an EventBridge "Object Created" event', () => {
    const event = { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'photos' }, object: { key } } };
    expect(uploadsIn(event, 'photos')).toEqual([{ productId, photoId }]);
  });

  it('reads the uploads from an S3 notification, decoding its keys', () => {
    const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'photos' }, object: { key: encodeURIComponent(key) } } }] };
    expect(uploadsIn(event, 'photos')).toEqual([{ productId, photoId }]);
  });

  it('ignores variants, other buckets, other events and keys that are not upload keys', () => {
    const detail = (k: string, bucket = 'photos') => ({ 'detail-type': 'Object Created', detail: { bucket: { name: bucket }, object: { key: k } } });
    expect(uploadsIn(detail(`variants/${productId}/${photoId}/fit-1200.jpg`), 'photos')).toEqual([]);
    expect(uploadsIn(detail(key, 'elsewhere'), 'photos')).toEqual([]);
    expect(uploadsIn(detail(`uploads/${productId}/../${photoId}`), 'photos')).toEqual([]);
    expect(uploadsIn({ 'detail-type': 'Object Deleted', detail: { bucket: { name: 'photos' }, object: { key } } }, 'photos')).toEqual([]);
  });

  it('runs completeUpload once per upload and reports each outcome', async () => {
    const seen: PhotoRef[] = [];
    const handler = createPhotoEventHandler(async (ref) => {
      seen.push(ref);
      return { status: 'rejected' } as PhotoRecord;
    }, 'photos');
    const out = await handler({ 'detail-type': 'Object Created', detail: { bucket: { name: 'photos' }, object: { key } } });
    expect(seen).toEqual([{ productId, photoId }]);
    expect(out).toEqual({ processed: [{ photoId, status: 'rejected' }] });
  });
});
