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
  'NOT_READY',
  'DUPLICATE_PRODUCER',
  'MERGE_TOO_LARGE',
  'NOT_AVAILABLE',
  'SNAPSHOT_EXISTS',
  'INTERNAL',
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
  'officer_needs_communes',
  'communes_only_for_officers',
  'cooperative_needs_producer',
  'producer_only_for_cooperatives',
  'duplicate_target',
  'too_many_changes',
  'nothing_to_change',
  'version_required',
] as const;

export type FieldRule = (typeof fieldRules)[number];
