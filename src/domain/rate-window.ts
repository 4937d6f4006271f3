/** A time window as the APIs take it: unix nanoseconds, both ends inclusive, either end open. */
export interface RateWindow {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
}

/** What a rate is per (see rateBasis): the seconds, and the time they run from and to (unix ms; null without data). */
export interface RateBasis {
  seconds: number;
  fromMs: number | null;
  toMs: number | null;
  /** Idle stretches between `fromMs` and `toMs` left out of `seconds` (see IDLE_GAP_MS). */
  idleSeconds: number;
}

/**
 * A stretch this long with no span starting or running is idle time: over everything stored, rates
 * leave it out. Without that one old trace (an imported file, yesterday's session in a `--db` file)
 * spread the requests of the last hour over days, and every rate read near zero; a gap this long
 * between requests of a running app is rare, and one request every few minutes still reads as that.
 */
export const IDLE_GAP_MS = 10 * 60_000;

/**
 * The idle time between the stretches of data `runs` (first start and last end of each, unix ms, in
 * any order): the gaps of IDLE_GAP_MS or more between what one stretch reaches and the next begins.
 */
export function idleMsBetween(runs: readonly { firstMs: number; lastMs: number }[]): number {
  const sorted = [...runs].sort((a, b) => a.firstMs - b.firstMs);
  let idle = 0;
  let reached = Number.NaN;
  for (const run of sorted) {
    if (run.firstMs - reached >= IDLE_GAP_MS) idle += run.firstMs - reached;
    if (!(run.lastMs <= reached)) reached = run.lastMs;
  }
  return idle;
}

/**
 * What a rate over `window` is per, one rule for every page (Services, the map): the window's
 * length, where an open start is the first start of the data (`firstMs`, unix ms) and an open end is
 * now when the window has a start, else the last end of the data (`lastMs`). Over a window with an
 * open start `idleMs` (idleMsBetween over the data) is left out: a rate over everything stored is per
 * the time the data spans without its idle stretches, and a rate over "the last 15 minutes" is per
 * those 15 minutes, idle ones included. At least one second; 1 when there is no data.
 */
export function rateBasis(
  window: RateWindow,
  firstMs: number | null,
  lastMs: number | null,
  nowMs: number,
  idleMs = 0,
): RateBasis {
  const lowMs = window.sinceUnixNano !== undefined ? Number(window.sinceUnixNano) / 1e6 : firstMs;
  const highMs =
    window.untilUnixNano !== undefined
      ? Number(window.untilUnixNano) / 1e6
      : window.sinceUnixNano !== undefined
        ? nowMs
        : lastMs;
  if (lowMs === null || highMs === null || !Number.isFinite(highMs - lowMs)) {
    return { seconds: 1, fromMs: null, toMs: null, idleSeconds: 0 };
  }
  const idle = window.sinceUnixNano === undefined && idleMs < highMs - lowMs ? idleMs : 0;
  return {
    seconds: Math.max((highMs - lowMs - idle) / 1000, 1),
    fromMs: lowMs,
    toMs: highMs,
    idleSeconds: idle / 1000,
  };
}

const NS_PER_MINUTE = 60_000_000_000n;

/**
 * `window` widened to the whole minutes its ends fall in: the spans the Services page's statistics
 * count for it (they keep spans by the minute they started in), so the service map, counting spans
 * over this, counts the same ones.
 */
export function wholeMinutesOf(window: RateWindow): RateWindow {
  const out: RateWindow = {};
  if (window.sinceUnixNano !== undefined) out.sinceUnixNano = floorToMinute(window.sinceUnixNano);
  if (window.untilUnixNano !== undefined) out.untilUnixNano = floorToMinute(window.untilUnixNano) + NS_PER_MINUTE - 1n;
  return out;
}

function floorToMinute(ns: bigint): bigint {
  const rest = ns % NS_PER_MINUTE;
  return rest < 0n ? ns - rest - NS_PER_MINUTE : ns - rest;
}
