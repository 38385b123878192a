/**
 * Stable error codes of the API (`code` in every problem+json body). The web app shows a
 * message per code; never rename one, only add.
 */
export const errorCodes = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'SESSION_ENDED',
  'FORBIDDEN',
  'OUT_OF_SCOPE',
  'NOT_FOUND',
  'VERSION_CONFLICT',
  'USERNAME_TAKEN',
  'UNKNOWN_COMMUNE',
  'UNKNOWN_PRODUCER',
  'PRODUCER_HAS_PRODUCTS',
  'PRODUCER_HAS_USERS',
  'TOO_MANY_PRODUCTS_TO_MOVE',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_CURSOR',
  'THROTTLED',
  'SERVICE_UNAVAILABLE',
  'UNKNOWN_MARKETPLACE',
  'ILLEGAL_ACCOUNT_TRANSITION',
  'ILLEGAL_LISTING_TRANSITION',
  'LISTING_URL_REQUIRED',
  'LISTING_URL_NOT_ON_MARKETPLACE',
  'REJECTION_REASON_REQUIRED',
  'SELLER_ACCOUNT_REQUIRED',
  'ACCOUNT_HAS_LISTINGS',
  'NOT_READY',
  'DUPLICATE_PRODUCER',
  'MERGE_TOO_LARGE',
  'NOT_AVAILABLE',
  'SNAPSHOT_EXISTS',
  'NO_SNAPSHOT',
  'LAST_ADMIN',
  'INTERNAL',
  /** The local server: request headers (the address among them) over Node's limit, 431. */
  'HEADERS_TOO_LARGE',
  /** The local server: a request HTTP itself cannot parse, 400. */
  'MALFORMED_REQUEST',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/**
 * Which rule an invalid field broke (`errors[].rule` of a VALIDATION_FAILED problem), so a
 * client can word the message itself: the generic rules of any schema (with `limit` for the
 * length and size bounds), then the domain checks that span fields. Never rename one, only add.
 */
export const fieldRules = [
  'required',
  'too_long',
  'too_short',
  'too_big',
  'too_small',
  'format',
  'type',
  'choice',
  'unknown_field',
  'certificate_required',
  'certificate_only_when_rated',
  'officer_needs_communes',
  'communes_only_for_officers',
  'cooperative_needs_producer',
  'producer_only_for_cooperatives',
  'duplicate_target',
  'too_many_changes',
  'nothing_to_change',
  'version_required',
  'name_needs_letter',
  'date_too_early',
  'date_in_future',
] as const;

export type FieldRule = (typeof fieldRules)[number];

/**
 * Why an import could not take its file or stopped (`failure.code` of a failed import, and of the
 * problems the import routes answer about the file), so a client can word it itself
 * (`shared/import-failure-words.ts`). Never rename one, only add.
 */
export const importFailureCodes = [
  /** The server never got the file (an upload that did not arrive in the store). */
  'no_file',
  /** 0 bytes (`bytes: 0`), or not one cell with something in it. */
  'empty_file',
  /** Over the import limit (`limit` bytes; `bytes` when known). */
  'too_large',
  /** A file larger than the size declared at create (`bytes`, `limit`: the declared size). */
  'larger_than_declared',
  /** A file sent through the API smaller than the size declared at create (`bytes`, `limit`: the declared size). */
  'smaller_than_declared',
  /** Neither an XLSX workbook nor a text (CSV) file: an old .xls, a PDF, an image, UTF-16 text. */
  'wrong_type',
  /** A CSV file that is neither UTF-8 nor Windows-1258 text. */
  'unknown_encoding',
  /** A ZIP that is not a readable workbook, or whose sheet's XML is cut short. */
  'damaged_workbook',
  /** A ZIP without an Excel worksheet (an .ods or .docx, say). */
  'no_worksheet',
  /** The workbook's parts unpack to more than `limit` bytes. */
  'unpacks_too_large',
  /** A cell holds more than `limit` characters (Excel's own limit). */
  'cell_too_long',
  /** More than `limit` rows (`rows`: how many, when counted). */
  'too_many_rows',
  /** Merged areas would fill more than `limit` cells. */
  'too_many_merged_cells',
  /** None of the first `limit` rows names a column the import knows; `fields`: the columns it needs. */
  'no_header_row',
  /** The header row lacks the columns of `fields`. */
  'missing_columns',
  /** The file could not be read, for a reason the reader does not name. */
  'unreadable',
  /** The server could not store the file; sending it again may work. */
  'file_not_stored',
  /** The import takes no file in its state (it is being committed, or has written rows). */
  'file_not_accepted',
  /** The dry run stopped on a server-side condition (a busy store), not on the file. */
  'check_interrupted',
  /** The commit stopped midway; resuming finishes it. */
  'commit_stopped',
] as const;

export type ImportFailureCode = (typeof importFailureCodes)[number];
