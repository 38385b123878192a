import { openLocalStore } from '#functions/local/local-store.ts';
import { createLocalServices } from '#functions/local/local-services.ts';
import { snapshotMonthAt } from '#functions/jobs/scheduled-jobs.ts';

/**
 * `npm run snapshot [-- --month yyyy-mm] [--replace]`: records the coverage counters as a
 * month-end snapshot (default: the month just ended, Vietnam time) in the local store; a month
 * already taken is kept unless `--replace`. In the cloud an EventBridge
 * schedule does the same at each month's end.
 */
const arg = process.argv.indexOf('--month');
const month = arg > 0 ? process.argv[arg + 1] : snapshotMonthAt(new Date());
if (!month || !/^\d{4}-\d{2}$/.test(month)) {
  console.error('Usage: npm run snapshot -- [--month yyyy-mm] [--replace]');
  process.exit(2);
}
const store = await openLocalStore();
try {
  const local = await createLocalServices({ dataDir: store.dataDir, tableName: store.tableName, endpoint: store.endpoint });
  const { takenAt } = await local.services.coverageReports.snapshot(month, { replace: process.argv.includes('--replace') });
  console.log(`coverage snapshot for ${month} taken at ${takenAt}`);
} finally {
  await store.close();
}
