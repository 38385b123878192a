/**
 * Pure rules of the offline outbox (no IndexedDB, no fetch), so they can be unit-tested.
 *
 * A write captured offline may refer to a record that itself is still waiting in the outbox:
 * a product of a producer registered offline, or a second listing move after a first. Such
 * references are written as placeholder strings and filled in when the earlier entry has synced.
 */

/** A character no user will type (Unicode private use) marks placeholders. */
const MARK = '\uE000';
const REF = `${MARK}ref:`;
const VER = `${MARK}ver:`;

/** Placeholder for the id of the record that outbox entry `entryId` creates. */
export function refToken(entryId: string): string {
  return `${REF}${entryId}`;
}

/** Placeholder for the version of the record after outbox entry `entryId` (a number once filled). */
export function versionToken(entryId: string): string {
  return `${VER}${entryId}`;
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.includes(MARK);
}

/** The entry id a `refToken`/`versionToken` points to, or null. */
export function tokenEntry(value: string): string | null {
  const m = new RegExp(`${MARK}(?:ref|ver):([\\w-]+)`).exec(value);
  return m ? m[1]! : null;
}

/** What an entry's success left behind: the id it created and the version it produced. */
export type RefValue = { ref: string; id?: string; version?: number };

/** Every entry id referenced by placeholders anywhere in `value`. */
export function referencedEntries(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(new RegExp(`${MARK}(?:ref|ver):([\\w-]+)`, 'g'))) into.add(m[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedEntries(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) referencedEntries(v, into);
  }
  return into;
}

/**
 * Fills placeholders from `refs`. A whole-string version token becomes a number; ref tokens are
 * replaced inside strings (paths). `missing` lists entries whose result is not known.
 */
export function resolvePlaceholders<T>(value: T, refs: ReadonlyMap<string, RefValue>): { value: T; missing: string[] } {
  const missing = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!v.includes(MARK)) return v;
      const whole = new RegExp(`^${VER}([\\w-]+)$`).exec(v);
      if (whole) {
        const version = refs.get(whole[1]!)?.version;
        if (version === undefined) missing.add(whole[1]!);
        return version ?? v;
      }
      return v.replace(new RegExp(`${MARK}(ref|ver):([\\w-]+)`, 'g'), (token, kind: string, id: string) => {
        const r = refs.get(id);
        const out = kind === 'ref' ? r?.id : r?.version === undefined ? undefined : String(r.version);
        if (out === undefined) {
          missing.add(id);
          return token;
        }
        return out;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value) as T, missing: [...missing] };
}

/** What to do with an entry after the API answered `status`. */
export type Outcome = 'done' | 'retry' | 'auth' | 'attention';

/**
 * 2xx: synced. 401: wait for the officer to sign in again. 408/425/429/5xx: transient, retry later
 * (the Idempotency-Key makes the resend safe). Any other 4xx (a conflict, a validation error): keep
 * it and show it to the officer; it is never dropped on its own.
 */
export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'done';
  if (status === 401) return 'auth';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'attention';
}

/**
 * How long an entry keeps being retried while the server keeps failing it (5xx, 408, 429) before
 * it waits for the officer (resend or discard, on the outbox page) and the entries after it go on.
 */
export const SERVER_FAILURE_PATIENCE_MS = 30 * 60_000;

/** Whether an entry failing on the server since `failingSince` (ms) has been retried long enough. */
export function givesUp(failingSince: number, now: number): boolean {
  return now - failingSince >= SERVER_FAILURE_PATIENCE_MS;
}

/** How long a queued write waits for an answer before it counts as lost (then it is sent again, same key). */
export function sendTimeoutMs(uploadBytes = 0): number {
  // 30 s, and for a photo 1 s more per 25 kB (a slow 2G/3G link of ~200 kbit/s).
  return 30_000 + Math.ceil(uploadBytes / 25);
}

/** Delay before the n-th retry of a transient failure: 2, 4, 8 … up to 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(1, Math.min(attempts, 6)));
}

/** After its link expired, how long an upload may still be in the pipeline before it counts as never arrived. */
export const UPLOAD_SETTLE_MS = 2 * 60_000;
/** Fresh upload links a queued photo may ask for before it waits for the officer. */
export const MAX_PHOTO_RESTARTS = 3;

/**
 * What to do with the upload link a queued photo got. A fresh answer is good. A replayed one
 * (a resend with the same key) may be hours old; all times are the server's (the phone's
 * clock may be off):
 * - link still valid → `upload` (again: S3 and the local route take the same file twice);
 * - expired, and the photo was made or refused → `done`: the first upload did arrive;
 * - expired, photo still waiting, within the settle time → `wait` (it may be in the pipeline);
 * - expired and never arrived (S3 takes nothing on an expired link) → `restart` with a new key,
 *   deleting the empty photo — or `give-up` after a few restarts.
 */
export function photoLinkAction(link: { replayed: boolean; expiresAt: number; serverNow: number; photoStatus: string | undefined; restarts: number }): 'upload' | 'done' | 'wait' | 'restart' | 'give-up' {
  if (!link.replayed || link.expiresAt > link.serverNow + 10_000) return 'upload';
  if (link.photoStatus && link.photoStatus !== 'processing') return 'done';
  if (link.photoStatus && link.serverNow < link.expiresAt + UPLOAD_SETTLE_MS) return 'wait';
  return link.restarts >= MAX_PHOTO_RESTARTS ? 'give-up' : 'restart';
}

export type QueuedLike = { id: string; resource: string; state: 'pending' | 'attention' };

/**
 * Entries an entry must wait for: those it references by placeholder and earlier entries that
 * change the same resource (so two offline moves of one listing reach the API in order). A change
 * of the same resource the server already refused is not waited for: the record's page shows it as
 * it is on the server and what the officer does next starts from there (see `putInOrder`), while
 * the refused change waits in the outbox for the officer's decision.
 */
export function dependenciesOf(entry: { path: string; body: unknown; resource: string }, queued: readonly QueuedLike[]): string[] {
  const ids = referencedEntries([entry.path, entry.body]);
  for (const q of queued) if (q.resource === entry.resource && q.state !== 'attention') ids.add(q.id);
  const present = new Set(queued.map((q) => q.id));
  return [...ids].filter((id) => present.has(id));
}

/**
 * Which queued entries can be sent now, in order: not needing attention and not waiting on one
 * that does (directly or through another blocked entry).
 */
export function sendable<E extends QueuedLike & { dependsOn: string[] }>(entries: readonly E[]): { send: E[]; blocked: E[] } {
  const blockedIds = new Set<string>();
  const send: E[] = [];
  const blocked: E[] = [];
  for (const e of entries) {
    if (e.state === 'attention' || e.dependsOn.some((d) => blockedIds.has(d))) {
      blockedIds.add(e.id);
      blocked.push(e);
    } else send.push(e);
  }
  return { send, blocked };
}
