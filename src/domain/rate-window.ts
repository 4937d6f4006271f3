/** A time window as the APIs take it: unix nanoseconds, both ends inclusive, either end open. */
export interface RateWindow {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
}

/**
 * The seconds a rate over `window` is per, one rule for every page (Services, the map): the
 * window's length, where an open start is the first start of the data (`firstMs`, unix ms) and an
 * open end is now when the window has a start, else the last end of the data (`lastMs`). So a rate
 * over everything stored is per the time the data spans, and a rate over "the last 15 minutes" is
 * per those 15 minutes, idle ones included. At least one second; 1 when there is no data.
 */
export function rateSeconds(window: RateWindow, firstMs: number | null, lastMs: number | null, nowMs: number): number {
  return rateBasis(window, firstMs, lastMs, nowMs).seconds;
}

/** What a rate is per (see rateSeconds): the seconds, and the time they run from and to (unix ms; null without data). */
export interface RateBasis {
  seconds: number;
  fromMs: number | null;
  toMs: number | null;
}

/** rateSeconds with the time it measured: what a page says its rates are per. */
export function rateBasis(window: RateWindow, firstMs: number | null, lastMs: number | null, nowMs: number): RateBasis {
  const lowMs = window.sinceUnixNano !== undefined ? Number(window.sinceUnixNano) / 1e6 : firstMs;
  const highMs =
    window.untilUnixNano !== undefined
      ? Number(window.untilUnixNano) / 1e6
      : window.sinceUnixNano !== undefined
        ? nowMs
        : lastMs;
  if (lowMs === null || highMs === null || !Number.isFinite(highMs - lowMs)) {
    return { seconds: 1, fromMs: null, toMs: null };
  }
  return { seconds: Math.max((highMs - lowMs) / 1000, 1), fromMs: lowMs, toMs: highMs };
}
