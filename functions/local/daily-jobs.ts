import { msUntilVietnamTime } from '#shared/vietnam-time.ts';
import type { LocalServices } from './local-services.ts';

/**
 * What the cloud's schedules do, for a laptop that runs for days: the certificates that lapsed
 * stop counting as OCOP, and a month-end snapshot is taken once its month is over. Run at start
 * and at 00:05 every night (Vietnam time) while the server runs; the full nightly recount stays
 * an administrator's `POST /coverage/reconcile` here.
 */
export async function runDailyJobs(local: Pick<LocalServices, 'services'>, now = new Date()): Promise<string[]> {
  const done: string[] = [];
  const marked = await local.services.products.markLapsedCertificates(now);
  if (marked) done.push(`Marked ${marked} OCOP certificate(s) that expired: those products no longer count as OCOP`);
  const caughtUp = await local.services.coverageReports.catchUp(now);
  if (caughtUp) done.push(`Took the missing month-end coverage snapshot for ${caughtUp.month}`);
  return done;
}

/** Runs `runDailyJobs` at 00:05 each night (Vietnam time), logging what it did; the timer never keeps the process alive. */
export function scheduleDailyJobs(local: Pick<LocalServices, 'services'>, log: (line: string) => void): void {
  const next = () => {
    setTimeout(() => {
      runDailyJobs(local)
        .then((done) => done.forEach(log), (e: unknown) => log(`Nightly jobs failed: ${(e as Error).message}`))
        .finally(next);
    }, msUntilVietnamTime(new Date(), 0, 5)).unref();
  };
  next();
}
