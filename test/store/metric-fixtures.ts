import type {
  Exemplar,
  HistogramPoint,
  MetricDescriptor,
  NumberPoint,
  ReceivedMetric,
  SummaryPoint,
} from "../../src/domain/metric.js";
import type { Attributes } from "../../src/domain/span.js";

/** A fixed clock for stored points: 2026-01-01T00:00:00Z, and helpers around it. */
export const T0_MS = Date.UTC(2026, 0, 1);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export function ns(ms: number): bigint {
  return BigInt(ms) * 1_000_000n;
}

export function descriptor(name: string, partial: Partial<MetricDescriptor> = {}): MetricDescriptor {
  return { name, description: "", unit: "", kind: "gauge", tracekit: false, ...partial };
}

interface PointInput {
  atMs: number;
  value: number;
  attributes?: Attributes;
  startMs?: number;
  exemplars?: Exemplar[];
}

function numberPoint(p: PointInput): NumberPoint {
  return {
    attributes: p.attributes ?? {},
    startTimeUnixNano: p.startMs === undefined ? 0n : ns(p.startMs),
    timeUnixNano: ns(p.atMs),
    value: p.value,
    exemplars: p.exemplars ?? [],
    noRecordedValue: false,
  };
}

export function gauge(
  name: string,
  service: string,
  points: PointInput[],
  partial: Partial<MetricDescriptor> = {},
): ReceivedMetric {
  return {
    descriptor: descriptor(name, { kind: "gauge", ...partial }),
    service,
    data: { kind: "gauge", points: points.map(numberPoint) },
  };
}

export function sum(
  name: string,
  service: string,
  points: PointInput[],
  options: { temporality: "delta" | "cumulative"; monotonic: boolean; tracekit?: boolean; unit?: string },
): ReceivedMetric {
  return {
    descriptor: descriptor(name, {
      kind: "sum",
      temporality: options.temporality,
      monotonic: options.monotonic,
      tracekit: options.tracekit ?? false,
      unit: options.unit ?? "",
    }),
    service,
    data: { kind: "sum", points: points.map(numberPoint) },
  };
}

export function histogram(
  name: string,
  service: string,
  points: {
    atMs: number;
    startMs?: number;
    counts: number[];
    bounds: number[];
    sum?: number;
    min?: number;
    max?: number;
    attributes?: Attributes;
    exemplars?: Exemplar[];
  }[],
  temporality: "delta" | "cumulative" = "delta",
): ReceivedMetric {
  const data: HistogramPoint[] = points.map((p) => ({
    attributes: p.attributes ?? {},
    startTimeUnixNano: p.startMs === undefined ? 0n : ns(p.startMs),
    timeUnixNano: ns(p.atMs),
    exemplars: p.exemplars ?? [],
    noRecordedValue: false,
    count: p.counts.reduce((a, b) => a + b, 0),
    sum: p.sum ?? null,
    min: p.min ?? null,
    max: p.max ?? null,
    bounds: p.bounds,
    counts: p.counts,
  }));
  return {
    descriptor: descriptor(name, { kind: "histogram", temporality, unit: "ms" }),
    service,
    data: { kind: "histogram", points: data },
  };
}

export function summary(
  name: string,
  service: string,
  points: { atMs: number; count: number; sum: number; quantiles: [number, number][] }[],
): ReceivedMetric {
  const data: SummaryPoint[] = points.map((p) => ({
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: ns(p.atMs),
    exemplars: [],
    noRecordedValue: false,
    count: p.count,
    sum: p.sum,
    quantiles: p.quantiles.map(([quantile, value]) => ({ quantile, value })),
  }));
  return { descriptor: descriptor(name, { kind: "summary" }), service, data: { kind: "summary", points: data } };
}

export function exemplar(atMs: number, value: number, trace = 1): Exemplar {
  return {
    timeUnixNano: ns(atMs),
    value,
    traceId: trace.toString(16).padStart(32, "0"),
    spanId: trace.toString(16).padStart(16, "0"),
    attributes: { "user.id": `u${trace}` },
  };
}
