import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, readCsv, readXlsx, SpreadsheetError } from '#functions/imports/spreadsheet-reader.ts';

const parts = () => ({
  'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
  'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
});

/** A minimal XLSX whose only sheet is `sheetData` (+ `extra` after it, e.g. merged cells). */
function xlsx(sheetData: string, extra = ''): Uint8Array {
  return zipSync({ ...parts(), 'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${sheetData}</sheetData>${extra}</worksheet>`) });
}
const colName = (i: number): string => (i < 26 ? String.fromCharCode(65 + i) : colName(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));
const row = (r: number, ...cells: string[]) => `<row r="${r}">${cells.map((v, i) => `<c r="${String.fromCharCode(65 + i)}${r}" t="inlineStr"><is><t>${v}</t></is></c>`).join('')}</row>`;

describe('spreadsheet reader limits (a few hundred bytes must not take the process down)', () => {
  it('refuses a sheet that addresses a row past the limit, before building it', () => {
    const file = xlsx(`${row(1, 'Tên')}<row r="1048576"><c r="A1048576"><v>1</v></c></row>`, '<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>');
    expect(file.length).toBeLessThan(1000);
    expect(() => readXlsx(file)).toThrow(SpreadsheetError);
    expect(() => readXlsx(file)).toThrow(new RegExp(`past row ${MAX_ROWS}`));
  });

  it('fills a sheet-wide merged area only over the rows and columns that have cells', () => {
    const grid = readXlsx(xlsx(`${row(1, 'Tiêu đề')}${row(2, 'Tên', 'SĐT')}${row(3, 'Hộ A', '0912345678')}`, '<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>'));
    expect(grid).toEqual([
      ['Tiêu đề', 'Tiêu đề'],
      ['Tiêu đề', 'Tiêu đề'],
      ['Tiêu đề', 'Tiêu đề'],
    ]);
  });

  it('refuses merged areas that would fill more cells than an import can take', () => {
    const wide = Array.from({ length: MAX_COLUMNS }, (_, i) => `<c r="${colName(i)}1"><v>1</v></c>`).join('');
    const file = xlsx(`<row r="1">${wide}</row><row r="${MAX_ROWS - 1}"><c r="A${MAX_ROWS - 1}"><v>2</v></c></row>`, `<mergeCells><mergeCell ref="A1:IV${MAX_ROWS - 1}"/></mergeCells>`);
    expect(file.length).toBeLessThan(20_000);
    expect(() => readXlsx(file)).toThrow(/merges more cells/);
  });

  it('ignores cells beyond the last column an import can use', () => {
    const grid = readXlsx(xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></c><c r="XFD1"><v>7</v></c></row>'));
    expect(grid).toEqual([['Tên']]);
  });

  it('refuses a workbook whose parts unpack to more than the limit', () => {
    const big = zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(300 * 1024 * 1024) }, { level: 9 });
    expect(big.length).toBeLessThan(1024 * 1024);
    expect(() => readXlsx(big)).toThrow(/unpacks to more than/);
  });

  it('refuses a sheet whose rows are never closed, without rescanning the rest of the sheet for each of them', () => {
    const file = zipSync({ ...parts(), 'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${'<row>'.repeat(1_000_000)}</sheetData></worksheet>`) }, { level: 9 });
    expect(file.length).toBeLessThan(20_000);
    expect(() => readXlsx(file)).toThrow(SpreadsheetError);
    expect(() => readXlsx(file)).toThrow(/<row> element without its <\/row>/);
  });

  it('refuses unclosed cells, values and text runs the same way', () => {
    expect(() => readXlsx(xlsx(`<row r="1">${'<c r="A1">'.repeat(100_000)}</row>`))).toThrow(/<c> element without/);
    expect(() => readXlsx(xlsx(`<row r="1"><c r="A1"><v>1</c></row>`))).toThrow(/<v> element without/);
    expect(() => readXlsx(xlsx(`<row r="1"><c r="A1" t="inlineStr"><is>${'<t>'.repeat(100_000)}</is></c></row>`))).toThrow(/<t> element without/);
  });

  it('refuses a cell longer than Excel allows, and reads one at the limit', () => {
    const cell = (n: number) => xlsx(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'a'.repeat(n)}</t></is></c></row>`);
    expect(readXlsx(cell(MAX_CELL_CHARS))[0]![0]).toHaveLength(MAX_CELL_CHARS);
    expect(() => readXlsx(cell(MAX_CELL_CHARS + 1))).toThrow(/more than 32,767 characters/);
    expect(() => readCsv(strToU8(`Tên\n${'a'.repeat(MAX_CELL_CHARS + 1)}\n`))).toThrow(SpreadsheetError);
  });

  it('still tells <c> from <col> and <row> from <rowBreaks>, and reads shared strings and merged areas', () => {
    const file = zipSync({
      ...parts(),
      'xl/sharedStrings.xml': strToU8('<sst><si><t>Tên</t></si><si><r><t xml:space="preserve">Hộ </t></r><r><t>A &amp; B</t></r></si></sst>'),
      'xl/worksheets/sheet1.xml': strToU8('<worksheet><cols><col min="1" max="2"/></cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/></row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>5</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="B1:B1"/></mergeCells><rowBreaks count="0"/></worksheet>'),
    });
    expect(readXlsx(file)).toEqual([
      ['Tên', null],
      ['Hộ A & B', 5],
    ]);
  });
});
