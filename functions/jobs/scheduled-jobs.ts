import { z } from 'zod';
import { vietnamMonth } from '#shared/vietnam-time.ts';

/** An EventBridge rule schedule in UTC (the fields of `Schedule.cron`). */
export type UtcCron = { minute: string; hour: string; day?: string; month?: string; weekDay?: string };

/**
 * The scheduled jobs, with when they run. Times are Vietnam local time turned into UTC:
 * - `coverage-snapshot` at 00:05 on the 1st of each month (local) = 17:05 UTC on the last day
 *   of the month before (`L`), recording the month just ended;
 * - `coverage-reconcile` every night at 02:00 local = 19:00 UTC.
 */
export const scheduledJobs = {
  'coverage-snapshot': { cron: { minute: '5', hour: '17', day: 'L' }, description: 'Month-end coverage snapshot at 00:05 on the 1st (Vietnam time)' },
  'coverage-reconcile': { cron: { minute: '0', hour: '19' }, description: 'Nightly coverage reconciliation at 02:00 (Vietnam time)' },
} as const satisfies Record<string, { cron: UtcCron; description: string }>;

export type ScheduledJobName = keyof typeof scheduledJobs;

/**
 * What the scheduled Lambda receives: the rule's input transformer turns EventBridge's
 * "Scheduled Event" into `{ job, time, eventId }` (`time` is the event's scheduled time).
 */
export const ScheduledJobEventSchema = z.object({
  job: z.enum(Object.keys(scheduledJobs) as [ScheduledJobName, ...ScheduledJobName[]]),
  time: z.iso.datetime().optional(),
  eventId: z.string().optional(),
});
export type ScheduledJobEvent = z.infer<typeof ScheduledJobEventSchema>;

/** The month (`yyyy-mm`) a snapshot taken at `time` records: the one that ended before that moment in Vietnam. */
export function snapshotMonthAt(time: Date): string {
  return vietnamMonth(time, 1);
}

/** The CloudWatch metric the reconciliation publishes; the alarm on it fires above zero. */
export const COVERAGE_DIFFERENCES_METRIC = 'CoverageDifferences';

/**
 * One CloudWatch embedded-metric-format line: the log pipeline turns it into a metric
 * (`namespace`/`CoverageDifferences` with dimension `Province`) without an API call or a
 * `cloudwatch:PutMetricData` permission. Written straight to stdout: with Lambda's JSON log
 * format, console output would be wrapped in a `message` field and lose its meaning as EMF.
 */
export function emfLine(opts: { namespace: string; provinceCode: string; differences: number; at: Date; fields?: Record<string, unknown> }): string {
  return JSON.stringify({
    _aws: {
      Timestamp: opts.at.getTime(),
      CloudWatchMetrics: [{ Namespace: opts.namespace, Dimensions: [['Province']], Metrics: [{ Name: COVERAGE_DIFFERENCES_METRIC, Unit: 'Count' }] }],
    },
    Province: opts.provinceCode,
    [COVERAGE_DIFFERENCES_METRIC]: opts.differences,
    ...opts.fields,
  });
}
