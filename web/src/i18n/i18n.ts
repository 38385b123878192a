import { ApiError, NetworkError } from '../core/api.ts';
import { CognitoError } from '../core/cognito.ts';
import { UnreadablePhotoError } from '../core/image.ts';
import type { FieldRule, ImportFailure } from '../core/types.ts';
import { en } from './en.ts';
import { vi, type Dict } from './vi.ts';

export type Lang = 'vi' | 'en';
const KEY = 'ocop.lang';
const dictionaries: Record<Lang, Dict> = { vi, en };

function initial(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

let current: Lang = initial();

/** The labels of the current language (Vietnamese unless the user switched). */
export let t: Dict = dictionaries[current];

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  t = dictionaries[next];
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
}


/** Plain words for an error code from the API (or a network failure); unknown codes fall back to the server's title. */
export function messageFor(code: string, fallback?: string): string {
  const table = t.errors as Record<string, string>;
  return table[code] ?? fallback ?? t.errors.UNKNOWN;
}

/** Plain words for anything a call can throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const message = messageFor(err.code, err.problem.title);
    // An account that cannot close says which listings keep it open.
    const blocking = err.code === 'ACCOUNT_HAS_LISTINGS' ? (err.problem as { listings?: { name: string }[] }).listings : undefined;
    return blocking?.length ? `${message} ${t.account.blockedBy(blocking.map((l) => `“${l.name}”`).join(', '))}` : message;
  }
  if (err instanceof NetworkError) return t.errors.NETWORK;
  // IndexedDB refused to keep an outbox entry: nothing was saved, and the user must know.
  if (err instanceof DOMException && err.name === 'QuotaExceededError') return t.errors.STORAGE_FULL;
  if (err instanceof UnreadablePhotoError) return t.photos.unreadable;
  if (err instanceof CognitoError) return cognitoMessage(err.type) ?? t.errors.UNKNOWN;
  return t.errors.UNKNOWN;
}

/** Words for Cognito's refusals at sign-in, several exception names sharing one meaning. */
function cognitoMessage(type: string): string | undefined {
  const r = t.login.refused;
  const same: Record<string, string> = {
    UserNotFoundException: r.NotAuthorizedException,
    EnableSoftwareTokenMFAException: r.CodeMismatchException,
    ExpiredCodeException: r.CodeMismatchException,
    LimitExceededException: r.TooManyRequestsException,
  };
  return (r as Record<string, string>)[type] ?? same[type];
}

/** A field error from the API in the user's words: by the rule it broke when the API says which, else the server's text. */
export function wordFieldError(fe: { message: string; rule?: FieldRule; limit?: number }): string {
  return fe.rule ? t.fieldRules[fe.rule](fe.limit ?? 0) : fe.message;
}

/**
 * Why an import could not take its file or stopped (`failure` of a failed import or of an import
 * route's problem), in the user's words; undefined for a code this page does not know yet.
 */
export function wordImportFailure(failure: ImportFailure): string | undefined {
  return (t.importFailures as Partial<Record<string, (f: ImportFailure) => string>>)[failure.code]?.(failure);
}

/** What a field (an API path such as `weightGrams`) is called on screen. */
export function fieldNameOf(path: string): string {
  return (t.history.fieldNames as Record<string, string>)[path] ?? path;
}
