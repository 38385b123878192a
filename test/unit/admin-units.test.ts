import { describe, it, expect } from 'vitest';
import { getCommune, isCurrentCommuneCode, listCommunes, listFormerDistricts, provinceCode, provinceName, resolveUnit } from '#shared/admin-units/admin-units.ts';

const codes = (r: { candidates: { code: string }[] }) => r.candidates.map((c) => c.code).sort();
const TWENTY_FOUR_ONLY = ['14788', '15217', '15340', '15439', '15739', '15757', '15871', '16039', '16117', '16537', '16651'];

describe('current communes', () => {
  it('is province 38 Thanh Hóa', () => {
    expect(provinceCode).toBe('38');
    expect(provinceName).toBe('Thanh Hóa');
  });

  it('lists 166 communes: 19 Phường and 147 Xã, sorted by code', () => {
    const communes = listCommunes();
    expect(communes).toHaveLength(166);
    expect(communes.filter((c) => c.type === 'Phường')).toHaveLength(19);
    expect(communes.filter((c) => c.type === 'Xã')).toHaveLength(147);
    expect(communes.map((c) => c.code)).toEqual(communes.map((c) => c.code).sort());
    expect(new Set(communes.map((c) => c.code)).size).toBe(166);
  });

  it('gets a commune by code with its former districts', () => {
    expect(getCommune('14758')).toEqual({
      code: '14758',
      name: 'Hàm Rồng',
      fullName: 'Phường Hàm Rồng',
      type: 'Phường',
      nameEn: 'Ham Rong',
      formerDistricts: [{ code: '380', fullName: 'Thành phố Thanh Hóa' }],
    });
    expect(getCommune('15790')).toBeUndefined();
  });

  it('lists each former district of a commune once, in the order of its predecessors', () => {
    const formerDistricts = getCommune('15448')!.formerDistricts;
    expect(formerDistricts.length).toBeGreaterThan(1);
    expect(new Set(formerDistricts.map((d) => d.code)).size).toBe(formerDistricts.length);
    expect(formerDistricts.map((d) => d.code)).toContain('398');
  });

  it('knows current codes from old codes', () => {
    expect(isCurrentCommuneCode('14758')).toBe(true);
    expect(isCurrentCommuneCode('14755')).toBe(false);
    expect(isCurrentCommuneCode('99999')).toBe(false);
  });

  it('returns copies that callers cannot use to change the data', () => {
    const first = listCommunes();
    first.pop();
    expect(listCommunes()).toHaveLength(166);
    expect(() => {
      (listCommunes()[0] as { name: string }).name = 'x';
    }).toThrow();
  });
});

describe('former districts', () => {
  it('lists the 26 pre-reform districts, without Huyện Đông Sơn', () => {
    const districts = listFormerDistricts();
    expect(districts).toHaveLength(26);
    expect(districts.map((d) => d.code)).not.toContain('405');
    expect(districts.find((d) => d.code === '398')!.fullName).toBe('Huyện Thiệu Hóa');
  });

  it('rolls every current commune up to at least one former district, using only current codes', () => {
    const covered = new Set(listFormerDistricts().flatMap((d) => d.communeCodes));
    expect(covered.size).toBe(166);
    for (const code of covered) expect(isCurrentCommuneCode(code)).toBe(true);
  });

  it('puts a commune formed from two districts under both', () => {
    const districts = listFormerDistricts().filter((d) => d.communeCodes.includes('15448'));
    expect(districts.map((d) => d.code).sort()).toEqual(getCommune('15448')!.formerDistricts.map((d) => d.code).sort());
  });

  it('counts the communes of the old Huyện Đông Sơn under Thành phố Thanh Hóa', () => {
    expect(listFormerDistricts().find((d) => d.code === '380')!.communeCodes).toContain('16378');
  });
});

describe('resolveUnit by code', () => {
  it('resolves a current code as current', () => {
    expect(resolveUnit({ name: '16378' })).toEqual({ query: { name: '16378' }, status: 'current', candidates: [{ code: '16378', fullName: 'Phường Đông Sơn' }] });
  });

  it('maps an old code that went wholly into one commune', () => {
    const r = resolveUnit({ name: '14755' });
    expect(r.status).toBe('mapped');
    expect(r.candidates).toEqual([
      { code: '14758', fullName: 'Phường Hàm Rồng', share: 'full', via: { code: '14755', fullName: 'Phường Hàm Rồng', districtFullName: 'Thành phố Thanh Hóa', validIn: ['2025-pre-reform', '2024'] } },
    ]);
  });

  it('lists both new communes, with shares, for an old code split in two', () => {
    const r = resolveUnit({ name: '16435' });
    expect(r.status).toBe('ambiguous');
    expect(r.candidates.map((c) => [c.code, c.share])).toEqual([
      ['14797', 'partial'],
      ['16417', 'partial-remainder'],
    ]);
    expect(r.candidates.every((c) => c.via?.fullName === 'Phường An Hưng')).toBe(true);
  });

  it('reads a current code that was also a split old code as current without a district, and as the old unit with its district', () => {
    expect(resolveUnit({ name: '14758' })).toMatchObject({ status: 'current', candidates: [{ code: '14758' }] });
    const old = resolveUnit({ name: '14758', district: 'Thành phố Thanh Hóa' });
    expect(old.status).toBe('ambiguous');
    expect(codes(old)).toEqual(['14758', '14797']);
    expect(old.candidates[0]!.via!.fullName).toBe('Phường Đông Thọ');
    expect(codes(resolveUnit({ name: '14758', district: '380' }))).toEqual(['14758', '14797']);
  });

  it('keeps the current reading of a current code whose district hint does not fit the old unit', () => {
    expect(resolveUnit({ name: '14758', district: 'Huyện Nga Sơn' }).status).toBe('current');
  });

  it('accepts a code with surrounding spaces', () => {
    expect(resolveUnit({ name: ' 16378 ' }).status).toBe('current');
  });

  it('says every 2024-only code is a known unit with no mapping', () => {
    for (const code of TWENTY_FOUR_ONLY) {
      const r = resolveUnit({ name: code });
      expect(r.status).toBe('unmapped');
      expect(r.candidates).toEqual([]);
      expect(r.unmappedUnits).toEqual([expect.objectContaining({ code, validIn: ['2024'] })]);
      expect(r.note).toMatch(/no mapping/);
    }
  });

  it('places 15790 Xã Thiệu Phú, merged in 2024 into Thị trấn Hậu Hiền, through 15829', () => {
    const r = resolveUnit({ name: '15790' });
    expect(r.status).toBe('mapped');
    expect(r.candidates).toEqual([
      { code: '15820', fullName: 'Xã Thiệu Toán', share: 'full', via: { code: '15790', fullName: 'Xã Thiệu Phú', districtFullName: 'Huyện Thiệu Hóa', validIn: [] } },
    ]);
    expect(codes(resolveUnit({ name: '15829' }))).toEqual(['15820']);
    expect(r.note).toMatch(/15829/);
  });

  it('does not find an unknown code', () => {
    expect(resolveUnit({ name: '99999' })).toEqual({ query: { name: '99999' }, status: 'not_found', candidates: [] });
  });
});

describe('resolveUnit by name', () => {
  it('resolves every way of writing the old town Thị trấn Thiệu Hóa to its three successors', () => {
    const inputs = ['Thị trấn Thiệu Hóa', 'TT. Thiệu Hóa', 'TT.Thiệu Hoá', 'thi tran thieu hoa', 'THỊ TRẤN THIỆU HOÁ', 'Thị trấn Thiệu Hóa'.normalize('NFD')];
    for (const name of inputs) {
      const r = resolveUnit({ name });
      expect(r.status).toBe('ambiguous');
      expect(r.candidates).toHaveLength(3);
      expect(codes(r)).toEqual(['15772', '15796', '15835']);
      expect(r.candidates.every((c) => c.via?.code === '15772')).toBe(true);
    }
  });

  it('resolves Thiệu Hóa without a prefix, in any spelling, to the current Xã Thiệu Hóa', () => {
    const inputs = ['Thiệu Hoá', 'Thiệu Hóa', 'thieu hoa', 'Xã Thiệu Hóa', 'Thiệu Hoá'.normalize('NFD')];
    for (const name of inputs) expect(resolveUnit({ name })).toMatchObject({ status: 'current', candidates: [{ code: '15772', fullName: 'Xã Thiệu Hóa' }] });
  });

  it('reads Thiệu Hóa with its old district as the old town', () => {
    for (const district of ['Thiệu Hóa', 'Huyện Thiệu Hóa', 'H. Thiệu Hoá', '398']) {
      const r = resolveUnit({ name: 'Thiệu Hóa', district });
      expect(r.status).toBe('ambiguous');
      expect(codes(r)).toEqual(['15772', '15796', '15835']);
    }
  });

  it('keeps Thiệu Hóa and Thiệu Hòa apart when written with diacritics, in either tone-mark style', () => {
    for (const name of ['Thiệu Hòa', 'Thiệu Hoà', 'Xã Thiệu Hoà']) {
      const r = resolveUnit({ name });
      expect(r.status).toBe('mapped');
      expect(r.candidates).toMatchObject([{ code: '15820', via: { code: '15823', fullName: 'Xã Thiệu Hòa' } }]);
    }
  });

  it('lists both Thiệu Hóa and Thiệu Hòa for an unaccented name in their district', () => {
    const r = resolveUnit({ name: 'thieu hoa', district: 'thieu hoa' });
    expect(r.status).toBe('ambiguous');
    expect(codes(r)).toEqual(['15772', '15796', '15820', '15835']);
  });

  it('treats Thuỷ and Thủy as the same spelling', () => {
    expect(resolveUnit({ name: 'Cẩm Thuỷ' })).toMatchObject({ status: 'current', candidates: [{ code: '15127', fullName: 'Xã Cẩm Thủy' }] });
    expect(resolveUnit({ name: 'Cẩm Thủy' })).toMatchObject({ status: 'current', candidates: [{ code: '15127' }] });
  });

  it('treats Hoà and Hòa as the same spelling and keeps Hoa apart from them', () => {
    expect(resolveUnit({ name: 'Xã Hoà Lộc' })).toMatchObject({ status: 'mapped', candidates: [{ code: '16072', via: { code: '16075', fullName: 'Xã Hòa Lộc' } }] });
    expect(resolveUnit({ name: 'Xã Hòa Lộc' })).toMatchObject({ status: 'mapped', candidates: [{ code: '16072', via: { code: '16075' } }] });
    expect(resolveUnit({ name: 'Xã Hoa Lộc' })).toMatchObject({ status: 'current', candidates: [{ code: '16072' }] });
  });

  it('resolves a current name to the current commune even where old units of that name went elsewhere', () => {
    expect(resolveUnit({ name: 'Phường Đông Sơn' })).toMatchObject({ status: 'current', candidates: [{ code: '16378' }] });
    expect(resolveUnit({ name: 'Lam Sơn' })).toMatchObject({ status: 'current', candidates: [{ code: '15544' }] });
  });

  it('uses the district hint to tell apart old units of the same name in different districts', () => {
    const bimSon = resolveUnit({ name: 'Phường Đông Sơn', district: 'Thị xã Bỉm Sơn' });
    expect(bimSon.status).toBe('mapped');
    expect(bimSon.candidates).toMatchObject([{ code: '14812', via: { code: '14821', districtFullName: 'Thị xã Bỉm Sơn' } }]);
    const city = resolveUnit({ name: 'Đông Sơn', district: 'TP Thanh Hoá' });
    expect(city.status).toBe('mapped');
    expect(city.candidates).toMatchObject([{ code: '14797', via: { code: '14785' } }]);
  });

  it('lists every new commune for an old name found in several districts when no district is given', () => {
    const r = resolveUnit({ name: 'Phường Lam Sơn' });
    expect(r.status).toBe('ambiguous');
    expect(codes(r)).toEqual(['14797', '14812']);
    expect(resolveUnit({ name: 'Phường Lam Sơn', district: 'Bỉm Sơn' })).toMatchObject({ status: 'mapped', candidates: [{ code: '14812' }] });
  });

  it('never maps automatically when the district hint fits none of the units of that name', () => {
    const r = resolveUnit({ name: 'Phường Lam Sơn', district: 'Huyện Nga Sơn' });
    expect(r.status).toBe('ambiguous');
    expect(codes(r)).toEqual(['14797', '14812']);
    expect(r.note).toMatch(/Nga Sơn/);
  });

  it('recognises Huyện Đông Sơn, which existed only in 2024, as a district hint', () => {
    const r = resolveUnit({ name: 'Thị trấn Rừng Thông', district: 'Huyện Đông Sơn' });
    expect(r.status).toBe('mapped');
    expect(r.candidates).toEqual([
      { code: '16378', fullName: 'Phường Đông Sơn', share: 'full', via: { code: '16378', fullName: 'Thị trấn Rừng Thông', districtFullName: 'Huyện Đông Sơn', validIn: ['2024'] } },
    ]);
    expect(resolveUnit({ name: 'Đông Hoàng', district: '405' }).candidates[0]!.via!.districtFullName).toBe('Huyện Đông Sơn');
    expect(resolveUnit({ name: 'Đông Hoàng' }).candidates[0]!.via).toEqual({ code: '16381', fullName: 'Xã Đông Hoàng', districtFullName: 'Thành phố Thanh Hóa', validIn: ['2025-pre-reform'] });
  });

  it('resolves a unit by its 2024 name as well as by its pre-reform name', () => {
    expect(resolveUnit({ name: 'Xã Hà Lai' })).toMatchObject({ status: 'mapped', candidates: [{ code: '15298', via: { code: '15331', fullName: 'Xã Hà Lai', validIn: ['2024'] } }] });
    expect(resolveUnit({ name: 'Xã Thái Lai' })).toMatchObject({ status: 'mapped', candidates: [{ code: '15298', via: { code: '15331', validIn: ['2025-pre-reform'] } }] });
  });

  it('says a name known only from 2024 has no mapping', () => {
    const r = resolveUnit({ name: 'Phường Tân Sơn' });
    expect(r.status).toBe('unmapped');
    expect(r.candidates).toEqual([]);
    expect(r.unmappedUnits).toEqual([{ code: '14788', fullName: 'Phường Tân Sơn', districtFullName: 'Thành phố Thanh Hóa', validIn: ['2024'] }]);
  });

  it('does not map a name shared by a mapped unit and a 2024 unit with no mapping', () => {
    const r = resolveUnit({ name: 'Xã Yên Ninh', district: 'Huyện Yên Định' });
    expect(r.status).toBe('ambiguous');
    expect(codes(r)).toEqual(['15442']);
    expect(r.unmappedUnits?.map((u) => u.code)).toEqual(['15439']);
  });

  it('resolves Thiệu Phú, merged in 2024, through Hậu Hiền', () => {
    expect(resolveUnit({ name: 'Xã Thiệu Phú', district: 'Thiệu Hóa' })).toMatchObject({ status: 'mapped', candidates: [{ code: '15820', via: { code: '15790' } }] });
  });

  it('reports several current communes for an unaccented name that fits more than one', () => {
    const r = resolveUnit({ name: 'dong tien' });
    expect(r.status).toBe('ambiguous');
    expect(codes(r)).toEqual(['15724', '15853']);
    expect(resolveUnit({ name: 'Đồng Tiến' })).toMatchObject({ status: 'current', candidates: [{ code: '15724' }] });
    expect(resolveUnit({ name: 'Phường Dong Tien' })).toMatchObject({ status: 'current', candidates: [{ code: '15853' }] });
  });

  it('does not place automatically a name whose diacritics match no unit', () => {
    const r = resolveUnit({ name: 'Thủy Sơn' });
    expect(r.status).toBe('ambiguous');
    expect(r.candidates).toMatchObject([{ code: '15061', via: { fullName: 'Xã Thúy Sơn' } }]);
  });

  it('does not read a name word as a prefix when its diacritics differ', () => {
    expect(resolveUnit({ name: 'Phượng Nghi' })).toMatchObject({ status: 'mapped', candidates: [{ code: '16234' }] });
    expect(resolveUnit({ name: 'phuong nghi' })).toMatchObject({ status: 'mapped', candidates: [{ code: '16234' }] });
  });

  it('does not take a district for a commune', () => {
    expect(resolveUnit({ name: 'TP Thanh Hóa' })).toMatchObject({ status: 'not_found', candidates: [] });
    expect(resolveUnit({ name: 'Huyện Thiệu Hóa' })).toMatchObject({ status: 'not_found', candidates: [] });
  });

  it('does not find an unknown name', () => {
    expect(resolveUnit({ name: 'Xã Atlantis' })).toEqual({ query: { name: 'Xã Atlantis' }, status: 'not_found', candidates: [] });
    expect(resolveUnit({ name: '' }).status).toBe('not_found');
    expect(resolveUnit({ name: 'Phường' }).status).toBe('not_found');
  });

  it('ignores an unknown district hint and says so', () => {
    const r = resolveUnit({ name: 'Đồng Tiến', district: 'Quận 1' });
    expect(r).toMatchObject({ query: { name: 'Đồng Tiến', district: 'Quận 1' }, status: 'current', candidates: [{ code: '15724' }] });
    expect(r.note).toMatch(/Quận 1/);
  });

  it('resolves every current commune by code, by full name and by its unaccented name', () => {
    for (const c of listCommunes()) {
      expect(resolveUnit({ name: c.code })).toMatchObject({ status: 'current', candidates: [{ code: c.code }] });
      expect(resolveUnit({ name: c.fullName })).toMatchObject({ status: 'current', candidates: [{ code: c.code }] });
      expect(codes(resolveUnit({ name: c.nameEn }))).toContain(c.code);
    }
  });

  it('never lists the same commune twice', () => {
    for (const name of ['thieu hoa', 'Xuân Lộc', 'hoa loc', 'Quang Trung', 'Xã Quang Trung']) {
      const list = codes(resolveUnit({ name }));
      expect(new Set(list).size).toBe(list.length);
    }
  });
});
