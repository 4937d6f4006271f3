import { bucketHighNs, bucketLowNs, Histogram } from "./latency-histogram.js";

/**
 * Spans, failures and (unless the series keeps none) a latency histogram of one time bucket or of
 * everything, with bounds of the shortest and longest duration counted: `lowNs` ≤ the shortest,
 * `highNs` ≥ the longest. Spans added with their duration make them exact; extremes do not subtract,
 * so when spans leave they stay bounds, and a reader holds them within the histogram's lowest and
 * highest non-empty buckets as well (boundsOf). A span added without its duration (restored from a
 * file, or a move undone) widens them to its bucket's edges.
 */
export interface StatsCell {
  count: number;
  errors: number;
  histogram: Histogram | null;
  lowNs: number;
  highNs: number;
  /** An hour's or the total's cell that spans left: its bounds are found again from its parts at the next read. */
  stale: boolean;
  /**
   * Spans left the cell, or its bounds were read back from a file, since a reader last held them
   * within its buckets' edges (boundsOf): they may be past those edges.
   */
  loose: boolean;
}

export function emptyCell(withHistogram = true): StatsCell {
  return {
    count: 0,
    errors: 0,
    histogram: withHistogram ? new Histogram() : null,
    lowNs: Number.POSITIVE_INFINITY,
    highNs: Number.NEGATIVE_INFINITY,
    stale: false,
    loose: false,
  };
}

/** Counts `n` spans into a cell; true when its bounds moved. */
function bump(cell: StatsCell, bucket: number, error: boolean, n: number, lowNs: number, highNs: number): boolean {
  cell.count += n;
  if (error) cell.errors += n;
  const histogram = cell.histogram;
  if (histogram === null) return false;
  histogram.add(bucket, n);
  let moved = false;
  if (lowNs < cell.lowNs) {
    cell.lowNs = lowNs;
    moved = true;
  }
  if (highNs > cell.highNs) {
    cell.highNs = highNs;
    moved = true;
  }
  return moved;
}

/** Takes `n` alike spans out of a cell; true when the cell is empty afterwards. */
function unbump(cell: StatsCell, bucket: number, error: boolean, n: number): boolean {
  cell.count -= n;
  if (error) cell.errors -= n;
  cell.histogram?.subtract(bucket, n);
  cell.loose = true;
  return cell.count <= 0;
}

/**
 * A cell's bounds as a reader takes them: its own, held within the edges of its lowest and highest
 * non-empty buckets (which bound what is left in it after spans left), and kept so. Exact while every
 * span it counts came with its duration and none left; after spans left, each is at most a bucket's
 * width (4.4%) past the true extreme. Kept, so that a minute and the hour (or total) found again from
 * it take a later span's duration alike: otherwise the hour would hold it and the minute, still past
 * its edges, would not, and a window of whole hours read tighter than the same minutes merged (or than
 * the hour found again from them after a file's reopening; a minute's are told to the series'
 * `onMinuteBounds`, so the file keeps them too: see StatsSeries.readMinute).
 */
function boundsOf(cell: StatsCell): { lowNs: number; highNs: number } {
  if (cell.histogram === null || cell.count <= 0)
    return { lowNs: Number.POSITIVE_INFINITY, highNs: Number.NEGATIVE_INFINITY };
  tighten(cell);
  return cell;
}

/** Holds a loose cell's bounds within its lowest and highest non-empty buckets' edges; true when they moved. */
function tighten(cell: StatsCell): boolean {
  const histogram = cell.histogram;
  if (!cell.loose || histogram === null || cell.count <= 0) return false;
  cell.loose = false;
  const lowNs = Math.max(cell.lowNs, bucketLowNs(histogram.lowest()));
  const highNs = Math.min(cell.highNs, bucketHighNs(histogram.highest()));
  if (lowNs === cell.lowNs && highNs === cell.highNs) return false;
  cell.lowNs = lowNs;
  cell.highNs = highNs;
  return true;
}

export function mergeCell(into: StatsCell, from: StatsCell): void {
  into.count += from.count;
  into.errors += from.errors;
  if (into.histogram === null || from.histogram === null) return;
  into.histogram.merge(from.histogram);
  takeBounds(into, from);
}

/** Calls `visit` for the map's entries with keys in [low, high], by whichever is shorter: the range or the map. */
function eachInRange(
  map: Map<number, StatsCell>,
  low: number,
  high: number,
  visit: (cell: StatsCell, key: number) => void,
): void {
  if (high < low) return;
  if (high - low + 1 <= map.size) {
    for (let key = low; key <= high; key++) {
      const cell = map.get(key);
      if (cell !== undefined) visit(cell, key);
    }
    return;
  }
  for (const [key, cell] of map) if (key >= low && key <= high) visit(cell, key);
}

/**
 * Told that a minute cell's duration bounds moved (a span's duration widened them, or a read held
 * them within its buckets' edges after spans left), or that the cell went (emptied): what a store
 * that keeps each minute's bounds in a file writes again (see StatsSeries.minuteBounds).
 */
export type MinuteBoundsListener = (series: StatsSeries, minute: number) => void;

/**
 * One statistic kept over time: a cell per minute of span start, a cell per hour (so a long window
 * merges hours and only its ragged ends by minute) and a total. Empty cells are deleted, so a series
 * holds at most as many cells as it has spans. An hour's cell and the total that spans left find
 * their duration bounds again from their minutes (and hours) when next read, so a window's bounds are
 * exact unless a minute it counts lost spans. The minutes' bounds are all a file needs to keep: the
 * hours' and the total's are found again from them (restoreBounds).
 */
export class StatsSeries {
  readonly minutes = new Map<number, StatsCell>();
  private readonly hours = new Map<number, StatsCell>();
  readonly total: StatsCell;
  /** The cells the last span went to: a batch's spans mostly share their minute. */
  private lastMinute = Number.NaN;
  private lastMinuteCell: StatsCell | undefined;
  private lastHourCell: StatsCell | undefined;

  /** `withHistogram` false: counts and failures only (and no bounds to tell `onMinuteBounds` of). */
  constructor(
    private readonly withHistogram = true,
    private readonly onMinuteBounds: MinuteBoundsListener | null = null,
  ) {
    this.total = emptyCell(withHistogram);
  }

  /**
   * Counts `n` spans (default one) that started in `minute`, in latency bucket `bucket`, of
   * `durationNs` (unknown: anywhere in the bucket).
   */
  add(minute: number, bucket: number, error: boolean, n = 1, durationNs = Number.NaN): void {
    // A series without histogram keeps no bounds: its spans' edges (two powers) would go unused.
    const known = !this.withHistogram || !Number.isNaN(durationNs);
    const lowNs = known ? durationNs : bucketLowNs(bucket);
    const highNs = known ? durationNs : bucketHighNs(bucket);
    bump(this.total, bucket, error, n, lowNs, highNs);
    let minuteCell = this.lastMinuteCell;
    let hourCell = this.lastHourCell;
    if (minute !== this.lastMinute || minuteCell === undefined || hourCell === undefined) {
      minuteCell = this.cellAt(this.minutes, minute);
      hourCell = this.cellAt(this.hours, Math.floor(minute / 60));
      this.lastMinute = minute;
      this.lastMinuteCell = minuteCell;
      this.lastHourCell = hourCell;
    }
    if (bump(minuteCell, bucket, error, n, lowNs, highNs) && this.onMinuteBounds !== null) {
      this.onMinuteBounds(this, minute);
    }
    bump(hourCell, bucket, error, n, lowNs, highNs);
  }

  remove(minute: number, bucket: number, error: boolean, n = 1): void {
    unbump(this.total, bucket, error, n);
    this.total.stale = true;
    if (this.removeFrom(this.minutes, minute, bucket, error, n) === undefined && this.onMinuteBounds !== null) {
      this.onMinuteBounds(this, minute);
    }
    const hour = this.removeFrom(this.hours, Math.floor(minute / 60), bucket, error, n);
    if (hour !== undefined) hour.stale = true;
  }

  /**
   * Counts `n` more of the spans that started in `minute` as failed (fewer when negative), their count
   * and durations as they were: a request that failed in another telling of it (see
   * OperationStatsIndex.failInside). Nothing without spans in that minute.
   */
  addErrors(minute: number, n: number): void {
    const minuteCell = this.minutes.get(minute);
    if (minuteCell === undefined) return;
    minuteCell.errors += n;
    const hourCell = this.hours.get(Math.floor(minute / 60));
    if (hourCell !== undefined) hourCell.errors += n;
    this.total.errors += n;
  }

  /** A minute cell's own bounds (as kept, not as boundsOf reads them), or undefined without the cell. */
  minuteBounds(minute: number): { lowNs: number; highNs: number } | undefined {
    const cell = this.minutes.get(minute);
    return cell === undefined || cell.histogram === null ? undefined : { lowNs: cell.lowNs, highNs: cell.highNs };
  }

  /**
   * Gives a minute cell read back from a file (its spans restored without their durations, so
   * bounded by their buckets' edges) the bounds it had when written; its hour and the total find
   * theirs again from their minutes at the next read. False without the cell.
   */
  restoreBounds(minute: number, lowNs: number, highNs: number): boolean {
    const cell = this.minutes.get(minute);
    if (cell === undefined || cell.histogram === null) return false;
    cell.lowNs = lowNs;
    cell.highNs = highNs;
    cell.loose = true;
    const hour = this.hours.get(Math.floor(minute / 60));
    if (hour !== undefined) hour.stale = true;
    this.total.stale = true;
    return true;
  }

  private cellAt(map: Map<number, StatsCell>, key: number): StatsCell {
    let cell = map.get(key);
    if (cell === undefined) {
      cell = emptyCell(this.withHistogram);
      map.set(key, cell);
    }
    return cell;
  }

  /** Takes spans out of a cell, deleting it when emptied; the cell still held, if any. */
  private removeFrom(
    map: Map<number, StatsCell>,
    key: number,
    bucket: number,
    error: boolean,
    n: number,
  ): StatsCell | undefined {
    const cell = map.get(key);
    if (cell === undefined || !unbump(cell, bucket, error, n)) return cell;
    map.delete(key);
    if (cell === this.lastMinuteCell || cell === this.lastHourCell) this.lastMinuteCell = this.lastHourCell = undefined;
    return undefined;
  }

  /**
   * A minute's cell as a reader takes it (boundsOf), with `onMinuteBounds` told when that held its
   * bounds tighter: a file then keeps them as memory does, and a span arriving after its reopening
   * meets the same bounds (a row per minute that lost spans, written once it is read).
   */
  private readMinute(cell: StatsCell, minute: number): StatsCell {
    if (tighten(cell) && this.onMinuteBounds !== null) this.onMinuteBounds(this, minute);
    return cell;
  }

  /** The bounds of an hour's cell that spans left, found again from its minutes'. */
  private refreshHour(hour: number, cell: StatsCell): void {
    rebound(cell, (take) =>
      eachInRange(this.minutes, hour * 60, hour * 60 + 59, (minute, key) => take(this.readMinute(minute, key))),
    );
  }

  /** The total's bounds, when spans left it, found again from the hours'. */
  private refreshTotal(): void {
    const total = this.total;
    if (!total.stale || total.histogram === null) return;
    rebound(total, (take) => {
      for (const [hour, cell] of this.hours) {
        if (cell.stale) this.refreshHour(hour, cell);
        take(cell);
      }
    });
  }

  /** Adds the spans that started in minutes [from, to] (either may be infinite) into `into`. */
  collect(from: number, to: number, into: StatsCell): void {
    if (from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY) {
      this.refreshTotal();
      mergeCell(into, this.total);
      return;
    }
    const visit = (cell: StatsCell, minute: number) => mergeCell(into, this.readMinute(cell, minute));
    const firstFullHour = Math.ceil(from / 60);
    const lastFullHour = Math.floor((to + 1) / 60) - 1;
    if (firstFullHour > lastFullHour || !Number.isFinite(firstFullHour) || !Number.isFinite(lastFullHour)) {
      eachInRange(this.minutes, from, to, visit);
      return;
    }
    eachInRange(this.hours, firstFullHour, lastFullHour, (cell, hour) => {
      if (cell.stale) this.refreshHour(hour, cell);
      mergeCell(into, cell);
    });
    eachInRange(this.minutes, from, firstFullHour * 60 - 1, visit);
    eachInRange(this.minutes, (lastFullHour + 1) * 60, to, visit);
  }
}

/** A cell's bounds found again from its parts' (each given to `take`): no longer stale. */
function rebound(cell: StatsCell, parts: (take: (part: StatsCell) => void) => void): void {
  const found = { lowNs: Number.POSITIVE_INFINITY, highNs: Number.NEGATIVE_INFINITY };
  parts((part) => takeBounds(found, part));
  cell.lowNs = found.lowNs;
  cell.highNs = found.highNs;
  cell.stale = false;
}

/** Takes a cell's bounds (boundsOf) into `into`'s. */
function takeBounds(into: Pick<StatsCell, "lowNs" | "highNs">, from: StatsCell): void {
  const { lowNs, highNs } = boundsOf(from);
  if (lowNs < into.lowNs) into.lowNs = lowNs;
  if (highNs > into.highNs) into.highNs = highNs;
}
