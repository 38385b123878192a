import type { ImportField } from '#shared/import-fields.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import type { Cell, Grid } from './spreadsheet-reader.ts';

export const importKinds = ['producers', 'products'] as const;
export type ImportKind = (typeof importKinds)[number];

/** The fields an import row can fill, and the headers (Vietnamese or English, any accents) that name them. */
const synonyms = {
  name: ['ten chu the', 'chu the', 'ho va ten', 'ho ten', 'ten co so', 'ten hop tac xa', 'ten htx', 'ten doanh nghiep', 'ten ho kinh doanh', 'producer', 'producer name', 'name'],
  kind: ['loai hinh', 'loai chu the', 'loai hinh chu the', 'kind', 'type'],
  representative: ['nguoi dai dien', 'dai dien', 'chu ho', 'representative'],
  phone: ['sdt', 'so dien thoai', 'dien thoai', 'dt', 'so dt', 'phone', 'phone number', 'mobile'],
  taxCode: ['mst', 'ma so thue', 'tax code', 'tax id'],
  citizenId: [
    'cccd', 'so cccd', 'cmnd', 'so cmnd', 'cccd cmnd', 'cmnd cccd', 'so cccd cmnd', 'so cmnd cccd', 'so cmnd so cccd', 'so cccd so cmnd', 'cmt', 'so cmt', 'cmtnd', 'so cmtnd',
    'can cuoc', 'so can cuoc', 'can cuoc cong dan', 'so can cuoc cong dan', 'so dinh danh', 'so dinh danh ca nhan', 'ma dinh danh', 'ma dinh danh ca nhan', 'dinh danh ca nhan',
    'citizen id', 'id number', 'national id',
  ],
  commune: ['xa phuong', 'xa', 'phuong', 'xa phuong thi tran', 'xa thi tran', 'dia ban', 'commune', 'ward'],
  district: ['huyen', 'huyen thi xa thanh pho', 'huyen thi xa', 'quan huyen', 'district'],
  address: ['dia chi', 'thon xom', 'thon', 'address'],
  trainingDate: ['ngay tap huan', 'ngay tap huan tmdt', 'training date'],
  productName: ['ten san pham', 'san pham', 'ten sp', 'product', 'product name'],
  ocopGroup: ['nhom san pham', 'nhom', 'nhom ocop', 'bo nhom', 'product group', 'group'],
  ocopStars: ['hang sao', 'so sao', 'xep hang', 'hang', 'sao', 'ocop stars', 'stars', 'rating'],
  certificateNo: ['so quyet dinh', 'so qd', 'quyet dinh', 'so giay chung nhan', 'so chung nhan', 'certificate no', 'decision no'],
  certificateDate: ['ngay cap', 'ngay quyet dinh', 'ngay qd', 'ngay chung nhan', 'certificate date', 'decision date'],
  unit: ['don vi tinh', 'dvt', 'quy cach', 'unit'],
  priceVnd: ['gia ban', 'gia', 'don gia', 'gia vnd', 'price'],
} as const satisfies Record<ImportField, readonly string[]>;

export type { ImportField };
export type ColumnMapping = Partial<Record<ImportField, number>>;

const fieldsOf: Record<ImportKind, ImportField[]> = {
  producers: ['name', 'kind', 'representative', 'phone', 'taxCode', 'citizenId', 'commune', 'district', 'address', 'trainingDate'],
  products: ['productName', 'ocopGroup', 'ocopStars', 'certificateNo', 'certificateDate', 'unit', 'priceVnd', 'name', 'kind', 'representative', 'phone', 'taxCode', 'citizenId', 'commune', 'district', 'address'],
};
export const requiredFields: Record<ImportKind, ImportField[]> = { producers: ['name', 'commune'], products: ['productName', 'name', 'commune'] };

const lookup = new Map<string, ImportField>();
for (const [field, names] of Object.entries(synonyms) as [ImportField, readonly string[]][]) for (const n of names) lookup.set(n, field);

/** The field a header names, if any (loose: case, accents, punctuation, "(*)" marks ignored). */
export function fieldOfHeader(header: Cell): ImportField | undefined {
  if (header === null || header === undefined) return undefined;
  const key = normaliseName(String(header).replace(/\(.*?\)|\*/g, ' '));
  return lookup.get(key);
}

export type HeaderDetection = { headerRow: number; mapping: ColumnMapping; headers: string[] };

/** How many rows from the top may hold the header row (titles and merged group headers come above it). */
export const HEADER_SEARCH_ROWS = 15;

/**
 * Finds the header row (the one of the first {@link HEADER_SEARCH_ROWS} that names most fields; with merged group
 * headers above it, the lower row wins) and maps each known field to its column.
 */
export function detectColumns(grid: Grid, kind: ImportKind): HeaderDetection {
  let best: HeaderDetection = { headerRow: 0, mapping: {}, headers: [] };
  let bestScore = 0;
  for (let r = 0; r < Math.min(HEADER_SEARCH_ROWS, grid.length); r++) {
    const row = grid[r] ?? [];
    const mapping: ColumnMapping = {};
    row.forEach((cell, c) => {
      const field = fieldOfHeader(cell);
      if (field && fieldsOf[kind].includes(field) && mapping[field] === undefined) mapping[field] = c;
    });
    const score = Object.keys(mapping).length;
    if (score >= bestScore && score > 0) {
      best = { headerRow: r, mapping, headers: row.map((c) => (c === null ? '' : String(c))) };
      bestScore = score;
    }
  }
  return best;
}
