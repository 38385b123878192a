import { strToU8, zipSync } from 'fflate';
import { csvDocument, formulaLike, type Cell } from '#shared/csv.ts';

/** A table to export: headers, rows of cells, and lines written above the table (title, as-of date). */
export type Table = { title: string; preamble: string[]; headers: string[]; rows: Cell[][]; footer?: Cell[] };

/** CSV in UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly; CRLF line ends; the preamble above the table. */
export function toCsv(t: Table): Uint8Array {
  return strToU8(csvDocument([...t.preamble.map((p) => [p]), [], t.headers, ...t.rows, ...(t.footer ? [t.footer] : [])]));
}

const xmlEscape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

function columnName(i: number): string {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Cell styles (`cellXfs` of styles.xml): plain and bold, each also with the quote prefix. */
const STYLE = { plain: 0, bold: 1, plainQuoted: 2, boldQuoted: 3 } as const;

/**
 * One row. Text goes in as a string cell, which no spreadsheet runs as a formula; a formula-like
 * one also gets the quote-prefix style — the hidden apostrophe Excel itself records for text typed
 * as 'text — so it stays text when someone edits the cell, and shows without an apostrophe.
 */
function sheetRow(index: number, cells: Cell[], bold = false): string {
  const xml = cells
    .map((v, i) => {
      const ref = `${columnName(i)}${index}`;
      const style = (quoted: boolean) => {
        const n = bold ? (quoted ? STYLE.boldQuoted : STYLE.bold) : quoted ? STYLE.plainQuoted : STYLE.plain;
        return n ? ` s="${n}"` : '';
      };
      if (v === null || v === undefined || v === '') return '';
      if (typeof v === 'number' && Number.isFinite(v)) return `<c r="${ref}"${style(false)}><v>${v}</v></c>`;
      const text = String(v);
      return `<c r="${ref}" t="inlineStr"${style(formulaLike(text))}><is><t xml:space="preserve">${xmlEscape(text)}</t></is></c>`;
    })
    .join('');
  return `<row r="${index}">${xml}</row>`;
}

/** A one-sheet XLSX workbook (Office Open XML), header and totals rows in bold, header row frozen. */
export function toXlsx(t: Table): Uint8Array {
  let r = 0;
  const rows: string[] = [];
  for (const p of t.preamble) rows.push(sheetRow(++r, [p]));
  r += 1;
  const headerRow = r + 1;
  rows.push(sheetRow(++r, t.headers, true));
  for (const row of t.rows) rows.push(sheetRow(++r, row));
  if (t.footer) rows.push(sheetRow(++r, t.footer, true));
  const widths = t.headers.map((h, i) => Math.min(60, Math.max(h.length, ...t.rows.slice(0, 500).map((row) => String(row[i] ?? '').length)) + 2));
  const sheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="${headerRow}" topLeftCell="A${headerRow + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols><sheetData>${rows.join('')}</sheetData></worksheet>`;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`),
    '_rels/.rels': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    'xl/workbook.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlEscape(t.title.slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`),
    'xl/styles.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="4"><xf fontId="0"/><xf fontId="1" applyFont="1"/><xf fontId="0" quotePrefix="1"/><xf fontId="1" applyFont="1" quotePrefix="1"/></cellXfs></styleSheet>`),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
  };
  return zipSync(files, { level: 6 });
}
