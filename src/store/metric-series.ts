/**
 * One stored time series: its points, raw while recent and in rollups of growing width when older.
 * Tier 0 holds raw observations; each later tier holds one entry per interval of its resolution,
 * the merge of everything that fell in it (the sum of increases, the last value, the merged
 * distribution, the last quantiles). A tier past its capacity folds its oldest entry into the next;
 * the last tier drops it. So a series holds at most the sum of the capacities, however long it runs.
 */
import type { Exemplar, MetricDescriptor, QuantileValue } from "../domain/metric.js";
import { cloneDistribution, type Distribution, mergeDistribution } from "../domain/metric-distribution.js";
import type { Observation, ReadingState } from "../domain/metric-reading.js";
import type { Attributes } from "../domain/span.js";

export interface TierSpec {
  /** Width of an entry's interval in ms; 0 for raw observations. */
  resolutionMs: number;
  capacity: number;
}

/** Raw: the last 64 points; then 10-second rollups for ~10 min, 1-minute for 2 h, 10-minute for 24 h. */
export const TIERS: readonly TierSpec[] = [
  { resolutionMs: 0, capacity: 64 },
  { resolutionMs: 10_000, capacity: 60 },
  { resolutionMs: 60_000, capacity: 120 },
  { resolutionMs: 600_000, capacity: 144 },
];

/** Exemplars kept per series (newest by arrival). */
export const EXEMPLARS_PER_SERIES = 16;

/**
 * An observation or the merge of several: `t` is the observation's time (raw) or the start of the
 * rollup's interval. NaN marks what no merged observation had (no increase, no value).
 */
export class MetricEntry {
  t: number;
  /** Observations merged. */
  n = 0;
  increase = Number.NaN;
  /** The interval the increase happened over. */
  increaseFrom = Number.POSITIVE_INFINITY;
  increaseTo = Number.NEGATIVE_INFINITY;
  value = Number.NaN;
  valueAt = Number.NEGATIVE_INFINITY;
  distribution: Distribution | null = null;
  quantiles: readonly QuantileValue[] | null = null;
  quantilesAt = Number.NEGATIVE_INFINITY;

  constructor(t: number) {
    this.t = t;
  }

  static of(o: Observation): MetricEntry {
    const e = new MetricEntry(o.timeMs);
    e.n = 1;
    if (!Number.isNaN(o.increase)) {
      e.increase = o.increase;
      e.increaseFrom = o.increaseFromMs;
      e.increaseTo = o.timeMs;
    }
    if (!Number.isNaN(o.value)) {
      e.value = o.value;
      e.valueAt = o.timeMs;
    }
    e.distribution = o.distribution;
    if (o.quantiles !== null) {
      e.quantiles = o.quantiles;
      e.quantilesAt = o.timeMs;
    }
    return e;
  }

  /** Adds `other` to this entry (which owns its distribution; `other`'s is never changed). */
  merge(other: MetricEntry): void {
    this.n += other.n;
    if (!Number.isNaN(other.increase)) {
      this.increase = Number.isNaN(this.increase) ? other.increase : this.increase + other.increase;
      this.increaseFrom = Math.min(this.increaseFrom, other.increaseFrom);
      this.increaseTo = Math.max(this.increaseTo, other.increaseTo);
    }
    if (!Number.isNaN(other.value) && other.valueAt >= this.valueAt) {
      this.value = other.value;
      this.valueAt = other.valueAt;
    }
    if (other.distribution !== null) {
      this.distribution =
        this.distribution === null
          ? cloneDistribution(other.distribution)
          : mergeDistribution(this.distribution, other.distribution);
    }
    if (other.quantiles !== null && other.quantilesAt >= this.quantilesAt) {
      this.quantiles = other.quantiles;
      this.quantilesAt = other.quantilesAt;
    }
  }
}

/** Told about every change to a series' stored entries, for a store that writes them elsewhere. */
export interface SeriesJournal {
  entryChanged(series: MetricSeries, tier: number, entry: MetricEntry): void;
  entryRemoved(series: MetricSeries, tier: number, entry: MetricEntry): void;
}

export class MetricSeries {
  /** Entries per tier; tier 0 in arrival order, the others by `t`. */
  readonly tiers: MetricEntry[][] = TIERS.map(() => []);
  /** Newest last. */
  exemplars: Exemplar[] = [];
  /** Time of the newest point, unix ms. */
  lastMs = Number.NEGATIVE_INFINITY;

  constructor(
    /** Unique while the series exists; stable across restarts in the SQLite store. */
    readonly id: number,
    readonly metric: string,
    readonly service: string,
    readonly attributes: Attributes,
    /** How its points are read: the descriptor they last arrived with. */
    public descriptor: MetricDescriptor,
    readonly reading: ReadingState,
  ) {}

  add(observation: Observation, journal: SeriesJournal | null): void {
    const entry = MetricEntry.of(observation);
    const raw = this.tiers[0] as MetricEntry[];
    raw.push(entry);
    journal?.entryChanged(this, 0, entry);
    if (raw.length > (TIERS[0] as TierSpec).capacity) this.fold(0, raw.shift() as MetricEntry, journal);
  }

  addExemplars(exemplars: readonly Exemplar[]): void {
    if (exemplars.length === 0) return;
    for (const e of exemplars) this.exemplars.push(e);
    if (this.exemplars.length > EXEMPLARS_PER_SERIES)
      this.exemplars.splice(0, this.exemplars.length - EXEMPLARS_PER_SERIES);
  }

  /** Moves `entry`, just taken out of tier `from`, into the next tier's interval that holds it (or drops it). */
  private fold(from: number, entry: MetricEntry, journal: SeriesJournal | null): void {
    journal?.entryRemoved(this, from, entry);
    const level = from + 1;
    const spec = TIERS[level];
    if (spec === undefined) return;
    const tier = this.tiers[level] as MetricEntry[];
    const start = Math.floor(entry.t / spec.resolutionMs) * spec.resolutionMs;
    // Usually the newest interval, or one appended after it: search from the end.
    let i = tier.length - 1;
    while (i >= 0 && (tier[i] as MetricEntry).t > start) i--;
    let target = i >= 0 ? (tier[i] as MetricEntry) : undefined;
    if (target === undefined || target.t !== start) {
      target = new MetricEntry(start);
      tier.splice(i + 1, 0, target);
    }
    target.merge(entry);
    journal?.entryChanged(this, level, target);
    if (tier.length > spec.capacity) this.fold(level, tier.shift() as MetricEntry, journal);
  }

  /** Every stored entry, with the width of its interval. */
  *entries(): Generator<[MetricEntry, number]> {
    for (let level = 0; level < TIERS.length; level++) {
      const resolution = (TIERS[level] as TierSpec).resolutionMs;
      for (const entry of this.tiers[level] as MetricEntry[]) yield [entry, resolution];
    }
  }

  storedEntries(): number {
    let n = 0;
    for (const tier of this.tiers) n += tier.length;
    return n;
  }
}
