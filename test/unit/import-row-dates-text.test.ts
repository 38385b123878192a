import { describe, expect, it } from 'vitest';
import { interpretRow } from '#functions/imports/import-rows.ts';
import { rowErrorLines } from '#shared/import-fields.ts';
import { plainText } from '#shared/schemas/common.ts';
import { eventDateRule, vietnamDate } from '#shared/vietnam-time.ts';

// An imported row is judged by the API's own rules: a date that has not come, or one before the
// programme, is refused with its reason in Vietnamese; text is stored plain.

const mapping = { name: 0, commune: 1, trainingDate: 2, productName: 3, ocopGroup: 4, ocopStars: 5, certificateNo: 6, certificateDate: 7 };

describe('dates of things that happened', () => {
  it('are from 2000 up to today in Vietnam', () => {
    expect(eventDateRule('1999-12-31', '2026-12-08')).toBe('date_too_early');
    expect(eventDateRule('2000-01-01', '2026-12-08')).toBeUndefined();
    expect(eventDateRule('2026-12-08', '2026-12-08')).toBeUndefined();
    expect(eventDateRule('2026-12-09', '2026-12-08')).toBe('date_in_future');
  });

  it('in an import: a training after today or a decision in 1990 makes the row invalid, worded in Vietnamese', () => {
    const tomorrow = vietnamDate(new Date(), 1).split('-').reverse().join('/');
    const row = interpretRow(['Hộ Lê Văn An', 'Xã Thiệu Hóa', tomorrow, 'Chè lam', 'thực phẩm', '4 sao', 'QĐ 12', '02/03/1990'], mapping, 'products');
    expect(row.status).toBe('invalid');
    expect(row.status === 'invalid' && row.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'trainingDate', vi: 'Ngày chưa đến: muộn nhất là hôm nay.' }),
        expect.objectContaining({ field: 'certificateDate', vi: 'Ngày phải từ 01/01/2000 trở đi.' }),
      ]),
    );
    const ok = interpretRow(['Hộ Lê Văn An', 'Xã Thiệu Hóa', '15/01/2024', 'Chè lam', 'thực phẩm', '4 sao', 'QĐ 12', '02/03/2024'], mapping, 'products');
    expect(ok).toMatchObject({ status: 'ok', producer: { trainingDate: '2024-01-15' }, product: { certificateDate: '2024-03-02' } });
  });
});

describe('plain text', () => {
  it('drops control, zero-width, soft-hyphen and direction characters, composes accents (NFC) and trims', () => {
    expect(plainText('\u202e Ho\u0300a\u200b Bi\u0300nh\u00ad\u0007 \ufeff')).toBe('Hòa Bình');
    expect(plainText('Dòng 1\nDòng 2\tcột')).toBe('Dòng 1\nDòng 2\tcột');
    expect(plainText('\u200b\u200c\u200d\u2060')).toBe('');
  });

  it('in an import: a name of invisible characters alone is missing', () => {
    const row = interpretRow(['\u200b\u200b', 'Xã Thiệu Hóa', null, 'Chè lam', 'thực phẩm', null, null, null], mapping, 'products');
    expect(row.status === 'invalid' && row.errors.map((e) => e.field)).toContain('name');
  });
});

describe('the lines that say why a row was not taken', () => {
  it('give fields that broke the same rule one line, in the language asked for', () => {
    const row = interpretRow(['Hộ Lê Văn An', 'Xã Thiệu Hóa', null, 'Chè lam', 'thực phẩm', '4 sao', null, null], mapping, 'products');
    expect(row.status === 'invalid' && rowErrorLines(row.errors, 'vi')).toEqual(['Số quyết định, Ngày quyết định: Sản phẩm đã xếp hạng OCOP cần số và ngày quyết định công nhận.']);
    expect(rowErrorLines([{ field: 'phone', message: 'bad phone', vi: 'Sai.' }, { field: 'name', message: 'too long', vi: 'Dài.' }], 'en')).toEqual(['Phone: bad phone', 'Producer name: too long']);
  });
});
