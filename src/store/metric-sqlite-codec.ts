/**
 * The SQLite metric store's row bodies: entries, series state and distributions as JSON. JSON has
 * no NaN or infinities: "unknown" sums, minimums and maximums travel as null, and absent entry
 * fields are left out.
 */
import type { Exemplar } from "../domain/metric.js";
import type { Distribution } from "../domain/metric-distribution.js";
import type { ReadingState } from "../domain/metric-reading.js";
import { MetricEntry, type MetricSeries } from "./metric-series.js";

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

export function encodeEntry(e: MetricEntry): string {
  const body: Json = { t: e.t, n: e.n };
  if (!Number.isNaN(e.increase)) {
    body.i = e.increase;
    body.f = e.increaseFrom;
    body.o = e.increaseTo;
  }
  if (!Number.isNaN(e.value)) {
    body.v = e.value;
    body.a = e.valueAt;
  }
  if (e.distribution !== null) body.d = e.distribution;
  if (e.quantiles !== null) {
    body.q = e.quantiles;
    body.qa = e.quantilesAt;
  }
  return JSON.stringify(body);
}

export function decodeEntry(key: number, text: string): MetricEntry {
  const body = JSON.parse(text) as Json;
  const e = new MetricEntry(body.t as number, key);
  e.n = body.n as number;
  if (typeof body.i === "number") {
    e.increase = body.i;
    e.increaseFrom = body.f as number;
    e.increaseTo = body.o as number;
  }
  if (typeof body.v === "number") {
    e.value = body.v;
    e.valueAt = body.a as number;
  }
  e.distribution = decodeDistribution(body.d as Json | undefined);
  if (Array.isArray(body.q)) {
    e.quantiles = body.q;
    e.quantilesAt = body.qa as number;
  }
  e.persisted = true;
  return e;
}

/** What a series carries besides its entries. */
export interface SeriesState {
  reading: ReadingState;
  lastMs: number;
  exemplars: Exemplar[];
  nextRawKey: number;
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
  });
}

export function decodeSeriesState(text: string): SeriesState {
  const body = JSON.parse(text) as {
    r: { p: { s: string; t: string; v: number; d: Json | null } | null; total: number };
    l: number | null;
    x: { t: string; v: number; tr: string | null; sp: string | null; at: Exemplar["attributes"] }[];
    k: number;
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
  };
}
