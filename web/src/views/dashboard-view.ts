import { vietnamMonth } from '#shared/vietnam-time.ts';
/** The department dashboard (loaded on demand): KPI tiles, the commune map, the sortable table, exports and expiring certificates. */
import { ApiError, NetworkError, get, getAll, getOptional, query } from '../core/api.ts';
import { me, scopeCommunes } from '../core/app-state.ts';
import { classBreaks, classLabels, classOf, countsOf, coverageFromLists, indicatorText, indicatorValue, normaliseCoverage, toCsv, type Indicator, type RawCounts } from '../core/coverage.ts';
import { daysUntil, formatDate, formatDateTime, formatNumber, formatPercent, today } from '../core/format.ts';
import { communes, marketplaces } from '../core/reference.ts';
import { downloadFile, saveFile } from '../core/files.ts';
import { coverageMetrics, type Coverage, type CoverageCounts, type CoverageRow, type Page, type Producer, type Product } from '../core/types.ts';
import { errorMessage, t } from '../i18n/i18n.ts';
import { h, replace } from '../ui/dom.ts';
import { go, link, type Route } from '../ui/router.ts';
import { field, meter, notice, select, toast } from '../ui/widgets.ts';
import { loadFailed, section } from './common.ts';
import { indicatorLabel, targetAmount, targetMarket, targetPlace, type TargetProgress } from './target-words.ts';

/** Sequential greens (ColorBrewer), light to dark; no data is grey. */
const PALETTE = ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'];
const NO_DATA = '#d4d4d4';

type Source = { kind: 'api'; asOf: string; month?: string; targetsAsOf?: string } | { kind: 'fallback'; complete: boolean; counted: number };

type MonthTotals = { month: string; totals: Record<string, number> };

/** `2026-10` as `10/2026`. */
const monthLabel = (month: string) => `${month.slice(5)}/${month.slice(0, 4)}`;

/** Coverage by commune now, or at the end of `month` (its snapshot; a month never taken is an ApiError NO_SNAPSHOT). */
async function loadCoverage(marketplace: string, month?: string): Promise<{ coverage: Coverage; source: Source; products: Product[] | null; targets: TargetProgress[] }> {
  type Answer = Parameters<typeof normaliseCoverage>[0] & { targets?: TargetProgress[]; month?: string; targetsAsOf?: string };
  const path = `/coverage${query({ by: 'commune', marketplace, month })}`;
  const api = month ? await get<Answer>(path) : await getOptional<Answer>(path);
  if (api) return { coverage: normaliseCoverage(api), source: { kind: 'api', asOf: api.asOf, month: api.month, targetsAsOf: api.targetsAsOf }, products: null, targets: api.targets ?? [] };
  const [all, producers, products] = await Promise.all([communes(), getAll<Producer>('/producers'), getAll<Product>('/products')]);
  const scope = me()?.role === 'officer' ? me()?.communes : undefined;
  return {
    coverage: coverageFromLists(all, producers.items, products.items, scope),
    source: { kind: 'fallback', complete: producers.complete && products.complete, counted: producers.items.length + products.items.length },
    products: products.items,
    targets: [],
  };
}

/**
 * The month-end figures of the last two years for one marketplace, oldest first (empty where the
 * API keeps no history): one request serves both the "Thời điểm" choice and the trend table.
 * Months as the snapshots count them: in Vietnam time (on the 1st before 07:00 UTC the month has already turned).
 */
async function monthEnds(marketplace: string): Promise<MonthTotals[]> {
  const now = new Date();
  return (await getOptional<{ series: MonthTotals[] }>(`/coverage/history${query({ marketplace, from: vietnamMonth(now, 24), to: vietnamMonth(now, 1) })}`))?.series ?? [];
}

export async function dashboardView(r: Route): Promise<Node> {
  const marketplace = r.query.get('marketplace') ?? 'all';
  const month = r.query.get('month') ?? undefined;
  const open = (next: { marketplace?: string; month?: string }) => go(`#/dashboard${query({ marketplace: next.marketplace === 'all' ? undefined : next.marketplace, month: next.month })}`);
  let loaded: Awaited<ReturnType<typeof loadCoverage>>;
  let markets: Awaited<ReturnType<typeof marketplaces>>;
  let months: string[];
  const history = monthEnds(marketplace);
  try {
    [loaded, markets, months] = await Promise.all([loadCoverage(marketplace, month), marketplaces(), history.then((s) => s.map((x) => x.month).reverse(), () => [])]);
  } catch (e) {
    // A month whose figures were never taken (an old link): say so, and show now instead.
    if (!(month && e instanceof ApiError && e.code === 'NO_SNAPSHOT')) throw e;
    toast(errorMessage(e), 'warn');
    open({ marketplace });
    return h('section', { class: 'page wide' });
  }
  const { coverage, source, products, targets } = loaded;
  const marketSelect = select([['all', t.dashboard.anyMarketplace], ...markets.map((m) => [m.id, m.name] as [string, string])], { name: 'marketplace', value: marketplace });
  marketSelect.addEventListener('change', () => open({ marketplace: marketSelect.value, month }));
  const monthSelect = select([['', t.dashboard.now], ...months.map((m) => [m, t.dashboard.monthEnd(monthLabel(m))] as [string, string])], { name: 'month', value: month ?? '' });
  monthSelect.addEventListener('change', () => open({ marketplace, month: monthSelect.value || undefined }));
  const indicators: Indicator[] = [...coverageMetrics, 'ocopLiveShare'];
  const available = indicators.filter((i) => coverage.rows.some((r) => indicatorValue(r, i) !== null));
  // The most telling indicator that has something to show: OCOP products live, then products live, then producers.
  const hasValues = (i: Indicator) => coverage.rows.some((r) => (indicatorValue(r, i) ?? 0) > 0);
  let indicator: Indicator = (['ocopLive', 'productsLive', 'producersLive', 'producers'] as Indicator[]).find((i) => available.includes(i) && hasValues(i)) ?? available[0] ?? 'producers';
  let sortKey: keyof CoverageRow = 'communeName';
  let sortDir: 1 | -1 = 1;
  let selected: string | null = null;

  const mapBox = h('div', { class: 'map-box' }, h('p', { class: 'muted' }, t.dashboard.mapLoading));
  const legend = h('ul', { class: 'legend', 'aria-label': t.dashboard.indicator });
  const info = h('p', { class: 'map-info', 'aria-live': 'polite' });
  const tableBox = h('div', { class: 'table-wrap' });
  const certBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  const exportStatus = h('div', { 'aria-live': 'polite' });
  const indicatorSelect = select(
    available.map((i) => [i, t.dashboard.metrics[i]]),
    { name: 'indicator', value: indicator },
  );
  indicatorSelect.addEventListener('change', () => {
    indicator = indicatorSelect.value as Indicator;
    void drawMap();
  });

  const byCode = new Map(coverage.rows.map((r) => [r.communeCode, r]));
  const metricLabel = (i: Indicator) => t.dashboard.metrics[i];

  const tiles = h(
    'ul',
    { class: 'kpis' },
    (
      [
        ['producers', coverage.totals.producers, null],
        ['producersTrained', coverage.totals.producersTrained, coverage.totals.producers],
        ['producersWithAccount', coverage.totals.producersWithAccount, coverage.totals.producers],
        ['products', coverage.totals.products, null],
        ['ocopProducts', coverage.totals.ocopProducts, coverage.totals.products],
        ['productsLive', coverage.totals.productsLive, coverage.totals.products],
        ['ocopLive', coverage.totals.ocopLive, coverage.totals.ocopProducts],
      ] as const
    ).map(([key, value, of]) =>
      h('li', { 'data-metric': key }, h('span', { class: 'kpi-value' }, formatNumber(value)), h('span', { class: 'kpi-label' }, t.dashboard.metrics[key]), of !== null && value !== null ? h('span', { class: 'kpi-share' }, formatPercent(value, of)) : null),
    ),
  );

  const select_ = (code: string | null) => {
    selected = code;
    const row = code ? byCode.get(code) : undefined;
    info.textContent = row ? `${t.dashboard.selected(row.communeName)} · ${metricLabel(indicator)}: ${indicatorText(indicatorValue(row, indicator), indicator)}` : '';
    mapBox.querySelectorAll('path.selected').forEach((p) => p.classList.remove('selected'));
    if (code) {
      const path = mapBox.querySelector(`path[data-code="${code}"]`);
      path?.classList.add('selected');
      path?.parentNode?.append(path);
    }
    tableBox.querySelectorAll('tr.selected').forEach((tr) => tr.classList.remove('selected'));
    tableBox.querySelector(`tr[data-code="${code}"]`)?.classList.add('selected');
  };

  const drawMap = async () => {
    const values = coverage.rows.map((r) => indicatorValue(r, indicator));
    const breaks = classBreaks(values);
    replace(
      legend,
      h('li', null, h('span', { class: 'swatch', style: `background:${NO_DATA}` }), t.dashboard.noData),
      classLabels(breaks, indicator).map((words, i) => h('li', null, h('span', { class: 'swatch', style: `background:${PALETTE[i]}` }), words)),
    );
    try {
      const { loadShapes, drawMap: draw } = await import('./commune-map.ts');
      const shapes = await loadShapes();
      const map = draw(shapes, {
        label: t.dashboard.mapLabel(metricLabel(indicator)),
        fill: (code) => {
          const row = byCode.get(code);
          const c = row ? classOf(indicatorValue(row, indicator), breaks) : -1;
          return c < 0 ? NO_DATA : PALETTE[c]!;
        },
        title: (code, name) => {
          const row = byCode.get(code);
          return `${row?.communeName ?? name}: ${indicatorText(row ? indicatorValue(row, indicator) : null, indicator)}`;
        },
        onPick: (code) => {
          select_(code);
          tableBox.querySelector(`tr[data-code="${code}"]`)?.scrollIntoView({ block: 'nearest' });
        },
        current: selected,
        // An officer's few communes would be specks among the province's 166: they are shown up close.
        frame: me()?.role === 'officer' ? (scopeCommunes() ?? []) : [],
      });
      replace(mapBox, map);
      if (selected) select_(selected);
    } catch {
      replace(mapBox, notice('error', t.dashboard.mapFailed));
    }
  };

  const columns: { key: keyof CoverageRow; label: string; numeric: boolean }[] = [
    { key: 'communeName', label: t.dashboard.commune, numeric: false },
    ...coverageMetrics.filter((m) => coverage.rows.some((r) => r[m] !== null)).map((m) => ({ key: m, label: t.dashboard.metrics[m], numeric: true })),
  ];

  const drawTable = () => {
    const rows = [...coverage.rows].sort((a, b) => {
      const x = a[sortKey];
      const y = b[sortKey];
      if (typeof x === 'string' && typeof y === 'string') return x.localeCompare(y, 'vi') * sortDir;
      return ((Number(x ?? -1) - Number(y ?? -1)) || a.communeName.localeCompare(b.communeName, 'vi')) * sortDir;
    });
    replace(
      tableBox,
      h(
        'table',
        { class: 'data', 'data-testid': 'coverage-table' },
        h('caption', { class: 'visually-hidden' }, t.dashboard.table),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            columns.map((c) =>
              h(
                'th',
                { scope: 'col', 'aria-sort': sortKey === c.key ? (sortDir === 1 ? 'ascending' : 'descending') : 'none', class: c.numeric ? 'num' : '' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'sort',
                    'aria-label': t.dashboard.sortBy(c.label),
                    onclick: () => {
                      if (sortKey === c.key) sortDir = sortDir === 1 ? -1 : 1;
                      else {
                        sortKey = c.key;
                        sortDir = c.numeric ? -1 : 1;
                      }
                      drawTable();
                      (tableBox.querySelector(`th[aria-sort]:not([aria-sort=none]) button`) as HTMLElement | null)?.focus();
                    },
                  },
                  c.label,
                  h('span', { 'aria-hidden': 'true', class: 'arrow' }, sortKey === c.key ? (sortDir === 1 ? ' ▲' : ' ▼') : ' ↕'),
                ),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((r) =>
            h(
              'tr',
              { 'data-code': r.communeCode, class: r.communeCode === selected ? 'selected' : '', onclick: () => select_(r.communeCode) },
              columns.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, r.communeName) : h('td', { class: 'num' }, formatNumber(r[c.key] as number | null)))),
            ),
          ),
        ),
        h('tfoot', null, h('tr', null, columns.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, t.dashboard.total) : h('td', { class: 'num' }, formatNumber(coverage.totals[c.key as keyof typeof coverage.totals])))))),
      ),
    );
  };

  const exportFile = async (ext: 'xlsx' | 'csv') => {
    replace(exportStatus);
    try {
      try {
        await downloadFile(`/exports/coverage.${ext}${query({ marketplace: marketplace === 'all' ? undefined : marketplace, month })}`, `bao-cao-bao-phu-${marketplace === 'all' ? '' : `${marketplace}-`}${month ? `cuoi-thang-${month}` : today()}.${ext}`);
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
      if (ext === 'xlsx') {
        replace(exportStatus, notice('info', t.dashboard.exportXlsxUnavailable));
        return;
      }
      const csv = toCsv(
        [t.dashboard.code, ...columns.map((c) => c.label)],
        coverage.rows.map((r) => [r.communeCode, ...columns.map((c) => r[c.key] as string | number | null)]),
      );
      saveFile(new Blob([csv], { type: 'text/csv;charset=utf-8' }), `bao-cao-bao-phu-${today()}.csv`);
      replace(exportStatus, notice('info', t.dashboard.exportLocal));
    } catch (e) {
      downloadFailed(e);
    }
  };

  /** The producer or product list of the caller's scope, as the server writes it (phones masked for the department). */
  const exportList = (list: 'producers' | 'products', ext: 'xlsx' | 'csv') =>
    downloadFile(`/exports/${list}.${ext}`, `danh-sach-${list === 'producers' ? 'chu-the' : 'san-pham'}-${today()}.${ext}`).catch(downloadFailed);
  const listButton = (list: 'producers' | 'products', ext: 'xlsx' | 'csv') =>
    h('button', { type: 'button', class: 'secondary', onclick: () => void exportList(list, ext) }, t.dashboard.exportList(list === 'producers' ? t.dashboard.producersList : t.dashboard.productsList, ext === 'xlsx' ? 'Excel' : 'CSV'));

  /** The same figures summed by former district (the server groups them), loaded when first opened. */
  const districtsBox = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, t.common.loading));
  const districts = h('details', { 'data-testid': 'districts' }, h('summary', null, t.dashboard.districts), districtsBox);
  districts.addEventListener('toggle', () => {
    if (!districts.open || districtsBox.dataset.loaded) return;
    districtsBox.dataset.loaded = 'true';
    void get<{ rows: (RawCounts & { formerDistrict: string; communes: number })[]; totals: RawCounts }>(`/coverage${query({ by: 'district', marketplace, month })}`).then(
      (res) => {
        const metrics = columns.slice(1) as { key: keyof CoverageCounts; label: string }[];
        const totals = countsOf(res.totals);
        replace(
          districtsBox,
          h(
            'table',
            { class: 'data', 'data-testid': 'district-table' },
            h('caption', { class: 'visually-hidden' }, t.dashboard.districts),
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, t.dashboard.district), h('th', { scope: 'col', class: 'num' }, t.dashboard.districtCommunes), metrics.map((c) => h('th', { scope: 'col', class: 'num' }, c.label)))),
            h('tbody', null, res.rows.map((r) => h('tr', null, h('th', { scope: 'row' }, r.formerDistrict), h('td', { class: 'num' }, formatNumber(r.communes)), ((counts) => metrics.map((c) => h('td', { class: 'num' }, formatNumber(counts[c.key]))))(countsOf(r))))),
            h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, t.dashboard.total), h('td', { class: 'num' }, formatNumber(res.rows.reduce((n, r) => n + r.communes, 0))), metrics.map((c) => h('td', { class: 'num' }, formatNumber(totals[c.key]))))),
          ),
        );
      },
      (e: unknown) => replace(districtsBox, loadFailed(e)),
    );
  });

  const trendBox = h('div', null, h('p', { class: 'muted' }, t.common.loading));
  if (source.kind === 'api') void loadTrend(trendBox, history);
  void loadCertificates(certBox, products);
  drawTable();
  void drawMap();

  return h(
    'section',
    { class: 'page wide' },
    h('h1', null, t.dashboard.title),
    notice(
      'info',
      h('span', { 'data-testid': 'coverage-source', 'data-source': source.kind }, source.kind === 'fallback' ? t.dashboard.sourceFallback : source.month ? t.dashboard.sourceMonth(monthLabel(source.month), formatDateTime(source.asOf)) : t.dashboard.sourceApi(formatDateTime(source.asOf))),
      source.kind === 'fallback' && !source.complete ? ` ${t.dashboard.partial(source.counted)}` : '',
      ` ${t.dashboard.ocopCurrentOnly}`,
    ),
    source.kind === 'api' ? h('div', { class: 'filters' }, field(t.dashboard.marketplace, marketSelect), months.length ? field(t.dashboard.when, monthSelect) : null) : null,
    tiles,
    targets.length
      ? section(
          t.dashboard.targets,
          // A month-end is measured against the targets of its time, kept with its snapshot (today's for one taken before they were kept).
          source.kind === 'api' && source.month ? h('p', { class: 'small muted', 'data-testid': 'targets-as-of' }, source.targetsAsOf === source.asOf ? t.dashboard.targetsOfMonth(monthLabel(source.month)) : t.dashboard.targetsOfToday) : null,
          targetList(targets, markets),
        )
      : null,
    source.kind === 'api' ? section(t.dashboard.trend, trendBox) : null,
    h(
      'div',
      { class: 'dash-grid' },
      section(t.dashboard.map, field(t.dashboard.indicator, indicatorSelect), mapBox, info, legend, h('p', { class: 'attribution small' }, t.dashboard.attribution)),
      section(
        t.dashboard.certificates,
        certBox,
      ),
    ),
    section(
      // The lists are always today's: with a month-end chosen, the heading says they do not follow it.
      month ? t.dashboard.listsNow : t.dashboard.lists,
      h('p', { class: 'muted small' }, t.dashboard.listsHint),
      h('div', { class: 'row' }, listButton('producers', 'xlsx'), listButton('producers', 'csv'), listButton('products', 'xlsx'), listButton('products', 'csv')),
    ),
    section(
      t.dashboard.table,
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', onclick: () => void exportFile('xlsx') }, t.dashboard.exportXlsx), h('button', { type: 'button', class: 'secondary', onclick: () => void exportFile('csv') }, t.dashboard.exportCsv)),
      exportStatus,
      tableBox,
      source.kind === 'api' ? districts : null,
    ),
  );
}

/** Each target with where it stands: "Chủ thể · Toàn tỉnh · 31/12/2026 — 120 / 500 (24%)". */
function targetList(targets: TargetProgress[], markets: { id: string; name: string }[]): HTMLElement {
  return h(
    'ul',
    { class: 'plain targets', 'data-testid': 'targets' },
    targets.map((tg) => {
      const label = `${indicatorLabel(tg.indicator)} · ${targetPlace(tg.scope)} · ${targetMarket(tg.marketplace, markets)}`;
      return h(
        'li',
        null,
        h('div', { class: 'row spread' }, h('strong', null, label), h('span', { class: 'small' }, t.dashboard.targetBy(formatDate(tg.period)))),
        h(
          'p',
          { class: 'small' },
          // A province-wide count seen from an officer's communes: where they stand, not a share of the province's target.
          tg.achieved === null && tg.current !== null && tg.scope === 'province' && tg.unit === 'count' && me()?.role === 'officer'
            ? t.dashboard.targetYourPart(targetAmount(tg.current, tg.unit), targetAmount(tg.value, tg.unit))
            : t.dashboard.targetProgress(targetAmount(tg.current, tg.unit), targetAmount(tg.value, tg.unit), formatPercent(tg.achieved, 100)),
        ),
        tg.achieved === null ? null : meter(Math.floor(tg.achieved), label),
      );
    }),
  );
}

/** The last twelve month-end snapshots of the caller's communes, oldest first, as a table. */
async function loadTrend(box: HTMLElement, history: Promise<MonthTotals[]>): Promise<void> {
  const from = vietnamMonth(new Date(), 12);
  let series: MonthTotals[];
  try {
    series = (await history).filter((s) => s.month >= from);
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  if (!series.length) {
    replace(box, h('p', { class: 'muted' }, t.dashboard.noTrend));
    return;
  }
  const metrics = ['producers', 'producersLive', 'products', 'productsLive', 'ocopLive'] as const;
  replace(
    box,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'trend-table' },
        h('caption', { class: 'visually-hidden' }, t.dashboard.trend),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t.dashboard.month), metrics.map((k) => h('th', { scope: 'col' }, t.dashboard.metrics[k])))),
        h(
          'tbody',
          null,
          series.map((row) => h('tr', null, h('th', { scope: 'row' }, `${row.month.slice(5)}/${row.month.slice(0, 4)}`), metrics.map((k) => h('td', { class: 'num' }, formatNumber(row.totals[k] ?? 0))))),
        ),
      ),
    ),
  );
}

/** Says why a file could not be downloaded (offline, or what the server refused). */
function downloadFailed(e: unknown): void {
  toast(e instanceof NetworkError ? t.errors.NETWORK_READ : errorMessage(e), 'warn');
}

async function loadCertificates(box: HTMLElement, loaded: Product[] | null): Promise<void> {
  let items: Product[];
  let fallback = false;
  try {
    // Those still to expire first (the ones that can be renewed in time), then those expired in
    // the last 90 days, the latest first: long-expired certificates must not crowd out either.
    const [soon, expired] = await Promise.all([
      getOptional<Page<Product>>('/products/certificates?withinDays=90&expiredWithinDays=0&limit=100'),
      getOptional<Page<Product>>('/products/certificates?withinDays=0&expiredWithinDays=90&limit=100'),
    ]);
    if (soon && expired) {
      const upcoming = soon.items.filter((p) => daysUntil(p.certificateExpiry!) >= 0);
      items = [...upcoming, ...expired.items.filter((p) => daysUntil(p.certificateExpiry!) < 0).reverse()];
    } else {
      fallback = true;
      const all = loaded ?? (await getAll<Product>('/products')).items;
      items = all.filter((p) => p.certificateExpiry && daysUntil(p.certificateExpiry) <= 90).sort((a, b) => a.certificateExpiry!.localeCompare(b.certificateExpiry!));
    }
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  replace(
    box,
    fallback ? h('p', { class: 'small muted' }, t.dashboard.certificatesFallback) : null,
    items.length
      ? h(
          'ul',
          { class: 'plain certs' },
          items.map((p) => {
            const days = daysUntil(p.certificateExpiry!);
            return h(
              'li',
              { class: days < 0 ? 'expired' : '' },
              h('a', { href: link(`/products/${p.id}`) }, p.name),
              h('span', { class: 'small' }, ` · ${p.certificateNo ?? ''} · ${formatDate(p.certificateExpiry)} · `),
              h('strong', { class: days < 0 ? 'danger-text' : '' }, days < 0 ? t.dashboard.expired(-days) : t.dashboard.daysLeft(days)),
            );
          }),
        )
      : h('p', { class: 'muted' }, t.dashboard.noCertificates),
  );
}
