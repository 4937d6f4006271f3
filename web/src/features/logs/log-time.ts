/** Log times as a person reads them: local clock time to the millisecond, with the zone said. Pure. */
import {
  formatAbsolute,
  formatClock,
  formatStamp,
  nanosToMillis,
  type StampDate,
  stampColumnDate,
  utcOffsetLabel,
} from "../../lib/format";

export { utcOffsetLabel };

/** The zone times are shown in: "Europe/Berlin, UTC+1" (or just the offset when the zone has no name). */
export function timeZoneLabel(at: Date, zoneName: string | undefined): string {
  const offset = utcOffsetLabel(-at.getTimezoneOffset());
  return zoneName && zoneName !== "UTC" && zoneName !== "Etc/UTC" ? `${zoneName}, ${offset}` : offset;
}

/** This browser's zone, as `timeZoneLabel` writes it. */
export function localTimeZoneLabel(at = new Date()): string {
  return timeZoneLabel(at, Intl.DateTimeFormat().resolvedOptions().timeZone);
}

/**
 * "14:03:07.123" in local time, with the date before it when not of today ("12-04 23:00:00.000",
 * "2018-06-01 14:51:00.000"; lib/format.ts `formatStamp`).
 */
export function logClock(nanos: string, nowMs: number): string {
  return formatStamp(nanosToMillis(nanos), nowMs);
}

/** How much date a column of these records' `logClock` times carries (it is as wide as that). */
export function logClockDate(records: readonly { timeUnixNano: string }[], nowMs: number): StampDate {
  return stampColumnDate(
    records.map((record) => nanosToMillis(record.timeUnixNano)),
    nowMs,
  );
}

/** Local midnight that starts the day of `now` (unix ms). */
export function startOfLocalDay(now = Date.now()): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/**
 * A list row's time: the clock for a record of today ("14:03:07.123"), the date and clock for an
 * older (or later) one ("2018-12-13 14:03:07.123"), so a record from another day never reads as today's.
 */
export function logStamp(nanos: string, todayStartMs: number): string {
  const ms = nanosToMillis(nanos);
  return ms >= todayStartMs && ms < todayStartMs + 86_400_000 ? formatClock(ms) : formatAbsolute(ms);
}

/** The full local date and time to the nanosecond: "2026-12-02 14:03:07.123456789". */
export function logTimeExact(nanos: string): string {
  const base = formatAbsolute(nanosToMillis(nanos));
  return /^\d{7,}$/.test(nanos) ? `${base}${nanos.slice(-6)}` : base;
}
