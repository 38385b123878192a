/**
 * The outbox: every write goes through it. An entry is stored in IndexedDB with its own
 * Idempotency-Key before it is sent, and leaves the outbox only when the API has accepted it,
 * so a write made offline, or whose answer was lost, is sent again with the same key and the API
 * answers the first result (`idempotent-replayed: true`): each write is applied exactly once.
 * Entries are sent in the order they were made. A conflict or a refusal is kept for the officer
 * to resolve, never dropped.
 */
import { ApiError, NetworkError, request, type ApiResult } from './api.ts';
import * as db from './idb.ts';
import { classifyStatus, dependenciesOf, givesUp, photoLinkAction, resolvePlaceholders, retryDelayMs, sendTimeoutMs, versionToken, type RefValue } from './outbox-rules.ts';
import { loadSession } from './session.ts';
import type { PhotoUploadTarget, Problem } from './types.ts';

export type OutboxKind = 'producer.create' | 'producer.update' | 'product.create' | 'product.update' | 'account.set' | 'listing.set' | 'photo.upload';

export type OutboxEntry = {
  seq?: number;
  /** Also the temporary id of the record a create makes (see refToken). */
  id: string;
  key: string;
  user: string;
  kind: OutboxKind;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** Words for the officer: what this write is ("Hộ Lê Văn An"). */
  label: string;
  /** `photo.upload`: the (already scaled-down) photo, kept on the phone until it is uploaded. */
  blob?: Blob;
  /** `photo.upload`: how many fresh upload links it asked for after one expired unused. */
  restarts?: number;
  /** What it changes, to keep writes to one record in order. */
  resource: string;
  dependsOn: string[];
  createdAt: string;
  state: 'pending' | 'attention';
  attempts: number;
  /**
   * Taken aside for correction after a send that was tried and not refused (no answer, or a
   * server error), so the server may have it: the correction keeps its Idempotency-Key, which the
   * server refuses for another body (422) rather than make a second record.
   */
  maybeSent?: boolean;
  /** When the server began failing it (5xx, 408, 429) without a success since (ms since epoch). */
  failingSince?: number;
  problem?: Problem;
};

export type SyncedRecord = { seq?: number; id: string; kind: OutboxKind; label: string; at: string; replayed: boolean; resultId?: string; user: string };

export type Draft = Pick<OutboxEntry, 'kind' | 'method' | 'path' | 'body' | 'label' | 'blob'> & { resource?: string };

export type SubmitOutcome<T> = { state: 'synced'; data: T; replayed: boolean; entry: OutboxEntry } | { state: 'queued'; entry: OutboxEntry };

type Waiter = { resolve: (o: SubmitOutcome<unknown>) => void; reject: (e: unknown) => void };
const waiters = new Map<string, Waiter>();

/**
 * `synced`: an entry went through; `held`: one now waits for the officer (the server refused it, or
 * what it builds on was discarded). `foreground`: its screen waited for it (that screen reports it).
 */
export type OutboxEvent = { type: 'changed' } | { type: 'synced'; entry: OutboxEntry; data: unknown; replayed: boolean; foreground: boolean } | { type: 'held'; entry: OutboxEntry; foreground: boolean } | { type: 'auth' };
const subscribers = new Set<(e: OutboxEvent) => void>();

export function subscribe(fn: (e: OutboxEvent) => void): () => void {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

function emit(e: OutboxEvent): void {
  for (const fn of subscribers) fn(e);
}

function currentUser(): string | null {
  return loadSession()?.user.username ?? null;
}

/**
 * Queued entries of the signed-in user, oldest first. When the phone's storage cannot be read
 * just now (the browser's backing store failing to open), none: the screens still show the
 * server's records, and the next read opens the storage afresh.
 */
export async function entries(): Promise<OutboxEntry[]> {
  const user = currentUser();
  const all = await db.getAll<OutboxEntry>(db.STORES.outbox).catch(() => [] as OutboxEntry[]);
  return all.filter((e) => e.user === user).sort((a, b) => a.seq! - b.seq!);
}

export async function syncedRecently(): Promise<SyncedRecord[]> {
  const user = currentUser();
  return (await db.getAll<SyncedRecord>(db.STORES.synced)).filter((r) => r.user === user).reverse();
}

async function refs(): Promise<Map<string, RefValue>> {
  return new Map((await db.getAll<RefValue>(db.STORES.refs)).map((r) => [r.ref, r]));
}

/**
 * Turns an entry's path into the one it is sent to: a placeholder of a record created offline
 * (`/products/<token>/photos`) becomes the record's id once that create has gone through.
 */
export async function pathResolver(): Promise<(path: string) => string> {
  const known = await refs();
  return (path) => resolvePlaceholders(path, known).value;
}

/** Stores a write in the outbox (it is sent by the next flush). */
export async function enqueue(draft: Draft): Promise<OutboxEntry> {
  const user = currentUser();
  if (!user) throw new Error('not signed in');
  const id = crypto.randomUUID();
  const queued = await entries();
  const resource = draft.resource ?? (draft.method === 'POST' ? `new:${id}` : draft.path);
  const entry: OutboxEntry = {
    ...draft,
    id,
    key: crypto.randomUUID(),
    user,
    resource,
    dependsOn: dependenciesOf({ path: draft.path, body: draft.body, resource }, queued),
    createdAt: new Date().toISOString(),
    state: 'pending',
    attempts: 0,
  };
  entry.seq = (await db.put(db.STORES.outbox, entry)) as number;
  emit({ type: 'changed' });
  return entry;
}

/**
 * Saves a write and tries to send it now. Resolves `synced` with the API's answer, or `queued`
 * when it could not be sent yet (offline, waiting for an earlier entry). With an `owner` (the form
 * or section the officer sent it from), a refusal (4xx) while that is still on screen is taken
 * back out of the outbox and thrown, because the officer can correct it there. Once the officer
 * has left it, the outcome is the outbox's alone — sent, or kept needing attention on the outbox
 * page, never dropped — and the promise stays unsettled, so a screen no longer shown neither
 * draws an error nor navigates.
 */
export async function submit<T>(draft: Draft, opts: { owner?: Node; waitMs?: number } = {}): Promise<SubmitOutcome<T>> {
  const entry = await enqueue(draft);
  const outcome = new Promise<SubmitOutcome<T>>((resolve, reject) => {
    waiters.set(entry.id, { resolve: resolve as Waiter['resolve'], reject });
    setTimeout(() => settle(entry.id, { state: 'queued', entry }), opts.waitMs ?? 15_000);
  });
  void flush();
  const left = () => opts.owner !== undefined && !opts.owner.isConnected;
  let result: SubmitOutcome<T>;
  try {
    result = await outcome;
  } catch (e) {
    if (left()) return new Promise(() => undefined);
    if (opts.owner && e instanceof ApiError) await db.remove(db.STORES.outbox, entry.seq!);
    emit({ type: 'changed' });
    throw e;
  }
  return left() ? new Promise(() => undefined) : result;
}

function settle(id: string, outcome: SubmitOutcome<unknown> | { error: unknown }): void {
  const w = waiters.get(id);
  if (!w) return;
  waiters.delete(id);
  if ('error' in outcome) w.reject(outcome.error);
  else w.resolve(outcome);
}

/** Runs `fn` holding the outbox's lock, which every tab of the app shares: one sends, or takes an entry aside, at a time. */
function withOutboxLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? (locks.request('ocop-outbox', fn) as Promise<T>) : fn();
}

let running: Promise<void> | null = null;
let again = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** Sends what can be sent, in order. Safe to call any time; concurrent calls coalesce. */
export function flush(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await withOutboxLock(flushOnce);
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function flushOnce(): Promise<void> {
  const user = currentUser();
  if (!user) return;
  const queue = await entries();
  let deferred = false;
  let sent = false;
  const blocked = new Set<string>();
  const known = await refs();
  for (const e of queue) {
    // Signed out (and perhaps someone else signed in) meanwhile: the rest waits for its own officer.
    if (currentUser() !== user) break;
    if (e.state === 'attention' || e.dependsOn.some((d) => blocked.has(d))) {
      blocked.add(e.id);
      settle(e.id, { state: 'queued', entry: e });
      continue;
    }
    const path = resolvePlaceholders(e.path, known);
    const body = resolvePlaceholders(e.body, known);
    const missing = [...path.missing, ...body.missing];
    if (missing.some((id) => queue.some((q) => q.id === id && q !== e))) {
      // It refers to an entry still waiting further on (a correction can point at a newer one): later.
      blocked.add(e.id);
      deferred = true;
      settle(e.id, { state: 'queued', entry: e });
      continue;
    }
    if (missing.length) {
      // An earlier entry it depends on was discarded without a replacement.
      await markAttention(e, { title: 'dependency discarded', status: 0, code: 'DEPENDENCY_DISCARDED' });
      blocked.add(e.id);
      continue;
    }
    try {
      const res =
        e.kind === 'photo.upload'
          ? await sendPhoto(e, path.value)
          : await request<{ id?: string; version?: number }>(path.value, {
              method: e.method,
              body: body.value === undefined ? undefined : JSON.stringify(body.value),
              idempotencyKey: e.key,
              // A send that never gets an answer (packets lost at a cell handover) would hold up every entry after it.
              signal: AbortSignal.timeout(sendTimeoutMs()),
            });
      const result: RefValue = { ref: e.id, id: res.data?.id, version: res.data?.version };
      await db.put(db.STORES.refs, result);
      known.set(e.id, result);
      await db.remove(db.STORES.outbox, e.seq!);
      await db.put<SyncedRecord>(db.STORES.synced, { id: e.id, kind: e.kind, label: e.label, at: new Date().toISOString(), replayed: res.replayed, resultId: res.data?.id, user: e.user });
      await db.trim(db.STORES.synced, 30);
      sent = true;
      emit({ type: 'synced', entry: e, data: res.data, replayed: res.replayed, foreground: waiters.has(e.id) });
      settle(e.id, { state: 'synced', data: res.data, replayed: res.replayed, entry: e });
    } catch (err) {
      let outcome = err instanceof ApiError ? classifyStatus(err.status) : err instanceof NetworkError ? 'retry' : 'attention';
      if (outcome === 'retry' && err instanceof ApiError) {
        // The server keeps failing it: after a while it waits for the officer, and the queue goes on.
        e.failingSince ??= Date.now();
        if (givesUp(e.failingSince, Date.now())) outcome = 'attention';
      }
      if (outcome === 'retry' || outcome === 'auth') {
        e.attempts += 1;
        await db.put(db.STORES.outbox, e);
        settle(e.id, { state: 'queued', entry: e });
        for (const rest of queue) settle(rest.id, { state: 'queued', entry: rest });
        if (outcome === 'auth') emit({ type: 'auth' });
        else scheduleRetry(e.attempts);
        break;
      }
      const problem = err instanceof ApiError ? { ...err.problem, status: err.status } : { title: String(err), status: 0, code: 'INTERNAL' };
      await markAttention(e, problem);
      blocked.add(e.id);
      settle(e.id, { error: err instanceof ApiError ? err : new ApiError(0, problem) });
    }
  }
  // What waited for an entry further on can go now that it has been sent.
  if (deferred && sent) again = true;
  emit({ type: 'changed' });
}

/**
 * A queued photo: asks where to upload (with the entry's Idempotency-Key, so a resend gets the
 * same photo), then PUTs the file there. A resend whose link has expired (hours later, the API
 * replays the first answer) looks at that photo first: made or refused, the upload did arrive
 * and the entry is done; still waiting well after the link expired, the file never arrived (S3
 * takes nothing on an expired link), so that empty photo is deleted and the entry asks again
 * with a new key — at most a few times.
 */
async function sendPhoto(e: OutboxEntry, path: string): Promise<ApiResult<{ id?: string; version?: number }>> {
  const blob = e.blob;
  if (!blob) throw new ApiError(0, { title: 'The photo is missing from this phone', status: 0, code: 'INTERNAL' });
  const target = await request<PhotoUploadTarget>(path, { method: 'POST', body: JSON.stringify({ contentType: blob.type || 'image/jpeg', bytes: blob.size }), idempotencyKey: e.key, signal: AbortSignal.timeout(sendTimeoutMs()) });
  const photoId = target.data.photoId;
  const expiresAt = Date.parse(target.data.expiresAt);
  const serverNow = target.serverTime ?? Date.now();
  const status = target.replayed && expiresAt <= serverNow + 10_000 ? (await request<{ items: { id: string; status: string }[] }>(path)).data.items.find((p) => p.id === photoId)?.status : undefined;
  switch (photoLinkAction({ replayed: target.replayed, expiresAt, serverNow, photoStatus: status, restarts: e.restarts ?? 0 })) {
    case 'done':
      return { data: { id: photoId }, status: 200, replayed: true };
    case 'wait':
      throw new NetworkError(new Error('waiting to see whether the upload arrived'));
    case 'give-up':
      throw new ApiError(0, { title: 'The upload link kept expiring', status: 0, code: 'SERVICE_UNAVAILABLE' });
    case 'restart':
      if (status) await request(`${path}/${photoId}`, { method: 'DELETE', idempotencyKey: `${e.key}:discard` });
      e.key = crypto.randomUUID();
      e.restarts = (e.restarts ?? 0) + 1;
      await db.put(db.STORES.outbox, e);
      return sendPhoto(e, path);
    case 'upload':
      break;
  }
  // Exactly the headers the API asked for; the browser sets content-length itself from the blob.
  const headers = Object.fromEntries(Object.entries(target.data.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'content-length'));
  let put: Response;
  try {
    put = await fetch(new URL(target.data.uploadUrl, location.origin), { method: target.data.method, headers, body: blob, signal: AbortSignal.timeout(sendTimeoutMs(blob.size)) });
  } catch (err) {
    throw new NetworkError(err);
  }
  if (!put.ok) {
    const problem = (await put.json().catch(() => null)) as Problem | null;
    throw new ApiError(put.status, problem ?? { title: put.statusText || `HTTP ${put.status}`, status: put.status, code: put.status >= 500 ? 'INTERNAL' : 'UNKNOWN' });
  }
  return { data: { id: photoId }, status: put.status, replayed: target.replayed };
}

async function markAttention(e: OutboxEntry, problem: Problem): Promise<void> {
  e.state = 'attention';
  e.problem = problem;
  await db.put(db.STORES.outbox, e);
  emit({ type: 'held', entry: e, foreground: waiters.has(e.id) });
}

function scheduleRetry(attempts: number): void {
  clearTimeout(retryTimer);
  if (!navigator.onLine) return;
  retryTimer = setTimeout(() => void flush(), retryDelayMs(attempts));
}

/**
 * Drops an entry the officer chose to discard (only ever on their word). A later change of the
 * same record that was to build on it builds on what it built on instead.
 */
export async function discard(entry: OutboxEntry): Promise<void> {
  await db.remove(db.STORES.outbox, entry.seq!);
  const base = (entry.body as { version?: unknown } | undefined)?.version;
  for (const later of await entries()) {
    const body = later.body as { version?: unknown } | undefined;
    if (later.resource !== entry.resource || body?.version !== versionToken(entry.id)) continue;
    const rebased: OutboxEntry = { ...later, body: { ...body, version: base }, dependsOn: later.dependsOn.filter((d) => d !== entry.id) };
    if (rebased.state === 'attention' && rebased.problem?.code === 'DEPENDENCY_DISCARDED') Object.assign(rebased, { state: 'pending', problem: undefined });
    await db.put(db.STORES.outbox, rebased);
  }
  emit({ type: 'changed' });
}

/**
 * Resolves a conflicted create by pointing it at a record that already exists (a duplicate
 * producer): entries that referred to it now refer to `existingId`.
 */
export async function useExisting(entry: OutboxEntry, existingId: string): Promise<void> {
  await db.put<RefValue>(db.STORES.refs, { ref: entry.id, id: existingId });
  await discard(entry);
  await releaseDependents(entry.id);
  void flush();
}

/**
 * Sends an entry again, optionally with a changed body (then with a new Idempotency-Key, as
 * the API refuses one key for two different bodies).
 */
export async function retry(entry: OutboxEntry, body?: unknown): Promise<void> {
  const next: OutboxEntry = { ...entry, state: 'pending', problem: undefined, attempts: 0, failingSince: undefined };
  if (body !== undefined) {
    next.body = body;
    if (!entry.maybeSent) next.key = crypto.randomUUID();
    // A corrected body may refer to other waiting entries (another producer registered offline).
    next.dependsOn = dependenciesOf({ path: next.path, body, resource: next.resource }, (await entries()).filter((q) => q.id !== entry.id));
  }
  await db.put(db.STORES.outbox, next);
  await releaseDependents(entry.id);
  emit({ type: 'changed' });
  void flush();
}

/** The code of an entry the officer took aside to correct: it is not sent until saved again (`retry` with the new body). */
const HELD_FOR_CORRECTION = 'HELD_FOR_CORRECTION';

/**
 * Runs `take` on the entry as stored now, under the outbox's lock, so never while the entry is
 * being sent; false when it is no longer waiting (sent meanwhile).
 */
async function takeAside(entry: OutboxEntry, take: (current: OutboxEntry) => Promise<void>): Promise<boolean> {
  const run = async () => {
    const current = (await entries()).find((e) => e.id === entry.id);
    if (!current) return false;
    await take(current);
    return true;
  };
  return withOutboxLock(run);
}

/**
 * Takes a waiting entry out of the sending order so the officer can correct it (a new producer or
 * product registered offline with a wrong field): it waits, with what depends on it, until the
 * correction is saved (`retry`) or it is discarded. False when it was sent meanwhile.
 */
export function hold(entry: OutboxEntry): Promise<boolean> {
  return takeAside(entry, async (current) => {
    current.maybeSent = mayHaveReached(current);
    await markAttention(current, { title: 'held for correction', status: 0, code: HELD_FOR_CORRECTION });
    emit({ type: 'changed' });
  });
}

/** Drops a waiting entry the officer no longer wants sent; false when it was sent meanwhile. */
export function withdraw(entry: OutboxEntry): Promise<boolean> {
  return takeAside(entry, discard);
}

/** Whether the server may already have this entry: it was tried and not refused (see `maybeSent`). */
export const mayHaveReached = (e: OutboxEntry): boolean => !!e.maybeSent || (e.state === 'pending' && e.attempts > 0);

/** Dependents that were marked for a discarded dependency get another chance. */
async function releaseDependents(id: string): Promise<void> {
  for (const e of await entries()) {
    if (e.state === 'attention' && e.problem?.code === 'DEPENDENCY_DISCARDED' && e.dependsOn.includes(id)) {
      await db.put(db.STORES.outbox, { ...e, state: 'pending', problem: undefined });
    }
  }
}

/** Starts the background triggers: coming online, returning to the tab, and a slow timer. */
export function startSync(): void {
  window.addEventListener('online', () => void flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flush();
  });
  setInterval(() => {
    if (navigator.onLine) void flush();
  }, 20_000);
  void flush();
}
