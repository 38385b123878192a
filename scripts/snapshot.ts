import { openLocalStore } from '#functions/local/local-store.ts';
import { createLocalServices } from '#functions/local/local-services.ts';
import { previousMonth } from '#functions/services/coverage-service.ts';

/**
 * `npm run snapshot [-- --month yyyy-mm]`: records the coverage counters as a month-end
 * snapshot (default: the month just ended) in the local store. In the cloud an EventBridge
 * schedule does the same at each month's end.
 */
const arg = process.argv.indexOf('--month');
const month = arg > 0 ? process.argv[arg + 1] : previousMonth();
if (!month || !/^\d{4}-\d{2}$/.test(month)) {
  console.error('Usage: npm run snapshot -- [--month yyyy-mm]');
  process.exit(2);
}
const store = await openLocalStore();
try {
  const local = await createLocalServices({ dataDir: store.dataDir, tableName: store.tableName, endpoint: store.endpoint });
  const { takenAt } = await local.services.coverageReports.snapshot(month);
  console.log(`coverage snapshot for ${month} taken at ${takenAt}`);
} finally {
  await store.close();
}
