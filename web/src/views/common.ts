import { ApiError, NetworkError, get, query, sendDirect } from '../core/api.ts';
import { entries, pathResolver, submit, subscribe, type Draft, type OutboxEntry, type SubmitOutcome } from '../core/outbox.ts';
import { refToken, versionToken } from '../core/outbox-rules.ts';
import type { AuditEvent, MarketplaceInfo } from '../core/types.ts';
import { formatDateTime, readDate } from '../core/format.ts';
import { eventDateRule } from '#shared/vietnam-time.ts';
import { isUrlOnMarketplace } from '#shared/marketplaces.ts';
import { errorMessage, t } from '../i18n/i18n.ts';
import { h, replace, type Child } from '../ui/dom.ts';
import { link } from '../ui/router.ts';
import { chip, confirmDialog, input, notice, toast } from '../ui/widgets.ts';

/**
 * A date typed (dd/mm/yyyy) for something that happened — a rating decision, a training, a
 * consent — as the API takes it, or what is wrong with it in the user's words: checked here as the
 * API checks it, so a record captured offline is not refused when it syncs.
 */
export function readEventDate(typed: string): { date: string } | { error: string } {
  const read = readDate(typed);
  if ('problem' in read) return { error: read.problem === 'format' ? t.fields.date : t.fields.noSuchDay };
  const rule = eventDateRule(read.date);
  return rule ? { error: t.fieldRules[rule](0) } : { date: read.date };
}

/**
 * A field for a marketplace address: the phone's keyboard for addresses, but not the browser's
 * check of `type=url`, which would refuse (without a word) one typed without `https://`; the
 * address is checked, and completed, by `marketplaceUrl`.
 */
export function addressInput(attrs: { name: string; value: string; placeholder: string; required?: boolean }): HTMLInputElement {
  return input({ ...attrs, inputmode: 'url', autocapitalize: 'off', autocomplete: 'off', spellcheck: 'false' });
}

/**
 * An address typed for a marketplace (a listing's, a seller account's shop) as it is to be sent:
 * with `https://` in front when it was typed without a scheme (`postmart.vn/san-pham/123`), or
 * null when it is not on one of the marketplace's domains (the API refuses it too).
 */
export function marketplaceUrl(m: Pick<MarketplaceInfo, 'domains'>, typed: string): string | null {
  const url = /^[a-z][a-z\d+.-]*:\/\//i.test(typed) ? typed : `https://${typed.replace(/^\/+/, '')}`;
  return isUrlOnMarketplace(m, url) ? url : null;
}

/** A page section with its heading. */
export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `s-${title.replace(/\W+/g, '-').toLowerCase()}-${Math.random().toString(36).slice(2, 6)}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A definition list of label → value, skipping empty values. */
export function facts(rows: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))),
  );
}

/** Renders what a failed load says, in plain words. */
export function loadFailed(err: unknown): HTMLElement {
  return err instanceof NetworkError ? notice('warn', t.errors.NETWORK_READ) : notice('error', errorMessage(err));
}

/** True when a GET failed only because the route does not exist (yet). */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/** The audit trail of a record, newest first (as the API pages it): who changed what, when. */
export function historyList(events: AuditEvent[]): HTMLElement {
  if (!events.length) return h('p', { class: 'muted' }, t.history.empty);
  const skip = new Set(['version', 'updatedAt', 'createdAt', 'updatedBy', 'createdBy', 'id', 'searchName', 'covRev', 'communeName']);
  const names = t.history.fieldNames as Record<string, string>;
  return h(
    'ol',
    { class: 'timeline' },
    events.map((e) => {
      const changed =
        e.action === 'update' && e.before && e.after
          ? Object.keys(e.after).filter((k) => !skip.has(k) && JSON.stringify(e.before![k]) !== JSON.stringify(e.after![k]))
          : [];
      return h(
        'li',
        null,
        h('strong', null, (t.history.actions as Record<string, string>)[e.action] ?? e.action),
        ' ',
        h('time', { datetime: e.at }, formatDateTime(e.at)),
        ' ',
        h('span', { class: 'muted' }, e.actor.id === 'system' ? t.history.bySystem : t.history.by(e.actor.username)),
        changed.length ? h('div', { class: 'muted small' }, t.history.fields(changed.map((k) => names[k] ?? k).join(', '))) : null,
      );
    }),
  );
}

/**
 * Sends a PUT to a record that may already have queued changes: the version is taken from the
 * last queued change of the same resource (filled in when that one syncs), else from `version`.
 */
export async function putInOrder<T>(draft: Omit<Draft, 'resource'> & { body: Record<string, unknown> }, version: number | undefined, owner: Node): Promise<SubmitOutcome<T>> {
  // A change the server refused is not built on: the page shows the record as the server kept it.
  const last = (await changesOf(draft.path)).pending.at(-1);
  const body = { ...draft.body, ...(last ? { version: versionToken(last.id) } : version ? { version } : {}) };
  // Behind a change still waiting, a refusal is the outbox's to show, not the form's.
  return submit<T>({ ...draft, body, resource: draft.path }, { owner: last ? undefined : owner, waitMs: 10_000 });
}

/**
 * The outbox's changes of one resource (a record's path, a listing's or a seller account's): those
 * still on their way, oldest first, and whether one the server refused waits for the officer.
 */
/** The phone's outbox as it stands, none when its storage cannot be read just now: read once per screen and handed to `queuedStatus` for each card. */
export const outboxNow = (): Promise<OutboxEntry[]> => entries().catch(() => [] as OutboxEntry[]);

async function changesOf(path: string, queue?: readonly OutboxEntry[]): Promise<{ pending: OutboxEntry[]; attention: boolean }> {
  const queued = (queue ?? (await outboxNow())).filter((e) => e.resource === path);
  return { pending: queued.filter((e) => e.state === 'pending'), attention: queued.some((e) => e.state === 'attention') };
}

/**
 * A record as the officer last left it: the server's copy with the changes still waiting in the
 * outbox laid over it (so a second offline edit starts from the first), whether any wait, and
 * whether one the server refused waits for the officer (it is not laid over: the server kept the
 * record as it was).
 */
export async function withQueuedChanges<T extends object>(record: T, path: string): Promise<{ record: T; pending: boolean; attention: boolean }> {
  const { pending, attention } = await changesOf(path);
  const queued = pending.filter((e) => e.method === 'PATCH');
  let out = record;
  for (const e of queued) {
    const { version: _v, citizenId, ...changes } = (e.body ?? {}) as Record<string, unknown>;
    out = { ...out, ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v === null ? undefined : v])) };
    // A citizen ID is write-only: shown, as the server will keep it, by its last 4 digits.
    if (citizenId !== undefined) out = { ...out, citizenIdLast4: typeof citizenId === 'string' ? citizenId.slice(-4) : undefined };
  }
  return { record: out, pending: queued.length > 0, attention };
}

/**
 * A listing's or seller account's status as the officer last left it: the one its last change
 * still on its way asks for (so a second offline move starts from the first), else the server's
 * `current`; whether changes of it wait, and whether one the server refused waits for the officer
 * (its status is not shown: the server kept the one it had, and the moves offered start from that).
 */
export async function queuedStatus<S extends string>(path: string, current: S | null, queue?: readonly OutboxEntry[]): Promise<{ status: S | null; pending: boolean; attention: boolean }> {
  const { pending, attention } = await changesOf(path, queue);
  const asked = (pending.at(-1)?.body as { status?: S } | undefined)?.status;
  return { status: asked ?? current, pending: pending.length > 0, attention };
}

/** Says that a change of this was refused by the server and waits for the officer, with the way to the outbox. */
export function heldChange(text: string, testId: string): HTMLElement {
  return h('span', { 'data-testid': testId }, text, ' ', h('a', { href: link('/outbox') }, t.common.openOutbox));
}

/** A record captured offline and still in the outbox, in a list of cards: its name, marked waiting, `details` under it, `actions` after it. */
export function waitingCard(testId: string, label: string, details: Child[], actions?: Child): HTMLElement {
  return h('li', { class: 'pending', 'data-testid': testId }, h('div', { class: 'card-link' }, h('strong', null, label), h('span', null, chip(t.common.pending, 'pending')), ...details), actions ?? null);
}

/** Of the outbox's `all` entries, the products registered offline and not sent yet — those of one producer (its id, or its placeholder while it waits too) when given. */
export function waitingProducts(all: readonly OutboxEntry[], producerId?: string): OutboxEntry[] {
  return all.filter((e) => e.kind === 'product.create' && (!producerId || (e.body as { producerId?: string }).producerId === producerId));
}

/** The name of a producer registered offline that `ref` (its placeholder) stands for, marked waiting; '' when it is no longer in the outbox. */
export function waitingProducerName(all: readonly OutboxEntry[], ref: string): string {
  const e = all.find((x) => x.kind === 'producer.create' && refToken(x.id) === ref);
  return e ? t.common.pendingName(e.label) : '';
}

/** After its card was redrawn, keyboard focus returns to the marketplace the officer was working on. */
export function focusMarketplace(box: HTMLElement, marketplace: string): void {
  const card = box.querySelector<HTMLElement>(`[data-marketplace="${CSS.escape(marketplace)}"]`);
  if (!card) return;
  card.tabIndex = -1;
  card.focus({ preventScroll: false });
}

/**
 * A record page's head: its name, the edit button for those who may edit, a word when changes
 * still wait in the outbox, and one when a change the server refused waits there for the officer.
 */
export function recordHead(title: string, editHref: string | null, queued: { pending: boolean; attention: boolean }): Node[] {
  return [
    h('div', { class: 'page-head' }, h('h1', null, title), editHref ? h('a', { href: editHref, class: 'button secondary' }, t.common.edit) : null),
    queued.pending ? notice('info', h('span', { 'data-testid': 'pending-changes' }, t.common.pendingChanges)) : null,
    queued.attention ? notice('warn', heldChange(t.common.heldChanges, 'held-changes')) : null,
  ].filter((n): n is HTMLElement => n !== null);
}

/**
 * The page of a producer or product that is gone, when the server still shows its trail to this
 * user: what happened to it (deleted, or merged into another — with a link there), by whom and
 * when, and its history. Null when there is no trail to show (the record never was, or was out of
 * this user's scope): the caller shows its usual error.
 */
export async function gonePage(path: string, linkTo: (id: string) => string): Promise<Node | null> {
  let first: EventPage;
  try {
    first = await get<EventPage>(`${path}/events${query({ limit: 50 })}`);
  } catch {
    return null;
  }
  const last = first.items[0];
  if (!last || !last.before) return null;
  const mergedInto = last.action === 'merge' ? (last.after as { mergedInto?: string } | null)?.mergedInto : undefined;
  const when = formatDateTime(last.at);
  const historyBox = h('div');
  loadHistory(historyBox, path, first);
  return h(
    'section',
    { class: 'page' },
    h('h1', null, String(last.before.name ?? '')),
    notice(
      'warn',
      h('p', { 'data-testid': 'gone' }, mergedInto ? t.history.mergedAway(last.actor.username, when) : t.history.deleted(last.actor.username, when)),
      mergedInto ? h('p', null, h('a', { href: linkTo(mergedInto) }, t.history.openMergedInto)) : null,
    ),
    section(t.history.title, historyBox),
  );
}

/** The record at `path`; if the server no longer has it, the page of it gone (see `gonePage`) when there is one to show. */
export async function recordOrGone<T extends object>(path: string, linkTo: (id: string) => string): Promise<T | Node> {
  try {
    return await get<T>(path);
  } catch (e) {
    const gone = e instanceof ApiError && e.status === 404 ? await gonePage(path, linkTo) : null;
    if (gone) return gone;
    throw e;
  }
}

type EventPage = { items: AuditEvent[]; nextCursor?: string | null };

/** Fills `box` with a record's change history (`<path>/events`), newest first, older pages on demand; `first`: its first page, when already read. */
export function loadHistory(box: HTMLElement, path: string, first?: EventPage): void {
  const shown: AuditEvent[] = [];
  const show = (page: EventPage) => {
    shown.push(...page.items);
    const next = page.nextCursor;
    replace(box, historyList(shown), next ? h('button', { type: 'button', class: 'secondary small', onclick: () => void load(next) }, t.common.more) : null);
  };
  const load = (cursor?: string) => get<EventPage>(`${path}/events${query({ limit: 50, cursor })}`).then(show, (e) => replace(box, shown.length ? historyList(shown) : null, loadFailed(e)));
  if (first) show(first);
  else void load();
}

/**
 * Calls `fn` when the outbox sends (in the background) a change whose path `matches`, or the
 * server refuses it, for as long as `el` is on the page: the part of the page it shows is redrawn,
 * so it does not go on showing "waiting", show a refused change as made, or offer a move from a
 * state the record is not in.
 */
export function redrawOnSync(el: HTMLElement, matches: (path: string) => boolean, fn: () => void): void {
  const stop = subscribe((e) => {
    // Only background sends: a change sent while the officer waited is redrawn by the view that sent it.
    if (!el.isConnected || (e.type !== 'synced' && e.type !== 'held') || e.foreground) return;
    // A change queued for a record created offline names it by placeholder until that is sent.
    void pathResolver().then((resolve) => {
      if (el.isConnected && matches(resolve(e.entry.path))) fn();
    });
  });
  // Every navigation draws a new page: this one stops listening.
  window.addEventListener('hashchange', stop, { once: true });
}

/**
 * Sends a write that needs a connection (merging, deleting: not queued in the outbox) after the
 * user confirms `question`; offline, or with no answer, it says a connection is needed. True
 * once the API has done it.
 */
export async function sendConfirmed(question: string, confirmLabel: string, what: string, path: string, opts: { method: string; body?: string }): Promise<boolean> {
  if (!navigator.onLine) return toast(t.common.needsConnection, 'warn'), false;
  if (!(await confirmDialog(question, confirmLabel))) return false;
  try {
    await sendDirect(what, path, opts);
    return true;
  } catch (err) {
    toast(err instanceof NetworkError ? t.common.needsConnection : errorMessage(err), 'warn');
    return false;
  }
}
