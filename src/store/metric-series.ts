/**
 * One stored time series: its points, raw while recent and in rollups of growing width when older.
 * Tier 0 holds raw observations; each later tier holds one entry per interval of its resolution,
 * the merge of everything that fell in it (the sum of increases, the last value, the merged
 * distribution, the last quantiles). A tier past its capacity folds its oldest entry into the next;
 * the last tier drops it. So a series holds at most the sum of the capacities, however long it runs.
 */
import type { Exemplar, MetricDescriptor } from "../domain/metric.js";
import type { Observation, ReadingState } from "../domain/metric-reading.js";
import type { Attributes } from "../domain/span.js";
import { PointKeys } from "./metric-point-keys.js";
import { layoutFor, Tier, type TierSpec } from "./metric-tier.js";

export type { EntryFields, TierSpec } from "./metric-tier.js";
export { Tier } from "./metric-tier.js";

/**
 * Raw entries past its capacity a series holds before it folds them into its rollups, all at once:
 * one visit to the rollups' rows per this many points, rather than one per point (their rows are
 * rarely in the CPU's cache by the time the series' next point arrives). Readers see the series only
 * after `settle`, so what they read is what folding each entry at once would have left.
 */
export const FOLD_BATCH = 24;

/** Raw: the last 64 points; then 10-second rollups for ~10 min, 1-minute for 2 h, 10-minute for 24 h. */
export const TIERS: readonly TierSpec[] = [
  { resolutionMs: 0, capacity: 64, pending: FOLD_BATCH },
  { resolutionMs: 10_000, capacity: 60 },
  { resolutionMs: 60_000, capacity: 120 },
  { resolutionMs: 600_000, capacity: 144 },
];

/** Exemplars kept per series (newest by arrival). */
export const EXEMPLARS_PER_SERIES = 16;

/** Told about every change to a series' stored entries, for a store that writes them elsewhere. */
export interface EntryJournal {
  /** The entry with `key` in `tier` was added or changed; entries below the tier's oldest key are gone. */
  entryChanged(series: MetricSeries, tier: number, key: number): void;
}

export class MetricSeries {
  /** Read them after `settle` (the raw tier may hold up to FOLD_BATCH entries past its capacity until then). */
  readonly tiers: Tier[];
  /** Newest last. */
  exemplars: Exemplar[] = [];
  /** Time of the newest point, unix ms. */
  lastMs = Number.NEGATIVE_INFINITY;
  /**
   * When what its increases add up to began to be counted, unix ms: the earliest start of any of them
   * (a cumulative counter's first point counts from its start time, before the point itself), moved
   * past what the last tier let go; +Infinity before its first increase. Kept beside the entries
   * because a rollup places an increase that began before its interval inside it.
   */
  countedFromMs = Number.POSITIVE_INFINITY;
  /** The bounds every stored explicit histogram of this series is kept in (its first point's). */
  bounds: readonly number[] | null = null;
  /** The series the next point of the same export went to, last time (see MetricCollection.insert). */
  followedBy: MetricSeries | null = null;
  private folding = false;
  /** Set once the series is no longer stored (retention). */
  removed = false;
  /** The points it received, so that one sent again is not counted twice (empty for TraceKit SDK metrics). */
  readonly pointKeys = new PointKeys();

  constructor(
    /** Unique while the series exists; stable across restarts in the SQLite store. */
    readonly id: number,
    readonly metric: string,
    /** See seriesHash. */
    readonly hash: number,
    readonly service: string,
    readonly attributes: Attributes,
    /** How its points are read: the descriptor they last arrived with. */
    public descriptor: MetricDescriptor,
    readonly reading: ReadingState,
  ) {
    const layout = layoutFor(descriptor.kind);
    this.tiers = TIERS.map((spec) => new Tier(spec, layout));
  }

  /**
   * The typical time between its recent points (the median of up to 16 gaps between raw entries), or 0
   * with fewer than 3 raw entries: an SDK exporting every 60 s has 60 s here whatever the window.
   */
  pointIntervalMs(): number {
    const raw = this.tiers[0] as Tier;
    const first = Math.max(raw.begin, raw.end - 17);
    const gaps: number[] = [];
    for (let p = first + 1; p < raw.end; p++) gaps.push(raw.time(p) - raw.time(p - 1));
    if (gaps.length < 2) return 0;
    gaps.sort((a, b) => a - b);
    return gaps[gaps.length >> 1] as number;
  }

  /**
   * The earliest time its stored data covers, unix ms (+Infinity when it holds none): the oldest entry
   * of each rollup tier (its interval start), every raw entry (they are in arrival order, and a late
   * point may be older), and where an entry's increase began (a counter's first point counts from its
   * start time).
   */
  oldestMs(): number {
    let oldest = Number.POSITIVE_INFINITY;
    const earliest = (tier: Tier, p: number) => Math.min(oldest, tier.time(p), tier.increaseFrom(p));
    const raw = this.tiers[0] as Tier;
    for (let p = raw.begin; p < raw.end; p++) oldest = earliest(raw, p);
    for (let level = 1; level < this.tiers.length; level++) {
      const tier = this.tiers[level] as Tier;
      if (tier.size > 0) oldest = earliest(tier, tier.begin);
    }
    return oldest;
  }

  /**
   * The earliest start of the increases its entries hold (+Infinity when none): countedFromMs for a
   * series read from a file written before it was kept, as near as its rollups tell.
   */
  earliestIncreaseMs(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const tier of this.tiers) {
      if (tier.layout.increase < 0) continue;
      for (let p = tier.begin; p < tier.end; p++) {
        if (!Number.isNaN(tier.increase(p))) earliest = Math.min(earliest, tier.increaseFrom(p));
      }
    }
    return earliest;
  }

  /** The values of its raw entries, by time (arrival order among equal times). */
  recentValues(): number[] {
    const raw = this.tiers[0] as Tier;
    const entries: [number, number][] = [];
    for (let p = raw.begin; p < raw.end; p++) {
      const v = raw.value(p);
      if (!Number.isNaN(v)) entries.push([raw.valueAt(p), v]);
    }
    // Stable: points stamped in the same millisecond keep the order they were sent in.
    entries.sort((a, b) => a[0] - b[0]);
    return entries.map((e) => e[1]);
  }

  /** The key the next raw entry gets. */
  get nextRawKey(): number {
    const raw = this.tiers[0] as Tier;
    return raw.firstKey + raw.size;
  }

  add(o: Observation, journal: EntryJournal | null): void {
    const raw = this.tiers[0] as Tier;
    const p = raw.insertAt(raw.size, o.timeMs);
    raw.addPoints(p, 1);
    if (!Number.isNaN(o.increase)) {
      raw.addIncrease(p, o.increase, o.increaseFromMs, o.timeMs);
      if (o.increaseFromMs < this.countedFromMs) this.countedFromMs = o.increaseFromMs;
    }
    if (!Number.isNaN(o.value)) {
      const own = Number.isNaN(o.pointValue) ? o.value : o.pointValue;
      raw.setValue(p, o.value, o.timeMs, Math.min(own, o.value), Math.max(own, o.value));
    }
    if (o.distribution !== null) {
      if (o.distribution.type === "explicit") this.bounds ??= o.distribution.bounds;
      raw.addDistribution(p, o.distribution, this.bounds);
      if (!Number.isNaN(o.distributionFromMs)) raw.setDistributionFrom(p, o.distributionFromMs);
    }
    if (o.quantiles !== null) raw.setQuantiles(p, o.quantiles, o.timeMs);
    journal?.entryChanged(this, 0, raw.keyAt(p));
    if (raw.size > raw.spec.capacity + FOLD_BATCH) this.settle(journal);
  }

  /** Folds the raw entries past the raw tier's capacity into the rollups, oldest first. */
  settle(journal: EntryJournal | null): void {
    // A journal may write the series out while it folds (and settle it): that waits for this fold.
    if (this.folding) return;
    this.folding = true;
    try {
      const raw = this.tiers[0] as Tier;
      while (raw.size > raw.spec.capacity) this.foldOldest(0, journal);
    } finally {
      this.folding = false;
    }
  }

  addExemplars(exemplars: readonly Exemplar[]): void {
    if (exemplars.length === 0) return;
    for (const e of exemplars) this.exemplars.push(e);
    if (this.exemplars.length > EXEMPLARS_PER_SERIES)
      this.exemplars.splice(0, this.exemplars.length - EXEMPLARS_PER_SERIES);
  }

  /** Moves tier `level`'s oldest entry into the next tier's interval that holds it (or drops it). */
  private foldOldest(level: number, journal: EntryJournal | null): void {
    const from = this.tiers[level] as Tier;
    const to = this.tiers[level + 1];
    if (to !== undefined) {
      const resolution = to.spec.resolutionMs;
      const start = Math.floor(from.time(from.begin) / resolution) * resolution;
      const j = intervalAt(to, start);
      to.mergeFrom(from, from.begin, j, this.bounds);
      // An increase that began in the interval before this one (the export interval crossed it, or
      // ended on its boundary) has the share of it that came then moved there. One that began earlier
      // still (a counter's first point counts from its start) is kept whole but placed inside this
      // interval: a rollup says nothing finer than its own interval.
      const increase = from.increase(from.begin);
      const increaseFrom = from.increaseFrom(from.begin);
      const increaseTo = from.increaseTo(from.begin);
      const earlier =
        !Number.isNaN(increase) &&
        increaseFrom < start &&
        increaseFrom >= start - resolution &&
        increaseTo > increaseFrom
          ? (increase * (start - increaseFrom)) / (increaseTo - increaseFrom)
          : 0;
      if (earlier !== 0) to.addIncrease(j, -earlier, start, start);
      to.clipIncreaseFrom(j, start);
      journal?.entryChanged(this, level + 1, start);
      if (earlier !== 0) {
        const before = start - resolution;
        to.addIncrease(intervalAt(to, before), earlier, increaseFrom, start);
        journal?.entryChanged(this, level + 1, before);
      }
    } else {
      // Dropped: what it counted is gone, so counting now begins where its interval ended.
      const end = from.time(from.begin) + from.spec.resolutionMs;
      if (end > this.countedFromMs) this.countedFromMs = end;
    }
    from.removeFirst();
    if (to !== undefined && to.size > to.spec.capacity) this.foldOldest(level + 1, journal);
  }

  storedEntries(): number {
    let n = 0;
    for (const tier of this.tiers) n += tier.size;
    return n;
  }
}

/** The index of `tier`'s interval starting at `start`, made when missing (usually the newest, or one after it). */
function intervalAt(tier: Tier, start: number): number {
  let j = tier.end - 1;
  while (j >= tier.begin && tier.time(j) > start) j--;
  if (j < tier.begin || tier.time(j) !== start) j = tier.insertAt(j + 1 - tier.begin, start);
  return j;
}
