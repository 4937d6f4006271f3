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

/**
 * Bucket counts, dense over the range of buckets seen (a typed array indexed from `base`): adding is
 * an array increment, and buckets come out in order without sorting. One latency distribution
 * spans a few powers of two, so the range is tens of buckets.
 */
export class Histogram {
  private base = 0;
  private counts: Uint32Array | null = null;

  add(bucket: number, delta: number): void {
    let counts = this.counts;
    if (counts === null) {
      // The range never reaches past MAX_BUCKET: a later grow keeps it whole within [0, MAX_BUCKET].
      this.base = Math.min(bucket, MAX_BUCKET + 1 - SUB_BUCKETS);
      counts = this.counts = new Uint32Array(SUB_BUCKETS);
    } else if (bucket < this.base || bucket >= this.base + counts.length) {
      counts = this.grow(bucket);
    }
    counts[bucket - this.base] = (counts[bucket - this.base] as number) + delta;
  }

  /** Takes counts away; the range stays (a cell emptied is dropped whole). */
  subtract(bucket: number, delta: number): void {
    const counts = this.counts;
    if (counts !== null && bucket >= this.base && bucket < this.base + counts.length) {
      counts[bucket - this.base] = (counts[bucket - this.base] as number) - delta;
    }
  }

  merge(from: Histogram): void {
    const counts = from.counts;
    if (counts === null) return;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number;
      if (count > 0) this.add(from.base + i, count);
    }
  }

  /** Calls `visit` for each non-empty bucket, lowest first; stops when it returns true. */
  each(visit: (bucket: number, count: number) => boolean | undefined): void {
    const counts = this.counts;
    if (counts === null) return;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number;
      if (count > 0 && visit(this.base + i, count) === true) return;
    }
  }

  private grow(bucket: number): Uint32Array {
    const old = this.counts as Uint32Array;
    const low = Math.max(0, Math.min(this.base, bucket - SUB_BUCKETS / 2));
    const high = Math.max(this.base + old.length - 1, Math.min(MAX_BUCKET, bucket + SUB_BUCKETS / 2));
    const counts = new Uint32Array(high - low + 1);
    counts.set(old, this.base - low);
    this.base = low;
    this.counts = counts;
    return counts;
  }
}

export function latencyBucket(durationNs: number): number {
  if (!(durationNs >= 1)) return 0;
  return Math.min(1 + Math.floor(Math.log2(durationNs) * SUB_BUCKETS), MAX_BUCKET);
}

/** What a bucket stands for, in milliseconds: the geometric middle of its range (0 for bucket 0). */
export function bucketValueMs(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / SUB_BUCKETS) / 1e6;
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
  let seen = 0;
  let next = 0;
  histogram.each((bucket, bucketCount) => {
    seen += bucketCount;
    while (next < 3 && seen >= (ranks[next] as number)) values[next++] = bucketValueMs(bucket);
    return next === 3;
  });
  return { p50Ms: values[0] as number, p95Ms: values[1] as number, p99Ms: values[2] as number };
}
