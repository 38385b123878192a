/** Formats used on every screen, the same in both languages (DESIGN §2): dd/mm/yyyy and `1.250.000 ₫`. */
import { percentText, roundToTenth } from '#shared/coverage-rules.ts';

const money = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 });
const number = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });

/** `1250000` → `1.250.000 ₫` (Intl vi-VN; the space before ₫ is a no-break space). */
export function formatMoney(vnd: number | null | undefined): string {
  return vnd === null || vnd === undefined ? '—' : money.format(vnd);
}

/** `1250000` → `1.250.000`. */
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : number.format(n);
}

/**
 * A share in percent, rounded to one decimal — `33,3%`, `41,7%`, `50%` — yet reading 100% only once
 * the whole is reached (9.996 of 10.000 is `99,9%`); `—` when the denominator is 0. The exports write
 * shares with the same function (`percentText`).
 */
export function formatPercent(part: number | null | undefined, whole: number | null | undefined): string {
  if (part === null || part === undefined || !whole) return '—';
  return percentText((100 * part) / whole);
}

/** `part` of `whole` in percent, rounded to one decimal (`roundToTenth`, the rule the server uses too). */
export const shareOf = (part: number, whole: number): number => roundToTenth((100 * part) / whole);

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-07-01` or an ISO timestamp → `01/07/2025` (a calendar date is never shifted by time zone). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** An ISO timestamp → `21/11/2026 14:05` in local time. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return `${formatDate(value)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Reads a date typed as dd/mm/yyyy (also d/m/yyyy, with - or . as separator, or ISO): `date` as
 * `YYYY-MM-DD`, or why it is none — `format` when it is not written that way, `no_such_day` when
 * it is but the calendar has no such day (31/11, 29/02 of a common year).
 */
export function readDate(input: string): { date: string } | { problem: 'format' | 'no_such_day' } {
  const text = input.trim();
  let y: number, m: number, d: number;
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dmy) [d, m, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return { problem: 'format' };
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { problem: 'no_such_day' };
  return { date: `${y}-${pad(m)}-${pad(d)}` };
}

/** A date typed as `readDate` reads it, as `YYYY-MM-DD`; null when it is not a real calendar date. */
export function parseDate(input: string): string | null {
  const read = readDate(input);
  return 'date' in read ? read.date : null;
}

/** Today as `YYYY-MM-DD` in local time. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Whole days from today to `YYYY-MM-DD` (negative when past). */
export function daysUntil(date: string, from = today()): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Parses a share in percent typed the Vietnamese way ("85,5", "85.5", "85 %") with at most one decimal; null when empty, NaN when invalid. */
export function parseShare(input: string): number | null {
  const s = input.replace(/\s|%/g, '');
  if (!s) return null;
  return /^\d{1,3}([.,]\d)?$/.test(s) ? Number(s.replace(',', '.')) : NaN;
}

/**
 * Parses an amount typed with dots, spaces or commas as thousand separators ("1.250.000 đ") into
 * an integer; null when empty, NaN when invalid — including a decimal part ("0,5", "1.250.000,00"),
 * which Vietnamese writes with a comma and which must not silently become a larger number.
 */
export function parseAmount(input: string): number | null {
  if (/[.,]\d{1,2}\s*(?:₫|đ|vnd)?\s*$/i.test(input.trim())) return NaN;
  const digits = input.replace(/[\s.,₫đ]|vnd/gi, '');
  if (!digits) return null;
  return /^\d{1,12}$/.test(digits) ? Number(digits) : NaN;
}
