import { request } from '../core/api.ts';
import { formatDateTime } from '../core/format.ts';
import { discard, entries, flush, hold, mayHaveReached, retry, subscribe, syncedRecently, useExisting, withdraw, type OutboxEntry } from '../core/outbox.ts';
import type { DuplicateMatch } from '../core/types.ts';
import { messageFor, t, fieldNameOf, wordFieldError } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { go, link } from '../ui/router.ts';
import { chip, confirmDialog, notice, toast } from '../ui/widgets.ts';
import { duplicateList } from './producer-views.ts';

const isCreate = (e: OutboxEntry) => e.kind === 'product.create' || e.kind === 'producer.create';
/** The form that corrects a new record waiting in the outbox. */
const editLink = (e: OutboxEntry) => link(`/${e.kind === 'product.create' ? 'products' : 'producers'}/new?outbox=${encodeURIComponent(e.id)}`);

/** The outbox: what waits to be sent, what needs the officer's decision, and what was sent. */
export async function outboxView(): Promise<Node> {
  const list = h('div');
  const recent = h('div');
  const render = async () => {
    const queued = await entries();
    const blockedIds = new Set<string>();
    for (const e of queued) if (e.state === 'attention' || e.dependsOn.some((d) => blockedIds.has(d))) blockedIds.add(e.id);
    replace(
      list,
      queued.length
        ? h(
            'ol',
            { class: 'outbox', 'data-testid': 'outbox-list' },
            queued.map((e) => item(e, e.state !== 'attention' && blockedIds.has(e.id))),
          )
        : h('p', { class: 'muted', 'data-testid': 'outbox-empty' }, t.outbox.empty),
    );
    const done = await syncedRecently();
    replace(
      recent,
      done.length
        ? h(
            'section',
            { class: 'card' },
            h('h2', null, t.outbox.recent),
            h(
              'ul',
              { class: 'plain' },
              done.slice(0, 10).map((r) => h('li', null, h('strong', null, t.outbox.kinds[r.kind]), `: ${r.label} · `, h('time', { datetime: r.at }, formatDateTime(r.at)), r.replayed ? h('span', { class: 'muted' }, ` ${t.outbox.replayed}`) : null)),
            ),
          )
        : null,
    );
  };

  const item = (e: OutboxEntry, blocked: boolean) => {
    const attention = e.state === 'attention';
    const actions = [];
    if (attention && e.problem) {
      if (e.problem.code === 'DUPLICATE_PRODUCER') {
        const matches = (e.problem.matches ?? []) as DuplicateMatch[];
        actions.push(
          duplicateList(matches, (id) => void useExisting(e, id)),
          h('button', { type: 'button', class: 'secondary', onclick: () => void retry(e, { ...(e.body as object), confirmDistinct: true }) }, t.producer.createAnyway),
        );
      } else if (e.problem.code === 'VERSION_CONFLICT' && e.method !== 'POST') {
        actions.push(
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void rebase(e) },
            t.outbox.reloadAndResend,
          ),
        );
      } else {
        actions.push(h('button', { type: 'button', class: 'secondary', onclick: () => void retry(e) }, t.outbox.resend));
      }
      // A new producer or product can be corrected (a fixed field, another producer) and sent again.
      if (isCreate(e)) actions.push(h('a', { class: 'button secondary', href: editLink(e) }, t.outbox.edit));
      actions.push(h('button', { type: 'button', class: 'danger', onclick: async () => void ((await confirmDialog(mayHaveReached(e) ? t.outbox.withdrawMaybeSent : t.outbox.discardConfirm, t.outbox.discard)) && (await discard(e))) }, t.outbox.discard));
    } else {
      // Still waiting: a new record can be taken aside and corrected before it goes, and any change dropped.
      if (isCreate(e)) {
        actions.push(
          h('button', { type: 'button', class: 'secondary', onclick: async () => ((await hold(e)) ? go(editLink(e)) : toast(t.outbox.alreadySent, 'info')) }, t.outbox.correct),
        );
      }
      actions.push(
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!(await confirmDialog(mayHaveReached(e) ? t.outbox.withdrawMaybeSent : t.outbox.discardConfirm, t.outbox.discard))) return;
              if (!(await withdraw(e))) toast(t.outbox.alreadySent, 'info');
            },
          },
          t.outbox.discard,
        ),
      );
    }
    return h(
      'li',
      { class: attention ? 'attention' : '', 'data-state': e.state },
      h('div', { class: 'row spread' }, h('strong', null, `${t.outbox.kinds[e.kind]}: ${e.label}`), chip(attention ? t.outbox.attention : blocked ? t.outbox.blocked : t.outbox.waiting, attention ? 'rejected' : 'pending')),
      h('p', { class: 'small muted' }, t.outbox.createdAt(formatDateTime(e.createdAt)), e.attempts ? ` · ${t.outbox.attempts(e.attempts)}` : ''),
      attention && e.problem ? notice('error', messageFor(String(e.problem.code), e.problem.title), e.problem.errors?.length ? h('ul', null, e.problem.errors.map((fe) => h('li', null, `${fieldNameOf(fe.path)}: ${wordFieldError(fe)}`))) : null) : null,
      actions.length ? h('div', { class: 'actions' }, actions) : null,
    );
  };

  /** A stale update: read the record's current version and send the same change on top of it. */
  const rebase = async (e: OutboxEntry) => {
    const base = e.path.replace(/\/(accounts|listings)\/[^/]+$/, '');
    let version: number | undefined;
    if (/\/(accounts|listings)\//.test(e.path)) {
      const kind = e.path.includes('/accounts/') ? 'accounts' : 'listings';
      const marketplace = e.path.split('/').at(-1);
      // From the server, never the phone's saved copy: a stale version would only conflict again.
      const res = (await request<{ items: { marketplace: string; version: number }[] }>(`${base}/${kind}`, { fresh: true })).data;
      version = res.items.find((x) => x.marketplace === marketplace)?.version;
    } else version = (await request<{ version: number }>(e.path, { fresh: true })).data.version;
    await retry(e, { ...(e.body as object), version });
  };

  const unsubscribe = subscribe(() => void render());
  window.addEventListener('hashchange', unsubscribe, { once: true });
  await render();
  return h(
    'section',
    { class: 'page' },
    h('h1', null, t.outbox.title),
    h('p', { class: 'muted' }, t.outbox.help),
    h('p', null, h('button', { type: 'button', class: 'primary', onclick: () => void flush() }, t.outbox.sendNow)),
    list,
    recent,
  );
}
