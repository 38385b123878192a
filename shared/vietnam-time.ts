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

/** Milliseconds from `time` to the next `hh:mm` on a Vietnam clock (a whole day when it is that minute exactly). */
export function msUntilVietnamTime(time: Date, hour: number, minute: number): number {
  const local = time.getTime() + VIETNAM_UTC_OFFSET_HOURS * 3600_000;
  const day = 86_400_000;
  const target = Math.floor(local / day) * day + (hour * 60 + minute) * 60_000;
  return target > local ? target - local : target + day - local;
}
