/**
 * ExportMetricsServiceRequest (opentelemetry.proto.collector.metrics.v1) bytes → domain metrics,
 * without an intermediate message tree. Any wire-level malformation throws OtlpDecodeError for the
 * whole body; a data point that decodes but is invalid is rejected alone by the shared rules in
 * ../metrics.ts. Field numbers: opentelemetry/proto/metrics/v1/metrics.proto.
 */

import type { MetricKind } from "../../domain/metric.js";
import { type Attributes, setAttribute } from "../../domain/span.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits, runToEnd, tooMany } from "../limits.js";
import {
  MetricBatch,
  type MetricDecodeResult,
  type MetricGroup,
  metricGroup,
  newWireExemplar,
  newWireExponentialPoint,
  newWireHistogramPoint,
  newWireNumberPoint,
  newWireSummaryPoint,
  type OpenMetric,
  resetWireHistogramPoint,
  resetWireNumberPoint,
  type WireExemplar,
  type WireExponentialPoint,
  type WireHistogramPoint,
  type WireMetric,
  type WireNumberPoint,
  type WirePointCommon,
  type WireSummaryPoint,
} from "../metrics.js";
import { readAttributeField } from "./common.js";
import { walkExportBody } from "./groups.js";
import {
  type AttributeSet,
  AttributeSetCache,
  fieldEnd,
  holds,
  MAX_CACHED_SET_BYTES,
  sameBytes,
} from "./metrics-attribute-sets.js";
import { type ProtoReader, tagOf, WIRE_I64, WIRE_LEN, WIRE_VARINT } from "./wire.js";

// The request, ResourceMetrics and ScopeMetrics levels are protobuf/groups.ts's.
// Metric (data is a oneof: the last data field present wins)
const T_NAME = tagOf(1, WIRE_LEN);
const T_DESCRIPTION = tagOf(2, WIRE_LEN);
const T_UNIT = tagOf(3, WIRE_LEN);
const DATA_KINDS = new Map<number, MetricKind>([
  [tagOf(5, WIRE_LEN), "gauge"],
  [tagOf(7, WIRE_LEN), "sum"],
  [tagOf(9, WIRE_LEN), "histogram"],
  [tagOf(10, WIRE_LEN), "exponentialHistogram"],
  [tagOf(11, WIRE_LEN), "summary"],
]);
// Gauge, Sum, Histogram, ExponentialHistogram, Summary
const T_DATA_POINTS = tagOf(1, WIRE_LEN);
const T_TEMPORALITY = tagOf(2, WIRE_VARINT);
const T_MONOTONIC = tagOf(3, WIRE_VARINT);
// Fields every data point has at the same number
const T_START = tagOf(2, WIRE_I64);
const T_TIME = tagOf(3, WIRE_I64);
// NumberDataPoint
const T_NUMBER_ATTRIBUTES = tagOf(7, WIRE_LEN);
const T_AS_DOUBLE = tagOf(4, WIRE_I64);
const T_AS_INT = tagOf(6, WIRE_I64);
const T_NUMBER_EXEMPLARS = tagOf(5, WIRE_LEN);
const T_NUMBER_FLAGS = tagOf(8, WIRE_VARINT);
// HistogramDataPoint
const T_HISTOGRAM_ATTRIBUTES = tagOf(9, WIRE_LEN);
const T_COUNT = tagOf(4, WIRE_I64);
const T_SUM = tagOf(5, WIRE_I64);
const F_BUCKET_COUNTS = 6;
const F_EXPLICIT_BOUNDS = 7;
const T_HISTOGRAM_EXEMPLARS = tagOf(8, WIRE_LEN);
const T_HISTOGRAM_FLAGS = tagOf(10, WIRE_VARINT);
const T_HISTOGRAM_MIN = tagOf(11, WIRE_I64);
const T_HISTOGRAM_MAX = tagOf(12, WIRE_I64);
// ExponentialHistogramDataPoint
const T_EXP_ATTRIBUTES = tagOf(1, WIRE_LEN);
const T_SCALE = tagOf(6, WIRE_VARINT);
const T_ZERO_COUNT = tagOf(7, WIRE_I64);
const T_POSITIVE = tagOf(8, WIRE_LEN);
const T_NEGATIVE = tagOf(9, WIRE_LEN);
const T_EXP_FLAGS = tagOf(10, WIRE_VARINT);
const T_EXP_EXEMPLARS = tagOf(11, WIRE_LEN);
const T_EXP_MIN = tagOf(12, WIRE_I64);
const T_EXP_MAX = tagOf(13, WIRE_I64);
const T_ZERO_THRESHOLD = tagOf(14, WIRE_I64);
// ExponentialHistogramDataPoint.Buckets
const T_OFFSET = tagOf(1, WIRE_VARINT);
const F_EXP_BUCKET_COUNTS = 2;
// SummaryDataPoint
const T_SUMMARY_ATTRIBUTES = tagOf(7, WIRE_LEN);
const T_QUANTILE_VALUES = tagOf(6, WIRE_LEN);
const T_SUMMARY_FLAGS = tagOf(8, WIRE_VARINT);
// SummaryDataPoint.ValueAtQuantile
const T_QUANTILE = tagOf(1, WIRE_I64);
const T_QUANTILE_VALUE = tagOf(2, WIRE_I64);
// Exemplar
const T_EXEMPLAR_ATTRIBUTES = tagOf(7, WIRE_LEN);
const T_EXEMPLAR_TIME = tagOf(2, WIRE_I64);
const T_EXEMPLAR_AS_DOUBLE = tagOf(3, WIRE_I64);
const T_EXEMPLAR_AS_INT = tagOf(6, WIRE_I64);
const T_EXEMPLAR_SPAN_ID = tagOf(4, WIRE_LEN);
const T_EXEMPLAR_TRACE_ID = tagOf(5, WIRE_LEN);

/**
 * Shared by every request, as the reader's string tables are: a series' attributes arrive with each
 * export, in bytes equal to the last ones.
 */
const sharedAttributeSets = new AttributeSetCache();

export function decodeMetricsRequestProtobuf(
  bytes: Uint8Array,
  limits?: RequestLimits,
  /**
   * Where seen attribute sets are kept. null reads every point on its own, remembering nothing from
   * the points before it (the plain reading tests compare with).
   */
  attributeSets: AttributeSetCache | null = sharedAttributeSets,
): MetricDecodeResult {
  return runToEnd(metricsRequestSteps(bytes, limits, attributeSets));
}

/** `decodeMetricsRequestProtobuf` as steps that a caller can pace (`runPaced`). */
export function* metricsRequestSteps(
  bytes: Uint8Array,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
  attributeSets: AttributeSetCache | null = sharedAttributeSets,
): Generator<void, MetricDecodeResult, void> {
  const batch = new MetricBatch(true);
  const scratch: Scratch = {
    number: newWireNumberPoint(),
    histogram: newWireHistogramPoint(),
    points: 0,
    maxPoints: limits.maxDataPoints,
    attributeSets,
    view: null,
    viewOf: null,
    lastSet: null,
    boundsOf: null,
    start: { lo: 0, hi: 0, value: 0n },
    time: { lo: 0, hi: 0, value: 0n },
    boundsStart: 0,
    boundsEnd: 0,
    bounds: [],
    sharedAttributes: false,
    attributeRuns: 0,
  };
  yield* walkExportBody(
    bytes,
    (resource, scope, resourceIndex, scopeIndex) => {
      const group = metricGroup(resource, scope.name, resourceIndex, scopeIndex);
      return (r, index) => readMetric(r, batch, group, index, scratch);
    },
    "metrics",
    limits,
  );
  return batch.result();
}

function readMetric(r: ProtoReader, batch: MetricBatch, group: MetricGroup, index: number, scratch: Scratch): void {
  // First pass: the metric's own fields, and where its (last) data field is.
  const wire: WireMetric = { name: "", description: "", unit: "", kind: null, temporality: 0, monotonic: false };
  let dataAt = -1;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_NAME) wire.name = r.shortString();
    else if (tag === T_DESCRIPTION) wire.description = r.shortString();
    else if (tag === T_UNIT) wire.unit = r.shortString();
    else {
      const kind = DATA_KINDS.get(tag);
      if (kind !== undefined) {
        wire.kind = kind;
        wire.temporality = 0;
        wire.monotonic = false;
        dataAt = r.pos;
      }
      r.skip(tag);
    }
  }
  if (wire.kind === null) return;
  const metricEnd = r.pos;
  // Second pass over the data message: its settings and how many points it holds, then the points.
  r.pos = dataAt;
  const saved = r.enter();
  const dataStart = r.pos;
  let pointCount = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_TEMPORALITY) wire.temporality = r.int32();
    else if (tag === T_MONOTONIC) wire.monotonic = r.bool();
    else {
      if (tag === T_DATA_POINTS) pointCount++;
      r.skip(tag);
    }
  }
  scratch.points += pointCount;
  if (scratch.points > scratch.maxPoints) throw tooMany("data points", scratch.maxPoints);
  const open = batch.begin(wire, group, index, pointCount);
  if (open !== null) {
    r.pos = dataStart;
    let pointIndex = 0;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === T_DATA_POINTS) {
        const savedPoint = r.enter();
        readPoint(r, batch, open, wire.kind, pointIndex++, scratch);
        r.leave(savedPoint);
      } else {
        r.skip(tag);
      }
    }
    batch.end(open);
  }
  r.leave(saved);
  r.pos = metricEnd;
}

interface LastTime {
  lo: number;
  hi: number;
  value: bigint;
}

/** One scratch wire point of each common kind per request: the shared rules copy what they keep. */
interface Scratch {
  number: WireNumberPoint;
  histogram: WireHistogramPoint;
  /** Data points met so far in the request, and how many it may hold. */
  points: number;
  maxPoints: number;
  attributeSets: AttributeSetCache | null;
  /** The bytes being read, for the attribute-set cache (a reader may hold part of a request). */
  view: DataView | null;
  viewOf: Uint8Array | null;
  /** Whether the point being read holds a shared set (cached, or NO_ATTRIBUTES): frozen, an attribute field read into it copies it first. */
  sharedAttributes: boolean;
  /** The set of the last point that had one. */
  lastSet: AttributeSet | null;
  /** Runs of attribute fields met in the point being read: only its first is looked up. */
  attributeRuns: number;
  /**
   * The last packed explicit bounds read whole as a point's first bounds field: where their bytes
   * sit in `boundsOf` and the array they were read into. Histogram points of a metric nearly always
   * share their bounds: equal bytes hand the next point the same array (never changed once read).
   */
  boundsOf: Uint8Array | null;
  /** The last start and time read, as their two 32-bit halves. */
  start: LastTime;
  time: LastTime;
  boundsStart: number;
  boundsEnd: number;
  bounds: number[];
}

function readPoint(
  r: ProtoReader,
  batch: MetricBatch,
  open: OpenMetric,
  kind: MetricKind,
  index: number,
  scratch: Scratch,
): void {
  switch (kind) {
    case "gauge":
    case "sum":
      startPoint(scratch, true);
      batch.addNumber(open, readNumberPoint(r, resetWireNumberPoint(scratch.number, NO_ATTRIBUTES), scratch), index);
      return;
    case "histogram":
      startPoint(scratch, true);
      batch.addHistogram(
        open,
        readHistogramPoint(r, resetWireHistogramPoint(scratch.histogram, NO_ATTRIBUTES), scratch),
        index,
      );
      return;
    case "exponentialHistogram":
      startPoint(scratch, false);
      batch.addExponential(open, readExponentialPoint(r, scratch), index);
      return;
    case "summary":
      startPoint(scratch, false);
      batch.addSummary(open, readSummaryPoint(r, scratch), index);
      return;
  }
}

/**
 * The attributes a number or histogram point starts with: shared, so that a point whose set comes
 * from the cache allocates none (the first attribute read into it makes the point its own object).
 */
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/** `shared`: the point starts with NO_ATTRIBUTES (exponential and summary points get a new object of their own). */
function startPoint(scratch: Scratch, shared: boolean): void {
  scratch.sharedAttributes = shared;
  scratch.attributeRuns = 0;
}

/** A field every data point has (its attributes, at `attributesTag`; start and time) into `w`; false for any other. */
function readPointField(
  r: ProtoReader,
  tag: number,
  w: WirePointCommon,
  attributesTag: number,
  scratch: Scratch,
): boolean {
  if (tag === attributesTag) readAttributeRun(r, w, attributesTag, scratch);
  else if (tag === T_START) w.startTimeUnixNano = readTime(r, scratch.start, scratch);
  else if (tag === T_TIME) w.timeUnixNano = readTime(r, scratch.time, scratch);
  else return false;
  return true;
}

/**
 * The attribute field whose tag was just read and, for a point's first, the attribute fields right
 * after it (encoders write a point's attributes together), into `w.attributes`: from the
 * attribute-set cache when the same bytes were decoded before. Their values count against the
 * request's limit either way; fields the run cannot vouch for are left to the plain reading.
 */
function readAttributeRun(r: ProtoReader, w: WirePointCommon, attributesTag: number, scratch: Scratch): void {
  const start = r.pos;
  const buf = r.buf;
  const attributeSets = scratch.attributeSets;
  let end = scratch.attributeRuns++ === 0 && attributeSets !== null ? fieldEnd(buf, start, r.end) : -1;
  if (end !== -1) {
    while (end < r.end && buf[end] === attributesTag) {
      const next = fieldEnd(buf, end + 1, r.end);
      if (next === -1) break;
      end = next;
    }
  }
  if (end === -1 || end - start > MAX_CACHED_SET_BYTES || attributeSets === null) {
    if (scratch.sharedAttributes) {
      // A later attribute field of a point that holds a shared set (rare): added to a copy.
      const copy: Attributes = {};
      for (const key in w.attributes) setAttribute(copy, key, w.attributes[key] ?? null);
      w.attributes = copy;
      scratch.sharedAttributes = false;
    }
    readAttributeField(r, w.attributes);
    return;
  }
  const view = viewOf(buf, scratch);
  const predicted = scratch.lastSet === null ? null : scratch.lastSet.next;
  let set = predicted !== null && holds(predicted, view, start, end) ? predicted : undefined;
  if (set === undefined) {
    const hash = attributeSets.hash(view, start, end);
    set = attributeSets.find(view, start, end, hash);
    if (set === undefined) {
      const valuesBefore = r.values;
      // The point's first run: what it holds is empty (NO_ATTRIBUTES, or a new object).
      if (scratch.sharedAttributes) w.attributes = {};
      readAttributeField(r, w.attributes);
      while (r.pos < end) {
        r.tag();
        readAttributeField(r, w.attributes);
      }
      set = attributeSets.keep(buf, start, end, hash, w.attributes, r.values - valuesBefore);
      r.values -= set.values;
    }
  }
  r.values += set.values;
  if (r.values > r.maxValues) throw tooMany("attribute values", r.maxValues);
  r.pos = end;
  // Frozen: points and series share it, and none of them changes attributes.
  w.attributes = set.attributes as Attributes;
  scratch.sharedAttributes = true;
  if (scratch.lastSet !== null) scratch.lastSet.next = set;
  scratch.lastSet = set;
}

/** A DataView over `buf`, made once per reader's bytes. */
function viewOf(buf: Uint8Array, scratch: Scratch): DataView {
  let view = scratch.view;
  // By the array's identity: reading `.buffer` of a typed array costs more than a lookup.
  if (view === null || scratch.viewOf !== buf) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    scratch.view = view;
    scratch.viewOf = buf;
  }
  return view;
}

/**
 * A fixed64 time: the value of the previous one in `last` when its eight bytes are the same (the
 * points of an export share their time and start), which spares a BigInt per point and field.
 */
function readTime(r: ProtoReader, last: LastTime, scratch: Scratch): bigint {
  const pos = r.pos;
  if (pos + 8 > r.end || scratch.attributeSets === null) return r.fixed64();
  const view = viewOf(r.buf, scratch);
  const lo = view.getUint32(pos, true);
  const hi = view.getUint32(pos + 4, true);
  if (lo === last.lo && hi === last.hi) {
    r.pos = pos + 8;
    return last.value;
  }
  const value = r.fixed64();
  last.lo = lo;
  last.hi = hi;
  last.value = value;
  return value;
}

function readNumberPoint(r: ProtoReader, w: WireNumberPoint, scratch: Scratch): WireNumberPoint {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (readPointField(r, tag, w, T_NUMBER_ATTRIBUTES, scratch)) continue;
    switch (tag) {
      case T_AS_DOUBLE:
        w.value = r.double();
        break;
      case T_AS_INT:
        w.value = r.sfixed64Number();
        break;
      case T_NUMBER_EXEMPLARS:
        w.exemplars.push(readExemplarField(r));
        break;
      case T_NUMBER_FLAGS:
        w.flags = r.varint32();
        break;
      default:
        r.skip(tag);
    }
  }
  return w;
}

function readHistogramPoint(r: ProtoReader, w: WireHistogramPoint, scratch: Scratch): WireHistogramPoint {
  while (r.pos < r.end) {
    const tag = r.tag();
    if (readPointField(r, tag, w, T_HISTOGRAM_ATTRIBUTES, scratch)) continue;
    switch (tag) {
      case T_COUNT:
        w.count = r.fixed64Number();
        break;
      case T_SUM:
        w.sum = r.double();
        break;
      case T_HISTOGRAM_EXEMPLARS:
        w.exemplars.push(readExemplarField(r));
        break;
      case T_HISTOGRAM_FLAGS:
        w.flags = r.varint32();
        break;
      case T_HISTOGRAM_MIN:
        w.min = r.double();
        break;
      case T_HISTOGRAM_MAX:
        w.max = r.double();
        break;
      default:
        if (tag >>> 3 === F_BUCKET_COUNTS) r.repeatedFixed64Number(tag, w.counts);
        else if (tag >>> 3 === F_EXPLICIT_BOUNDS) readBoundsField(r, tag, w, scratch);
        else r.skip(tag);
    }
  }
  return w;
}

/**
 * An explicit_bounds field into `w.bounds`: the previous point's array when its bytes are the same,
 * else the array these bytes were read into before (by an earlier request too), else a new one.
 */
function readBoundsField(r: ProtoReader, tag: number, w: WireHistogramPoint, scratch: Scratch): void {
  const buf = r.buf;
  const start = r.pos;
  const attributeSets = scratch.attributeSets;
  const end =
    (tag & 7) === WIRE_LEN && w.bounds.length === 0 && attributeSets !== null ? fieldEnd(buf, start, r.end) : -1;
  if (end === -1 || attributeSets === null) {
    // Repeated fields append: never to a shared array.
    if (w.bounds === scratch.bounds) w.bounds = w.bounds.slice();
    r.repeatedDouble(tag, w.bounds);
    return;
  }
  const view = viewOf(buf, scratch);
  if (scratch.boundsOf === buf && scratch.boundsEnd - scratch.boundsStart === end - start) {
    if (sameBytes(view, scratch.boundsStart, view, start, end - start)) {
      w.bounds = scratch.bounds;
      r.pos = end;
      return;
    }
  }
  const hash = attributeSets.hash(view, start, end);
  const known = attributeSets.bounds.find(view, start, end, hash);
  if (known !== undefined) {
    // Shared with earlier requests' points and the series that keep them: never changed.
    w.bounds = known as number[];
    r.pos = end;
  } else {
    r.repeatedDouble(tag, w.bounds);
    attributeSets.bounds.keep(buf, start, end, hash, w.bounds);
  }
  scratch.boundsOf = buf;
  scratch.boundsStart = start;
  scratch.boundsEnd = end;
  scratch.bounds = w.bounds;
}

function readExponentialPoint(r: ProtoReader, scratch: Scratch): WireExponentialPoint {
  const w = newWireExponentialPoint();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (readPointField(r, tag, w, T_EXP_ATTRIBUTES, scratch)) continue;
    switch (tag) {
      case T_COUNT:
        w.count = r.fixed64Number();
        break;
      case T_SUM:
        w.sum = r.double();
        break;
      case T_SCALE:
        w.scale = r.sint32();
        break;
      case T_ZERO_COUNT:
        w.zeroCount = r.fixed64Number();
        break;
      case T_POSITIVE:
        readBucketsField(r, w.positive);
        break;
      case T_NEGATIVE:
        readBucketsField(r, w.negative);
        break;
      case T_EXP_FLAGS:
        w.flags = r.varint32();
        break;
      case T_EXP_EXEMPLARS:
        w.exemplars.push(readExemplarField(r));
        break;
      case T_EXP_MIN:
        w.min = r.double();
        break;
      case T_EXP_MAX:
        w.max = r.double();
        break;
      case T_ZERO_THRESHOLD:
        w.zeroThreshold = r.double();
        break;
      default:
        r.skip(tag);
    }
  }
  return w;
}

/** A Buckets field into `into` (a repeated singular message merges: counts append, the last offset wins). */
function readBucketsField(r: ProtoReader, into: WireExponentialPoint["positive"]): void {
  const saved = r.enter();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_OFFSET) into.offset = r.sint32();
    else if (tag >>> 3 === F_EXP_BUCKET_COUNTS) r.repeatedUint64Number(tag, into.counts);
    else r.skip(tag);
  }
  r.leave(saved);
}

function readSummaryPoint(r: ProtoReader, scratch: Scratch): WireSummaryPoint {
  const w = newWireSummaryPoint();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (readPointField(r, tag, w, T_SUMMARY_ATTRIBUTES, scratch)) continue;
    switch (tag) {
      case T_COUNT:
        w.count = r.fixed64Number();
        break;
      case T_SUM:
        w.sum = r.double();
        break;
      case T_QUANTILE_VALUES: {
        const saved = r.enter();
        const q = { quantile: 0, value: 0 };
        while (r.pos < r.end) {
          const t = r.tag();
          if (t === T_QUANTILE) q.quantile = r.double();
          else if (t === T_QUANTILE_VALUE) q.value = r.double();
          else r.skip(t);
        }
        r.leave(saved);
        w.quantiles.push(q);
        break;
      }
      case T_SUMMARY_FLAGS:
        w.flags = r.varint32();
        break;
      default:
        r.skip(tag);
    }
  }
  return w;
}

function readExemplarField(r: ProtoReader): WireExemplar {
  const w = newWireExemplar();
  const saved = r.enter();
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case T_EXEMPLAR_ATTRIBUTES:
        readAttributeField(r, w.attributes);
        break;
      case T_EXEMPLAR_TIME:
        w.timeUnixNano = r.fixed64();
        break;
      case T_EXEMPLAR_AS_DOUBLE:
        w.value = r.double();
        break;
      case T_EXEMPLAR_AS_INT:
        w.value = r.sfixed64Number();
        break;
      case T_EXEMPLAR_SPAN_ID:
        w.spanId = r.idHex();
        break;
      case T_EXEMPLAR_TRACE_ID:
        w.traceId = r.idHex();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(saved);
  return w;
}
