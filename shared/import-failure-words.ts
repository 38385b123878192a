import type { ImportFailureCode } from './errors.ts';
import { importFieldLabels } from './import-fields.ts';
import type { ImportFailure } from './schemas/common.ts';

type Lang = 'vi' | 'en';

// Numbers as on every screen, the same in both languages (DESIGN §2): 1.250.000.
const number = (n: number | undefined) => (n ?? 0).toLocaleString('vi-VN');
const megabytes = (bytes: number | undefined) => ((bytes ?? 0) / 1024 / 1024).toLocaleString('vi-VN', { maximumFractionDigits: 1 });
const columns = (lang: Lang, f: ImportFailure) => (f.fields ?? []).map((field) => `“${importFieldLabels[lang][field] ?? field}”`).join(', ');

/**
 * Words for why an import could not take its file or stopped (`failure` of a failed import and of
 * the import routes' problems, and the web app's own checks before sending): what happened and
 * what to do, from the figures the failure carries.
 */
export const importFailureWords: Record<Lang, Record<ImportFailureCode, (f: ImportFailure) => string>> = {
  vi: {
    no_file: () => 'Máy chủ chưa nhận được tệp. Hãy gửi lại tệp.',
    empty_file: (f) => (f.bytes === 0 ? 'Tệp này trống (0 byte). Hãy chọn đúng tệp danh sách.' : 'Tệp này không có ô nào có dữ liệu. Hãy chọn đúng tệp danh sách.'),
    too_large: (f) => `${f.bytes ? `Tệp nặng ${megabytes(f.bytes)} MB, quá` : 'Tệp vượt quá'} giới hạn ${megabytes(f.limit)} MB. Hãy tách danh sách thành nhiều tệp nhỏ hơn.`,
    larger_than_declared: () => 'Tệp máy chủ nhận được lớn hơn tệp đã chọn lúc bắt đầu (có thể tệp bị sửa trong khi gửi). Hãy nhập lại tệp.',
    smaller_than_declared: () => 'Tệp máy chủ nhận được nhỏ hơn tệp đã chọn lúc bắt đầu (có thể tệp bị sửa hoặc chưa gửi hết). Hãy nhập lại tệp.',
    wrong_type: () => 'Chỉ nhận tệp .xlsx hoặc .csv (UTF-8). Tệp .xls cũ: mở bằng Excel rồi chọn “Lưu thành” .xlsx.',
    unknown_encoding: () => 'Tệp CSV không ở bảng mã UTF-8 hay Windows-1258 nên không đọc đúng được chữ tiếng Việt. Hãy mở tệp bằng Excel và chọn “Lưu thành” CSV UTF-8 (hoặc .xlsx) rồi nhập lại.',
    damaged_workbook: () => 'Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx. Hãy mở tệp bằng Excel, lưu lại thành .xlsx rồi nhập lại.',
    no_worksheet: () => 'Tệp không có trang tính Excel nào. Tệp .ods hoặc tệp khác: mở rồi chọn “Lưu thành” .xlsx.',
    unpacks_too_large: (f) => `Tệp Excel khi giải nén lớn hơn ${megabytes(f.limit)} MB, quá lớn để nhập. Hãy tách danh sách thành nhiều tệp nhỏ hơn.`,
    cell_too_long: (f) => `Có ô chứa hơn ${number(f.limit)} ký tự (giới hạn của Excel). Hãy sửa ô đó rồi nhập lại.`,
    too_many_rows: (f) => `${f.rows ? `Tệp có ${number(f.rows)} dòng;` : 'Tệp quá dài;'} mỗi lần nhập tối đa ${number(f.limit)} dòng. Hãy tách tệp.`,
    too_many_merged_cells: () => 'Trang tính có quá nhiều ô được gộp (merge). Hãy bỏ gộp ô trong phần danh sách rồi nhập lại.',
    no_header_row: (f) => `Không tìm thấy dòng tên cột trong ${number(f.limit)} dòng đầu của tệp. Tệp cần có các cột ${columns('vi', f)}.`,
    missing_columns: (f) => `Tệp không có cột: ${columns('vi', f)}. Hãy thêm hoặc đặt lại tên cột rồi nhập lại.`,
    unreadable: () => 'Không đọc được tệp. Hãy kiểm tra lại tệp (.xlsx hoặc .csv) rồi nhập lại.',
    file_not_stored: () => 'Máy chủ chưa lưu được tệp. Hãy gửi lại tệp.',
    file_not_accepted: () => 'Lần nhập này không nhận tệp nữa (đang hoặc đã ghi dữ liệu). Hãy bắt đầu một lần nhập mới cho tệp khác.',
    check_interrupted: () => 'Việc kiểm tra tệp bị gián đoạn vì máy chủ đang bận. Hãy nhập lại tệp sau ít phút.',
    commit_stopped: () => 'Việc ghi bị dừng giữa chừng. Các dòng đã ghi vẫn giữ nguyên; bấm “Tiếp tục nhập” để ghi nốt (không dòng nào bị ghi hai lần).',
  },
  en: {
    no_file: () => 'The server did not receive the file. Send it again.',
    empty_file: (f) => (f.bytes === 0 ? 'This file is empty (0 bytes). Choose the right list file.' : 'No cell of this file holds anything. Choose the right list file.'),
    too_large: (f) => `${f.bytes ? `The file is ${megabytes(f.bytes)} MB, over` : 'The file is over'} the ${megabytes(f.limit)} MB limit. Split the list into smaller files.`,
    larger_than_declared: () => 'The file the server received is larger than the one chosen at the start (it may have changed while being sent). Import it again.',
    smaller_than_declared: () => 'The file the server received is smaller than the one chosen at the start (it may have changed, or not been sent in full). Import it again.',
    wrong_type: () => 'Only .xlsx or .csv (UTF-8) files are accepted. An old .xls file: open it in Excel and “Save as” .xlsx.',
    unknown_encoding: () => 'The CSV file is neither UTF-8 nor Windows-1258 text, so its Vietnamese letters cannot be read. Open it in Excel, “Save as” CSV UTF-8 (or .xlsx) and import it again.',
    damaged_workbook: () => 'The Excel file is damaged or not a real .xlsx. Open it in Excel, save it again as .xlsx and import it again.',
    no_worksheet: () => 'The file has no Excel worksheet. An .ods or other file: open it and “Save as” .xlsx.',
    unpacks_too_large: (f) => `The Excel file unpacks to more than ${megabytes(f.limit)} MB, too large to import. Split the list into smaller files.`,
    cell_too_long: (f) => `A cell holds more than ${number(f.limit)} characters (Excel’s limit). Fix that cell and import again.`,
    too_many_rows: (f) => `${f.rows ? `The file has ${number(f.rows)} rows;` : 'The file is too long;'} an import takes at most ${number(f.limit)} rows. Split the file.`,
    too_many_merged_cells: () => 'The sheet merges too many cells. Unmerge the cells of the list and import again.',
    no_header_row: (f) => `No row naming the columns was found in the first ${number(f.limit)} rows. The file needs the columns ${columns('en', f)}.`,
    missing_columns: (f) => `The file has no column for: ${columns('en', f)}. Add or rename the columns, then import again.`,
    unreadable: () => 'The file could not be read. Check it (.xlsx or .csv) and import again.',
    file_not_stored: () => 'The server could not store the file. Send it again.',
    file_not_accepted: () => 'This import takes no more files (it is writing or has written rows). Start a new import for another file.',
    check_interrupted: () => 'Checking the file was interrupted because the server is busy. Import the file again in a few minutes.',
    commit_stopped: () => 'Writing stopped part-way. Rows already written stay written; press “Resume import” to finish (no row is written twice).',
  },
};
