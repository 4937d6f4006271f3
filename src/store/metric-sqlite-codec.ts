/**
 * The SQLite metric store's row bodies: entries, series state and distributions as JSON. JSON has
 * no NaN or infinities: "unknown" sums, minimums and maximums travel as null, and absent entry
 * fields are left out.
 */
import type { Exemplar, QuantileValue } from "../domain/metric.js";
import type { Distribution } from "../domain/metric-distribution.js";
import type { ReadingState } from "../domain/metric-reading.js";
import type { EntryFields, MetricSeries } from "./metric-series.js";

type Json = Record<string, unknown>;

function nanOrNumber(value: unknown): number {
  return typeof value === "number" ? value : Number.NaN;
}

function decodeDistribution(d: Json | null | undefined): Distribution | null {
  if (d === null || d === undefined) return null;
  if (d.type === "samples") return d as unknown as Distribution;
  return {
    ...(d as unknown as Distribution),
    sum: nanOrNumber(d.sum),
    min: nanOrNumber(d.min),
    max: nanOrNumber(d.max),
  } as Distribution;
}

export function encodeEntry(e: EntryFields): string {
  const body: Json = { t: e.t, n: e.n };
  if (!Number.isNaN(e.increase)) {
    body.i = e.increase;
    body.f = e.increaseFrom;
    body.o = e.increaseTo;
  }
  if (!Number.isNaN(e.value)) {
    body.v = e.value;
    body.a = e.valueAt;
    if (
      Number.isFinite(e.valueMin) &&
      Number.isFinite(e.valueMax) &&
      (e.valueMin !== e.value || e.valueMax !== e.value)
    ) {
      body.lo = e.valueMin;
      body.hi = e.valueMax;
    }
  }
  if (e.distribution !== null) body.d = e.distribution;
  if (e.quantiles !== null) {
    body.q = e.quantiles;
    body.qa = e.quantilesAt;
  }
  return JSON.stringify(body);
}

export function decodeEntry(text: string): EntryFields {
  const body = JSON.parse(text) as Json;
  const hasIncrease = typeof body.i === "number";
  const hasValue = typeof body.v === "number";
  const hasQuantiles = Array.isArray(body.q);
  return {
    t: body.t as number,
    n: body.n as number,
    increase: hasIncrease ? (body.i as number) : Number.NaN,
    increaseFrom: hasIncrease ? (body.f as number) : Number.POSITIVE_INFINITY,
    increaseTo: hasIncrease ? (body.o as number) : Number.NEGATIVE_INFINITY,
    value: hasValue ? (body.v as number) : Number.NaN,
    valueAt: hasValue ? (body.a as number) : Number.NEGATIVE_INFINITY,
    valueMin: typeof body.lo === "number" ? body.lo : Number.NaN,
    valueMax: typeof body.hi === "number" ? body.hi : Number.NaN,
    distribution: decodeDistribution(body.d as Json | undefined),
    quantiles: hasQuantiles ? (body.q as QuantileValue[]) : null,
    quantilesAt: hasQuantiles ? (body.qa as number) : Number.NEGATIVE_INFINITY,
  };
}

/** What a series carries besides its entries. */
export interface SeriesState {
  reading: ReadingState;
  lastMs: number;
  exemplars: Exemplar[];
  /** The key of its next raw entry. */
  nextRawKey: number;
  /** The bounds its explicit histograms are kept in. */
  bounds: readonly number[] | null;
}

export function encodeSeriesState(series: MetricSeries): string {
  const previous = series.reading.previous;
  return JSON.stringify({
    r: {
      p:
        previous === null
          ? null
          : {
              s: previous.startTimeUnixNano.toString(),
              t: previous.timeUnixNano.toString(),
              v: previous.value,
              d: previous.distribution,
            },
      total: series.reading.total,
    },
    l: Number.isFinite(series.lastMs) ? series.lastMs : null,
    x: series.exemplars.map((e) => ({
      t: e.timeUnixNano.toString(),
      v: e.value,
      tr: e.traceId,
      sp: e.spanId,
      at: e.attributes,
    })),
    k: series.nextRawKey,
    b: series.bounds,
  });
}

export function decodeSeriesState(text: string): SeriesState {
  const body = JSON.parse(text) as {
    r: { p: { s: string; t: string; v: number; d: Json | null } | null; total: number };
    l: number | null;
    x: { t: string; v: number; tr: string | null; sp: string | null; at: Exemplar["attributes"] }[];
    k: number;
    b?: number[] | null;
  };
  const p = body.r.p;
  return {
    reading: {
      previous:
        p === null
          ? null
          : {
              startTimeUnixNano: BigInt(p.s),
              timeUnixNano: BigInt(p.t),
              value: p.v,
              distribution: decodeDistribution(p.d),
            },
      total: body.r.total,
    },
    lastMs: body.l ?? Number.NEGATIVE_INFINITY,
    exemplars: body.x.map((e) => ({
      timeUnixNano: BigInt(e.t),
      value: e.v,
      traceId: e.tr,
      spanId: e.sp,
      attributes: e.at,
    })),
    nextRawKey: body.k,
    bounds: body.b ?? null,
  };
}
