import { strFromU8, unzipSync } from 'fflate';

export type Cell = string | number | null;
export type Grid = Cell[][];

export class SpreadsheetError extends Error {}

/**
 * Limits that keep a small hostile file from taking the process down: a ZIP whose parts inflate
 * past {@link MAX_UNZIPPED_BYTES}, a sheet addressing a row past {@link MAX_ROWS}, and cells or
 * merged areas beyond {@link MAX_COLUMNS} (ignored: no import needs that many columns). The
 * province's 66,816 producers fit with room to spare.
 */
export const MAX_ROWS = 200_000;
export const MAX_COLUMNS = 256;
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;
/** Cells merged areas may fill in all (a title row over 15 columns of 100,000 rows is 1.5 M). */
export const MAX_MERGED_CELLS = 2_000_000;

/** Reads the first sheet of an XLSX file, or a CSV file (UTF-8 with or without BOM; `,` `;` or tab), into rows of cells. */
export function readSpreadsheet(bytes: Uint8Array, format: 'xlsx' | 'csv'): Grid {
  return format === 'xlsx' ? readXlsx(bytes) : readCsv(bytes);
}

/** Which reader a file needs, by its first bytes (a ZIP is XLSX), never by its name alone. */
export function detectFormat(bytes: Uint8Array): 'xlsx' | 'csv' {
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? 'xlsx' : 'csv';
}

export function readCsv(bytes: Uint8Array): Grid {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const rows: Grid = [];
  let row: Cell[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field === '' ? null : field);
    field = '';
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
      } else field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) endField();
    else if (ch === '\n' || ch === '\r') {
      endField();
      rows.push(row);
      row = [];
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else field += ch;
    i += 1;
  }
  if (field !== '' || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

const decodeXml = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name, dec, hex) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]!,
  );

function colIndex(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)![0];
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** Text of an `<si>` or `<is>` element: the `<t>` runs joined (rich text included). */
const runsText = (xml: string) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => decodeXml(m[1]!)).join('');

export function readXlsx(bytes: Uint8Array): Grid {
  let files: Record<string, Uint8Array>;
  let unzipped = 0;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const wanted = f.name === 'xl/workbook.xml' || f.name === 'xl/sharedStrings.xml' || f.name.startsWith('xl/worksheets/sheet') || f.name === 'xl/_rels/workbook.xml.rels';
        if (wanted && (unzipped += f.originalSize) > MAX_UNZIPPED_BYTES) throw new SpreadsheetError(`The workbook unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`);
        return wanted;
      },
    });
  } catch (e) {
    if (e instanceof SpreadsheetError) throw e;
    throw new SpreadsheetError('The file is not a readable XLSX workbook');
  }
  const shared = files['xl/sharedStrings.xml'] ? [...strFromU8(files['xl/sharedStrings.xml']).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => runsText(m[1]!)) : [];
  const sheetPath = firstSheetPath(files);
  const sheetBytes = files[sheetPath];
  if (!sheetBytes) throw new SpreadsheetError('The workbook has no worksheet');
  const sheet = strFromU8(sheetBytes);
  const grid: Grid = [];
  for (const rowMatch of sheet.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const rowNumber = Number(/\br="(\d+)"/.exec(rowMatch[1]!)?.[1] ?? grid.length + 1);
    if (rowNumber > MAX_ROWS) throw new SpreadsheetError(`The sheet goes past row ${MAX_ROWS}; an import takes at most ${MAX_ROWS} rows`);
    const cells: Cell[] = [];
    for (const c of (rowMatch[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1]!;
      const ref = /\br="([A-Z]+\d+)"/.exec(attrs)?.[1];
      const type = /\bt="(\w+)"/.exec(attrs)?.[1];
      const inner = c[2] ?? '';
      const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
      let value: Cell = null;
      if (type === 's' && v !== undefined) value = shared[Number(v)] ?? null;
      else if (type === 'inlineStr') value = runsText(inner);
      else if (type === 'str' || type === 'e') value = v !== undefined ? decodeXml(v) : null;
      else if (type === 'b') value = v === '1' ? 'TRUE' : 'FALSE';
      else if (v !== undefined) value = Number(v);
      const col = ref ? colIndex(ref) : cells.length;
      if (col < MAX_COLUMNS) cells[col] = value === '' ? null : value;
    }
    grid[rowNumber - 1] = Array.from(cells, (x) => x ?? null);
  }
  let usedColumns = 0;
  for (let r = 0; r < grid.length; r++) usedColumns = Math.max(usedColumns, (grid[r] ??= []).length);
  let filled = 0;
  for (const m of sheet.matchAll(/<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/g)) {
    const [c1, r1] = [colIndex(m[1]!), Number(m[2]) - 1];
    // A merged area is filled only where the sheet has rows and columns with cells in them.
    const [c2, r2] = [Math.min(colIndex(m[3]!), usedColumns - 1, MAX_COLUMNS - 1), Math.min(Number(m[4]) - 1, grid.length - 1)];
    if ((filled += Math.max(0, r2 - r1 + 1) * Math.max(0, c2 - c1 + 1)) > MAX_MERGED_CELLS) throw new SpreadsheetError('The sheet merges more cells than an import can take');
    const value = grid[r1]?.[c1] ?? null;
    for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) if (grid[r]) grid[r]![c] = value;
  }
  return grid;
}

function firstSheetPath(files: Record<string, Uint8Array>): string {
  const workbook = files['xl/workbook.xml'] ? strFromU8(files['xl/workbook.xml']) : '';
  const rels = files['xl/_rels/workbook.xml.rels'] ? strFromU8(files['xl/_rels/workbook.xml.rels']) : '';
  const rid = /<sheet\b[^>]*\br:id="([^"]+)"/.exec(workbook)?.[1];
  const target = rid ? new RegExp(`<Relationship\\b[^>]*Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`<Relationship\\b[^>]*Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels)?.[1] : undefined;
  if (target) return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  return Object.keys(files).filter((f) => f.startsWith('xl/worksheets/sheet')).sort()[0] ?? 'xl/worksheets/sheet1.xml';
}
