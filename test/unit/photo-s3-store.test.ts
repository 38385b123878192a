import { describe, expect, it } from 'vitest';
import { createS3Client, createS3PhotoStore } from '#functions/photos/s3-photo-store.ts';

process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'example-secret';
const store = createS3PhotoStore({ client: createS3Client({ region: 'ap-southeast-1' }), bucket: 'photo-bucket' });
const key = 'uploads/01JD3Q0B9M2W7X8Y9Z0A1B2C3D/01JD3Q0B9M2W7X8Y9Z0A1B2C3E';

describe('S3 photo store', () => {
  it('presigns a PUT bound to the key, the exact size and the content type, without a baked-in checksum', async () => {
    const target = await store.uploadTarget(key, { contentType: 'image/jpeg', bytes: 123_456 }, 900);
    const url = new URL(target.url);
    expect(`${url.hostname}${url.pathname}`).toBe(`photo-bucket.s3.ap-southeast-1.amazonaws.com/${key}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
    expect(target).toMatchObject({ method: 'PUT', headers: { 'content-type': 'image/jpeg', 'content-length': '123456' } });
  });

  it('presigns time-limited GETs for variants', async () => {
    const url = new URL(await store.url('variants/a/b/fit-1200.jpg'));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });
});
