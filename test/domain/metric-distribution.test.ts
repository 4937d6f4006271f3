import { describe, expect, it } from "vitest";
import {
  distributionQuantiles,
  type ExponentialDistribution,
  explicitQuantile,
  explicitQuantiles,
  exponentialBound,
  exponentialIndex,
  exponentialLowerBounds,
  exponentialQuantile,
  exponentialRow,
  exponentialRowBounds,
  heatmapRange,
  MAX_SAMPLES,
  mergeDistribution,
  mergeExponential,
  rebucket,
  samplesToExponential,
  scaleDistribution,
} from "../../src/domain/metric-distribution.js";

function exponential(partial: Partial<ExponentialDistribution>): ExponentialDistribution {
  return {
    type: "exponential",
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
    count: 0,
    sum: 0,
    min: Number.NaN,
    max: Number.NaN,
    ...partial,
  };
}

describe("a share of a distribution", () => {
  it("scales counts and sum, keeps min and max, so its percentiles stay where they were", () => {
    const explicit = {
      type: "explicit" as const,
      bounds: [10, 100],
      counts: [40, 40, 20],
      count: 100,
      sum: 4000,
      min: 1,
      max: 300,
    };
    const before = distributionQuantiles({ ...explicit, counts: explicit.counts.slice() }, [0.5, 0.95]);
    const quarter = scaleDistribution(explicit, 0.25);
    expect(quarter).toEqual({ ...explicit, counts: [10, 10, 5], count: 25, sum: 1000 });
    expect(distributionQuantiles(quarter, [0.5, 0.95])).toEqual(before);
    const e = scaleDistribution(
      exponential({ zeroCount: 2, positive: { offset: 1, counts: [4, 8] }, count: 14, sum: 70, min: 0, max: 9 }),
      0.5,
    );
    expect(e).toMatchObject({
      zeroCount: 1,
      positive: { offset: 1, counts: [2, 4] },
      count: 7,
      sum: 35,
      min: 0,
      max: 9,
    });
  });
});

describe("explicit-bucket percentiles", () => {
  const bounds = [10, 20, 50, 100];

  it("interpolates within the bucket that holds the rank", () => {
    // 10 values in (10, 20], 10 in (20, 50]: the median is the top of the first, p75 the middle of the second.
    const counts = [0, 10, 10, 0, 0];
    expect(explicitQuantile(bounds, counts, 0.5)).toBe(20);
    expect(explicitQuantile(bounds, counts, 0.75)).toBe(35);
    expect(explicitQuantile(bounds, counts, 0.25)).toBe(15);
    expect(explicitQuantile(bounds, counts, 0.95)).toBeCloseTo(47);
  });

  it("closes the open first and last buckets with min and max, and stays within them", () => {
    // (0, 10] without a min: a known sum means no negative values (OTLP), so the bucket starts at 0.
    expect(explicitQuantile(bounds, [4, 0, 0, 0, 0], 0.5, Number.NaN, Number.NaN, 20)).toBe(5);
    expect(explicitQuantile(bounds, [4, 0, 0, 0, 0], 0.5, 6, 10)).toBe(8);
    expect(explicitQuantile(bounds, [0, 0, 0, 0, 4], 0.5)).toBe(100); // overflow without a max: the last bound
    expect(explicitQuantile(bounds, [0, 0, 0, 0, 4], 0.5, 100, 300)).toBe(200);
    // Four values between 11 and 12 in (10, 20]: the 99th percentile is near 12, within them.
    expect(explicitQuantile(bounds, [0, 4, 0, 0, 0], 0.99, 11, 12)).toBeCloseTo(11.99, 9);
  });

  it("answers NaN, not a made-up number, for a percentile in a first bucket nothing closes", () => {
    // Without a min or a sum the values may be negative: (-inf, 10] says nothing of where they lie.
    expect(explicitQuantile(bounds, [4, 0, 0, 0, 0], 0.5)).toBeNaN();
    expect(explicitQuantile([-5, 5], [2, 0, 0], 0.5)).toBeNaN();
    expect(explicitQuantile([-5, 5], [2, 0, 0], 0.5, Number.NaN, Number.NaN, -12)).toBeNaN();
    // The percentiles above the first bucket are still known.
    const [p10, p50] = explicitQuantiles(bounds, [1, 3, 0, 0, 0], [0.1, 0.5]);
    expect(p10).toBeNaN();
    expect(p50).toBeCloseTo(13.33, 2); // rank 2: a third into (10, 20]
  });

  it("spreads values between min and max when they all lie in one bucket, not every percentile at max", () => {
    // Local requests of 0.4 to 2.4 ms: all in the SDK's first bucket of http.server.request.duration, (0, 5 ms].
    const sdk = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    const counts = [4, ...new Array(sdk.length).fill(0)];
    const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => explicitQuantile(sdk, counts, q, 0.0004, 0.0024));
    expect(p50).toBeCloseTo(0.0014, 9);
    expect(p95).toBeCloseTo(0.0023, 9);
    expect(p99).toBeCloseTo(0.00238, 9);
    // The same in a middle bucket: 5 values between 30 and 40 in (25, 50].
    expect(explicitQuantile([10, 25, 50, 100], [0, 0, 5, 0, 0], 0.5, 30, 40)).toBe(35);
  });

  it("is NaN when empty, and handles a histogram without bounds", () => {
    expect(explicitQuantile(bounds, [0, 0, 0, 0, 0], 0.5)).toBeNaN();
    expect(explicitQuantile([], [3], 0.5, 2, 4)).toBe(3);
    // One bucket for every value and no min or max (only a count and a sum): nothing known of where they lie.
    expect(explicitQuantile([], [10], 0.5, Number.NaN, Number.NaN, 55)).toBeNaN();
    expect(explicitQuantile([], [10], 0.99)).toBeNaN();
    expect(explicitQuantile([], [10], 0.5, 1, Number.NaN, 55)).toBeNaN();
    expect(explicitQuantile([], [10], 0.5, Number.NaN, 10, 55)).toBe(5); // 0 to 10: no negative values with a sum
  });

  it("re-buckets counts of other bounds by each bucket's middle", () => {
    expect(rebucket([10, 20], [1, 2, 3], [10, 20])).toEqual([1, 2, 3]);
    // (-inf, 10] → at 10 → (5, 15]; (10, 20] → at 15 → (5, 15]; (20, inf) → just above 20 → (15, 30].
    expect(rebucket([10, 20], [1, 2, 3], [5, 15, 30])).toEqual([0, 3, 3, 0]);
    expect(rebucket([], [7], [1, 2])).toEqual([0, 0, 7]);
  });
});

describe("exponential histograms", () => {
  it("has bucket boundaries at powers of 2^(2^-scale), upper bound inclusive", () => {
    expect(exponentialBound(0, 3)).toBe(8);
    expect(exponentialBound(1, 1)).toBeCloseTo(Math.SQRT2);
    expect(exponentialBound(-1, 1)).toBe(4);
    expect(exponentialIndex(0, 8)).toBe(2); // (4, 8]
    expect(exponentialIndex(0, 8.5)).toBe(3);
    expect(exponentialIndex(1, 1.5)).toBe(1); // (√2, 2]
  });

  it("ends a bucket past every double (scale -10) at the largest one, closed by max or min, else a bound", () => {
    expect(exponentialBound(-10, 1)).toBe(Number.MAX_VALUE);
    expect(exponentialRowBounds(-10, 0, 0)).toEqual([1, Number.MAX_VALUE]);
    const d = exponential({ scale: -10, positive: { offset: 0, counts: [3] }, count: 3, sum: 30 });
    expect(exponentialQuantile(d, 0.5)).toBe(1);
    expect(exponentialLowerBounds(d, [0.5, 0.99])).toEqual([true, true]);
    expect(exponentialQuantile({ ...d, min: 2, max: 21 }, 0.5)).toBe(11);
    expect(exponentialLowerBounds({ ...d, min: 2, max: 21 }, [0.5])).toEqual([false]);
    const negative = exponential({ scale: -10, negative: { offset: 0, counts: [2] }, count: 2 });
    expect(exponentialQuantile(negative, 0.5)).toBeNaN();
    expect(exponentialQuantile({ ...negative, min: -9, max: -1 }, 0.5)).toBe(-5);
  });

  it("reads the official example's buckets: one zero, two in (4, 8], max 5", () => {
    const d = exponential({ zeroCount: 1, positive: { offset: 1, counts: [0, 2] }, count: 3, sum: 10, min: 0, max: 5 });
    expect(exponentialQuantile(d, 0)).toBe(0);
    // Rank 1.5: a quarter into (4, 8] is 5, which is also the max.
    expect(exponentialQuantile(d, 0.5)).toBe(5);
    expect(exponentialQuantile({ ...d, max: Number.NaN }, 0.75)).toBe(6.5); // rank 2.25: 5/8 into (4, 8]
    expect(exponentialQuantile(d, 1)).toBe(5);
  });

  it("orders negative buckets before zero and positive ones", () => {
    const d = exponential({ negative: { offset: 0, counts: [1, 1] }, positive: { offset: 0, counts: [2] } });
    // Values: one in [-4, -2), one in [-2, -1), two in (1, 2].
    expect(exponentialQuantile(d, 0.25)).toBe(-2);
    expect(exponentialQuantile(d, 0.5)).toBe(-1);
    expect(exponentialQuantile(d, 1)).toBe(2);
  });

  it("merges at the coarser scale, and coarser still to stay within the bucket limit", () => {
    const a = exponential({ scale: 1, positive: { offset: 2, counts: [1, 1] }, count: 2 }); // (2,2.83], (2.83,4]
    const b = exponential({ scale: 0, positive: { offset: 1, counts: [3] }, count: 3 }); // (2, 4]
    const merged = mergeExponential(a, b);
    expect(merged).toMatchObject({ scale: 0, positive: { offset: 1, counts: [5] }, count: 5 });
    const wide = mergeExponential(
      exponential({ positive: { offset: 0, counts: [1] }, count: 1 }),
      exponential({ positive: { offset: 20, counts: [1] }, count: 1 }),
      8,
    );
    expect(wide.scale).toBe(-2);
    expect(wide.positive).toEqual({ offset: 0, counts: [1, 0, 0, 0, 0, 1] });
  });

  it("gives heatmap rows at one scale for every step", () => {
    const d = exponential({ scale: 2, positive: { offset: 4, counts: [1, 2, 3, 4] }, zeroCount: 5, count: 15 });
    // Buckets 4…7 at scale 2 are buckets 2…3 at scale 1: (2, 2.83] and (2.83, 4].
    const range = heatmapRange(d, 2);
    expect(range).toEqual({ scale: 1, low: 2, high: 3 });
    if (range === null) return;
    const bounds = exponentialRowBounds(range.scale, range.low, range.high);
    expect(bounds.map((b) => Number(b.toFixed(3)))).toEqual([2, 2.828, 4]);
    expect(exponentialRow(d, range.scale, range.low, range.high)).toEqual([5, 3, 7, 0]);
    expect(exponentialRow(d, 0, 1, 1)).toEqual([5, 10, 0]);
  });
});

describe("samples", () => {
  it("gives nearest-rank percentiles of the recorded values", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(distributionQuantiles({ type: "samples", values }, [0.5, 0.95, 0.99])).toEqual([50, 95, 99]);
    expect(distributionQuantiles({ type: "samples", values: [] }, [0.5])).toEqual([Number.NaN]);
  });

  it("stays exact up to MAX_SAMPLES, then becomes a histogram within 2.2 % per value", () => {
    let d = mergeDistribution({ type: "samples", values: [1, 2] }, { type: "samples", values: [3] });
    expect(d).toEqual({ type: "samples", values: [1, 2, 3] });
    const many = Array.from({ length: MAX_SAMPLES }, (_, i) => i + 1);
    d = mergeDistribution(d, { type: "samples", values: many });
    expect(d.type).toBe("exponential");
    const all = [1, 2, 3, ...many].sort((x, y) => x - y);
    const [p50, p99] = distributionQuantiles(d, [0.5, 0.99]) as [number, number];
    expect(Math.abs(p50 / all[Math.ceil(0.5 * all.length) - 1]! - 1)).toBeLessThan(0.022);
    expect(Math.abs(p99 / all[Math.ceil(0.99 * all.length) - 1]! - 1)).toBeLessThan(0.022);
  });

  it("sketches zeros, negatives and a single repeated value", () => {
    const d = samplesToExponential([0, -3, 5, 5]);
    expect(d).toMatchObject({ count: 4, zeroCount: 1, sum: 7, min: -3, max: 5 });
    expect(exponentialQuantile(d, 1)).toBe(5);
    expect(exponentialQuantile(d, 0)).toBeLessThan(-2.9);
  });
});
