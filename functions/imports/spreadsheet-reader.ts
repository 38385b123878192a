import { Inflate, strFromU8 } from 'fflate';
import type { ImportFailure } from '#shared/schemas/common.ts';

export type Cell = string | number | null;
export type Grid = Cell[][];

/** A file an import cannot take as a whole: `failure` says why in a code clients word, the message in English. */
export class SpreadsheetError extends Error {
  constructor(
    readonly failure: ImportFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SpreadsheetError';
  }
}

/**
 * Limits that keep a small hostile file from taking the process down: a ZIP whose parts inflate
 * past {@link MAX_UNZIPPED_BYTES}, a sheet addressing a row past {@link MAX_ROWS}, and cells or
 * merged areas beyond {@link MAX_COLUMNS} (ignored: no import needs that many columns), a cell
 * longer than {@link MAX_CELL_CHARS}; the XML is scanned in linear time, an unclosed element is
 * an error. The province's 66,816 producers fit with room to spare.
 */
export const MAX_ROWS = 200_000;
export const MAX_COLUMNS = 256;
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;
/** Cells merged areas may fill in all (a title row over 15 columns of 100,000 rows is 1.5 M). */
export const MAX_MERGED_CELLS = 2_000_000;
/** Characters a cell may hold: Excel's own limit. */
export const MAX_CELL_CHARS = 32_767;

/** A cell's text, refused past {@link MAX_CELL_CHARS}. */
function cellText(s: string): string {
  if (s.length > MAX_CELL_CHARS) throw new SpreadsheetError({ code: 'cell_too_long', limit: MAX_CELL_CHARS }, `A cell holds more than ${MAX_CELL_CHARS.toLocaleString('en')} characters, Excel's limit for a cell`);
  return s;
}

/** Reads the first sheet of an XLSX file, or a CSV file (UTF-8 with or without BOM, or Windows-1258; `,` `;` or tab), into rows of cells. */
export function readSpreadsheet(bytes: Uint8Array, format: 'xlsx' | 'csv'): Grid {
  return format === 'xlsx' ? readXlsx(bytes) : readCsv(bytes);
}

/** How far into a file to look for NUL bytes, which no text (CSV in UTF-8) holds. */
const TEXT_SNIFF_BYTES = 8192;

/**
 * Which reader a file needs, by its first bytes (a ZIP is XLSX, text is CSV), never by its name
 * alone; a file that is neither (an old .xls, a PDF, an image, UTF-16 text) is refused.
 */
export function detectFormat(bytes: Uint8Array): 'xlsx' | 'csv' {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'xlsx';
  if (bytes.subarray(0, TEXT_SNIFF_BYTES).includes(0)) throw new SpreadsheetError({ code: 'wrong_type' }, 'The file is neither an XLSX workbook nor CSV text (an old .xls, another kind of file, or UTF-16 text)');
  return 'csv';
}

/**
 * The text of a CSV file: UTF-8 (with or without BOM) decoded strictly; a file that is not
 * UTF-8 is taken as Windows-1258 (Vietnamese Windows; its tone marks are combining characters,
 * composed here) when every byte decodes to something a list holds, else refused. Decoding
 * UTF-8 leniently would put U+FFFD in names and import them.
 */
export function decodeCsv(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1258').decode(bytes).normalize('NFC');
    if (mostlyUtf8(bytes) || !plausibleLegacyText(text)) throw new SpreadsheetError({ code: 'unknown_encoding' }, 'The CSV file is neither UTF-8 nor Windows-1258 text; save it again as "CSV UTF-8"');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Whether most bytes past ASCII form UTF-8 sequences: a UTF-8 file damaged in places, not a legacy one. */
function mostlyUtf8(bytes: Uint8Array): boolean {
  let sequences = 0;
  let strays = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      sequences += 1;
      i += length - 1;
    } else strays += 1;
  }
  return sequences > strays;
}

/** Legacy text as a list holds it: no control characters but tab and line ends, no tone mark left without a letter to sit on. */
function plausibleLegacyText(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|(^|[^\p{L}])[\u0300\u0301\u0303\u0309\u0323]/u.test(text);
}

const BLANK_ROW: Cell[] = [];
/** How much of the first line tells which delimiter the file uses. */
const DELIMITER_SNIFF_CHARS = 64 * 1024;

/**
 * Reads CSV text (`,` `;` or tab, the one the first line uses most) with the XLSX reader's
 * limits, counted while parsing: more than {@link MAX_ROWS} rows (blank rows after the last
 * row with content are not counted) is refused, cells past {@link MAX_COLUMNS} are ignored,
 * a cell longer than {@link MAX_CELL_CHARS} is refused. Blank rows take no memory of their
 * own (one shared empty row), so a file of line breaks or delimiters stays small.
 */
export function readCsv(bytes: Uint8Array): Grid {
  const text = decodeCsv(bytes);
  const firstLine = text.slice(0, Math.min(text.indexOf('\n') >>> 0, DELIMITER_SNIFF_CHARS));
  const count = (d: string) => {
    let n = 0;
    for (let at = firstLine.indexOf(d); at >= 0; at = firstLine.indexOf(d, at + 1)) n += 1;
    return n;
  };
  const delimiter = [',', ';', '\t'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const rows: Grid = [];
  /** Blank rows seen since the last row with content: stored only once a row with content follows. */
  let pendingBlank = 0;
  let row: Cell[] = [];
  let filled = false;
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    if (field.length > MAX_CELL_CHARS) cellText(field);
    if (row.length < MAX_COLUMNS) {
      row.push(field === '' ? null : field);
      if (!filled && field.trim() !== '') filled = true;
    }
    field = '';
  };
  const endRow = () => {
    if (!filled) pendingBlank += 1;
    else {
      if (rows.length + pendingBlank + 1 > MAX_ROWS) throw new SpreadsheetError({ code: 'too_many_rows', limit: MAX_ROWS }, `The file goes past row ${MAX_ROWS}; an import takes at most ${MAX_ROWS} rows`);
      for (; pendingBlank > 0; pendingBlank--) rows.push(BLANK_ROW);
      rows.push(row);
    }
    row = [];
    filled = false;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
        if (field.length > MAX_CELL_CHARS) cellText(field);
      }
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) endField();
    else if (ch === '\n' || ch === '\r') {
      endField();
      endRow();
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else {
      field += ch;
      if (field.length > MAX_CELL_CHARS) cellText(field);
    }
    i += 1;
  }
  if (field !== '' || row.length) {
    endField();
    endRow();
  }
  return rows;
}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const codePoint = (n: number) => (n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD');
const decodeXml = (s: string) => s.replace(/&(lt|gt|amp|quot|apos|#(\d{1,8})|#x([0-9a-fA-F]{1,8}));/g, (_, name, dec, hex) => (dec ? codePoint(Number(dec)) : hex ? codePoint(parseInt(hex, 16)) : entities[name]!));

function colIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)![0];
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

const isNameEnd = (code: number) => code === 0x3e || code === 0x2f || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/**
 * The `<tag …>` elements of `xml` in order: their attribute text and, unless they close
 * themselves, their content. Found by plain index scans, so the work is linear in the text
 * whatever it holds (patterns like `<row>([\s\S]*?)</row>` rescan the rest of the text for
 * every unclosed tag). An element without its closing tag ends the part with an error.
 */
function* elements(xml: string, tag: string): Generator<{ attrs: string; inner?: string }> {
  const open = `<${tag}`;
  const close = `</${tag}>`;
  for (let at = xml.indexOf(open); at >= 0; at = xml.indexOf(open, at)) {
    const nameEnd = at + open.length;
    // `<c` is not `<col`: the name ends at a space, `>` or `/`.
    if (!isNameEnd(xml.charCodeAt(nameEnd))) {
      at = nameEnd;
      continue;
    }
    const gt = xml.indexOf('>', nameEnd);
    if (gt < 0) throw new SpreadsheetError({ code: 'damaged_workbook' }, `The workbook has a <${tag}> tag that never ends`);
    if (xml.charCodeAt(gt - 1) === 0x2f) {
      yield { attrs: xml.slice(nameEnd, gt - 1) };
      at = gt + 1;
      continue;
    }
    const end = xml.indexOf(close, gt + 1);
    if (end < 0) throw new SpreadsheetError({ code: 'damaged_workbook' }, `The workbook has a <${tag}> element without its </${tag}>`);
    yield { attrs: xml.slice(nameEnd, gt), inner: xml.slice(gt + 1, end) };
    at = end + close.length;
  }
}

/** The value of attribute `name` (double-quoted) in an element's attribute text. */
function attr(attrs: string, name: string): string | undefined {
  const needle = `${name}="`;
  for (let at = attrs.indexOf(needle); at >= 0; at = attrs.indexOf(needle, at + 1)) {
    if (at > 0 && !isNameEnd(attrs.charCodeAt(at - 1))) continue;
    const end = attrs.indexOf('"', at + needle.length);
    return end < 0 ? undefined : attrs.slice(at + needle.length, end);
  }
  return undefined;
}

const firstOf = (xml: string, tag: string) => elements(xml, tag).next().value;

/** Text of an `<si>` or `<is>` element: the `<t>` runs joined (rich text included). */
const runsText = (xml: string) => cellText([...elements(xml, 't')].map((t) => decodeXml(t.inner ?? '')).join(''));

/** The parts of a workbook the reader needs. */
const wantedPart = (name: string) => name === 'xl/workbook.xml' || name === 'xl/sharedStrings.xml' || name.startsWith('xl/worksheets/sheet') || name === 'xl/_rels/workbook.xml.rels';

/** Compressed bytes handed to the inflater at a time: its output per step stays small (deflate expands at most about 1,032×). */
const INFLATE_SLICE_BYTES = 16 * 1024;

const unpacksTooLarge = () => new SpreadsheetError({ code: 'unpacks_too_large', limit: MAX_UNZIPPED_BYTES }, `The workbook unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`);
const damaged = () => new SpreadsheetError({ code: 'damaged_workbook' }, 'The file is not a readable XLSX workbook');

/**
 * The wanted parts of a ZIP, read from its central directory and inflated a slice at a time,
 * counting the bytes that actually come out: an entry whose header understates its size (a
 * decompression bomb that lies) stops at {@link MAX_UNZIPPED_BYTES} like one that does not.
 */
export function unzipParts(bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : damagedAt());
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : damagedAt());
  const damagedAt = (): never => {
    throw damaged();
  };
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw damaged();
  const entries = u16(eocd + 10);
  let at = u32(eocd + 16);
  const parts: { name: string; method: number; data: number; compressed: number }[] = [];
  let declared = 0;
  for (let i = 0; i < entries; i++) {
    if (u32(at) !== 0x02014b50) throw damaged();
    const method = u16(at + 10);
    let compressed = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    let local = u32(at + 42);
    if (at + 46 + nameLength > bytes.length) throw damaged();
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64: the sizes or offset that do not fit 32 bits are in the extra field, in this order.
    if (size === 0xffffffff || compressed === 0xffffffff || local === 0xffffffff) {
      for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; x += 4 + u16(x + 2)) {
        if (u16(x) !== 1) continue;
        let f = x + 4;
        const u64 = () => {
          const n = u32(f) + u32(f + 4) * 2 ** 32;
          f += 8;
          return n;
        };
        if (size === 0xffffffff) size = u64();
        if (compressed === 0xffffffff) compressed = u64();
        if (local === 0xffffffff) local = u64();
        break;
      }
    }
    at += 46 + nameLength + extraLength + u16(at + 32);
    if (!wanted(name)) continue;
    if ((declared += size) > MAX_UNZIPPED_BYTES) throw unpacksTooLarge();
    if (u32(local) !== 0x04034b50) throw damaged();
    const data = local + 30 + u16(local + 26) + u16(local + 28);
    if (data + compressed > bytes.length || (method !== 0 && method !== 8)) throw damaged();
    parts.push({ name, method, data, compressed });
  }
  const files: Record<string, Uint8Array> = {};
  let unpacked = 0;
  for (const part of parts) {
    const raw = bytes.subarray(part.data, part.data + part.compressed);
    if (part.method === 0) {
      if ((unpacked += raw.length) > MAX_UNZIPPED_BYTES) throw unpacksTooLarge();
      files[part.name] = raw;
      continue;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    let ended = false;
    const inflater = new Inflate((chunk, final) => {
      size += chunk.length;
      if ((unpacked += chunk.length) > MAX_UNZIPPED_BYTES) throw unpacksTooLarge();
      chunks.push(chunk);
      if (final) ended = true;
    });
    try {
      for (let from = 0; from < raw.length; from += INFLATE_SLICE_BYTES) inflater.push(raw.subarray(from, from + INFLATE_SLICE_BYTES), from + INFLATE_SLICE_BYTES >= raw.length);
      if (raw.length === 0) inflater.push(raw, true);
    } catch (e) {
      if (e instanceof SpreadsheetError) throw e;
      throw damaged();
    }
    if (!ended) throw damaged();
    const out = new Uint8Array(size);
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    files[part.name] = out;
  }
  return files;
}

export function readXlsx(bytes: Uint8Array): Grid {
  const files = unzipParts(bytes, wantedPart);
  const shared = files['xl/sharedStrings.xml'] ? [...elements(strFromU8(files['xl/sharedStrings.xml']), 'si')].map((si) => runsText(si.inner ?? '')) : [];
  const sheetPath = firstSheetPath(files);
  const sheetBytes = files[sheetPath];
  if (!sheetBytes) throw new SpreadsheetError({ code: 'no_worksheet' }, 'The workbook has no worksheet');
  const sheet = strFromU8(sheetBytes);
  const grid: Grid = [];
  for (const rowElement of elements(sheet, 'row')) {
    const r = attr(rowElement.attrs, 'r');
    const rowNumber = r !== undefined && /^\d+$/.test(r) ? Number(r) : grid.length + 1;
    if (rowNumber > MAX_ROWS) throw new SpreadsheetError({ code: 'too_many_rows', limit: MAX_ROWS }, `The sheet goes past row ${MAX_ROWS}; an import takes at most ${MAX_ROWS} rows`);
    const cells: Cell[] = [];
    for (const c of elements(rowElement.inner ?? '', 'c')) {
      const ref = attr(c.attrs, 'r');
      const type = attr(c.attrs, 't');
      const inner = c.inner ?? '';
      const v = inner ? firstOf(inner, 'v')?.inner : undefined;
      let value: Cell = null;
      if (type === 's' && v !== undefined) value = shared[Number(v)] ?? null;
      else if (type === 'inlineStr') value = runsText(inner);
      else if (type === 'str' || type === 'e') value = v !== undefined ? cellText(decodeXml(v)) : null;
      else if (type === 'b') value = v === '1' ? 'TRUE' : 'FALSE';
      else if (v !== undefined) value = Number(v);
      const col = ref !== undefined && /^[A-Z]+\d+$/.test(ref) ? colIndex(ref) : cells.length;
      if (col < MAX_COLUMNS) cells[col] = value === '' ? null : value;
    }
    grid[rowNumber - 1] = Array.from(cells, (x) => x ?? null);
  }
  let usedColumns = 0;
  for (let r = 0; r < grid.length; r++) usedColumns = Math.max(usedColumns, (grid[r] ??= []).length);
  let filled = 0;
  for (const merge of elements(sheet, 'mergeCell')) {
    const m = /^([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})$/.exec(attr(merge.attrs, 'ref') ?? '');
    if (!m) continue;
    const [c1, r1] = [colIndex(m[1]!), Number(m[2]) - 1];
    // A merged area is filled only where the sheet has rows and columns with cells in them.
    const [c2, r2] = [Math.min(colIndex(m[3]!), usedColumns - 1, MAX_COLUMNS - 1), Math.min(Number(m[4]) - 1, grid.length - 1)];
    if ((filled += Math.max(0, r2 - r1 + 1) * Math.max(0, c2 - c1 + 1)) > MAX_MERGED_CELLS) throw new SpreadsheetError({ code: 'too_many_merged_cells', limit: MAX_MERGED_CELLS }, 'The sheet merges more cells than an import can take');
    const value = grid[r1]?.[c1] ?? null;
    for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) if (grid[r]) grid[r]![c] = value;
  }
  return grid;
}

function firstSheetPath(files: Record<string, Uint8Array>): string {
  const workbook = files['xl/workbook.xml'] ? strFromU8(files['xl/workbook.xml']) : '';
  const rels = files['xl/_rels/workbook.xml.rels'] ? strFromU8(files['xl/_rels/workbook.xml.rels']) : '';
  const sheet = firstOf(workbook, 'sheet');
  const rid = sheet && attr(sheet.attrs, 'r:id');
  const target = rid ? [...elements(rels, 'Relationship')].map((rel) => rel.attrs).find((a) => attr(a, 'Id') === rid) : undefined;
  const path = target && attr(target, 'Target');
  if (path) return path.startsWith('/') ? path.slice(1) : `xl/${path}`;
  return Object.keys(files).filter((f) => f.startsWith('xl/worksheets/sheet')).sort()[0] ?? 'xl/worksheets/sheet1.xml';
}
