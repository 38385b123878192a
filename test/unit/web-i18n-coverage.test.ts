import { describe, expect, it } from 'vitest';
import { errorCodes, importFailureCodes } from '#shared/errors.ts';
import { photoRejectionReasons } from '#shared/schemas/photo.ts';
import { classBreaks, classLabels, classOf, coverageFromLists, indicatorText, indicatorValue, normaliseCoverage, toCsv } from '../../web/src/core/coverage.ts';
import type { Commune } from '../../web/src/core/types.ts';
import { en } from '../../web/src/i18n/en.ts';
import { vi } from '../../web/src/i18n/vi.ts';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();
}

describe('dictionaries', () => {
  it('have the same keys in Vietnamese and English', () => {
    expect(keys(en)).toEqual(keys(vi));
  });

  it('say every API error code in plain words in both languages', () => {
    for (const code of errorCodes) {
      expect(vi.errors, code).toHaveProperty(code);
      expect(en.errors, code).toHaveProperty(code);
    }
  });

  it('say why an import could not take its file, for every failure code', () => {
    for (const code of importFailureCodes) {
      expect(vi.importFailures, code).toHaveProperty(code);
      expect(en.importFailures, code).toHaveProperty(code);
    }
  });

  it('say why a photo was refused, for every reason the pipeline gives', () => {
    for (const reason of photoRejectionReasons) {
      expect(vi.photos.reasons, reason).toHaveProperty(reason);
      expect(en.photos.reasons, reason).toHaveProperty(reason);
    }
  });
});

const communes = [
  { code: '15772', name: 'Thiệu Hóa', fullName: 'Xã Thiệu Hóa', type: 'Xã', nameEn: 'Thieu Hoa', formerDistricts: [] },
  { code: '15835', name: 'Thiệu Trung', fullName: 'Xã Thiệu Trung', type: 'Xã', nameEn: 'Thieu Trung', formerDistricts: [] },
  { code: '14758', name: 'Hàm Rồng', fullName: 'Phường Hàm Rồng', type: 'Phường', nameEn: 'Ham Rong', formerDistricts: [] },
] satisfies Commune[];

describe('coverage computed in the browser when the API has no report', () => {
  it('counts producers, trained producers, products and OCOP products (certificate not lapsed) per commune, and leaves the rest unknown', () => {
    const cov = coverageFromLists(
      communes,
      [{ communeCode: '15772', trainingDate: '2025-09-12' }, { communeCode: '15772' }, { communeCode: '15835' }],
      [{ communeCode: '15772', ocopStars: 4 }, { communeCode: '15772', ocopStars: 0 }, { communeCode: '15772', ocopStars: 5, certificateExpired: true }, { communeCode: '15835', ocopStars: 3 }],
    );
    expect(cov.rows.find((r) => r.communeCode === '15772')).toMatchObject({ producers: 2, producersTrained: 1, products: 3, ocopProducts: 1, productsLive: null });
    expect(cov.rows.find((r) => r.communeCode === '14758')).toMatchObject({ producers: 0, products: 0 });
    expect(cov.totals).toMatchObject({ producers: 3, producersTrained: 1, products: 4, ocopProducts: 2, ocopLive: null });
  });

  it('limits the rows to an officer’s communes', () => {
    const cov = coverageFromLists(communes, [{ communeCode: '14758' }], [], ['15772', '15835']);
    expect(cov.rows.map((r) => r.communeCode)).toEqual(['15772', '15835']);
    expect(cov.totals.producers).toBe(0);
  });

  it('reads the API report, adding up OCOP products over the star ratings', () => {
    const metrics = { producers: 2, producersTrained: 1, producersWithAccount: 1, producersLive: 1, products: 3, productsOcop3: 1, productsOcop4: 1, productsOcop5: 0, productsReady: 1, productsLive: 1, ocopLive: 1 };
    const cov = normaliseCoverage({ asOf: '2026-11-21T00:00:00Z', rows: [{ communeCode: '15772', communeName: 'Xã Thiệu Hóa', ...metrics }], totals: metrics });
    expect(cov.rows[0]).toMatchObject({ communeCode: '15772', ocopProducts: 2, ocopLive: 1 });
    expect(indicatorValue(cov.totals, 'ocopLiveShare')).toBe(50);
  });
});

describe('map classes and CSV export', () => {
  it('puts zero in its own class and the rest in steps up to the maximum', () => {
    const breaks = classBreaks([0, 1, 4, 8, null]);
    expect(breaks).toEqual([0, 2, 4, 6, 8]);
    expect(classOf(0, breaks)).toBe(0);
    expect(classOf(8, breaks)).toBe(4);
    expect(classOf(3, breaks)).toBe(2);
    expect(classOf(null, breaks)).toBe(-1);
  });

  it('words the legend as the classes hold: a class of one count as that count, ranges from above the class before', () => {
    expect(classLabels(classBreaks([0, 1, 2]), 'producers')).toEqual(['0', '1', '2']);
    expect(classLabels(classBreaks([0, 1, 4, 8, null]), 'producers')).toEqual(['0', '1–2', '3–4', '5–6', '7–8']);
    expect(classLabels(classBreaks([0, 4000]), 'producers')).toEqual(['0', '1–1.000', '1.001–2.000', '2.001–3.000', '3.001–4.000']);
    expect(classLabels(classBreaks([0, 41.7]), 'ocopLiveShare')).toEqual(['0', '0,1–11%', '11,1–21%', '21,1–32%', '32,1–42%']);
    expect(classLabels(classBreaks([0, 0.3]), 'ocopLiveShare')).toEqual(['0', '0,1–1%']);
  });

  it('gives the OCOP live share of a commune rounded to one decimal, as the map writes it', () => {
    const row = { producers: 0, producersTrained: 0, producersWithAccount: 0, producersLive: 0, products: 12, ocopProducts: 12, productsReady: 0, productsLive: 5, ocopLive: 5 };
    expect(indicatorValue(row, 'ocopLiveShare')).toBe(41.7);
    expect(indicatorText(indicatorValue(row, 'ocopLiveShare'), 'ocopLiveShare')).toBe('41,7%');
    expect(indicatorText(1250, 'producers')).toBe('1.250');
    expect(indicatorText(null, 'ocopLiveShare')).toBe('—');
  });

  it('writes the table as CSV with a BOM, quoting where needed', () => {
    const csv = toCsv(['Xã/phường', 'Chủ thể'], [['Xã Thiệu Hóa', 2], ['a, b', null]]);
    expect(csv.startsWith('\uFEFFXã/phường,Chủ thể\r\n')).toBe(true);
    expect(csv).toContain('"a, b",\r\n');
  });
});
