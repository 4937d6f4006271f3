/**
 * OTLP/JSON ExportMetricsServiceRequest (already JSON.parse'd) → domain metrics.
 *
 * Rule for wrongly shaped input, as for traces: a fault at or above the level of a data-point list
 * (body not an object; resourceMetrics, scopeMetrics, metrics or dataPoints not arrays; an entry of
 * those not an object; a data field not an object; a malformed resource or scope) makes the whole
 * body undecodable → OtlpDecodeError, because the points lost could not even be counted. A fault in
 * a metric's own fields (name not a string, an unknown temporality, two data fields) rejects all its
 * points; a fault inside one data point rejects that point alone. Unknown fields are ignored; null
 * counts as absent.
 */
import type { MetricKind } from "../../domain/metric.js";
import { OtlpDecodeError } from "../errors.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits, tooMany } from "../limits.js";
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
  type WireExemplar,
  type WireExponentialPoint,
  type WireMetric,
  type WirePointCommon,
} from "../metrics.js";
import {
  arrayField,
  asArray,
  asCount,
  asDouble,
  asEnum,
  asInt32,
  asInt64Number,
  asUint32,
  asUint64,
  field,
  isObject,
  type JsonObject,
  JsonShapeError,
  objectField,
  readKeyValues,
  show,
  stringField,
  structural,
} from "./common.js";
import { forEachScopeGroup, type JsonGroupOpener, type SignalFieldNames, sliceScopeGroups } from "./groups.js";

export const TEMPORALITY_NAMES: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

/** The data fields of a Metric (a oneof), by kind, with their snake_case spellings. */
const DATA_FIELDS: readonly [MetricKind, string, string][] = [
  ["gauge", "gauge", "gauge"],
  ["sum", "sum", "sum"],
  ["histogram", "histogram", "histogram"],
  ["exponentialHistogram", "exponentialHistogram", "exponential_histogram"],
  ["summary", "summary", "summary"],
];

const METRIC_FIELDS: SignalFieldNames = {
  resources: ["resourceMetrics", "resource_metrics"],
  scopes: ["scopeMetrics", "scope_metrics"],
  items: ["metrics", "metrics"],
};

export function decodeMetricsRequestJson(body: unknown, limits?: RequestLimits): MetricDecodeResult {
  const batch = new MetricBatch();
  forEachScopeGroup(body, METRIC_FIELDS, metricReader(batch, limits), "metrics", limits);
  return batch.result();
}

/** `decodeMetricsRequestJson` for a large body as received (never parsed whole), as steps to pace. */
export function* metricsRequestJsonSteps(
  bytes: Uint8Array,
  limits?: RequestLimits,
): Generator<void, MetricDecodeResult, void> {
  const batch = new MetricBatch();
  yield* sliceScopeGroups(bytes, METRIC_FIELDS, metricReader(batch, limits), "metrics", limits);
  return batch.result();
}

function metricReader(batch: MetricBatch, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): JsonGroupOpener {
  const points = { count: 0, max: limits.maxDataPoints };
  return (resource, scope, resourceIndex, scopeIndex) => {
    const group = metricGroup(resource, scope.name, resourceIndex, scopeIndex);
    return (metrics, first) => {
      for (let k = 0; k < metrics.length; k++) readMetric(batch, metrics[k], group, first + k, points);
    };
  };
}

function readMetric(
  batch: MetricBatch,
  metric: unknown,
  group: MetricGroup,
  index: number,
  points: { count: number; max: number },
): void {
  const path = `${group.path}.metrics[${index}]`;
  if (!isObject(metric)) throw new OtlpDecodeError(`${path} is not an object`);
  const present: { kind: MetricKind; name: string; data: JsonObject; points: unknown[] }[] = [];
  for (const [kind, camel, snake] of DATA_FIELDS) {
    const data = structural(path, () => objectField(metric, camel, snake));
    if (data === undefined) continue;
    const points = structural(`${path}.${camel}`, () => arrayField(data, "dataPoints", "data_points")) ?? [];
    present.push({ kind, name: camel, data, points });
  }
  const first = present[0];
  if (first === undefined) return;
  const pointCount = present.reduce((n, p) => n + p.points.length, 0);
  points.count += pointCount;
  if (points.count > points.max) throw tooMany("data points", points.max);
  if (present.length > 1) {
    batch.reject(path, `metric has more than one data field (${present.map((p) => p.name).join(", ")})`, pointCount);
    return;
  }
  let wire: WireMetric;
  try {
    wire = {
      name: stringField(metric, "name"),
      description: stringField(metric, "description"),
      unit: stringField(metric, "unit"),
      kind: first.kind,
      temporality: asEnum(
        field(first.data, "aggregationTemporality", "aggregation_temporality"),
        "aggregationTemporality",
        TEMPORALITY_NAMES,
      ),
      monotonic: asBoolean(field(first.data, "isMonotonic", "is_monotonic"), "isMonotonic"),
    };
  } catch (e) {
    if (!(e instanceof JsonShapeError)) throw e;
    batch.reject(path, e.message, pointCount);
    return;
  }
  const open = batch.begin(wire, group, index, pointCount);
  if (open === null) return;
  for (let p = 0; p < first.points.length; p++) readPoint(batch, open, first.kind, first.points[p], p);
  batch.end(open);
}

function asBoolean(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new JsonShapeError(`${name} ${show(value)} is not a boolean`);
  return value;
}

function readPoint(batch: MetricBatch, open: OpenMetric, kind: MetricKind, point: unknown, index: number): void {
  if (!isObject(point)) {
    batch.reject(`${open.path}.dataPoints[${index}]`, `data point ${show(point)} is not an object`);
    return;
  }
  try {
    switch (kind) {
      case "gauge":
      case "sum": {
        const w = readCommon(point, newWireNumberPoint());
        w.value = asDouble(field(point, "asDouble", "as_double"), "asDouble");
        w.value ??= asInt64Number(field(point, "asInt", "as_int"), "asInt");
        batch.addNumber(open, w, index);
        return;
      }
      case "histogram": {
        const w = readCommon(point, newWireHistogramPoint());
        readCountSumMinMax(point, w);
        w.counts = counts(field(point, "bucketCounts", "bucket_counts"), "bucketCounts");
        w.bounds = doubles(field(point, "explicitBounds", "explicit_bounds"), "explicitBounds");
        batch.addHistogram(open, w, index);
        return;
      }
      case "exponentialHistogram": {
        const w = readCommon(point, newWireExponentialPoint());
        readCountSumMinMax(point, w);
        w.scale = asInt32(field(point, "scale"), "scale");
        w.zeroCount = asCount(field(point, "zeroCount", "zero_count"), "zeroCount");
        w.zeroThreshold = asDouble(field(point, "zeroThreshold", "zero_threshold"), "zeroThreshold") ?? 0;
        w.positive = buckets(field(point, "positive"), "positive");
        w.negative = buckets(field(point, "negative"), "negative");
        batch.addExponential(open, w, index);
        return;
      }
      case "summary": {
        const w = readCommon(point, newWireSummaryPoint());
        w.count = asCount(field(point, "count"), "count");
        w.sum = asDouble(field(point, "sum"), "sum") ?? 0;
        for (const q of asArray(field(point, "quantileValues", "quantile_values"), "quantileValues") ?? []) {
          if (!isObject(q)) throw new JsonShapeError(`quantile value ${show(q)} is not an object`);
          w.quantiles.push({
            quantile: asDouble(field(q, "quantile"), "quantile") ?? 0,
            value: asDouble(field(q, "value"), "value") ?? 0,
          });
        }
        batch.addSummary(open, w, index);
        return;
      }
    }
  } catch (e) {
    if (!(e instanceof JsonShapeError)) throw e;
    batch.reject(`${open.path}.dataPoints[${index}]`, e.message);
  }
}

function readCommon<W extends WirePointCommon>(point: JsonObject, w: W): W {
  readKeyValues(asArray(field(point, "attributes"), "attributes"), w.attributes, 1);
  w.startTimeUnixNano = asUint64(field(point, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano");
  w.timeUnixNano = asUint64(field(point, "timeUnixNano", "time_unix_nano"), "timeUnixNano");
  w.flags = asUint32(field(point, "flags"), "flags");
  for (const e of asArray(field(point, "exemplars"), "exemplars") ?? []) w.exemplars.push(readExemplar(e));
  return w;
}

function readCountSumMinMax(
  point: JsonObject,
  w: { count: number; sum: number | null; min: number | null; max: number | null },
): void {
  w.count = asCount(field(point, "count"), "count");
  w.sum = asDouble(field(point, "sum"), "sum");
  w.min = asDouble(field(point, "min"), "min");
  w.max = asDouble(field(point, "max"), "max");
}

function readExemplar(e: unknown): WireExemplar {
  if (!isObject(e)) throw new JsonShapeError(`exemplar ${show(e)} is not an object`);
  const w = newWireExemplar();
  readKeyValues(asArray(field(e, "filteredAttributes", "filtered_attributes"), "filteredAttributes"), w.attributes, 1);
  w.timeUnixNano = asUint64(field(e, "timeUnixNano", "time_unix_nano"), "timeUnixNano");
  w.value = asDouble(field(e, "asDouble", "as_double"), "asDouble");
  w.value ??= asInt64Number(field(e, "asInt", "as_int"), "asInt");
  w.traceId = stringField(e, "traceId", "trace_id");
  w.spanId = stringField(e, "spanId", "span_id");
  return w;
}

function counts(value: unknown, name: string): number[] {
  const list = asArray(value, name);
  return list === undefined ? [] : list.map((v) => asCount(v, name));
}

function doubles(value: unknown, name: string): number[] {
  const list = asArray(value, name);
  return list === undefined ? [] : list.map((v) => asDouble(v, name) ?? Number.NaN);
}

function buckets(value: unknown, name: string): WireExponentialPoint["positive"] {
  if (value === undefined) return { offset: 0, counts: [] };
  if (!isObject(value)) throw new JsonShapeError(`${name} ${show(value)} is not an object`);
  return {
    offset: asInt32(field(value, "offset"), `${name}.offset`),
    counts: counts(field(value, "bucketCounts", "bucket_counts"), `${name}.bucketCounts`),
  };
}
