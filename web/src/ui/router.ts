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

/** Shows `hash` in place of the entry on screen (a redirect): Back then goes to where the user came from, not to the redirect. */
export function goInstead(hash: string): void {
  history.replaceState(history.state, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function link(path: string): string {
  return `#${path}`;
}

/** What leaving the view on screen would lose, in words to ask the user with; null when nothing. */
export type LeaveCheck = () => string | null;

let leaveGuard: { view: Node; check: LeaveCheck } | null = null;

/**
 * Lets the view `view` (the node a route shows) ask before it is left while `check` says it would
 * lose something: hash navigation to another route (or the same one shown afresh), a language
 * switch, signing out, closing or reloading the tab. Only the view on screen asks: once another
 * replaces it, it never does.
 */
export function guardLeaving(view: Node, check: LeaveCheck): void {
  leaveGuard = { view, check };
}

/** What leaving the view on screen would lose (words to ask with), or null. */
export function leaveWarning(): string | null {
  return leaveGuard?.view.isConnected ? leaveGuard.check() : null;
}

/**
 * Whether the view on screen may be left: it would lose nothing, or the user agrees to lose it
 * (then it is not asked again on the way out).
 */
export function mayLeave(): boolean {
  const warning = leaveWarning();
  if (!warning) return true;
  if (!window.confirm(warning)) return false;
  leaveGuard = null;
  return true;
}

/** Leaves without asking, when staying is no choice (the session ended). */
export function dropLeaveGuard(): void {
  leaveGuard = null;
}
