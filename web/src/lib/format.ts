/** Display formatting shared by every page. Pure: no DOM, no clock unless one is passed in. */

export { count as formatCount } from "../../../src/domain/count-text";

import { formatDuration } from "../../../src/domain/duration-text";

export { formatUsd, usdText } from "../../../src/domain/usd-text";
export { formatDuration };

/** Unix nanoseconds (decimal string) → milliseconds since the epoch, as a float. */
export function nanosToMillis(nanos: string): number {
  if (nanos.length <= 6) return Number(nanos) / 1e6;
  return Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6;
}

/** Milliseconds between two nanosecond timestamps, exact to the nanosecond for any realistic gap. */
export function nanosDiffMs(fromNanos: string, toNanos: string): number {
  return Number(BigInt(toNanos) - BigInt(fromNanos)) / 1e6;
}

/** How far ahead of the clock a time may be and still read "just now": clocks a few seconds apart. */
const SMALL_SKEW_MS = 5_000;

/**
 * "just now", "42s ago", "5m ago", "3h ago", "2d ago"; a time ahead of `nowMs` (its sender's clock
 * runs ahead of this one) "in 42s", "in 1h", …, or "just now" within a few seconds.
 */
export function formatRelative(epochMs: number, nowMs: number): string {
  const aheadMs = epochMs - nowMs;
  // Rounded up, as a countdown is: a time sent an hour ahead reads "in 1h", not "in 59m", once here.
  if (aheadMs > SMALL_SKEW_MS) return `in ${ageText(Math.ceil(aheadMs / 1000))}`;
  const seconds = Math.floor((nowMs - epochMs) / 1000);
  return seconds < 5 ? "just now" : `${ageText(seconds)} ago`;
}

function ageText(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Said beside a time more than a few seconds ahead of `nowMs` ("" otherwise): its clock runs ahead. */
export function clockSkewHint(epochMs: number, nowMs: number): string {
  return epochMs - nowMs > SMALL_SKEW_MS ? "ahead of this browser's clock: the sender's clock may run fast" : "";
}

/** Whether a time is OTLP's unset one (0): a span whose start is unset places nothing in time. */
export { isUnsetTime } from "../../../src/domain/time";

/**
 * Said beside a span's duration when its end is not after its start, which the duration (0) hides:
 * no end time sent (0, OTLP's unset), or an end before the start (a clock that stepped back, an SDK's
 * bug); "" otherwise.
 */
export function endBeforeStartHint(startNanos: string, endNanos: string): string {
  let gapMs: number;
  try {
    if (BigInt(endNanos) === 0n) return "no end time was sent";
    gapMs = nanosDiffMs(endNanos, startNanos);
  } catch {
    return "";
  }
  if (gapMs <= 0) return "";
  return `ends ${formatDuration(gapMs)} before it starts (at ${formatAbsolute(nanosToMillis(endNanos))})`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Local date and time with milliseconds: "2026-11-28 14:03:07.123". */
export function formatAbsolute(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** An offset in minutes east of UTC → "UTC", "UTC+1", "UTC+5:30", "UTC−3". */
export function utcOffsetLabel(minutesEast: number): string {
  if (minutesEast === 0) return "UTC";
  const sign = minutesEast > 0 ? "+" : "−";
  const abs = Math.abs(minutesEast);
  const minutes = abs % 60;
  return `UTC${sign}${Math.floor(abs / 60)}${minutes === 0 ? "" : `:${String(minutes).padStart(2, "0")}`}`;
}

/**
 * The browser's time zone at that moment, short ("UTC+1", "UTC"), for times shown without one: as
 * the Logs page says it. (Intl's "shortOffset" writes "GMT+1", and UTC as "GMT" or "GMT+0" depending
 * on the ICU version, so the same zone read differently from page to page.)
 */
export function formatTimeZone(epochMs: number): string {
  return utcOffsetLabel(-new Date(epochMs).getTimezoneOffset());
}

/** Local time of day with milliseconds: "14:03:07.123". */
export function formatClock(epochMs: number): string {
  return formatAbsolute(epochMs).slice(11);
}

/** How much of the date a column of times needs before the clock (see `formatStamp`). */
export type StampDate = "none" | "day" | "year";

/** Whether `epochMs` is on today's local date ("none"), another day of this year ("day"), or another year. */
export function stampDate(epochMs: number, nowMs: number): StampDate {
  const at = new Date(epochMs);
  const now = new Date(nowMs);
  if (at.getFullYear() !== now.getFullYear()) return "year";
  return at.getMonth() === now.getMonth() && at.getDate() === now.getDate() ? "none" : "day";
}

/**
 * A time as a column of times shows it, in local time: the clock for today ("14:03:07.123"), the
 * month and day before it on another day of this year ("12-04 23:00:00.000"), the whole date in
 * another year ("2018-06-01 14:51:00.000"): yesterday's 23:00 never reads as today's. Each shape has
 * one width, so right-aligned times line up.
 */
export function formatStamp(epochMs: number, nowMs: number): string {
  const absolute = formatAbsolute(epochMs);
  const date = stampDate(epochMs, nowMs);
  return date === "none" ? absolute.slice(11) : date === "day" ? absolute.slice(5) : absolute;
}

/** The most date a column of these times needs (`formatStamp` of the widest one). */
export function stampColumnDate(epochsMs: Iterable<number>, nowMs: number): StampDate {
  let widest: StampDate = "none";
  for (const ms of epochsMs) {
    const date = stampDate(ms, nowMs);
    if (date === "year") return "year";
    if (date === "day") widest = "day";
  }
  return widest;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** uPlot's shortest yearly tick increment (365 days, in seconds): such ticks are labelled by the year alone. */
const YEAR_SECONDS = 365 * 86_400;

/**
 * Labels for a time axis's ticks (unix seconds, `increment` seconds apart), in the 24-hour clock the
 * rest of the app writes: "14:03" (or "14:03:07", "14:03:07.5", "14:03:07.25" as the ticks get
 * closer: as many decimals as the increment needs), with the date on a second line at the first
 * tick and wherever the day changes ("Dec 3"); ticks a day or more apart are dates, and ticks a
 * year or more apart years ("2025"). When the ticks cross a year the year is said too: on the date
 * line ("Jan 1 2026"), or, for dates, on a second line at the first tick and wherever it changes.
 */
export function timeTickLabels(splits: readonly number[], increment: number): string[] {
  const yearOf = (seconds: number) => new Date(seconds * 1000).getFullYear();
  if (increment >= YEAR_SECONDS) return splits.map((seconds) => String(yearOf(seconds)));
  const first = splits[0];
  const last = splits[splits.length - 1];
  const crossesYear = first !== undefined && last !== undefined && yearOf(first) !== yearOf(last);
  let lastDay = "";
  let lastYear: number | null = null;
  // The fewest decimals of a second that every tick's time needs (0.5 s: 1; 0.25 s or 0.05 s: 2).
  let decimals = 0;
  while (decimals < 3 && Math.abs(increment * 10 ** decimals - Math.round(increment * 10 ** decimals)) > 1e-6) {
    decimals++;
  }
  const length = increment >= 60 ? 5 : decimals === 0 ? 8 : 9 + decimals;
  return splits.map((seconds) => {
    const d = new Date(seconds * 1000);
    const year = d.getFullYear();
    const day = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
    if (increment >= 86_400) {
      if (!crossesYear || year === lastYear) return day;
      lastYear = year;
      return `${day}\n${year}`;
    }
    const clock = formatClock(seconds * 1000).slice(0, length);
    const date = crossesYear ? `${day} ${year}` : day;
    if (`${date} ${year}` === lastDay) return clock;
    lastDay = `${date} ${year}`;
    return `${clock}\n${date}`;
  });
}

/**
 * Text order without the locale's collation (whose first use loads its data, tens of milliseconds on
 * the way to a page's first render): letters whatever their case, then by code unit.
 */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 0.0345 → "3.5%"; exact 0 and 1 print without decimals. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return "–";
  if (ratio === 0) return "0%";
  if (ratio === 1) return "100%";
  const pct = ratio * 100;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** Shortens an id for display: the first 8 hex digits identify a trace among local ones. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

const DURATION_UNITS: Record<string, number> = { "": 1, ms: 1, s: 1000, m: 60_000, us: 0.001, µs: 0.001 };

/**
 * A duration typed by a person → milliseconds: "250", "250ms", "1.5s", "2m", "300µs".
 * Blank → undefined (no filter); anything else unreadable → null.
 */
export function parseDurationMs(text: string): number | undefined | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "") return undefined;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|us|µs)?$/.exec(trimmed);
  if (!match) return null;
  const value = Number(match[1]) * (DURATION_UNITS[match[2] ?? ""] as number);
  // Rounded to the nanosecond, so "1.005s" is 1005 ms and not 1004.9999999999999.
  return Number.isFinite(value) ? Math.round(value * 1e6) / 1e6 : null;
}

/**
 * Milliseconds as a person would type them back into a duration box, in the largest unit that
 * keeps them whole or short: 2000 → "2s", 1500 → "1.5s", 120000 → "2m", 250 → "250ms".
 * `parseDurationMs` reads every answer back to the same number.
 */
export function formatDurationInput(ms: number): string {
  const short = (n: number) => String(Math.round(n * 1e6) / 1e6);
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && Number.isInteger(Math.round(ms * 1e3) / 1e3)) return `${short(ms / 1000)}s`;
  if (ms > 0 && ms < 1) return `${short(ms * 1000)}µs`;
  return `${short(ms)}ms`;
}
