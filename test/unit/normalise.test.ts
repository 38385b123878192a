import { describe, it, expect } from 'vitest';
import { hasDiacritics, normaliseName, normaliseUnitName, spellingKey, splitUnitPrefix, stripUnitPrefix } from '#shared/text/normalise.ts';

describe('normaliseName', () => {
  it('gives the same key for NFC and NFD input', () => {
    const nfc = 'Thị trấn Thiệu Hóa'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(normaliseName(nfd)).toBe(normaliseName(nfc));
  });

  it('ignores case, diacritics and tone marks and maps đ to d', () => {
    expect(normaliseName('ĐÔNG Sơn')).toBe('dong son');
    expect(normaliseName('Thiệu Hóa')).toBe('thieu hoa');
  });

  it('treats old and new tone-mark styles as the same name', () => {
    expect(normaliseName('Hoà')).toBe(normaliseName('Hòa'));
    expect(normaliseName('Thuỷ')).toBe(normaliseName('Thủy'));
    expect(normaliseName('Thiệu Hoá')).toBe(normaliseName('Thiệu Hóa'));
  });

  it('collapses whitespace and punctuation and trims', () => {
    expect(normaliseName('  Thiệu-Hóa,\t  (Thanh  Hóa). ')).toBe('thieu hoa thanh hoa');
  });

  it('maps the eth look-alike of Đ to d and ignores zero-width characters', () => {
    expect(normaliseName('Ðông Sơn')).toBe('dong son');
    expect(normaliseName('Thiệu\u200bHóa')).toBe('thieuhoa');
  });

  it('returns an empty key for text without letters or digits', () => {
    expect(normaliseName(' .,- ')).toBe('');
  });
});

describe('spellingKey', () => {
  it('ignores where the tone mark is placed', () => {
    expect(spellingKey('Hoà')).toBe(spellingKey('Hòa'));
    expect(spellingKey('Thuỷ')).toBe(spellingKey('Thủy'));
    expect(spellingKey('THIỆU HOÁ')).toBe(spellingKey('thiệu hóa'.normalize('NFD')));
  });

  it('keeps different tones and vowel letters apart', () => {
    expect(spellingKey('Thiệu Hóa')).not.toBe(spellingKey('Thiệu Hòa'));
    expect(spellingKey('Đồng Tiến')).not.toBe(spellingKey('Đông Tiến'));
    expect(spellingKey('Văn Sơn')).not.toBe(spellingKey('Vân Sơn'));
  });
});

describe('hasDiacritics', () => {
  it('detects tone marks, vowel marks and đ in any normal form', () => {
    expect(hasDiacritics('Hóa'.normalize('NFD'))).toBe(true);
    expect(hasDiacritics('Sơn')).toBe(true);
    expect(hasDiacritics('đ')).toBe(true);
    expect(hasDiacritics('Quang Trung')).toBe(false);
  });
});

describe('stripUnitPrefix', () => {
  it.each([
    ['Xã Thiệu Toán', 'Thiệu Toán'],
    ['Phường Hàm Rồng', 'Hàm Rồng'],
    ['Thị trấn Thiệu Hóa', 'Thiệu Hóa'],
    ['thi tran Thiệu Hóa', 'Thiệu Hóa'],
    ['TT Thiệu Hóa', 'Thiệu Hóa'],
    ['TT. Thiệu Hóa', 'Thiệu Hóa'],
    ['TT.Thiệu Hóa', 'Thiệu Hóa'],
    ['T.T. Thiệu Hóa', 'Thiệu Hóa'],
    ['X. Thiệu Toán', 'Thiệu Toán'],
    ['P.Hàm Rồng', 'Hàm Rồng'],
    ['Huyện Thiệu Hóa', 'Thiệu Hóa'],
    ['H. Thiệu Hóa', 'Thiệu Hóa'],
    ['Thành phố Thanh Hóa', 'Thanh Hóa'],
    ['TP Thanh Hóa', 'Thanh Hóa'],
    ['TP.Thanh Hóa', 'Thanh Hóa'],
    ['Thị xã Nghi Sơn', 'Nghi Sơn'],
    ['TX Bỉm Sơn', 'Bỉm Sơn'],
    ['TX. Bỉm Sơn', 'Bỉm Sơn'],
    ['XÃ THIỆU TOÁN', 'THIỆU TOÁN'],
  ])('removes the prefix of %j', (input, expected) => {
    expect(stripUnitPrefix(input)).toBe(expected);
  });

  it('keeps a prefix word that is the whole name', () => {
    expect(stripUnitPrefix('Phường')).toBe('Phường');
    expect(stripUnitPrefix('Thị trấn')).toBe('Thị trấn');
    expect(stripUnitPrefix(' TT. ')).toBe('TT.');
  });

  it('does not take a name word with other diacritics for a prefix', () => {
    expect(stripUnitPrefix('Phượng Nghi')).toBe('Phượng Nghi');
    expect(stripUnitPrefix('Xã Phượng Nghi')).toBe('Phượng Nghi');
  });

  it('removes only one prefix', () => {
    expect(stripUnitPrefix('Xã Phường Đông')).toBe('Phường Đông');
  });

  it('returns NFC text', () => {
    expect(stripUnitPrefix('Thị trấn Thiệu Hóa'.normalize('NFD'))).toBe('Thiệu Hóa'.normalize('NFC'));
  });
});

describe('splitUnitPrefix', () => {
  it('reports the unit type and the prefix as written', () => {
    expect(splitUnitPrefix('TT.Thiệu Hóa')).toEqual({ type: 'Thị trấn', prefix: 'TT.', rest: 'Thiệu Hóa' });
    expect(splitUnitPrefix('tp thanh hoa')).toEqual({ type: 'Thành phố', prefix: 'tp', rest: 'thanh hoa' });
    expect(splitUnitPrefix('Thiệu Hóa')).toEqual({ type: null, prefix: '', rest: 'Thiệu Hóa' });
  });
});

describe('normaliseUnitName', () => {
  it('gives one key for every prefix style, spelling and normal form of a name', () => {
    const keys = ['Thiệu Hoá', 'thieu hoa', 'TT. Thiệu Hóa', 'Thị trấn Thiệu Hóa', 'Thị trấn Thiệu Hóa'.normalize('NFD'), 'THỊ TRẤN THIỆU HOÁ'].map(normaliseUnitName);
    expect(new Set(keys)).toEqual(new Set(['thieu hoa']));
  });
});
