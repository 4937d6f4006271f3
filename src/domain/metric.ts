/**
 * OTLP metrics as this server reads them: what a metric is (its descriptor), its data points as
 * decoded, and the rules that decide how each is charted. The reading of points into rates, values
 * and distributions is in metric-reading.ts; percentiles and bucket arithmetic in
 * metric-distribution.ts.
 */
import type { Attributes } from "./span.js";

/** The OTLP data type a metric arrived as. */
export type MetricKind = "gauge" | "sum" | "histogram" | "exponentialHistogram" | "summary";

/** How a metric is charted (see MetricChart in protocol.ts for what each means). */
export type MetricChart = "rate" | "value" | "distribution" | "quantiles";

export type Temporality = "delta" | "cumulative";

/** What a distribution chart draws per group when it has several: a percentile, or the mean. */
export type DistributionStat = "p50" | "p95" | "p99" | "mean";

export const DISTRIBUTION_STATS: readonly DistributionStat[] = ["p50", "p95", "p99", "mean"];

/** The statistic drawn per group for a page's `stat`: p95 unless it names another of them. */
export function distributionStat(stat: string | null | undefined): DistributionStat {
  return DISTRIBUTION_STATS.includes(stat as DistributionStat) ? (stat as DistributionStat) : "p95";
}

/** The instrumentation scope of the TraceKit SDKs' hand-built metrics exports. */
export const TRACEKIT_SCOPE = "tracekit";

export interface MetricDescriptor {
  name: string;
  description: string;
  /** UCUM as sent, "" when none. */
  unit: string;
  kind: MetricKind;
  /** Sums and histograms, as read (a TraceKit SDK counter is "delta" whatever it claims). */
  temporality?: Temporality;
  /** Sums only. */
  monotonic?: boolean;
  /** Read by the TraceKit SDK rules: its scope is `tracekit`. */
  tracekit: boolean;
}

/** A measurement recorded inside a span (usually), linking a point to its trace. */
export interface Exemplar {
  timeUnixNano: bigint;
  value: number;
  /** Lower-case hex, or null when absent or unusable. */
  traceId: string | null;
  spanId: string | null;
  /** The exemplar's filtered attributes (those the point's attributes left out). */
  attributes: Attributes;
}

interface PointCommon {
  attributes: Attributes;
  /** 0 when the sender did not say. */
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  exemplars: readonly Exemplar[];
  /** OTLP's NO_RECORDED_VALUE flag: the series has a gap here (e.g. its target disappeared). */
  noRecordedValue: boolean;
}

/** A gauge or sum data point (as_int beyond 2^53 is rounded to the nearest double). */
export interface NumberPoint extends PointCommon {
  value: number;
}

export interface HistogramPoint extends PointCommon {
  count: number;
  /** null when not sent (optional in OTLP) or not finite. */
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Upper bounds, strictly increasing; `counts` has one more element than `bounds` (or none). */
  bounds: readonly number[];
  counts: readonly number[];
}

/** Buckets of one sign: bucket `offset + i` holds `counts[i]`. */
export interface ExponentialBuckets {
  offset: number;
  counts: readonly number[];
}

export interface ExponentialHistogramPoint extends PointCommon {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Bucket boundaries are powers of base = 2^(2^-scale). */
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

export interface QuantileValue {
  /** 0 … 1. */
  quantile: number;
  value: number;
}

export interface SummaryPoint extends PointCommon {
  count: number;
  sum: number;
  quantiles: readonly QuantileValue[];
}

/** A metric's points, typed by the kind they arrived as. */
export type MetricPoints =
  | { kind: "gauge" | "sum"; points: NumberPoint[] }
  | { kind: "histogram"; points: HistogramPoint[] }
  | { kind: "exponentialHistogram"; points: ExponentialHistogramPoint[] }
  | { kind: "summary"; points: SummaryPoint[] };

/** One metric of one resource's export, as decoded and validated. */
export interface ReceivedMetric {
  descriptor: MetricDescriptor;
  /** The resource's `service.name`. */
  service: string;
  /** The resource's attributes (shared by the metrics of one resource); absent: one unnamed resource. */
  resource?: Attributes;
  data: MetricPoints;
}

/**
 * A metric's unit: the OTLP unit as sent, else (TraceKit SDKs) its points' `unit` attribute. The SDKs
 * have no unit field: their docs write `client.histogram("http.request.duration", { unit: "ms" })`,
 * and that `unit` is a tag, sent as a data-point attribute. The first point's that has one counts.
 */
export function metricUnit(metric: ReceivedMetric): string {
  if (metric.descriptor.unit !== "" || !metric.descriptor.tracekit) return metric.descriptor.unit;
  for (const point of metric.data.points) {
    const unit = point.attributes.unit;
    if (typeof unit === "string" && unit.trim() !== "") return unit.trim();
  }
  return "";
}

/**
 * Whether a TraceKit SDK gauge series' points (in time order) are a level that its `inc()` and
 * `dec()` move: each of those sends the gauge's new value at once, so whole numbers one apart, point
 * after point. A histogram's recorded values (also sent as gauge points) and `set()` values rarely
 * are; nine changes in ten are enough (a restarted app starts again from 0, and batches sent at the
 * same time may arrive out of order).
 */
export function movesByOne(values: ArrayLike<number>): boolean {
  if (values.length < 2) return false;
  let ones = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v)) return false;
    if (i > 0 && Math.abs(v - (values[i - 1] as number)) === 1) ones++;
  }
  return ones >= 0.9 * (values.length - 1);
}

/**
 * Units of what a TraceKit SDK histogram records (durations, sizes; UCUM and the words people write
 * in a `unit` tag) and never a level that inc() and dec() move one at a time.
 */
const MEASURE_UNIT =
  /^(?:ns|us|µs|μs|ms|s|min|h|d|(?:K|M|G|T|Ki|Mi|Gi|Ti)?By|(?:K|M|G|T)?B|bit|(?:nano|micro|milli)?seconds?|minutes?|hours?|bytes?)$/i;

/** Metric names that say a duration or a size (`db.query.duration`, `http_latency`, `render.time`, `payload_bytes`). */
const MEASURE_NAME = /(?:^|[._-])(?:duration|latency|time|ms|seconds|bytes)$/i;

/**
 * Whether a TraceKit SDK metric measures durations or sizes (its `unit` tag, else its name), which
 * tells its points are a histogram's samples whatever their values: the SDKs send histograms as
 * gauges with nothing else to tell them apart, and whole milliseconds of a steady operation (3, 4, 3,
 * 4, 5…) move by one as an inc() and dec() gauge does. Such a gauge counts things (unit none, `1` or
 * `{item}`).
 */
export function measuresSamples(descriptor: MetricDescriptor): boolean {
  const unit = descriptor.unit.trim();
  return unit === "" ? MEASURE_NAME.test(descriptor.name) : MEASURE_UNIT.test(unit);
}

/**
 * How a metric is charted by default: monotonic sums as rates, gauges and up-down sums as values,
 * histograms (explicit and exponential) as distributions, summaries as their quantiles. A TraceKit
 * SDK gauge is a distribution: the SDKs send their histograms as gauges, one point per recorded
 * value, indistinguishable from a gauge's sets, so every such point is read as a sample; unless its
 * points are a `level` (see movesByOne) and its unit is no measure (see measuresSamples): a gauge that
 * inc() and dec() move is read as values.
 */
export function chartOf(descriptor: MetricDescriptor, level = false): MetricChart {
  switch (descriptor.kind) {
    case "sum":
      return descriptor.monotonic === true ? "rate" : "value";
    case "gauge":
      return descriptor.tracekit && !(level && !measuresSamples(descriptor)) ? "distribution" : "value";
    case "histogram":
    case "exponentialHistogram":
      return "distribution";
    case "summary":
      return "quantiles";
  }
}

/**
 * Every chart a metric can be drawn as, its default first: a TraceKit gauge's samples can also be
 * read as values (a real gauge's sets) and its level as samples, and a monotonic sum's running total
 * as a value.
 */
export function chartsOf(descriptor: MetricDescriptor, level = false): MetricChart[] {
  const chart = chartOf(descriptor, level);
  if (descriptor.kind === "gauge" && descriptor.tracekit)
    return chart === "value" ? [chart, "distribution"] : [chart, "value"];
  if (chart === "rate") return [chart, "value"];
  return [chart];
}
