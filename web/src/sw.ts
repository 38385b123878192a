/**
 * Service worker: keeps the app shell and the reference data on the phone so the field app
 * opens and captures offline. Writes never pass through here: they go to the outbox in
 * IndexedDB (core/outbox.ts), which sends them with their Idempotency-Key.
 *
 * - app shell (listed at build time in __SHELL__): cached on install, served cache-first;
 *   page loads fall back to the cached index.html;
 * - reference data (communes, marketplaces, the API description): stale-while-revalidate;
 * - lists and records the user has viewed: network first, the cached copy when offline or when
 *   the network has not answered within a few seconds (a phone with signal but no data moving);
 *   a cached copy carries `x-ocop-cached` so the page can say so. The network answer, when it
 *   comes, still refreshes the cache. (The page deletes that cache on sign-in and sign-out, so
 *   no user sees another's data.)
 * - map boundaries: cached on first use.
 */
import { numberSearch } from '#shared/contact-rules.ts';

declare const __SHELL__: string[];
declare const __BUILD__: string;

type ExtendableEvent = Event & { waitUntil(p: Promise<unknown>): void };
type FetchEvent = ExtendableEvent & { request: Request; respondWith(r: Promise<Response> | Response): void };
type SwScope = { skipWaiting(): Promise<void>; clients: { claim(): Promise<void> }; addEventListener(type: string, fn: (e: never) => void): void; location: Location };

const sw = self as unknown as SwScope;
const SHELL = `ocop-shell-${__BUILD__}`;
const REF = 'ocop-ref';
const DATA = 'ocop-data';
const GEO = 'ocop-geo';

const REFERENCE = [/^\/api\/v1\/admin-units\/communes$/, /^\/api\/v1\/marketplaces$/, /^\/api\/v1\/openapi\.json$/];
const DATA_PATHS = [/^\/api\/v1\/auth\/me$/, /^\/api\/v1\/producers(\/[^/]+)?$/, /^\/api\/v1\/products(\/[^/]+)?$/, /^\/api\/v1\/(producers|products)\/[^/]+\/(events|accounts|listings|readiness|photos)$/];

sw.addEventListener('install', (e: ExtendableEvent) => {
  e.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(__SHELL__))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (e: ExtendableEvent) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('ocop-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (e: FetchEvent) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (req.mode === 'navigate') {
    // The page itself: the network's, unless it fails or keeps the officer waiting; then the saved shell.
    const shell = async () => (await caches.match('/index.html', { cacheName: SHELL })) ?? Response.error();
    const network = fetch(req);
    e.waitUntil(network.catch(() => undefined));
    e.respondWith(within(network, NETWORK_WAIT_MS).then((res) => res ?? shell(), shell));
    return;
  }
  if (REFERENCE.some((r) => r.test(url.pathname))) {
    e.respondWith(staleWhileRevalidate(req, REF));
    return;
  }
  if (DATA_PATHS.some((r) => r.test(url.pathname))) {
    // The answer to a search for a phone, tax code or citizen ID is not kept on the device.
    if (numberSearch(url.searchParams.get('q') ?? '')) return;
    // The page asked for the server's answer only (e.g. the version to rebase a change on).
    if (req.cache === 'no-store') return;
    e.respondWith(networkFirst(req, DATA, e));
    return;
  }
  if (url.pathname.startsWith('/api/') || url.pathname === '/config.json') return;
  if (url.pathname.startsWith('/geo/')) {
    e.respondWith(cacheFirst(req, GEO));
    return;
  }
  e.respondWith(cacheFirst(req, SHELL));
});

async function staleWhileRevalidate(req: Request, name: string): Promise<Response> {
  const cache = await caches.open(name);
  const cached = await cache.match(req, { ignoreVary: true });
  const network = fetch(req)
    .then((res) => {
      if (res.ok) void cache.put(req, res.clone());
      return res;
    })
    .catch(() => cached ?? Response.error());
  return cached ?? network;
}

/** How long a data request waits for the network before a cached copy is shown instead. */
const NETWORK_WAIT_MS = 4000;

/** The promise's answer if it comes within `ms`, undefined if it is slower (a rejection passes through). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, slow]);
  } finally {
    clearTimeout(timer);
  }
}

/** A cached answer, marked so the page can tell the user it is not fresh. */
function markedCached(res: Response): Response {
  const headers = new Headers(res.headers);
  headers.set('x-ocop-cached', '1');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function networkFirst(req: Request, name: string, event: ExtendableEvent): Promise<Response> {
  const cache = await caches.open(name);
  const network = fetch(req).then((res) => {
    if (res.ok) void cache.put(req, res.clone());
    return res;
  });
  // The network keeps going after a cached copy was shown, to refresh the cache for next time.
  event.waitUntil(network.catch(() => undefined));
  const cachedCopy = async () => {
    const cached = await cache.match(req, { ignoreVary: true });
    return cached ? markedCached(cached) : undefined;
  };
  try {
    return (await within(network, NETWORK_WAIT_MS)) ?? (await cachedCopy()) ?? (await network);
  } catch (err) {
    const cached = await cachedCopy();
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(req: Request, name: string): Promise<Response> {
  const cache = await caches.open(name);
  const cached = await cache.match(req, { ignoreSearch: name === SHELL });
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok && name !== SHELL) void cache.put(req, res.clone());
  return res;
}
