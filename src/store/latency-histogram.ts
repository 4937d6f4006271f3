/**
 * Latency distributions as log-bucketed histograms (HDR-like) over domain/latency-buckets.ts's
 * buckets (16 per power of two, each 4.4% wide; bucket 0 also holds spans that end before they
 * start). A percentile is read by that module's rule: the middle of the bucket holding the
 * nearest-rank value, held within bounds of the shortest and longest duration counted (kept beside
 * the histogram, see stats-series.ts), so within 2.2% of the exact value. Histograms merge by adding
 * counts, so any set of time buckets can be combined.
 */

import { MAX_BUCKET, percentileEstimateMs, SUB_BUCKETS } from "../domain/latency-buckets.js";

export { bucketHighNs, bucketLowNs, latencyBucket, PERCENTILE_RELATIVE_ERROR } from "../domain/latency-buckets.js";

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

  /** The lowest non-empty bucket, or -1 when empty. */
  lowest(): number {
    const counts = this.counts;
    if (counts !== null) for (let i = 0; i < counts.length; i++) if ((counts[i] as number) > 0) return this.base + i;
    return -1;
  }

  /** The highest non-empty bucket, or -1 when empty. */
  highest(): number {
    const counts = this.counts;
    if (counts !== null)
      for (let i = counts.length - 1; i >= 0; i--) if ((counts[i] as number) > 0) return this.base + i;
    return -1;
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

export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * Nearest-rank p50, p95 and p99 (as domain/percentile.ts ranks them) of `count` values, at least
 * `lowNs` and at most `highNs` (none when low > high); zeros when empty.
 */
export function histogramPercentiles(histogram: Histogram, count: number, lowNs: number, highNs: number): Percentiles {
  if (count <= 0) return { p50Ms: 0, p95Ms: 0, p99Ms: 0 };
  const ranks = [50, 95, 99].map((p) => Math.min(Math.max(Math.ceil((p / 100) * count), 1), count));
  const values = [0, 0, 0];
  let seen = 0;
  let next = 0;
  histogram.each((bucket, bucketCount) => {
    seen += bucketCount;
    while (next < 3 && seen >= (ranks[next] as number)) values[next++] = percentileEstimateMs(bucket, lowNs, highNs);
    return next === 3;
  });
  return { p50Ms: values[0] as number, p95Ms: values[1] as number, p99Ms: values[2] as number };
}
