/**
 * Formats of Vietnamese contact and identity numbers, without zod, so the web app can check
 * a record captured offline with the very rules the API applies.
 */
export const PHONE_PATTERN = /^(0[35789]\d{8}|02\d{9})$/;
export const TAX_CODE_PATTERN = /^\d{10}(-?\d{3})?$/;
export const CITIZEN_ID_PATTERN = /^(\d{9}|\d{12})$/;

/** Normalises a phone number to `0…` (spaces, dots, dashes, +84/84, a leading zero lost in Excel); other input comes back as digits. */
export function normalisePhone(raw: string): string {
  let digits = raw.replace(/[\s.\-()]/g, '');
  if (digits.startsWith('+84')) digits = '0' + digits.slice(3);
  else if (/^84\d{9,10}$/.test(digits)) digits = '0' + digits.slice(2);
  else if (/^[1-9]\d{8}$/.test(digits) || /^2\d{9}$/.test(digits)) digits = '0' + digits;
  return digits;
}
