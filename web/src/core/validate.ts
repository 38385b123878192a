/**
 * Client-side checks that mirror the API's rules (shared/schemas/common.ts) so a record
 * captured offline is very likely to be accepted when it syncs. The server stays the judge:
 * whatever it still refuses lands in the outbox as "needs attention".
 */
import { CITIZEN_ID_PATTERN, PHONE_PATTERN, TAX_CODE_PATTERN, normalisePhone } from '#shared/contact-rules.ts';

export { normalisePhone };

export function isPhone(raw: string): boolean {
  return PHONE_PATTERN.test(normalisePhone(raw.trim()));
}

export function isTaxCode(raw: string): boolean {
  return TAX_CODE_PATTERN.test(raw.trim());
}

export function isCitizenId(raw: string): boolean {
  return CITIZEN_ID_PATTERN.test(raw.trim());
}
