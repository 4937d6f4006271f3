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
   * The resource its newest point came from (a hash of the resource's attributes, as a point's source),
   * or null when not known (TraceKit SDK points, a point without a resource, a file written before it
   * was kept). What else that resource exported since says whether this series stood still meanwhile.
   */
  resource: number | null = null;
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
   * point may be older), and where an entry's increase or distribution began (a counter's first point,
   * and a cumulative histogram's, counts from its start time).
   */
  oldestMs(): number {
    let oldest = Number.POSITIVE_INFINITY;
    const earliest = (tier: Tier, p: number) => {
      // NaN when the entry's distribution began at its time, or it has none: Math.min would take the NaN.
      const distributionFrom = tier.distributionFrom(p);
      const from = Number.isNaN(distributionFrom) ? Number.POSITIVE_INFINITY : distributionFrom;
      return Math.min(oldest, tier.time(p), tier.increaseFrom(p), from);
    };
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

  /**
   * Moves tier `level`'s oldest entry into the next tier's interval that holds it (or drops it). What
   * it recorded before that interval (an increase that began in an earlier one; a counter's or a
   * cumulative histogram's first point, which holds all since its start) is split over the intervals
   * that time covers, each its share, as queries spread a raw entry: a rollup placed it whole in its
   * own interval, and a chart reaching back into the rollups showed a spike the raw points did not.
   */
  private foldOldest(level: number, journal: EntryJournal | null): void {
    const from = this.tiers[level] as Tier;
    const to = this.tiers[level + 1];
    const i = from.begin;
    if (to !== undefined) {
      const resolution = to.spec.resolutionMs;
      const t = from.time(i);
      const start = Math.floor(t / resolution) * resolution;
      const j = intervalAt(to, start);
      to.mergeOthersFrom(from, i, j);
      const increase = from.increase(i);
      const increaseFrom = from.increaseFrom(i);
      const increaseTo = from.increaseTo(i);
      let increaseEarlier: Spread | null = null;
      if (!Number.isNaN(increase)) {
        if (increaseFrom < start && increaseTo > increaseFrom) {
          const span = increaseTo - increaseFrom;
          to.addIncrease(j, (increase * (increaseTo - start)) / span, start, increaseTo);
          increaseEarlier = {
            from: increaseFrom,
            place: (tier, k, a, b) => tier.addIncrease(k, (increase * (b - a)) / span, a, b),
            dropped: (end) => {
              if (end > this.countedFromMs) this.countedFromMs = end;
            },
          };
        } else {
          to.addIncrease(j, increase, Math.max(increaseFrom, start), increaseTo);
        }
      }
      const distributionFrom = from.distributionFrom(i);
      let distributionEarlier: Spread | null = null;
      if (distributionFrom < start) {
        const span = t - distributionFrom;
        to.addDistributionShare(from, i, j, this.bounds, (t - start) / span);
        distributionEarlier = {
          from: distributionFrom,
          place: (tier, k, a, b) => tier.addDistributionShare(from, i, k, this.bounds, (b - a) / span),
          dropped: () => {},
        };
      } else {
        to.addDistributionShare(from, i, j, this.bounds, 1);
      }
      journal?.entryChanged(this, level + 1, start);
      for (const spread of [increaseEarlier, distributionEarlier])
        if (spread !== null) this.spreadBefore(level + 1, start, spread, journal);
    } else {
      // Dropped: what it counted is gone, so counting now begins where its interval ended.
      const end = from.time(i) + from.spec.resolutionMs;
      if (end > this.countedFromMs) this.countedFromMs = end;
    }
    from.removeFirst();
    if (to !== undefined) while (to.size > to.spec.capacity) this.foldOldest(level + 1, journal);
  }

  /**
   * Places what `spread` recorded over [spread.from, end) in tier `level`'s intervals, each its share;
   * the part older than the tier would keep (its capacity back from its newest interval) goes to the
   * next tier, and past the last one it is dropped.
   */
  private spreadBefore(level: number, end: number, spread: Spread, journal: EntryJournal | null): void {
    const tier = this.tiers[level];
    if (tier === undefined) {
      spread.dropped(end);
      return;
    }
    const resolution = tier.spec.resolutionMs;
    const newest = Math.max(
      tier.size > 0 ? tier.time(tier.end - 1) : end,
      Math.floor((end - 1) / resolution) * resolution,
    );
    const oldestKept = newest - (tier.spec.capacity - 1) * resolution;
    const first = Math.max(Math.floor(spread.from / resolution) * resolution, oldestKept);
    for (let k = first; k < end; k += resolution) {
      const a = Math.max(spread.from, k);
      const b = Math.min(end, k + resolution);
      if (b <= a) continue;
      spread.place(tier, intervalAt(tier, k), a, b);
      journal?.entryChanged(this, level, k);
      // An interval between older ones (the tier's intervals need not be contiguous) may take it past
      // its capacity: its oldest, older than any placed here, moves on as it would have.
      while (tier.size > tier.spec.capacity) this.foldOldest(level, journal);
    }
    if (spread.from < first) this.spreadBefore(level + 1, first, spread, journal);
  }

  storedEntries(): number {
    let n = 0;
    for (const tier of this.tiers) n += tier.size;
    return n;
  }
}

/** What one entry recorded before the rollup interval it is folded into, to be placed in earlier ones. */
interface Spread {
  /** When it began to be recorded. */
  from: number;
  /** Adds its share of [a, b] to entry k of `tier`. */
  place(tier: Tier, k: number, a: number, b: number): void;
  /** Called with the time before which what it recorded is dropped (older than the last tier keeps). */
  dropped(end: number): void;
}

/** The index of `tier`'s interval starting at `start`, made when missing (usually the newest, or one after it). */
function intervalAt(tier: Tier, start: number): number {
  let j = tier.end - 1;
  while (j >= tier.begin && tier.time(j) > start) j--;
  if (j < tier.begin || tier.time(j) !== start) j = tier.insertAt(j + 1 - tier.begin, start);
  return j;
}
