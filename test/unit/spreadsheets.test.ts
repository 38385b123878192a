import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { toCsv, toXlsx } from '#functions/exports/tabular.ts';
import { csvCell } from '#shared/csv.ts';

const table = { title: 't', preamble: ['Báo cáo'], headers: ['Tên', 'Số'], rows: [['=HYPERLINK("http://evil","Bấm")', -5], ['Xã Thiệu Hóa', 2], ['@cmd', null]], footer: ['-Tổng', 2] };

describe('CSV', () => {
  it('neutralises formula-like text with an apostrophe, quotes where needed, and leaves numbers alone', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('+84 912')).toBe("'+84 912");
    expect(csvCell('a; b')).toBe('"a; b"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });

  it('writes the preamble, a blank line, the table and its footer, with a BOM and CRLF', () => {
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(toCsv(table));
    expect(text).toBe(`\uFEFFBáo cáo\r\n\r\nTên,Số\r\n"'=HYPERLINK(""http://evil"",""Bấm"")",-5\r\nXã Thiệu Hóa,2\r\n'@cmd,\r\n'-Tổng,2\r\n`);
  });
});

describe('XLSX', () => {
  const parts = unzipSync(toXlsx(table));
  const sheet = strFromU8(parts['xl/worksheets/sheet1.xml']!);
  const styles = strFromU8(parts['xl/styles.xml']!);
  const cell = (ref: string) => sheet.match(new RegExp(`<c r="${ref}"[^>]*>.*?</c>`))?.[0];

  it('keeps formula-like text as it is, in a string cell with the quote-prefix style, so it shows and stays text', () => {
    const xf = [...styles.match(/<cellXfs[^>]*>(.*?)<\/cellXfs>/)![1]!.matchAll(/<xf[^>]*\/>/g)].map((m) => m[0]);
    const quoted = (ref: string) => xf[Number(cell(ref)!.match(/ s="(\d+)"/)?.[1] ?? 0)]!.includes('quotePrefix="1"');
    expect(cell('A4')).toContain('t="inlineStr"');
    expect(cell('A4')).toContain('<t xml:space="preserve">=HYPERLINK(&quot;http://evil&quot;,&quot;Bấm&quot;)</t>');
    expect(quoted('A4')).toBe(true);
    expect(quoted('A6')).toBe(true);
    // The footer is bold and quoted.
    expect(quoted('A7')).toBe(true);
    expect(xf[Number(cell('A7')!.match(/ s="(\d+)"/)![1])]).toContain('fontId="1"');
    // Ordinary text and numbers get no quote prefix.
    expect(cell('A5')).not.toContain(' s=');
    expect(cell('B4')).toBe('<c r="B4"><v>-5</v></c>');
    expect(sheet).not.toContain("'=HYPERLINK");
  });
});
