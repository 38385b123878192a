import { producerLimits } from '#shared/field-limits.ts';
import { numberSearch } from '#shared/contact-rules.ts';
import { allowedAccountMoves } from '#shared/onboarding-rules.ts';
import { ApiError, get, getOptional, getPage, query } from '../core/api.ts';
import { can, me, scopeCommunes } from '../core/app-state.ts';
import { formatDate, today } from '../core/format.ts';
import { entries, retry, submit, type OutboxEntry } from '../core/outbox.ts';
import { refToken } from '../core/outbox-rules.ts';
import { communeByCode, communes, loadCommuneIndex, marketplaces } from '../core/reference.ts';
import type { Account, AccountStatus, Commune, DuplicateMatch, Page, Producer, ProducerCreate, Product } from '../core/types.ts';
import { isCitizenId, isPhone, isTaxCode, normalisePhone } from '../core/validate.ts';
import { errorMessage, t, wordFieldError } from '../i18n/i18n.ts';
import { h, replace, uid } from '../ui/dom.ts';
import { go, link, type Route } from '../ui/router.ts';
import { formPage, type FormGuard } from '../ui/form-state.ts';
import { chip, clearFieldErrors, communePicker, confirmDialog, dialog, errorBox, field, input, notice, select, setFieldError, showError, toast } from '../ui/widgets.ts';
import { addressInput, facts, readEventDate, isMissingRoute, loadFailed, outboxNow, putInOrder, queuedStatus, heldChange, marketplaceUrl, waitingCard, waitingProducts, section, sendConfirmed, withQueuedChanges, focusMarketplace, recordHead, loadHistory, redrawOnSync, recordOrGone } from './common.ts';

type ProducerKind = Producer['kind'];
const kinds: readonly ProducerKind[] = ['household', 'cooperative', 'cooperative_group', 'enterprise'];

/** Producers captured offline and still in the outbox, shown alongside the list. */
export async function pendingProducers(): Promise<OutboxEntry[]> {
  return (await entries()).filter((e) => e.kind === 'producer.create');
}

function communeName(code: string): string {
  return communeByCode(code)?.fullName ?? code;
}

/** Communes for filters and pickers: the officer's own, or all. */
async function communesInScope(): Promise<Commune[]> {
  const all = await communes();
  const scope = scopeCommunes();
  return scope === null || me()?.role !== 'officer' ? all : all.filter((c) => scope.includes(c.code));
}

export async function producerListView(r: Route): Promise<Node> {
  await loadCommuneIndex().catch(() => undefined);
  const list = h('ul', { class: 'cards', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.common.more);
  const status = h('div');
  const q = input({ type: 'search', name: 'q', value: r.query.get('q') ?? '', autocomplete: 'off' });
  const communeOptions = await communesInScope().catch(() => []);
  const commune = select([['', t.common.all], ...communeOptions.map((c) => [c.code, c.fullName] as [string, string])], { name: 'communeCode', value: r.query.get('communeCode') ?? '' });
  let cursor: string | null = null;
  let seq = 0;

  const card = (p: Producer) =>
    h(
      'li',
      null,
      h('a', { href: link(`/producers/${p.id}`), class: 'card-link' }, h('strong', null, p.name), h('span', { class: 'muted' }, `${t.producer.kinds[p.kind]} · ${p.communeName}`), h('span', { class: 'muted small' }, `${t.producer.productCount}: ${p.productCount}${p.phone ? ` · ${p.phone}` : ''}`)),
    );

  let reading: AbortController | undefined;
  const load = async (append: boolean) => {
    const mySeq = ++seq;
    // A load for another search stops the one before (which may be looking far for a rare name).
    reading?.abort();
    const controller = (reading = new AbortController());
    const params = { q: q.value.trim() || undefined, communeCode: commune.value || undefined };
    // A phone, tax code or citizen ID searched for stays out of the address (and so out of the browser's history).
    history.replaceState(history.state, '', `#/producers${query({ ...params, q: numberSearch(params.q ?? '') ? undefined : params.q })}`);
    if (!append) {
      cursor = null;
      more.hidden = true;
      replace(status);
      // Producers captured offline are shown first, whether or not the list can be loaded.
      const pending = (await pendingProducers()).filter((e) => !params.communeCode || (e.body as ProducerCreate).communeCode === params.communeCode);
      if (mySeq !== seq) return;
      replace(
        list,
        pending.map((e) =>
          waitingCard(
            'pending-producer',
            e.label,
            [h('span', { class: 'muted' }, communeName((e.body as ProducerCreate).communeCode))],
            can.writeProducts() ? h('a', { href: link(`/products/new?producer=${encodeURIComponent(refToken(e.id))}`), class: 'small' }, t.producer.addProduct) : null,
          ),
        ),
      );
    }
    try {
      const page = await getPage<Producer>('/producers', params, { limit: 25, cursor: append ? cursor : undefined, signal: controller.signal });
      if (mySeq !== seq) return;
      list.append(...page.items.map(card));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      if (mySeq === seq) replace(status, loadFailed(e));
    }
    // Nothing for a search or a commune is no match, not an empty register.
    if (!list.children.length) list.append(h('li', { class: 'muted' }, params.q || params.communeCode ? t.producer.noMatch : t.producer.empty));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(false), 300);
  });
  commune.addEventListener('change', () => void load(false));
  more.addEventListener('click', () => void load(true));
  await load(false);
  return h(
    'section',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, t.producer.list), can.writeProducers() ? h('a', { href: link('/producers/new'), class: 'button primary' }, t.producer.new) : null),
    // A cooperative sees its own producer alone: a search or a commune would narrow nothing.
    me()?.role === 'cooperative' ? null : h('form', { class: 'filters', role: 'search', onsubmit: (e: Event) => (e.preventDefault(), void load(false)) }, field(t.producer.searchLabel, q, { hint: me()?.role === 'department' ? t.producer.searchHintTaxCode : t.producer.searchHint }), field(t.producer.commune, commune)),
    status,
    list,
    more,
  );
}

/** Reads the producer form into an API body; marks invalid fields and returns null when something is wrong. */
function readProducerForm(form: HTMLFormElement): ProducerCreate | null {
  clearFieldErrors(form);
  const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
  let ok = true;
  const fail = (path: string, message: string) => {
    setFieldError(form, path, message);
    ok = false;
  };
  const body: Record<string, unknown> = { kind: v('kind'), name: v('name'), communeCode: v('communeCode') };
  if (!body.name) fail('name', t.fields.required);
  if (!body.communeCode) fail('communeCode', t.fields.notChosen);
  for (const key of ['representative', 'address'] as const) if (v(key)) body[key] = v(key);
  if (v('phone')) {
    if (isPhone(v('phone'))) body.phone = normalisePhone(v('phone'));
    else fail('phone', t.fields.phone);
  }
  if (v('taxCode')) {
    if (isTaxCode(v('taxCode'))) body.taxCode = v('taxCode');
    else fail('taxCode', t.fields.taxCode);
  }
  if (v('citizenId')) {
    if (isCitizenId(v('citizenId'))) body.citizenId = v('citizenId');
    else fail('citizenId', t.fields.citizenId);
  }
  if (v('trainingDate')) {
    const d = readEventDate(v('trainingDate'));
    if ('date' in d) body.trainingDate = d.date;
    else fail('trainingDate', d.error);
  }
  const basis = (form.elements.namedItem('legalBasis.type') as RadioNodeList).value;
  if (basis === 'consent') {
    const d = readEventDate(v('legalBasis.consentDate'));
    if ('date' in d) body.legalBasis = { type: 'consent', consentDate: d.date };
    else fail('legalBasis.consentDate', d.error);
  } else body.legalBasis = { type: 'state_management' };
  const lat = v('location.lat');
  const lng = v('location.lng');
  if (lat && lng) body.location = { lat: Number(lat), lng: Number(lng) };
  return ok ? (body as ProducerCreate) : null;
}

export async function producerFormView(r: Route): Promise<Node> {
  const editing = r.params.id ? (await withQueuedChanges(await get<Producer>(`/producers/${r.params.id}`), `/producers/${r.params.id}`)).record : null;
  // A new producer still in the outbox (refused): corrected here and sent again.
  const outboxId = r.query.get('outbox');
  const queued = outboxId && !editing ? ((await entries()).find((e) => e.id === outboxId && e.kind === 'producer.create') ?? null) : null;
  const all = await communes();
  const scope = scopeCommunes();
  const pickable = scope === null ? all : all.filter((c) => scope.includes(c.code));
  return formPage(editing ? t.producer.edit : t.producer.new, editing, (record, guard) => producerForm(record, queued, pickable, guard), editing ? `/producers/${editing.id}` : undefined);
}

/** The producer form, for a new producer (`queued`: one waiting in the outbox, to correct) or to edit `editing`. */
function producerForm(editing: Producer | null, queued: OutboxEntry | null, pickable: Commune[], guard: FormGuard): HTMLFormElement {
  const initial: (Partial<Producer> & { citizenId?: string }) | null = editing ?? (queued?.body as (Partial<Producer> & { citizenId?: string }) | undefined) ?? null;
  const box = errorBox();
  const dup = h('div');
  const submitBtn = h('button', { type: 'submit', class: 'primary' }, t.common.save);
  const isConsent = initial?.legalBasis ? initial.legalBasis.type === 'consent' : true;
  const consentDate = input({ name: 'legalBasis.consentDate', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', value: formatDate(initial?.legalBasis?.type === 'consent' ? initial.legalBasis.consentDate : today()) });
  const consentField = field(t.producer.consentDate, consentDate, { path: 'legalBasis.consentDate' });
  consentField.hidden = !isConsent;
  const lat = h('input', { type: 'hidden', name: 'location.lat', value: initial?.location?.lat ?? '' });
  const lng = h('input', { type: 'hidden', name: 'location.lng', value: initial?.location?.lng ?? '' });
  const locText = h('span', { class: 'muted', 'aria-live': 'polite' }, initial?.location ? `${initial.location.lat.toFixed(5)}, ${initial.location.lng.toFixed(5)}` : t.producer.locationNone);
  // A position laid over the form from elsewhere (see carryChanges) is shown too.
  for (const el of [lat, lng]) el.addEventListener('change', () => (locText.textContent = lat.value ? `${lat.value}, ${lng.value}` : t.producer.locationNone));
  // Only the last 4 digits are kept: a correction is a new number typed in, a removal says so.
  const removeCitizenIdId = uid('cid');
  const removeCitizenId = h('div', { class: 'check' }, h('input', { type: 'checkbox', id: removeCitizenIdId, name: 'citizenIdRemove' }), h('label', { for: removeCitizenIdId }, t.producer.citizenIdRemove));
  const radioName = 'legalBasis.type';
  const radio = (value: string, label: string, checked: boolean) => {
    const id = uid('r');
    return h('div', { class: 'radio' }, h('input', { type: 'radio', id, name: radioName, value, checked, onchange: () => (consentField.hidden = value !== 'consent') }), h('label', { for: id }, label));
  };

  const form = h(
    'form',
    { class: 'stack card', novalidate: true },
    field(t.producer.kind, select(kinds.map((k) => [k, t.producer.kinds[k]]), { name: 'kind', value: initial?.kind ?? 'household' }), { path: 'kind' }),
    field(t.producer.name, input({ name: 'name', value: initial?.name ?? '', autocomplete: 'off', maxlength: producerLimits.name }), { required: true, path: 'name' }),
    communePicker(pickable, { name: 'communeCode', label: t.producer.commune, value: initial?.communeCode, required: true, hint: `${t.producer.communeHint}${me()?.role === 'officer' ? ` ${t.producer.communeOutOfScope}` : ''}` }),
    field(t.producer.representative, input({ name: 'representative', value: initial?.representative ?? '', autocomplete: 'off', maxlength: producerLimits.representative }), { path: 'representative' }),
    field(t.producer.phone, input({ name: 'phone', type: 'tel', inputmode: 'tel', value: initial?.phone ?? '', autocomplete: 'off' }), { path: 'phone' }),
    field(t.producer.taxCode, input({ name: 'taxCode', inputmode: 'numeric', value: initial?.taxCode ?? '', autocomplete: 'off' }), { path: 'taxCode' }),
    field(t.producer.citizenId, input({ name: 'citizenId', inputmode: 'numeric', autocomplete: 'off', value: editing ? '' : (initial?.citizenId ?? '') }), { path: 'citizenId', hint: editing?.citizenIdLast4 ? t.producer.citizenIdEditHint(editing.citizenIdLast4) : t.producer.citizenIdHint }),
    editing?.citizenIdLast4 ? removeCitizenId : null,
    field(t.producer.address, input({ name: 'address', value: initial?.address ?? '', autocomplete: 'off', maxlength: producerLimits.address }), { path: 'address' }),
    h('fieldset', { class: 'field', 'data-path': 'legalBasis' }, h('legend', null, t.producer.legalBasis), radio('consent', t.producer.consent, isConsent), radio('state_management', t.producer.stateManagement, !isConsent), h('p', { class: 'field-error', hidden: true })),
    consentField,
    field(t.producer.trainingDate, input({ name: 'trainingDate', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', value: initial?.trainingDate ? formatDate(initial.trainingDate) : '' }), { path: 'trainingDate' }),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'label' }, t.producer.location),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', onclick: () => locate() }, t.producer.getLocation), locText),
      lat,
      lng,
    ),
    box,
    dup,
    h('div', { class: 'actions' }, submitBtn, h('a', { href: editing ? link(`/producers/${editing.id}`) : link('/producers'), class: 'button secondary' }, t.common.cancel)),
  );

  const locate = () =>
    navigator.geolocation?.getCurrentPosition(
      (pos) => {
        lat.value = String(Math.round(pos.coords.latitude * 1e6) / 1e6);
        lng.value = String(Math.round(pos.coords.longitude * 1e6) / 1e6);
        locText.textContent = `${lat.value}, ${lng.value}`;
      },
      () => (locText.textContent = t.producer.locationFailed),
      { enableHighAccuracy: true, timeout: 15_000 },
    );

  const send = async (body: ProducerCreate & { confirmDistinct?: boolean }) => {
    // From here what was typed is saved, or kept in the outbox: leaving loses nothing.
    guard.sending(true);
    submitBtn.disabled = true;
    submitBtn.textContent = t.common.saving;
    replace(dup);
    try {
      if (editing) {
        const patch: Record<string, unknown> = { version: editing.version };
        for (const key of ['kind', 'name', 'communeCode', 'legalBasis'] as const) if (JSON.stringify(body[key]) !== JSON.stringify(editing[key])) patch[key] = body[key];
        for (const key of ['representative', 'phone', 'taxCode', 'address', 'trainingDate', 'location'] as const) {
          const next = body[key] ?? null;
          if (JSON.stringify(next) !== JSON.stringify(editing[key] ?? null)) patch[key] = next;
        }
        if (body.citizenId) patch.citizenId = body.citizenId;
        else if ((form.elements.namedItem('citizenIdRemove') as HTMLInputElement | null)?.checked) patch.citizenId = null;
        if (Object.keys(patch).length === 1) {
          go(`#/producers/${editing.id}`);
          return;
        }
        // After changes still waiting for this producer, in order: the version is the one the last of them produces.
        const out = await putInOrder<Producer>({ kind: 'producer.update', method: 'PATCH', path: `/producers/${editing.id}`, body: patch, label: body.name }, editing.version, form);
        toast(out.state === 'synced' ? t.producer.saved : t.producer.queued, out.state === 'synced' ? 'ok' : 'info');
        go(`#/producers/${editing.id}`);
        return;
      }
      if (queued) {
        await retry({ ...queued, label: body.name }, body);
        toast(t.producer.queued, 'info');
        go('#/outbox');
        return;
      }
      const out = await submit<Producer>({ kind: 'producer.create', method: 'POST', path: '/producers', body, label: body.name }, { owner: form });
      if (out.state === 'synced') {
        toast(t.producer.saved);
        go(`#/producers/${out.data.id}`);
      } else {
        toast(t.producer.queued, 'info');
        go('#/producers');
      }
    } catch (err) {
      guard.sending(false);
      if (err instanceof ApiError && err.code === 'DUPLICATE_PRODUCER') showDuplicates(body, (err.problem.matches ?? []) as DuplicateMatch[]);
      else if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') guard.conflict(box);
      else showError(form, box, err);
    } finally {
      submitBtn.disabled = false;
      submitBtn.textContent = t.common.save;
    }
  };

  const showDuplicates = (body: ProducerCreate, matches: DuplicateMatch[]) => {
    replace(
      dup,
      notice(
        'warn',
        h('h2', null, t.producer.duplicateTitle),
        h('p', null, t.producer.duplicateHelp),
        duplicateList(matches),
        h('button', { type: 'button', class: 'secondary', onclick: () => void send({ ...body, confirmDistinct: true }) }, t.producer.createAnyway),
      ),
    );
    dup.querySelector('h2')?.setAttribute('tabindex', '-1');
    (dup.querySelector('h2') as HTMLElement | null)?.focus();
  };

  // What the server refused last time (a waiting entry opened to be corrected), marked on its field.
  for (const fe of queued?.problem?.errors ?? []) setFieldError(form, fe.path, wordFieldError(fe));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    box.hidden = true;
    const body = readProducerForm(form);
    if (!body) {
      (form.querySelector('[aria-invalid=true]') as HTMLElement | null)?.focus();
      return;
    }
    void send(body);
  });
  return form;
}

/** The likely duplicates the API found, with a link where the match is in the user's scope and, given `action`, a button for it. */
export function duplicateList(matches: DuplicateMatch[], onUse?: (id: string) => void, action: { label: string; ariaLabel?: (name: string) => string } = { label: t.producer.useExisting }): HTMLElement {
  return h(
    'ul',
    { class: 'dups' },
    matches.map((m) =>
      h(
        'li',
        null,
        h('strong', null, m.name ?? t.producer.outsideScope),
        m.communeCode ? ` · ${communeName(m.communeCode)} · ` : ' · ',
        m.matchedOn.map((k) => t.producer.matchedOn[k]).join(', '),
        m.id ? h('span', { class: 'row' }, h('a', { href: link(`/producers/${m.id}`) }, t.producer.open), onUse ? h('button', { type: 'button', class: 'secondary small', 'aria-label': action.ariaLabel?.(m.name ?? ''), onclick: () => onUse(m.id!) }, action.label) : null) : null,
      ),
    ),
  );
}

export async function producerView(r: Route): Promise<Node> {
  await loadCommuneIndex().catch(() => undefined);
  const found = await recordOrGone<Producer>(`/producers/${r.params.id}`, (id) => link(`/producers/${id}`));
  if (found instanceof Node) return found;
  const { record: p, ...queued } = await withQueuedChanges(found, `/producers/${r.params.id}`);
  const productsBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const accountsBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const historyBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));

  // Its products registered offline and not sent yet come first (the server's list cannot have them, offline or not).
  const showProducts = async () => {
    const [waiting, read] = await Promise.all([
      entries().then((all) => waitingProducts(all, p.id)),
      get<Page<Product>>(`/products${query({ producerId: p.id, limit: 100 })}`).then((page) => ({ items: page.items, error: null }), (error: unknown) => ({ items: [] as Product[], error })),
    ]);
    const { items, error } = read;
    replace(
      productsBox,
      waiting.length || items.length
        ? h(
            'ul',
            { class: 'cards' },
            waiting.map((e) => waitingCard('pending-product', e.label, [])),
            items.map((x) => h('li', null, h('a', { href: link(`/products/${x.id}`), class: 'card-link' }, h('strong', null, x.name), h('span', { class: 'muted' }, `${t.product.groups[x.ocopGroup]} · ${t.product.starsValue(x.ocopStars)}`)))),
          )
        : null,
      error ? loadFailed(error) : waiting.length || items.length ? null : h('p', { class: 'muted' }, t.product.empty),
    );
  };
  void showProducts();
  // One of them sent in the background: listed from the server now.
  redrawOnSync(productsBox, (path) => path === '/products', () => void showProducts());
  const duplicatesBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  if (can.writeProducers()) void renderDuplicates(duplicatesBox, p);
  void renderAccounts(accountsBox, p);
  redrawOnSync(accountsBox, (path) => path.startsWith(`/producers/${p.id}/accounts/`), () => void renderAccounts(accountsBox, p));
  loadHistory(historyBox, `/producers/${p.id}`);

  return h(
    'section',
    { class: 'page' },
    ...recordHead(p.name, can.writeProducers() ? link(`/producers/${p.id}/edit`) : null, queued),
    h(
      'div',
      { class: 'card' },
      facts([
        [t.producer.kind, t.producer.kinds[p.kind]],
        [t.producer.commune, p.communeName],
        [t.producer.representative, p.representative],
        [t.producer.phone, p.phone],
        [t.producer.taxCode, p.taxCode],
        [t.producer.citizenId, p.citizenIdLast4 ? `****${p.citizenIdLast4}` : undefined],
        [t.producer.address, p.address],
        [t.producer.legalBasis, p.legalBasis.type === 'consent' ? `${t.producer.consent} (${formatDate(p.legalBasis.consentDate)})` : t.producer.stateManagement],
        [t.producer.trainingDate.replace(/ \(.*\)$/, ''), p.trainingDate ? formatDate(p.trainingDate) : undefined],
        [t.producer.location, p.location ? `${p.location.lat}, ${p.location.lng}` : undefined],
      ]),
    ),
    section(t.producer.products, can.writeProducts() ? h('p', null, h('a', { href: link(`/products/new?producer=${p.id}`), class: 'button primary' }, t.producer.addProduct)) : null, productsBox),
    section(t.account.title, h('p', { class: 'muted small' }, t.account.hint), accountsBox),
    can.writeProducers() ? section(t.producer.duplicatesTitle, h('p', { class: 'muted small' }, t.producer.duplicatesHint), duplicatesBox) : null,
    section(t.history.title, historyBox),
    can.writeProducers() ? removeProducer(p) : null,
  );
}

/** Likely duplicates of this producer; one in the user's scope can be merged into it. */
async function renderDuplicates(box: HTMLElement, p: Producer): Promise<void> {
  let matches: DuplicateMatch[];
  try {
    matches = (await get<{ items: DuplicateMatch[] }>(`/producers/${p.id}/duplicates`)).items;
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  const merge = async (sourceId: string) => {
    const match = matches.find((m) => m.id === sourceId);
    const source = match?.name ?? '';
    // The duplicate as shown: if it changed since, the merge is refused rather than taking what nobody reviewed.
    const body = JSON.stringify({ sourceId, version: p.version, sourceVersion: match?.version });
    if (!(await sendConfirmed(t.producer.confirmMerge(source, p.name, match?.userCount ?? 0), t.producer.mergeHere, `merge|${p.id}|${body}`, `/producers/${p.id}/merge`, { method: 'POST', body }))) return;
    toast(t.producer.merged(source));
    go(`#/producers/${p.id}`);
  };
  replace(box, matches.length ? duplicateList(matches, (id) => void merge(id), { label: t.producer.mergeHere, ariaLabel: t.producer.mergeLabel }) : h('p', { class: 'muted' }, t.producer.noDuplicates));
}

/** Deleting the producer: only one without products (the API refuses otherwise), after confirming. */
function removeProducer(p: Producer): HTMLElement {
  const button = h('button', { type: 'button', class: 'danger', disabled: p.productCount > 0 }, t.producer.remove);
  button.addEventListener('click', async () => {
    if (!(await sendConfirmed(t.producer.confirmRemove(p.name), t.producer.remove, `producer.delete|${p.id}`, `/producers/${p.id}`, { method: 'DELETE' }))) return;
    toast(t.producer.removed(p.name));
    go('#/producers');
  });
  return h('div', { class: 'actions danger-zone' }, button, p.productCount > 0 ? h('p', { class: 'hint' }, t.producer.removeHint) : null);
}

/** Seller accounts board: one row per marketplace, with the next allowed step as a button. */
async function renderAccounts(box: HTMLElement, p: Producer): Promise<void> {
  let accounts: { items: Account[] } | null;
  try {
    accounts = await getOptional<{ items: Account[] }>(`/producers/${p.id}/accounts`);
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  if (!accounts) {
    replace(box, notice('info', t.common.unavailable));
    return;
  }
  const [markets, queue] = await Promise.all([marketplaces(), outboxNow()]);
  const byMarket = new Map(accounts.items.map((a) => [a.marketplace, a]));
  const rows = await Promise.all(
    markets.map(async (m) => {
      const path = `/producers/${p.id}/accounts/${m.id}`;
      const acc = byMarket.get(m.id);
      const queued = await queuedStatus<AccountStatus>(path, acc?.status ?? 'none', queue);
      const status = queued.status ?? 'none';
      const moves = allowedAccountMoves(status);
      return h(
        'li',
        { class: 'market', 'data-marketplace': m.id, 'data-status': status },
        h('div', { class: 'row spread' }, h('h3', null, m.name), chip(t.account.statuses[status], `acc-${status}`)),
        queued.pending ? h('p', { class: 'small muted' }, t.listing.pendingChange) : null,
        queued.attention ? h('p', { class: 'small' }, heldChange(t.listing.heldChange, 'held-change')) : null,
        acc?.shopUrl ? h('p', { class: 'small' }, h('a', { href: acc.shopUrl, rel: 'noopener', target: '_blank' }, acc.shopUrl)) : null,
        h(
          'div',
          { class: 'actions' },
          can.writeOnboarding()
            ? moves.map((to) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: to === 'none' ? 'secondary small' : 'small',
                    onclick: async () => {
                      let shopUrl: string | undefined;
                      if (to === 'none') {
                        if (!(await confirmDialog(t.account.confirmClose(m.name), t.account.close))) return;
                      } else {
                        const urlInput = addressInput({ name: 'shopUrl', value: acc?.shopUrl ?? '', placeholder: m.url });
                        const res = await dialog(`${m.name}: ${t.account.statuses[to]}`, [field(`${t.account.shopUrl} ${t.common.optional}`, urlInput, { path: 'shopUrl', hint: m.domains.join(', ') })], {
                          submitLabel: t.listing.confirm,
                          // A wrong address is caught here, with what was typed still in the field (the server refuses it too).
                          onSubmit: (f) => {
                            const typed = urlInput.value.trim();
                            const url = typed ? marketplaceUrl(m, typed) : '';
                            if (url === null) return setFieldError(f, 'shopUrl', t.account.shopUrlWrong(m.domains.join(', '))), null;
                            return { url };
                          },
                        });
                        if (!res) return;
                        shopUrl = res.url || undefined;
                      }
                      try {
                        const out = await putInOrder<Account>({ kind: 'account.set', method: 'PUT', path, label: `${p.name} · ${m.name}: ${t.account.statuses[to]}`, body: { status: to, ...(shopUrl ? { shopUrl } : {}) } }, acc?.version, box);
                        if (out.state === 'queued') toast(t.common.queued, 'info');
                      } catch (err) {
                        toast(errorMessage(err), 'warn');
                      }
                      await renderAccounts(box, { ...p });
                      focusMarketplace(box, m.id);
                    },
                  },
                  to === 'none' ? t.account.close : t.account.moveTo(t.account.statuses[to]),
                ),
              )
            : null,
        ),
      );
    }),
  );
  replace(box, h('ul', { class: 'markets', 'data-testid': 'accounts' }, rows));
}

