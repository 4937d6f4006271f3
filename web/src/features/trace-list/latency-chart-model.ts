/**
 * The latency scatter above the trace list, as pure functions: which traces it shows (the newest
 * MAX_POINTS that match the list's filters), uPlot's arrays, the point under the pointer, and what a
 * brushed rectangle means as filters.
 */
import type { TraceSummaryJson } from "../../../../src/protocol";
import { formatDuration, isUnsetTime } from "../../lib/format";
import { compareDecimal, type ListFilters } from "../../state/trace-list-model";

/** The most traces the chart draws: the newest ones (the chart says so when there are more). */
export const MAX_POINTS = 2_000;
/** A duration's floor on the log scale (0 has no place on it). */
export const MIN_CHART_MS = 0.001;

export interface LatencyPoint {
  traceId: string;
  name: string;
  /** Exact start, for ordering. */
  startTimeUnixNano: string;
  /** Unix seconds (uPlot's time axis). */
  x: number;
  durationMs: number;
  failing: boolean;
}

export function pointOf(summary: TraceSummaryJson): LatencyPoint {
  const start = summary.startTimeUnixNano;
  // Milliseconds first: the nanosecond string is too long for a double.
  const ms = start.length > 6 ? Number(start.slice(0, -6)) + Number(start.slice(-6)) / 1e6 : Number(start) / 1e6;
  return {
    traceId: summary.traceId,
    name: summary.name,
    startTimeUnixNano: start,
    x: ms / 1000,
    durationMs: summary.durationMs,
    failing: summary.errorCount > 0,
  };
}

/** The traces the chart shows, by id; `capped` once more matched than it keeps. */
export class LatencyPoints {
  private byId = new Map<string, LatencyPoint>();
  /** Traces that match but have no start (every span's unset, 0): counted in the total, not drawn. */
  private unplaced = new Set<string>();
  capped = false;

  get size(): number {
    return this.byId.size + this.unplaced.size;
  }

  /** How many of the traces have no place on the time axis. */
  get unplacedCount(): number {
    return this.unplaced.size;
  }

  /** Adds or updates a trace's point; a trace with no start (every span's unset, 0) has no place on the time axis. */
  upsert(summary: TraceSummaryJson): void {
    if (isUnsetTime(summary.startTimeUnixNano)) {
      this.byId.delete(summary.traceId);
      this.unplaced.add(summary.traceId);
    } else {
      this.set(pointOf(summary));
    }
  }

  set(point: LatencyPoint): void {
    this.unplaced.delete(point.traceId);
    this.byId.set(point.traceId, point);
  }

  remove(traceId: string): void {
    this.byId.delete(traceId);
    this.unplaced.delete(traceId);
  }

  /** Holds what `other` holds instead of its own (a fresh load). */
  replaceWith(other: LatencyPoints): void {
    this.clear();
    for (const point of other.list()) this.set(point);
    for (const traceId of other.unplaced) this.unplaced.add(traceId);
  }

  clear(): void {
    this.byId.clear();
    this.unplaced.clear();
    this.capped = false;
  }

  /** The newest MAX_POINTS (or `max`) by start, oldest first (uPlot wants x ascending). */
  list(max = MAX_POINTS): LatencyPoint[] {
    const all = [...this.byId.values()].sort((a, b) => compareDecimal(a.startTimeUnixNano, b.startTimeUnixNano));
    if (all.length <= max) return all;
    this.capped = true;
    const kept = all.slice(all.length - max);
    this.byId = new Map(kept.map((p) => [p.traceId, p]));
    return kept;
  }
}

/** uPlot's aligned arrays: x (unix s), then durations of traces that succeeded and of those that failed. */
export function chartData(points: readonly LatencyPoint[]): [number[], (number | null)[], (number | null)[]] {
  const xs: number[] = [];
  const ok: (number | null)[] = [];
  const failed: (number | null)[] = [];
  for (const point of points) {
    const y = Math.max(MIN_CHART_MS, point.durationMs);
    xs.push(point.x);
    ok.push(point.failing ? null : y);
    failed.push(point.failing ? y : null);
  }
  return [xs, ok, failed];
}

/**
 * The time axis's range for data from `min` to `max` (unix s): a little room either side, so points
 * on the edges are whole, and a second around a single instant (or no data).
 */
export function timeRange(min: number | null, max: number | null): [number, number] {
  const low = min ?? 0;
  const high = max ?? low;
  const pad = Math.max(0.5, (high - low) * 0.02);
  return [low - pad, high + pad];
}

/**
 * The time axis's range for the chart's x values (unix s), from the values themselves. The chart's
 * scale asks with them rather than with the min and max uPlot hands its range function: for a single
 * point on a time scale uPlot makes that max the point plus 86,400 of the axis's units (1,000 days in
 * seconds), and the axis spanned three years.
 */
export function dataTimeRange(xs: ArrayLike<number | null | undefined>): [number, number] {
  let min: number | null = null;
  let max: number | null = null;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== "number" || !Number.isFinite(x)) continue;
    if (min === null || x < min) min = x;
    if (max === null || x > max) max = x;
  }
  return timeRange(min, max);
}

/** At most this share of the traces is left off the time axis as outliers. */
export const MAX_OUTLIER_SHARE = 0.25;
/** A gap this many times wider than the rest of the traces' span sets the traces beyond it apart. */
export const OUTLIER_GAP_FACTOR = 4;
/**
 * Nor does a gap shorter than this (seconds): a pause of minutes between bursts of live traffic is
 * ordinary, and both bursts belong on the axis. An import of last week's traces is days away.
 */
export const MIN_OUTLIER_GAP_S = 3600;
/**
 * How far (seconds) past the page's clock a trace may start and still count as now: hosts' clocks
 * differ a little. Only traces beyond it (a clock far ahead) may leave the axis's newer end.
 */
export const FUTURE_SKEW_S = 60;

/**
 * Where the traces are dense on the time axis: the indices (inclusive) of the first and last of
 * `xs` (ascending unix seconds) that the axis covers, at `now` (unix seconds, the page's clock). A few
 * traces far from the others (one old trace beside today's, a clock far ahead) would stretch the axis
 * over years and squeeze every other trace into one column: those beyond a gap several times the
 * rest's span, and an hour at least, are left to the edges, at most a quarter of the traces, and at
 * least two stay on the axis. The axis always reaches the newest trace that has started by `now`
 * (give or take FUTURE_SKEW_S): the newest traffic is what a user watching live is looking for, however
 * long the pause before it. Only traces stamped later than that leave the newer end.
 */
export function denseSpan(xs: readonly number[], now: number): { first: number; last: number } {
  let first = 0;
  let last = xs.length - 1;
  const maxOutside = Math.floor(xs.length * MAX_OUTLIER_SHARE);
  const at = (i: number) => xs[i] as number;
  const qualifies = (gap: number, rest: number) =>
    gap > Math.max(MIN_OUTLIER_GAP_S, OUTLIER_GAP_FACTOR * Math.max(1, rest));
  for (let changed = true; changed; ) {
    changed = false;
    const room = maxOutside - (first + (xs.length - 1 - last));
    // The widest gap that sets apart a group at the start, then one at the end.
    let cut = -1;
    let widest = 0;
    for (let i = first + 1; i <= first + room && i < last; i++) {
      const gap = at(i) - at(i - 1);
      if (gap > widest && qualifies(gap, at(last) - at(i))) [cut, widest] = [i, gap];
    }
    if (cut >= 0) {
      first = cut;
      changed = true;
      continue;
    }
    // Only traces from the future: the group set apart must start after now.
    for (let i = last - 1; i >= last - room && i > first && at(i + 1) > now + FUTURE_SKEW_S; i--) {
      const gap = at(i + 1) - at(i);
      if (gap > widest && qualifies(gap, at(i) - at(first))) [cut, widest] = [i, gap];
    }
    if (cut >= 0) {
      last = cut;
      changed = true;
    }
  }
  return { first, last };
}

/** The chart's traces split by where they go: on the time axis, or off its start or end. */
export interface FocusedPoints {
  shown: LatencyPoint[];
  before: LatencyPoint[];
  after: LatencyPoint[];
}

/** Splits the points (ascending by start) at their dense span at `now` (unix seconds; see denseSpan). */
export function focusPoints(points: readonly LatencyPoint[], now: number): FocusedPoints {
  const { first, last } = denseSpan(
    points.map((p) => p.x),
    now,
  );
  return { shown: points.slice(first, last + 1), before: points.slice(0, first), after: points.slice(last + 1) };
}

/** The filters that list only `points` (the ones off an edge): their time window, any duration. */
export function windowFilters(
  points: readonly LatencyPoint[],
): Pick<ListFilters, "since" | "until" | "brushMinMs" | "maxDurationMs"> {
  const xs = points.map((p) => p.x);
  // The Min box's minimum stays: those points meet it (the chart holds only traces that do).
  return { ...timeFilters(Math.min(...xs), Math.max(...xs)), brushMinMs: undefined, maxDurationMs: undefined };
}

/** A time window of the chart (unix seconds) as the list's `since`/`until`: whole milliseconds that cover it. */
function timeFilters(from: number, to: number): Pick<ListFilters, "since" | "until"> {
  return { since: Math.max(0, Math.floor(from * 1000)), until: Math.max(0, Math.ceil(to * 1000)) };
}

/**
 * The duration axis's range for durations from `min` to `max` (ms; null without data): the data with
 * a tenth of its spread (on the log scale, at least ×1.25) either side, so points on the edges stay
 * whole. Not widened to whole powers of ten, as uPlot's log scale would: traces from 153 to 159 ms
 * would sit in a thin line at the foot of a 100 ms – 1 s axis, and a brushed selection could not be
 * shown on its own to be brushed again.
 */
export function durationRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !(min > 0) || !(max >= min)) return [1, 1000];
  const pad = Math.max(Math.log10(1.25), Math.log10(max / min) * 0.1);
  return [Math.max(MIN_CHART_MS / 2, 10 ** (Math.log10(min) - pad)), 10 ** (Math.log10(max) + pad)];
}

/** A round step near `raw`: 1, 2 or 5 times a power of ten. */
function roundStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled < 1.5 ? 1 : scaled < 3.5 ? 2 : scaled < 7.5 ? 5 : 10) * power;
}

/**
 * Ticks for the log duration axis: each power of ten in range, and 2× and 5× when there are few; on a
 * range too narrow for two of those (120–200 ms), evenly spaced round values (140, 160, 180 ms). At
 * most `most` of them (as many as the axis has room to label): every second or third, powers of ten
 * kept where they can be.
 */
export function durationTicks(min: number, max: number, most = Number.POSITIVE_INFINITY): number[] {
  const ticks = allDurationTicks(min, max);
  if (ticks.length <= most) return ticks;
  const every = Math.ceil(ticks.length / Math.max(1, most));
  const isPower = (tick: number) => Number.isInteger(Math.log10(tick));
  let best: number[] = [];
  let bestPowers = -1;
  for (let offset = 0; offset < every; offset++) {
    const kept = ticks.filter((_, i) => i % every === offset);
    const powers = kept.filter(isPower).length;
    if (powers > bestPowers || (powers === bestPowers && kept.length > best.length)) {
      best = kept;
      bestPowers = powers;
    }
  }
  return best;
}

function allDurationTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const steps = Math.log10(max / min) < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = low; e <= high; e++) {
    for (const step of steps) {
      const tick = Number((step * 10 ** e).toPrecision(1));
      if (tick >= min && tick <= max) ticks.push(tick);
    }
  }
  if (ticks.length >= 2 || max === min) return ticks;
  const step = roundStep((max - min) / 3);
  const even: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max; tick += step) even.push(Number(tick.toPrecision(12)));
  return even;
}

/**
 * Labels for the duration axis's ticks. uPlot hands a log axis's ticks it leaves unlabelled (for room)
 * as null: those get no label, rather than the "–" a missing duration reads as.
 */
export function durationTickLabels(ticks: readonly (number | null)[]): string[] {
  return ticks.map((ms) => (ms === null || ms === undefined ? "" : formatDuration(ms)));
}

/**
 * The point nearest to the pointer within `radius` pixels, or null. `toPx` places a point in the
 * same pixels as the pointer (the chart's scales).
 */
export function nearestPoint(
  points: readonly LatencyPoint[],
  pointer: { left: number; top: number },
  toPx: (point: LatencyPoint) => { left: number; top: number },
  radius = 8,
): LatencyPoint | null {
  let best: LatencyPoint | null = null;
  let bestDistance = radius * radius;
  for (const point of points) {
    const at = toPx(point);
    const dx = at.left - pointer.left;
    const dy = at.top - pointer.top;
    const distance = dx * dx + dy * dy;
    if (distance <= bestDistance) {
      best = point;
      bestDistance = distance;
    }
  }
  return best;
}

/** Rounds a duration bound outward to 3 significant digits, so the URL reads well and keeps the edge points. */
function roundOut(ms: number, direction: "down" | "up"): number {
  if (ms <= 0) return 0;
  const step = 10 ** (Math.floor(Math.log10(ms)) - 2);
  const n = direction === "down" ? Math.floor(ms / step) * step : Math.ceil(ms / step) * step;
  return Number(n.toPrecision(3));
}

/**
 * The filters a brushed rectangle sets: its time range (unix seconds, as drawn) as `since`/`until`
 * in whole milliseconds, and its duration range as `brushMinMs`/`maxDurationMs`, both widened to
 * include the points on the edges (the Min box's `minDurationMs` is left as typed: see effectiveMinMs).
 */
export function brushFilters(
  x: [from: number, to: number],
  durationMs: [low: number, high: number],
): Pick<ListFilters, "since" | "until" | "brushMinMs" | "maxDurationMs"> {
  const [from, to] = x[0] <= x[1] ? x : [x[1], x[0]];
  const [low, high] = durationMs[0] <= durationMs[1] ? durationMs : [durationMs[1], durationMs[0]];
  const min = low <= MIN_CHART_MS ? undefined : roundOut(low, "down");
  return {
    ...timeFilters(from, to),
    brushMinMs: min === 0 ? undefined : min,
    maxDurationMs: roundOut(high, "up"),
  };
}

/** The filters a selection the chart made sets, each cleared: the list without it. */
export const NO_SELECTION: Pick<ListFilters, "since" | "until" | "brushMinMs" | "maxDurationMs"> = Object.freeze({
  since: undefined,
  until: undefined,
  brushMinMs: undefined,
  maxDurationMs: undefined,
});

/** Whether the filters hold a selection the chart made (a time window or a duration range). */
export function hasSelection(filters: ListFilters): boolean {
  return (
    filters.since !== undefined ||
    filters.until !== undefined ||
    filters.maxDurationMs !== undefined ||
    filters.brushMinMs !== undefined
  );
}
