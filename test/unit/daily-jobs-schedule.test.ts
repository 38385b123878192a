import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scheduleDailyJobs } from '#functions/local/daily-jobs.ts';
import type { LocalServices } from '#functions/local/local-services.ts';

// The local server's daily timer: when it runs the day's jobs. What the jobs do is tested
// against DynamoDB Local (coverage.test.ts); here the coverage reports only record the calls.

type Local = Pick<LocalServices, 'services'>;
const FIVE_MIN = 5 * 60_000;

function reports(behaviour: { fail?: () => boolean; slowMs?: number } = {}) {
  const calls: Date[] = [];
  const local = {
    services: {
      coverageReports: {
        catchUp: async () => undefined,
        markLapsedCertificates: async (now: Date) => {
          calls.push(now);
          if (behaviour.slowMs) await new Promise((r) => setTimeout(r, behaviour.slowMs));
          if (behaviour.fail?.()) throw new Error('store unreachable');
          return { marked: 1, failed: 0 };
        },
      },
    },
  } as unknown as Local;
  return { local, calls };
}

describe('the local daily jobs timer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once a new day has begun in Vietnam (midnight at 17:00 UTC), not again that day, and again the next', async () => {
    vi.setSystemTime(new Date('2027-03-05T16:50:00Z')); // 23:50 in Vietnam
    const { local, calls } = reports();
    const lines: string[] = [];
    scheduleDailyJobs(local, (l) => lines.push(l), new Date('2027-03-05T01:00:00Z'));
    await vi.advanceTimersByTimeAsync(FIVE_MIN); // 23:55: same day as the last run
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2 * FIVE_MIN); // 00:05 on 6 March
    expect(calls).toHaveLength(1);
    expect(lines).toEqual(['Marked 1 OCOP certificate(s) that expired: those products no longer count as OCOP']);
    await vi.advanceTimersByTimeAsync(23 * 60 * 60_000); // the rest of 6 March
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60 * 60_000); // into 7 March
    expect(calls).toHaveLength(2);
  });

  it('with no run yet (the start-up run failed), runs at the first look', async () => {
    vi.setSystemTime(new Date('2027-03-05T03:00:00Z'));
    const { local, calls } = reports();
    scheduleDailyJobs(local, () => {}, undefined);
    await vi.advanceTimersByTimeAsync(FIVE_MIN);
    expect(calls).toHaveLength(1);
  });

  it('a failed run is logged and tried again at the next look, until one succeeds', async () => {
    vi.setSystemTime(new Date('2027-03-05T16:58:00Z'));
    let failures = 2;
    const { local, calls } = reports({ fail: () => failures-- > 0 });
    const lines: string[] = [];
    scheduleDailyJobs(local, (l) => lines.push(l), new Date('2027-03-05T01:00:00Z'));
    await vi.advanceTimersByTimeAsync(3 * FIVE_MIN);
    expect(calls).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('Nightly jobs failed'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^Marked 1/);
    await vi.advanceTimersByTimeAsync(4 * FIVE_MIN);
    expect(calls).toHaveLength(3);
  });

  it('never starts a second run while one is still going', async () => {
    vi.setSystemTime(new Date('2027-03-05T16:58:00Z'));
    const { local, calls } = reports({ slowMs: 12 * 60_000 });
    scheduleDailyJobs(local, () => {}, new Date('2027-03-05T01:00:00Z'));
    await vi.advanceTimersByTimeAsync(3 * FIVE_MIN); // looks at 17:03, 17:08 (still running), 17:13 (done at 17:15 → not yet)
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3 * FIVE_MIN);
    expect(calls).toHaveLength(1);
  });
});
