import { describe, expect, it } from 'vitest';
import { installMemoryStorage } from '#test/support/memory-storage.ts';

installMemoryStorage();
const items = [
  { code: '14758', name: 'Hàm Rồng', fullName: 'Phường Hàm Rồng', nameEn: 'Ham Rong', formerDistricts: [] },
  { code: '15772', name: 'Thiệu Hóa', fullName: 'Xã Thiệu Hóa', nameEn: 'Thieu Hoa', formerDistricts: [] },
  { code: '16000', name: 'An Nông', fullName: 'Xã An Nông', nameEn: 'An Nong', formerDistricts: [] },
  { code: '16100', name: 'Đông Sơn', fullName: 'Xã Đông Sơn', nameEn: 'Dong Son', formerDistricts: [] },
  { code: '16200', name: 'Bá Thước', fullName: 'Xã Bá Thước', nameEn: 'Ba Thuoc', formerDistricts: [] },
];
globalThis.fetch = (async () => new Response(JSON.stringify({ items }), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
const { communes } = await import('../../web/src/core/reference.ts');

describe('the communes every filter and picker offers', () => {
  it('come by name as Vietnamese sorts it (Đ after D), whatever order the API lists them in', async () => {
    expect((await communes()).map((c) => c.name)).toEqual(['An Nông', 'Bá Thước', 'Đông Sơn', 'Hàm Rồng', 'Thiệu Hóa']);
  });
});
