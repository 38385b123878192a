import { z } from 'zod';
import { createCloudServices } from '#functions/api/cloud-services.ts';
import { loadConfig } from '#functions/core/config.ts';
import { logger, withLogContext } from '#functions/core/logger.ts';
import { ConflictError } from '#functions/core/errors.ts';
import { ScheduledJobEventSchema, emfLine, snapshotMonthAt } from './scheduled-jobs.ts';

// Cloud entry point of the scheduled jobs (EventBridge rules): the month-end coverage
// snapshot and the nightly reconciliation, with the same services as the API.
const config = loadConfig();
const metricsNamespace = z.string().min(1).default('OcopOnboard').parse(process.env.METRICS_NAMESPACE);
const services = await createCloudServices(config);

/** How many differences the log shows (by commune, marketplace and metric — counts only, no personal data). */
const LOGGED_DIFFERENCES = 20;

export const handler = (event: unknown, context?: { awsRequestId?: string }) => withLogContext({ requestId: context?.awsRequestId }, () => run(event, context));

async function run(event: unknown, context?: { awsRequestId?: string }) {
  const parsed = ScheduledJobEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`Not a scheduled-job event: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`);
  const { job, time, eventId } = parsed.data;
  const requestId = context?.awsRequestId;
  const at = time ? new Date(time) : new Date();

  if (job === 'coverage-snapshot') {
    const month = snapshotMonthAt(at);
    try {
      const result = await services.coverageReports.snapshot(month);
      logger.info('coverage snapshot taken', { requestId, eventId, job, ...result });
      return { job, ...result };
    } catch (e) {
      // A redelivered or retried event finds the month taken: done, not a failure to retry.
      if (!(e instanceof ConflictError && e.code === 'SNAPSHOT_EXISTS')) throw e;
      logger.info('coverage snapshot already taken', { requestId, eventId, job, month });
      return { job, month, alreadyTaken: true };
    }
  }

  const result = await services.coverageReports.reconcile();
  // Nightly upkeep beside the recount: imports saved before the import list existed are listed.
  const importsListed = await services.imports.indexUnlisted();
  const differences = result.differences.length;
  process.stdout.write(
    `${emfLine({ namespace: metricsNamespace, provinceCode: config.provinceCode, differences, at: new Date(), fields: { level: differences ? 'warn' : 'info', message: 'coverage reconciled', requestId, eventId, job, producers: result.producers, products: result.products, counters: result.counters, differencesFound: result.differencesFound, certificatesMarkedExpired: result.certificatesMarkedExpired, certificateMarkingsFailed: result.certificateMarkingsFailed, derivedRepaired: result.derivedRepaired, derivedRepairsFailed: result.derivedRepairsFailed, userCountsFound: result.userCountsFound, userCountsRepaired: result.userCountsRepaired, userCountRepairsFailed: result.userCountRepairsFailed, listingStatusesRepaired: result.listingStatusesRepaired, listingStatusRepairsFailed: result.listingStatusRepairsFailed, importsListed } })}\n`,
  );
  if (differences) logger.warn('coverage counters differ from a recount', { requestId, job, differences: result.differences.slice(0, LOGGED_DIFFERENCES) });
  return { job, checkedAt: result.checkedAt, producers: result.producers, products: result.products, counters: result.counters, differences };
}
