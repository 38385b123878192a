import { productLimits } from '#shared/field-limits.ts';
import { allowedListingMoves, accountAllowsLiveListing, photosForMarketplace, readinessFor } from '#shared/onboarding-rules.ts';
import { ApiError, NetworkError, get, getAll, getOptional, getPage, hasRoute, query, sendDirect } from '../core/api.ts';
import { can, me, scopeCommunes, seesWholeProvince } from '../core/app-state.ts';
import { daysUntil, formatDate, formatDateTime, formatMoney, formatNumber, parseAmount } from '../core/format.ts';
import { UnreadablePhotoError, preparePhoto } from '../core/image.ts';
import { entries, pathResolver, retry, submit, type OutboxEntry } from '../core/outbox.ts';
import { isToken, refToken } from '../core/outbox-rules.ts';
import { communeByCode, communes, loadCommuneIndex, marketplaceName, marketplaces } from '../core/reference.ts';
import type { Account, AccountStatus, Listing, ListingStatus, ListingTransition, MarketplaceInfo, MarketplaceReadiness, Photo, Producer, ProducerCreate, Product, ProductCreate, ProductListItem, Readiness } from '../core/types.ts';
import { errorMessage, lang, t, wordFieldError } from '../i18n/i18n.ts';
import { h, replace, uid } from '../ui/dom.ts';
import { go, link, type Route } from '../ui/router.ts';
import { formPage, type FormGuard } from '../ui/form-state.ts';
import { chip, clearFieldErrors, confirmDialog, dialog, errorBox, field, input, meter, notice, select, setFieldError, showError, toast } from '../ui/widgets.ts';
import { addressInput, facts, readEventDate, loadFailed, outboxNow, putInOrder, queuedStatus, heldChange, marketplaceUrl, waitingCard, waitingProducerName, waitingProducts, section, sendConfirmed, withQueuedChanges, focusMarketplace, recordHead, loadHistory, redrawOnSync, recordOrGone } from './common.ts';
import { producerPicker } from './producer-picker.ts';
import { pendingProducers } from './producer-views.ts';

type OcopGroup = Product['ocopGroup'];
const groups: readonly OcopGroup[] = ['food', 'beverages', 'herbs', 'handicrafts', 'ornamentals', 'tourism_services'];
const starOptions = [0, 3, 4, 5] as const;
const certificationOptions: readonly NonNullable<Product['certifications']>[number][] = ['VietGAP', 'GlobalGAP', 'organic', 'HACCP', 'ISO22000'];
const listingStatuses: readonly ListingStatus[] = ['draft', 'submitted', 'live', 'paused', 'delisted', 'rejected'];

function expiryText(expiry: string | undefined): string | undefined {
  if (!expiry) return undefined;
  const days = daysUntil(expiry);
  return `${formatDate(expiry)} (${days < 0 ? t.dashboard.expired(-days) : t.dashboard.daysLeft(days)})`;
}

export async function productListView(r: Route): Promise<Node> {
  await loadCommuneIndex().catch(() => undefined);
  const list = h('ul', { class: 'cards', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.common.more);
  const status = h('div');
  const q = input({ type: 'search', name: 'q', value: r.query.get('q') ?? '', autocomplete: 'off' });
  const scope = scopeCommunes();
  const all = await communes().catch(() => []);
  const communeOptions = me()?.role === 'officer' && scope ? all.filter((c) => scope.includes(c.code)) : all;
  const commune = select([['', t.common.all], ...communeOptions.map((c) => [c.code, c.fullName] as [string, string])], { name: 'communeCode', value: r.query.get('communeCode') ?? '' });
  const ownOnly = me()?.role === 'cooperative';
  const provinceWide = seesWholeProvince();
  /** The producer filter's value: '' is every producer. */
  let producerId = r.query.get('producerId') ?? '';
  // The producers of an officer's (or a cooperative's) scope are read while the page opens and
  // offered once the list shows; the province-wide roles need only the one the page was opened for.
  const inScope = provinceWide ? null : getAll<Producer>('/producers').then((p) => p.items);
  const [markets, presetProducer] = await Promise.all([marketplaces(), provinceWide && producerId ? get<Producer>(`/producers/${producerId}`).catch(() => null) : Promise.resolve(null)]);
  // One the filter cannot name (gone, out of scope, or not readable offline) is no filter: the list shows all, and the address follows.
  if (provinceWide && !presetProducer) producerId = '';
  let producers: Producer[] = presetProducer ? [presetProducer] : [];
  const filterByProducer = (id: string) => {
    if (id === producerId) return;
    producerId = id;
    void load(false);
  };
  /**
   * An officer chooses among the producers of their communes; a province (70.000 producers) is no
   * list to pick from, so the province-wide roles search for one by name (emptied: every producer).
   */
  const producerFilter = (): HTMLElement => {
    if (provinceWide) return producerPicker({ name: 'producerId', label: t.product.producer, value: producerId, preset: presetProducer, placeholder: t.common.all, onChange: filterByProducer }).el;
    const producer = select([['', t.common.all], ...(producerId ? [[producerId, '…'] as [string, string]] : [])], { name: 'producerId', value: producerId });
    producer.addEventListener('change', () => filterByProducer(producer.value));
    void inScope?.then(
      (found) => {
        replace(producer, h('option', { value: '' }, t.common.all), ...found.map((p) => h('option', { value: p.id }, p.name)));
        producer.value = producerId;
        // A producer not among them (gone, or out of scope): the filter says "all", and the list follows it.
        if (producer.value !== producerId) {
          producer.value = '';
          filterByProducer('');
        }
      },
      () => undefined,
    );
    return field(t.product.producer, producer);
  };
  const stars = select([['', t.common.all], ...starOptions.map((s) => [String(s), t.product.starsValue(s)] as [string, string])], { name: 'ocopStars', value: r.query.get('ocopStars') ?? '' });
  const market = select([['', t.common.all], ...markets.map((m) => [m.id, m.name] as [string, string])], { name: 'marketplace', value: r.query.get('marketplace') ?? '' });
  const mstatus = select([['', t.common.all], ['none', t.listing.notListed], ...listingStatuses.map((s) => [s, t.listing.statuses[s]] as [string, string])], { name: 'listingStatus', value: r.query.get('listingStatus') ?? '' });
  const readySelect = select([['', t.common.all], ['true', t.product.readyYes], ['false', t.product.readyNo]], { name: 'ready', value: r.query.get('ready') ?? '' });
  let shown = 0;
  let cursor: string | null = null;
  let seq = 0;
  /** The filters are folded away under "Lọc", which says how many are set; the page opens with them shown when any is. */
  const filtersTitle = h('summary', { 'data-testid': 'filters' });
  let filtering = 0;
  const countFilters = ({ q: _q, ...filters }: Record<string, string | undefined>) => {
    filtering = Object.values(filters).filter(Boolean).length;
    filtersTitle.textContent = t.product.filters(filtering);
  };

  /** Where the product is listed, one chip per marketplace (as the product keeps its listings' statuses). */
  const listingChips = (p: Product) => {
    const entries = Object.entries(p.listingStatuses ?? {}) as [string, ListingStatus][];
    return entries.length
      ? h('span', { class: 'chips', 'data-testid': 'listing-chips' }, entries.sort(([a], [b]) => markets.findIndex((m) => m.id === a) - markets.findIndex((m) => m.id === b)).map(([m, s]) => chip(`${marketName(m)}: ${t.listing.statuses[s]}`, s)))
      : null;
  };

  /** Whose it is — two producers' products often share a name — and, over the whole province, where. */
  const ownerLine = (p: ProductListItem) => {
    const owner = [p.producerName ?? producers.find((x) => x.id === p.producerId)?.name, provinceWide ? communeByCode(p.communeCode)?.fullName : undefined].filter(Boolean).join(' · ');
    return owner ? h('span', { class: 'muted', 'data-testid': 'product-owner' }, owner) : null;
  };

  const card = (p: ProductListItem) =>
    h(
      'li',
      null,
      h(
        'a',
        { href: link(`/products/${p.id}`), class: 'card-link' },
        h('strong', null, p.name),
        ownerLine(p),
        h('span', { class: 'muted' }, `${t.product.groups[p.ocopGroup]} · ${t.product.starsValue(p.ocopStars)}`, p.certificateExpired ? ` · ${t.product.certificateLapsedShort}` : ''),
        h('span', { class: 'muted small' }, [p.priceVnd !== undefined ? formatMoney(p.priceVnd) : null, p.unit].filter(Boolean).join(' / ')),
        listingChips(p),
      ),
    );

  // Products captured offline and not yet sent: shown first, so nobody enters them twice.
  const pendingList = h('ul', { class: 'cards' });
  const showPending = async () => {
    const all = await entries();
    const queued = waitingProducts(all, producerId || undefined);
    // A producer registered offline too is named as its own outbox entry is, marked waiting.
    const producerLabel = (id: string | undefined) => (id && isToken(id) ? waitingProducerName(all, id) : (producers.find((p) => p.id === id)?.name ?? ''));
    replace(
      pendingList,
      queued.map((e) => {
        // Its photos can be taken now, on the spot: they wait for the product and go right after it.
        const productPath = `/products/${refToken(e.id)}`;
        const photos = all.filter((x) => x.kind === 'photo.upload' && x.path === `${productPath}/photos`).length;
        const takePhoto = async (file: File) => {
          try {
            await sendPhoto(productPath, e.label, file, 0);
            toast(t.photos.queued, 'info');
          } catch (err) {
            toast(errorMessage(err), 'warn');
          }
          await showPending();
        };
        return waitingCard(
          'pending-product',
          e.label,
          [h('span', { class: 'muted', 'data-testid': 'product-owner' }, producerLabel((e.body as { producerId?: string }).producerId)), photos ? h('span', { class: 'muted small', 'data-testid': 'pending-photos' }, t.photos.waitingCount(photos)) : null],
          can.writeProducts() ? h('div', { class: 'row' }, photoPicker(true, t.photos.take, takePhoto), photoPicker(false, t.photos.choose, takePhoto)) : null,
        );
      }),
    );
  };
  // The waiting products' producers are named once the producers of the scope are read.
  void inScope?.then(
    (found) => {
      producers = found;
      void showPending().catch(() => undefined);
    },
    () => undefined,
  );

  let reading: AbortController | undefined;
  const load = async (append: boolean) => {
    const mySeq = ++seq;
    // A load for other filters stops the one before (which may be looking far for a rare match), and its cursor goes with it.
    reading?.abort();
    const controller = (reading = new AbortController());
    const params = { q: q.value.trim() || undefined, communeCode: (!ownOnly && commune.value) || undefined, producerId: (!ownOnly && producerId) || undefined, ocopStars: stars.value || undefined, marketplace: market.value || undefined, listingStatus: mstatus.value || undefined, ready: readySelect.value || undefined };
    history.replaceState(history.state, '', `#/products${query(params)}`);
    countFilters(params);
    if (!append) {
      cursor = null;
      more.hidden = true;
      shown = 0;
      replace(status);
      replace(list);
      await showPending().catch(() => undefined);
    }
    try {
      const page = await getPage<ProductListItem>('/products', params, { limit: 25, cursor: append ? cursor : undefined, signal: controller.signal });
      if (mySeq !== seq) return;
      shown += page.items.length;
      list.append(...page.items.map(card));
      // Nothing for a search or a filter is no match, not an empty register.
      if (!shown) replace(list, h('li', { class: 'muted' }, Object.values(params).some(Boolean) ? t.product.noMatch : t.product.empty));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      if (mySeq === seq) replace(status, loadFailed(e));
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(false), 300);
  });
  for (const s of [commune, stars, market, mstatus, readySelect]) s.addEventListener('change', () => void load(false));
  more.addEventListener('click', () => void load(true));
  await load(false);
  return h(
    'section',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, t.product.list), can.writeProducts() ? h('a', { href: link('/products/new'), class: 'button primary' }, t.product.new) : null),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (e: Event) => (e.preventDefault(), void load(false)) },
      field(t.product.searchLabel, q),
      h(
        'details',
        { class: 'filter-fold', open: filtering > 0 },
        filtersTitle,
        h(
          'div',
          { class: 'filter-grid' },
          // A cooperative sees only its own producer's products: neither filter would narrow anything.
          ownOnly ? null : field(t.producer.commune, commune),
          ownOnly ? null : producerFilter(),
          field(t.product.filterStars, stars),
          field(t.product.filterMarketplace, market),
          field(t.product.filterStatus, mstatus, { hint: t.product.filterStatusHint }),
          field(t.product.filterReady, readySelect, { hint: t.product.filterReadyHint }),
        ),
      ),
    ),
    status,
    pendingList,
    list,
    more,
  );
}

function readProductForm(form: HTMLFormElement, editing: Product | null): Record<string, unknown> | null {
  clearFieldErrors(form);
  const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
  let ok = true;
  const fail = (path: string, message: string) => {
    setFieldError(form, path, message);
    ok = false;
  };
  const body: Record<string, unknown> = { name: v('name'), ocopGroup: v('ocopGroup'), ocopStars: Number(v('ocopStars')) };
  if (!editing) {
    body.producerId = v('producerId');
    if (!body.producerId) fail('producerId', t.fields.notChosen);
  }
  if (!body.name) fail('name', t.fields.required);
  const optionalText = ['certificateNo', 'unit', 'description'] as const;
  for (const k of optionalText) body[k] = v(k) || undefined;
  // The certificate fields are hidden for a product without a rating: not read nor checked nor
  // sent (the server refuses a certificate on an unrated product, and drops the one it had).
  if (!body.ocopStars) {
    body.certificateNo = editing?.certificateNo;
    body.certificateDate = editing?.certificateDate;
  }
  const date = body.ocopStars ? v('certificateDate') : '';
  if (date) {
    const d = readEventDate(date);
    if ('date' in d) body.certificateDate = d.date;
    else fail('certificateDate', d.error);
  }
  if (body.ocopStars) {
    if (!body.certificateNo) fail('certificateNo', t.fields.required);
    if (!date) fail('certificateDate', t.fields.required);
  }
  for (const k of ['priceVnd', 'weightGrams', 'shelfLifeDays'] as const) {
    const n = parseAmount(v(k));
    const { min, max } = productLimits[k];
    if (Number.isNaN(n)) fail(k, t.fields.amount);
    else if (n !== null && n < min) fail(k, t.fieldRules.too_small(min));
    else if (n !== null && n > max) fail(k, t.fieldRules.too_big(max));
    else body[k] = n ?? undefined;
  }
  const certs = [...form.querySelectorAll<HTMLInputElement>('input[name=certifications]:checked')].map((c) => c.value);
  body.certifications = certs.length ? certs : undefined;
  if (!ok) return null;
  if (!editing) return Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined));
  const patch: Record<string, unknown> = { version: editing.version };
  for (const [k, x] of Object.entries(body)) {
    const before = (editing as Record<string, unknown>)[k];
    if (JSON.stringify(x ?? null) !== JSON.stringify(before ?? null)) patch[k] = x ?? null;
  }
  return patch;
}

export async function productFormView(r: Route): Promise<Node> {
  const editing = r.params.id ? (await withQueuedChanges(await get<Product>(`/products/${r.params.id}`), `/products/${r.params.id}`)).record : null;
  // A new product still in the outbox (refused, or its producer discarded): corrected here and sent again.
  const outboxId = r.query.get('outbox');
  const queued = outboxId && !editing ? ((await entries()).find((e) => e.id === outboxId && e.kind === 'product.create') ?? null) : null;
  const preset = r.query.get('producer') ?? (queued ? String((queued.body as { producerId?: string }).producerId ?? '') : '');
  // An officer chooses among every producer in scope (a commune has hundreds), read at once so the
  // form works offline; the province-wide roles search for one instead (see producerPicker). Both
  // get the one the form was opened for even when the list cannot be read (offline, its page cached).
  const provinceWide = seesWholeProvince();
  const [listed, presetProducer, pending] = await Promise.all([
    editing || provinceWide ? Promise.resolve([] as Producer[]) : getAll<Producer>('/producers').then((p) => p.items, () => [] as Producer[]),
    !editing && preset && !isToken(preset) ? get<Producer>(`/producers/${preset}`).catch(() => null) : Promise.resolve(null),
    editing ? Promise.resolve([]) : pendingProducers(),
  ]);
  const producers = presetProducer && !listed.some((p) => p.id === presetProducer.id) ? [presetProducer, ...listed] : listed;
  const producerOptions: [string, string][] = [
    ...pending.map((e) => [refToken(e.id), `${e.label} (${t.common.pending})`] as [string, string]),
    ...producers.map((p) => [p.id, `${p.name} · ${p.communeName}`] as [string, string]),
  ];
  // The only producer there is to choose (a cooperative's own) is chosen already.
  const chosenProducer = preset || (producerOptions.length === 1 ? producerOptions[0]![0] : '');
  if (!editing && !provinceWide && !producerOptions.length) return h('section', { class: 'page' }, h('h1', null, t.product.new), notice('info', t.product.noProducer), can.writeProducers() ? h('a', { class: 'button primary', href: link('/producers/new') }, t.home.newProducer) : null);
  const choice: ProducerChoice = { provinceWide, preset, presetProducer, pending, producerOptions, chosenProducer };
  return formPage(editing ? t.product.edit : t.product.new, editing, (record, guard) => productForm(record, queued, choice, guard), editing ? `/products/${editing.id}` : undefined);
}

/** How a new product's producer is chosen: searched for (`provinceWide`) or picked among `producerOptions`, `chosenProducer` first (see productFormView). */
type ProducerChoice = { provinceWide: boolean; preset: string; presetProducer: Producer | null; pending: OutboxEntry[]; producerOptions: [string, string][]; chosenProducer: string };

/** The product form, for a new product (`queued`: one waiting in the outbox, to correct) or to edit `editing`. */
function productForm(editing: Product | null, queued: OutboxEntry | null, { provinceWide, preset, presetProducer, pending, producerOptions, chosenProducer }: ProducerChoice, guard: FormGuard): HTMLFormElement {
  const initial: Partial<Product> | null = editing ?? (queued?.body as Partial<Product> | undefined) ?? null;
  const box = errorBox();
  const submitBtn = h('button', { type: 'submit', class: 'primary' }, t.common.save);
  const pricePreview = h('span', { class: 'hint', 'aria-live': 'polite' }, initial?.priceVnd !== undefined ? formatMoney(initial?.priceVnd) : '');
  const price = input({ name: 'priceVnd', inputmode: 'numeric', value: initial?.priceVnd !== undefined ? formatNumber(initial.priceVnd) : '', autocomplete: 'off' });
  // Typed, or laid over the form from elsewhere (see carryChanges).
  for (const ev of ['input', 'change']) {
    price.addEventListener(ev, () => {
      const n = parseAmount(price.value);
      pricePreview.textContent = n === null || Number.isNaN(n) ? '' : formatMoney(n);
    });
  }
  const starsSelect = select(starOptions.map((s) => [String(s), t.product.starsValue(s)]), { name: 'ocopStars', value: String(initial?.ocopStars ?? 0) });
  const certBlock = h(
    'div',
    { class: 'stack' },
    field(t.product.certificateNo, input({ name: 'certificateNo', value: initial?.certificateNo ?? '', autocomplete: 'off', maxlength: productLimits.certificateNo }), { path: 'certificateNo' }),
    field(t.product.certificateDate, input({ name: 'certificateDate', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', value: initial?.certificateDate ? formatDate(initial.certificateDate) : '' }), { path: 'certificateDate' }),
  );
  const syncCert = () => (certBlock.hidden = starsSelect.value === '0');
  starsSelect.addEventListener('change', syncCert);
  syncCert();
  const certChecks = h(
    'fieldset',
    { class: 'field checks', 'data-path': 'certifications' },
    h('legend', null, `${t.product.certifications} ${t.common.optional}`),
    certificationOptions.map((c) => {
      const id = uid('c');
      return h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name: 'certifications', value: c, checked: initial?.certifications?.includes(c) ?? false }), h('label', { for: id }, c === 'organic' ? t.product.organic : c));
    }),
    h('p', { class: 'field-error', hidden: true }),
  );
  const form = h(
    'form',
    { class: 'stack card', novalidate: true },
    editing
      ? null
      : provinceWide
        ? producerPicker({ name: 'producerId', label: t.product.producer, value: preset, preset: presetProducer, pending, required: true }).el
        : field(t.product.producer, select([['', t.product.chooseProducer], ...producerOptions], { name: 'producerId', value: chosenProducer }), { required: true, path: 'producerId' }),
    field(t.product.name, input({ name: 'name', value: initial?.name ?? '', autocomplete: 'off', maxlength: productLimits.name }), { required: true, path: 'name' }),
    field(t.product.group, select(groups.map((g) => [g, t.product.groups[g]]), { name: 'ocopGroup', value: initial?.ocopGroup ?? 'food' }), { path: 'ocopGroup' }),
    field(t.product.stars, starsSelect, { path: 'ocopStars' }),
    certBlock,
    field(t.product.unit, input({ name: 'unit', value: initial?.unit ?? '', autocomplete: 'off', maxlength: productLimits.unit }), { path: 'unit', hint: t.product.unitHint }),
    h('div', { class: 'field-group' }, field(t.product.price, price, { path: 'priceVnd' }), pricePreview),
    field(t.product.weight, input({ name: 'weightGrams', inputmode: 'numeric', value: initial?.weightGrams ?? '', autocomplete: 'off' }), { path: 'weightGrams' }),
    field(t.product.shelfLife, input({ name: 'shelfLifeDays', inputmode: 'numeric', value: initial?.shelfLifeDays ?? '', autocomplete: 'off' }), { path: 'shelfLifeDays' }),
    field(t.product.description, h('textarea', { name: 'description', rows: 4, maxlength: productLimits.description }, initial?.description ?? ''), { path: 'description' }),
    certChecks,
    box,
    h('div', { class: 'actions' }, submitBtn, h('a', { href: editing ? link(`/products/${editing.id}`) : link('/products'), class: 'button secondary' }, t.common.cancel)),
  );
  // What the server refused last time (a waiting entry opened to be corrected), marked on its field.
  for (const fe of queued?.problem?.errors ?? []) setFieldError(form, fe.path, wordFieldError(fe));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    const body = readProductForm(form, editing);
    if (!body) {
      (form.querySelector('[aria-invalid=true]') as HTMLElement | null)?.focus();
      return;
    }
    // From here what was typed is saved, or kept in the outbox: leaving loses nothing.
    guard.sending(true);
    submitBtn.disabled = true;
    submitBtn.textContent = t.common.saving;
    try {
      const label = String(body.name ?? editing?.name ?? '');
      if (editing && Object.keys(body).length === 1) {
        go(`#/products/${editing.id}`);
        return;
      }
      if (queued) {
        await retry({ ...queued, label }, body);
        toast(t.product.queued, 'info');
        go('#/outbox');
        return;
      }
      const out = editing
        ? await putInOrder<Product>({ kind: 'product.update', method: 'PATCH', path: `/products/${editing.id}`, body, label }, editing.version, form)
        : await submit<Product>({ kind: 'product.create', method: 'POST', path: '/products', body: body as ProductCreate, label }, { owner: isToken(body.producerId) ? undefined : form });
      toast(out.state === 'synced' ? t.product.saved : t.product.queued, out.state === 'synced' ? 'ok' : 'info');
      if (out.state === 'synced') go(`#/products/${out.data.id}`);
      else go('#/products');
    } catch (err) {
      guard.sending(false);
      if (err instanceof ApiError && err.code === 'VERSION_CONFLICT') guard.conflict(box);
      else showError(form, box, err);
    } finally {
      submitBtn.disabled = false;
      submitBtn.textContent = t.common.save;
    }
  });
  return form;
}

export async function productView(r: Route): Promise<Node> {
  const found = await recordOrGone<Product>(`/products/${r.params.id}`, (id) => link(`/producers/${id}`));
  if (found instanceof Node) return found;
  const { record: p, ...queued } = await withQueuedChanges(found, `/products/${r.params.id}`);
  const marketsBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const photosSection = h('div');
  const historyBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const producerP = get<Producer>(`/producers/${p.producerId}`).catch(() => null);
  let readinessP = loadReadiness(p, producerP);

  void renderMarketplaces(marketsBox, p, readinessP);
  const redrawMarkets = () => {
    readinessP = loadReadiness(p, producerP);
    void renderMarketplaces(marketsBox, p, readinessP);
  };
  // A listing's change, or the producer's seller account's, sent or refused in the background.
  redrawOnSync(marketsBox, (path) => path.startsWith(`/products/${p.id}/listings/`) || path.startsWith(`/producers/${p.producerId}/accounts/`), redrawMarkets);
  // A photo added, deleted or moved can change readiness, and is in the product's history: both are read again.
  void renderPhotos(photosSection, p, () => (redrawMarkets(), loadHistory(historyBox, `/products/${p.id}`)));
  loadHistory(historyBox, `/products/${p.id}`);
  const producer = await producerP;

  return h(
    'section',
    { class: 'page' },
    ...recordHead(p.name, can.writeProducts() ? link(`/products/${p.id}/edit`) : null, queued),
    p.certificateExpired ? notice('warn', h('span', { 'data-testid': 'certificate-lapsed' }, t.product.certificateLapsed)) : null,
    h(
      'div',
      { class: 'card' },
      facts([
        [t.product.producer, producer ? h('a', { href: link(`/producers/${producer.id}`) }, producer.name) : p.producerId],
        [t.product.group, t.product.groups[p.ocopGroup]],
        [t.product.stars, t.product.starsValue(p.ocopStars)],
        [t.product.certificateNo, p.certificateNo],
        [t.product.certificateDate.replace(/ \(.*\)$/, ''), p.certificateDate ? formatDate(p.certificateDate) : undefined],
        [t.product.certificateExpiry, expiryText(p.certificateExpiry)],
        [t.product.certifications, p.certifications?.join(', ')],
        [t.product.unit, p.unit],
        [t.product.price.replace(/ \(.*\)$/, ''), p.priceVnd !== undefined ? formatMoney(p.priceVnd) : undefined],
        [t.product.weight.replace(/ \(.*\)$/, ''), p.weightGrams !== undefined ? `${formatNumber(p.weightGrams)} g` : undefined],
        [t.product.shelfLife.replace(/ \(.*\)$/, ''), p.shelfLifeDays !== undefined ? t.product.days(p.shelfLifeDays) : undefined],
        [t.product.description, p.description],
      ]),
    ),
    section(t.listing.title, marketsBox),
    photosSection,
    section(t.history.title, historyBox),
    can.writeProducts() ? removeProduct(p) : null,
  );
}

/** Deleting the product (its listings and photos go with it), after confirming; then its producer's page. */
function removeProduct(p: Product): HTMLElement {
  const button = h('button', { type: 'button', class: 'danger' }, t.product.remove);
  button.addEventListener('click', async () => {
    if (!(await sendConfirmed(t.product.confirmRemove(p.name), t.product.remove, `product.delete|${p.id}`, `/products/${p.id}`, { method: 'DELETE' }))) return;
    toast(t.product.removed(p.name));
    go(`#/producers/${p.producerId}`);
  });
  return h('div', { class: 'actions' }, button);
}

/** Readiness from the API; when the route is absent or offline, estimated here from the same shared rule (fields only). */
async function loadReadiness(p: Product, producerP: Promise<Producer | null>): Promise<{ items: MarketplaceReadiness[]; estimated: boolean }> {
  try {
    const r = await getOptional<Readiness>(`/products/${p.id}/readiness`);
    if (r) return { items: r.marketplaces, estimated: false };
  } catch (e) {
    if (e instanceof ApiError) throw e;
  }
  const [markets, producer] = await Promise.all([marketplaces(), producerP]);
  return {
    items: markets.map((m) => readinessFor(m as Parameters<typeof readinessFor>[0], { product: p, producer: producer ?? {}, photos: { readyCount: 0 } })),
    estimated: true,
  };
}

function marketName(id: string): string {
  return marketplaceName(id);
}

/**
 * One card per marketplace: how ready the product is (and what is missing, in plain words),
 * its listing status there, the producer's seller account, and the moves allowed from here.
 */
async function renderMarketplaces(box: HTMLElement, p: Product, readinessP: Promise<{ items: MarketplaceReadiness[]; estimated: boolean }>): Promise<void> {
  let listings: { items: Listing[] } | null;
  let readiness: { items: MarketplaceReadiness[]; estimated: boolean };
  try {
    [listings, readiness] = await Promise.all([getOptional<{ items: Listing[] }>(`/products/${p.id}/listings`), readinessP]);
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  const [markets, accounts, queue] = await Promise.all([marketplaces(), getOptional<{ items: Account[] }>(`/producers/${p.producerId}/accounts`).catch(() => null), outboxNow()]);
  const byMarket = new Map((listings?.items ?? []).map((l) => [l.marketplace, l]));
  const cards = await Promise.all(
    markets.map(async (m) => {
      const path = `/products/${p.id}/listings/${m.id}`;
      const listing = byMarket.get(m.id);
      const { status: shownStatus, pending, attention } = await queuedStatus<ListingStatus>(path, listing?.status ?? null, queue);
      const r = readiness.items.find((x) => x.marketplace === m.id);
      const ready = r?.percent ?? 0;
      // The producer's seller account there (with a change of it still waiting), when the accounts could be read.
      const account = await queuedStatus<AccountStatus>(`/producers/${p.producerId}/accounts/${m.id}`, accounts ? (accounts.items.find((a) => a.marketplace === m.id)?.status ?? 'none') : null, queue);
      const moves = listings && can.writeOnboarding() ? allowedListingMoves(shownStatus) : [];
      const headingId = uid('mk');
      return h(
        'li',
        { class: 'market', 'data-marketplace': m.id, 'data-status': shownStatus ?? 'none', 'aria-labelledby': headingId },
        h(
          'div',
          { class: 'row spread' },
          h('h3', { id: headingId }, m.name),
          listings ? (shownStatus ? chip(t.listing.statuses[shownStatus], shownStatus) : chip(t.listing.notListed, 'none')) : null,
        ),
        r
          ? h(
              'div',
              { class: 'ready' },
              h('div', { class: 'row spread small' }, h('span', null, t.readiness.title), h('strong', { class: ready === 100 ? 'ok' : '' }, ready === 100 ? `100% · ${t.readiness.ready}` : t.readiness.percent(ready))),
              meter(ready, `${m.name}: ${t.readiness.title} ${ready}%`),
              r.missing.length ? h('p', { class: 'small missing' }, `${t.readiness.missing} `, r.missing.map((x) => x.message[lang()]).join('; ')) : null,
            )
          : null,
        account.status ? h('p', { class: 'small muted', 'data-testid': 'seller-account' }, t.account.forListing(account.pending ? t.common.pendingName(t.account.statuses[account.status]) : t.account.statuses[account.status])) : null,
        pending ? h('p', { class: 'small muted' }, t.listing.pendingChange) : null,
        attention ? h('p', { class: 'small' }, heldChange(t.listing.heldChange, 'held-change')) : null,
        listing?.url && shownStatus !== 'draft' ? h('p', { class: 'small' }, h('a', { href: listing.url, rel: 'noopener', target: '_blank' }, t.listing.view)) : null,
        listing?.reason && shownStatus === 'rejected' ? h('p', { class: 'small' }, `${t.listing.reason}: ${listing.reason}`) : null,
        moves.length || listing
          ? h(
              'div',
              { class: 'actions' },
              moves.map((to) => h('button', { type: 'button', class: to === 'delisted' || to === 'rejected' ? 'secondary small' : 'small', 'data-to': to, onclick: () => void move(m, to, listing, ready, account.status, path) }, t.listing.to[to])),
              listing ? h('button', { type: 'button', class: 'link small', onclick: () => void showHistory(p, m) }, t.listing.history) : null,
            )
          : null,
      );
    }),
  );
  replace(
    box,
    readiness.estimated ? notice('info', t.readiness.estimate) : null,
    listings ? null : notice('info', `${t.listing.title}: ${t.common.unavailable}`),
    h('ul', { class: 'markets', 'data-testid': 'listings' }, cards),
    h('p', { class: 'small' }, h('a', { href: link('/marketplaces') }, t.marketplaces.link)),
  );

  async function move(m: MarketplaceInfo, to: ListingStatus, listing: Listing | undefined, ready: number, account: AccountStatus | null, path: string) {
    const extra: Record<string, string> = {};
    // Live needs the producer's seller account there: said at once, with the way to record it, rather than after the link is typed.
    if (to === 'live' && account && !accountAllowsLiveListing(account)) {
      const record = await dialog(`${m.name}: ${t.listing.to.live}`, [notice('warn', t.errors.SELLER_ACCOUNT_REQUIRED), h('p', null, t.account.forListing(t.account.statuses[account]))], { submitLabel: t.listing.recordAccount, onSubmit: () => true });
      if (record) go(`#/producers/${p.producerId}`);
      return;
    }
    if (to === 'submitted' && ready < 100) {
      const reason = h('textarea', { name: 'overrideReason', rows: 3, required: true, minlength: 3 });
      const res = await dialog(`${m.name}: ${t.listing.to.submitted}`, [h('p', null, t.listing.overrideHint(ready)), field(t.listing.overrideReason, reason, { required: true, path: 'overrideReason' })], {
        submitLabel: t.listing.confirm,
        onSubmit: (f) => (reason.value.trim().length >= 3 ? reason.value.trim() : (setFieldError(f, 'overrideReason', t.fields.required), null)),
      });
      if (!res) return;
      extra.overrideReason = res;
    } else if (to === 'live') {
      const url = addressInput({ name: 'url', value: listing?.url ?? '', placeholder: `${m.url}/…`, required: true });
      const res = await dialog(`${m.name}: ${t.listing.to.live}`, [field(t.listing.url, url, { required: true, path: 'url', hint: t.listing.urlHint(m.domains.join(', ')) })], {
        submitLabel: t.listing.confirm,
        onSubmit: (f) => {
          const v = url.value.trim();
          if (!v) return setFieldError(f, 'url', t.fields.required), null;
          return marketplaceUrl(m, v) ?? (setFieldError(f, 'url', t.errors.LISTING_URL_NOT_ON_MARKETPLACE), null);
        },
      });
      if (!res) return;
      extra.url = res;
    } else if (to === 'paused' || to === 'delisted') {
      if (!(await confirmDialog(t.listing.confirmStop(m.name, t.listing.to[to]), t.listing.to[to]))) return;
    } else if (to === 'rejected') {
      const reason = h('textarea', { name: 'reason', rows: 3, required: true });
      const res = await dialog(`${m.name}: ${t.listing.to.rejected}`, [field(t.listing.reason, reason, { required: true, path: 'reason' })], {
        submitLabel: t.listing.confirm,
        onSubmit: (f) => (reason.value.trim() ? reason.value.trim() : (setFieldError(f, 'reason', t.fields.required), null)),
      });
      if (!res) return;
      extra.reason = res;
    }
    try {
      const out = await putInOrder<Listing>({ kind: 'listing.set', method: 'PUT', path, label: `${p.name} · ${m.name}: ${t.listing.statuses[to]}`, body: { status: to, ...extra } }, listing?.version, box);
      toast(out.state === 'synced' ? `${m.name}: ${t.listing.statuses[to]}` : t.common.queued, out.state === 'synced' ? 'ok' : 'info');
    } catch (err) {
      toast(errorMessage(err), 'warn');
    }
    await renderMarketplaces(box, p, readinessP);
    focusMarketplace(box, m.id);
  }
}

async function showHistory(p: Product, m: MarketplaceInfo): Promise<void> {
  // Offline is not "the server has no such feature": say which it is.
  const res = await getOptional<{ items: ListingTransition[] }>(`/products/${p.id}/listings/${m.id}/history`).catch((e: unknown) => (e instanceof NetworkError ? ('offline' as const) : null));
  const items = res && res !== 'offline' ? res.items : [];
  await dialog(
    t.listing.historyTitle(m.name),
    [
      items.length
        ? h(
            'ol',
            { class: 'timeline' },
            items.map((x) =>
              h(
                'li',
                null,
                h('strong', null, x.from ? `${t.listing.statuses[x.from]} → ${t.listing.statuses[x.to]}` : t.listing.created(t.listing.statuses[x.to])),
                ' ',
                h('time', { datetime: x.at }, formatDateTime(x.at)),
                ' ',
                h('span', { class: 'muted' }, t.history.by(x.actor.username)),
                x.reason ? h('div', { class: 'small' }, x.reason) : null,
                x.overrideReason ? h('div', { class: 'small' }, `${t.listing.overrideReason}: ${x.overrideReason}`) : null,
                x.url ? h('div', { class: 'small' }, x.url) : null,
              ),
            ),
          )
        : h('p', { class: 'muted' }, res === 'offline' ? t.errors.NETWORK_READ : res ? t.listing.historyEmpty : t.common.unavailable),
    ],
    { submitLabel: t.common.close, onSubmit: () => true, readOnly: true },
  );
}

type PhotoAction = 'earlier' | 'later' | 'cover' | 'delete';

/**
 * Photos: shown only when the API has the photo route; uploads are scaled down here first.
 * Whoever may write products deletes a photo or changes the order (the first is the cover
 * marketplaces show first); those need a connection and are not queued in the outbox.
 */
async function renderPhotos(container: HTMLElement, p: Product, onChange: () => void): Promise<void> {
  const available = await hasRoute('POST', '/products/{id}/photos');
  if (available === false) return;
  const gallery = h('div', { class: 'gallery' });
  const status = h('div', { 'aria-live': 'polite' });
  /**
   * The message under the buttons, for as long as it holds: an upload's progress or refusal until
   * the next action; "uploaded, being processed" until no photo is processing; "kept on the phone"
   * until no photo waits there.
   */
  let said: 'progress' | 'uploaded' | 'queued' | 'error' | null = null;
  const say = (kind: typeof said, message?: Node) => {
    said = kind;
    replace(status, message);
  };
  const photosPath = `/products/${p.id}/photos`;
  const mayEdit = can.writeProducts();
  // The server's photos as last drawn: the order a move starts from.
  let shown: Photo[] = [];
  let busy = false;
  // Photos taken on this phone and still waiting in the outbox, shown from the phone itself.
  let waitingUrls: string[] = [];
  const waitingFigures = async () => {
    for (const url of waitingUrls) URL.revokeObjectURL(url);
    const [all, resolve] = await Promise.all([entries(), pathResolver()]);
    const waiting = all.filter((e) => e.kind === 'photo.upload' && e.blob && resolve(e.path) === photosPath);
    waitingUrls = waiting.map((e) => URL.createObjectURL(e.blob!));
    return waiting.map((e, i) => h('figure', { 'data-testid': 'waiting-photo' }, h('img', { src: waitingUrls[i]!, alt: t.photos.waitingAlt(i + 1), width: 120, height: 120 }), h('figcaption', null, chip(e.state === 'attention' ? t.outbox.attention : t.photos.waiting, e.state === 'attention' ? 'rejected' : 'pending'))));
  };
  const figure = (ph: Photo, i: number, ordered: number) => {
    const thumb = ph.variants.find((v) => v.purpose === 'thumbnail') ?? ph.variants[0];
    // Rejected photos come last and are outside the order: they can only be deleted.
    const inOrder = ph.status !== 'rejected';
    const n = i + 1;
    const button = (action: PhotoAction, label: string, text: string, cls: string, enabled = true) =>
      h('button', { type: 'button', class: cls, 'data-action': action, 'aria-label': label, disabled: !enabled, onclick: () => void act(action, ph, i) }, text);
    return h(
      'figure',
      { 'data-photo-id': ph.id },
      thumb ? h('img', { src: thumb.url, alt: t.photos.alt(n), width: 120, height: 120, loading: 'lazy' }) : h('div', { class: 'ph-placeholder' }),
      h(
        'figcaption',
        null,
        inOrder && i === 0 ? chip(t.photos.cover, 'cover') : null,
        chip(t.photos.statuses[ph.status], ph.status === 'ready' ? 'live' : ph.status === 'rejected' ? 'rejected' : 'submitted'),
        ph.status === 'rejected' ? h('span', { class: 'small' }, (ph.reason && (t.photos.reasons as Record<string, string>)[ph.reason]) || ph.message || t.photos.failed) : null,
      ),
      mayEdit
        ? h(
            'div',
            { class: 'photo-actions' },
            inOrder && ordered > 1
              ? [
                  button('earlier', t.photos.earlierLabel(n), '◀', 'small', i > 0),
                  button('later', t.photos.laterLabel(n), '▶', 'small', i < ordered - 1),
                  i > 0 ? button('cover', t.photos.makeCoverLabel(n), t.photos.makeCover, 'small wide') : null,
                ]
              : null,
            button('delete', t.photos.deleteLabel(n), t.photos.delete, 'danger small wide'),
          )
        : null,
    );
  };
  const downloads = photoDownloads(p, () => shown, await marketplaces().catch(() => []));
  /** Redraws the gallery from `answer` (what a write returned) or, without one, from the server. */
  const refresh = async (answer?: Photo[]) => {
    const [res, waiting] = await Promise.all([answer ? { items: answer } : getOptional<{ items: Photo[] }>(photosPath).catch(() => null), waitingFigures()]);
    if (!res && !waiting.length) return;
    shown = res?.items ?? [];
    const ordered = shown.filter((ph) => ph.status !== 'rejected').length;
    // The server's photos first, in their order (the cover first); one waiting on the phone goes after them when sent.
    replace(gallery, shown.length || waiting.length ? [shown.map((ph, i) => figure(ph, i, ordered)), waiting] : h('p', { class: 'muted' }, t.photos.none));
    if (said === 'uploaded' && !shown.some((ph) => ph.status === 'processing')) {
      say(null);
      toast(t.photos.processed);
    }
    if (said === 'queued' && !waiting.length) say(null);
    downloads.redraw();
    watchProcessing();
  };
  // In the cloud a photo is processed after its upload has been answered (S3 event → photo
  // function): while any is processing, look again — 2, 4, 8 … 64 s later, then leave it to a reload.
  let watchTimer: ReturnType<typeof setTimeout> | undefined;
  let watchDelay = 2000;
  const statusesOf = () => shown.map((ph) => `${ph.id}:${ph.status}`).join();
  const watchProcessing = () => {
    if (watchTimer || !shown.some((ph) => ph.status === 'processing')) return;
    if (watchDelay > 64_000) return;
    watchTimer = setTimeout(async () => {
      watchTimer = undefined;
      if (!container.isConnected) return;
      const before = statusesOf();
      await refresh();
      // Ready (or refused) now: readiness and the marketplaces' photo checks change with it.
      if (statusesOf() !== before) onChange();
    }, watchDelay);
    watchDelay *= 2;
  };
  /** After a redraw, focus goes back to the photo acted on (the button used, else another of its own), or the one now in its place. */
  const focusPhoto = (index: number, id: string | undefined, action: PhotoAction) => {
    const figures = [...gallery.querySelectorAll<HTMLElement>('figure[data-photo-id]')];
    const target = figures.find((f) => f.dataset.photoId === id) ?? figures[Math.min(index, figures.length - 1)];
    const buttons = target ? [...target.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')] : [];
    const next = buttons.find((b) => b.dataset.action === action) ?? buttons[0];
    if (next) return next.focus();
    const heading = container.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  };
  const act = async (action: PhotoAction, ph: Photo, i: number) => {
    if (busy) return;
    if (!navigator.onLine) return toast(t.photos.needsConnection, 'warn');
    if (action === 'delete' && !(await confirmDialog(t.photos.confirmDelete(i + 1), t.photos.delete))) return;
    // What an earlier upload said is over: this action's outcome is said now.
    say(null);
    busy = true;
    gallery.setAttribute('aria-busy', 'true');
    try {
      if (action === 'delete') {
        await sendDirect(`photo.delete|${ph.id}`, `${photosPath}/${ph.id}`, { method: 'DELETE' });
        await refresh();
        toast(t.photos.deleted);
        focusPhoto(i, undefined, 'delete');
      } else {
        const ids = shown.filter((x) => x.status !== 'rejected').map((x) => x.id);
        const to = action === 'cover' ? 0 : action === 'earlier' ? i - 1 : i + 1;
        ids.splice(i, 1);
        ids.splice(to, 0, ph.id);
        const body = JSON.stringify({ photoIds: ids });
        const res = await sendDirect<{ items: Photo[] }>(`photo.order|${p.id}|${body}`, `${photosPath}/order`, { method: 'PUT', body });
        // The answer lists the photos in the order; the rejected ones, outside it, stay after them.
        await refresh([...res.data.items, ...shown.filter((x) => x.status === 'rejected')]);
        toast(action === 'cover' ? t.photos.madeCover(i + 1) : t.photos.moved(i + 1, to + 1));
        focusPhoto(to, ph.id, action);
      }
      onChange();
    } catch (err) {
      if (err instanceof NetworkError) toast(t.photos.needsConnection, 'warn');
      else if (err instanceof ApiError && (err.status === 404 || err.code === 'VALIDATION_FAILED')) {
        // Deleted already, or the photos changed meanwhile (another device, an upload sent in the background): show them as they are.
        await refresh();
        onChange();
        toast(err.status === 404 ? t.photos.alreadyGone : t.photos.changed, 'info');
        focusPhoto(i, ph.id, action);
      } else toast(errorMessage(err), 'warn');
    } finally {
      busy = false;
      gallery.removeAttribute('aria-busy');
    }
  };
  // A waiting photo sent in the background: show it from the server and recompute readiness.
  redrawOnSync(container, (path) => path === photosPath, () => void refresh().then(onChange));
  const upload = async (file: File) => {
    try {
      say('progress', h('p', null, t.photos.preparing));
      const outcome = await sendPhoto(`/products/${p.id}`, p.name, file, navigator.onLine ? 60_000 : 0, container, () => say('progress', h('p', null, navigator.onLine ? t.photos.uploading : t.photos.queued)));
      if (outcome.state === 'queued') {
        say('queued', notice('warn', t.photos.queued));
        await refresh();
        return;
      }
      say('uploaded', notice('ok', t.photos.uploaded));
      watchDelay = 2000;
      await refresh();
      onChange();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        container.replaceChildren();
        return;
      }
      const reasons = t.photos.reasons as Record<string, string>;
      const reason = err instanceof ApiError ? (err.problem as { reason?: string }).reason : undefined;
      say('error', notice('error', (reason && reasons[reason]) || (err instanceof ApiError || err instanceof UnreadablePhotoError || (err instanceof DOMException && err.name === 'QuotaExceededError') ? errorMessage(err) : t.photos.failed)));
      await refresh();
    }
  };
  replace(container, section(t.photos.title, h('p', { class: 'hint' }, t.photos.hint, ' ', t.photos.coverHint), mayEdit ? h('div', { class: 'row' }, photoPicker(true, t.photos.take, upload), photoPicker(false, t.photos.choose, upload)) : null, status, gallery, downloads.element));
  await refresh();
}

/**
 * "Photos for a marketplace": the files to upload to its seller centre — the variant made for
 * it of each photo it takes (`photosForMarketplace`: the first `maxCount` ready ones, cover
 * first), saved on the device as `<product>-<marketplace>-01.jpg`, … in that order.
 */
function photoDownloads(p: Product, photos: () => Photo[], markets: MarketplaceInfo[]) {
  const choice = select(
    markets.map((m) => [m.id, m.name]),
    { name: 'photoMarketplace' },
  );
  const summary = h('p', { class: 'hint', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'secondary' }, t.photos.download);
  const element = h('div', { class: 'photo-downloads', hidden: true }, h('h3', null, t.photos.downloadTitle), field(t.photos.downloadFor, choice), summary, button);
  let busy = false;
  const files = () => {
    const m = markets.find((x) => x.id === choice.value);
    return m ? photosForMarketplace(photos(), m).flatMap(({ variant }) => (variant ? [variant] : [])) : [];
  };
  const redraw = () => {
    element.hidden = !markets.length || !photos().some((ph) => ph.status === 'ready');
    const m = markets.find((x) => x.id === choice.value);
    const list = files();
    const first = list[0];
    summary.textContent = m ? (list.length ? t.photos.downloadSummary(list.length, m.photos.maxCount, first ? `${first.width}×${first.height}` : '') : t.photos.downloadNone) : '';
    button.disabled = busy || !list.length;
  };
  choice.addEventListener('change', redraw);
  button.addEventListener('click', async () => {
    const list = files();
    if (busy || !list.length) return;
    if (!navigator.onLine) return toast(t.photos.downloadNeedsConnection, 'warn');
    busy = true;
    redraw();
    try {
      // Loaded on demand: neither is needed before someone saves photos.
      const [{ saveFile }, { normaliseName }] = await Promise.all([import('../core/files.ts'), import('#shared/text/normalise.ts')]);
      const stem = `${normaliseName(p.name).replace(/ /g, '-').slice(0, 40) || 'san-pham'}-${choice.value}`;
      const nameOf = (i: number) => `${stem}-${String(i + 1).padStart(2, '0')}.${list[i]!.format === 'jpeg' ? 'jpg' : list[i]!.format}`;
      // Fetched first, saved after: a failure part-way saves nothing rather than half the set.
      const blobs = await Promise.all(
        list.map(async (f) => {
          const res = await fetch(f.url, { credentials: 'omit' });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.blob();
        }),
      );
      blobs.forEach((blob, i) => saveFile(blob, nameOf(i)));
      toast(t.photos.downloaded(list.length));
    } catch {
      toast(t.photos.downloadFailed, 'warn');
    } finally {
      busy = false;
      redraw();
    }
  });
  return { element, redraw };
}

/** A button that takes a photo (`capture`: the camera) or picks existing ones, each handed to `onFile`. */
function photoPicker(capture: boolean, label: string, onFile: (file: File) => Promise<void>): HTMLElement {
  const id = uid('photo');
  const el = h('input', { type: 'file', id, accept: 'image/*', class: 'visually-hidden', ...(capture ? { capture: 'environment' } : {}) });
  el.addEventListener('change', () => {
    for (const f of el.files ?? []) void onFile(f);
    el.value = '';
  });
  return h('span', null, el, h('label', { for: id, class: 'button secondary' }, label));
}

/**
 * Scales a photo down on the phone and hands it to the outbox for the product at `productPath`
 * (a waiting product's placeholder path works too): sent at once when it can be (waiting up to
 * `waitMs` for the answer), else kept on the phone and sent later. A refusal while `owner` (the
 * photo section) is on screen is shown there; after the officer left, it waits in the outbox.
 */
async function sendPhoto(productPath: string, label: string, file: File, waitMs: number, owner?: Node, onScaled?: () => void) {
  const blob = await preparePhoto(file);
  onScaled?.();
  return submit<{ id?: string }>({ kind: 'photo.upload', method: 'POST', path: `${productPath}/photos`, body: { contentType: 'image/jpeg', bytes: blob.size }, label, blob }, { owner, waitMs });
}

export type { ProducerCreate };
