/**
 * The administrator's targets screen (loaded on demand): the targets with where each stands,
 * remove and add in the list, then one PUT that replaces the whole set (all or nothing).
 */
import { targetLimits } from '#shared/field-limits.ts';
import type { Target } from '#shared/schemas/coverage.ts';
import { targetChanges, targetKey } from '#shared/target-rules.ts';
import { ApiError, get, getOptional, keyFor, request } from '../core/api.ts';
import { formatDate, formatNumber, formatPercent, parseAmount, parseDate, parseShare } from '../core/format.ts';
import { communes, loadCommuneIndex, marketplaces } from '../core/reference.ts';
import type { Commune, MarketplaceInfo } from '../core/types.ts';
import { errorMessage, t, wordFieldError } from '../i18n/i18n.ts';
import { h, replace, uid } from '../ui/dom.ts';
import { guardLeaving } from '../ui/router.ts';
import { chip, clearFieldErrors, communePicker, errorBox, field, input, notice, select, setFieldError, toast } from '../ui/widgets.ts';
import { section } from './common.ts';
import { indicatorLabel, targetAmount, targetMarket, targetPlace, type TargetProgress } from './target-words.ts';

/** The indicators offered: ratios of the coverage metrics first (what reports quote), then the counts. */
const indicators = [
  'ocopLive/productsOcop',
  'productsLive/products',
  'productsReady/products',
  'producersWithAccount/producers',
  'producersLive/producers',
  'producersTrained/producers',
  'productsOcop/products',
  'producers',
  'producersTrained',
  'producersWithAccount',
  'producersLive',
  'products',
  'productsOcop',
  'productsReady',
  'productsLive',
  'ocopLive',
] as const;

type Unit = Target['unit'];

export async function targetsView(): Promise<Node> {
  const [saved, markets, list] = await Promise.all([get<{ items: Target[] }>('/targets'), marketplaces(), communes(), loadCommuneIndex()]);
  let baseline = saved.items;
  let working = [...saved.items];
  let standing = new Map<string, TargetProgress>();
  /** Takes away the "added; press Save" toasts, which no longer hold once the list is saved. */
  let dismissAdded: (() => void)[] = [];
  const tableBox = h('div', { class: 'table-wrap' });
  const status = h('p', { class: 'small', 'aria-live': 'polite', 'data-testid': 'targets-status' });
  const box = errorBox();
  const saveBtn = h('button', { type: 'button', class: 'primary' }, t.admin.targets.save);
  /** Additions, changes and removals in the list not saved yet. */
  const unsavedCount = () => {
    const { removed, written } = targetChanges(baseline, working);
    return removed.length + written.length;
  };
  const label = (tg: Target) => `${indicatorLabel(tg.indicator)} · ${targetPlace(tg.scope)} · ${targetMarket(tg.marketplace, markets)} · ${formatDate(tg.period)}`;

  /** Where each saved target stands now (the province report); without it the column says "—". */
  const loadStanding = async () => {
    const report = await getOptional<{ targets?: TargetProgress[] }>('/coverage?by=province').catch(() => null);
    standing = new Map((report?.targets ?? []).map((tg) => [targetKey(tg), tg]));
  };

  const draw = () => {
    const savedByKey = new Map(baseline.map((tg) => [targetKey(tg), tg]));
    replace(
      tableBox,
      working.length
        ? h(
            'table',
            { class: 'stacked', 'data-testid': 'targets' },
            h('caption', { class: 'visually-hidden' }, t.admin.targets.list),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [t.admin.targets.indicator, t.admin.targets.scope, t.admin.targets.marketplace, t.admin.targets.periodShort, t.admin.targets.value, t.admin.targets.standing, t.admin.targets.actions].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              working.map((tg) => {
                const key = targetKey(tg);
                const now = standing.get(key);
                const saved = savedByKey.get(key);
                // Not saved as it reads: new, or put back with another value (after "Bỏ"). Where it stands is measured against the value shown.
                const unsaved = !saved || saved.unit !== tg.unit || saved.value !== tg.value;
                const share = formatPercent(now?.current, tg.value);
                return h(
                  'tr',
                  { 'data-key': key },
                  h('th', { scope: 'row' }, indicatorLabel(tg.indicator), unsaved ? [' ', chip(t.admin.targets.unsavedRow, 'pending')] : null),
                  h('td', { 'data-label': t.admin.targets.scope }, targetPlace(tg.scope)),
                  h('td', { 'data-label': t.admin.targets.marketplace }, targetMarket(tg.marketplace, markets)),
                  h('td', { 'data-label': t.admin.targets.periodShort }, formatDate(tg.period)),
                  h('td', { class: 'num', 'data-label': t.admin.targets.value }, targetAmount(tg.value, tg.unit)),
                  h('td', { 'data-label': t.admin.targets.standing }, now ? t.dashboard.targetProgress(targetAmount(now.current, tg.unit), targetAmount(tg.value, tg.unit), share) : '—'),
                  h(
                    'td',
                    null,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger small',
                        'aria-label': t.admin.targets.removeLabel(label(tg)),
                        onclick: () => {
                          const i = working.indexOf(tg);
                          working = working.filter((x) => x !== tg);
                          draw();
                          // Focus stays in the table: on the next row's button, else the previous one, else Save.
                          const buttons = tableBox.querySelectorAll<HTMLElement>('tbody button');
                          (buttons[Math.min(i, buttons.length - 1)] ?? saveBtn).focus();
                        },
                      },
                      t.admin.targets.remove,
                    ),
                  ),
                );
              }),
            ),
          )
        : h('p', { class: 'muted' }, t.admin.targets.empty),
    );
    const changes = unsavedCount();
    status.textContent = changes ? t.admin.targets.unsaved(changes) : '';
  };

  saveBtn.addEventListener('click', async () => {
    box.hidden = true;
    const { removed, written } = targetChanges(baseline, working);
    if (!removed.length && !written.length) {
      toast(t.admin.targets.noChanges, 'info');
      return;
    }
    const local = working.length > targetLimits.count ? t.admin.targets.tooMany(targetLimits.count) : removed.length + written.length > targetLimits.changesPerPut ? t.fieldRules.too_many_changes(targetLimits.changesPerPut) : null;
    if (local) return showProblem(box, local, []);
    saveBtn.disabled = true;
    try {
      const sent = working;
      const payload = JSON.stringify({ items: sent });
      const res = await request<{ items: Target[] }>('/targets', { method: 'PUT', body: payload, idempotencyKey: keyFor(payload) });
      baseline = res.data.items;
      working = [...res.data.items];
      await loadStanding();
      draw();
      for (const dismiss of dismissAdded) dismiss();
      dismissAdded = [];
      toast(t.admin.targets.saved);
    } catch (err) {
      // Each refused target by its number and words (items.3 → "Chỉ tiêu số 4 (…)").
      const lines =
        err instanceof ApiError
          ? (err.problem.errors ?? []).map((fe) => {
              const m = /^items\.(\d+)/.exec(fe.path);
              const tg = m ? working[Number(m[1])] : undefined;
              return tg ? `${t.admin.targets.item(Number(m![1]) + 1, label(tg))}: ${wordFieldError(fe)}` : wordFieldError(fe);
            })
          : [];
      showProblem(box, errorMessage(err), lines);
    } finally {
      saveBtn.disabled = false;
    }
  });

  await loadStanding();
  draw();
  const page = h(
    'section',
    { class: 'page wide' },
    h('h1', null, t.admin.targets.title),
    notice('info', t.admin.targets.help),
    section(t.admin.targets.list, tableBox, status, box, h('div', { class: 'actions' }, saveBtn)),
    section(
      t.admin.targets.add,
      addForm(list, markets, (tg) => {
        if (working.some((x) => targetKey(x) === targetKey(tg))) return t.fieldRules.duplicate_target(0);
        working = [...working, tg];
        draw();
        dismissAdded.push(toast(t.admin.targets.added, 'info'));
        return null;
      }),
    ),
  );
  guardLeaving(page, () => (unsavedCount() ? t.admin.targets.leaveUnsaved(unsavedCount()) : null));
  return page;
}

function showProblem(box: HTMLElement, message: string, lines: string[]): void {
  replace(box, h('p', null, message), lines.length ? h('ul', null, lines.map((l) => h('li', null, l))) : null);
  box.hidden = false;
  box.focus();
}

/** The form that adds one target to the list; `add` answers why it could not (a duplicate), or null. */
function addForm(list: readonly Commune[], markets: MarketplaceInfo[], add: (tg: Target) => string | null): HTMLElement {
  const box = errorBox();
  const indicator = select(
    indicators.map((i) => [i, indicatorLabel(i)]),
    { name: 'indicator' },
  );
  const unitFor = (i: string): Unit => (i.includes('/') ? 'percent' : 'count');
  const unit = select(
    (['percent', 'count'] as const).map((u) => [u, t.admin.targets.units[u]]),
    // The unit follows the indicator (a ratio is a share, a metric a number); the API refuses any other pair.
    { name: 'unit', value: unitFor(indicator.value), disabled: true },
  );
  indicator.addEventListener('change', () => (unit.value = unitFor(indicator.value)));
  const market = select([['all', t.dashboard.anyMarketplace], ...markets.map((m) => [m.id, m.name] as [string, string])], { name: 'marketplace' });
  const period = input({ name: 'period', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', value: formatDate(`${new Date().getFullYear()}-12-31`), autocomplete: 'off' });
  const value = input({ name: 'value', inputmode: 'decimal', autocomplete: 'off' });
  const commune = communePicker(list, { name: 'scopeCommune', label: t.admin.targets.commune, hint: t.producer.communeHint, required: true });
  const radio = (v: 'province' | 'commune', text: string, checked: boolean) => {
    const id = uid('scope');
    return h('div', { class: 'radio' }, h('input', { type: 'radio', id, name: 'scope', value: v, checked, onchange: () => (commune.hidden = v !== 'commune') }), h('label', { for: id }, text));
  };
  commune.hidden = true;
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field(t.admin.targets.indicator, indicator, { path: 'indicator' }),
    h('fieldset', { class: 'field', 'data-path': 'scope' }, h('legend', null, t.admin.targets.scope), radio('province', t.scope.province, true), radio('commune', t.admin.targets.scopeCommune, false)),
    commune,
    field(t.admin.targets.marketplace, market, { path: 'marketplace' }),
    field(t.admin.targets.period, period, { required: true, path: 'period' }),
    field(t.admin.targets.unit, unit, { path: 'unit' }),
    field(t.admin.targets.value, value, { required: true, path: 'value' }),
    box,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, t.admin.targets.addToList)),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    box.hidden = true;
    const data = new FormData(form);
    const scope = data.get('scope') === 'commune' ? String(data.get('scopeCommune') ?? '') : 'province';
    const day = parseDate(period.value);
    const raw = value.value.trim();
    const percent = unit.value === 'percent';
    const amount = percent ? parseShare(raw) : parseAmount(raw);
    const max = percent ? 100 : targetLimits.value.max;
    const errors: [string, string][] = [];
    if (!scope) errors.push(['scopeCommune', t.fieldRules.required(0)]);
    if (!day) errors.push(['period', t.fields.date]);
    if (amount === null || !Number.isFinite(amount) || amount < targetLimits.value.min || amount > max) errors.push(['value', amount === null ? t.fieldRules.required(0) : percent ? t.admin.targets.shareRange : t.admin.targets.valueRange(formatNumber(max))]);
    for (const [path, message] of errors) setFieldError(form, path, message);
    if (errors.length) {
      form.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
      return;
    }
    const refused = add({ indicator: indicator.value, period: day!, scope, marketplace: market.value, unit: unit.value as Unit, value: amount! });
    if (refused) {
      replace(box, h('p', null, refused));
      box.hidden = false;
      box.focus();
      return;
    }
    value.value = '';
    value.focus();
  });
  return form;
}
