/**
 * The web app keeps its session and reference data in localStorage; Node has none, so a plain
 * in-memory one stands in for unit tests of web/src/core. Install it before importing the module
 * under test; the returned map is its contents.
 */
export function installMemoryStorage(): Map<string, string> {
  const store = new Map<string, string>();
  Object.assign(globalThis, { localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) } });
  return store;
}
