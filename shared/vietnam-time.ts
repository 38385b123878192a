/** Vietnam keeps UTC+7 all year (no daylight saving), so a local wall-clock time is one fixed UTC time. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** The date (`yyyy-mm-dd`) it is in Vietnam at `time`, or `days` days after it (before, when negative). */
export function vietnamDate(time: Date, days = 0): string {
  return new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first instant of the month it is in Vietnam at `time` (the moment the month before ended). */
export function vietnamMonthStart(time: Date): Date {
  return new Date(Date.parse(`${vietnamMonth(time)}-01T00:00:00Z`) - VIETNAM_UTC_OFFSET_HOURS * 3600_000);
}

/** The month (`yyyy-mm`) it is in Vietnam at `time`, or `back` months before it. */
export function vietnamMonth(time: Date, back = 0): string {
  const local = new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}
