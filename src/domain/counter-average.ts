/**
 * A counter's average rate over a window, one rule for every reader of GET /api/metrics/:name (the
 * Metrics page's Average, the MCP get_metric tool's avg): what it grew by, divided by the time that
 * growth was counted over. Pure; shapes are structural so the web app and the server share it.
 */

/** The parts of a rate series (the API's MetricSeriesJson) the average reads. */
export interface CountedSeries {
  /** What the series grew by in each step (null = no data). */
  increases?: readonly (number | null)[];
  /**
   * From the window's start, or when the series began counting if later, to its newest point (unix ms);
   * for a delta counter, to its app's newest point (it sends nothing for an interval it recorded nothing in).
   */
  counted?: { fromUnixMs: number; toUnixMs: number };
}

/** The window the API answered for (unix ms), and its step. */
export interface CountedWindow {
  fromUnixMs: number;
  toUnixMs: number;
  stepMs: number;
}

/**
 * The seconds the series' increases were counted over together: from the earliest `counted` start to
 * the latest end. A counter younger than the window has its increase over its own life, not over the
 * whole window (23 messages in its first 25 s read 0.92/s, not 0.19/s beside a latest 1/s). Increases
 * at an instant (no interval to them) are read per step, as the chart reads them. null when no series says.
 */
export function countedSeconds(series: readonly CountedSeries[], stepMs: number): number | null {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    if (s.counted === undefined) continue;
    from = Math.min(from, s.counted.fromUnixMs);
    to = Math.max(to, s.counted.toUnixMs);
  }
  if (!(to >= from)) return null;
  return to > from ? (to - from) / 1000 : stepMs / 1000;
}

/** What the series grew by in the window together; null when no step of any has an increase (no point). */
export function totalIncrease(series: readonly CountedSeries[]): number | null {
  let total: number | null = null;
  for (const s of series)
    for (const v of s.increases ?? []) if (v !== null && Number.isFinite(v)) total = (total ?? 0) + v;
  return total;
}

/**
 * `increase` per second of the time `series` counted it over, or of the whole window when none says
 * (an older answer without `counted`).
 */
export function averageRate(increase: number, series: readonly CountedSeries[], window: CountedWindow): number {
  const windowSeconds = Math.max(0.001, (window.toUnixMs - window.fromUnixMs) / 1000);
  return increase / (countedSeconds(series, window.stepMs) ?? windowSeconds);
}
