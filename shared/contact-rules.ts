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

/** A tax code in the form it is kept: 10 digits, or `0101234567-001` for a branch. */
export function normaliseTaxCode(valid: string): string {
  return valid.length === 10 ? valid : `${valid.slice(0, 10)}-${valid.slice(-3)}`;
}

/**
 * A search typed as a number — a phone, tax code or citizen ID, with the separators people type
 * (spaces, dots, dashes, brackets, a leading +) — as its digits; undefined for any other text.
 * Such a search is personal data: the API looks it up exactly, the web app neither puts it in
 * the address nor lets the service worker keep its answer.
 */
export function numberSearch(q: string): string | undefined {
  const compact = q.replace(/[\s.()-]/g, '');
  return /^\+?\d{9,13}$/.test(compact) ? compact : undefined;
}
