/**
 * A metric's series over a window, in steps, grouped, with the aggregation its chart calls for:
 * "rate" spreads each increase over the interval it happened in and divides by the part of the step
 * those intervals cover;
 * "value" takes each series' last value in the step and adds them up in a group (sums: up-down
 * counters add up) or averages them (gauges), and for gauges the least and greatest value any point
 * of the group held in the step (a gauge that moves between exports hides its peaks in the last value); "distribution" merges the step's buckets (or samples)
 * and estimates p50/p95/p99, with a heatmap of all series; "quantiles" takes each series' last
 * quantiles in the step and averages them in a group.
 */
import { chartOf, type DistributionStat, type MetricChart, type QuantileValue } from "../domain/metric.js";
import {
  cloneDistribution,
  type Distribution,
  distributionCount,
  distributionExtremes,
  distributionLowerBounds,
  distributionMean,
  distributionQuantiles,
  type ExponentialDistribution,
  exponentialRow,
  exponentialRowBounds,
  heatmapRange,
  mergeDistribution,
  rebucket,
  sameBounds,
  samplesToExponential,
  scaleDistribution,
} from "../domain/metric-distribution.js";
import { nanosToMs } from "../domain/metric-reading.js";
import { ascending } from "../domain/order.js";
import type { Attributes, AttrValue } from "../domain/span.js";
import type { MetricRecord } from "./metric-collection.js";
import type { MetricSeries } from "./metric-series.js";
import { StepBuckets, stepBucketTotals } from "./metric-step-buckets.js";
import {
  MAX_QUERY_EXEMPLARS,
  MAX_QUERY_SERIES,
  type MetricExemplarResult,
  type MetricQuery,
  type MetricQueryResult,
  type MetricSeriesResult,
  type WindowPercentiles,
} from "./metric-store.js";
import type { Tier } from "./metric-tier.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const NICE_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];
/** A window that starts at young data (MetricQuery.startAtData) keeps at least this many of its steps' length. */
export const MIN_DATA_STEPS = 12;
/** Heatmap rows of an exponential histogram or samples. */
const HEATMAP_ROWS = 40;
const PERCENTILES = [0.5, 0.95, 0.99];
const PERCENTILE_KEYS = ["p50", "p95", "p99"] as const;

/** The smallest round step that cuts a window into at most ~`steps` steps. */
export function defaultStepMs(windowMs: number, steps = 120): number {
  const wanted = windowMs / steps;
  for (const step of NICE_STEPS) if (step >= wanted) return step;
  return Math.ceil(wanted / (24 * HOUR)) * 24 * HOUR;
}

/** An attribute value as text, for labels and `where`: strings as they are, anything else as JSON. */
export function attributeText(value: AttrValue | undefined): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? null);
}

function attributeOf(series: MetricSeries, key: string): AttrValue | undefined {
  return key === "service.name" ? series.service : series.attributes[key];
}

function labelOf(attributes: Attributes): string {
  return Object.keys(attributes)
    .sort()
    .map((k) => `${k}=${attributeText(attributes[k])}`)
    .join(", ");
}

/** The window cut into steps: [from, from + n·step). */
interface Steps {
  from: number;
  step: number;
  n: number;
  /**
   * The window's end (now, for a window ending now): the last step ends there or, on the clock's grid,
   * runs past it; a counter of instants is counted only until it (see addInstant).
   */
  until: number;
}

/**
 * `groupBy` that puts every selected series in one group: their rates add up, gauges average, and
 * distributions merge into one, whose p50, p95 and p99 are then drawn together.
 */
export const ALL_SERIES = "*";

function stepOf(s: Steps, t: number): number {
  const i = Math.floor((t - s.from) / s.step);
  return i >= 0 && i < s.n ? i : -1;
}

class Group {
  readonly series: MetricSeries[] = [];
  increase: Float64Array | null = null;
  covered: Uint8Array | null = null;
  /** Per step, the earliest start and latest end of the increase intervals in it (ms; NaN when none). */
  coveredFrom: Float64Array | null = null;
  coveredTo: Float64Array | null = null;
  /** When its series' counting began (the earliest MetricSeries.countedFromMs), and the latest end of an increase in the window. */
  countedFrom = Number.POSITIVE_INFINITY;
  countedTo = Number.NEGATIVE_INFINITY;
  /** The start of the earliest step holding an increase at an instant (a TraceKit SDK increment). */
  instantFrom = Number.POSITIVE_INFINITY;
  /**
   * For a TraceKit SDK counter, the start of the step of its series' first increment still kept: from
   * there on a step without a point had no increments, a rate of 0, not a gap (+Infinity when none is
   * before the window's end).
   */
  incrementsFrom = Number.POSITIVE_INFINITY;
  /** No series of another SDK is in the group: only then is a step without a point read as 0. */
  onlyTracekit = true;
  valueSum: Float64Array | null = null;
  valueCount: Float64Array | null = null;
  /** Gauges' "value": the least and greatest value any point of the group held in each step. */
  valueMin: Float64Array | null = null;
  valueMax: Float64Array | null = null;
  distributions: (Distribution | null)[] | null = null;
  /** Instead of `distributions`, when every series keeps explicit buckets in the same bounds. */
  buckets: StepBuckets | null = null;
  quantileSums = new Map<string, Float64Array>();
  quantileCounts: Float64Array | null = null;

  constructor(
    readonly label: string,
    readonly attributes: Attributes,
  ) {}
}

/**
 * The interval rollup e of `tier` stands for when it is wider than the steps, else null. A rollup holds
 * its interval's points together: read only in the one step its time falls in, steps finer than it
 * would hold data only every other step (10 s rollups in 5 s steps, 1-minute ones in 30 s steps), a
 * chart of dots and a heatmap of empty columns where nothing is missing. So each step of the interval
 * takes the rollup: the data at the resolution it is kept at. `finerFrom` is the
 * earliest time the finer tiers hold: the newest rollup holds only what came before it (the rest of
 * its interval is still in them), so it stands for its interval up to there.
 */
function rollupInterval(tier: Tier, e: number, s: Steps, finerFrom: number): [number, number] | null {
  const resolution = tier.spec.resolutionMs;
  if (!(resolution > s.step)) return null;
  const t = tier.time(e);
  const end = t + resolution;
  return [t, finerFrom > t && finerFrom < end ? finerFrom : end];
}

/** Per tier of `series`, the earliest time its finer tiers hold (+Infinity for the raw tier, or none). */
function finerFromOf(series: MetricSeries): number[] {
  const out: number[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  for (const tier of series.tiers) {
    out.push(earliest);
    // Raw entries are in arrival order (a late point may be older); a rollup's oldest is its first.
    const last = tier.spec.resolutionMs === 0 ? tier.end : Math.min(tier.end, tier.begin + 1);
    for (let e = tier.begin; e < last; e++) earliest = Math.min(earliest, tier.time(e));
  }
  return out;
}

/** Calls `visit` with each step of the window that rollup e of `tier` stands for (see rollupInterval). */
function rollupSteps(tier: Tier, e: number, s: Steps, finerFrom: number, visit: (i: number) => void): void {
  const interval = rollupInterval(tier, e, s, finerFrom);
  if (interval !== null) spreadOverSteps(interval[0], interval[1], s, visit);
}

/**
 * Each series' last value per step (by the value's own time). A step inside a rollup wider than the
 * steps without a value of its own takes the rollup's last value (see rollupInterval).
 */
function lastValues(
  series: MetricSeries,
  s: Steps,
  finerFrom: readonly number[],
  values: Float64Array,
  at: Float64Array,
): void {
  values.fill(Number.NaN);
  at.fill(Number.NEGATIVE_INFINITY);
  for (const [level, tier] of series.tiers.entries()) {
    if (tier.layout.value < 0) continue;
    for (let e = tier.begin; e < tier.end; e++) {
      const v = tier.value(e);
      const t = tier.valueAt(e);
      if (Number.isNaN(v)) continue;
      // Left at -Infinity: a point of the step's own, or the rollup's own step, takes its place.
      rollupSteps(tier, e, s, finerFrom[level] as number, (i) => {
        if (Number.isNaN(values[i] as number)) values[i] = v;
      });
      const i = stepOf(s, t);
      if (i >= 0 && t >= (at[i] as number)) {
        values[i] = v;
        at[i] = t;
      }
    }
  }
}

/**
 * A TraceKit SDK counter's running total in the steps without a point of its own: the SDK sends a
 * point per increment and nothing while the counter stands still, so the total stands from one
 * increment to the next, and through a window with none, from its first increment on.
 */
function holdTotals(series: MetricSeries, s: Steps, values: Float64Array): void {
  // The total as the window opens: the newest value before it, of whichever tier holds that.
  let total = Number.NaN;
  let totalAt = Number.NEGATIVE_INFINITY;
  for (const tier of series.tiers) {
    if (tier.layout.value < 0) continue;
    for (let e = tier.end - 1; e >= tier.begin; e--) {
      const t = tier.valueAt(e);
      if (t >= s.from) continue;
      const v = tier.value(e);
      if (t > totalAt && !Number.isNaN(v)) {
        total = v;
        totalAt = t;
      }
      break;
    }
  }
  for (let i = 0; i < s.n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) values[i] = total;
    else total = v;
  }
}

/**
 * Each entry's least and greatest value, in the step its last value is in (as lastValues places it),
 * and a rollup's in each step it stands for.
 */
function addExtremes(g: Group, series: MetricSeries, s: Steps, finerFrom: readonly number[]): void {
  g.valueMin ??= new Float64Array(s.n).fill(Number.POSITIVE_INFINITY);
  g.valueMax ??= new Float64Array(s.n).fill(Number.NEGATIVE_INFINITY);
  const lo = g.valueMin;
  const hi = g.valueMax;
  for (const [level, tier] of series.tiers.entries()) {
    if (tier.layout.extremes < 0) continue;
    for (let e = tier.begin; e < tier.end; e++) {
      const min = tier.valueMin(e);
      const max = tier.valueMax(e);
      const widen = (i: number) => {
        if (min < (lo[i] as number)) lo[i] = min;
        if (max > (hi[i] as number)) hi[i] = max;
      };
      rollupSteps(tier, e, s, finerFrom[level] as number, widen);
      const i = stepOf(s, tier.valueAt(e));
      if (i >= 0) widen(i);
    }
  }
}

/**
 * Adds an increase over [a, b] to the steps it overlaps; false when it falls outside the window.
 * `instants`: how many increments at instants from a to b it is of (a TraceKit SDK counter's entry;
 * rolled up, its interval runs only from its first increment to its last), or 0 for an increase over
 * the interval. Increments are placed at their instants, evenly apart (see spreadInstants), and each
 * step's share is read over the whole step as the increments themselves are; over the first-to-last
 * interval, a burst of 10 within half a second charted at 20/s once rolled up, and at 1/s in a 10 s
 * step before.
 */
function addIncrease(g: Group, increase: number, a: number, b: number, s: Steps, instants: number): boolean {
  const sums = g.increase as Float64Array;
  const covered = g.covered as Uint8Array;
  const coveredFrom = g.coveredFrom as Float64Array;
  const coveredTo = g.coveredTo as Float64Array;
  if (b <= a) {
    const i = stepOf(s, b);
    if (i >= 0) addInstant(g, increase, i, s);
    return i >= 0;
  }
  if (instants > 0) {
    let added = false;
    spreadInstants(a, b, instants, s, (i, share) => {
      addInstant(g, increase * share, i, s);
      added = true;
    });
    return added;
  }
  // Spread evenly over [a, b]: a counter point only says how much it grew in its interval.
  const first = Math.max(0, Math.floor((a - s.from) / s.step));
  const last = Math.min(s.n - 1, Math.floor((b - s.from) / s.step));
  let added = false;
  for (let i = first; i <= last; i++) {
    const start = s.from + i * s.step;
    const overlap = Math.min(b, start + s.step) - Math.max(a, start);
    if (overlap <= 0) continue;
    sums[i] = (sums[i] as number) + (increase * overlap) / (b - a);
    covered[i] = 1;
    const from = Math.max(a, start);
    const to = Math.min(b, start + s.step);
    if (!(from >= (coveredFrom[i] as number))) coveredFrom[i] = from;
    if (!(to <= (coveredTo[i] as number))) coveredTo[i] = to;
    if (to > g.countedTo) g.countedTo = to;
    added = true;
  }
  return added;
}

/**
 * A counter's points at each break in their chain (where a run of them is followed by no point, or by
 * one whose interval does not start where they end: the app stopped, and may have restarted in the
 * same series) that together cover less than the interval its points usually come at, and whose
 * increase read over that short time would be a faster rate than the interval before them had. An SDK
 * exports a last time on shutdown or forceFlush, a fraction of a second after the export before, and
 * that point holds what the app counted since: often a whole interval's increments (the last tick of
 * work before it stopped). Divided by that fraction of a second, the step it ends in read 2-3× the rate
 * the app had, and became the Latest and the max; and each earlier stop of an app restarted in a
 * watch-mode loop kept that spike in the chart and the window's max. A count sent every N seconds tells
 * no rate finer than that, so such a run's increase is read at the rate of the interval before: over
 * the time it took at that rate (at most the usual interval) from where the run began.
 *
 * Filled while the query reads the raw entries (`hold`): the entries shorter than the usual interval
 * are held back (only they can be in such a run) and added once all are known (`addTo`). Several
 * sources of one series (one service's apps on two hosts) may send points at the same times: each
 * entry is read in one run at most, and the others as they are. It allocates nothing but the list of
 * held entries: a query reads every series of a metric, and a jittery series holds about half its
 * raw entries (the usual interval is a median).
 */
class ShortRuns {
  /** The raw entries held back, in arrival order; one read in a run is kept as -1 - e. */
  private readonly held: number[] = [];

  private constructor(
    private readonly raw: Tier,
    private readonly usual: number,
  ) {}

  /** For an OpenTelemetry counter whose points come at a usual interval; null when none is known. */
  static of(series: MetricSeries): ShortRuns | null {
    const raw = series.tiers[0] as Tier;
    if (series.descriptor.tracekit || raw.layout.increase < 0) return null;
    const usual = series.pointIntervalMs();
    return usual > 0 ? new ShortRuns(raw, usual) : null;
  }

  /** Notes raw entry e (whose increase is a number); true when it is held back for `addTo`. */
  hold(e: number): boolean {
    const from = this.raw.increaseFrom(e);
    const to = this.raw.increaseTo(e);
    if (!(to > from && to - from < this.usual)) return false;
    this.held.push(e);
    return true;
  }

  /**
   * Adds the entries held back to g's steps: each short run that ends at a break as one increase, the
   * others as they are. False when none of them falls in the window.
   */
  addTo(g: Group, s: Steps): boolean {
    const raw = this.raw;
    const held = this.held;
    let inWindow = false;
    for (let k = 0; k < held.length; k++) {
      const last = held[k] as number;
      if (last < 0 || this.startingAt(raw.increaseTo(last), last) >= 0) continue;
      if (this.addRunEndingAt(last, g, s)) inWindow = true;
    }
    for (const e of held) {
      if (e >= 0 && addIncrease(g, raw.increase(e), raw.increaseFrom(e), raw.increaseTo(e), s, 0)) inWindow = true;
    }
    return inWindow;
  }

  /**
   * Back from entry `last` (a break), each entry not read in another run whose interval ends where the
   * one after it began (one source's points), while they cover less than the usual interval: the one
   * that does not is the interval before. Adds them to g as one increase when they would read faster
   * than it, and keeps them from being read again; false when they do not, or it is outside the window.
   */
  private addRunEndingAt(last: number, g: Group, s: Steps): boolean {
    const raw = this.raw;
    const to = raw.increaseTo(last);
    let entries = 0;
    let increase = 0;
    let from = to;
    let e = last;
    while (to - raw.increaseFrom(e) < this.usual) {
      entries++;
      increase += raw.increase(e);
      from = raw.increaseFrom(e);
      e = this.unclaimedEndingAt(from, e);
      if (e < 0) return false;
    }
    const span = to - from;
    if (entries === 0 || !(span > 0) || !(increase > 0)) return false;
    const before = raw.increase(e) / (raw.increaseTo(e) - raw.increaseFrom(e));
    // At the rate before (within rounding), as an export a little early in a live series is: as it is.
    if (!(increase / span > before * (1 + 1e-9))) return false;
    // The same walk again (nothing it looks at changed since), keeping each of its entries to this run.
    e = last;
    for (let n = 0; n < entries; n++) {
      const k = this.held.indexOf(e);
      this.held[k] = -1 - e;
      e = this.unclaimedEndingAt(raw.increaseFrom(e), e);
    }
    const took = before > 0 ? increase / before : Number.POSITIVE_INFINITY;
    const readTo = from + Math.min(this.usual, took);
    const countedTo = g.countedTo;
    const added = addIncrease(g, increase, from, readTo, s, 0);
    // Counted until its last point: the time past it is how the rate is read, not time it counted.
    if (readTo > to) g.countedTo = Math.max(countedTo, Math.min(g.countedTo, to));
    return added;
  }

  /**
   * A raw entry with an increase whose interval starts at `at`, or -1; looked for after entry `near` first
   * (arrival order: the same source's next point is usually the next entry or close).
   */
  private startingAt(at: number, near: number): number {
    const raw = this.raw;
    for (let i = 1; i < raw.size; i++) {
      const e = near + i < raw.end ? near + i : near + i - raw.size;
      if (raw.increaseFrom(e) === at && !Number.isNaN(raw.increase(e))) return e;
    }
    return -1;
  }

  /** The raw entry nearest before `near` by arrival, not read in a run, whose interval ends at `at`; -1 if none. */
  private unclaimedEndingAt(at: number, near: number): number {
    const raw = this.raw;
    for (let i = 1; i < raw.size; i++) {
      const e = near - i >= raw.begin ? near - i : near - i + raw.size;
      if (raw.increaseTo(e) !== at || !(raw.increaseFrom(e) < at) || Number.isNaN(raw.increase(e))) continue;
      if (!this.held.includes(-1 - e)) return e;
    }
    return -1;
  }
}

/**
 * Until when (unix ms) an OpenTelemetry delta counter is known to have recorded nothing after its last
 * point, or -Infinity. An OpenTelemetry SDK exporting with delta temporality sends no point for a counter
 * that recorded nothing in the interval (a cumulative one sends its unchanged total), so the time after
 * the last point is 0 while the app that sent it is still alive: while the same resource (the same
 * service instance) exported points of other metrics after it. Without such points the app may have
 * stopped, and that time stays unknown.
 */
function quietUntil(series: MetricSeries, resourceSeenMs: ResourceSeen): number {
  const d = series.descriptor;
  if (d.tracekit || d.temporality !== "delta" || d.monotonic !== true || series.resource === null)
    return Number.NEGATIVE_INFINITY;
  return resourceSeenMs(series.resource);
}

/** The time of the newest point a resource (a point source) sent, of any metric; -Infinity when unknown. */
export type ResourceSeen = (resource: number) => number;

const NO_RESOURCES: ResourceSeen = () => Number.NEGATIVE_INFINITY;

/** Adds an increase at an instant to step i. */
function addInstant(g: Group, increase: number, i: number, s: Steps): void {
  const sums = g.increase as Float64Array;
  const covered = g.covered as Uint8Array;
  sums[i] = (sums[i] as number) + increase;
  covered[i] = 1;
  // Read per step, as the chart reads it, and counted until the window's end: a counter of
  // instants sends nothing while it stands still (10 requests in a burst and none since are
  // 10 over the time since the burst's step, not over the half second between the first and last).
  const start = s.from + i * s.step;
  if (start < g.instantFrom) g.instantFrom = start;
  if (s.until > g.countedTo) g.countedTo = s.until;
}

/** The step a distribution of an entry at `t` (interval `resolution` wide) goes to, or -1. */
function distributionStep(t: number, resolution: number, s: Steps): number {
  // A rollup's distribution goes to the step holding the middle of its interval, or to the window's
  // first or last step when its interval overlaps the window but its middle does not.
  const end = s.from + s.n * s.step;
  if (t >= end || (resolution === 0 ? t < s.from : t + resolution <= s.from)) return -1;
  return stepOf(s, Math.min(Math.max(t + resolution / 2, s.from), end - 1));
}

/**
 * Calls `add` with each step that [from, to] overlaps and the share of the interval in it: a
 * distribution recorded over that interval (a cumulative histogram's first point, which holds every
 * value since its start) spread evenly over it, as a counter's increase is, and clipped to the window.
 */
function spreadOverSteps(from: number, to: number, s: Steps, add: (i: number, share: number) => void): void {
  const first = Math.max(0, Math.floor((from - s.from) / s.step));
  const last = Math.min(s.n - 1, Math.floor((to - s.from) / s.step));
  for (let i = first; i <= last; i++) {
    const start = s.from + i * s.step;
    const overlap = Math.min(to, start + s.step) - Math.max(from, start);
    if (overlap > 0) add(i, overlap / (to - from));
  }
}

/**
 * Calls `add` with each step that holds some of `count` instants evenly apart from `from` to `to` (both
 * included) and their share of the count, clipped to the window: a rollup of a TraceKit counter's
 * increments keeps only its first and last instants and how many there were, and where they came
 * evenly (a burst: 10 requests 50 ms apart) steps shorter than the burst read as the increments
 * themselves did (5 in each quarter second, not 5.6 and 4.4 of an even spread over the 0.45 s).
 */
function spreadInstants(
  from: number,
  to: number,
  count: number,
  s: Steps,
  add: (i: number, share: number) => void,
): void {
  if (!(count >= 2)) {
    spreadOverSteps(from, to, s, add);
    return;
  }
  const gap = (to - from) / (count - 1);
  // How many of the instants come before time t (one at t is in the step that begins there).
  const before = (t: number) => Math.min(count, Math.max(0, Math.ceil((t - from) / gap - 1e-9)));
  const first = Math.max(0, Math.floor((from - s.from) / s.step));
  const last = Math.min(s.n - 1, Math.floor((to - s.from) / s.step));
  for (let i = first; i <= last; i++) {
    const start = s.from + i * s.step;
    const inStep = before(start + s.step) - before(start);
    if (inStep > 0) add(i, inStep / count);
  }
}

/**
 * The interval over which entry e of `tier` recorded its distribution when it is to be spread over the
 * steps it covers, or null when it goes whole to one step (distributionStep): a raw entry recorded
 * over [start time, time] (a cumulative histogram's first point), or a rollup wider than the steps
 * (see rollupInterval), each step its share, as a counter's rollup is read.
 */
function spreadInterval(tier: Tier, e: number, s: Steps, finerFrom: number): [number, number] | null {
  const t = tier.time(e);
  const from = tier.distributionFrom(e);
  return from < t ? [from, t] : rollupInterval(tier, e, s, finerFrom);
}

function addBuckets(buckets: StepBuckets, series: MetricSeries, s: Steps, finerFrom: readonly number[]): void {
  for (const [level, tier] of series.tiers.entries()) {
    if (tier.counts === null) continue;
    for (let e = tier.begin; e < tier.end; e++) {
      const t = tier.time(e);
      const spread = spreadInterval(tier, e, s, finerFrom[level] as number);
      if (spread !== null) {
        spreadOverSteps(spread[0], spread[1], s, (i, share) => buckets.add(i, tier, e, share));
        continue;
      }
      const i = distributionStep(t, tier.spec.resolutionMs, s);
      if (i >= 0) buckets.add(i, tier, e);
    }
  }
}

function addDistributions(g: Group, series: MetricSeries, s: Steps, finerFrom: readonly number[]): void {
  const dists = g.distributions as (Distribution | null)[];
  for (const [level, tier] of series.tiers.entries()) {
    if (tier.counts === null && tier.distributions === null) continue;
    for (let e = tier.begin; e < tier.end; e++) {
      const t = tier.time(e);
      const spread = spreadInterval(tier, e, s, finerFrom[level] as number);
      const whole = spread === null ? null : tier.distributionAt(e, series.bounds);
      // A rollup of samples (a TraceKit SDK gauge's values) is values, not counts: no share of it can be
      // taken, and each step it stands for would get all of them. It goes whole to one step, as counts
      // that cannot be spread do.
      if (spread !== null && whole !== null && whole.type !== "samples") {
        // Each step's share is scaled in place: the first takes the copy at hand, the others copies of their own.
        let own: Distribution | null = whole;
        spreadOverSteps(spread[0], spread[1], s, (i, share) => {
          const d = own ?? tier.distributionAt(e, series.bounds);
          own = null;
          if (d === null) return;
          const part = scaleDistribution(d, share);
          const current = dists[i] ?? null;
          dists[i] = current === null ? part : mergeDistribution(current, part);
        });
        continue;
      }
      if (spread !== null && whole === null) continue;
      const i = distributionStep(t, tier.spec.resolutionMs, s);
      if (i < 0) continue;
      dists[i] = tier.addDistributionTo(e, dists[i] ?? null, series.bounds);
    }
  }
}

function addQuantiles(g: Group, series: MetricSeries, s: Steps, finerFrom: readonly number[]): void {
  const last: (readonly QuantileValue[] | null)[] = new Array(s.n).fill(null);
  const lastAt = new Float64Array(s.n).fill(Number.NEGATIVE_INFINITY);
  for (const [level, tier] of series.tiers.entries()) {
    if (tier.quantiles === null) continue;
    for (let e = tier.begin; e < tier.end; e++) {
      const q = tier.quantilesOf(e);
      const t = tier.quantilesAt(e);
      if (q === null) continue;
      // As lastValues: the steps a rollup stands for without quantiles of their own take its last.
      rollupSteps(tier, e, s, finerFrom[level] as number, (k) => {
        last[k] ??= q;
      });
      const i = stepOf(s, t);
      if (i >= 0 && t >= (lastAt[i] as number)) {
        last[i] = q;
        lastAt[i] = t;
      }
    }
  }
  g.quantileCounts ??= new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const quantiles = last[i];
    if (quantiles === null || quantiles === undefined) continue;
    g.quantileCounts[i] = (g.quantileCounts[i] as number) + 1;
    for (const q of quantiles) {
      const key = String(q.quantile);
      let sums = g.quantileSums.get(key);
      if (sums === undefined) {
        sums = new Float64Array(s.n);
        g.quantileSums.set(key, sums);
      }
      sums[i] = (sums[i] as number) + q.value;
    }
  }
}

function orNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function collect(g: Group, chart: MetricChart, s: Steps, extremes: boolean, resourceSeenMs: ResourceSeen): void {
  const values = new Float64Array(s.n);
  const at = new Float64Array(s.n);
  if (chart === "distribution") {
    const bounds = StepBuckets.sharedBounds(g.series);
    if (bounds !== null) g.buckets = new StepBuckets(bounds, s.n);
    else g.distributions = new Array(s.n).fill(null);
  }
  for (const series of g.series) {
    // Where each tier's rollups end (see rollupInterval), for every reader of this series but the rate's.
    const finerFrom = chart === "rate" ? [] : finerFromOf(series);
    if (chart === "value" || chart === "quantiles") {
      lastValues(series, s, finerFrom, values, at);
      if (chart === "value" && series.descriptor.tracekit && series.descriptor.kind === "sum")
        holdTotals(series, s, values);
      g.valueSum ??= new Float64Array(s.n);
      g.valueCount ??= new Float64Array(s.n);
      for (let i = 0; i < s.n; i++) {
        const v = values[i] as number;
        if (Number.isNaN(v)) continue;
        g.valueSum[i] = (g.valueSum[i] as number) + v;
        g.valueCount[i] = (g.valueCount[i] as number) + 1;
      }
      if (extremes) addExtremes(g, series, s, finerFrom);
    }
    if (chart === "quantiles") addQuantiles(g, series, s, finerFrom);
    if (chart === "rate") {
      g.increase ??= new Float64Array(s.n);
      g.covered ??= new Uint8Array(s.n);
      g.coveredFrom ??= new Float64Array(s.n).fill(Number.NaN);
      g.coveredTo ??= new Float64Array(s.n).fill(Number.NaN);
      let inWindow = false;
      const tracekit = series.descriptor.tracekit;
      const short = ShortRuns.of(series);
      for (const tier of series.tiers) {
        if (tier.layout.increase < 0) continue;
        const raw = tier === series.tiers[0];
        for (let e = tier.begin; e < tier.end; e++) {
          const v = tier.increase(e);
          if (Number.isNaN(v) || (raw && short?.hold(e) === true)) continue;
          const instants = tracekit ? tier.points(e) : 0;
          if (addIncrease(g, v, tier.increaseFrom(e), tier.increaseTo(e), s, instants)) inWindow = true;
        }
      }
      if (short?.addTo(g, s) === true) inWindow = true;
      // Quiet after its last point while its app went on exporting: an increase of 0 up to the
      // resource's newest point (within the window), so the steps it reaches read 0/s and the average counts it.
      const quiet = Math.min(quietUntil(series, resourceSeenMs), s.from + s.n * s.step);
      const idleFrom = Math.max(series.lastMs, s.from);
      if (quiet > idleFrom && addIncrease(g, 0, idleFrom, quiet, s, 0)) inWindow = true;
      // A series that stopped before the window says nothing of when the group's counting in it began.
      if (inWindow && series.countedFromMs < g.countedFrom) g.countedFrom = series.countedFromMs;
      // A TraceKit SDK counter's increments are instants, also once rolled up (where an entry's interval
      // runs only from its first increment to its last): counted from the step of its first. To the
      // window's end: every one of its increases in the window went through addInstant, which says so.
      const first = s.from + Math.floor((series.countedFromMs - s.from) / s.step) * s.step;
      if (inWindow && tracekit && first < g.instantFrom) g.instantFrom = first;
      // Its steps without a point read 0 from its first increment on, also in a window it has no point
      // in (one before it and one after: it stood still in between), as long as that increment is before
      // the window's end. Not in a group with an OpenTelemetry series that has points in the window: a
      // step without its point is no data (one that stopped before the window says nothing of it).
      if (!tracekit) {
        if (inWindow) g.onlyTracekit = false;
      } else if (series.countedFromMs < s.from + s.n * s.step && first < g.incrementsFrom) g.incrementsFrom = first;
    }
    if (chart === "distribution") {
      if (g.buckets !== null) addBuckets(g.buckets, series, s, finerFrom);
      else addDistributions(g, series, s, finerFrom);
    }
  }
}

function seriesResult(
  g: Group,
  chart: MetricChart,
  sumValues: boolean,
  s: Steps,
  stat: DistributionStat | null,
): MetricSeriesResult {
  const out: MetricSeriesResult = { label: g.label, attributes: g.attributes, values: [] };
  const stepSeconds = s.step / 1000;
  if (chart === "rate") {
    const increase = g.increase as Float64Array;
    const covered = g.covered as Uint8Array;
    const from = g.coveredFrom as Float64Array;
    const to = g.coveredTo as Float64Array;
    // Per second of the part of the step the increases' intervals cover: a step the data reaches only
    // partly (where the series starts, stops, or the newest step, still under way) divided by the
    // whole step read a steady 1/s as 0.3/s. Increases at an instant (no interval) are of the whole step.
    // A TraceKit SDK counter sends a point per increment and nothing while it stands still: a step
    // in its life without one had no increments (0/s), which its average already counts (see
    // `counted`), so the steps' min and latest read alike with it instead of skipping the quiet steps.
    // An OpenTelemetry counter exports while it stands still too: a step without a point is no data.
    const quiet = (i: number) => g.onlyTracekit && s.from + i * s.step >= g.incrementsFrom;
    out.values = Array.from(increase, (v, i) => {
      if (covered[i] !== 1) return quiet(i) ? 0 : null;
      const span = (to[i] as number) - (from[i] as number);
      return span > 0 ? v / (span / 1000) : v / stepSeconds;
    });
    // What the rate stands for: the increase itself (a rate × the step is not it where the data
    // covers the step only partly).
    out.increases = Array.from(increase, (v, i) => (covered[i] === 1 ? v : quiet(i) ? 0 : null));
    // The time those increases were counted over, for an average over the window: from its start, or
    // from when the counting began when later (a counter younger than the window; its first increase
    // runs from its start time, before its first point), to the newest point (to the window's end for
    // increases at an instant; see addIncrease).
    if (Number.isFinite(g.countedTo)) {
      const began = Math.min(g.countedFrom, g.instantFrom);
      const countedFrom = Math.min(Math.max(s.from, began), g.countedTo);
      out.counted = { fromUnixMs: countedFrom, toUnixMs: g.countedTo };
    }
  } else if (chart === "distribution") {
    distributionLines(g, s, out, stat);
  } else {
    const sum = g.valueSum as Float64Array;
    const count = g.valueCount as Float64Array;
    out.values = Array.from(sum, (v, i) => {
      const c = count[i] as number;
      return c === 0 ? null : orNull(sumValues ? v : v / c);
    });
    if (g.valueMin !== null && g.valueMax !== null) bandOf(g.valueMin, g.valueMax, out);
    if (chart === "quantiles") {
      out.quantiles = {};
      const counts = g.quantileCounts as Float64Array;
      const keys = [...g.quantileSums.keys()].sort((a, b) => Number(a) - Number(b));
      for (const key of keys) {
        const sums = g.quantileSums.get(key) as Float64Array;
        out.quantiles[key] = Array.from(sums, (v, i) =>
          (counts[i] as number) === 0 ? null : orNull(v / (counts[i] as number)),
        );
      }
    }
  }
  return out;
}

/**
 * A gauge group's least and greatest value per step, beside its values: only when some step held more
 * than its value says (one point per step, the usual OpenTelemetry export, adds nothing to the answer).
 */
function bandOf(lo: Float64Array, hi: Float64Array, out: MetricSeriesResult): void {
  let wider = false;
  const min = Array.from(lo, (v, i) => {
    const value = out.values[i] ?? null;
    if (value === null || !Number.isFinite(v)) return null;
    if (v !== value || hi[i] !== value) wider = true;
    return v;
  });
  if (!wider) return;
  out.min = min;
  out.max = Array.from(hi, (v, i) => (min[i] === null || !Number.isFinite(v) ? null : v));
}

/**
 * A distribution group's lines: mean, count and percentiles per step (null where the step has no
 * values); with `stat`, of the percentiles only that one (none for the mean).
 */
function distributionLines(g: Group, s: Steps, out: MetricSeriesResult, stat: DistributionStat | null): void {
  const values: (number | null)[] = new Array(s.n).fill(null);
  const counts: (number | null)[] = new Array(s.n).fill(null);
  const keys = stat === null ? PERCENTILE_KEYS : PERCENTILE_KEYS.filter((key) => key === stat);
  const percentiles = keys.map((key) => PERCENTILES[PERCENTILE_KEYS.indexOf(key)] as number);
  const p = keys.map(() => new Array<number | null>(s.n).fill(null));
  const put = (i: number, quantiles: readonly number[]) => {
    for (let k = 0; k < p.length; k++) (p[k] as (number | null)[])[i] = orNull(quantiles[k] as number);
  };
  // Percentiles in an open last bucket that no max closes: lower bounds, and said to be.
  const atLeast = keys.map(() => new Array<boolean>(s.n).fill(false));
  let anyAtLeast = false;
  const mark = (i: number, flags: readonly boolean[]) => {
    for (let k = 0; k < flags.length; k++) {
      if (flags[k] !== true || (p[k] as (number | null)[])[i] === null) continue;
      (atLeast[k] as boolean[])[i] = true;
      anyAtLeast = true;
    }
  };
  const buckets = g.buckets;
  if (buckets !== null) {
    for (let i = 0; i < s.n; i++) {
      if (buckets.seen[i] === 0) continue;
      const count = buckets.count[i] as number;
      values[i] = orNull((buckets.sum[i] as number) / count);
      counts[i] = count;
      if (p.length > 0) {
        put(i, buckets.quantiles(i, percentiles));
        mark(i, buckets.lowerBounds(i, percentiles));
      }
    }
  } else {
    (g.distributions as (Distribution | null)[]).forEach((d, i) => {
      if (d === null) return;
      const count = distributionCount(d);
      if (count <= 0) {
        counts[i] = 0;
        return;
      }
      values[i] = orNull(distributionMean(d));
      counts[i] = count;
      if (p.length > 0) {
        put(i, distributionQuantiles(d, percentiles));
        mark(i, distributionLowerBounds(d, percentiles));
      }
    });
  }
  out.values = values;
  out.counts = counts;
  keys.forEach((key, k) => {
    out[key] = p[k];
  });
  if (anyAtLeast) {
    out.atLeast = {};
    keys.forEach((key, k) => {
      if ((atLeast[k] as boolean[]).includes(true))
        (out.atLeast as Record<string, boolean[]>)[key] = atLeast[k] as boolean[];
    });
  }
}

function toExponential(d: Distribution): ExponentialDistribution | null {
  if (d.type === "samples") return samplesToExponential(d.values);
  return d.type === "exponential" ? d : null;
}

/**
 * The least and greatest value of the groups' distributions in the window (or bounds that hold them,
 * see metric-distribution.ts), so percentiles read from the heatmap's buckets close its open first
 * and last bucket with them and stay within them; none when a distribution with values lacks them.
 */
function windowExtremes(groups: readonly Group[]): { min: number; max: number } | Record<string, never> {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const g of groups) {
    const b = g.buckets;
    if (b !== null) {
      for (let i = 0; i < b.steps; i++) {
        if (b.seen[i] === 0) continue;
        const lo = b.min[i] as number;
        const hi = b.max[i] as number;
        if (Number.isNaN(lo) || Number.isNaN(hi)) return {};
        min = Math.min(min, lo);
        max = Math.max(max, hi);
      }
      continue;
    }
    for (const d of g.distributions ?? []) {
      if (d === null) continue;
      const e = distributionExtremes(d);
      if (e === undefined) continue;
      if (e === null) return {};
      min = Math.min(min, e.min);
      max = Math.max(max, e.max);
    }
  }
  return Number.isFinite(min) && Number.isFinite(max) && min <= max ? { min, max } : {};
}

/**
 * The p50, p95 and p99 of every value of the groups in the window, from their steps' distributions
 * merged (explicit buckets in their bounds, exponential ones at their scale, samples themselves), as
 * each step's are estimated: the heatmap's rows of an exponential histogram are coarser, and read from
 * them a window's p95 was 950 ms beside lines at 958 ms. Null when the window holds no values.
 */
function windowPercentiles(groups: readonly Group[]): WindowPercentiles | null {
  let total: Distribution | null = null;
  for (const g of groups) {
    if (g.buckets !== null) {
      // Explicit buckets added up in place (as merging each step's would), without an object per step.
      const d = g.buckets.total();
      if (d !== null) total = total === null ? d : mergeDistribution(total, d);
      continue;
    }
    for (const d of g.distributions ?? []) {
      if (d === null) continue;
      total = total === null ? cloneDistribution(d) : mergeDistribution(total, d);
    }
  }
  if (total === null || !(distributionCount(total) > 0)) return null;
  const values = distributionQuantiles(total, PERCENTILES);
  const out: WindowPercentiles = { p50: null, p95: null, p99: null };
  PERCENTILE_KEYS.forEach((key, k) => {
    out[key] = orNull(values[k] as number);
  });
  const flags = distributionLowerBounds(total, PERCENTILES);
  PERCENTILE_KEYS.forEach((key, k) => {
    if (flags[k] === true && out[key] !== null) {
      out.atLeast ??= {};
      out.atLeast[key] = true;
    }
  });
  return out;
}

/** The buckets of all groups together per step: explicit bounds as the first histogram has them, else exponential rows. */
function heatmapOf(groups: Group[], s: Steps): { bounds: number[]; counts: number[][] } {
  const withBuckets = groups.filter((g) => g.buckets !== null).map((g) => g.buckets as StepBuckets);
  const lead = withBuckets[0];
  const others = groups.filter((g) => g.buckets === null && g.distributions?.some((d) => d !== null));
  if (lead !== undefined && others.length === 0 && withBuckets.every((b) => sameBounds(b.bounds, lead.bounds))) {
    if (withBuckets.every((b) => !b.seen.includes(1)))
      return { bounds: [], counts: Array.from({ length: s.n }, () => [0]) };
    return { bounds: [...lead.bounds], counts: stepBucketTotals(withBuckets) };
  }
  // Buckets in other bounds, or other kinds of distribution: merged one by one, as objects.
  for (const g of groups) if (g.buckets !== null) g.distributions = g.buckets.distributions();
  const totals: (Distribution | null)[] = new Array(s.n).fill(null);
  for (const g of groups) {
    g.distributions?.forEach((d, i) => {
      if (d === null) return;
      const t = totals[i];
      totals[i] = t === null || t === undefined ? cloneDistribution(d) : mergeDistribution(t, d);
    });
  }
  const first = totals.find((d) => d !== null) ?? null;
  if (first === null) return { bounds: [], counts: totals.map(() => [0]) };
  if (first.type === "explicit") {
    const bounds = [...first.bounds];
    return {
      bounds,
      counts: totals.map((d) =>
        d === null || d.type !== "explicit"
          ? new Array(bounds.length + 1).fill(0)
          : rebucket(d.bounds, d.counts, bounds),
      ),
    };
  }
  const exponentials = totals.map((d) => (d === null ? null : toExponential(d)));
  let window: ExponentialDistribution | null = null;
  for (const d of exponentials) {
    if (d === null) continue;
    window =
      window === null
        ? (cloneDistribution(d) as ExponentialDistribution)
        : (mergeDistribution(window, d) as ExponentialDistribution);
  }
  const range = window === null ? null : heatmapRange(window, HEATMAP_ROWS);
  if (range === null) {
    // Only zeros and negative values: one row, everything in it.
    return { bounds: [0], counts: exponentials.map((d) => [d === null ? 0 : d.count, 0]) };
  }
  const { scale, low, high } = range;
  return {
    bounds: exponentialRowBounds(scale, low, high),
    counts: exponentials.map((d) =>
      d === null ? new Array(high - low + 3).fill(0) : exponentialRow(d, scale, low, high),
    ),
  };
}

/**
 * `resourceSeenMs`: when each resource last sent a point of any metric, which tells a delta counter's
 * quiet time after its last point (see quietUntil).
 */
export function queryMetric(
  record: MetricRecord,
  q: MetricQuery,
  resourceSeenMs: ResourceSeen = NO_RESOURCES,
): MetricQueryResult {
  const descriptor = record.descriptor;
  const info = record.info(q.service);
  const chart = q.chart ?? chartOf(descriptor, info.level);
  const groupBy = q.groupBy ?? null;

  const selected: MetricSeries[] = [];
  for (const series of record.series.values()) {
    if (q.service !== undefined && series.service !== q.service) continue;
    if (!q.where.every(([key, value]) => attributeText(attributeOf(series, key)) === value)) continue;
    selected.push(series);
  }
  const step = q.stepFromData === true ? dataStepMs(selected, q.stepMs, q.toMs - q.fromMs) : q.stepMs;
  // On the clock's grid (see MetricQuery.alignSteps): the steps from the one holding the window's start
  // to the one holding its end.
  let from = q.alignSteps === true ? Math.floor(q.fromMs / step) * step : q.fromMs;
  let n = Math.max(1, Math.ceil((q.toMs - from) / step));
  // Young data: from the step before its oldest point, on the grid, at least MIN_DATA_STEPS of the
  // window's own steps long (fewer of a longer step for sparse points) up to the window's end, which
  // the last step, still under way, may run past.
  const minSteps = Math.max(2, Math.ceil((MIN_DATA_STEPS * q.stepMs) / step));
  const oldest = oldestPointMs(selected);
  const firstStep = Number.isFinite(oldest) ? Math.floor((oldest - from) / step) : 0;
  const lead = q.startAtData === true ? Math.min(firstStep - 1, Math.floor((q.toMs - from) / step) - minSteps) : 0;
  if (lead > 0) {
    from += lead * step;
    n -= lead;
  }
  const s: Steps = { from, step, n, until: q.toMs };
  const manyServices = new Set(selected.map((series) => series.service)).size > 1;

  const groups = new Map<string, Group>();
  for (const series of selected) {
    let key: string;
    let attributes: Attributes;
    if (groupBy === ALL_SERIES) {
      key = "";
      attributes = {};
    } else if (groupBy !== null) {
      const value = attributeOf(series, groupBy);
      key = value === undefined ? "" : attributeText(value);
      attributes = value === undefined ? {} : { [groupBy]: value };
    } else {
      attributes = manyServices ? { "service.name": series.service, ...series.attributes } : series.attributes;
      key = labelOf(attributes);
    }
    let group = groups.get(key);
    if (group === undefined) {
      group = new Group(key, attributes);
      groups.set(key, group);
    }
    group.series.push(series);
  }

  const ordered = [...groups.values()].sort((a, b) => ascending(a.label, b.label));
  const kept = ordered.slice(0, MAX_QUERY_SERIES);
  // Up-down counters add up across a group's series; gauges (and summaries' means) average.
  const sumValues = descriptor.kind === "sum";
  const extremes = chart === "value" && descriptor.kind === "gauge";
  for (const g of kept) collect(g, chart, s, extremes, resourceSeenMs);
  // One line per group is drawn only when there are several groups: one group draws every percentile.
  const stat = chart === "distribution" && kept.length > 1 ? (q.stat ?? null) : null;

  const exemplars: MetricExemplarResult[] = [];
  for (const g of kept) {
    for (const series of g.series) {
      for (const e of series.exemplars) {
        if (stepOf(s, nanosToMs(e.timeUnixNano)) < 0) continue;
        exemplars.push({
          timeUnixNano: e.timeUnixNano,
          value: e.value,
          traceId: e.traceId,
          spanId: e.spanId,
          seriesLabel: g.label,
          attributes: e.attributes,
        });
      }
    }
  }
  exemplars.sort((a, b) => ascending(b.timeUnixNano, a.timeUnixNano));

  const result: MetricQueryResult = {
    metric: info,
    chart,
    fromMs: from,
    toMs: q.toMs,
    stepMs: step,
    times: Array.from({ length: n }, (_, i) => from + i * step),
    groupBy,
    series: kept.map((g) => seriesResult(g, chart, sumValues, s, stat)),
    omittedSeries: ordered.length - kept.length,
    exemplars: exemplars.slice(0, MAX_QUERY_EXEMPLARS),
  };
  if (chart === "distribution") {
    const percentiles = windowPercentiles(kept);
    if (percentiles !== null) result.windowPercentiles = percentiles;
    const extremes = windowExtremes(kept);
    result.heatmap = { ...heatmapOf(kept, s), ...extremes };
  }
  if (stat !== null) result.stat = stat;
  if (lead > 0) {
    result.startsAtData = true;
    result.firstPointMs = oldest;
  }
  return result;
}

/**
 * The step for series whose points come `interval` apart (the median over the series): the round step
 * that holds one of them (5% of jitter allowed), never under `least` nor over an eighth of the window.
 */
function dataStepMs(series: readonly MetricSeries[], least: number, windowMs: number): number {
  const intervals = series.map((one) => one.pointIntervalMs()).filter((ms) => ms > 0);
  if (intervals.length === 0) return least;
  intervals.sort((a, b) => a - b);
  const wanted = (intervals[intervals.length >> 1] as number) * 0.95;
  if (wanted <= least) return least;
  const most = Math.max(least, windowMs / 8);
  let step = least;
  for (const nice of NICE_STEPS) if (nice <= most && nice > step && step < wanted) step = nice;
  return step;
}

/** When the oldest point of any of `series` was taken (unix ms); +Infinity when they hold none. */
function oldestPointMs(series: readonly MetricSeries[]): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const one of series) oldest = Math.min(oldest, one.oldestMs());
  return oldest;
}
