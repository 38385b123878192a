import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importFailureCodes } from '#shared/errors.ts';
import { importFailureWords } from '#shared/import-failure-words.ts';
import { detectFormat, readSpreadsheet, readXlsx, SpreadsheetError } from '#functions/imports/spreadsheet-reader.ts';
import { wordImportFailure } from '../../web/src/i18n/i18n.ts';

const failureOf = (read: () => unknown) => {
  try {
    read();
  } catch (e) {
    if (e instanceof SpreadsheetError) return e.failure;
    throw e;
  }
  throw new Error('the file was read');
};

describe('words for a file an import cannot take', () => {
  it('exist for every failure code, in Vietnamese and English, and differ between the two', () => {
    for (const code of importFailureCodes) {
      const vi = importFailureWords.vi[code]({ code, fields: ['name'], rows: 2, bytes: 3, limit: 4 });
      const en = importFailureWords.en[code]({ code, fields: ['name'], rows: 2, bytes: 3, limit: 4 });
      expect(vi, code).toMatch(/\S/);
      expect(en, code).toMatch(/\S/);
      expect(vi, code).not.toBe(en);
    }
  });

  it('name the missing columns as the list calls them', () => {
    expect(importFailureWords.vi.missing_columns({ code: 'missing_columns', fields: ['commune'] })).toBe('Tệp không có cột: “Xã/Phường”. Hãy thêm hoặc đặt lại tên cột rồi nhập lại.');
    expect(importFailureWords.en.missing_columns({ code: 'missing_columns', fields: ['name', 'commune'] })).toBe('The file has no column for: “Producer name”, “Commune”. Add or rename the columns, then import again.');
    expect(importFailureWords.vi.no_header_row({ code: 'no_header_row', fields: ['productName', 'name', 'commune'], limit: 15 })).toBe(
      'Không tìm thấy dòng tên cột trong 15 dòng đầu của tệp. Tệp cần có các cột “Tên sản phẩm”, “Tên chủ thể”, “Xã/Phường”.',
    );
  });

  it('give the figures as the screens write numbers (1.250.000), in both languages', () => {
    expect(importFailureWords.vi.too_many_rows({ code: 'too_many_rows', rows: 120_000, limit: 100_000 })).toBe('Tệp có 120.000 dòng; mỗi lần nhập tối đa 100.000 dòng. Hãy tách tệp.');
    expect(importFailureWords.en.too_many_rows({ code: 'too_many_rows', limit: 200_000 })).toBe('The file is too long; an import takes at most 200.000 rows. Split the file.');
    expect(importFailureWords.vi.too_large({ code: 'too_large', bytes: 27_787_264, limit: 25 * 1024 * 1024 })).toBe('Tệp nặng 26,5 MB, quá giới hạn 25 MB. Hãy tách danh sách thành nhiều tệp nhỏ hơn.');
    expect(importFailureWords.vi.cell_too_long({ code: 'cell_too_long', limit: 32_767 })).toBe('Có ô chứa hơn 32.767 ký tự (giới hạn của Excel). Hãy sửa ô đó rồi nhập lại.');
  });

  it('are what the web app shows, in Vietnamese by default, and nothing for a code it does not know', () => {
    expect(wordImportFailure({ code: 'damaged_workbook' })).toBe(importFailureWords.vi.damaged_workbook({ code: 'damaged_workbook' }));
    expect(wordImportFailure({ code: 'empty_file', bytes: 0 })).toBe('Tệp này trống (0 byte). Hãy chọn đúng tệp danh sách.');
    expect(wordImportFailure({ code: 'a_code_from_a_newer_server' } as never)).toBeUndefined();
  });
});

describe('the reader says why it cannot take a file, as a code', () => {
  it('refuses a file that is neither a workbook nor UTF-8 text: an old .xls, an image, UTF-16 text', () => {
    const oldXls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const utf16 = Buffer.from('\uFEFFTên chủ thể\tXã/Phường\r\n', 'utf16le');
    for (const file of [oldXls, png, utf16]) expect(failureOf(() => detectFormat(file))).toEqual({ code: 'wrong_type' });
    expect(detectFormat(Buffer.from('Tên chủ thể;Xã/Phường\r\nHộ A;Xã Thiệu Hóa'))).toBe('csv');
  });

  it('calls a ZIP that does not unpack, or whose sheet is cut short, a damaged workbook', () => {
    expect(failureOf(() => readSpreadsheet(Buffer.from('PK\x03\x04 not really a zip'), 'xlsx'))).toEqual({ code: 'damaged_workbook' });
    const cut = zipSync({ 'xl/worksheets/sheet1.xml': strToU8('<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>') });
    expect(failureOf(() => readXlsx(cut))).toEqual({ code: 'damaged_workbook' });
  });

  it('says a ZIP without an Excel worksheet (an .ods) has none', () => {
    const ods = zipSync({ mimetype: strToU8('application/vnd.oasis.opendocument.spreadsheet'), 'content.xml': strToU8('<office:document-content/>') });
    expect(failureOf(() => readXlsx(ods))).toEqual({ code: 'no_worksheet' });
  });
});
