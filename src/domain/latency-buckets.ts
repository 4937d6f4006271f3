/**
 * How latency percentiles are estimated wherever the app shows them for requests and calls (the
 * Services page and its operations from histograms, the service map from exact durations), so the
 * same spans read the same figure on both. Durations fall in log buckets: bucket `b` ≥ 1 holds
 * [2^((b-1)/16), 2^(b/16)) nanoseconds, 16 buckets per power of two, each 4.4% wide; bucket 0 holds
 * durations under 1 ns. A percentile reads the geometric middle of the bucket holding its
 * nearest-rank value: within 2^(1/32) − 1 ≈ 2.2% of the exact value, and never decreasing from p50
 * to p99.
 */

export const SUB_BUCKETS = 16;
/** Relative error bound of a reported percentile: 2^(1/32) − 1. */
export const PERCENTILE_RELATIVE_ERROR = 2 ** (1 / (2 * SUB_BUCKETS)) - 1;
/** 1023 buckets reach 2^63 ns (292 years): every duration fits. */
export const MAX_BUCKET = 1023;

export function latencyBucket(durationNs: number): number {
  if (!(durationNs >= 1)) return 0;
  return Math.min(1 + Math.floor(Math.log2(durationNs) * SUB_BUCKETS), MAX_BUCKET);
}

/** What a bucket stands for, in milliseconds: the geometric middle of its range (0 for bucket 0). */
export function bucketValueMs(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / SUB_BUCKETS) / 1e6;
}

/**
 * The estimate of a percentile whose exact nearest-rank value is `exactMs`: what a histogram of the
 * same durations reads. Durations in ms are whole nanoseconds divided by 1e6, so rounding back gives
 * the nanoseconds their bucket is of.
 */
export function estimateFromExactMs(exactMs: number): number {
  return bucketValueMs(latencyBucket(Math.round(exactMs * 1e6)));
}
