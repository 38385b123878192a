/**
 * Client-side checks that mirror the API's rules (shared/schemas/common.ts) so a record
 * captured offline is very likely to be accepted when it syncs. The server stays the judge:
 * whatever it still refuses lands in the outbox as "needs attention".
 */

/** Same normalisation as the API's PhoneSchema: spaces, dots, dashes, +84/84 and a lost leading zero. */
export function normalisePhone(raw: string): string {
  let digits = raw.replace(/[\s.\-()]/g, '');
  if (digits.startsWith('+84')) digits = '0' + digits.slice(3);
  else if (/^84\d{9,10}$/.test(digits)) digits = '0' + digits.slice(2);
  else if (/^[1-9]\d{8}$/.test(digits) || /^2\d{9}$/.test(digits)) digits = '0' + digits;
  return digits;
}

export function isPhone(raw: string): boolean {
  return /^(0[35789]\d{8}|02\d{9})$/.test(normalisePhone(raw.trim()));
}

export function isTaxCode(raw: string): boolean {
  return /^\d{10}(-?\d{3})?$/.test(raw.trim());
}

export function isCitizenId(raw: string): boolean {
  return /^(\d{9}|\d{12})$/.test(raw.trim());
}
