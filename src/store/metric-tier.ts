/**
 * The entries of one tier of a series, oldest first (raw: by arrival; rollups: by interval start).
 *
 * Entries are rows of one Float64Array (and one Float32Array of bucket counts for explicit
 * histograms), not objects: a full store holds about two million of them; as objects, or as many
 * small typed arrays, they cost several times the memory and most of the ingest time in garbage
 * collection. Which fields a row has is fixed by the metric kind (its layout). Rows sit at indexes
 * [begin, end): dropping the oldest only moves `begin`, and rows are moved back once the slack
 * behind it is used up.
 */
import type { MetricKind, QuantileValue } from "../domain/metric.js";
import {
  cloneDistribution,
  type Distribution,
  mergeDistribution,
  rebucket,
  sameBounds,
  scaleDistribution,
} from "../domain/metric-distribution.js";

export interface TierSpec {
  /** Width of an entry's interval in ms; 0 for raw observations. */
  resolutionMs: number;
  capacity: number;
  /** Entries it may hold past its capacity until they are folded all at once (0 when none). */
  pending?: number;
}

/**
 * The rows a tier allocates at most: its capacity, its pending entries, the entry about to be folded,
 * and an eighth of its capacity of slack, used up before rows are moved back (moving `capacity` rows
 * every `capacity / 8` entries added: 8 rows per entry, a memmove; a fuller series' rows cost more
 * memory than that costs time).
 */
export function rowsOf(spec: TierSpec): number {
  return spec.capacity + (spec.pending ?? 0) + 1 + (spec.capacity >> 3);
}

/** Where each field sits in a row; -1 when the kind has no such field. `t` is slot 0, `n` slot 1. */
export interface TierLayout {
  stride: number;
  /** increase, increaseFrom, increaseTo. */
  increase: number;
  /** value, valueAt. */
  value: number;
  /** The least and greatest value of the points an entry holds (gauges: a step's last value hides its peaks). */
  extremes: number;
  /** count, sum, min, max of the explicit buckets (the counts themselves are in `counts`). */
  buckets: number;
  quantilesAt: number;
  /**
   * When a raw entry's distribution began to be recorded, if before its time (NaN: at its time): a
   * cumulative histogram's first point, spread over that interval by queries. Rollups keep none: the
   * entry is split over the rollups' intervals that time covers when it is folded, as a counter's
   * first increase is.
   */
  distributionFrom: number;
}

const T = 0;
const N = 1;

export function layoutFor(kind: MetricKind): TierLayout {
  switch (kind) {
    case "sum":
      return { stride: 7, increase: 2, value: 5, extremes: -1, buckets: -1, quantilesAt: -1, distributionFrom: -1 };
    case "gauge":
      return { stride: 6, increase: -1, value: 2, extremes: 4, buckets: -1, quantilesAt: -1, distributionFrom: -1 };
    case "histogram":
      return { stride: 7, increase: -1, value: -1, extremes: -1, buckets: 2, quantilesAt: -1, distributionFrom: 6 };
    case "exponentialHistogram":
      return { stride: 3, increase: -1, value: -1, extremes: -1, buckets: -1, quantilesAt: -1, distributionFrom: 2 };
    case "summary":
      return { stride: 5, increase: -1, value: 2, extremes: -1, buckets: -1, quantilesAt: 4, distributionFrom: -1 };
  }
}

/**
 * One entry's fields, as a value (for persistence and tests); NaN marks what no merged observation
 * had. `t` is the observation's time (raw) or the start of the rollup's interval.
 */
export interface EntryFields {
  t: number;
  n: number;
  increase: number;
  increaseFrom: number;
  increaseTo: number;
  value: number;
  valueAt: number;
  /** The least and greatest value of its points (gauges; NaN where none, or not kept). */
  valueMin: number;
  valueMax: number;
  distribution: Distribution | null;
  /** When its distribution began to be recorded, if before `t` (raw entries only); NaN when at `t`. */
  distributionFrom: number;
  quantiles: readonly QuantileValue[] | null;
  quantilesAt: number;
}

const INITIAL_CAPACITY = 8;

export class Tier {
  begin = 0;
  size = 0;
  /** Raw tier: the key (arrival number) of the oldest entry; keys are contiguous. */
  firstKey = 0;
  private allocated = 0;
  data = new Float64Array(0);
  /**
   * Explicit-bucket counts, `width` per row, in the series' bounds; null until the first. Float32, not
   * Float64: a histogram series holds up to ~460 rows (rowsOf over TIERS), so with 16 buckets 30 KB
   * each, and doubling that is +60 MB over 2,000 such series (the default --max-metric-series). A
   * count stays exact up to 2^24 (16.7 million values in one bucket of one entry: a delta, or a 10-minute
   * rollup); past it the error is at most 2^-24 of the count, far below what a percentile
   * interpolated inside a bucket can tell, and an entry's own count and sum are Float64 and exact.
   */
  counts: Float32Array | null = null;
  width = 0;
  /** Distributions that are not explicit buckets (exponential histograms, samples), per row. */
  distributions: (Distribution | null)[] | null = null;
  quantiles: (readonly QuantileValue[] | null)[] | null = null;

  constructor(
    readonly spec: TierSpec,
    readonly layout: TierLayout,
  ) {}

  /** One past the newest entry's index. */
  get end(): number {
    return this.begin + this.size;
  }

  get stride(): number {
    return this.layout.stride;
  }

  time(p: number): number {
    return this.data[p * this.layout.stride + T] as number;
  }

  points(p: number): number {
    return this.data[p * this.layout.stride + N] as number;
  }

  private slot(p: number, field: number, offset: number, absent: number): number {
    return field < 0 ? absent : (this.data[p * this.layout.stride + field + offset] as number);
  }

  increase(p: number): number {
    return this.slot(p, this.layout.increase, 0, Number.NaN);
  }

  increaseFrom(p: number): number {
    return this.slot(p, this.layout.increase, 1, Number.POSITIVE_INFINITY);
  }

  increaseTo(p: number): number {
    return this.slot(p, this.layout.increase, 2, Number.NEGATIVE_INFINITY);
  }

  value(p: number): number {
    return this.slot(p, this.layout.value, 0, Number.NaN);
  }

  valueAt(p: number): number {
    return this.slot(p, this.layout.value, 1, Number.NEGATIVE_INFINITY);
  }

  /** The least value of entry p's points (+Infinity when none; NaN for kinds that do not keep it). */
  valueMin(p: number): number {
    return this.slot(p, this.layout.extremes, 0, Number.NaN);
  }

  valueMax(p: number): number {
    return this.slot(p, this.layout.extremes, 1, Number.NaN);
  }

  quantilesAt(p: number): number {
    return this.slot(p, this.layout.quantilesAt, 0, Number.NEGATIVE_INFINITY);
  }

  /** When entry p's distribution began to be recorded, if before its time; NaN when at its time. */
  distributionFrom(p: number): number {
    return this.slot(p, this.layout.distributionFrom, 0, Number.NaN);
  }

  /** Says entry p's distribution was recorded over [from, its time] (a raw entry's; kinds without distributions ignore it). */
  setDistributionFrom(p: number, from: number): void {
    const slot = this.layout.distributionFrom;
    if (slot < 0 || this.spec.resolutionMs !== 0 || !(from < this.time(p))) return;
    this.data[p * this.layout.stride + slot] = from;
  }

  /** Unique within its series and tier: the arrival number of a raw entry, the interval start of a rollup. */
  keyAt(p: number): number {
    return this.spec.resolutionMs === 0 ? this.firstKey + (p - this.begin) : this.time(p);
  }

  /** The index of the entry with this key, or -1. */
  indexOf(key: number): number {
    if (this.spec.resolutionMs === 0) {
      const i = key - this.firstKey;
      return i >= 0 && i < this.size ? this.begin + i : -1;
    }
    let lo = this.begin;
    let hi = this.end - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.time(mid);
      if (t === key) return mid;
      if (t < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Moves rows [from, to) to start at `at`. */
  private move(at: number, from: number, to: number): void {
    const stride = this.layout.stride;
    this.data.copyWithin(at * stride, from * stride, to * stride);
    this.counts?.copyWithin(at * this.width, from * this.width, to * this.width);
    this.distributions?.copyWithin(at, from, to);
    this.quantiles?.copyWithin(at, from, to);
  }

  /**
   * Makes room for one more row at the end: grows until the tier has all its rows (rowsOf), then
   * moves rows back when the slack behind `begin` is used up. (Moving back before it has all its
   * rows left a tier that had started folding at the size it had then: a 10-second tier moved its
   * 60 rows every third entry.)
   */
  private ensureRoom(): void {
    if (this.end < this.allocated) return;
    const most = rowsOf(this.spec);
    if (this.begin > 0 && this.allocated >= most) {
      this.move(0, this.begin, this.end);
      this.distributions?.fill(null, this.size);
      this.quantiles?.fill(null, this.size);
      this.begin = 0;
      return;
    }
    // Doubling, and straight to all its rows once they are less than twice the next doubling: a last
    // step of a few rows (64 → 68) copies the tier, and leaves the old rows to the collector, for
    // little room.
    const capacity = this.allocated * 4 > most ? most : Math.max(this.allocated * 2, INITIAL_CAPACITY);
    const data = new Float64Array(capacity * this.layout.stride);
    data.set(this.data);
    this.data = data;
    if (this.counts !== null) {
      const counts = new Float32Array(capacity * this.width);
      counts.set(this.counts);
      this.counts = counts;
    }
    if (this.distributions !== null) this.distributions.length = capacity;
    if (this.quantiles !== null) this.quantiles.length = capacity;
    this.allocated = capacity;
  }

  /** Adds an empty entry `at` places after the oldest (0 ≤ at ≤ size) at time `t`; returns its index. */
  insertAt(at: number, t: number): number {
    this.ensureRoom();
    const p = this.begin + at;
    if (p < this.end) this.move(p + 1, p, this.end);
    this.size++;
    this.clear(p, t);
    return p;
  }

  /** Drops the oldest entry. */
  removeFirst(): void {
    if (this.distributions !== null) this.distributions[this.begin] = null;
    if (this.quantiles !== null) this.quantiles[this.begin] = null;
    this.begin++;
    this.size--;
    this.firstKey++;
    if (this.size === 0) this.begin = 0;
  }

  private clear(p: number, t: number): void {
    const { stride, increase, value, extremes, buckets, quantilesAt } = this.layout;
    const row = p * stride;
    const data = this.data;
    data[row + T] = t;
    data[row + N] = 0;
    if (increase >= 0) {
      data[row + increase] = Number.NaN;
      data[row + increase + 1] = Number.POSITIVE_INFINITY;
      data[row + increase + 2] = Number.NEGATIVE_INFINITY;
    }
    if (value >= 0) {
      data[row + value] = Number.NaN;
      data[row + value + 1] = Number.NEGATIVE_INFINITY;
    }
    if (extremes >= 0) {
      data[row + extremes] = Number.POSITIVE_INFINITY;
      data[row + extremes + 1] = Number.NEGATIVE_INFINITY;
    }
    if (buckets >= 0) {
      data[row + buckets] = 0;
      data[row + buckets + 1] = 0;
      data[row + buckets + 2] = Number.POSITIVE_INFINITY;
      data[row + buckets + 3] = Number.NEGATIVE_INFINITY;
      const counts = this.counts;
      // A loop: TypedArray#fill's call costs more than the few buckets of a row.
      if (counts !== null) for (let k = p * this.width, end = k + this.width; k < end; k++) counts[k] = 0;
    }
    if (quantilesAt >= 0) data[row + quantilesAt] = Number.NEGATIVE_INFINITY;
    if (this.layout.distributionFrom >= 0) data[row + this.layout.distributionFrom] = Number.NaN;
    if (this.distributions !== null) this.distributions[p] = null;
    if (this.quantiles !== null) this.quantiles[p] = null;
  }

  addPoints(p: number, n: number): void {
    this.data[p * this.layout.stride + N] = this.points(p) + n;
  }

  /** Adds an increase over [from, to] to entry p (kinds without increases ignore it). */
  addIncrease(p: number, increase: number, from: number, to: number): void {
    const at = this.layout.increase;
    if (at < 0) return;
    const row = p * this.layout.stride + at;
    const data = this.data;
    const current = data[row] as number;
    data[row] = Number.isNaN(current) ? increase : current + increase;
    if (from < (data[row + 1] as number)) data[row + 1] = from;
    if (to > (data[row + 2] as number)) data[row + 2] = to;
  }

  /** Moves the start of entry p's increase interval up to `start` if it began earlier. */
  clipIncreaseFrom(p: number, start: number): void {
    const at = this.layout.increase;
    if (at < 0) return;
    const row = p * this.layout.stride + at + 1;
    if ((this.data[row] as number) < start) this.data[row] = start;
  }

  /** Sets entry p's value unless it holds a later one; its extremes take it in (or `min`, `max` when merged). */
  setValue(p: number, value: number, at: number, min = value, max = value): void {
    const slot = this.layout.value;
    if (slot < 0) return;
    const row = p * this.layout.stride + slot;
    const extremes = this.layout.extremes;
    if (extremes >= 0) {
      const e = p * this.layout.stride + extremes;
      if (min < (this.data[e] as number)) this.data[e] = min;
      if (max > (this.data[e + 1] as number)) this.data[e + 1] = max;
    }
    if (at < (this.data[row + 1] as number)) return;
    this.data[row] = value;
    this.data[row + 1] = at;
  }

  setQuantiles(p: number, quantiles: readonly QuantileValue[], at: number): void {
    const slot = this.layout.quantilesAt;
    if (slot < 0) return;
    const row = p * this.layout.stride + slot;
    if (at < (this.data[row] as number)) return;
    this.quantiles ??= new Array(this.allocated).fill(null);
    this.quantiles[p] = quantiles;
    this.data[row] = at;
  }

  quantilesOf(p: number): readonly QuantileValue[] | null {
    return this.quantiles?.[p] ?? null;
  }

  private withCounts(width: number): Float32Array {
    if (this.counts === null) {
      this.width = width;
      this.counts = new Float32Array(this.allocated * width);
    }
    return this.counts;
  }

  /**
   * Adds a distribution to entry p. Explicit ones go into the bucket columns, in `bounds` (the
   * series'), re-bucketed when theirs differ; others are merged as objects (this tier keeps `d`).
   */
  addDistribution(p: number, d: Distribution, bounds: readonly number[] | null): void {
    const slot = this.layout.buckets;
    if (d.type === "explicit" && bounds !== null && slot >= 0) {
      const counts = this.withCounts(bounds.length + 1);
      const source = sameBounds(d.bounds, bounds) ? d.counts : rebucket(d.bounds, d.counts, bounds);
      const base = p * this.width;
      for (let k = 0; k < this.width; k++) counts[base + k] = (counts[base + k] as number) + (source[k] ?? 0);
      this.addBucketTotals(p, d.count, d.sum, d.min, d.max);
      return;
    }
    this.distributions ??= new Array(this.allocated).fill(null);
    const current = this.distributions[p];
    this.distributions[p] = current === null || current === undefined ? d : mergeDistribution(current, d);
  }

  private addBucketTotals(p: number, count: number, sum: number, min: number, max: number): void {
    const row = p * this.layout.stride + this.layout.buckets;
    const data = this.data;
    data[row] = (data[row] as number) + count;
    data[row + 1] = (data[row + 1] as number) + sum;
    data[row + 2] = Math.min(data[row + 2] as number, min);
    data[row + 3] = Math.max(data[row + 3] as number, max);
  }

  /** Entry p's distribution as a new object (the caller may change it), or null. */
  distributionAt(p: number, bounds: readonly number[] | null): Distribution | null {
    const slot = this.layout.buckets;
    if (slot >= 0 && this.counts !== null && bounds !== null) {
      const row = p * this.layout.stride + slot;
      const count = this.data[row] as number;
      if (count > 0) {
        const base = p * this.width;
        const min = this.data[row + 2] as number;
        const max = this.data[row + 3] as number;
        // A loop: Array.from over a typed array goes through its iterator, and was most of a
        // histogram query's time (one of these per series and step).
        const counts: number[] = new Array(this.width);
        for (let k = 0; k < this.width; k++) counts[k] = this.counts[base + k] as number;
        return {
          type: "explicit",
          bounds,
          counts,
          count,
          sum: this.data[row + 1] as number,
          min: Number.isFinite(min) ? min : Number.NaN,
          max: Number.isFinite(max) ? max : Number.NaN,
        };
      }
    }
    const d = this.distributions?.[p];
    return d === null || d === undefined ? null : cloneDistribution(d);
  }

  /**
   * Entry p's distribution added to `into` (owned by the caller, changed in place when it can be):
   * the result to keep. Explicit buckets in the same bounds are added without a new object.
   */
  addDistributionTo(p: number, into: Distribution | null, bounds: readonly number[] | null): Distribution | null {
    const slot = this.layout.buckets;
    if (
      into?.type === "explicit" &&
      this.counts !== null &&
      bounds !== null &&
      slot >= 0 &&
      sameBounds(into.bounds, bounds)
    ) {
      const row = p * this.layout.stride + slot;
      const count = this.data[row] as number;
      if (count <= 0) return into;
      const base = p * this.width;
      for (let k = 0; k < this.width; k++)
        into.counts[k] = (into.counts[k] as number) + (this.counts[base + k] as number);
      const min = this.data[row + 2] as number;
      const max = this.data[row + 3] as number;
      into.count += count;
      into.sum += this.data[row + 1] as number;
      into.min = Math.min(into.min, Number.isFinite(min) ? min : Number.NaN);
      into.max = Math.max(into.max, Number.isFinite(max) ? max : Number.NaN);
      return into;
    }
    const d = this.distributionAt(p, bounds);
    if (d === null) return into;
    return into === null ? d : mergeDistribution(into, d);
  }

  /**
   * Adds entry i of `from` (another tier of the same series) to entry j of this one, but for its
   * increase and its distribution, which the caller adds (whole, or in shares: see MetricSeries).
   */
  mergeOthersFrom(from: Tier, i: number, j: number): void {
    this.addPoints(j, from.points(i));
    const value = from.value(i);
    if (!Number.isNaN(value)) {
      this.setValue(j, value, from.valueAt(i), ...extremesOr(from.valueMin(i), from.valueMax(i), value));
    }
    const q = from.quantilesOf(i);
    if (q !== null) this.setQuantiles(j, q, from.quantilesAt(i));
  }

  /** Adds `share` of entry i of `from`'s distribution to entry j of this one (counts and sum scaled, min and max kept). */
  addDistributionShare(from: Tier, i: number, j: number, bounds: readonly number[] | null, share: number): void {
    if (share === 1) {
      this.mergeDistributionFrom(from, i, j, bounds);
      return;
    }
    const d = from.distributionAt(i, bounds);
    if (d !== null) this.addDistribution(j, scaleDistribution(d, share), bounds);
  }

  /** Adds entry i of `from` (another tier of the same series) to entry j of this one. */
  mergeFrom(from: Tier, i: number, j: number, bounds: readonly number[] | null): void {
    this.mergeOthersFrom(from, i, j);
    const increase = from.increase(i);
    if (!Number.isNaN(increase)) this.addIncrease(j, increase, from.increaseFrom(i), from.increaseTo(i));
    this.mergeDistributionFrom(from, i, j, bounds);
  }

  private mergeDistributionFrom(from: Tier, i: number, j: number, bounds: readonly number[] | null): void {
    const slot = this.layout.buckets;
    if (slot >= 0 && from.counts !== null) {
      const row = i * from.stride + slot;
      if ((from.data[row] as number) > 0) {
        const counts = this.withCounts(from.width);
        const a = j * this.width;
        const b = i * from.width;
        for (let k = 0; k < this.width; k++) counts[a + k] = (counts[a + k] as number) + (from.counts[b + k] as number);
        const data = from.data;
        this.addBucketTotals(
          j,
          data[row] as number,
          data[row + 1] as number,
          data[row + 2] as number,
          data[row + 3] as number,
        );
      }
    }
    const d = from.distributions?.[i];
    if (d !== null && d !== undefined) this.addDistribution(j, cloneDistribution(d), bounds);
  }

  /** Entry p's fields as a value. */
  fieldsAt(p: number, bounds: readonly number[] | null): EntryFields {
    return {
      t: this.time(p),
      n: this.points(p),
      increase: this.increase(p),
      increaseFrom: this.increaseFrom(p),
      increaseTo: this.increaseTo(p),
      value: this.value(p),
      valueAt: this.valueAt(p),
      valueMin: this.valueMin(p),
      valueMax: this.valueMax(p),
      distribution: this.distributionAt(p, bounds),
      distributionFrom: this.distributionFrom(p),
      quantiles: this.quantilesOf(p),
      quantilesAt: this.quantilesAt(p),
    };
  }

  /** Appends an entry with these fields (loading a file: raw entries in key order, rollups by time). */
  appendFields(f: EntryFields, bounds: readonly number[] | null): void {
    const p = this.insertAt(this.size, f.t);
    this.addPoints(p, f.n);
    if (!Number.isNaN(f.increase)) this.addIncrease(p, f.increase, f.increaseFrom, f.increaseTo);
    // Entries written before extremes were kept have none: their value stands for them.
    if (!Number.isNaN(f.value)) this.setValue(p, f.value, f.valueAt, ...extremesOr(f.valueMin, f.valueMax, f.value));
    if (f.distribution !== null) this.addDistribution(p, f.distribution, bounds);
    if (!Number.isNaN(f.distributionFrom)) this.setDistributionFrom(p, f.distributionFrom);
    if (f.quantiles !== null) this.setQuantiles(p, f.quantiles, f.quantilesAt);
  }
}

/** An entry's extremes, or its value for either one it does not keep. */
function extremesOr(min: number, max: number, value: number): [number, number] {
  return [Number.isFinite(min) ? min : value, Number.isFinite(max) ? max : value];
}
