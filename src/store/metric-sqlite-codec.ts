/**
 * The SQLite metric store's row bodies: entries, series state and distributions as JSON. JSON has
 * no NaN or infinities: "unknown" sums, minimums and maximums travel as null, and absent entry
 * fields are left out.
 */
import type { Exemplar, QuantileValue } from "../domain/metric.js";
import type { Distribution } from "../domain/metric-distribution.js";
import type { PreviousPoint, ReadingState } from "../domain/metric-reading.js";
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
  if (e.distribution !== null && !Number.isNaN(e.distributionFrom)) body.df = e.distributionFrom;
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
    distributionFrom: typeof body.df === "number" ? body.df : Number.NaN,
    quantiles: hasQuantiles ? (body.q as QuantileValue[]) : null,
    quantilesAt: hasQuantiles ? (body.qa as number) : Number.NEGATIVE_INFINITY,
  };
}

const NS_SHIFT = 1n << 63n;

/** Unsigned 64-bit nanoseconds as a signed SQLite integer, order kept (0 → -2^63). */
export function toSignedNs(ns: bigint): bigint {
  return ns - NS_SHIFT;
}

/** Bytes of one point key in a `mt_point_keys` blob: time, start time (u64), source (i32). */
const KEY_BYTES = 20;

/**
 * The keys of `keys` ((time, start, source) triples) newer than `after`, as a blob, with the newest
 * time among them; null when none is.
 */
export function encodePointKeys(
  keys: readonly (bigint | number)[],
  after: bigint,
): { blob: Buffer; through: bigint } | null {
  let count = 0;
  for (let i = 0; i < keys.length; i += 3) if ((keys[i] as bigint) > after) count++;
  if (count === 0) return null;
  const blob = Buffer.allocUnsafe(count * KEY_BYTES);
  let through = after;
  let at = 0;
  for (let i = 0; i < keys.length; i += 3) {
    const time = keys[i] as bigint;
    if (time <= after) continue;
    if (time > through) through = time;
    blob.writeBigUInt64LE(time, at);
    blob.writeBigUInt64LE(keys[i + 1] as bigint, at + 8);
    blob.writeInt32LE(keys[i + 2] as number, at + 16);
    at += KEY_BYTES;
  }
  return { blob, through };
}

/** Each key of a `mt_point_keys` blob, in the order written. */
export function decodePointKeys(blob: Uint8Array, visit: (time: bigint, start: bigint, source: number) => void): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let at = 0; at + KEY_BYTES <= blob.byteLength; at += KEY_BYTES) {
    visit(view.getBigUint64(at, true), view.getBigUint64(at + 8, true), view.getInt32(at + 16, true));
  }
}

/** What a series carries besides its entries. */
export interface SeriesState {
  reading: ReadingState;
  lastMs: number;
  /** PointKeys.forgottenThrough; for a file written before point keys, the end of its newest point's millisecond. */
  forgottenThrough: bigint;
  exemplars: Exemplar[];
  /** The key of its next raw entry. */
  nextRawKey: number;
  /** The bounds its explicit histograms are kept in. */
  bounds: readonly number[] | null;
  /** MetricSeries.countedFromMs; null when it has no increase, or the file was written before it was kept. */
  countedFromMs: number | null;
  /** MetricSeries.resource; null when not known (or the file was written before it was kept). */
  resource: number | null;
}

type StoredPrevious = { s: string; t: string; v: number; d: Json | null };

function encodePrevious(previous: PreviousPoint): StoredPrevious {
  return {
    s: previous.startTimeUnixNano.toString(),
    t: previous.timeUnixNano.toString(),
    v: previous.value,
    d: previous.distribution as Json | null,
  };
}

function decodePrevious(p: StoredPrevious): PreviousPoint {
  return {
    startTimeUnixNano: BigInt(p.s),
    timeUnixNano: BigInt(p.t),
    value: p.v,
    distribution: decodeDistribution(p.d),
  };
}

export function encodeSeriesState(series: MetricSeries): string {
  const { reading } = series;
  return JSON.stringify({
    r: {
      p: reading.previous === null ? null : encodePrevious(reading.previous),
      total: reading.total,
      src: reading.source,
      ...(reading.others === null ? {} : { o: [...reading.others].map(([source, p]) => [source, encodePrevious(p)]) }),
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
    g: series.pointKeys.forgottenThrough.toString(),
    c: Number.isFinite(series.countedFromMs) ? series.countedFromMs : null,
    ...(series.resource === null ? {} : { rs: series.resource }),
  });
}

export function decodeSeriesState(text: string): SeriesState {
  const body = JSON.parse(text) as {
    r: { p: StoredPrevious | null; total: number; src?: number | null; o?: [number, StoredPrevious][] };
    l: number | null;
    x: { t: string; v: number; tr: string | null; sp: string | null; at: Exemplar["attributes"] }[];
    k: number;
    b?: number[] | null;
    g?: string;
    c?: number | null;
    rs?: number;
  };
  const lastMs = body.l ?? Number.NEGATIVE_INFINITY;
  const others = body.r.o;
  return {
    reading: {
      previous: body.r.p === null ? null : decodePrevious(body.r.p),
      total: body.r.total,
      // A file from before sources were kept: the first source to send is the one its point was of.
      source: body.r.src ?? null,
      others: others === undefined ? null : new Map(others.map(([source, p]) => [source, decodePrevious(p)])),
    },
    lastMs,
    // Written before points had keys: what the file holds is taken as received, so that importing
    // again what was imported into it does not count it twice.
    forgottenThrough:
      body.g !== undefined ? BigInt(body.g) : Number.isFinite(lastMs) ? BigInt(lastMs) * 1_000_000n + 999_999n : -1n,
    exemplars: body.x.map((e) => ({
      timeUnixNano: BigInt(e.t),
      value: e.v,
      traceId: e.tr,
      spanId: e.sp,
      attributes: e.at,
    })),
    nextRawKey: body.k,
    bounds: body.b ?? null,
    countedFromMs: body.c ?? null,
    resource: body.rs ?? null,
  };
}
