/**
 * What both metrics decoders (protobuf and JSON) share: the result type and the rules that turn a
 * metric and its data points as read off the wire into domain `ReceivedMetric`s or rejections. The
 * decoders only read fields; every validity rule and the TraceKit SDK reading live here.
 */
import { count } from "../domain/count-text.js";
import { parseHexId } from "../domain/ids.js";
import {
  type Exemplar,
  type ExponentialHistogramPoint,
  type HistogramPoint,
  type MetricDescriptor,
  type MetricKind,
  type NumberPoint,
  type QuantileValue,
  type ReceivedMetric,
  type SummaryPoint,
  type Temporality,
  TRACEKIT_SCOPE,
} from "../domain/metric.js";
import {
  downscaleBuckets,
  MAX_EXPONENTIAL_BUCKETS,
  MAX_SCALE,
  MIN_SCALE,
  sameBounds,
  stepsToFit,
} from "../domain/metric-distribution.js";
import { type Attributes, serviceNameOf } from "../domain/span.js";
import { MAX_REPORTED_ERRORS } from "./traces.js";

export interface MetricDecodeResult {
  metrics: ReceivedMetric[];
  /** Data points present in the request but not returned, with the first few reasons. */
  rejectedDataPoints: number;
  errors: string[];
}

/** DataPointFlags.NO_RECORDED_VALUE_MASK. */
export const NO_RECORDED_VALUE = 1;
/** AggregationTemporality values. */
const DELTA = 1;
const CUMULATIVE = 2;
/** Most explicit bounds a histogram point may have: every stored entry of its series holds one count per bucket. */
export const MAX_EXPLICIT_BOUNDS = 128;
/** Most exponential buckets of one sign read; points with more are rejected as hostile (readers downscale to 160). */
export const MAX_WIRE_EXPONENTIAL_BUCKETS = 16_384;
export const MAX_QUANTILES = 64;
/** Exemplars kept per data point (the store keeps a few per series anyway). */
export const MAX_EXEMPLARS_PER_POINT = 16;

/** A metric's own fields as read; `kind` null when it carries no data field. */
export interface WireMetric {
  name: string;
  description: string;
  unit: string;
  kind: MetricKind | null;
  /** Raw AggregationTemporality (sums and histograms). */
  temporality: number;
  monotonic: boolean;
}

export interface WireExemplar {
  attributes: Attributes;
  timeUnixNano: bigint;
  /** null when neither as_double nor as_int was sent. */
  value: number | null;
  /** Hex as received ("" when absent); the protobuf decoder passes the hex of the bytes. */
  traceId: string;
  spanId: string;
}

export interface WirePointCommon {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  flags: number;
  exemplars: WireExemplar[];
}

export interface WireNumberPoint extends WirePointCommon {
  /** null when neither as_double nor as_int was sent. */
  value: number | null;
}

export interface WireHistogramPoint extends WirePointCommon {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  bounds: number[];
  counts: number[];
}

export interface WireExponentialPoint extends WirePointCommon {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: { offset: number; counts: number[] };
  negative: { offset: number; counts: number[] };
}

export interface WireSummaryPoint extends WirePointCommon {
  count: number;
  sum: number;
  quantiles: QuantileValue[];
}

export function newWireExemplar(): WireExemplar {
  return { attributes: {}, timeUnixNano: 0n, value: null, traceId: "", spanId: "" };
}

// Literals, not a spread of shared fields: spreading an object that holds a bigint takes V8 (Node 20)
// tens of microseconds, longer than decoding the point.

export function newWireNumberPoint(): WireNumberPoint {
  return { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, flags: 0, exemplars: [], value: null };
}

/**
 * Clears a scratch wire point for the next point of a request (its containers that end up stored are
 * new): `attributes` a new object, or one the decoder replaces before it writes to it.
 */
export function resetWireNumberPoint(w: WireNumberPoint, attributes: Attributes = {}): WireNumberPoint {
  w.attributes = attributes;
  w.startTimeUnixNano = 0n;
  w.timeUnixNano = 0n;
  w.flags = 0;
  // Exemplars are copied into the stored point, so their list can be reused. Emptied only when it
  // holds some: setting an array's length is a runtime call, even to the length it has.
  if (w.exemplars.length !== 0) w.exemplars.length = 0;
  w.value = null;
  return w;
}

export function resetWireHistogramPoint(w: WireHistogramPoint, attributes: Attributes = {}): WireHistogramPoint {
  w.attributes = attributes;
  w.startTimeUnixNano = 0n;
  w.timeUnixNano = 0n;
  w.flags = 0;
  if (w.exemplars.length !== 0) w.exemplars.length = 0;
  w.count = 0;
  w.sum = null;
  w.min = null;
  w.max = null;
  w.bounds = [];
  w.counts = [];
  return w;
}

export function newWireHistogramPoint(): WireHistogramPoint {
  return {
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    flags: 0,
    exemplars: [],
    count: 0,
    sum: null,
    min: null,
    max: null,
    bounds: [],
    counts: [],
  };
}

export function newWireExponentialPoint(): WireExponentialPoint {
  return {
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    flags: 0,
    exemplars: [],
    count: 0,
    sum: null,
    min: null,
    max: null,
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
}

export function newWireSummaryPoint(): WireSummaryPoint {
  return {
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    flags: 0,
    exemplars: [],
    count: 0,
    sum: 0,
    quantiles: [],
  };
}

/** What the metrics of one ScopeMetrics have in common. */
export interface MetricGroup {
  service: string;
  resource: Attributes;
  scopeName: string;
  /** Where the group sits in the request, for rejection reasons. */
  path: string;
}

export function metricGroup(
  resource: Attributes,
  scopeName: string,
  resourceIndex: number,
  scopeIndex: number,
): MetricGroup {
  return {
    service: serviceNameOf(resource),
    resource,
    scopeName,
    path: `resourceMetrics[${resourceIndex}].scopeMetrics[${scopeIndex}]`,
  };
}

/** A metric being filled with its points; created by MetricBatch.begin. */
export interface OpenMetric {
  readonly metric: ReceivedMetric;
  readonly path: string;
  /** The explicit bounds of its last histogram point: the next ones share the array when equal. */
  bounds: readonly number[] | null;
}

function temporalityOf(raw: number): Temporality | null {
  if (raw === DELTA) return "delta";
  if (raw === CUMULATIVE) return "cumulative";
  return null;
}

/**
 * The descriptor of a metric as this server reads it, or the reason all its points are rejected.
 * The TraceKit SDKs (scope `tracekit`) send every counter as a monotonic sum with temporality 2
 * (CUMULATIVE) although each point is an increment: those sums are read as delta.
 */
export function describeMetric(wire: WireMetric, kind: MetricKind, scopeName: string): MetricDescriptor | string {
  if (wire.name === "") return "metric has no name";
  const tracekit = scopeName === TRACEKIT_SCOPE;
  const descriptor: MetricDescriptor = {
    name: wire.name,
    description: wire.description,
    unit: wire.unit,
    kind,
    tracekit,
  };
  if (kind === "sum" || kind === "histogram" || kind === "exponentialHistogram") {
    const temporality = tracekit && kind === "sum" ? "delta" : temporalityOf(wire.temporality);
    if (temporality === null) {
      return `aggregationTemporality ${wire.temporality} is neither DELTA (1) nor CUMULATIVE (2)`;
    }
    descriptor.temporality = temporality;
  }
  if (kind === "sum") descriptor.monotonic = wire.monotonic;
  return descriptor;
}

/** Accumulates one request's accepted metrics and rejections. */
export class MetricBatch {
  readonly metrics: ReceivedMetric[] = [];
  rejectedDataPoints = 0;
  readonly errors: string[] = [];
  /** The explicit bounds last found valid: the points of a histogram share one array (and the decoders share it between requests). */
  private validBounds: readonly number[] | null = null;

  /** @param hexIds exemplar ids are already lower-case hex (the protobuf decoder hexes bytes). */
  constructor(private readonly hexIds = false) {}

  /** Counts `count` points as rejected for one reason, keeping the reason while few have been kept. */
  reject(path: string, reason: string, count = 1): void {
    if (count <= 0) return;
    this.rejectedDataPoints += count;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(`${path}: ${reason}`);
  }

  /**
   * Starts metric `index` of `group`, or rejects its `pointCount` points and returns null when the
   * metric itself is unusable (no name, no temporality).
   */
  begin(wire: WireMetric, group: MetricGroup, index: number, pointCount: number): OpenMetric | null {
    const path = `${group.path}.metrics[${index}]`;
    if (wire.kind === null) return null;
    const descriptor = describeMetric(wire, wire.kind, group.scopeName);
    if (typeof descriptor === "string") {
      this.reject(path, descriptor, pointCount);
      return null;
    }
    const kind = descriptor.kind;
    const data = { kind, points: [] } as unknown as ReceivedMetric["data"];
    return { metric: { descriptor, service: group.service, resource: group.resource, data }, path, bounds: null };
  }

  /** Keeps the metric if any of its points were accepted. */
  end(open: OpenMetric | null): void {
    if (open !== null && open.metric.data.points.length > 0) this.metrics.push(open.metric);
  }

  private accept<P>(open: OpenMetric, point: P): void {
    (open.metric.data.points as P[]).push(point);
  }

  /** Whether point `index` may be kept: it has a time and `fault` (its kind's checks) found nothing; else it is rejected. */
  private accepts<W extends WirePointCommon>(
    open: OpenMetric,
    w: W,
    index: number,
    fault: (w: W, name: string) => string | null,
  ): boolean {
    const reason = w.timeUnixNano === 0n ? "timeUnixNano is missing" : fault(w, open.metric.descriptor.name);
    if (reason === null) return true;
    this.reject(`${open.path}.dataPoints[${index}]`, reason);
    return false;
  }

  addNumber(open: OpenMetric, w: WireNumberPoint, index: number): void {
    const fault = open.metric.descriptor.monotonic === true ? monotonicFault : numberFault;
    if (!this.accepts(open, w, index, fault)) return;
    // NaN and ±Infinity are values OTLP allows (a Prometheus staleness marker is a NaN): accepted, and
    // read as a point without a recorded value, a gap, so that no chart plots them and no sum or rate
    // takes them in.
    const noRecordedValue = (w.flags & NO_RECORDED_VALUE) !== 0 || !Number.isFinite(w.value as number);
    const value = noRecordedValue ? 0 : (w.value as number);
    const point: NumberPoint = {
      attributes: w.attributes,
      startTimeUnixNano: w.startTimeUnixNano,
      timeUnixNano: w.timeUnixNano,
      exemplars: this.exemplarsOf(w),
      noRecordedValue,
      value,
    };
    this.accept(open, point);
  }

  addHistogram(open: OpenMetric, w: WireHistogramPoint, index: number): void {
    if (!this.accepts(open, w, index, this.histogramFault)) return;
    const point: HistogramPoint = {
      attributes: w.attributes,
      startTimeUnixNano: w.startTimeUnixNano,
      timeUnixNano: w.timeUnixNano,
      exemplars: this.exemplarsOf(w),
      noRecordedValue: (w.flags & NO_RECORDED_VALUE) !== 0,
      count: w.count,
      sum: w.sum,
      min: w.min,
      max: w.max,
      bounds: open.bounds !== null && sameBounds(open.bounds, w.bounds) ? open.bounds : w.bounds,
      counts: w.counts,
    };
    open.bounds = point.bounds;
    this.accept(open, point);
  }

  addExponential(open: OpenMetric, w: WireExponentialPoint, index: number): void {
    if (!this.accepts(open, w, index, exponentialFault)) return;
    const point: ExponentialHistogramPoint = {
      attributes: w.attributes,
      startTimeUnixNano: w.startTimeUnixNano,
      timeUnixNano: w.timeUnixNano,
      exemplars: this.exemplarsOf(w),
      noRecordedValue: (w.flags & NO_RECORDED_VALUE) !== 0,
      count: w.count,
      sum: w.sum,
      min: w.min,
      max: w.max,
      scale: w.scale,
      zeroCount: w.zeroCount,
      zeroThreshold: w.zeroThreshold,
      positive: w.positive,
      negative: w.negative,
    };
    this.accept(open, fitExponential(point));
  }

  addSummary(open: OpenMetric, w: WireSummaryPoint, index: number): void {
    if (!this.accepts(open, w, index, summaryFault)) return;
    const point: SummaryPoint = {
      attributes: w.attributes,
      startTimeUnixNano: w.startTimeUnixNano,
      timeUnixNano: w.timeUnixNano,
      exemplars: this.exemplarsOf(w),
      noRecordedValue: (w.flags & NO_RECORDED_VALUE) !== 0,
      count: w.count,
      sum: w.sum,
      quantiles: [...w.quantiles].sort((a, b) => a.quantile - b.quantile),
    };
    this.accept(open, point);
  }

  /** histogramFault, with bounds checked once per array. */
  private readonly histogramFault = (w: WireHistogramPoint, name: string): string | null => {
    if (w.bounds === this.validBounds) return countsFault(w, name);
    const fault = histogramFault(w, name);
    if (fault === null) this.validBounds = w.bounds;
    return fault;
  };

  private exemplarsOf(w: WirePointCommon): readonly Exemplar[] {
    return w.exemplars.length === 0 ? NO_EXEMPLARS : this.exemplars(w.exemplars);
  }

  /** Exemplars with a finite value, at most MAX_EXEMPLARS_PER_POINT; an unusable id is dropped alone. */
  private exemplars(wire: WireExemplar[]): Exemplar[] {
    const out: Exemplar[] = [];
    for (const e of wire) {
      if (out.length === MAX_EXEMPLARS_PER_POINT) break;
      if (e.value === null || !Number.isFinite(e.value)) continue;
      let traceId = this.id(e.traceId, 32);
      let spanId = this.id(e.spanId, 16);
      if (traceId === null || spanId === null) {
        traceId = null;
        spanId = null;
      }
      out.push({ timeUnixNano: e.timeUnixNano, value: e.value, traceId, spanId, attributes: e.attributes });
    }
    return out;
  }

  private id(raw: string, length: number): string | null {
    if (raw === "") return null;
    if (!this.hexIds) return parseHexId(raw, length);
    return raw.length === length && !/^0+$/.test(raw) ? raw : null;
  }

  result(): MetricDecodeResult {
    return { metrics: this.metrics, rejectedDataPoints: this.rejectedDataPoints, errors: this.errors };
  }
}

const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);

function numberFault(w: WireNumberPoint): string | null {
  if ((w.flags & NO_RECORDED_VALUE) !== 0) return null;
  if (w.value === null) return "has no value (asDouble or asInt)";
  return null;
}

/**
 * A monotonic sum (a counter) only counts up from 0: a negative increment (delta) or total
 * (cumulative) would read as a negative increase and rate. A cumulative total lower than the one
 * before but not negative is a reset, read as such where rates are made.
 */
function monotonicFault(w: WireNumberPoint, name: string): string | null {
  const fault = numberFault(w);
  if (fault !== null || (w.flags & NO_RECORDED_VALUE) !== 0) return fault;
  // Non-finite values are points without one (see addNumber), not refused.
  const value = w.value as number;
  if (value < 0 && Number.isFinite(value)) {
    return `monotonic sum "${name}" has a negative value (${value}); a counter only counts up from 0`;
  }
  return null;
}

function histogramFault(w: WireHistogramPoint, name: string): string | null {
  if (w.bounds.length > MAX_EXPLICIT_BOUNDS) {
    return `has ${count(w.bounds.length)} explicitBounds; at most ${count(MAX_EXPLICIT_BOUNDS)} are accepted`;
  }
  for (let i = 0; i < w.bounds.length; i++) {
    const b = w.bounds[i] as number;
    if (!Number.isFinite(b) || (i > 0 && b <= (w.bounds[i - 1] as number))) {
      return "explicitBounds are not strictly increasing finite numbers";
    }
  }
  return countsFault(w, name);
}

function countsFault(w: WireHistogramPoint, name: string): string | null {
  // OTLP: bucketCounts may be left out only with the bounds. Bounds without counts say nothing of
  // where the values fell; read as counts of 0 and the rest in the last bucket, they drew every value
  // past the last bound. A point flagged as recording nothing (a staleness marker) stays a gap.
  if (w.counts.length === 0 && w.bounds.length !== 0 && (w.flags & NO_RECORDED_VALUE) === 0) {
    return `has ${w.bounds.length} explicitBounds but no bucketCounts (both or neither)`;
  }
  if (w.counts.length !== 0 && w.counts.length !== w.bounds.length + 1) {
    return `has ${w.counts.length} bucketCounts for ${w.bounds.length} explicitBounds (needs ${w.bounds.length + 1})`;
  }
  // OTLP: with buckets, count is the sum of bucketCounts (without them, count alone is the point).
  // Otherwise the values total and the percentiles would disagree.
  if (w.counts.length !== 0 && (w.flags & NO_RECORDED_VALUE) === 0) {
    const total = totalOf(w.counts);
    if (countDisagrees(w.count, total)) {
      return `histogram "${name}" has count ${w.count} but its bucketCounts add up to ${total}`;
    }
  }
  return null;
}

function totalOf(counts: readonly number[], from = 0): number {
  let total = from;
  for (const c of counts) total += c;
  return total;
}

/** Whether a count and the total of its buckets differ, when both are exact (counts past 2^53 are rounded as read). */
function countDisagrees(count: number, total: number): boolean {
  return count !== total && Number.isSafeInteger(count) && Number.isSafeInteger(total);
}

function exponentialFault(w: WireExponentialPoint, name: string): string | null {
  if (!Number.isInteger(w.scale) || w.scale < MIN_SCALE || w.scale > MAX_SCALE) {
    return `scale ${w.scale} is outside ${MIN_SCALE}…${MAX_SCALE}`;
  }
  if (!Number.isFinite(w.zeroThreshold) || w.zeroThreshold < 0) {
    return `zeroThreshold ${w.zeroThreshold} is not a finite number >= 0`;
  }
  for (const buckets of [w.positive, w.negative]) {
    if (buckets.counts.length > MAX_WIRE_EXPONENTIAL_BUCKETS) {
      return `has ${count(buckets.counts.length)} buckets of one sign; at most ${count(MAX_WIRE_EXPONENTIAL_BUCKETS)} are accepted`;
    }
    // Bucket indexes must stay 32-bit integers: the downscaling arithmetic shifts them.
    if (Math.abs(buckets.offset) + buckets.counts.length > 2 ** 30)
      return `bucket offset ${buckets.offset} is out of range`;
  }
  // OTLP: count is zeroCount plus the bucketCounts of both signs, buckets or none.
  if ((w.flags & NO_RECORDED_VALUE) === 0) {
    const total = totalOf(w.negative.counts, totalOf(w.positive.counts, w.zeroCount));
    if (countDisagrees(w.count, total)) {
      return `exponential histogram "${name}" has count ${w.count} but zeroCount and its bucketCounts add up to ${total}`;
    }
  }
  return null;
}

function summaryFault(w: WireSummaryPoint): string | null {
  if (w.quantiles.length > MAX_QUANTILES)
    return `has ${count(w.quantiles.length)} quantileValues; at most ${count(MAX_QUANTILES)} are accepted`;
  for (const q of w.quantiles) {
    if (!(q.quantile >= 0 && q.quantile <= 1)) return `quantile ${q.quantile} is outside 0…1`;
    if (!Number.isFinite(q.value)) return `the value of quantile ${q.quantile} is not a finite number`;
  }
  return null;
}

/** An exponential point with more than MAX_EXPONENTIAL_BUCKETS buckets of a sign, downscaled until it has no more. */
function fitExponential(point: ExponentialHistogramPoint): ExponentialHistogramPoint {
  let by = 0;
  for (const b of [point.positive, point.negative]) {
    if (b.counts.length > 0)
      by = Math.max(by, stepsToFit(b.offset, b.offset + b.counts.length - 1, MAX_EXPONENTIAL_BUCKETS));
  }
  by = Math.min(by, point.scale - MIN_SCALE);
  if (by === 0) return point;
  // Changed in place (the point is this decoder's own): a spread would copy bigints slowly.
  point.scale -= by;
  point.positive = downscaleBuckets(point.positive, by);
  point.negative = downscaleBuckets(point.negative, by);
  return point;
}
