import { z } from 'zod';
import { coverageMarketplaces, coverageMetrics } from '../coverage-rules.ts';
import { targetLimits } from '../field-limits.ts';
import { targetKey } from '../target-rules.ts';
import { DateSchema } from './common.ts';

export { targetKey };

export const CoverageMetricSchema = z.enum(coverageMetrics);
const metricsShape = Object.fromEntries(coverageMetrics.map((k) => [k, z.number().int()])) as Record<(typeof coverageMetrics)[number], z.ZodNumber>;
export const MetricsSchema = z.object(metricsShape).meta({ id: 'CoverageMetrics' });

const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as yyyy-mm');

/** Which marketplace, and when: now (the maintained counters) or the end of a month (its snapshot). */
export const CoverageAtQuerySchema = z.object({
  marketplace: z.enum(coverageMarketplaces as [string, ...string[]]).default('all').meta({ description: '`all` counts "on at least one marketplace"' }),
  month: MonthSchema.optional().meta({ description: "The figures at the end of this month, from its month-end snapshot (404 NO_SNAPSHOT if none was taken); without it, now", example: '2026-10' }),
});

export const CoverageQuerySchema = CoverageAtQuerySchema.extend({
  by: z.enum(['province', 'commune', 'district']).default('commune').meta({ description: 'district = the 26 former districts (pre-2025 reports)' }),
});

/** A target is data: indicator (a metric, or a ratio numerator/denominator), period end, scope, value. */
const targetFields = {
  indicator: z.string().regex(/^[a-zA-Z0-9]+(\/[a-zA-Z0-9]+)?$/).meta({ description: 'A metric (`producersLive`) or a ratio (`ocopLive/productsOcop`)', example: 'ocopLive/productsOcop' }),
  period: DateSchema.meta({ description: 'The date by which the value should be reached', example: '2026-12-31' }),
  scope: z.string().regex(/^(province|\d{5})$/).default('province').meta({ description: '`province` or a commune code' }),
  marketplace: z.enum(coverageMarketplaces as [string, ...string[]]).default('all'),
  unit: z.enum(['percent', 'count']),
  value: z.number().min(targetLimits.value.min).max(targetLimits.value.max),
};
export const TargetSchema = z.object(targetFields).meta({ id: 'Target' });
export const TargetsPutSchema = z
  // Sent targets take no other field (a misspelt one would be dropped without a word while the set is replaced).
  .strictObject({ items: z.array(z.strictObject(targetFields).meta({ id: 'TargetInput' })).max(targetLimits.count) })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.items.forEach((t, i) => {
      const first = seen.get(targetKey(t));
      if (first === undefined) seen.set(targetKey(t), i);
      else ctx.addIssue({ code: 'custom', path: ['items', i], message: `the same target as items.${first} (indicator, marketplace, scope and period)`, params: { rule: 'duplicate_target' } });
      // Each side a metric the counters keep (or productsOcop): any other name would show "—" for ever.
      const unknown = t.indicator.split('/').filter((name) => name !== 'productsOcop' && !(coverageMetrics as readonly string[]).includes(name));
      if (unknown.length) ctx.addIssue({ code: 'custom', path: ['items', i, 'indicator'], message: `not a coverage metric: ${unknown.join(', ')} (one of ${[...coverageMetrics, 'productsOcop'].join(', ')})`, params: { rule: 'choice' } });
      // A ratio is a share (percent), a metric a number (count): any other pair reads wrongly everywhere it is shown.
      if (t.unit !== (t.indicator.includes('/') ? 'percent' : 'count')) ctx.addIssue({ code: 'custom', path: ['items', i, 'unit'], message: `${t.indicator} is measured in ${t.indicator.includes('/') ? 'percent' : 'count'}`, params: { rule: 'choice' } });
      // A count is whole ("5.000" typed as 5 would be a target a thousand times too small); a share is at most 100 %.
      if (t.unit === 'count' && !Number.isInteger(t.value)) ctx.addIssue({ code: 'custom', path: ['items', i, 'value'], message: 'a count is a whole number', params: { rule: 'format' } });
      if (t.unit === 'percent' && t.value > 100) ctx.addIssue({ code: 'too_big', origin: 'number', maximum: 100, inclusive: true, input: t.value, path: ['items', i, 'value'], message: 'a share is at most 100 %' });
    });
  })
  .meta({ id: 'TargetsPut' });
export type Target = z.infer<typeof TargetSchema>;

export const HistoryQuerySchema = z
  .object({
    from: MonthSchema.meta({ example: '2026-01' }),
    to: MonthSchema.meta({ example: '2026-12' }),
    marketplace: z.enum(coverageMarketplaces as [string, ...string[]]).default('all'),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'the last month must not come before the first' });
