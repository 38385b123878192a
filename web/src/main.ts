/**
 * The field app and department dashboard: boot, layout (header, network/outbox bar, navigation)
 * and the routes. Views live in views/; the dashboard, its map, the import and the administrator's screens load on demand.
 */
import './app.css';
import { get, NetworkError, onReadSource, onUnauthenticated, request } from './core/api.ts';
import { can, me } from './core/app-state.ts';
import { entries, flush, startSync, subscribe } from './core/outbox.ts';
import { communeByCode, loadCommuneIndex } from './core/reference.ts';
import { CognitoError, refreshTokens, revokeRefreshToken } from './core/cognito.ts';
import { cognitoConfig } from './core/config.ts';
import { clearSession, freshToken, loadSession, SessionEndedError, setSessionRenewer, updateUser } from './core/session.ts';
import type { Me } from './core/types.ts';
import { lang, setLang, t } from './i18n/i18n.ts';
import { h, replace } from './ui/dom.ts';
import { current, dropLeaveGuard, go, leaveWarning, link, mayLeave, route } from './ui/router.ts';
import { notice, toast } from './ui/widgets.ts';
import { loadFailed } from './views/common.ts';
import { homeView } from './views/home-view.ts';
import { loginView } from './views/login-view.ts';
import { outboxView } from './views/outbox-view.ts';
import { producerFormView, producerListView, producerView } from './views/producer-views.ts';
import { productFormView, productListView, productView } from './views/product-views.ts';

const root = document.getElementById('app')!;
const header = h('header', { class: 'topbar' });
const netbar = h('div', { class: 'netbar', 'aria-live': 'polite' });
const nav = h('nav', { class: 'mainnav' });
const main = h('main', { id: 'main', tabindex: -1 });
const toasts = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });

route('/', homeView);
route('/login', loginView);
route('/producers', producerListView);
route('/producers/new', producerFormView);
route('/producers/:id', producerView);
route('/producers/:id/edit', producerFormView);
route('/products', productListView);
route('/products/new', productFormView);
route('/products/:id', productView);
route('/products/:id/edit', productFormView);
route('/outbox', outboxView);
route('/dashboard', async (r) => (await import('./views/dashboard-view.ts')).dashboardView(r));
route('/imports', async () => (await import('./views/import-views.ts')).newImportView());
route('/imports/:id', async (r) => (await import('./views/import-views.ts')).importView(r));
route('/marketplaces', async () => (await import('./views/marketplaces-view.ts')).marketplacesView());
route('/admin/users', async () => (await import('./views/admin-users-view.ts')).usersView());
route('/admin/targets', async () => (await import('./views/admin-targets-view.ts')).targetsView());

function roleLabel(u: Me): string {
  return t.roles[u.role];
}

function scopeLabel(u: Me): string {
  if (u.role === 'officer') return (u.communes ?? []).map((c) => communeByCode(c)?.fullName ?? c).join(', ');
  if (u.role === 'cooperative') return t.scope.producer;
  return t.scope.province;
}

function renderChrome(): void {
  const u = me();
  document.title = t.app.name;
  replace(
    header,
    h('a', { class: 'skip', href: '#main', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, t.app.skip),
    h('div', { class: 'brand' }, h('a', { href: link('/') }, t.app.name)),
    u
      ? h(
          'div',
          { class: 'who', 'data-testid': 'who' },
          h('strong', null, u.username),
          h('span', null, ` · ${roleLabel(u)}`),
          h('span', { class: 'scope' }, ` · ${t.scope.label}: ${scopeLabel(u)}`),
        )
      : null,
    h(
      'div',
      { class: 'tools' },
      h('button', { type: 'button', class: 'link', lang: lang() === 'vi' ? 'en' : 'vi', 'aria-label': t.nav.switchLangLabel, onclick: () => mayLeave() && (setLang(lang() === 'vi' ? 'en' : 'vi'), rerender()) }, t.nav.switchLang),
      u ? h('button', { type: 'button', class: 'link', onclick: () => void signOut() }, t.nav.signOut) : null,
    ),
  );
  const items: [string, string][] = u
    ? [
        ['/producers', t.nav.producers],
        ['/products', t.nav.products],
        ...(can.viewCoverage() ? ([['/dashboard', t.nav.dashboard]] as [string, string][]) : []),
        ...(can.writeProducts() ? ([['/outbox', t.nav.outbox]] as [string, string][]) : []),
        ...(can.administer()
          ? ([
              ['/admin/users', t.admin.nav.users],
              ['/admin/targets', t.admin.nav.targets],
            ] as [string, string][])
          : []),
      ]
    : [];
  const here = current().route.path;
  replace(
    nav,
    items.length
      ? h(
          'ul',
          null,
          items.map(([path, label]) => {
            const active = path === '/' ? here === '/' : here.startsWith(path);
            return h('li', null, h('a', { href: link(path), 'aria-current': active ? 'page' : null }, label));
          }),
        )
      : null,
  );
  nav.setAttribute('aria-label', t.nav.label);
  void renderNetbar();
}

async function renderNetbar(): Promise<void> {
  const u = me();
  const queued = u ? await entries().catch(() => []) : [];
  const attention = queued.filter((e) => e.state === 'attention').length;
  const waiting = queued.length - attention;
  const parts = [];
  if (!navigator.onLine) parts.push(h('p', { class: 'offline' }, t.net.offline));
  // Signal without data moving: the page shows the copy saved on the phone, and says so.
  else if (showingSaved) parts.push(h('p', { class: 'offline', 'data-testid': 'saved-copy' }, t.common.offlineData));
  if (queued.length)
    parts.push(
      h(
        'p',
        { class: 'queue' },
        h('a', { href: link('/outbox'), 'data-testid': 'outbox-count', 'data-waiting': waiting, 'data-attention': attention }, waiting ? t.net.waiting(waiting) : '', waiting && attention ? ' · ' : '', attention ? t.net.attention(attention) : ''),
      ),
    );
  replace(netbar, parts);
  netbar.hidden = parts.length === 0;
  document.body.dataset.outbox = String(queued.length);
}

/** Whether the last read was answered from the phone's saved copy. */
let showingSaved = false;
onReadSource((cached) => {
  if (cached === showingSaved) return;
  showingSaved = cached;
  void renderNetbar();
});

let renderSeq = 0;

/** Where an entry of this tab's history is: the app keeps each entry's position in its `history.state`. */
function historyPosition(state: unknown): number | undefined {
  const pos = (state as { pos?: unknown } | null)?.pos;
  return typeof pos === 'number' ? pos : undefined;
}
/** The position of the entry on screen: a navigation the user calls off moves back to it. */
let shownPosition = historyPosition(history.state) ?? 0;
if (historyPosition(history.state) === undefined) history.replaceState({ ...history.state, pos: shownPosition }, '');

/** Whether the user typed, chose or picked something on the page since it was drawn, outside its search filters (whose state the address keeps). */
let touched = false;
for (const type of ['input', 'change']) main.addEventListener(type, (e) => void (touched ||= !(e.target as Element).closest('form[role=search]')));

/**
 * Draws the route on screen; `inPlace`: over the page shown (kept meanwhile, and where it was
 * scrolled to), not from a blank "loading". False when the view could not be drawn for want of a connection (its error shows).
 */
async function render(inPlace = false): Promise<boolean> {
  const seq = ++renderSeq;
  const { route: r, view } = current();
  const session = loadSession();
  if (!session && r.path !== '/login') {
    go('#/login');
    return true;
  }
  if (session && r.path === '/login') {
    go('#/');
    return true;
  }
  renderChrome();
  const scrolled = window.scrollY;
  if (!inPlace) replace(main, h('p', { class: 'loading' }, t.common.loading));
  let drawn = true;
  try {
    const node = view ? await view(r) : notice('warn', t.errors.NOT_FOUND);
    if (seq !== renderSeq) return true;
    replace(main, node);
  } catch (e) {
    if (seq !== renderSeq) return true;
    replace(main, loadFailed(e), h('p', null, h('button', { type: 'button', onclick: () => void render() }, t.common.retry)));
    drawn = !(e instanceof NetworkError);
  }
  touched = false;
  if (inPlace) window.scrollTo(0, scrolled);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    if (document.activeElement === document.body || !document.activeElement) heading.focus({ preventScroll: true });
  }
  return drawn;
}

function rerender(): void {
  void render();
}

/** How long signing out waits for the API to end the sessions before it signs out on this phone anyway (slow network). */
const SIGN_OUT_WAIT_MS = 4000;

async function signOut(): Promise<void> {
  if (!mayLeave()) return;
  // Unsent changes and photos stay on this phone for this user, but are only sent once they sign in again.
  const waiting = (await entries().catch(() => [])).length;
  if (waiting && !window.confirm(t.nav.signOutWithOutbox(waiting))) return;
  // First the API ends every session of this user, so a copy of the token stops working too. Best
  // effort: offline, or refused, the sign-out on this phone below happens all the same.
  const ended = freshToken()
    .then(async (token) => void (token && (await request('/auth/logout', { method: 'POST', token }))))
    .catch(() => undefined);
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, SIGN_OUT_WAIT_MS))]);
  const refreshToken = loadSession()?.refreshToken;
  // In the cloud the refresh token is revoked too, so a copy of it is worthless (best effort: offline it just expires).
  if (refreshToken) void cognitoConfig().then((cfg) => cfg && revokeRefreshToken(cfg, refreshToken)).catch(() => undefined);
  clearSession();
  void caches?.delete('ocop-data').catch(() => undefined);
  go('#/login');
}

onUnauthenticated(() => {
  dropLeaveGuard();
  clearSession();
  // The records saved for offline reading (names, phones) go with the session, as at sign-out.
  void caches?.delete('ocop-data').catch(() => undefined);
  sessionStorage.setItem('ocop.expired', '1');
  go('#/login');
});

subscribe((e) => {
  void renderNetbar();
  if (e.type === 'synced' && !e.foreground) toast(t.net.synced(e.entry.label));
});

window.addEventListener('hashchange', (e) => {
  const pos = historyPosition(history.state);
  // Back on the view's own entry after a navigation was called off (below): it is on screen already.
  if (e.isTrusted && pos === shownPosition) return;
  if (mayLeave()) {
    // A new entry (a link, the address bar) comes after the one it was made from.
    shownPosition = pos ?? shownPosition + 1;
    if (pos === undefined) history.replaceState({ ...history.state, pos: shownPosition }, '');
    // Another page: what coming back online was still trying for the one before is over.
    clearTimeout(reconnectTimer);
    return void render();
  }
  // Called off: the browser goes back to the view's own entry, the way it came — back after a
  // link, forward after the Back button — so its history keeps every entry it had, once.
  if (pos === undefined) history.back();
  else if (pos !== shownPosition) history.go(shownPosition - pos);
});
// Closing or reloading the tab: the browser asks in its own words (it ignores the page's).
window.addEventListener('beforeunload', (e) => {
  const warning = leaveWarning();
  if (!warning) return;
  e.preventDefault();
  // Older browsers ask only when returnValue is set.
  e.returnValue = warning;
});
/** How many times, and how long after the last, coming back online tries again while the answers still come from the phone (1, 2, 4, 8, 16 s). */
const RECONNECT_TRIES = 5;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Back online: the page on screen is drawn again, so what it could not load, or showed from the
 * phone's saved copy, comes from the server — unless the user is in the middle of something on it
 * (typed into a form, a dialog open, changes the view would lose on leaving). Then the connection
 * is only tried, so the bar stops saying the data is the saved copy once an answer comes fresh.
 * The network often lags the browser's "online": while the page still could not be drawn, or the
 * answers still came from the phone, it tries again a little later.
 */
function refreshWhenOnline(attempt = 0): void {
  clearTimeout(reconnectTimer);
  void renderNetbar();
  if (!loadSession() || !navigator.onLine) return;
  const busy = touched || leaveWarning() !== null || document.querySelector('dialog[open]') !== null;
  const done = busy ? get<Me>('/auth/me').then((u) => (updateUser(u), true), () => false) : render(true);
  void done.then((fresh) => {
    if ((!fresh || showingSaved) && attempt < RECONNECT_TRIES) reconnectTimer = setTimeout(() => refreshWhenOnline(attempt + 1), 1000 * 2 ** attempt);
  });
}
window.addEventListener('online', () => refreshWhenOnline());
window.addEventListener('offline', () => void renderNetbar());
window.addEventListener('ocop:session', () => {
  void loadCommuneIndex().then(renderChrome, () => undefined);
  void flush();
});

document.documentElement.lang = lang();
root.replaceWith(h('div', { id: 'app' }, header, netbar, nav, main, toasts));

// Ask the browser not to evict what waits in the outbox (changes, photos) when the phone runs short of space.
void navigator.storage?.persist?.().catch(() => undefined);

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

void (async () => {
  const cognito = await cognitoConfig();
  if (cognito) {
    setSessionRenewer((refreshToken) =>
      refreshTokens(cognito, refreshToken).catch((e: unknown) => {
        // Only Cognito's refusal ends the session; being offline or Cognito being busy does not.
        throw e instanceof CognitoError && e.type === 'NotAuthorizedException' ? new SessionEndedError() : e;
      }),
    );
  }
  if (loadSession()) {
    void loadCommuneIndex().then(renderChrome, () => undefined);
    void get<Me>('/auth/me').then((u) => (updateUser(u), renderChrome()), () => undefined);
  }
  startSync();
  await render();
})();
