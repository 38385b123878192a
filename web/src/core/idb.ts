/** A minimal promise wrapper over IndexedDB for the outbox (one database, a few stores). */

const DB_NAME = 'ocop-onboard';
const DB_VERSION = 1;
export const STORES = { outbox: 'outbox', refs: 'refs', synced: 'synced' } as const;
type StoreName = (typeof STORES)[keyof typeof STORES];

let dbPromise: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORES.outbox)) db.createObjectStore(STORES.outbox, { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains(STORES.refs)) db.createObjectStore(STORES.refs, { keyPath: 'ref' });
      if (!db.objectStoreNames.contains(STORES.synced)) db.createObjectStore(STORES.synced, { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the database: let it, and open afresh next time.
      db.onversionchange = () => {
        db.close();
        dbPromise = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
  }).catch((e: unknown) => {
    // A failed open (storage busy, the browser's backing store briefly unavailable) is tried again next time, not kept.
    dbPromise = null;
    throw e;
  });
  return dbPromise;
}

/**
 * A write's result once its transaction has committed: a request can succeed and its transaction
 * still be aborted (the device's storage full: QuotaExceededError), and then nothing was stored.
 */
function committed<T>(tx: IDBTransaction, req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onabort = () => reject(tx.error ?? req.error ?? new DOMException('The change was not stored', 'AbortError'));
    tx.onerror = () => reject(tx.error ?? req.error);
  });
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function getAll<T>(store: StoreName): Promise<T[]> {
  const db = await open();
  return done(db.transaction(store).objectStore(store).getAll() as IDBRequest<T[]>);
}

export async function get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
  const db = await open();
  return done(db.transaction(store).objectStore(store).get(key) as IDBRequest<T | undefined>);
}

/** Adds or replaces a record; resolves with its key once it is stored (rejects if it was not, e.g. storage full). */
export async function put<T>(store: StoreName, value: T): Promise<IDBValidKey> {
  const db = await open();
  const tx = db.transaction(store, 'readwrite');
  return committed(tx, tx.objectStore(store).put(value));
}

export async function remove(store: StoreName, key: IDBValidKey): Promise<void> {
  const db = await open();
  const tx = db.transaction(store, 'readwrite');
  await committed(tx, tx.objectStore(store).delete(key));
}

/** Keeps only the newest `keep` records of an auto-increment store. */
export async function trim(store: StoreName, keep: number): Promise<void> {
  const db = await open();
  const keys = await done(db.transaction(store).objectStore(store).getAllKeys());
  for (const key of keys.slice(0, Math.max(0, keys.length - keep))) await remove(store, key);
}
