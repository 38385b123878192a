/**
 * Service worker: keeps the app shell and the reference data on the phone so the field app
 * opens and captures offline. Writes never pass through here: they go to the outbox in
 * IndexedDB (core/outbox.ts), which sends them with their Idempotency-Key.
 *
 * - app shell (listed at build time in __SHELL__): cached on install, served cache-first;
 *   page loads fall back to the cached index.html;
 * - reference data (communes, marketplaces, the API description): stale-while-revalidate;
 * - lists and records the user has viewed: network first, the cached copy when offline
 *   (the page deletes that cache on sign-in and sign-out, so no user sees another's data);
 * - map boundaries: cached on first use.
 */
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
    e.respondWith(fetch(req).catch(async () => (await caches.match('/index.html', { cacheName: SHELL })) ?? Response.error()));
    return;
  }
  if (REFERENCE.some((r) => r.test(url.pathname))) {
    e.respondWith(staleWhileRevalidate(req, REF));
    return;
  }
  if (DATA_PATHS.some((r) => r.test(url.pathname))) {
    e.respondWith(networkFirst(req, DATA));
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

async function networkFirst(req: Request, name: string): Promise<Response> {
  const cache = await caches.open(name);
  try {
    const res = await fetch(req);
    if (res.ok) void cache.put(req, res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match(req, { ignoreVary: true });
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
