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
