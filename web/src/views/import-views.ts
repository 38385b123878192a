/**
 * Bulk import screens (loaded on demand): send a spreadsheet, review the dry run (counts per
 * outcome, invalid rows with their reasons, a new commune to choose for rows whose old commune
 * was split), commit and follow its progress, resume a commit that stopped.
 *
 * Imports need a connection: unlike single records they are never queued in the outbox.
 * The list of imports is the server's (`GET /imports`): the user's own, or everyone's for an
 * administrator.
 */
import { rowErrorLines } from '#shared/import-fields.ts';
import type { ImportFailure, Page } from '../core/types.ts';
import { ApiError, NetworkError, get, query, request, keyFor, forgetKey, sendDirect } from '../core/api.ts';
import { can, me } from '../core/app-state.ts';
import { downloadFile, putFile } from '../core/files.ts';
import { formatDateTime, formatNumber } from '../core/format.ts';
import { errorMessage, lang, t, wordImportFailure } from '../i18n/i18n.ts';
import { h, replace, uid, type Child } from '../ui/dom.ts';
import { go, link, type Route } from '../ui/router.ts';
import { chip, clearFieldErrors, confirmDialog, errorBox, field, meter, notice, select, setFieldError, showError, toast } from '../ui/widgets.ts';
import { loadFailed, section, sendConfirmed } from './common.ts';

type ImportKind = 'producers' | 'products';
type ImportStatus = 'awaiting_file' | 'previewing' | 'previewed' | 'committing' | 'committed' | 'failed';
type Outcome = 'new' | 'duplicate_existing' | 'duplicate_in_file' | 'invalid' | 'needs_decision' | 'out_of_scope';
type Progress = { done: number; total: number; rowsPerSecond: number; etaSeconds: number | null };
type ImportJob = {
  id: string;
  kind: ImportKind;
  fileName: string;
  status: ImportStatus;
  totalRows: number;
  counts: Partial<Record<Outcome, number>>;
  /** Why it failed, in English; `failure` says it as a code to word. */
  error?: string;
  failure?: ImportFailure;
  createdAt?: string;
  updatedAt?: string;
  commitStartedAt?: string;
  progress?: Progress;
  /** Rows of the commit not written (their existing producer went away since the dry run). */
  rowsSkipped?: number;
  /** Committing or previewing, but unmoved for so long that the job must have died. */
  stalled?: boolean;
};
type Candidate = { code: string; fullName: string; share?: string };
type ImportRow = {
  row: number;
  outcome: Outcome;
  producer: { name: string; communeCode?: string };
  product?: { name: string };
  errors?: { field: string; message: string; vi?: string }[];
  candidates?: Candidate[];
};
type RowsPage = { total: number; items: ImportRow[] };

/** The API's limit for an import file (MAX_IMPORT_BYTES in functions/imports/import-service.ts). */
const MAX_BYTES = 25 * 1024 * 1024;
const POLL_MS = 1500;
const ROWS_PAGE = 500;
const INVALID_SHOWN = 50;
const outcomes: readonly Outcome[] = ['new', 'needs_decision', 'invalid', 'duplicate_existing', 'duplicate_in_file', 'out_of_scope'];
const statusTone: Record<ImportStatus, string> = { awaiting_file: 'draft', previewing: 'submitted', previewed: 'pending', committing: 'submitted', committed: 'live', failed: 'rejected' };
const busy = (s: ImportStatus) => s === 'previewing' || s === 'committing';

// --- Helpers -----------------------------------------------------------------------------------

/** Why a chosen file cannot be sent (in the words the server's refusals get), or null when it can. */
function fileProblem(file: File | undefined): string | null {
  if (!file) return t.imports.chooseFile;
  if (!/\.(xlsx|csv)$/i.test(file.name)) return t.importFailures.wrong_type({ code: 'wrong_type' });
  if (file.size === 0) return t.importFailures.empty_file({ code: 'empty_file', bytes: 0 });
  if (file.size > MAX_BYTES) return t.importFailures.too_large({ code: 'too_large', bytes: file.size, limit: MAX_BYTES });
  return null;
}

/**
 * Shows a failed call in `box`: imports are never queued, so a lost connection says so plainly,
 * and a refused file says why in the user's words.
 */
function showFailure(scope: HTMLElement, box: HTMLElement, err: unknown): void {
  const words = err instanceof NetworkError ? t.imports.needsConnection : err instanceof ApiError && err.problem.failure ? wordImportFailure(err.problem.failure) : undefined;
  if (!words) return showError(scope, box, err);
  clearFieldErrors(scope);
  replace(box, h('p', null, words));
  box.hidden = false;
  box.focus();
}

function offlineFailure(scope: HTMLElement, box: HTMLElement): boolean {
  if (navigator.onLine) return false;
  showFailure(scope, box, new NetworkError());
  return true;
}

/** Rows a finished commit wrote: those it set out to write, less those it had to skip. */
const importedRows = (job: ImportJob) => (job.progress?.done ?? job.counts.new ?? 0) - (job.rowsSkipped ?? 0);

/** "Mới, sẽ nhập: 3 · Cần chọn xã/phường mới: 1 · …"; once committed, what was imported: "Đã nhập 3 · Không hợp lệ: 1". */
function countsSummary(job: ImportJob): string {
  const done = job.status === 'committed';
  return [
    ...(done ? [t.imports.imported(formatNumber(importedRows(job)))] : []),
    ...outcomes.filter((o) => job.counts[o] && !(done && o === 'new')).map((o) => `${t.imports.outcomes[o]}: ${formatNumber(job.counts[o])}`),
  ].join(' · ');
}

function statusText(job: ImportJob): string {
  const lines = t.imports.statusLines;
  return job.status === 'previewed' ? lines.previewed(formatNumber(job.totalRows)) : lines[job.status];
}

/** Why an import failed, in the user's words, by its failure code (`error` is the API's English). */
function failureText(job: ImportJob): Child[] {
  const words = job.failure && wordImportFailure(job.failure);
  if (words) return [h('p', { 'data-failure': job.failure!.code }, words)];
  // Failed before failures had codes, or with a code newer than this page: a stopped commit by its state, else the API's words.
  if (job.commitStartedAt) return [h('p', null, t.importFailures.commit_stopped({ code: 'commit_stopped' }))];
  const error = job.error ?? '';
  return [h('p', null, t.importFailures.unreadable({ code: 'unreadable' })), error ? h('p', { class: 'small' }, `${t.imports.detail} `, h('span', { lang: 'en' }, error)) : null];
}

function rowName(r: ImportRow): string {
  const name = r.product?.name ? `${r.product.name} · ${r.producer.name}` : r.producer.name;
  return name.trim() || t.imports.noName;
}

async function allRows(id: string, outcome: Outcome): Promise<ImportRow[]> {
  const rows: ImportRow[] = [];
  for (;;) {
    const page = await get<RowsPage>(`/imports/${encodeURIComponent(id)}/rows${query({ outcome, offset: rows.length, limit: ROWS_PAGE })}`);
    rows.push(...page.items);
    if (!page.items.length || rows.length >= page.total) return rows;
  }
}

/** Where `POST /imports` says to send the file: a presigned S3 URL in the cloud, the API's own route on a local server. */
type UploadTarget = { uploadUrl: string; headers?: Record<string, string>; expiresAt?: string };

/**
 * Imports whose file this tab sent straight to storage, and when. The server starts the dry run
 * when the file arrives there, so for a few seconds it still says `awaiting_file`: the page
 * waits for it rather than asking for the file again.
 */
const sentAt = new Map<string, number>();
const ARRIVAL_WAIT_MS = 2 * 60_000;
const arriving = (job: ImportJob) => job.status === 'awaiting_file' && Date.now() - (sentAt.get(job.id) ?? -Infinity) < ARRIVAL_WAIT_MS;

/** Sends the file to the import's upload URL with the headers it needs; the dry run starts on the server. */
async function sendFile(job: ImportJob & UploadTarget, file: File): Promise<ImportJob> {
  const answer = await putFile<ImportJob>(job.uploadUrl, file, job.headers);
  // The API's own route answers the import, previewing; storage answers nothing.
  if (answer && typeof answer === 'object' && 'status' in answer) return answer;
  sentAt.set(job.id, Date.now());
  return { ...job, status: 'awaiting_file' };
}

/**
 * Starts an import of `file` and sends the file. `what` names the attempt: a retry after a
 * failure reuses its Idempotency-Key, so the server answers the import it already made — with
 * a fresh one instead when that answer's upload link has expired.
 */
async function startImport(kind: ImportKind, file: File, what: string): Promise<ImportJob> {
  const create = () => request<ImportJob & UploadTarget>('/imports', { method: 'POST', body: JSON.stringify({ kind, fileName: file.name.slice(0, 200), bytes: file.size }), idempotencyKey: keyFor(what) });
  let created = await create();
  const expiresAt = created.data.expiresAt ? Date.parse(created.data.expiresAt) : Infinity;
  if (created.replayed && expiresAt <= (created.serverTime ?? Date.now()) + 30_000) {
    forgetKey(what);
    created = await create();
  }
  let job: ImportJob = created.data;
  try {
    job = await sendFile(created.data, file);
  } catch (err) {
    // A replayed create whose file had got through already: the import is under way.
    if (!(created.replayed && err instanceof ApiError && err.status === 409)) throw err;
  }
  forgetKey(what);
  return job;
}

/** The file a form is about to send, or null after saying on the form why it cannot go (none, wrong, too big, offline). */
function fileToSend(form: HTMLFormElement, file: HTMLInputElement, box: HTMLElement): File | null {
  clearFieldErrors(form);
  box.hidden = true;
  const chosen = file.files?.[0];
  const problem = fileProblem(chosen);
  if (problem || !chosen) {
    setFieldError(form, 'file', problem);
    file.focus();
    return null;
  }
  return offlineFailure(form, box) ? null : chosen;
}

const fileInput = () => h('input', { type: 'file', name: 'file', accept: '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv' });

// --- #/imports: a new import and the recent ones ---------------------------------------------

export function newImportView(): Node {
  if (!can.importLists()) return h('section', { class: 'page' }, h('h1', null, t.imports.title), notice('warn', t.errors.FORBIDDEN));
  const columnsHint = (kind: ImportKind) => `${t.imports.columns[kind]} ${t.imports.oldNames}`;
  const file = fileInput();
  const fileField = field(t.imports.file, file, { hint: columnsHint('producers'), path: 'file', required: true });
  const hint = fileField.querySelector('.hint')!;
  const radio = (value: ImportKind, checked: boolean) => {
    const id = uid('r');
    return h('div', { class: 'radio' }, h('input', { type: 'radio', id, name: 'kind', value, checked, onchange: () => (hint.textContent = columnsHint(value)) }), h('label', { for: id }, t.imports.kinds[value]));
  };
  const box = errorBox();
  const submitBtn = h('button', { type: 'submit', class: 'primary' }, t.imports.submit);
  const form = h(
    'form',
    { class: 'stack card', novalidate: true },
    h('fieldset', { class: 'field', 'data-path': 'kind' }, h('legend', null, t.imports.kind), radio('producers', true), radio('products', false)),
    fileField,
    notice('info', t.imports.nothingWritten),
    box,
    h('div', { class: 'actions' }, submitBtn),
  );
  file.addEventListener('change', () => setFieldError(form, 'file', file.files?.[0] ? fileProblem(file.files[0]) : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = fileToSend(form, file, box);
    if (!chosen) return;
    const kind = (form.elements.namedItem('kind') as RadioNodeList).value as ImportKind;
    submitBtn.disabled = true;
    submitBtn.textContent = t.imports.sending;
    try {
      const job = await startImport(kind, chosen, `create|${kind}|${chosen.name}|${chosen.size}|${chosen.lastModified}`);
      go(`#/imports/${encodeURIComponent(job.id)}`);
    } catch (err) {
      showFailure(form, box, err);
      submitBtn.disabled = false;
      submitBtn.textContent = t.imports.submit;
    }
  });

  const recentBox = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, t.common.loading));
  void loadRecent(recentBox);
  return h('section', { class: 'page' }, h('h1', null, t.imports.title), form, section(t.imports.recent, recentBox));
}

/** The imports the user may see, newest first (an administrator sees everyone's, with who started each), a page at a time. */
async function loadRecent(box: HTMLElement): Promise<void> {
  const everyone = me()?.role === 'admin';
  const ul = h('ul', { class: 'cards', 'data-testid': 'recent-imports' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t.common.more);
  let cursor: string | null = null;
  const card = (job: ImportJob & { importedBy?: string }) =>
    h(
      'li',
      null,
      h(
        'a',
        { href: link(`/imports/${encodeURIComponent(job.id)}`), class: 'card-link' },
        h('strong', null, job.fileName),
        h('span', null, chip(t.imports.statuses[job.status], statusTone[job.status]), ' ', h('span', { class: 'muted small' }, [t.imports.kindsShort[job.kind], formatDateTime(job.createdAt), everyone ? job.importedBy : undefined].filter(Boolean).join(' · '))),
        job.totalRows ? h('span', { class: 'muted small' }, countsSummary(job)) : null,
      ),
    );
  const page = async () => {
    const res = await get<Page<ImportJob & { importedBy?: string }>>(`/imports${query({ limit: 10, cursor })}`);
    ul.append(...res.items.map(card));
    cursor = res.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => {
    more.disabled = true;
    page()
      .catch((e: unknown) => toast(errorMessage(e), 'warn'))
      .finally(() => (more.disabled = false));
  });
  try {
    await page();
  } catch (e) {
    replace(box, loadFailed(e));
    return;
  }
  replace(box, ul.children.length ? ul : h('p', { class: 'muted' }, t.imports.noRecent), more);
}

// --- #/imports/:id: one import ----------------------------------------------------------------

export async function importView(r: Route): Promise<Node> {
  const id = r.params.id!;
  const path = `/imports/${encodeURIComponent(id)}`;
  let job = await get<ImportJob>(path);

  const statusLine = h('p', { class: 'import-status', 'aria-live': 'polite', 'data-testid': 'import-status', tabindex: -1 });
  const retryNote = h('p', { class: 'small muted', hidden: true }, t.imports.retrying);
  const body = h('div', { class: 'stack' });
  const page = h(
    'section',
    { class: 'page', 'data-testid': 'import', 'data-status': job.status },
    h('h1', null, job.fileName),
    h('p', { class: 'muted small' }, `${t.imports.kindsShort[job.kind]} · ${t.imports.created(formatDateTime(job.createdAt))}`),
    statusLine,
    retryNote,
    body,
  );
  let drawn: ImportStatus | 'arriving' | 'stalled' | null = null;
  let drawSeq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const progressBox = h('div', { 'data-testid': 'progress' });

  const show = (next: ImportJob) => {
    job = next;
    page.dataset.status = job.status;
    const state = arriving(job) ? 'arriving' : job.stalled ? 'stalled' : job.status;
    const text = state === 'arriving' ? t.imports.arriving : statusText(job);
    if (statusLine.textContent !== text) statusLine.textContent = text;
    if (job.status === 'committing') drawProgress();
    if (state === drawn) return;
    drawn = state;
    void drawBody();
  };

  /** Asks again every 1.5 s while the server works; stops when the page is left. */
  const poll = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), POLL_MS);
  };
  const tick = async () => {
    if (!page.isConnected) return;
    try {
      const next = await get<ImportJob>(path);
      if (!page.isConnected) return;
      retryNote.hidden = true;
      show(next);
    } catch (e) {
      if (!page.isConnected) return;
      if (e instanceof ApiError && [401, 403, 404].includes(e.status)) {
        replace(body, loadFailed(e));
        return;
      }
      retryNote.hidden = false;
    }
    if (busy(job.status) || arriving(job)) poll();
  };
  /** After a request that starts work on the server: show its answer and follow it. */
  const started = (next: ImportJob) => {
    show(next);
    statusLine.focus();
    if (busy(next.status)) poll();
  };

  const drawProgress = () => {
    const p = job.progress ?? { done: 0, total: 0, rowsPerSecond: 0, etaSeconds: null };
    // Until the commit's first run has planned its rows (a second or so), there is no total to count against.
    const parts = [p.total ? t.imports.progressText(formatNumber(p.done), formatNumber(p.total)) : t.imports.starting];
    if (p.rowsPerSecond) parts.push(t.imports.rate(formatNumber(p.rowsPerSecond)));
    if (p.etaSeconds !== null && p.etaSeconds !== undefined) parts.push(t.imports.eta(Math.floor(p.etaSeconds / 60), p.etaSeconds % 60));
    replace(progressBox, meter(p.total ? Math.floor((100 * p.done) / p.total) : 0, t.imports.progress), h('p', { class: 'small' }, parts.join(' · ')));
  };

  const downloadButton = () => {
    const notTaken = job.totalRows - (job.counts.new ?? 0) + (job.rowsSkipped ?? 0);
    if (notTaken <= 0) return null;
    const stem = job.fileName.replace(/\.[^.]+$/, '').replace(/[\\/:*?"<>|]+/g, '-');
    return h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => void downloadFile(`${path}/errors.xlsx`, `${stem}-dong-chua-nhap.xlsx`).catch((e: unknown) => toast(e instanceof NetworkError ? t.imports.needsConnection : errorMessage(e), 'warn')),
      },
      t.imports.download,
    );
  };

  const listLink = () => h('a', { href: link(job.kind === 'products' ? '/products' : '/producers'), class: 'button primary' }, job.kind === 'products' ? t.home.products : t.home.producers);
  const newLink = (primary = false) => h('a', { href: link('/imports'), class: primary ? 'button primary' : 'button secondary' }, t.imports.newImport);

  /** Discards an import that has written nothing (its file and dry-run rows go with it); then the screen for a new one. */
  const discardButton = () => {
    if (job.commitStartedAt) return null;
    const button = h('button', { type: 'button', class: 'danger', 'data-testid': 'discard' }, t.imports.discard);
    button.addEventListener('click', async () => {
      if (!(await sendConfirmed(t.imports.confirmDiscard(job.fileName), t.imports.discard, `import.discard|${id}`, path, { method: 'DELETE' }))) return;
      toast(t.imports.discarded(job.fileName));
      go('#/imports');
    });
    return button;
  };

  /** Resumes a commit that stopped (no decisions: it carries on with those it started with). */
  const resumeControls = () => {
    const resumeBox = errorBox();
    const resumeBtn = h('button', { type: 'button', class: 'primary' }, t.imports.resume);
    resumeBtn.addEventListener('click', async () => {
      resumeBox.hidden = true;
      if (offlineFailure(body, resumeBox)) return;
      resumeBtn.disabled = true;
      try {
        const res = await request<ImportJob>(`${path}/commit`, { method: 'POST', body: JSON.stringify({}), idempotencyKey: keyFor(`resume|${id}|${job.updatedAt ?? ''}`) });
        started(res.data);
      } catch (e) {
        showFailure(body, resumeBox, e);
        resumeBtn.disabled = false;
      }
    });
    return { resumeBox, resumeBtn };
  };

  const drawBody = async () => {
    const seq = ++drawSeq;
    const put = (...children: Child[]) => seq === drawSeq && replace(body, ...children);
    if (job.stalled) {
      if (job.status === 'committing') {
        const { resumeBox, resumeBtn } = resumeControls();
        put(notice('warn', t.imports.stalledCommit), resumeBox, h('div', { class: 'actions' }, resumeBtn));
      } else put(notice('warn', t.imports.stalledPreview), h('div', { class: 'actions' }, newLink(true), discardButton()));
      return;
    }
    switch (job.status) {
      case 'awaiting_file':
        put(arriving(job) ? null : awaitingFile());
        return;
      case 'previewing':
        put();
        return;
      case 'committing':
        put(progressBox);
        return;
      case 'committed':
        put(
          notice('ok', h('p', { 'data-testid': 'import-done' }, t.imports.written(formatNumber(importedRows(job))))),
          h('div', { class: 'actions' }, listLink(), downloadButton(), newLink()),
        );
        return;
      case 'failed': {
        const { resumeBox, resumeBtn } = resumeControls();
        put(notice('error', ...failureText(job)), resumeBox, h('div', { class: 'actions' }, ...(job.commitStartedAt ? [resumeBtn] : [newLink(true), discardButton()])));
        return;
      }
      case 'previewed': {
        put(h('p', { class: 'muted' }, t.common.loading));
        try {
          const node = await previewed();
          put(node);
        } catch (e) {
          put(loadFailed(e), h('button', { type: 'button', onclick: () => ((drawn = null), show(job)) }, t.common.retry));
        }
      }
    }
  };

  /** The file never reached the server (the upload failed, or never arrived in storage): choose it again. */
  const awaitingFile = () => {
    const file = fileInput();
    const box = errorBox();
    const btn = h('button', { type: 'submit', class: 'primary' }, t.imports.sendFile);
    const form = h('form', { class: 'stack card', novalidate: true }, field(t.imports.file, file, { hint: `${t.imports.columns[job.kind]} ${t.imports.oldNames}`, path: 'file', required: true }), box, h('div', { class: 'actions' }, btn, discardButton()));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const chosen = fileToSend(form, file, box);
      if (!chosen) return;
      btn.disabled = true;
      btn.textContent = t.imports.sending;
      try {
        // The first upload link is spent or expired: the file goes into a new import, which replaces this one.
        const next = await startImport(job.kind, chosen, `resend|${id}|${chosen.name}|${chosen.size}|${chosen.lastModified}`);
        // The import whose file never came is left for good: it goes, so the list does not keep it (if this fails, it stays listed, harmless).
        void sendDirect(`import.discard|${id}`, path, { method: 'DELETE' }).catch(() => undefined);
        go(`#/imports/${encodeURIComponent(next.id)}`);
      } catch (err) {
        showFailure(form, box, err);
        btn.disabled = false;
        btn.textContent = t.imports.sendFile;
      }
    });
    return form;
  };

  /** The dry run's results: counts, the rows that need a commune, the invalid rows, and the commit. */
  const previewed = async (): Promise<Node> => {
    const [decisionRows, invalid] = await Promise.all([
      job.counts.needs_decision ? allRows(id, 'needs_decision') : Promise.resolve([]),
      job.counts.invalid ? get<RowsPage>(`${path}/rows${query({ outcome: 'invalid', limit: INVALID_SHOWN })}`) : Promise.resolve({ total: 0, items: [] }),
    ]);
    const scope = me()?.role === 'officer' ? new Set(me()?.communes ?? []) : null;
    const shares = t.imports.shares as Record<string, string>;
    const commitBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'commit' });
    const nothing = h('p', { class: 'muted', hidden: true }, t.imports.nothingToCommit);
    const box = errorBox();
    const selects = decisionRows.map((row) => {
      const options = (row.candidates ?? []).map((c) => [c.code, `${c.fullName}${c.share && shares[c.share] ? ` (${shares[c.share]})` : ''}${scope && !scope.has(c.code) ? ` — ${t.imports.notYours}` : ''}`] as [string, string]);
      const sel = select([['', t.imports.skipRow], ...options], { name: `decision-${row.row}`, 'data-row': String(row.row) });
      for (const opt of sel.options) if (opt.value && scope && !scope.has(opt.value)) opt.disabled = true;
      sel.addEventListener('change', () => update());
      return { row, sel };
    });
    const decisions = () => selects.filter((s) => s.sel.value).map((s) => ({ row: s.row.row, communeCode: s.sel.value }));
    const toWrite = () => (job.counts.new ?? 0) + decisions().length;
    const update = () => {
      const n = toWrite();
      commitBtn.textContent = t.imports.commit(formatNumber(n));
      commitBtn.disabled = n === 0;
      nothing.hidden = n > 0;
    };
    update();
    // Imported producers are kept on the basis of state management; the office hears it before anything is written.
    const commitArea = h('div', { class: 'stack' }, notice('info', t.imports.nothingWritten), notice('info', h('span', { 'data-testid': 'legal-basis' }, t.imports.legalBasis(t.producer.stateManagement))), box, nothing, h('div', { class: 'actions' }, commitBtn, downloadButton(), discardButton()));
    commitBtn.addEventListener('click', async () => {
      const chosen = decisions();
      const n = (job.counts.new ?? 0) + chosen.length;
      if (n === 0) return;
      box.hidden = true;
      if (!(await confirmDialog(t.imports.confirmCommit(formatNumber(n)), t.imports.confirm))) return;
      if (offlineFailure(commitArea, box)) return;
      const payload = JSON.stringify({ decisions: chosen });
      commitBtn.disabled = true;
      commitBtn.textContent = t.imports.committing;
      try {
        const res = await request<ImportJob>(`${path}/commit`, { method: 'POST', body: payload, idempotencyKey: keyFor(`commit|${id}|${payload}`) });
        started(res.data);
      } catch (e) {
        showFailure(commitArea, box, e);
        update();
        // Someone (another tab) committed it meanwhile: show where it stands.
        if (e instanceof ApiError && e.status === 409) void tick();
      }
    });

    return h(
      'div',
      { class: 'stack' },
      section(
        t.imports.counts,
        h(
          'dl',
          { class: 'facts', 'data-testid': 'import-counts' },
          outcomes.filter((o) => job.counts[o]).map((o) => h('div', { 'data-outcome': o }, h('dt', null, t.imports.outcomes[o]), h('dd', null, t.imports.rows(formatNumber(job.counts[o]))))),
        ),
      ),
      selects.length
        ? section(
            t.imports.decisions,
            h('p', { class: 'hint' }, t.imports.decisionsHelp),
            h('div', { class: 'stack', 'data-testid': 'decisions' }, selects.map(({ row, sel }) => field(t.imports.decisionLabel(formatNumber(row.row), rowName(row)), sel))),
          )
        : null,
      invalid.items.length
        ? section(
            t.imports.invalid,
            invalid.total > invalid.items.length ? h('p', { class: 'hint' }, t.imports.invalidFirst(formatNumber(invalid.items.length), formatNumber(invalid.total))) : null,
            h(
              'ul',
              { class: 'plain invalid-rows', 'data-testid': 'invalid-rows' },
              invalid.items.map((row) =>
                h(
                  'li',
                  { 'data-row': row.row },
                  h('strong', null, t.imports.row(formatNumber(row.row))),
                  row.producer.name || row.product?.name ? ` · ${rowName(row)}` : null,
                  h('ul', null, rowErrorLines(row.errors ?? [], lang()).map((line) => h('li', null, line))),
                ),
              ),
            ),
          )
        : null,
      commitArea,
    );
  };

  show(job);
  if (busy(job.status) || arriving(job)) poll();
  return page;
}
