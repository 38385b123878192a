/** Vietnam keeps UTC+7 all year (no daylight saving), so a local wall-clock time is one fixed UTC time. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** The date (`yyyy-mm-dd`) it is in Vietnam at `time`, or `days` days after it (before, when negative). */
export function vietnamDate(time: Date, days = 0): string {
  return new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** The last instant (to the millisecond) of month `yyyy-mm` in Vietnam. */
export function vietnamMonthEnd(month: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1) - VIETNAM_UTC_OFFSET_HOURS * 3600_000 - 1);
}

/** The month (`yyyy-mm`) it is in Vietnam at `time`, or `back` months before it. */
export function vietnamMonth(time: Date, back = 0): string {
  const local = new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}

/** No record of the programme is older: OCOP began in 2018, e-commerce training and consent records later still. */
export const EARLIEST_EVENT_DATE = '2000-01-01';

/**
 * What is wrong with `date` (`yyyy-mm-dd`) as the date something happened — a rating decision, a
 * training, a consent — or undefined: it must be from 2000 up to `today` in Vietnam. A year such
 * as 0001 or 2099 is a typing slip, and counting it would make a certificate valid for ever or a
 * producer trained before the training.
 */
export function eventDateRule(date: string, today = vietnamDate(new Date())): 'date_too_early' | 'date_in_future' | undefined {
  if (date < EARLIEST_EVENT_DATE) return 'date_too_early';
  if (date > today) return 'date_in_future';
  return undefined;
}
