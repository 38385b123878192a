import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ImportFailureSchema } from '#shared/schemas/common.ts';
import { ConflictError, NotFoundError } from '#functions/core/errors.ts';
import { getItem, queryAcross, send, type PageState, type Partition, type Table, type TxOp } from './table.ts';

export const importStatuses = ['awaiting_file', 'previewing', 'previewed', 'committing', 'committed', 'failed'] as const;
export const rowOutcomes = ['new', 'duplicate_existing', 'duplicate_in_file', 'invalid', 'needs_decision', 'out_of_scope'] as const;

export const ImportJobSchema = z.object({
  id: z.string(),
  kind: z.enum(['producers', 'products']),
  fileName: z.string(),
  status: z.enum(importStatuses),
  createdBy: z.string(),
  /** The importing user as they were when the import was created: its scope limits what is written. */
  actor: z.object({ sub: z.string(), username: z.string(), role: z.enum(['admin', 'department', 'officer', 'cooperative']), communes: z.array(z.string()), producerId: z.string().optional() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  headerRow: z.number().int().optional(),
  mapping: z.record(z.string(), z.number().int()).optional(),
  mappingOverride: z.record(z.string(), z.union([z.string(), z.number().int()])).optional(),
  totalRows: z.number().int().default(0),
  counts: z.record(z.string(), z.number().int()).default({}),
  batches: z.number().int().default(0),
  batchesDone: z.number().int().default(0),
  rowsToWrite: z.number().int().default(0),
  rowsDone: z.number().int().default(0),
  /** Rows of done batches that were not written: their existing producer was deleted, merged or moved since the dry run. */
  rowsSkipped: z.number().int().default(0),
  commitStartedAt: z.string().optional(),
  /** The rows the commit writes, when its decisions made them differ from the dry run's (a blob of the import). */
  rowsFile: z.string().optional(),
  /** The file's header row as the dry run read it (the errors file repeats it). */
  headers: z.array(z.string()).optional(),
  /** How many times the commit has started running (first run, resumes, redelivered job events). */
  commitRuns: z.number().int().default(0),
  committedAt: z.string().optional(),
  error: z.string().optional(),
  /** Why it failed, as a code clients word (`importFailureCodes`); imports failed before codes have `error` only. */
  failure: ImportFailureSchema.optional(),
  /** The size the file was declared with at create: a direct upload is bound to it and may not be larger. */
  fileBytes: z.number().int().optional(),
  /** Which upload the dry run is of (S3's sequencer of the PUT that brought the file), so a redelivered event is recognised. */
  uploadTag: z.string().optional(),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

/**
 * Import jobs: PK `P#38#IMPORT#<id>`, SK `META` for the job; SK `BATCH#<n>` marks a batch
 * whose counters were applied (written in the same transaction), so a resumed commit skips
 * it and never counts it twice. Rows and files live in the blob store, not the table.
 * Indexes: GSI2 `P#38#IMPORT` / `<status>#<id>` (imports by status, to resume), GSI1
 * `P#38#IMPORTS` / `<createdAt>#<id>` (every import, newest first) and GSI3
 * `P#38#USER#<sub>#IMPORTS` / `<createdAt>#<id>` (one user's).
 */
export function createImportRepository(table: Table) {
  const pk = (id: string) => `${table.prefix}IMPORT#${id}`;
  const allPartition: Partition = { index: 'GSI1', pk: `${table.prefix}IMPORTS` };
  const userPartition = (sub: string): Partition => ({ index: 'GSI3', pk: `${table.prefix}USER#${sub}#IMPORTS` });
  return {
    /**
     * Gives imports saved before the list existed their list entries (only where missing, one
     * UpdateItem each); returns how many. Every import is on GSI2, so finding them is one query.
     */
    async indexUnlisted(): Promise<number> {
      let indexed = 0;
      let start: PageState | undefined;
      do {
        const page = await queryAcross(table, [{ index: 'GSI2', pk: `${table.prefix}IMPORT` }], { limit: 500, start, filter: { FilterExpression: 'attribute_not_exists(GSI1PK)' } });
        for (const item of page.items) {
          const listed = `${item.createdAt}#${item.id}`;
          try {
            await send(() =>
              table.doc.send(
                new UpdateCommand({
                  TableName: table.name,
                  Key: { PK: item.PK, SK: 'META' },
                  UpdateExpression: 'SET GSI1PK = :all, GSI1SK = :listed, GSI3PK = :user, GSI3SK = :listed',
                  ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI1PK)',
                  ExpressionAttributeValues: { ':all': allPartition.pk, ':user': userPartition(item.createdBy as string).pk, ':listed': listed },
                }),
              ),
            );
            indexed += 1;
          } catch (e) {
            if (!(e instanceof ConditionalCheckFailedException)) throw e;
          }
        }
        start = page.next;
      } while (start);
      return indexed;
    },
    /** Imports newest first: every one, or those `createdBy` made. */
    async list(opts: { createdBy?: string; limit: number; start?: PageState }): Promise<{ items: ImportJob[]; next?: PageState }> {
      const page = await queryAcross(table, [opts.createdBy ? userPartition(opts.createdBy) : allPartition], { limit: opts.limit, start: opts.start, descending: true });
      return { items: page.items.map((i) => ImportJobSchema.parse(i)), next: page.next };
    },
    async get(id: string): Promise<ImportJob> {
      const item = await getItem(table, { PK: pk(id), SK: 'META' }, true);
      if (!item) throw new NotFoundError('Import');
      return ImportJobSchema.parse(item);
    },
    /**
     * Writes the job. With `expected` (the job as read), only if nobody changed it since — its
     * status and `updatedAt` — so of two requests moving it on from the same state one wins and
     * the other gets 409.
     */
    putOp(job: ImportJob, expected?: ImportJob): TxOp {
      const listed = `${job.createdAt}#${job.id}`;
      const Item = { PK: pk(job.id), SK: 'META', type: 'import', GSI2PK: `${table.prefix}IMPORT`, GSI2SK: `${job.status}#${job.id}`, GSI1PK: allPartition.pk, GSI1SK: listed, GSI3PK: userPartition(job.createdBy).pk, GSI3SK: listed, ...job };
      if (!expected) return { item: { Put: { TableName: table.name, Item } } };
      return {
        item: { Put: { TableName: table.name, Item, ConditionExpression: '#s = :s AND updatedAt = :u', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': expected.status, ':u': expected.updatedAt } } },
        onConditionFailed: () => new ConflictError('VERSION_CONFLICT', 'The import changed meanwhile: another commit or file got there first'),
      };
    },
    /** Deletes the job, only if nobody changed it since it was read (as `putOp` with `expected`). Its batch marks exist only once a commit started, which a discard refuses. */
    deleteOp(expected: ImportJob): TxOp {
      return {
        item: { Delete: { TableName: table.name, Key: { PK: pk(expected.id), SK: 'META' }, ConditionExpression: '#s = :s AND updatedAt = :u', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': expected.status, ':u': expected.updatedAt } } },
        onConditionFailed: () => new ConflictError('VERSION_CONFLICT', 'The import changed meanwhile: a file or a commit got there first'),
      };
    },
    /**
     * Counts one more run of the commit, atomically, and returns the count with this run. Only
     * the first run knows that no record of its batches can have been written before it.
     */
    async startCommitRun(id: string): Promise<number> {
      const out = await send(() =>
        table.doc.send(
          new UpdateCommand({ TableName: table.name, Key: { PK: pk(id), SK: 'META' }, UpdateExpression: 'ADD commitRuns :one', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' }),
        ),
      );
      return Number(out.Attributes?.commitRuns);
    },
    /**
     * Takes the file that arrived for an import awaiting one: `previewing`, tagged with the
     * upload, atomically. False when the import is not awaiting a file (any more): another
     * delivery of the same event, or a file sent after the dry run started, takes nothing.
     */
    async claimUpload(id: string, tag: string): Promise<boolean> {
      try {
        await send(() =>
          table.doc.send(
            new UpdateCommand({
              TableName: table.name,
              Key: { PK: pk(id), SK: 'META' },
              UpdateExpression: 'SET #s = :previewing, GSI2SK = :gsi, uploadTag = :tag, updatedAt = :t REMOVE #e, #f',
              ConditionExpression: '#s = :awaiting',
              ExpressionAttributeNames: { '#s': 'status', '#e': 'error', '#f': 'failure' },
              ExpressionAttributeValues: { ':previewing': 'previewing', ':awaiting': 'awaiting_file', ':gsi': `previewing#${id}`, ':tag': tag, ':t': new Date().toISOString() },
            }),
          ),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },
    /** Marks batch `n` done and counts its rows (`skipped`: the numbers of those not written), failing if it was already done. */
    batchDoneOp(id: string, n: number, rows: number, skipped: number[] = []): TxOp[] {
      return [
        {
          item: { Put: { TableName: table.name, Item: { PK: pk(id), SK: `BATCH#${String(n).padStart(6, '0')}`, type: 'import-batch', rows, skipped }, ConditionExpression: 'attribute_not_exists(PK)' } },
          onConditionFailed: () => new BatchAlreadyDoneError(),
        },
        {
          item: {
            Update: {
              TableName: table.name,
              Key: { PK: pk(id), SK: 'META' },
              UpdateExpression: 'ADD batchesDone :one, rowsDone :n, rowsSkipped :k SET updatedAt = :t',
              ExpressionAttributeValues: { ':one': 1, ':n': rows, ':k': skipped.length, ':t': new Date().toISOString() },
            },
          },
        },
      ];
    },
    /** The batches done, each with the numbers of its rows that were not written. */
    async doneBatches(id: string): Promise<Map<number, number[]>> {
      const done = new Map<number, number[]>();
      let start;
      do {
        const page = await queryAcross(table, [{ pk: pk(id), skPrefix: 'BATCH#' }], { limit: 1000, start });
        for (const i of page.items) done.set(Number(String(i.SK).slice(6)), (i.skipped as number[] | undefined) ?? []);
        start = page.next;
      } while (start);
      return done;
    },
    /** Jobs left committing (the process stopped mid-way), to resume at start. */
    async listByStatus(status: ImportJob['status']): Promise<ImportJob[]> {
      const { items } = await queryAcross(table, [{ index: 'GSI2', pk: `${table.prefix}IMPORT`, skPrefix: `${status}#` }], { limit: 100 });
      return items.map((i) => ImportJobSchema.parse(i));
    },
  };
}
export type ImportRepository = ReturnType<typeof createImportRepository>;

/** A batch whose counters were already applied: skip it. */
export class BatchAlreadyDoneError extends Error {}
