import { gzipSync } from 'node:zlib';
import { vietnamDate } from '#shared/vietnam-time.ts';
import { createRoute, z } from '@hono/zod-openapi';
import { CoverageAtQuerySchema } from '#shared/schemas/coverage.ts';
import { toCsv, toXlsx, type Table } from '#functions/exports/tabular.ts';
import type { ExportService } from '#functions/exports/export-service.ts';
import { bearer, problemResponses, type AppContext, type Router } from '../app-env.ts';
import { coverageScope } from './coverage-routes.ts';

const formats = {
  xlsx: { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', write: toXlsx },
  csv: { type: 'text/csv; charset=utf-8', write: toCsv },
} as const;

/**
 * Sends an export as a file. CSV (plain text, 14 MB for the province's producers) goes gzipped
 * to clients that accept it, which keeps it well under Lambda's 6 MB response limit; XLSX is
 * already compressed (3.6 MB for the same list).
 */
function download(c: AppContext, table: Table, name: string, format: keyof typeof formats) {
  // The day it is in Vietnam: between 00:00 and 07:00 there the UTC date is still yesterday's.
  const stamp = vietnamDate(new Date());
  const bytes = formats[format].write(table) as Uint8Array<ArrayBuffer>;
  const gzip = format === 'csv' && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  return c.body(gzip ? (gzipSync(bytes) as Uint8Array<ArrayBuffer>) : bytes, 200, {
    'content-type': formats[format].type,
    'content-disposition': `attachment; filename="${name}-${stamp}.${format}"`,
    'cache-control': 'no-store',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
}

/** Excel and CSV exports in Vietnamese: coverage by commune, producers and products in scope. */
export function registerExportRoutes(app: Router, deps: { exports: ExportService }) {
  const tags = ['Exports'];
  for (const format of ['xlsx', 'csv'] as const) {
    const file = (description: string) => ({ 200: { description, content: { [formats[format].type]: { schema: z.string().meta({ format: 'binary' }) } } }, ...problemResponses });
    app.openapi(
      createRoute({ method: 'get', path: `/exports/coverage.${format}`, tags, security: bearer, summary: `Coverage by commune with totals, the as-of date and the targets on the marketplace with where each stands (${format.toUpperCase()}): now, or at the end of a month`, request: { query: CoverageAtQuerySchema }, responses: file('One row per commune, totals row') }),
      async (c) => {
        const p = c.get('principal');
        const { marketplace, month } = c.req.valid('query');
        return download(c, await deps.exports.coverage(p, coverageScope(p), marketplace, month), month ? `do-phu-tmdt-cuoi-thang-${month}` : 'do-phu-tmdt', format);
      },
    );
    app.openapi(
      createRoute({ method: 'get', path: `/exports/producers.${format}`, tags, security: bearer, summary: `Producers in your scope (${format.toUpperCase()}); phones masked for roles that do not need them`, responses: file('One row per producer') }),
      async (c) => download(c, await deps.exports.producers(c.get('principal')), 'chu-the', format),
    );
    app.openapi(
      createRoute({ method: 'get', path: `/exports/products.${format}`, tags, security: bearer, summary: `Products in your scope (${format.toUpperCase()})`, responses: file('One row per product') }),
      async (c) => download(c, await deps.exports.products(c.get('principal')), 'san-pham', format),
    );
  }
}
