/**
 * What each data point of a series means for its charts, given the points before it: the increase
 * a counter point adds (from deltas, or from the difference of cumulative values with resets
 * detected), the value a gauge or up-down sum holds, the distribution a histogram point adds (a
 * delta, also from cumulative points), the quantiles a summary sent. One `ReadingState` per series
 * carries what the next point needs; `readPoint` is the only place that changes it.
 */

import type {
  ExponentialHistogramPoint,
  HistogramPoint,
  MetricDescriptor,
  NumberPoint,
  QuantileValue,
  SummaryPoint,
} from "./metric.js";
import {
  cloneDistribution,
  type Distribution,
  downscaleExponential,
  type ExplicitDistribution,
  type ExponentialDistribution,
} from "./metric-distribution.js";

/** What one data point contributes to its series' charts. */
export interface Observation {
  /** The point's time, unix ms. */
  timeMs: number;
  /** "rate": what the counter increased by over [increaseFromMs, timeMs]; NaN when the point says nothing of it. */
  increase: number;
  increaseFromMs: number;
  /**
   * "value": the value at timeMs (a gauge's, an up-down sum's, a counter's running total); NaN when
   * none. With several sources in the series: what they hold together (see readSum, readGauge).
   */
  value: number;
  /** The value the point itself carries (a gauge's extremes take it in, not the sources' mean); NaN when none. */
  pointValue: number;
  /** "distribution": the values recorded since the previous point (a delta), or null. */
  distribution: Distribution | null;
  /**
   * When the values of `distribution` began to be recorded, if not at timeMs: a cumulative
   * histogram's first point (or one after a restart) holds every value since its start, which may be
   * hours before its time (tracekit-local started after the app). Charts spread them over
   * [distributionFromMs, timeMs], as they spread a counter's first increase; NaN for a distribution
   * read as recorded at timeMs (a delta since the previous point, a delta point, samples).
   */
  distributionFromMs: number;
  /** "quantiles": a summary's quantiles as sent, or null. */
  quantiles: readonly QuantileValue[] | null;
  /**
   * Where a cumulative histogram's delta is written when this object is reused from point to point
   * (its distribution is then only valid until the next point): one object per series and point was
   * most of the garbage the write path made.
   */
  spare: ExplicitDistribution | null;
}

/** The previous point of a series whose points are cumulative, as the next one needs it. */
export interface PreviousPoint {
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** A sum's cumulative value. */
  value: number;
  /** A histogram's cumulative buckets. */
  distribution: Distribution | null;
}

export interface ReadingState {
  /** The previous cumulative point of `source`; null before the first. */
  previous: PreviousPoint | null;
  /** A sum's running total: its cumulative value, or the deltas added up since the series was first seen. */
  total: number;
  /**
   * Who sent `previous` (a hash of the resource; null until a point says, or in a state read from a
   * file written before sources were kept): several instances of one service (workers, replicas)
   * write one series, each its own cumulative count.
   */
  source: number | null;
  /** The previous cumulative points of the other sources, at most MAX_SOURCES, each read on its own. */
  others: Map<number, PreviousPoint> | null;
}

/** Sources of one series read apart; past it, the one heard from longest ago is forgotten. */
const MAX_SOURCES = 16;

/**
 * A source silent this long before a point of another source no longer counts in what the series'
 * sources hold together (an instance that stopped, or restarted under another id): Prometheus'
 * lookback. Its cumulative point is still kept, should it report again.
 */
export const STALE_SOURCE_NS = 5n * 60n * 1_000_000_000n;

export function newReadingState(): ReadingState {
  return { previous: null, total: 0, source: null, others: null };
}

/** The previous cumulative point of `source` in `state`; the first source a state sees becomes its own. */
function previousOf(state: ReadingState, source: number): PreviousPoint | null {
  if (state.source === null) state.source = source;
  return source === state.source ? state.previous : (state.others?.get(source) ?? null);
}

/**
 * The last time nanosToMs converted: the points of one export nearly always share their time (and
 * their start), so most calls find it here. A pure function's memo, equal for every caller.
 */
let lastNanos = -1n;
let lastMs = 0;

/** Unix nanoseconds → whole unix milliseconds (floor), exactly. */
export function nanosToMs(nanos: bigint): number {
  if (nanos === lastNanos) return lastMs;
  // Number(nanos) is within ~4 µs of nanos (it runs per point, and BigInt division allocates): only
  // a value that close to a whole millisecond can land on the wrong side of it, and those (every
  // time an SDK stamps in whole milliseconds) take the exact BigInt division.
  const approx = Number(nanos) / 1e6;
  const floor = Math.floor(approx);
  const ms = approx - floor > 0.01 && floor + 1 - approx > 0.01 ? floor : Number(nanos / 1_000_000n);
  lastNanos = nanos;
  lastMs = ms;
  return ms;
}

export function newObservation(): Observation {
  return {
    timeMs: 0,
    increase: Number.NaN,
    increaseFromMs: 0,
    value: Number.NaN,
    pointValue: Number.NaN,
    distribution: null,
    distributionFromMs: Number.NaN,
    quantiles: null,
    spare: null,
  };
}

/** `o` made an observation at `timeMs` that says nothing yet. */
function reset(o: Observation, timeMs: number): Observation {
  o.timeMs = timeMs;
  o.increase = Number.NaN;
  o.increaseFromMs = timeMs;
  o.value = Number.NaN;
  o.pointValue = Number.NaN;
  o.distribution = null;
  o.distributionFromMs = Number.NaN;
  o.quantiles = null;
  return o;
}

/** Where an interval that ends at `time` began: its start time when known and earlier, else the instant itself. */
function intervalStart(start: bigint, time: bigint): number {
  return start > 0n && start < time ? nanosToMs(start) : nanosToMs(time);
}

/**
 * How a cumulative point relates to the previous one: "first" (nothing before it), "late" (not
 * newer than the previous: a resend or out of order, read as nothing), "reset" (the counter
 * restarted: its start time changed, or `decreased` says a value went down), or "next".
 */
export function cumulativeStep(
  previous: PreviousPoint | null,
  start: bigint,
  time: bigint,
  /** Whether the point went down from `previous` (a value as a boolean, not a callback: this runs per point). */
  decreased: boolean,
): "first" | "late" | "reset" | "next" {
  if (previous === null) return "first";
  if (time <= previous.timeUnixNano) return "late";
  const startChanged = start !== 0n && previous.startTimeUnixNano !== 0n && start !== previous.startTimeUnixNano;
  return startChanged || decreased ? "reset" : "next";
}

/**
 * The observation of one data point of a series described by `descriptor`, updating `state`;
 * null for a point that adds nothing (a gap, a resend, the baseline of a cumulative series whose
 * start is unknown).
 */
export function readPoint(
  descriptor: MetricDescriptor,
  state: ReadingState,
  point: NumberPoint | HistogramPoint | ExponentialHistogramPoint | SummaryPoint,
  /** Filled and returned instead of a new object (a caller reading many points reuses one). */
  into: Observation = newObservation(),
  /** Who sent it (a hash of its resource): a cumulative point follows the previous one of the same source. */
  source = 0,
): Observation | null {
  // A gap (no recorded value) says nothing; a cumulative series goes on from its last point after it,
  // unless its start time says it restarted. Counting the next point from its start again counted
  // what came before the gap twice.
  // A gauge source that says it holds nothing (a staleness marker: it stopped) leaves the sources' mean.
  if (point.noRecordedValue) {
    if (descriptor.kind === "gauge") forgetSource(state, source);
    return null;
  }
  const o = reset(into, nanosToMs(point.timeUnixNano));
  switch (descriptor.kind) {
    case "gauge":
      return readGauge(descriptor, state, point as NumberPoint, o, source);
    case "sum":
      return readSum(descriptor, state, point as NumberPoint, o, source);
    case "histogram":
      return readDistribution(
        descriptor,
        state,
        point,
        explicitOf(point as HistogramPoint),
        explicitDeltaInSpare,
        o,
        source,
      );
    case "exponentialHistogram":
      return readDistribution(
        descriptor,
        state,
        point,
        exponentialOf(point as ExponentialHistogramPoint),
        exponentialDelta,
        o,
        source,
      );
    case "summary":
      return readSummary(point as SummaryPoint, o);
  }
}

/**
 * A gauge's value. Several sources of one series (replicas that differ only in their resource) each
 * hold their own level, and levels do not add up (the OTLP data model: a gauge has no aggregation
 * but its last value): the series' value is the mean of each source's latest value (as a group of
 * gauge series averages them), and its least and greatest value are of the points themselves, so a
 * step's band shows how far the sources are apart. Taking each point as the series' value zig-zagged
 * between the sources. A point older than its source's latest says only what it held then.
 */
function readGauge(
  descriptor: MetricDescriptor,
  state: ReadingState,
  point: NumberPoint,
  o: Observation,
  source: number,
): Observation {
  const { startTimeUnixNano: start, timeUnixNano: time, value } = point;
  o.value = value;
  o.pointValue = value;
  // A TraceKit SDK gauge point may be a histogram's recorded value: every one is also a sample.
  if (descriptor.tracekit) {
    o.distribution = { type: "samples", values: [value] };
    return o;
  }
  const previous = previousOf(state, source);
  if (previous !== null && time < previous.timeUnixNano) return o;
  remember(state, source, previous, start, time, value, null);
  if (state.others !== null) {
    let sum = 0;
    let n = 0;
    forEachFreshSource(state, time, (p) => {
      sum += p.value;
      n++;
    });
    o.value = sum / n;
  }
  return o;
}

/**
 * Each source's latest point that is not stale at `time` (the point just remembered always is). With
 * `byStart` (a cumulative sum's sources, whose start time says when each began counting), also none
 * older than another source's start: that source began after this one last reported, so it took its
 * place (an app restarted: the same resource but its process id); and none whose start is after `time`
 * (it had not begun then: points read in another order end the same). Replicas that run side by side
 * each report after the others started, and all count. A start not before its point's time says
 * nothing of when a source began. A gauge's start has no meaning in OTLP (an SDK may stamp it with its
 * last export): its sources leave only by staleness.
 */
function forEachFreshSource(state: ReadingState, time: bigint, f: (p: PreviousPoint) => void, byStart = false): void {
  const since = time - STALE_SOURCE_NS;
  const fresh = (p: PreviousPoint | null): p is PreviousPoint => p !== null && p.timeUnixNano >= since;
  /** When a source began, when its start says so (0n: unknown). */
  const began = (p: PreviousPoint): bigint =>
    byStart && p.startTimeUnixNano > 0n && p.startTimeUnixNano < p.timeUnixNano ? p.startTimeUnixNano : 0n;
  let latestStart = 0n;
  const noteStart = (p: PreviousPoint | null) => {
    if (!fresh(p)) return;
    const start = began(p);
    if (start > latestStart && start <= time) latestStart = start;
  };
  noteStart(state.previous);
  if (state.others !== null) for (const p of state.others.values()) noteStart(p);
  const counts = (p: PreviousPoint | null): p is PreviousPoint =>
    fresh(p) && p.timeUnixNano >= latestStart && began(p) <= time;
  if (counts(state.previous)) f(state.previous);
  if (state.others === null) return;
  for (const p of state.others.values()) if (counts(p)) f(p);
}

/** What the cumulative sums of a series' sources hold together at `time`: each one's latest value, added up. */
function sourcesTotal(state: ReadingState, time: bigint, value: number): number {
  if (state.others === null) return value;
  let total = 0;
  forEachFreshSource(
    state,
    time,
    (p) => {
      total += p.value;
    },
    true,
  );
  return total;
}

function readSum(
  descriptor: MetricDescriptor,
  state: ReadingState,
  point: NumberPoint,
  o: Observation,
  source: number,
): Observation | null {
  const { startTimeUnixNano: start, timeUnixNano: time, value } = point;
  if (descriptor.temporality === "delta") {
    state.total += value;
    o.value = state.total;
    // A delta over no interval says nothing of when it grew: the OpenTelemetry JS SDK's first point of
    // an observable counter (start = time) carries all the counter held since it began, which read as
    // a spike of that much in an instant. TraceKit SDK increments are instants, and are read so.
    if (descriptor.monotonic === true && (descriptor.tracekit || (start > 0n && start < time))) {
      o.increase = value;
      o.increaseFromMs = intervalStart(start, time);
    }
    return o;
  }
  const previous = previousOf(state, source);
  const decreased = descriptor.monotonic === true && previous !== null && value < previous.value;
  const step = cumulativeStep(previous, start, time, decreased);
  if (step === "late") return null;
  const previousTime = previous?.timeUnixNano ?? 0n;
  const previousValue = previous?.value ?? 0;
  remember(state, source, previous, start, time, value, null);
  // Several sources of one series (replicas that differ only in their resource) each count on their
  // own: the series holds their sum, each source's latest cumulative value added up. The last point's
  // value alone showed whichever source reported last.
  state.total = sourcesTotal(state, time, value);
  o.value = state.total;
  if (descriptor.monotonic !== true) return o;
  if (step === "next") {
    o.increase = value - previousValue;
    o.increaseFromMs = nanosToMs(previousTime);
  } else if (step === "reset") {
    // The counter restarted: everything it holds was counted since its (new) start. A new start no
    // earlier than the point says nothing of when that grew (the OpenTelemetry JS SDK's first point of
    // an observable counter after an app restart, start = time, holds what the OS counted since boot):
    // a baseline, as a series' first point is, not all of it spread over the time the app was down.
    if (start > 0n && start >= time) return o;
    o.increase = value;
    o.increaseFromMs = start > previousTime && start < time ? nanosToMs(start) : nanosToMs(previousTime);
  } else if (start > 0n && start < time) {
    // The first point: counted since its start, which the sender gives.
    o.increase = value;
    o.increaseFromMs = nanosToMs(start);
  }
  return o;
}

function readSummary(point: SummaryPoint, o: Observation): Observation {
  o.quantiles = point.quantiles;
  o.value = point.count > 0 ? point.sum / point.count : Number.NaN;
  return o;
}

function readDistribution<D extends ExplicitDistribution | ExponentialDistribution>(
  descriptor: MetricDescriptor,
  state: ReadingState,
  point: { startTimeUnixNano: bigint; timeUnixNano: bigint },
  current: D,
  delta: (previous: D, current: D, o: Observation) => D | null,
  o: Observation,
  source: number,
): Observation | null {
  const { startTimeUnixNano: start, timeUnixNano: time } = point;
  if (descriptor.temporality === "delta") {
    o.distribution = current;
    return o;
  }
  const previous = previousOf(state, source);
  const changed = previous?.distribution?.type === current.type ? delta(previous.distribution as D, current, o) : null;
  const step = cumulativeStep(previous, start, time, changed === null);
  if (step === "late") return null;
  const previousTime = previous?.timeUnixNano ?? 0n;
  remember(state, source, previous, start, time, 0, current);
  if (step === "next") {
    o.distribution = changed;
  } else if (step === "reset") {
    // Restarted: all of it is new, recorded since its (new) start, as a counter's restart is read
    // (a new start no earlier than the point is a baseline, as there).
    if (start > 0n && start >= time) return null;
    o.distribution = current;
    o.distributionFromMs = start > previousTime && start < time ? nanosToMs(start) : nanosToMs(previousTime);
  } else if (start > 0n && start < time) {
    // The first point of a series whose start is known: all of it is new, but recorded over
    // [start, time], not at its time (a counter's first point counts from its start the same way).
    o.distribution = current;
    o.distributionFromMs = nanosToMs(start);
  } else {
    return null;
  }
  return o;
}

/**
 * Keeps a cumulative point of `source` for the next one (`previous`: its last, as previousOf found
 * it), in the state's own objects (a copy of its buckets): updating them in place spares the garbage
 * collector an object per point and series.
 */
function remember(
  state: ReadingState,
  source: number,
  previous: PreviousPoint | null,
  start: bigint,
  time: bigint,
  value: number,
  d: Distribution | null,
): void {
  if (previous === null) {
    const first = { startTimeUnixNano: start, timeUnixNano: time, value, distribution: d && cloneDistribution(d) };
    if (source === state.source) {
      state.previous = first;
      return;
    }
    state.others ??= new Map();
    if (state.others.size >= MAX_SOURCES) forgetQuietestSource(state.others);
    state.others.set(source, first);
    return;
  }
  previous.startTimeUnixNano = start;
  previous.timeUnixNano = time;
  previous.value = value;
  const kept = previous.distribution;
  if (d?.type === "explicit" && kept?.type === "explicit" && kept.counts.length === d.counts.length) {
    for (let i = 0; i < d.counts.length; i++) kept.counts[i] = d.counts[i] as number;
    kept.bounds = d.bounds;
    kept.count = d.count;
    kept.sum = d.sum;
    kept.min = d.min;
    kept.max = d.max;
  } else {
    previous.distribution = d && cloneDistribution(d);
  }
}

function forgetSource(state: ReadingState, source: number): void {
  if (source === state.source) state.previous = null;
  else state.others?.delete(source);
}

/** Forgets the source heard from longest ago (an instance that stopped, or restarted as another). */
function forgetQuietestSource(others: Map<number, PreviousPoint>): void {
  let quietest: number | null = null;
  let oldest: bigint | null = null;
  for (const [source, point] of others) {
    if (oldest === null || point.timeUnixNano < oldest) {
      oldest = point.timeUnixNano;
      quietest = source;
    }
  }
  if (quietest !== null) others.delete(quietest);
}

function finiteOrNaN(v: number | null): number {
  return v === null || !Number.isFinite(v) ? Number.NaN : v;
}

export function explicitOf(point: HistogramPoint): ExplicitDistribution {
  // The point's own counts (decoded for this read and never changed); a new array only when it has none.
  const counts =
    point.counts.length === 0 ? new Array<number>(point.bounds.length + 1).fill(0) : (point.counts as number[]);
  // Without buckets, the count still counts: in the overflow bucket, where only min and max bound it.
  if (point.counts.length === 0 && point.count > 0) counts[counts.length - 1] = point.count;
  return {
    type: "explicit",
    bounds: point.bounds,
    counts,
    count: point.count,
    sum: finiteOrNaN(point.sum),
    min: finiteOrNaN(point.min),
    max: finiteOrNaN(point.max),
  };
}

export function exponentialOf(point: ExponentialHistogramPoint): ExponentialDistribution {
  return {
    type: "exponential",
    scale: point.scale,
    zeroCount: point.zeroCount,
    zeroThreshold: point.zeroThreshold,
    positive: { offset: point.positive.offset, counts: point.positive.counts as number[] },
    negative: { offset: point.negative.offset, counts: point.negative.counts as number[] },
    count: point.count,
    sum: finiteOrNaN(point.sum),
    min: finiteOrNaN(point.min),
    max: finiteOrNaN(point.max),
  };
}

/**
 * What a cumulative explicit histogram gained since the previous one, or null when it cannot have
 * come from it (other bounds, or a count went down: a reset). The delta's own min and max are not
 * known; it keeps the current point's, which hold every value recorded since the series started, so
 * they still close its open first and last buckets and bound its percentiles (without them every
 * percentile in the open last bucket would read as the last bound).
 */
export function explicitDelta(
  previous: ExplicitDistribution,
  current: ExplicitDistribution,
  /** Written and returned instead of a new object. */
  into?: ExplicitDistribution,
): ExplicitDistribution | null {
  // Usually the very same array (the decoders share a metric's bounds between its points).
  if (previous.bounds !== current.bounds) {
    if (previous.bounds.length !== current.bounds.length) return null;
    for (let i = 0; i < current.bounds.length; i++) if (previous.bounds[i] !== current.bounds[i]) return null;
  }
  if (current.count < previous.count) return null;
  const counts = into?.counts ?? new Array<number>(current.counts.length);
  if (counts.length !== current.counts.length) counts.length = current.counts.length;
  for (let i = 0; i < current.counts.length; i++) {
    const d = (current.counts[i] as number) - (previous.counts[i] ?? 0);
    if (d < 0) return null;
    counts[i] = d;
  }
  const delta = into ?? { type: "explicit", bounds: current.bounds, counts, count: 0, sum: 0, min: 0, max: 0 };
  delta.bounds = current.bounds;
  delta.count = current.count - previous.count;
  delta.sum = current.sum - previous.sum;
  delta.min = current.min;
  delta.max = current.max;
  return delta;
}

function explicitDeltaInSpare(
  previous: ExplicitDistribution,
  current: ExplicitDistribution,
  o: Observation,
): ExplicitDistribution | null {
  o.spare ??= { type: "explicit", bounds: [], counts: [], count: 0, sum: 0, min: Number.NaN, max: Number.NaN };
  return explicitDelta(previous, current, o.spare);
}

function subtractBuckets(
  current: { offset: number; counts: number[] },
  previous: { offset: number; counts: number[] },
): { offset: number; counts: number[] } | null {
  const counts = current.counts.slice();
  for (let i = 0; i < previous.counts.length; i++) {
    const c = previous.counts[i] as number;
    if (c === 0) continue;
    const at = previous.offset + i - current.offset;
    if (at < 0 || at >= counts.length) return null;
    const d = (counts[at] as number) - c;
    if (d < 0) return null;
    counts[at] = d;
  }
  return { offset: current.offset, counts };
}

/** The exponential counterpart of explicitDelta; both are brought to the coarser scale first. */
export function exponentialDelta(
  previous: ExponentialDistribution,
  current: ExponentialDistribution,
): ExponentialDistribution | null {
  const scale = Math.min(previous.scale, current.scale);
  const p = downscaleExponential(previous, previous.scale - scale);
  const c = downscaleExponential(current, current.scale - scale);
  if (c.count < p.count || c.zeroCount < p.zeroCount) return null;
  const positive = subtractBuckets(c.positive, p.positive);
  const negative = subtractBuckets(c.negative, p.negative);
  if (positive === null || negative === null) return null;
  return {
    ...c,
    positive,
    negative,
    zeroCount: c.zeroCount - p.zeroCount,
    count: c.count - p.count,
    sum: c.sum - p.sum,
    // Bounds of the delta's values, as explicitDelta keeps them.
    min: c.min,
    max: c.max,
  };
}
