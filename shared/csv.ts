/**
 * Spreadsheet-safe CSV, one implementation for the API's exports and the web app's own
 * downloads (the dashboard's table).
 */

export type Cell = string | number | null | undefined;

/** A text cell a spreadsheet would take for a formula if typed: starts with = + - @, a tab or a carriage return. */
export const formulaLike = (value: string): boolean => /^[=+\-@\t\r]/.test(value);

/** Formula injection neutralised: a formula-like text gets an apostrophe in front, so Excel and LibreOffice show it as text. */
export const neutralise = (value: string): string => (formulaLike(value) ? `'${value}` : value);

/**
 * A CSV cell: numbers as they are; text neutralised, and quoted when it holds a quote, a comma,
 * a semicolon (the list separator of Excel in some locales) or a line break.
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = neutralise(value);
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document: a UTF-8 byte-order mark (so Excel reads Vietnamese correctly) and CRLF line ends. */
export const csvDocument = (lines: readonly (readonly Cell[])[]): string => `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
