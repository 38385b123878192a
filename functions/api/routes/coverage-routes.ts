import { createRoute, z } from '@hono/zod-openapi';
import { CoverageQuerySchema, HistoryQuerySchema, MetricsSchema, TargetSchema, TargetsPutSchema } from '#shared/schemas/coverage.ts';
import type { TargetRepository } from '#functions/repositories/target-repository.ts';
import type { CoverageService } from '#functions/services/coverage-service.ts';
import { assertRole, type Principal } from '#functions/services/principal.ts';
import { assertKnownCommune } from '#functions/services/producer-service.ts';
import { bearer, jsonBodyOf, jsonResponse, problemResponses, type Router } from '../app-env.ts';

/** The communes whose figures the caller may see: an officer's, or the whole province. */
export function coverageScope(p: Principal): string[] | 'all' {
  if (p.role === 'officer') return p.communes;
  assertRole(p, 'admin', 'department', 'officer');
  return 'all';
}

const CoverageRowSchema = MetricsSchema.extend({ communeCode: z.string().optional(), communeName: z.string().optional(), formerDistrict: z.string().optional(), communes: z.number().optional() });
const CoverageSchema = z.object({ marketplace: z.string(), by: z.string(), month: z.string().optional().meta({ description: 'The month whose month-end figures these are; absent for figures as of now' }), asOf: z.string().meta({ description: 'Now, or when the month-end snapshot was taken' }), rows: z.array(CoverageRowSchema), totals: MetricsSchema, targets: z.array(TargetSchema.extend({ current: z.number().nullable(), achieved: z.number().nullable() })), targetsAsOf: z.string().meta({ description: 'When the targets were read: for a month, when its snapshot was taken (the targets then in force); now for figures as of now, and for a month whose snapshot was taken before targets were kept with it (today\'s targets)' }) }).meta({ id: 'Coverage' });
const DifferenceSchema = z.object({ marketplace: z.string(), communeCode: z.string(), metric: z.string(), counted: z.number(), recorded: z.number() });

export function registerCoverageRoutes(app: Router, deps: { coverageReports: CoverageService; targets: TargetRepository; startReconcile?: () => Promise<void> }) {
  const { coverageReports: reports, targets, startReconcile } = deps;
  const tags = ['Coverage'];
  app.openapi(
    createRoute({ method: 'get', path: '/coverage', tags, security: bearer, summary: 'Coverage by province, commune (166) or former district (26), for one marketplace or all, against targets — now, or at the end of a month', request: { query: CoverageQuerySchema }, responses: { 200: jsonResponse(CoverageSchema, 'Coverage from the maintained counters, or from the month-end snapshot'), ...problemResponses } }),
    async (c) => {
      const { by, marketplace, month } = c.req.valid('query');
      const scope = coverageScope(c.get('principal'));
      const [report, progress] = await Promise.all([reports.report(scope, by, marketplace, month), reports.targetsWithProgress(scope, month)]);
      return c.json({ ...report, targets: progress.items, targetsAsOf: progress.asOf }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/coverage/history', tags, security: bearer, summary: 'Monthly series of month-end snapshots: every month taken (zeros where your communes had nothing), none whose take stopped part-way', request: { query: HistoryQuerySchema }, responses: { 200: jsonResponse(z.object({ marketplace: z.string(), series: z.array(z.object({ month: z.string(), takenAt: z.string(), totals: MetricsSchema })) }), 'Series'), ...problemResponses } }),
    async (c) => {
      const { from, to, marketplace } = c.req.valid('query');
      return c.json(await reports.history(coverageScope(c.get('principal')), marketplace, from, to), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/coverage/reconcile',
      tags,
      security: bearer,
      summary: 'Mark the OCOP certificates that lapsed, recount everything from the records, repair what products keep from their records (readiness and certificate lapse with their counters, listing statuses) and producers\' counts of bound users, and report the counters that still differ (admin); in the cloud the scheduled-job function does it (202), logging the result and publishing its CoverageDifferences metric',
      responses: {
        202: jsonResponse(z.object({ job: z.literal('coverage-reconcile'), startedAt: z.string() }), 'Started in the scheduled-job function (the cloud)'),
        200: jsonResponse(z.object({ checkedAt: z.string(), producers: z.number(), products: z.number(), counters: z.number(), differences: z.array(DifferenceSchema).meta({ description: 'Differences still there after the repairs: counters no record explains' }), differencesFound: z.number().meta({ description: 'Differences before the repairs' }), certificatesMarkedExpired: z.number().meta({ description: 'Rated products whose OCOP certificate expired since the last run, marked so they stop counting as OCOP (done first; expected, not a difference)' }), certificateMarkingsFailed: z.number().meta({ description: 'Markings that failed (logged; the next run tries again)' }), derivedRepaired: z.number().meta({ description: 'Products whose kept derived state — readiness, or whether the certificate has lapsed — differed from their records (a refresh that did not run, a registry change, a night the marking missed), recomputed with the counters that follow it' }), derivedRepairsFailed: z.number().meta({ description: 'Derived-state repairs that failed (logged; the next run tries again)' }), userCountsFound: z.number().meta({ description: 'Producers whose kept count of bound cooperative users differed from the users (it guards producer delete and merge)' }), userCountsRepaired: z.number().meta({ description: 'Of those, counts set right (a count too high only once it has not moved for 15 minutes: the user list can lag a bind)' }), userCountRepairsFailed: z.number().meta({ description: 'User-count repairs that failed (logged; the next run tries again)' }), listingStatusesRepaired: z.number().meta({ description: 'Products whose kept listing statuses were filled in or corrected from their listings' }), listingStatusRepairsFailed: z.number().meta({ description: 'Repairs that failed (logged; the next run tries again)' }) }), 'Expected: no differences'),
        ...problemResponses,
      },
    }),
    async (c) => {
      assertRole(c.get('principal'), 'admin');
      if (!startReconcile) return c.json(await reports.reconcile(), 200);
      const startedAt = new Date().toISOString();
      await startReconcile();
      return c.json({ job: 'coverage-reconcile' as const, startedAt }, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/coverage/snapshots',
      tags,
      security: bearer,
      summary: 'Take the snapshot of the month just ended (Vietnam time) now (admin; normally scheduled), first marking the OCOP certificates that had lapsed by its last day; 409 SNAPSHOT_EXISTS if it was taken, unless replace=true',
      request: { query: z.object({ replace: z.enum(['true', 'false']).default('false') }) },
      responses: { 200: jsonResponse(z.object({ month: z.string(), takenAt: z.string(), certificatesMarkedExpired: z.number(), certificateMarkingsFailed: z.number() }), 'Taken'), ...problemResponses },
    }),
    async (c) => {
      assertRole(c.get('principal'), 'admin');
      return c.json(await reports.snapshot(undefined, { replace: c.req.valid('query').replace === 'true' }), 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/targets', tags, security: bearer, summary: 'Targets (indicator, period, scope, value): the province’s, and those of the communes you cover, as on the coverage report (not for cooperatives)', responses: { 200: jsonResponse(z.object({ items: z.array(TargetSchema) }), 'Targets'), ...problemResponses } }),
    async (c) => {
      // A commune's own target is for those who cover that commune, as the coverage report shows it.
      return c.json({ items: await reports.targetsFor(coverageScope(c.get('principal'))) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'put', path: '/targets', tags, security: bearer, summary: 'Replace the targets (admin)', request: { body: jsonBodyOf(TargetsPutSchema) }, responses: { 200: jsonResponse(z.object({ items: z.array(TargetSchema) }), 'Targets'), ...problemResponses } }),
    async (c) => {
      assertRole(c.get('principal'), 'admin');
      const { items } = c.req.valid('json');
      // A commune scope must be a current commune: an old or made-up code matches no counter and would show 0 for ever.
      items.forEach((t, i) => t.scope !== 'province' && assertKnownCommune(t.scope, `items.${i}.scope`));
      await targets.replaceAll(items);
      return c.json({ items: await targets.list() }, 200);
    },
  );
}
