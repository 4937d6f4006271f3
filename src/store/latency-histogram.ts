/**
 * Latency distributions as log-bucketed histograms (HDR-like): bucket `b` ≥ 1 holds durations in
 * [2^((b-1)/16), 2^(b/16)) nanoseconds, 16 buckets per power of two, each 4.4% wide; bucket 0 holds
 * durations under 1 ns (and spans that end before they start). A percentile is the geometric middle of
 * the bucket holding the nearest-rank value, so it is within 2^(1/32) − 1 ≈ 2.2% of the exact
 * nearest-rank duration. Histograms merge by adding counts, so any set of time buckets can be combined.
 */

export const SUB_BUCKETS = 16;
/** Relative error bound of a reported percentile: 2^(1/32) − 1. */
export const PERCENTILE_RELATIVE_ERROR = 2 ** (1 / (2 * SUB_BUCKETS)) - 1;
/** 1023 buckets reach 2^63 ns (292 years): every duration fits. */
export const MAX_BUCKET = 1023;

/** Bucket counts by bucket number; absent buckets are empty. */
export type Histogram = Map<number, number>;

export function latencyBucket(durationNs: number): number {
  if (!(durationNs >= 1)) return 0;
  return Math.min(1 + Math.floor(Math.log2(durationNs) * SUB_BUCKETS), MAX_BUCKET);
}

/** What a bucket stands for, in milliseconds: the geometric middle of its range (0 for bucket 0). */
export function bucketValueMs(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / SUB_BUCKETS) / 1e6;
}

export function addToHistogram(into: Histogram, from: Histogram): void {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
}

export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Nearest-rank p50, p95 and p99 (as domain/percentile.ts ranks them) of `count` values; zeros when empty. */
export function histogramPercentiles(histogram: Histogram, count: number): Percentiles {
  if (count <= 0) return { p50Ms: 0, p95Ms: 0, p99Ms: 0 };
  const ranks = [50, 95, 99].map((p) => Math.min(Math.max(Math.ceil((p / 100) * count), 1), count));
  const values = [0, 0, 0];
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  let next = 0;
  for (const bucket of buckets) {
    seen += histogram.get(bucket) as number;
    while (next < 3 && seen >= (ranks[next] as number)) values[next++] = bucketValueMs(bucket);
    if (next === 3) break;
  }
  return { p50Ms: values[0] as number, p95Ms: values[1] as number, p99Ms: values[2] as number };
}
