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
  'NOT_AVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];
