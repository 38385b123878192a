import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/core/api.ts';
import { errorMessage } from '../../web/src/i18n/i18n.ts';

describe('the words for an API refusal', () => {
  it('name the listings that keep a seller account from closing', () => {
    const err = new ApiError(409, { type: 'x', title: 'x', status: 409, code: 'ACCOUNT_HAS_LISTINGS', count: 2, listings: [{ productId: 'a', name: 'Chè lam', status: 'live' }, { productId: 'b', name: 'Nem chua', status: 'paused' }] } as never);
    expect(errorMessage(err)).toBe('Chủ thể còn sản phẩm “Đang bán” hoặc “Tạm dừng” trên sàn này: hãy gỡ các sản phẩm đó khỏi sàn trước khi đóng tài khoản. Sản phẩm cần gỡ: “Chè lam”, “Nem chua”.');
  });

  it('are the code’s own words otherwise', () => {
    expect(errorMessage(new ApiError(409, { type: 'x', title: 'x', status: 409, code: 'VERSION_CONFLICT' }))).toMatch(/người khác sửa/);
  });
});
