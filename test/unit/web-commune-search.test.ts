import { describe, expect, it } from 'vitest';
import { listCommunes } from '#shared/admin-units/admin-units.ts';
import { indexCommunes, searchCommunes } from '../../web/src/core/commune-search.ts';

const index = indexCommunes(listCommunes());
const first = (q: string) => searchCommunes(index, q)[0]?.fullName;

describe('commune picker search', () => {
  it('finds Xã Thiệu Hóa however it is typed', () => {
    expect(first('thieu hoa')).toBe('Xã Thiệu Hóa');
    expect(first('Thiệu Hoá')).toBe('Xã Thiệu Hóa');
    expect(first('THIEU HOA')).toBe('Xã Thiệu Hóa');
    expect(first('xa thieu hoa')).toBe('Xã Thiệu Hóa');
    expect(first('X. Thiệu Hóa')).toBe('Xã Thiệu Hóa');
  });

  it('finds a commune by the start of its words and by its code', () => {
    expect(first('ham ro')).toBe('Phường Hàm Rồng');
    expect(first('15772')).toBe('Xã Thiệu Hóa');
    expect(searchCommunes(index, 'thieu').slice(0, 3).every((c) => c.fullName.includes('Thiệu'))).toBe(true);
  });

  it('lists 166 communes and returns nothing for nonsense', () => {
    expect(index).toHaveLength(166);
    expect(searchCommunes(index, 'zzqx')).toEqual([]);
  });
});
