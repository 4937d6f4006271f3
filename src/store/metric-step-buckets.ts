/**
 * One chart group's explicit-bucket histograms per step, added up in flat arrays: the common case of a
 * distribution query (every series of the group keeps its buckets in the same bounds), without an
 * object per series and step. It adds up exactly what merging each step's distributions one by one
 * does (`Tier.addDistributionTo`), in the same order, so both ways answer the same numbers.
 */
import {
  type Distribution,
  type ExplicitDistribution,
  explicitLowerBounds,
  explicitQuantiles,
  sameBounds,
} from "../domain/metric-distribution.js";
import type { MetricSeries } from "./metric-series.js";
import type { Tier } from "./metric-tier.js";

export class StepBuckets {
  readonly width: number;
  /** steps × width bucket counts. */
  readonly counts: Float64Array;
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** 1 where a histogram with values was added to the step. */
  readonly seen: Uint8Array;

  constructor(
    readonly bounds: readonly number[],
    readonly steps: number,
  ) {
    this.width = bounds.length + 1;
    this.counts = new Float64Array(steps * this.width);
    this.count = new Float64Array(steps);
    this.sum = new Float64Array(steps);
    this.min = new Float64Array(steps);
    this.max = new Float64Array(steps);
    this.seen = new Uint8Array(steps);
  }

  /**
   * The bounds every series keeps its histograms in, when they all keep only explicit buckets in the
   * same ones; null otherwise (or when none has a histogram), for the general way.
   */
  static sharedBounds(series: readonly MetricSeries[]): readonly number[] | null {
    let bounds: readonly number[] | null = null;
    for (const one of series) {
      for (const tier of one.tiers) if (tier.distributions !== null) return null;
      if (one.bounds === null) continue;
      if (bounds === null) bounds = one.bounds;
      else if (!sameBounds(bounds, one.bounds)) return null;
    }
    return bounds;
  }

  /**
   * Adds entry e of `tier` (whose buckets are in these bounds) to step i; `share` of it when the
   * entry's values were recorded over several steps (counts and sum scaled, min and max kept).
   */
  add(i: number, tier: Tier, e: number, share = 1): void {
    const buckets = tier.layout.buckets;
    const from = tier.counts;
    if (buckets < 0 || from === null) return;
    const row = e * tier.stride + buckets;
    const data = tier.data;
    const count = (data[row] as number) * share;
    if (!(count > 0)) return;
    const at = i * this.width;
    const base = e * tier.width;
    for (let k = 0; k < this.width; k++)
      this.counts[at + k] = (this.counts[at + k] as number) + (from[base + k] as number) * share;
    const sum = (data[row + 1] as number) * share;
    const lo = data[row + 2] as number;
    const hi = data[row + 3] as number;
    const min = Number.isFinite(lo) ? lo : Number.NaN;
    const max = Number.isFinite(hi) ? hi : Number.NaN;
    if (this.seen[i] === 0) {
      this.seen[i] = 1;
      this.count[i] = count;
      this.sum[i] = sum;
      this.min[i] = min;
      this.max[i] = max;
    } else {
      this.count[i] = (this.count[i] as number) + count;
      this.sum[i] = (this.sum[i] as number) + sum;
      this.min[i] = Math.min(this.min[i] as number, min);
      this.max[i] = Math.max(this.max[i] as number, max);
    }
  }

  /** Percentiles `qs` (ascending) of step i's buckets. */
  quantiles(i: number, qs: readonly number[]): number[] {
    return explicitQuantiles(
      this.bounds,
      this.counts,
      qs,
      this.min[i] as number,
      this.max[i] as number,
      this.sum[i] as number,
      i * this.width,
      this.width,
    );
  }

  /** Which of percentiles `qs` of step i are only lower bounds (see explicitLowerBounds). */
  lowerBounds(i: number, qs: readonly number[]): boolean[] {
    return explicitLowerBounds(this.bounds, this.counts, qs, this.max[i] as number, i * this.width, this.width);
  }

  /** Every step's histograms added up into one distribution (null when none was added). */
  total(): ExplicitDistribution | null {
    let total: ExplicitDistribution | null = null;
    for (let i = 0; i < this.steps; i++) {
      if (this.seen[i] === 0) continue;
      if (total === null) {
        total = {
          type: "explicit",
          bounds: this.bounds,
          counts: new Array<number>(this.width).fill(0),
          count: 0,
          sum: 0,
          min: this.min[i] as number,
          max: this.max[i] as number,
        };
      }
      const at = i * this.width;
      for (let k = 0; k < this.width; k++)
        total.counts[k] = (total.counts[k] as number) + (this.counts[at + k] as number);
      total.count += this.count[i] as number;
      total.sum += this.sum[i] as number;
      total.min = Math.min(total.min, this.min[i] as number);
      total.max = Math.max(total.max, this.max[i] as number);
    }
    return total;
  }

  /** Each step's histogram as a distribution (null where none was added). */
  distributions(): (Distribution | null)[] {
    return Array.from(this.seen, (seen, i): ExplicitDistribution | null =>
      seen === 0
        ? null
        : {
            type: "explicit",
            bounds: this.bounds,
            counts: Array.from(this.counts.subarray(i * this.width, (i + 1) * this.width)),
            count: this.count[i] as number,
            sum: this.sum[i] as number,
            min: this.min[i] as number,
            max: this.max[i] as number,
          },
    );
  }
}

/** The buckets of all groups together per step (each group's in the same bounds), as the heatmap has them. */
export function stepBucketTotals(groups: readonly StepBuckets[]): number[][] {
  const first = groups[0] as StepBuckets;
  const { steps, width } = first;
  const out: number[][] = new Array(steps);
  for (let i = 0; i < steps; i++) {
    const row = new Array<number>(width).fill(0);
    for (const g of groups) {
      if (g.seen[i] === 0) continue;
      for (let k = 0; k < width; k++) row[k] = (row[k] as number) + (g.counts[i * width + k] as number);
    }
    out[i] = row;
  }
  return out;
}
