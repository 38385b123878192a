import { vietnamDate } from '#shared/vietnam-time.ts';
import type { LocalServices } from './local-services.ts';

/** How often the local server looks whether a new day (Vietnam time) has begun. */
const CHECK_EVERY_MS = 5 * 60_000;

/**
 * What the cloud's schedules do, for a laptop that runs for days: a month-end snapshot taken
 * once its month is over (marking first what had lapsed by its last day, as every snapshot
 * does), and the certificates that lapsed since marked so those products stop counting as OCOP.
 * The full nightly recount stays an administrator's `POST /coverage/reconcile` here. Returns
 * what it did.
 */
export async function runDailyJobs(local: Pick<LocalServices, 'services'>, now = new Date()): Promise<string[]> {
  const reports = local.services.coverageReports;
  const done: string[] = [];
  const say = (marking: { marked: number; failed: number }) => {
    if (marking.marked) done.push(`Marked ${marking.marked} OCOP certificate(s) that expired: those products no longer count as OCOP`);
    if (marking.failed) done.push(`Could not mark ${marking.failed} lapsed certificate(s); trying again tomorrow`);
  };
  const caughtUp = await reports.catchUp(now);
  if (caughtUp) {
    say({ marked: caughtUp.certificatesMarkedExpired, failed: caughtUp.certificateMarkingsFailed });
    done.push(`Took the missing month-end coverage snapshot for ${caughtUp.month}`);
  }
  say(await reports.markLapsedCertificates(now));
  return done;
}

/**
 * Runs `runDailyJobs` once a new day has begun in Vietnam, looking every few minutes rather than
 * sleeping until midnight: a laptop that was asleep at midnight catches up when it wakes. A run
 * that fails (or `lastRun` undefined: none yet) is tried at the next look; the timer never keeps
 * the process alive.
 */
export function scheduleDailyJobs(local: Pick<LocalServices, 'services'>, log: (line: string) => void, lastRun: Date | undefined): void {
  let ranOn = lastRun ? vietnamDate(lastRun) : undefined;
  let running = false;
  setInterval(() => {
    const now = new Date();
    if (running || vietnamDate(now) === ranOn) return;
    running = true;
    runDailyJobs(local, now)
      .then((done) => {
        ranOn = vietnamDate(now);
        done.forEach(log);
      }, (e: unknown) => log(`Nightly jobs failed (tried again in a few minutes): ${(e as Error).message}`))
      .finally(() => (running = false));
  }, CHECK_EVERY_MS).unref();
}
