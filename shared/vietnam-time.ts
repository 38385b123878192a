/** Vietnam keeps UTC+7 all year (no daylight saving), so a local wall-clock time is one fixed UTC time. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** The date (`yyyy-mm-dd`) it is in Vietnam at `time`. */
export function vietnamDate(time: Date): string {
  return new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000).toISOString().slice(0, 10);
}

/** The month (`yyyy-mm`) it is in Vietnam at `time`, or `back` months before it. */
export function vietnamMonth(time: Date, back = 0): string {
  const local = new Date(time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}
