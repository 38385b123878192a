import { createHash } from 'node:crypto';
import { marketplaces } from '#shared/marketplaces.ts';
import { readyMarketplacesOf } from '#shared/onboarding-rules.ts';
import type { ProducerCreate } from '#shared/schemas/producer.ts';
import type { ProductCreate } from '#shared/schemas/product.ts';
import type { ImportFailure } from '#shared/schemas/common.ts';
import { rowErrorLines } from '#shared/import-fields.ts';
import { getCommune } from '#shared/admin-units/admin-units.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import type { BlobStore } from '#functions/core/blob-store.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, RaceError, ValidationError } from '#functions/core/errors.ts';
import { newId } from '#functions/core/ids.ts';
import type { Keyring } from '#functions/core/keyring.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import { logger } from '#functions/core/logger.ts';
import type { Repositories } from '#functions/api/compose.ts';
import { BatchAlreadyDoneError, type ImportJob } from '#functions/repositories/import-repository.ts';
import type { DuplicateKeys, DuplicateKind } from '#functions/repositories/duplicate-key-repository.ts';
import type { ProducerRecord } from '#functions/repositories/producer-repository.ts';
import type { ProductRecord } from '#functions/repositories/product-repository.ts';
import { MAX_TRANSACTION_ITEMS, batchPut, transact, type Item, type Table, type TxOp } from '#functions/repositories/table.ts';
import type { Committer } from '#functions/services/write-context.ts';
import type { CoverageTracker } from '#functions/services/coverage-tracker.ts';
import { canSee, type Principal } from '#functions/services/principal.ts';
import { duplicateKeysOf, keptCitizenId, newProducerRecord, type KeptCitizenId } from '#functions/services/producer-service.ts';
import { newProductRecord } from '#functions/services/product-service.ts';
import type { WriteContext } from '#functions/services/write-context.ts';
import { HEADER_SEARCH_ROWS, detectColumns, fieldOfHeader, requiredFields, type ColumnMapping, type ImportField, type ImportKind } from './import-columns.ts';
import { interpretRow, type Candidate, type FieldError } from './import-rows.ts';
import { SpreadsheetError, detectFormat, readSpreadsheet, type Cell } from './spreadsheet-reader.ts';

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_IMPORT_BYTES = 25 * 1024 * 1024;
/** How long a direct upload link (presigned S3 PUT) of an import file stays valid. */
export const IMPORT_UPLOAD_URL_SECONDS = 15 * 60;
const ROWS_PER_BATCH = 400;
/** Counter items a commune takes in a batch's transaction: `all` and one per marketplace. */
const COUNTERS_PER_COMMUNE = marketplaces.length + 1;
/** The batch's marker and the job's progress, in every batch's transaction (`batchDoneOp`). */
const BATCH_MARKER_ITEMS = 2;
const PARALLEL_BATCHES = 4;
/** BatchWriteItem requests each worker keeps in flight: 4 × 2 = 8 in all, what the store sustains best. */
const BATCH_WRITES_PER_WORKER = 2;
/**
 * A dry run or commit whose import has not changed for this long has died without saying so
 * (a job Lambda timed out or ran out of memory): a commit may resume it, a file restart it.
 * Longer than the job Lambda's 15-minute timeout, so a job still running is never taken for
 * dead; a running commit updates its import with every batch.
 */
const STALE_AFTER_MS = 20 * 60 * 1000;
const isStale = (job: ImportJob) => Date.now() - Date.parse(job.updatedAt) > STALE_AFTER_MS;
/** Above this many rows the dry run reads all duplicate keys at once rather than per row. */
const BULK_LOOKUP_ROWS = 1000;

export type RowOutcome = 'new' | 'duplicate_existing' | 'duplicate_in_file' | 'invalid' | 'needs_decision' | 'out_of_scope';
export type PreviewRow = {
  /** The row's number in the spreadsheet (1-based, as Excel shows it). */
  row: number;
  outcome: RowOutcome;
  errors?: FieldError[];
  candidates?: Candidate[];
  /**
   * What this row duplicates: existing records (ids of those the importer may see; of each
   * producer outside the importer's scope only what matched, as POST /producers tells it), or
   * the earlier row of the file.
   */
  duplicateOf?: { producerIds?: string[]; productIds?: string[]; outsideScope?: { matchedOn: DuplicateKind[] }[]; row?: number };
  /** The producer to create; its citizen ID only as kept for producers (hash and last 4 digits), never in clear. */
  producer: Omit<ProducerCreate, 'communeCode' | 'citizenId'> & KeptCitizenId & { communeCode?: string };
  product?: Omit<ProductCreate, 'producerId'>;
  /** For product rows: the existing producer the product joins. */
  existingProducerId?: string;
  /** For product rows of a producer new to the store: the row that first named it (the row's own number if it is that row). */
  producerRow?: number;
  raw: (string | number | null)[];
};

/** What the file has shown so far: each producer key with the row that first had it; each product (producer row | name) with its row. */
type FileIndex = { keys: Map<string, PreviewRow>; products: Map<string, number> };
const newFileIndex = (): FileIndex => ({ keys: new Map(), products: new Map() });
const productKey = (r: PreviewRow) => `${r.producerRow}|${normaliseName(r.product!.name)}`;

/** Background work a request starts and does not wait for. */
export type Job = { type: 'import-preview' | 'import-commit'; id: string };

/** Runs background jobs: in-process locally (tests can await it), an asynchronous job Lambda in the cloud. */
export type JobRunner = { submit(job: Job): Promise<void> };

export function createInProcessRunner() {
  const running = new Set<Promise<void>>();
  let handler: ((job: Job) => Promise<void>) | undefined;
  return {
    /** The function that does a job (the import service's `handleJob`), set once the services exist. */
    setHandler(h: (job: Job) => Promise<void>) {
      handler = h;
    },
    async submit(job: Job) {
      if (!handler) throw new Error('No job handler set');
      const p: Promise<void> = handler(job)
        .catch((e) => logger.error('background job failed', { job: job.type, id: job.id, error: (e as Error).name, at: (e as Error).stack?.split('\n').slice(1, 6).join('\n') }))
        .finally(() => running.delete(p));
      running.add(p);
    },
    /** Resolves when no job is running (tests, shutdown). */
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };
}

/** Hides all but the last 4 characters. */
const maskedText = (text: string) => '*'.repeat(Math.max(0, text.length - 4)) + text.slice(-4);

/**
 * Runs of digits that may be a citizen ID: 9 (old CMND) or 12 (CCCD), or 11 (a CCCD that lost
 * its leading zero in a number cell), not part of a longer number.
 */
const ID_LIKE = /(?<!\d)(\d{12}|\d{11}|\d{9})(?!\d)/g;

/**
 * The row's cells as they are kept (stored rows, the errors file): the citizen ID's digits hidden
 * but the last 4, as for producers, and in any column the import does not map, every run of
 * digits that may be a citizen ID hidden the same way — a column headed in words the import
 * does not know must not keep IDs in clear.
 */
export function maskCells(cells: Cell[], mapping: ColumnMapping): Cell[] {
  const mapped = new Set(Object.values(mapping));
  return cells.map((cell, col) => {
    if (cell === null || cell === undefined) return cell ?? null;
    if (col === mapping.citizenId) return maskedText(String(cell).trim());
    if (mapped.has(col)) return cell;
    const text = typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : null) : cell;
    if (text === null || !/\d{9}/.test(text)) return cell;
    const masked = text.replace(ID_LIKE, maskedText);
    return masked === text ? cell : masked;
  });
}

/** Whether the importer may write the row: an officer only in their communes. */
const inScope = (p: Pick<Principal, 'role' | 'communes'>, r: PreviewRow) => p.role !== 'officer' || p.communes.includes(r.producer.communeCode!);

function markOutOfScope(r: PreviewRow): void {
  r.outcome = 'out_of_scope';
  r.errors = [{ field: 'commune', message: `commune ${r.producer.communeCode} is not one of your communes`, vi: `xã/phường ${r.producer.communeCode} không thuộc địa bàn được giao` }];
}

/** A stable id per import row, so a resumed commit rewrites the same records, never new ones. */
function rowId(importId: string, row: number, part: string, time: number): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const base = newId(time).slice(0, 10);
  const hash = createHash('sha256').update(`${importId}:${row}:${part}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += alphabet[hash[i]! % 32];
  return base + tail;
}

type Deps = { table: Table; repos: Repositories; coverage: CoverageTracker; keyring: Keyring; cursors: CursorCodec; blobs: BlobStore; runner: JobRunner; commit: Committer };

/** An import as the API shows it: without its actor, with progress while committing. */
function jobView(job: ImportJob) {
  const started = job.commitStartedAt ? Date.parse(job.commitStartedAt) : undefined;
  const seconds = started ? ((job.committedAt ? Date.parse(job.committedAt) : Date.now()) - started) / 1000 : 0;
  const rate = seconds > 0 ? Math.round(job.rowsDone / seconds) : 0;
  const left = job.rowsToWrite - job.rowsDone;
  const { actor, commitRuns: _r, rowsFile: _f, uploadTag: _u, headers: _h, ...view } = job;
  // A job that died without saying so (a Lambda timeout): the client offers to resume or start again.
  const stalled = (job.status === 'committing' || job.status === 'previewing') && isStale(job);
  return { ...view, importedBy: actor.username, stalled, progress: { done: job.rowsDone, total: job.rowsToWrite, rowsPerSecond: rate, etaSeconds: rate && job.status === 'committing' ? Math.ceil(left / rate) : null } };
}

const sourceKey = (id: string) => `imports/${id}/source`;
/** The dry run's rows; a commit with decisions stores them with the decisions applied under a name of its own (`ImportJob.rowsFile`). */
const rowsKey = (id: string, file = 'rows') => `imports/${id}/${file}.json`;
/** Decisions as commits stored them before rows were stored with their decisions applied. */
const legacyDecisionsKey = (id: string) => `imports/${id}/decisions.json`;

function countOutcomes(rows: PreviewRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}

const hasContent = (cells: Cell[]) => cells.some((c) => c !== null && String(c).trim() !== '');

/** An import file over the limit (413), whether the API or the store's own limit caught it. */
export function importFileTooLarge(bytes?: number): AppError {
  const failure: ImportFailure = { code: 'too_large', ...(bytes ? { bytes } : {}), limit: MAX_IMPORT_BYTES };
  return new AppError(413, 'PAYLOAD_TOO_LARGE', `Import files are limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB`, { failure });
}

/** The file lacks required columns: none of its first rows names any (no header row), or these. */
function missingColumnsError(missing: ImportField[], mapping: ColumnMapping): SpreadsheetError {
  const columns = `no column for: ${missing.join(', ')} (set the mapping)`;
  if (Object.keys(mapping).length === 0) return new SpreadsheetError({ code: 'no_header_row', fields: missing, limit: HEADER_SEARCH_ROWS }, `None of the first ${HEADER_SEARCH_ROWS} rows names a column the import knows, so the file has ${columns}`);
  return new SpreadsheetError({ code: 'missing_columns', fields: missing }, `The file has ${columns}`);
}

/** Why a dry run stopped: the file (its own code), the store (busy: the check was interrupted), or something unforeseen. */
function previewFailureOf(e: unknown): { failure: ImportFailure; message: string } {
  if (e instanceof SpreadsheetError) return { failure: e.failure, message: e.message };
  if (e instanceof AppError) return { failure: { code: 'check_interrupted' }, message: e.message };
  return { failure: { code: 'unreadable' }, message: 'The file could not be read' };
}

const sourceKeyPattern = /^imports\/([0-9A-HJKMNP-TV-Z]{26})\/source$/;

/** The import whose uploaded file a store key is (`imports/<id>/source`), or undefined for any other key. */
export function importOfSourceKey(key: string): { importId: string } | undefined {
  const m = sourceKeyPattern.exec(key);
  return m ? { importId: m[1]! } : undefined;
}

/**
 * Bulk import of officers' spreadsheets: upload, a dry run with an outcome per row (new,
 * duplicate, invalid, needs a decision), then a commit in batches that keeps the coverage
 * counters exact and resumes after a crash without losing or duplicating a row.
 */
export function createImportService(deps: Deps) {
  const { table, repos, coverage, keyring, cursors, blobs, runner, commit } = deps;
  const jobs = repos.imports;

  /** Saves the job with `patch`; `ifUnchanged`: only if nobody changed it since it was read (else 409). */
  async function save(job: ImportJob, patch: Partial<ImportJob>, ifUnchanged = false): Promise<ImportJob> {
    const next = { ...job, ...patch, updatedAt: new Date().toISOString() };
    await transact(table, [jobs.putOp(next, ifUnchanged ? job : undefined)]);
    return next;
  }

  async function visibleJob(principal: Principal, id: string): Promise<ImportJob> {
    const job = await jobs.get(id);
    if (job.createdBy !== principal.sub && principal.role !== 'admin') throw new NotFoundError('Import');
    return job;
  }

  /** Removes files of an import that nothing reads any more; one that stays is only storage (the cloud's lifecycle rule expires it). */
  async function dropFiles(id: string, keys: string[]) {
    const results = await Promise.allSettled(keys.map((k) => blobs.delete(k)));
    for (const r of results) if (r.status === 'rejected') logger.warn('import file not deleted', { importId: id, error: (r.reason as Error)?.name });
  }

  /** Once the job names `now` as its rows, the rows file it named `before` is read by nothing: it goes. */
  async function dropReplacedRows(id: string, before: string | undefined, now: string | undefined) {
    if (before && before !== now) await dropFiles(id, [rowsKey(id, before)]);
  }

  /** The header row of the stored file (for imports whose dry run predates keeping it on the job). */
  async function headersOfSource(id: string, headerRow: number): Promise<string[]> {
    const bytes = await blobs.get(sourceKey(id));
    const grid = bytes ? readSpreadsheet(bytes, detectFormat(bytes)) : [];
    return (grid[headerRow - 1] ?? []).map((h) => (h === null ? '' : String(h)));
  }

  /** The rows of an import: the dry run's, or once a commit applied decisions, the rows it writes. */
  async function loadRows(job: ImportJob): Promise<PreviewRow[]> {
    const raw = await blobs.get(rowsKey(job.id, job.rowsFile));
    if (!raw) throw new ConflictError('VERSION_CONFLICT', 'The preview of this import is not ready yet');
    const rows = JSON.parse(raw.toString('utf8')) as PreviewRow[];
    if (!job.rowsFile && job.commitStartedAt) {
      // A commit started before decided rows were checked: it resumes with the rows it started with.
      const legacy = JSON.parse((await blobs.get(legacyDecisionsKey(job.id)))?.toString('utf8') ?? '{}') as Record<string, string>;
      for (const r of rows) if (r.outcome === 'needs_decision' && legacy[r.row]) Object.assign(r, { outcome: 'new', producer: { ...r.producer, communeCode: legacy[r.row] } });
    }
    return upgradeRows(rows);
  }

  /**
   * Rows stored by an earlier version, as this one stores them, so that a commit started
   * before an upgrade resumes with the same batches and record ids: a product row of a new
   * producer gets the row that first named the producer, as then by commune and first key;
   * a citizen ID is reduced to what is kept of it.
   */
  function upgradeRows(rows: PreviewRow[]): PreviewRow[] {
    // Citizen IDs were kept in clear.
    for (const r of rows) r.producer = keepCitizenId(r.producer as PreviewRow['producer'] & { citizenId?: string });
    const first = new Map<string, number>();
    for (const r of rows) {
      if (r.outcome !== 'new' || !r.product || r.existingProducerId || r.producerRow !== undefined) continue;
      const key = `${r.producer.communeCode}|${fileKeys(r)[0]}`;
      if (!first.has(key)) first.set(key, r.row);
      r.producerRow = first.get(key);
    }
    return rows;
  }

  function resolveMapping(detected: ColumnMapping, headers: string[], override?: Record<string, string | number>): ColumnMapping {
    const mapping = { ...detected };
    for (const [field, target] of Object.entries(override ?? {})) {
      const col = typeof target === 'number' ? target : headers.findIndex((h) => h.trim() === target.trim() || fieldOfHeader(h) === fieldOfHeader(target));
      if (col >= 0) mapping[field as ImportField] = col;
    }
    return mapping;
  }

  async function preview(id: string): Promise<void> {
    let job = await jobs.get(id);
    // A late or repeated run (a redelivered event, a Lambda retry) of a dry run already done, or of an import committed since: nothing to do.
    if (job.status !== 'previewing') return;
    try {
      // This run takes the import: a fresh updatedAt (it is not stalled while a run works on it),
      // and the state its result may be saved over — if another run or a new file took it since, this one's result is dropped.
      job = await save(job, {}, true);
    } catch (e) {
      if (e instanceof ConflictError) return;
      throw e;
    }
    // Each run writes its rows under a name of its own, so a run that lost cannot overwrite the rows of the one that won.
    const rowsFile = `rows-${newId()}`;
    try {
      const bytes = await blobs.get(sourceKey(id));
      if (!bytes) throw new SpreadsheetError({ code: 'no_file' }, 'No file was uploaded');
      const grid = readSpreadsheet(bytes, detectFormat(bytes));
      if (!grid.some(hasContent)) throw new SpreadsheetError({ code: 'empty_file', bytes: bytes.length }, 'No cell of the file holds anything');
      const detected = detectColumns(grid, job.kind);
      const mapping = resolveMapping(detected.mapping, detected.headers, job.mappingOverride);
      const missing = requiredFields[job.kind].filter((f) => mapping[f] === undefined);
      if (missing.length) throw missingColumnsError(missing, mapping);
      const dataRows = grid.slice(detected.headerRow + 1).map((cells, i) => ({ row: detected.headerRow + 2 + i, cells })).filter((r) => hasContent(r.cells));
      if (dataRows.length > MAX_IMPORT_ROWS) throw new SpreadsheetError({ code: 'too_many_rows', rows: dataRows.length, limit: MAX_IMPORT_ROWS }, `The file has ${dataRows.length} rows; at most ${MAX_IMPORT_ROWS} per import`);
      const rows = await classify(job, dataRows, mapping);
      await blobs.put(rowsKey(id, rowsFile), Buffer.from(JSON.stringify(rows)), 'application/json');
      const headers = (grid[detected.headerRow] ?? []).map((h) => (h === null ? '' : String(h)));
      const previous = job.rowsFile;
      job = await save(job, { status: 'previewed', rowsFile, headers, headerRow: detected.headerRow + 1, mapping: mapping as Record<string, number>, totalRows: rows.length, counts: countOutcomes(rows) }, true);
      // The rows of the file this one replaced (the dry run of an earlier upload).
      await dropReplacedRows(id, previous, rowsFile);
    } catch (e) {
      if (e instanceof ConflictError) return; // another run or a new file took the import meanwhile
      const { failure, message } = previewFailureOf(e);
      if (failure.code === 'unreadable') logger.error('import preview failed', { importId: id, error: (e as Error).name });
      await save(job, { status: 'failed', error: message, failure }, true).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
  }

  /** Outcome of every row: scope, duplicates in the file and in the store. */
  async function classify(job: ImportJob, dataRows: { row: number; cells: (string | number | null)[] }[], mapping: ColumnMapping): Promise<PreviewRow[]> {
    const actor = job.actor as Principal;
    const rows: PreviewRow[] = dataRows.map(({ row, cells }) => {
      const r = interpretRow(cells, mapping, job.kind);
      const raw = maskCells(cells, mapping);
      if (r.status === 'invalid') return { row, outcome: 'invalid', errors: r.errors, producer: { name: '', kind: 'household', legalBasis: { type: 'state_management' } }, raw };
      const producer = keepCitizenId(r.producer);
      if (r.status === 'needs_decision') return { row, outcome: 'needs_decision', candidates: r.candidates, producer, product: r.product, raw };
      return { row, outcome: 'new', producer, product: r.product, raw };
    });
    const index = newFileIndex();
    const fresh = rows.filter((r) => r.outcome === 'new');
    for (const r of fresh) {
      if (!inScope(actor, r)) {
        markOutOfScope(r);
        continue;
      }
      checkInFile(job.kind, r, index);
    }
    const findMatches = await matcherFor(rows.filter((r) => r.outcome === 'new' || r.outcome === 'needs_decision'));
    await checkInStore(job, fresh, rows, findMatches);
    if (job.kind === 'producers') {
      // A row whose commune needs a decision is still the same producer as a known one with its
      // phone, tax code or citizen ID (the name key waits for the commune): re-importing a file
      // with the same decisions must add nothing.
      const found = new Map<PreviewRow, Map<string, DuplicateKind[]>>();
      await pool(
        rows.filter((r) => r.outcome === 'needs_decision'),
        16,
        async (r) => {
          const { name: _name, ...keys } = duplicateKeysOf(producerLike(r));
          const earlier = Object.entries(keys).map(([kind, v]) => (v ? index.keys.get(`${kind}:${v}`) : undefined)).find((x) => x !== undefined);
          if (earlier !== undefined) {
            r.outcome = 'duplicate_in_file';
            r.duplicateOf = { row: earlier.row };
            return;
          }
          // Before any await: a later row of the file with the same phone is a duplicate of this one.
          for (const [kind, v] of Object.entries(keys)) if (v && !index.keys.has(`${kind}:${v}`)) index.keys.set(`${kind}:${v}`, r);
          const matches = await findMatches(keys);
          if (matches.size) found.set(r, matches);
        },
      );
      await markExistingDuplicates(actor, found);
    }
    return rows;
  }

  /**
   * Applies the officer's communes to the rows that waited for them and checks those rows as
   * the dry run checks new rows, against the file and the store: a decided row that duplicates
   * a record is not written, a decided product row joins its existing producer.
   */
  async function applyDecisions(job: ImportJob, rows: PreviewRow[], chosen: Record<number, string>): Promise<void> {
    const index = newFileIndex();
    for (const r of rows) if (r.outcome === 'new' || r.outcome === 'duplicate_existing') remember(index, r);
    const decided = rows.filter((r) => chosen[r.row] !== undefined);
    for (const r of decided) {
      Object.assign(r, { outcome: 'new', producer: { ...r.producer, communeCode: chosen[r.row] } });
      checkInFile(job.kind, r, index);
    }
    await checkInStore(job, decided, rows, await matcherFor(decided.filter((r) => r.outcome === 'new')));
  }

  /**
   * Checks a new row against the rows of the file remembered so far, and remembers it if it
   * stays new. In a producers file a row sharing a key (phone, tax code, citizen ID, name in
   * the commune) with an earlier one is its duplicate. In a products file such a row's product
   * belongs to the earlier row's producer — but only if it is the same producer by name and
   * by its other keys: two households sharing a commune office's phone are not merged
   * silently, the later row is a duplicate for the officer to see.
   */
  function checkInFile(kind: ImportKind, r: PreviewRow, index: FileIndex): void {
    const earlier = fileKeys(r)
      .map((k) => index.keys.get(k))
      .find((x) => x !== undefined);
    if (earlier && (kind === 'producers' || !sameProducer(earlier, r))) {
      r.outcome = 'duplicate_in_file';
      r.duplicateOf = { row: earlier.row };
      return;
    }
    if (kind === 'products') {
      r.producerRow = earlier ? (earlier.producerRow ?? earlier.row) : r.row;
      // The product lives in its producer's commune.
      if (earlier) r.producer = { ...r.producer, communeCode: earlier.producer.communeCode };
      const sameProduct = index.products.get(productKey(r));
      if (sameProduct !== undefined) {
        r.outcome = 'duplicate_in_file';
        r.duplicateOf = { row: sameProduct };
        return;
      }
    }
    remember(index, r);
  }

  function remember(index: FileIndex, r: PreviewRow): void {
    for (const k of fileKeys(r)) if (!index.keys.has(k)) index.keys.set(k, r);
    if (r.product && !index.products.has(productKey(r))) index.products.set(productKey(r), r.row);
  }

  /** Two rows of a products file name the same producer (see {@link sameProducerKeys}). */
  function sameProducer(a: PreviewRow, b: PreviewRow): boolean {
    return sameProducerKeys(producerLike(a), producerLike(b));
  }

  /** Finds existing producers by their keys: a few queries per row, or for many rows every key of the province read once. */
  async function matcherFor(looked: PreviewRow[]): Promise<(keys: DuplicateKeys) => Promise<Map<string, DuplicateKind[]>>> {
    if (looked.length <= BULK_LOOKUP_ROWS) return (keys) => repos.duplicateKeys.findMatches(keys);
    const kinds = (['phone', 'taxCode', 'citizenId', 'name'] as const).filter((k) => looked.some((r) => duplicateKeysOf(producerLike(r))[k]));
    const maps = new Map(await Promise.all(kinds.map(async (k) => [k, await repos.duplicateKeys.loadAll(k)] as const)));
    return async (keys) => {
      const found = new Map<string, DuplicateKind[]>();
      for (const [kind, value] of Object.entries(keys) as [DuplicateKind, string | undefined][]) {
        for (const pid of value ? (maps.get(kind)?.get(value) ?? []) : []) found.set(pid, [...(found.get(pid) ?? []), kind]);
      }
      return found;
    };
  }

  /**
   * Checks the rows of `subject` still new against the store: a producer row duplicating an
   * existing producer is not written; a product row joins the existing producer it names
   * (rows sharing a producer join through the row that first named it, `all` holds it), and
   * is a duplicate if that producer already has a product of that name.
   */
  async function checkInStore(job: ImportJob, subject: PreviewRow[], all: PreviewRow[], findMatches: (keys: DuplicateKeys) => Promise<Map<string, DuplicateKind[]>>): Promise<void> {
    const actor = job.actor as Principal;
    const fresh = subject.filter((r) => r.outcome === 'new');
    const namesProducer = (r: PreviewRow) => r.producerRow === undefined || r.producerRow === r.row;
    if (job.kind === 'producers') {
      const found = new Map<PreviewRow, Map<string, DuplicateKind[]>>();
      await pool(fresh, 16, async (r) => {
        const matches = await findMatches(duplicateKeysOf(producerLike(r)));
        if (matches.size) found.set(r, matches);
      });
      await markExistingDuplicates(actor, found);
      return;
    }
    await pool(fresh.filter(namesProducer), 16, async (r) => {
      const found = await findMatches(duplicateKeysOf(producerLike(r)));
      if (!found.size) return;
      // The producer the row names, among the records sharing a key with it: one with no phone, tax
      // code or citizen ID that differs from the row's, that the importer may see; of those, the ones
      // with the row's name if any (the test rows of the file are joined by). Never whichever
      // the store lists first: another producer on the same phone (a commune office's) is not it.
      const row = producerLike(r);
      const compatible = [...(await repos.producers.getMany([...found.keys()])).values()].filter((p) => compatibleKeys(p, row));
      const visible = compatible.filter((p) => canSee(actor, { communeCode: p.communeCode, producerId: p.id }));
      const named = visible.filter((p) => p.searchName === row.searchName);
      const candidates = named.length ? named : visible;
      if (candidates.length > 1) {
        // Several records could be this producer: the officer sees them, nothing is joined at random.
        r.outcome = 'duplicate_existing';
        r.duplicateOf = { producerIds: candidates.map((p) => p.id) };
        return;
      }
      const producer = candidates[0];
      if (!producer) {
        // Only producers outside the importer's scope could be it: the product cannot join one of
        // them, and making its producer again would register it twice unseen. A likely duplicate,
        // told as a producers import (and POST /producers) tells it: what matched, not who or where.
        // A row that joined a producer at the dry run keeps it: the commit skips it if it moved away.
        if (compatible.length && !r.existingProducerId) {
          r.outcome = 'duplicate_existing';
          r.duplicateOf = { outsideScope: compatible.map((p) => ({ matchedOn: found.get(p.id)! })) };
        }
        return;
      }
      r.existingProducerId = producer.id;
      // The product will live in its producer's commune: plan batches and counters by that one, not the row's.
      r.producer = { ...r.producer, communeCode: producer.communeCode };
    });
    const byRow = new Map(all.map((r) => [r.row, r]));
    for (const r of fresh) {
      const first = byRow.get(r.producerRow!);
      if (namesProducer(r) || !first) continue;
      if (first.existingProducerId) {
        r.existingProducerId = first.existingProducerId;
        r.producer = { ...r.producer, communeCode: first.producer.communeCode };
      } else if (first.outcome === 'duplicate_existing') {
        // The row that names the producer matched several records: so does this one.
        r.outcome = 'duplicate_existing';
        r.duplicateOf = first.duplicateOf;
      }
    }
    await pool(
      fresh.filter((r) => r.outcome === 'new' && r.existingProducerId),
      16,
      async (r) => {
        const same = (await repos.products.listAllOfProducer(r.existingProducerId!, 500)).filter((p) => p.searchName === normaliseName(r.product!.name));
        if (same.length) {
          r.outcome = 'duplicate_existing';
          r.duplicateOf = { productIds: same.map((p) => p.id), producerIds: [r.existingProducerId!] };
        }
      },
    );
  }

  /**
   * Marks each row a duplicate of the existing producers it matched (`found`: per row, producer
   * id → what matched), as the importer may see them ({@link matchesAsSeen}). The records are
   * read, all at once, only for an importer whose scope is not the whole province.
   */
  async function markExistingDuplicates(actor: Principal, found: Map<PreviewRow, Map<string, DuplicateKind[]>>): Promise<void> {
    if (!found.size) return;
    const ids = [...new Set([...found.values()].flatMap((m) => [...m.keys()]))];
    const records = actor.role === 'admin' ? undefined : await repos.producers.getMany(ids);
    for (const [r, matches] of found) {
      const duplicateOf = matchesAsSeen(actor, matches, records);
      if (!duplicateOf) continue;
      r.outcome = 'duplicate_existing';
      r.duplicateOf = duplicateOf;
    }
  }

  /** A row's producer with its citizen ID reduced to what is kept of it, as the dry run stores it. */
  function keepCitizenId<P extends { citizenId?: string }>(producer: P): Omit<P, 'citizenId'> & KeptCitizenId {
    const { citizenId, ...rest } = producer;
    return citizenId ? { ...rest, ...keptCitizenId(keyring, citizenId) } : rest;
  }

  function producerLike(r: PreviewRow) {
    return {
      phone: r.producer.phone,
      taxCode: r.producer.taxCode,
      citizenIdHash: r.producer.citizenIdHash,
      communeCode: r.producer.communeCode!,
      searchName: normaliseName(r.producer.name),
    };
  }

  function fileKeys(r: PreviewRow): string[] {
    const k = duplicateKeysOf(producerLike(r));
    return Object.entries(k)
      .filter(([, v]) => v)
      .map(([kind, v]) => `${kind}:${v}`);
  }

  /**
   * The first run of a commit checks its new rows against the store again, as the dry run did:
   * records written since the dry run (another import of the same file committed meanwhile) make
   * them duplicates, so committing a file twice adds nothing the second time. Only the first
   * run may: nothing of this commit is in the store yet, while a resumed one would find its own
   * records. The rows, if any changed, are stored before any batch is written, under a name of
   * their own, so a resume plans the same batches.
   */
  async function recheckInStore(job: ImportJob, rows: PreviewRow[]): Promise<ImportJob> {
    const fresh = rows.filter((r) => r.outcome === 'new');
    if (!fresh.length) return job;
    const before = fresh.map((r) => `${r.existingProducerId}|${r.producer.communeCode}`);
    await checkInStore(job, fresh, rows, await matcherFor(fresh));
    const changed = fresh.filter((r, i) => r.outcome !== 'new' || before[i] !== `${r.existingProducerId}|${r.producer.communeCode}`).length;
    if (!changed) return job;
    const rowsFile = `rows-${newId()}`;
    await blobs.put(rowsKey(job.id, rowsFile), Buffer.from(JSON.stringify(rows)), 'application/json');
    const saved = await save(job, { rowsFile, counts: countOutcomes(rows) });
    await dropReplacedRows(job.id, job.rowsFile, rowsFile);
    return saved;
  }

  /** Writes the rows to import in batches; batches already applied are skipped, so it resumes. */
  async function runCommit(id: string): Promise<void> {
    const run = await jobs.startCommitRun(id);
    let job = await jobs.get(id);
    try {
      const rows = await loadRows(job);
      const done = await jobs.doneBatches(id);
      // A later run, or one that finds batches done (a commit started before runs were counted), may
      // meet records written before — but only in the batches an earlier run had begun. Each queue
      // runs its batches in order, one after the other is counted, so an earlier run can have
      // begun only its first batch not counted (and, to be safe, any before the last counted one);
      // the batches after those were never begun, and are written without looking for strays.
      const resumed = run > 1 || done.size > 0;
      if (!resumed) job = await recheckInStore(job, rows);
      const toWrite = rows.filter((r) => r.outcome === 'new');
      // The plan is a pure function of the stored rows and decisions, so a resumed commit
      // numbers the batches exactly as the first attempt did.
      let n = 0;
      const queues = planBatches(toWrite, job.kind).map((batches) => batches.map((rows) => ({ rows, n: n++ })));
      if (job.batches !== n || job.rowsToWrite !== toWrite.length) job = await save(job, { batches: n, rowsToWrite: toWrite.length });
      const time = Date.parse(job.commitStartedAt ?? job.createdAt);
      await Promise.all(
        queues.map(async (queue) => {
          const lastDone = queue.findLastIndex((b) => done.has(b.n));
          let firstPending = true;
          for (const [i, b] of queue.entries()) {
            if (done.has(b.n)) continue;
            await writeBatch(job, b.n, b.rows, time, resumed && (firstPending || i < lastDone));
            firstPending = false;
          }
        }),
      );
      await save(await jobs.get(id), { status: 'committed', committedAt: new Date().toISOString() });
      // The uploaded file holds personal data in clear (phones, citizen IDs) and is no longer
      // needed: the rows kept for the errors file are masked, its header row is on the job.
      await dropFiles(id, [sourceKey(id)]);
    } catch (e) {
      logger.error('import commit stopped', { importId: id, error: (e as Error).name, at: (e as Error).stack?.split('\n').slice(1, 6).join('\n') });
      await save(await jobs.get(id), { status: 'failed', error: 'The commit stopped; resume it to finish (rows already written stay written, none is written twice)', failure: { code: 'commit_stopped' } });
    }
  }

  /**
   * Rows grouped by commune, communes dealt to the parallel workers (so two batches running
   * at once never touch the same counter item), each worker's rows cut into batches of at
   * most {@link ROWS_PER_BATCH} rows whose counting transaction fits DynamoDB's limit: the
   * counters of each commune, one update per existing producer that gains products, and the
   * batch marker. A producer's products stay together.
   */
  function planBatches(rows: PreviewRow[], kind: ImportKind): PreviewRow[][][] {
    const groups = new Map<string, PreviewRow[]>();
    for (const r of rows) {
      const key = kind === 'products' ? `${r.producer.communeCode}|${r.existingProducerId ?? r.producerRow}` : r.producer.communeCode!;
      const group = groups.get(key);
      if (group) group.push(r);
      else groups.set(key, [r]);
    }
    const communes = [...new Set([...groups.values()].map((g) => g[0]!.producer.communeCode!))].sort();
    const worker = new Map(communes.map((c, i) => [c, i % PARALLEL_BATCHES]));
    const perWorker: PreviewRow[][][] = Array.from({ length: PARALLEL_BATCHES }, () => []);
    const emptyBatch = () => ({ rows: [] as PreviewRow[], communes: new Set<string>(), producers: new Set<string>(), txItems: BATCH_MARKER_ITEMS });
    const current = Array.from({ length: PARALLEL_BATCHES }, emptyBatch);
    for (const group of [...groups.values()].sort((a, b) => a[0]!.producer.communeCode!.localeCompare(b[0]!.producer.communeCode!))) {
      const commune = group[0]!.producer.communeCode!;
      // A products group is one producer's rows: at most one existing producer per group.
      const existing = group[0]!.existingProducerId;
      const w = worker.get(commune)!;
      for (let i = 0; i < group.length; ) {
        const cur = current[w]!;
        const room = ROWS_PER_BATCH - cur.rows.length;
        const txItems = cur.txItems + (cur.communes.has(commune) ? 0 : COUNTERS_PER_COMMUNE) + (existing && !cur.producers.has(existing) ? 1 : 0);
        const full = room <= 0 || txItems > MAX_TRANSACTION_ITEMS || (kind === 'products' && group.length > room && cur.rows.length > 0);
        if (full) {
          perWorker[w]!.push(cur.rows);
          current[w] = emptyBatch();
          continue;
        }
        const take = kind === 'products' ? group.length - i : Math.min(room, group.length - i);
        cur.rows.push(...group.slice(i, i + take));
        cur.communes.add(commune);
        if (existing) cur.producers.add(existing);
        cur.txItems = txItems;
        i += take;
      }
    }
    current.forEach((cur, w) => cur.rows.length && perWorker[w]!.push(cur.rows));
    return perWorker;
  }

  /**
   * What an earlier run of this commit may have left of a batch's new records. A run that
   * stopped between writing a batch's records and counting them leaves the records visible,
   * and users may edit, merge or delete them before the resume. Such a record stays as users
   * left it: 'present' (with the record as it is now) or 'gone' (absent, with changes in its
   * history). The batch's counters are still owed, and they add up with the users' changes to
   * count each record as it is now. Records never written are absent from the map.
   */
  async function writtenBefore(type: 'producer' | 'product', ids: string[], auditIdOf: (id: string) => string) {
    const current: Map<string, ProducerRecord | ProductRecord> = type === 'producer' ? await repos.producers.getMany(ids) : await repos.products.getMany(ids);
    const state = new Map<string, { kind: 'present'; record: ProducerRecord | ProductRecord } | { kind: 'gone' }>();
    for (const [id, record] of current) state.set(id, { kind: 'present', record });
    await pool(
      ids.filter((id) => !current.has(id)),
      8,
      async (id) => {
        const history = await repos.audit.listForEntity(type, id, 5);
        if (history.some((e) => e.id !== auditIdOf(id))) state.set(id, { kind: 'gone' });
      },
    );
    return state;
  }

  async function writeBatch(job: ImportJob, n: number, rows: PreviewRow[], time: number, resumed: boolean): Promise<void> {
    const actor = job.actor as Principal;
    const at = new Date(time).toISOString();
    const auditIdOf = (entityId: string) => rowId(job.id, 0, `audit-${entityId}`, time);
    const existingIds = [...new Set(rows.flatMap((r) => (r.existingProducerId ? [r.existingProducerId] : [])))];
    for (let attempt = 1; ; attempt++) {
      // Only a run after the first, or a retry of this batch, can find records already written.
      const recheck = resumed || attempt > 1;
      const existing = existingIds.length ? await repos.producers.getMany(existingIds) : new Map<string, ProducerRecord>();
      // A product joins its existing producer only where the plan counted it: a producer deleted,
      // merged or moved to another commune since the dry run leaves its rows not written.
      const skipped = rows.filter((r) => r.existingProducerId && existing.get(r.existingProducerId)?.communeCode !== r.producer.communeCode);
      if (recheck && skipped.length) {
        // Products an earlier run wrote but never counted, for a producer that is gone.
        const strays = await repos.products.getMany(skipped.map((r) => rowId(job.id, r.row, 'product', time)));
        if (strays.size) await repos.products.deleteUncounted([...strays.keys()]);
      }
      const items: Item[] = [];
      const txOps: TxOp[] = [];
      const newProducers = new Map<number, ProducerRecord>();
      const newProducts: ProductRecord[] = [];
      const existingAdds = new Map<string, number>();
      for (const r of rows) {
        if (skipped.includes(r)) continue;
        let producerId = r.existingProducerId;
        if (!producerId) {
          const key = r.producerRow ?? r.row;
          let record = newProducers.get(key);
          if (!record) {
            record = newProducerRecord(r.producer as PreviewRow['producer'] & ProducerCreate, { id: rowId(job.id, key, 'producer', time), at, actor, keyring });
            newProducers.set(key, record);
          }
          producerId = record.id;
          if (r.product) record.productCount += 1;
        } else existingAdds.set(producerId, (existingAdds.get(producerId) ?? 0) + 1);
        if (r.product) {
          // Derived as of the commit's own time, so a resume (perhaps after midnight) counts each product as its first run stored it.
          newProducts.push(newProductRecord({ ...r.product, producerId }, { id: rowId(job.id, r.row, 'product', time), communeCode: r.producer.communeCode!, at, actor }));
        }
      }
      const producerOf = new Map<string, Pick<ProducerRecord, 'phone' | 'taxCode'>>();
      for (const p of newProducers.values()) producerOf.set(p.id, p);
      const existingPairs: [ProducerRecord, ProducerRecord][] = [];
      for (const [pid, count] of existingAdds) {
        const current = existing.get(pid)!;
        producerOf.set(pid, current);
        existingPairs.push([current, { ...current, productCount: current.productCount + count }]);
        txOps.push(repos.producers.childChangeOp(current, { productCountDelta: count }));
        // A product of an existing producer lives in that producer's commune, whatever the row says.
        for (const p of newProducts) if (p.producerId === pid) p.communeCode = current.communeCode;
      }
      for (const p of newProducts) p.readyMarketplaces = readyMarketplacesOf(marketplaces, { product: p, producer: producerOf.get(p.producerId) ?? {}, photos: { readyCount: 0 } });
      const producersBefore = recheck ? await writtenBefore('producer', [...newProducers.values()].map((p) => p.id), auditIdOf) : new Map();
      const productsBefore = recheck ? await writtenBefore('product', newProducts.map((p) => p.id), auditIdOf) : new Map();
      for (const p of newProducers.values()) {
        const before = producersBefore.get(p.id);
        // The duplicate keys follow the record as it is now (a user may have changed its phone).
        if (!before) items.push(put(repos.producers.createOp(p)), ...repos.duplicateKeys.putOps(p.id, duplicateKeysOf(p)).map(put));
        else if (before.kind === 'present') items.push(...repos.duplicateKeys.putOps(p.id, duplicateKeysOf(before.record as ProducerRecord)).map(put));
        items.push(put(repos.audit.recordOp({ id: auditIdOf(p.id), entityType: 'producer', entityId: p.id, action: 'create', actor, at, before: null, after: { id: p.id, name: p.name, communeCode: p.communeCode, importId: job.id } })));
      }
      for (const p of newProducts) {
        if (!productsBefore.has(p.id)) items.push(put(repos.products.createOp(p)));
        items.push(put(repos.audit.recordOp({ id: auditIdOf(p.id), entityType: 'product', entityId: p.id, action: 'create', actor, at, before: null, after: { id: p.id, name: p.name, producerId: p.producerId, importId: job.id } })));
      }
      await batchPut(table, items, BATCH_WRITES_PER_WORKER);
      txOps.push(...coverage.ops({ producers: [...[...newProducers.values()].map((p) => [undefined, p] as [undefined, ProducerRecord]), ...existingPairs], products: newProducts.map((p) => [undefined, p] as [undefined, ProductRecord]) }));
      txOps.push(...jobs.batchDoneOp(job.id, n, rows.length, skipped.map((r) => r.row)));
      try {
        await transact(table, txOps);
        return;
      } catch (e) {
        if (e instanceof BatchAlreadyDoneError) return;
        // A producer changed (race) or vanished (not found) meanwhile: redo the batch from fresh reads.
        if (!(e instanceof RaceError || e instanceof NotFoundError) || attempt >= 6) throw e;
      }
    }
  }

  /**
   * Where the client sends the file of a new import: straight into the store when it takes
   * direct uploads (a presigned S3 PUT bound to the declared size, in the cloud), else the API's
   * own route `localUrlOf(id)` (the local server).
   */
  async function uploadTargetOf(id: string, file: { bytes?: number; contentType?: string }, localUrlOf?: (id: string) => string) {
    const contentType = file.contentType ?? 'application/octet-stream';
    const direct = file.bytes ? await blobs.uploadTarget(sourceKey(id), { contentType, bytes: file.bytes }, IMPORT_UPLOAD_URL_SECONDS) : undefined;
    if (direct) return { uploadUrl: direct.url, method: direct.method, headers: direct.headers, expiresAt: direct.expiresAt };
    return localUrlOf ? { uploadUrl: localUrlOf(id), method: 'PUT' as const, headers: { 'content-type': contentType } } : {};
  }

  /**
   * The file of an import arrived in the store by a direct upload (S3's ObjectCreated event in
   * the cloud): the import goes `previewing` and the dry run runs here, once per upload. S3
   * delivers an event at least once: a delivery for an import that is no longer awaiting a file
   * is ignored, unless it is another delivery of the upload this dry run is of (`tag`, S3's
   * sequencer), which runs the dry run again (the one before it may have been cut short; it
   * writes the same rows). A file larger than declared at create fails the import unread.
   * @returns what was done: `previewed` (or `failed`) after a dry run, `ignored` otherwise.
   */
  async function sourceArrived(id: string, upload: { tag: string }): Promise<{ importId: string; outcome: ImportJob['status'] | 'ignored' }> {
    let job: ImportJob;
    try {
      job = await jobs.get(id);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      // The import was discarded (or never was): its file, a list of people, is kept for nothing.
      await dropFiles(id, [sourceKey(id)]);
      return { importId: id, outcome: 'ignored' };
    }
    const claimed = job.status === 'awaiting_file' && (await jobs.claimUpload(id, upload.tag));
    if (!claimed) {
      job = await jobs.get(id);
      if (job.status !== 'previewing' || job.uploadTag !== upload.tag) {
        logger.warn('ignored import file', { importId: id, status: job.status });
        return { importId: id, outcome: 'ignored' };
      }
    }
    const size = await blobs.size(sourceKey(id));
    const limit = Math.min(job.fileBytes ?? MAX_IMPORT_BYTES, MAX_IMPORT_BYTES);
    if (size === undefined || size > limit) {
      const error = size === undefined ? 'No file was uploaded' : `The file has ${size} bytes, more than the ${limit} declared`;
      const failure: ImportFailure = size === undefined ? { code: 'no_file' } : size > MAX_IMPORT_BYTES ? { code: 'too_large', bytes: size, limit: MAX_IMPORT_BYTES } : { code: 'larger_than_declared', bytes: size, limit };
      await save(await jobs.get(id), { status: 'failed', error, failure });
      return { importId: id, outcome: 'failed' };
    }
    await preview(id);
    return { importId: id, outcome: (await jobs.get(id)).status };
  }

  return {
    /** Creates the import; the answer (stored for its Idempotency-Key) says where to send the file, given `uploadUrlOf`. */
    async create(ctx: WriteContext, input: { kind: ImportKind; fileName: string; mapping?: Record<string, string | number>; bytes?: number; contentType?: string }, uploadUrlOf?: (id: string) => string) {
      const p = ctx.principal;
      if (p.role !== 'admin' && p.role !== 'officer') throw new ForbiddenError('Only officers and admins import');
      const now = new Date().toISOString();
      const job: ImportJob = {
        id: newId(),
        kind: input.kind,
        fileName: input.fileName,
        status: 'awaiting_file',
        createdBy: p.sub,
        actor: { sub: p.sub, username: p.username, role: p.role, communes: p.communes },
        createdAt: now,
        updatedAt: now,
        mappingOverride: input.mapping,
        totalRows: 0,
        counts: {},
        batches: 0,
        batchesDone: 0,
        commitRuns: 0,
        rowsToWrite: 0,
        rowsDone: 0,
        rowsSkipped: 0,
        fileBytes: input.bytes,
      };
      const body = { ...jobView(job), ...(await uploadTargetOf(job.id, input, uploadUrlOf)) };
      await commit(ctx, [jobs.putOp(job)], { status: 201, body });
      return body;
    },

    /** Stores the uploaded file and starts the dry run in the background. */
    async upload(principal: Principal, id: string, bytes: Uint8Array) {
      const job = await visibleJob(principal, id);
      const deadPreview = job.status === 'previewing' && isStale(job);
      const notAccepted = { failure: { code: 'file_not_accepted' } satisfies ImportFailure };
      if (job.status !== 'awaiting_file' && job.status !== 'previewed' && job.status !== 'failed' && !deadPreview) throw new ConflictError('VERSION_CONFLICT', `The import is ${job.status}; a file can no longer be sent`, notAccepted);
      // Once a commit has started, rows of this file are written under ids and batch numbers of this
      // job: only resuming may follow. A corrected file goes into a new import.
      if (job.commitStartedAt) throw new ConflictError('VERSION_CONFLICT', 'This import has started writing rows; resume its commit, or start a new import for another file', notAccepted);
      if (bytes.length === 0) throw new AppError(400, 'VALIDATION_FAILED', 'The request has invalid fields', { errors: [{ path: '(body)', message: 'the file is empty' }], failure: { code: 'empty_file', bytes: 0 } satisfies ImportFailure });
      if (bytes.length > MAX_IMPORT_BYTES) throw importFileTooLarge(bytes.length);
      // As the presigned PUT of the cloud is bound to the size declared at create, so is this route
      // (imports created without a size, before it was asked for, take any).
      if (job.fileBytes !== undefined && bytes.length !== job.fileBytes) {
        const failure: ImportFailure = { code: bytes.length > job.fileBytes ? 'larger_than_declared' : 'smaller_than_declared', bytes: bytes.length, limit: job.fileBytes };
        throw new AppError(400, 'VALIDATION_FAILED', 'The request has invalid fields', { errors: [{ path: '(body)', message: `the file has ${bytes.length} bytes; it must be exactly the ${job.fileBytes} declared when the import was created` }], failure });
      }
      // The import is taken first (conditionally: of two uploads or an upload and a commit, one
      // wins), then its file stored, so a refused upload never replaces the file of another.
      const next = await save(job, { status: 'previewing', error: undefined, failure: undefined }, true);
      try {
        await blobs.put(sourceKey(id), bytes);
      } catch (e) {
        await save(next, { status: 'failed', error: 'The file could not be stored; send it again', failure: { code: 'file_not_stored' } }).catch(() => undefined);
        throw e;
      }
      await runner.submit({ type: 'import-preview', id });
      return next;
    },

    async get(principal: Principal, id: string) {
      return jobView(await visibleJob(principal, id));
    },

    /**
     * Discards an import that has written nothing — waiting for its file, previewed, failed before
     * a commit started, or a dry run that stopped — with its file and dry-run rows (personal data
     * the office no longer needs). Once a commit has started, its rows are records: 409.
     */
    async discard(ctx: WriteContext, id: string) {
      const p = ctx.principal;
      if (p.role !== 'admin' && p.role !== 'officer') throw new ForbiddenError('Only officers and admins import');
      const job = await visibleJob(p, id);
      const deadPreview = job.status === 'previewing' && isStale(job);
      const discardable = !job.commitStartedAt && (job.status === 'awaiting_file' || job.status === 'previewed' || job.status === 'failed' || deadPreview);
      if (!discardable) throw new ConflictError('VERSION_CONFLICT', job.commitStartedAt ? 'This import has started writing rows; resume its commit instead' : `The import is ${job.status}; it can be discarded once that is over`);
      await commit(ctx, [jobs.deleteOp(job)], { status: 204, body: null });
      await dropFiles(id, [sourceKey(id), rowsKey(id), ...(job.rowsFile ? [rowsKey(id, job.rowsFile)] : [])]);
    },

    /** The imports the caller may see, newest first, a page at a time: an administrator's are everyone's, anyone else's their own. */
    async list(principal: Principal, page: { limit: number; cursor?: string }) {
      // Bound to which list too: a cursor of everyone's imports is no cursor of one's own.
      const binding = `imports|${principal.sub}|${principal.role === 'admin' ? 'all' : 'own'}`;
      const result = await jobs.list({ createdBy: principal.role === 'admin' ? undefined : principal.sub, limit: page.limit, start: cursors.decode(page.cursor, binding) });
      return { items: result.items.map(jobView), nextCursor: cursors.encode(result.next, binding) };
    },

    async rows(principal: Principal, id: string, query: { outcome?: RowOutcome; offset: number; limit: number }) {
      const rows = (await loadRows(await visibleJob(principal, id))).filter((r) => !query.outcome || r.outcome === query.outcome);
      // The citizen ID is needed in full only to hash it at commit; a view shows its last 4 digits, as for producers.
      const view = ({ raw: _r, ...r }: PreviewRow) => {
        const { citizenIdHash: _h, ...producer } = r.producer;
        return { ...r, producer };
      };
      return { total: rows.length, items: rows.slice(query.offset, query.offset + query.limit).map(view) };
    },

    /** Starts (or resumes) the commit with the decisions for rows that need them. */
    async commit(ctx: WriteContext, id: string, decisions: { row: number; communeCode: string }[]) {
      // The caller as they are now, not as they were at upload: a user no longer an officer or admin writes nothing.
      const p = ctx.principal;
      if (p.role !== 'admin' && p.role !== 'officer') throw new ForbiddenError('Only officers and admins import');
      const job = await visibleJob(p, id);
      const resumable = (job.status === 'failed' && job.commitStartedAt) || (job.status === 'committing' && isStale(job));
      if (job.status !== 'previewed' && !resumable) throw new ConflictError('VERSION_CONFLICT', `The import is ${job.status}; only a previewed import (or a stopped commit) can be committed`);
      // The commit writes with its importer's scope as it is now (the store check of its first run uses it).
      const actor = p.sub === job.actor.sub ? { ...job.actor, role: p.role, communes: p.communes } : job.actor;
      let next: ImportJob = { ...job, actor, status: 'committing', commitStartedAt: job.commitStartedAt ?? new Date().toISOString(), error: undefined, failure: undefined, updatedAt: new Date().toISOString() };
      if (!resumable) {
        const rows = await loadRows(job);
        const byRow = new Map(rows.map((r) => [r.row, r]));
        const errors: { path: string; message: string }[] = [];
        const chosen: Record<number, string> = {};
        decisions.forEach((d, i) => {
          const r = byRow.get(d.row);
          if (!r || r.outcome !== 'needs_decision') errors.push({ path: `decisions.${i}.row`, message: `row ${d.row} needs no decision` });
          else if (!r.candidates?.some((c) => c.code === d.communeCode)) errors.push({ path: `decisions.${i}.communeCode`, message: `${d.communeCode} is not one of the row’s candidates` });
          else if (ctx.principal.role === 'officer' && !ctx.principal.communes.includes(d.communeCode)) errors.push({ path: `decisions.${i}.communeCode`, message: `${d.communeCode} is not one of your communes` });
          else chosen[d.row] = d.communeCode;
        });
        if (errors.length) throw new ValidationError(errors, 'Some decisions cannot be applied');
        if (Object.keys(chosen).length) await applyDecisions({ ...job, actor }, rows, chosen);
        // Rows of communes the caller no longer holds (their communes changed since the dry run) are refused, not written.
        const refused = rows.filter((r) => r.outcome === 'new' && !inScope(p, r));
        for (const r of refused) markOutOfScope(r);
        if (Object.keys(chosen).length || refused.length) {
          // A file of this request's own: a concurrent commit with other decisions cannot overwrite it.
          const rowsFile = `rows-${newId()}`;
          await blobs.put(rowsKey(id, rowsFile), Buffer.from(JSON.stringify(rows)), 'application/json');
          next = { ...next, rowsFile, counts: countOutcomes(rows) };
        }
      }
      const body = jobView(next);
      await commit(ctx, [jobs.putOp(next, job)], { status: 202, body });
      await dropReplacedRows(id, job.rowsFile, next.rowsFile);
      await runner.submit({ type: 'import-commit', id });
      return body;
    },

    /** Resumes commits that were running when the process stopped (called at start). */
    /** Lists imports saved before the import list existed (at local start, and nightly in the cloud); how many. */
    indexUnlisted: () => jobs.indexUnlisted(),

    async resumeInterrupted(): Promise<string[]> {
      const stuck = await jobs.listByStatus('committing');
      for (const job of stuck) await runner.submit({ type: 'import-commit', id: job.id });
      return stuck.map((j) => j.id);
    },

    /** The rows that were not (or will not be) imported, with the reason, as a table to fix and re-upload. */
    async errorReport(principal: Principal, id: string) {
      const job = await visibleJob(principal, id);
      const skipped = new Set(job.rowsSkipped ? [...(await jobs.doneBatches(id)).values()].flat() : []);
      const rows = (await loadRows(job)).filter((r) => r.outcome !== 'new' || skipped.has(r.row));
      // The producers rows duplicate, by name and commune (an id tells the officer fixing the file nothing).
      const duplicated = await repos.producers.getMany([...new Set(rows.flatMap((r) => r.duplicateOf?.producerIds ?? []))]);
      // Only one the reader may see is named (rows stored before out-of-scope matches were kept apart hold their ids).
      const producerWords = (id: string) => {
        const p = duplicated.get(id);
        if (!p) return id;
        return canSee(principal, { communeCode: p.communeCode, producerId: p.id }) ? `“${p.name}” (${getCommune(p.communeCode)?.fullName ?? p.communeCode})` : 'ngoài địa bàn được giao';
      };
      // The header row as the dry run read it: the stored file may have been sent again since.
      const headers = job.headers ?? (await headersOfSource(id, job.headerRow ?? 1));
      const gone = 'Chủ thể đã bị xóa, gộp hoặc chuyển xã sau khi kiểm tra';
      const reasons: Record<RowOutcome, string> = {
        new: '',
        duplicate_existing: 'Trùng với chủ thể/sản phẩm đã có',
        duplicate_in_file: 'Trùng với dòng khác trong tệp',
        invalid: 'Dữ liệu không hợp lệ',
        needs_decision: 'Cần chọn xã/phường mới',
        out_of_scope: 'Ngoài địa bàn được phân công',
      };
      return {
        title: 'Dòng chưa nhập',
        preamble: [`CÁC DÒNG CHƯA NHẬP — ${job.fileName}`, `Sửa các dòng dưới đây rồi tải lên lại. Tổng: ${rows.length} dòng`],
        headers: ['Dòng', 'Lý do', 'Chi tiết', ...headers],
        rows: rows.map((r) => [
          r.row,
          skipped.has(r.row) ? gone : reasons[r.outcome],
          [
            ...rowErrorLines(r.errors ?? [], 'vi'),
            // The communes to choose from, only while that is what the row waits for.
            ...(r.candidates && r.outcome === 'needs_decision' ? [`Xã/phường mới có thể là: ${r.candidates.map((c) => c.fullName).join('; ')}`] : []),
            ...(r.duplicateOf?.row ? [`trùng dòng ${r.duplicateOf.row}`] : []),
            ...(r.duplicateOf?.producerIds ? [`trùng chủ thể ${r.duplicateOf.producerIds.map(producerWords).join(', ')}`] : []),
            ...(r.duplicateOf?.outsideScope ? [outsideScopeWords(r.duplicateOf.outsideScope)] : []),
          ].join(' | '),
          // Masked again: rows kept before unmapped columns were masked hold such numbers in clear.
          ...maskCells(r.raw, (job.mapping ?? {}) as ColumnMapping),
        ]),
      };
    },

    sourceArrived,

    /** Does one background job; the local runner and the cloud job Lambda both call this. */
    handleJob(job: Job): Promise<void> {
      return job.type === 'import-preview' ? preview(job.id) : runCommit(job.id);
    },
  };
}
export type ImportService = ReturnType<typeof createImportService>;

/**
 * Existing producers a row matched (`found`: id → what matched) as its importer may see them, as
 * POST /producers tells its matches: the ids of those in the importer's scope, and of each one
 * outside it only what matched — its id would tell whose phone, tax code or citizen ID the file
 * holds, and in which commune. `records`: the matched producers (undefined: all in scope); one
 * gone since it matched is left out. Undefined when nothing is left.
 */
function matchesAsSeen(actor: Principal, found: Map<string, DuplicateKind[]>, records: Map<string, ProducerRecord> | undefined): PreviewRow['duplicateOf'] {
  const producerIds: string[] = [];
  const outsideScope: { matchedOn: DuplicateKind[] }[] = [];
  for (const [id, matchedOn] of found) {
    const record = records?.get(id);
    if (records && !record) continue;
    if (!record || canSee(actor, { communeCode: record.communeCode, producerId: id })) producerIds.push(id);
    else outsideScope.push({ matchedOn });
  }
  if (!producerIds.length && !outsideScope.length) return undefined;
  return { ...(producerIds.length ? { producerIds } : {}), ...(outsideScope.length ? { outsideScope } : {}) };
}

const matchedOnWords: Record<DuplicateKind, string> = { phone: 'số điện thoại', taxCode: 'mã số thuế', citizenId: 'số CCCD', name: 'tên trong xã' };

/** The producers outside the importer's scope a row matched, in the errors file: what matched and how many, never who. */
function outsideScopeWords(matches: { matchedOn: DuplicateKind[] }[]): string {
  const kinds = (Object.keys(matchedOnWords) as DuplicateKind[]).filter((k) => matches.some((m) => m.matchedOn.includes(k)));
  return `trùng ${kinds.map((k) => matchedOnWords[k]).join(', ')} với ${matches.length === 1 ? 'một' : matches.length} chủ thể ngoài địa bàn được giao`;
}

type ProducerKeys = Pick<ProducerRecord, 'searchName' | 'phone' | 'taxCode' | 'citizenIdHash'>;

/** Two producers (rows or records) have no phone, tax code or citizen ID that differs. */
function compatibleKeys(a: ProducerKeys, b: ProducerKeys): boolean {
  const differ = (x?: string, y?: string) => x !== undefined && y !== undefined && x !== y;
  return !differ(a.phone, b.phone) && !differ(a.taxCode, b.taxCode) && !differ(a.citizenIdHash, b.citizenIdHash);
}

/** Two producers (rows or records) are the same one: the same name, and no phone, tax code or citizen ID that differs. */
function sameProducerKeys(a: ProducerKeys, b: ProducerKeys): boolean {
  return a.searchName === b.searchName && compatibleKeys(a, b);
}

function put(op: TxOp): Item {
  return op.item.Put!.Item as Item;
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
