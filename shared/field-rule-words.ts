import type { FieldRule } from './errors.ts';

/**
 * Words for the rule a field broke (`errors[].rule` of the API's validation problems): the web
 * app shows them beside the field, the server uses the Vietnamese ones where it writes for
 * people (the rows an import could not take).
 */
export const fieldRuleWords: Record<'vi' | 'en', Record<FieldRule, (limit: number) => string>> = {
  vi: {
    required: () => 'Bắt buộc.',
    too_long: (n: number) => `Tối đa ${n} ký tự.`,
    too_short: (n: number) => `Ít nhất ${n} ký tự.`,
    too_big: (n: number) => `Tối đa ${n.toLocaleString('vi-VN')}.`,
    too_small: (n: number) => `Ít nhất ${n.toLocaleString('vi-VN')}.`,
    format: () => 'Sai định dạng.',
    type: () => 'Sai kiểu giá trị.',
    choice: () => 'Giá trị không có trong danh sách.',
    unknown_field: () => 'Trường này không được nhận.',
    certificate_required: () => 'Sản phẩm đã xếp hạng OCOP cần số và ngày quyết định công nhận.',
    certificate_only_when_rated: () => 'Sản phẩm chưa xếp hạng OCOP thì không có quyết định công nhận: hãy chọn số sao, hoặc để trống số và ngày quyết định.',
    officer_needs_communes: () => 'Cán bộ cần được giao ít nhất một xã/phường.',
    communes_only_for_officers: () => 'Chỉ cán bộ xã mới được giao xã/phường.',
    cooperative_needs_producer: () => 'Tài khoản HTX cần gắn với một chủ thể.',
    producer_only_for_cooperatives: () => 'Chỉ tài khoản HTX mới gắn với chủ thể.',
    duplicate_target: () => 'Trùng với một chỉ tiêu khác (cùng chỉ tiêu, sàn, phạm vi và hạn).',
    too_many_changes: (n: number) => `Mỗi lần lưu chỉ thêm, sửa hoặc xoá được tối đa ${n} mục; hãy lưu làm nhiều lần.`,
    nothing_to_change: () => 'Không có gì để thay đổi.',
    version_required: () => 'Thiếu phiên bản của bản ghi; hãy tải lại rồi sửa.',
    name_needs_letter: () => 'Tên cần có ít nhất một chữ cái hoặc chữ số.',
    date_too_early: () => 'Ngày phải từ 01/01/2000 trở đi.',
    date_in_future: () => 'Ngày chưa đến: muộn nhất là hôm nay.',
  },
  en: {
    required: () => 'Required.',
    too_long: (n: number) => `At most ${n} characters.`,
    too_short: (n: number) => `At least ${n} characters.`,
    too_big: (n: number) => `At most ${n.toLocaleString('en')}.`,
    too_small: (n: number) => `At least ${n.toLocaleString('en')}.`,
    format: () => 'Wrong format.',
    type: () => 'Wrong kind of value.',
    choice: () => 'Not one of the allowed values.',
    unknown_field: () => 'This field is not accepted.',
    certificate_required: () => 'An OCOP-rated product needs its certificate number and decision date.',
    certificate_only_when_rated: () => 'A product without an OCOP rating has no certificate: choose its stars, or leave the certificate number and date blank.',
    officer_needs_communes: () => 'An officer needs at least one commune.',
    communes_only_for_officers: () => 'Only officers are given communes.',
    cooperative_needs_producer: () => 'A cooperative account needs its producer.',
    producer_only_for_cooperatives: () => 'Only cooperative accounts have a producer.',
    duplicate_target: () => 'The same as another target (same indicator, marketplace, scope and date).',
    too_many_changes: (n: number) => `One save can add, change or remove at most ${n}; save in several steps.`,
    nothing_to_change: () => 'Nothing to change.',
    version_required: () => 'The version of the record is missing; reload, then edit.',
    name_needs_letter: () => 'The name needs at least one letter or digit.',
    date_too_early: () => 'The date must be 01/01/2000 or later.',
    date_in_future: () => 'That date has not come yet: today at the latest.',
  },
};

/**
 * What a number field looks like, for a value in the wrong format (rule `format`): more use to the
 * person fixing a spreadsheet row than "wrong format".
 */
export const fieldFormatWords: Record<'vi' | 'en', Record<'phone' | 'taxCode' | 'citizenId', string>> = {
  vi: {
    phone: 'Cần số điện thoại Việt Nam: 10 chữ số (di động, ví dụ 0912345678) hoặc 11 (cố định).',
    taxCode: 'Cần mã số thuế 10 hoặc 13 chữ số.',
    citizenId: 'Cần số CCCD 12 chữ số, hoặc CMND 9 chữ số.',
  },
  en: {
    phone: 'A Vietnamese phone number: 10 digits (mobile, e.g. 0912345678) or 11 (landline).',
    taxCode: 'A tax code of 10 or 13 digits.',
    citizenId: 'A citizen ID of 12 digits, or an old ID card of 9.',
  },
};
