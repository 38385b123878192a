import { freshToken, renewalPending, SessionEndedError } from './session.ts';
import type { Problem } from './types.ts';

export const API = '/api/v1';

/** The API answered with a problem+json (or another non-2xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.title);
    this.name = 'ApiError';
  }
  get code(): string {
    return this.problem.code;
  }
}

/** The request never got an answer (offline, connection dropped, server unreachable). */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network', { cause });
    this.name = 'NetworkError';
  }
}

/** `serverTime`: the answer's Date header (ms), for comparing with times the server issued. */
export type ApiResult<T> = { data: T; status: number; replayed: boolean; serverTime?: number };

export type RequestOptions = {
  method?: string;
  body?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** A bearer token other than the session's (the sign-in asks `/auth/me` before saving the session). */
  token?: string;
  /** The server's answer or none: never the copy saved on the phone (the service worker lets it through). */
  fresh?: boolean;
};

/** How long a read waits for an answer before it counts as a network failure (writes go through the outbox). */
const READ_TIMEOUT_MS = 20_000;

const cachedListeners = new Set<(cached: boolean) => void>();
/** Called after every read with whether the answer was the phone's saved copy (the network too slow or absent). */
export function onReadSource(fn: (cached: boolean) => void): void {
  cachedListeners.add(fn);
}

const listeners = new Set<() => void>();
/** Called when the API says the session is no longer valid (401). */
export function onUnauthenticated(fn: () => void): void {
  listeners.add(fn);
}

/** One API call with the session's bearer token; throws ApiError or NetworkError. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let t: string | null;
  try {
    t = opts.token ?? (await freshToken());
  } catch (e) {
    if (!(e instanceof SessionEndedError)) throw e;
    // The session could not be renewed (revoked, or the user disabled): it is over.
    for (const fn of listeners) fn();
    throw new ApiError(401, { title: 'The session has ended', status: 401, code: 'UNAUTHENTICATED' });
  }
  if (t) headers.authorization = `Bearer ${t}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const method = opts.method ?? 'GET';
  const signals = [opts.signal, method === 'GET' ? AbortSignal.timeout(READ_TIMEOUT_MS) : undefined].filter((s): s is AbortSignal => !!s);
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { method, headers, body: opts.body, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0], ...(opts.fresh ? { cache: 'no-store' as const } : {}) });
  } catch (e) {
    throw new NetworkError(e);
  }
  if (method === 'GET') for (const fn of cachedListeners) fn(res.headers.get('x-ocop-cached') === '1');
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    // The answer broke off (or timed out) mid-body: as if none came — a write is sent again with its key.
    throw new NetworkError(e);
  }
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const problem = (data && typeof data === 'object' && 'code' in data ? data : { title: res.statusText || `HTTP ${res.status}`, status: res.status, code: res.status >= 500 ? 'INTERNAL' : 'UNKNOWN' }) as Problem;
    // A 401 ends the session, unless the token was one the app could not renew just now (offline or Cognito busy): that one is retried after renewal.
    if (res.status === 401 && t && !opts.token && !renewalPending()) for (const fn of listeners) fn();
    throw new ApiError(res.status, problem);
  }
  const date = Date.parse(res.headers.get('date') ?? '');
  return { data: data as T, status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', ...(Number.isNaN(date) ? {} : { serverTime: date }) };
}

const keys = new Map<string, string>();
/** One Idempotency-Key per thing sent (e.g. its body), kept while it may be retried: a retry of the same thing sends the same key. */
export function keyFor(what: string): string {
  let key = keys.get(what);
  if (!key) keys.set(what, (key = crypto.randomUUID()));
  return key;
}

/** Done with `what` (it got through, or must not be retried as the same request): its next send is a new one. */
export function forgetKey(what: string): void {
  keys.delete(what);
}

/** How long a write sent outside the outbox waits for an answer before it counts as a network failure. */
const DIRECT_WRITE_TIMEOUT_MS = 30_000;

/**
 * A write that is not queued in the outbox (it needs a connection): sent with the
 * Idempotency-Key of `what`, which is kept only when no answer came, so trying the same thing
 * again cannot apply it twice; once the API has answered, the next send of `what` is a new one.
 */
export async function sendDirect<T>(what: string, path: string, opts: Omit<RequestOptions, 'idempotencyKey' | 'signal'>): Promise<ApiResult<T>> {
  try {
    const res = await request<T>(path, { ...opts, idempotencyKey: keyFor(what), signal: AbortSignal.timeout(DIRECT_WRITE_TIMEOUT_MS) });
    forgetKey(what);
    return res;
  } catch (e) {
    if (!(e instanceof NetworkError)) forgetKey(what);
    throw e;
  }
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>(path, { signal })).data;
}

/**
 * GET a route that may not be deployed yet: `null` when it answers 404, so the screen can
 * show the section as unavailable. Use only for routes under a record the caller just loaded
 * (a 404 there means "no such route", not "no such record").
 */
export async function getOptional<T>(path: string): Promise<T | null> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

/** Builds `?a=1&b=2` from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * One screenful of a list: up to `limit` items from `cursor` on. A filtered page (a name search,
 * a product filter) may come back short while the API says there is more to look through — one
 * request reads a bounded part of the province — so this goes on until the screen is full, the
 * list ends, `signal` aborts, or `maxRequests` were made; `nextCursor` is where to go on.
 */
export async function getPage<T>(path: string, params: Record<string, string | number | null | undefined>, opts: { limit: number; cursor?: string | null; signal?: AbortSignal; maxRequests?: number }): Promise<{ items: T[]; nextCursor: string | null }> {
  const items: T[] = [];
  let cursor = opts.cursor ?? null;
  for (let n = 0; n < (opts.maxRequests ?? 50); n++) {
    const res = await get<{ items: T[]; nextCursor: string | null }>(`${path}${query({ ...params, limit: opts.limit - items.length, cursor: cursor ?? undefined })}`, opts.signal);
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor || items.length >= opts.limit) break;
  }
  return { items, nextCursor: cursor };
}

/** Fetches every page of a list, up to `maxPages`; `complete` is false when it stopped early. */
export async function getAll<T>(path: string, params: Record<string, string | undefined> = {}, maxPages = 20): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await get<{ items: T[]; nextCursor: string | null }>(`${path}${query({ ...params, limit: 100, cursor: cursor ?? undefined })}`);
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

let openapiPaths: Promise<Set<string> | null> | null = null;

/**
 * Whether the API has a route (e.g. `/products/{id}/photos`), from its OpenAPI document;
 * `null` when that cannot be told (offline). Used before writes to routes that are still
 * being built, so their buttons can be hidden instead of failing.
 */
export async function hasRoute(method: string, template: string): Promise<boolean | null> {
  openapiPaths ??= fetch(`${API}/openapi.json`)
    .then(async (r) => {
      if (!r.ok) return null;
      const doc = (await r.json()) as { paths?: Record<string, Record<string, unknown>> };
      const set = new Set<string>();
      for (const [p, ops] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(ops)) set.add(`${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, '{}')}`);
      return set;
    })
    .catch(() => {
      openapiPaths = null;
      return null;
    });
  const paths = await openapiPaths;
  return paths ? paths.has(`${method.toUpperCase()} ${template.replace(/\{[^}]+\}/g, '{}')}`) : null;
}
