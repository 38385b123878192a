import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { importFields } from '#shared/import-fields.ts';
import { IdSchema, ImportFailureSchema, PageQuerySchema, pageOf } from '#shared/schemas/common.ts';
import { importKinds } from '#functions/imports/import-columns.ts';
import { MAX_IMPORT_BYTES, importFileTooLarge, type ImportService } from '#functions/imports/import-service.ts';
import { rowOutcomes } from '#functions/repositories/import-repository.ts';
import { toXlsx } from '#functions/exports/tabular.ts';
import { WriteHeadersSchema, bearer, jsonBodyOf, jsonResponse, problemResponses, writeContext, type Router } from '../app-env.ts';

const ImportCreateSchema = z
  .strictObject({
    kind: z.enum(importKinds).meta({ description: 'producers, or products with their producer' }),
    fileName: z.string().trim().min(1).max(200),
    mapping: z
      .preprocess(
        // JSON.parse keeps a `__proto__` key as an own property, which records drop silently: refuse it like any unknown field.
        (value, ctx) => {
          if (value && typeof value === 'object' && Object.hasOwn(value, '__proto__')) ctx.addIssue({ code: 'unrecognized_keys', keys: ['__proto__'], input: value as Record<string, unknown>, message: 'Unrecognized key: "__proto__"' });
          return value;
        },
        z.partialRecord(z.enum(importFields), z.union([z.string().max(200), z.number().int().min(0).max(500)])),
      )
      .optional()
      .meta({ description: 'Override the detected columns: field (one of the import fields) → header text or column index (0-based)' }),
    bytes: z.number().int().min(1).max(MAX_IMPORT_BYTES).meta({ description: `Exact size of the file in bytes (at most ${MAX_IMPORT_BYTES}); a direct upload is bound to it` }),
    contentType: z
      .string()
      .max(100)
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a media type such as text/csv')
      .optional()
      .meta({ description: 'Type the file will be sent with (default application/octet-stream); it is part of the upload link' }),
  })
  .meta({ id: 'ImportCreate' });

const ImportUploadTargetSchema = z.object({
  uploadUrl: z.string().meta({ description: 'Where to PUT the file: a presigned S3 URL in the cloud (send no Authorization header), the API’s own /imports/{id}/file on a local server' }),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()).meta({ description: 'Headers the PUT must carry, exactly (content-length is the declared size; browsers set it themselves)' }),
  expiresAt: z.string().optional().meta({ description: 'When a presigned upload URL stops working' }),
});

const ImportJobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(importKinds),
    fileName: z.string(),
    status: z.enum(['awaiting_file', 'previewing', 'previewed', 'committing', 'committed', 'failed']),
    totalRows: z.number(),
    counts: z.record(z.string(), z.number()),
    mapping: z.record(z.string(), z.number()).optional(),
    headerRow: z.number().optional(),
    error: z.string().optional().meta({ description: 'Why the import failed, in English' }),
    failure: ImportFailureSchema.optional(),
    progress: z.object({ done: z.number(), total: z.number(), rowsPerSecond: z.number(), etaSeconds: z.number().nullable() }).optional(),
    createdAt: z.string(),
    importedBy: z.string().meta({ description: 'Username of who started it' }),
  })
  .loose()
  .meta({ id: 'Import' });

const RowsQuerySchema = z.object({ outcome: z.enum(rowOutcomes).optional(), offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100) });
const CommitSchema = z
  .strictObject({
    decisions: z
      .array(z.strictObject({ row: z.number().int().min(1), communeCode: z.string().regex(/^\d{5}$/) }))
      .max(100_000)
      .default([])
      .meta({ description: 'For each row that needs a decision, the commune it goes to (one of its candidates, in your communes); a decision is a commune only, it names no producer' }),
  })
  .meta({ id: 'ImportCommit' });
const Params = z.object({ id: IdSchema });

/** Bulk import: create, send the file, read the dry run, commit with decisions, download the rows not imported. */
export function registerImportRoutes(app: Router, deps: { imports: ImportService }) {
  const { imports } = deps;
  const tags = ['Imports'];
  const common = { tags, security: bearer };

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/imports',
      summary: 'Start an import of producers or products from XLSX or CSV of `bytes` bytes; then PUT the file to `uploadUrl` with `headers`. In the cloud that is a presigned S3 URL and the dry run starts when the file arrives; locally it is /imports/{id}/file',
      request: { headers: WriteHeadersSchema, body: jsonBodyOf(ImportCreateSchema) },
      responses: { 201: jsonResponse(ImportJobSchema.extend(ImportUploadTargetSchema.shape), 'Created; send the file next'), ...problemResponses },
    }),
    async (c) => {
      const created = await imports.create(writeContext(c), c.req.valid('json'), (id) => `/api/v1/imports/${id}/file`);
      return c.json({ ...created, uploadUrl: created.uploadUrl ?? '', method: 'PUT' as const, headers: created.headers ?? {} }, 201);
    },
  );

  app.put(
    '/imports/:id/file',
    bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: () => Promise.reject(importFileTooLarge()) }),
  );
  app.openapi(
    createRoute({ ...common, method: 'put', path: '/imports/{id}/file', summary: 'Send the spreadsheet through the API (raw body, XLSX or CSV, exactly the `bytes` declared at create, ≤ 25 MB — a file of another size is refused with `failure` larger_than_declared or smaller_than_declared and not stored; in the cloud API Gateway and Lambda limit it to about 4.5 MB, so use the `uploadUrl` of the create instead); the dry run starts in the background', request: { params: Params, body: { content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } }, required: true } }, responses: { 202: jsonResponse(ImportJobSchema, 'Previewing'), ...problemResponses } }),
    async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const job = await imports.upload(c.get('principal'), c.req.valid('param').id, bytes);
      return c.json(await imports.get(c.get('principal'), job.id), 202);
    },
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/imports', summary: 'Imports newest first, a page at a time: all of them for an administrator, your own for anyone else', request: { query: PageQuerySchema }, responses: { 200: jsonResponse(pageOf(ImportJobSchema), 'A page of imports'), ...problemResponses } }),
    async (c) => c.json(await imports.list(c.get('principal'), c.req.valid('query')), 200),
  );
  app.openapi(
    createRoute({ ...common, method: 'delete', path: '/imports/{id}', summary: 'Discard an import that has written nothing (waiting for its file, previewed, or failed before a commit started), with its file and dry-run rows; 409 once a commit has started', request: { params: Params, headers: WriteHeadersSchema }, responses: { 204: { description: 'Discarded' }, ...problemResponses } }),
    async (c) => {
      await imports.discard(writeContext(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/imports/{id}', summary: 'Status, counts per outcome and, while committing, progress (rows done / total, rate, ETA)', request: { params: Params }, responses: { 200: jsonResponse(ImportJobSchema, 'The import'), ...problemResponses } }),
    async (c) => c.json(await imports.get(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/imports/{id}/rows', summary: 'Per-row outcomes of the dry run: new, duplicate (of what: ids of the records you may see; of a producer outside your scope only what matched, `duplicateOf.outsideScope[].matchedOn`), invalid (why), needs a decision (candidates)', request: { params: Params, query: RowsQuerySchema }, responses: { 200: jsonResponse(z.object({ total: z.number(), items: z.array(z.record(z.string(), z.unknown())) }), 'Rows'), ...problemResponses } }),
    async (c) => c.json(await imports.rows(c.get('principal'), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'post', path: '/imports/{id}/commit', summary: 'Write the new rows (and decided ones) in the background; also resumes a stopped commit', request: { params: Params, headers: WriteHeadersSchema, body: jsonBodyOf(CommitSchema) }, responses: { 202: jsonResponse(ImportJobSchema, 'Committing'), ...problemResponses } }),
    async (c) => c.json(await imports.commit(writeContext(c), c.req.valid('param').id, c.req.valid('json').decisions), 202),
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/imports/{id}/errors.xlsx', summary: 'The rows not imported, with the reason in a column, to fix and re-upload', request: { params: Params }, responses: { 200: { description: 'XLSX', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().meta({ format: 'binary' }) } } }, ...problemResponses } }),
    async (c) => {
      const table = await imports.errorReport(c.get('principal'), c.req.valid('param').id);
      return c.body(toXlsx(table) as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': `attachment; filename="dong-chua-nhap.xlsx"` });
    },
  );
}
