/**
 * How latency percentiles are estimated wherever the app shows them for requests and calls (the
 * Services page and its operations from histograms, the service map from exact durations), so the
 * same spans read the same figure on both. Durations fall in log buckets: bucket `b` ≥ 1 holds
 * [2^((b-1)/16), 2^(b/16)) nanoseconds, 16 buckets per power of two, each 4.4% wide; bucket 0 holds
 * durations under 1 ns. A percentile reads the geometric middle of the bucket holding its
 * nearest-rank value, held within bounds of the shortest and longest duration it is a percentile of:
 * within 2^(1/32) − 1 ≈ 2.2% of the exact value (the exact value lies within those bounds too, so
 * holding the estimate there only brings it closer), and never decreasing from p50 to p99. With the
 * exact extremes as bounds, it is never above the longest nor below the shortest duration.
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

/** Slack on a bucket's edges, so that rounding in latencyBucket's log never puts a duration past them. */
const EDGE_SLACK = 1e-9;

/** At most the shortest duration (ns) bucket `bucket` can hold. */
export function bucketLowNs(bucket: number): number {
  return bucket <= 0 ? 0 : 2 ** ((bucket - 1) / SUB_BUCKETS) * (1 - EDGE_SLACK);
}

/** At least the longest duration (ns) bucket `bucket` can hold. */
export function bucketHighNs(bucket: number): number {
  if (bucket <= 0) return 1;
  return bucket >= MAX_BUCKET ? Number.POSITIVE_INFINITY : 2 ** (bucket / SUB_BUCKETS) * (1 + EDGE_SLACK);
}

/**
 * What a percentile whose nearest-rank value falls in `bucket` reads: the bucket's middle, held within
 * `lowNs` and `highNs`, bounds of the shortest and longest of the durations it is a percentile of
 * (none when low > high).
 */
export function percentileEstimateMs(bucket: number, lowNs: number, highNs: number): number {
  const middle = bucketValueMs(bucket);
  if (!(lowNs <= highNs)) return middle;
  return Math.min(Math.max(middle, lowNs / 1e6), highNs / 1e6);
}

/**
 * The estimate (percentileEstimateMs) of a percentile whose exact nearest-rank value is `exactMs`,
 * among durations from `minMs` to `maxMs`: what a histogram of those durations reads when it knows
 * their extremes. Durations in ms are whole nanoseconds divided by 1e6, so rounding back gives the
 * nanoseconds their bucket is of.
 */
export function estimateFromExactMs(exactMs: number, minMs: number, maxMs: number): number {
  return percentileEstimateMs(
    latencyBucket(Math.round(exactMs * 1e6)),
    Math.round(minMs * 1e6),
    Math.round(maxMs * 1e6),
  );
}
