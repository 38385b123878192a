/** Hash routes (`#/products/ID?tab=x`): work offline and from the service worker's cached index.html. */
export type Route = { path: string; params: Record<string, string>; query: URLSearchParams };
export type View = (route: Route) => Promise<Node> | Node;

const routes: { pattern: RegExp; keys: string[]; view: View }[] = [];

export function route(path: string, view: View): void {
  const keys: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, k: string) => (keys.push(k), '([^/]+)'))}$`);
  routes.push({ pattern, keys, view });
}

export function current(): { route: Route; view: View | null } {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  const query = new URLSearchParams(search);
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) return { route: { path, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)])), query }, view: r.view };
  }
  return { route: { path, params: {}, query }, view: null };
}

export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function link(path: string): string {
  return `#${path}`;
}
