import type { z } from 'zod';
import { fieldRules, type ErrorCode, type FieldRule } from '#shared/errors.ts';

/**
 * One invalid field. `rule` (when the schema says which) lets a client put the message in its
 * own words: `required`, `too_long`/`too_short` (text, with `limit` characters), `too_big`/
 * `too_small` (numbers and lists, with `limit`), `format`, `type`, `choice`, `unknown_field`,
 * and the domain checks of `fieldRules` (a custom issue names its rule in `params.rule`).
 */
export type FieldError = { path: string; message: string; rule?: FieldRule; limit?: number };
export type { FieldRule };

/** A zod issue as the API reports it, with the rule it broke in a form clients can translate. */
export function fieldErrorOf(issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.join('.') || '(body)';
  const base = { path, message: issue.message };
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      const text = issue.origin === 'string';
      if (issue.code === 'too_small' && text && limit === 1) return { ...base, rule: 'required' };
      return { ...base, rule: text ? (issue.code === 'too_big' ? 'too_long' : 'too_short') : issue.code, ...(Number.isFinite(limit) ? { limit } : {}) };
    }
    case 'invalid_type':
      // zod reports no input unless asked; its message names what it received.
      return { ...base, rule: /received undefined$/.test(issue.message) ? 'required' : 'type' };
    case 'invalid_format':
      return { ...base, rule: 'format' };
    case 'invalid_value':
    case 'invalid_union':
      return { ...base, rule: 'choice' };
    case 'unrecognized_keys':
      return { ...base, rule: 'unknown_field' };
    case 'custom': {
      const rule = (issue.params as { rule?: unknown } | undefined)?.rule;
      return (fieldRules as readonly unknown[]).includes(rule) ? { ...base, rule: rule as FieldRule } : base;
    }
    default:
      return base;
  }
}

/** Base of every error the API answers with a 4xx/5xx problem+json; handled once in `app.onError`. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], message = 'The request has invalid fields') {
    super(400, 'VALIDATION_FAILED', message, { errors });
  }
}
export class MalformedJsonError extends AppError {
  constructor() {
    super(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  }
}
export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes`);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in first') {
    super(401, 'UNAUTHENTICATED', message);
  }
}
/** A valid token of a session that has since been ended (signed out everywhere, or the user disabled). */
export class SessionEndedError extends AppError {
  constructor() {
    super(401, 'SESSION_ENDED', 'This session was ended (signed out); sign in again');
  }
}
export class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Your role may not do this') {
    super(403, 'FORBIDDEN', message);
  }
}
export class OutOfScopeError extends AppError {
  constructor(message = 'This is outside the communes or producer you are assigned to') {
    super(403, 'OUT_OF_SCOPE', message);
  }
}
export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(409, code, message, extra);
  }
}
export class VersionConflictError extends ConflictError {
  constructor(currentVersion?: number) {
    super('VERSION_CONFLICT', 'The record was changed by someone else; reload and retry', currentVersion === undefined ? {} : { currentVersion });
  }
}
export class InvalidCursorError extends AppError {
  constructor() {
    super(400, 'INVALID_CURSOR', 'The cursor is not valid for this caller and query');
  }
}
export class ThrottledError extends AppError {
  constructor() {
    super(503, 'THROTTLED', 'The data store is busy; retry shortly', { retryAfterSeconds: 1 });
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request');
  }
}

/** Not a failure: a retried write whose first result is answered again. */
export class ReplayResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('idempotent replay');
  }
}

/**
 * Not a client error: the record changed under a write that derived counters from it. The
 * operation re-reads and tries again (see `retryOnRace`); if it keeps losing, 503.
 */
export class RaceError extends AppError {
  constructor() {
    super(503, 'SERVICE_UNAVAILABLE', 'The record is busy with other changes; retry shortly', { retryAfterSeconds: 1 });
  }
}

/** Runs `operation` again (re-reading) while it loses races to concurrent changes. */
export async function retryOnRace<T>(operation: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await operation();
    } catch (e) {
      if (!(e instanceof RaceError) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 5 * 2 ** i + Math.random() * 10));
    }
  }
}
