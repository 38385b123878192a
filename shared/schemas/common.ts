import { z } from 'zod';
import { errorCodes, fieldRules, importFailureCodes } from '../errors.ts';
import { importFields } from '../import-fields.ts';
import { CITIZEN_ID_PATTERN, PHONE_PATTERN, TAX_CODE_PATTERN, normalisePhone, normaliseTaxCode } from '../contact-rules.ts';
import { EARLIEST_EVENT_DATE, eventDateRule } from '../vietnam-time.ts';

export { normalisePhone };

/** Time-ordered identifier issued by the server (26 characters, Crockford base32). */
export const IdSchema = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a valid id')
  .meta({ description: 'Server-issued id', example: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D' });

/** Calendar date `YYYY-MM-DD` that exists in the calendar. */
export const DateSchema = z.iso.date({ message: 'expected a date YYYY-MM-DD', abort: true });

/** The date something happened (a rating decision, a training, a consent): see `eventDateRule`. */
export const EventDateSchema = DateSchema.superRefine((v, ctx) => {
  const rule = eventDateRule(v);
  if (rule) ctx.addIssue({ code: 'custom', message: rule === 'date_too_early' ? `a date from ${EARLIEST_EVENT_DATE} on` : 'a date that has come (today in Vietnam at the latest)', params: { rule } });
});

/**
 * Characters that show nothing or reorder what is shown around them: control characters (but
 * tab and line breaks), the soft hyphen, zero-width characters and joiners, bidirectional
 * marks, embeddings, overrides and isolates, and the byte-order mark.
 */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Text as people type and paste it, made plain: composed Unicode (NFC), without invisible characters, trimmed. */
export function plainText(v: string): string {
  return v.normalize('NFC').replace(INVISIBLE, '').trim();
}

/**
 * A free-text field: stored as `plainText` makes it, so a value of invisible characters alone is
 * empty (a required one is refused, a unit of "\u200b" does not count towards readiness) and a
 * right-to-left override cannot disguise a name in a list or an export.
 */
export const TextSchema = () => z.string().overwrite(plainText);

/** Optimistic-concurrency version an update is based on. */
export const VersionSchema = z.number().int().min(1).meta({ description: 'Version the change is based on; a stale version gets 409 VERSION_CONFLICT' });

/** Current commune code (5 digits, GSO). Existence is checked by the service. */
export const CommuneCodeSchema = z.string().regex(/^\d{5}$/, 'expected a 5-digit commune code');

/**
 * Vietnamese phone number. Accepts spaces, dots, dashes, +84/84 prefixes and a leading zero
 * lost by Excel; normalises to the national form `0xxxxxxxxx` (mobile 10 digits, landline 11).
 */
export const PhoneSchema = z
  .string()
  .trim()
  .transform((raw) => normalisePhone(raw))
  .pipe(z.string().regex(PHONE_PATTERN, 'not a Vietnamese mobile or landline number'));

/** Vietnamese tax code (MST): 10 digits, or 13 for a branch (`0101234567-001` or plain). */
export const TaxCodeSchema = z
  .string()
  .trim()
  .regex(TAX_CODE_PATTERN, 'expected a tax code of 10 or 13 digits')
  .transform(normaliseTaxCode);

/** Citizen ID (CCCD, 12 digits) or the former ID card (CMND, 9 digits). Write-only. */
export const CitizenIdSchema = z.string().trim().regex(CITIZEN_ID_PATTERN, 'expected 12 digits (CCCD) or 9 (CMND)');

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25).meta({ description: 'Page size (1–100)' }),
  cursor: z.string().max(2048).optional().meta({ description: 'Opaque cursor from the previous page' }),
});

/** Why an import could not take its file or stopped: a code to word, and the figures the words need. */
export const ImportFailureSchema = z
  .object({
    code: z.enum(importFailureCodes).meta({ description: 'Stable code (list: importFailureCodes in shared/errors.ts); the web app words it in Vietnamese' }),
    fields: z.array(z.enum(importFields)).optional().meta({ description: 'no_header_row, missing_columns: the import fields without a column' }),
    rows: z.number().int().optional().meta({ description: 'too_many_rows: the rows the file has' }),
    bytes: z.number().int().optional().meta({ description: 'empty_file, too_large, larger_than_declared, smaller_than_declared: the size of the file' }),
    limit: z.number().optional().meta({ description: 'The bound the file went past: bytes, rows, characters or cells, by code' }),
  })
  .meta({ id: 'ImportFailure', description: 'On a failed import, and on the problems of the import routes that refuse the file' });

export type ImportFailure = z.infer<typeof ImportFailureSchema>;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(errorCodes),
    detail: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          rule: z.enum(fieldRules).optional().meta({ description: 'Which rule the field broke, for clients to word the message' }),
          limit: z.number().optional().meta({ description: 'The bound of too_long, too_short, too_big, too_small' }),
        }),
      )
      .optional(),
    failure: ImportFailureSchema.optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof ProblemSchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
