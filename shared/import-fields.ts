/** The fields a row of an import file can fill (functions/imports/import-columns.ts names their headers). */
export const importFields = ['name', 'kind', 'representative', 'phone', 'taxCode', 'citizenId', 'commune', 'district', 'address', 'trainingDate', 'productName', 'ocopGroup', 'ocopStars', 'certificateNo', 'certificateDate', 'unit', 'priceVnd'] as const;
export type ImportField = (typeof importFields)[number];

/** What each field is called, for the rows an import could not take (the web app and the errors file). */
export const importFieldLabels: Record<'vi' | 'en', Record<ImportField, string>> = {
  vi: {
    name: 'Tên chủ thể',
    kind: 'Loại hình',
    representative: 'Người đại diện',
    phone: 'Số điện thoại',
    taxCode: 'Mã số thuế',
    citizenId: 'CCCD',
    commune: 'Xã/Phường',
    district: 'Huyện',
    address: 'Địa chỉ',
    trainingDate: 'Ngày tập huấn',
    productName: 'Tên sản phẩm',
    ocopGroup: 'Nhóm sản phẩm',
    ocopStars: 'Hạng sao',
    certificateNo: 'Số quyết định',
    certificateDate: 'Ngày quyết định',
    unit: 'Đơn vị tính',
    priceVnd: 'Giá bán',
  },
  en: {
    name: 'Producer name',
    kind: 'Kind',
    representative: 'Representative',
    phone: 'Phone',
    taxCode: 'Tax code',
    citizenId: 'Citizen ID',
    commune: 'Commune',
    district: 'District',
    address: 'Address',
    trainingDate: 'Training date',
    productName: 'Product name',
    ocopGroup: 'Product group',
    ocopStars: 'Stars',
    certificateNo: 'Decision number',
    certificateDate: 'Decision date',
    unit: 'Unit',
    priceVnd: 'Price',
  },
};

/**
 * A row's field errors as lines for people, in `lang`: fields that broke the same rule share one
 * line ("Số quyết định, Ngày quyết định: …") rather than saying the same sentence twice. Rows
 * stored before errors were worded in Vietnamese have only `message`.
 */
export function rowErrorLines(errors: readonly { field: string; message: string; vi?: string }[], lang: 'vi' | 'en'): string[] {
  const byWords = new Map<string, string[]>();
  for (const e of errors) {
    const words = lang === 'vi' ? (e.vi ?? e.message) : e.message;
    byWords.set(words, [...(byWords.get(words) ?? []), importFieldLabels[lang][e.field as ImportField] ?? e.field]);
  }
  return [...byWords].map(([words, fields]) => `${[...new Set(fields)].join(', ')}: ${words}`);
}
