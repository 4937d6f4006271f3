import { Histogram } from "./latency-histogram.js";

/** Spans, failures and (unless the series keeps none) a latency histogram of one time bucket or of everything. */
export interface StatsCell {
  count: number;
  errors: number;
  histogram: Histogram | null;
}

export function emptyCell(withHistogram = true): StatsCell {
  return { count: 0, errors: 0, histogram: withHistogram ? new Histogram() : null };
}

function bump(cell: StatsCell, bucket: number, error: boolean, n: number): void {
  cell.count += n;
  if (error) cell.errors += n;
  cell.histogram?.add(bucket, n);
}

/** Takes `n` alike spans out of a cell; true when the cell is empty afterwards. */
function unbump(cell: StatsCell, bucket: number, error: boolean, n: number): boolean {
  cell.count -= n;
  if (error) cell.errors -= n;
  cell.histogram?.subtract(bucket, n);
  return cell.count <= 0;
}

export function mergeCell(into: StatsCell, from: StatsCell): void {
  into.count += from.count;
  into.errors += from.errors;
  if (into.histogram !== null && from.histogram !== null) into.histogram.merge(from.histogram);
}

/** Calls `visit` for the map's entries with keys in [low, high], by whichever is shorter: the range or the map. */
function eachInRange(map: Map<number, StatsCell>, low: number, high: number, visit: (cell: StatsCell) => void): void {
  if (high < low) return;
  if (high - low + 1 <= map.size) {
    for (let key = low; key <= high; key++) {
      const cell = map.get(key);
      if (cell !== undefined) visit(cell);
    }
    return;
  }
  for (const [key, cell] of map) if (key >= low && key <= high) visit(cell);
}

/**
 * One statistic kept over time: a cell per minute of span start, a cell per hour (so a long window
 * merges hours and only its ragged ends by minute) and a total. Empty cells are deleted, so a series
 * holds at most as many cells as it has spans.
 */
export class StatsSeries {
  readonly minutes = new Map<number, StatsCell>();
  private readonly hours = new Map<number, StatsCell>();
  readonly total: StatsCell;
  /** The cells the last span went to: a batch's spans mostly share their minute. */
  private lastMinute = Number.NaN;
  private lastMinuteCell: StatsCell | undefined;
  private lastHourCell: StatsCell | undefined;

  /** `withHistogram` false: counts and failures only. */
  constructor(private readonly withHistogram = true) {
    this.total = emptyCell(withHistogram);
  }

  /** Counts `n` spans (default one) that started in `minute`, in latency bucket `bucket`. */
  add(minute: number, bucket: number, error: boolean, n = 1): void {
    bump(this.total, bucket, error, n);
    let minuteCell = this.lastMinuteCell;
    let hourCell = this.lastHourCell;
    if (minute !== this.lastMinute || minuteCell === undefined || hourCell === undefined) {
      minuteCell = this.cellAt(this.minutes, minute);
      hourCell = this.cellAt(this.hours, Math.floor(minute / 60));
      this.lastMinute = minute;
      this.lastMinuteCell = minuteCell;
      this.lastHourCell = hourCell;
    }
    bump(minuteCell, bucket, error, n);
    bump(hourCell, bucket, error, n);
  }

  remove(minute: number, bucket: number, error: boolean, n = 1): void {
    unbump(this.total, bucket, error, n);
    this.removeFrom(this.minutes, minute, bucket, error, n);
    this.removeFrom(this.hours, Math.floor(minute / 60), bucket, error, n);
  }

  private cellAt(map: Map<number, StatsCell>, key: number): StatsCell {
    let cell = map.get(key);
    if (cell === undefined) {
      cell = emptyCell(this.withHistogram);
      map.set(key, cell);
    }
    return cell;
  }

  private removeFrom(map: Map<number, StatsCell>, key: number, bucket: number, error: boolean, n: number): void {
    const cell = map.get(key);
    if (cell === undefined || !unbump(cell, bucket, error, n)) return;
    map.delete(key);
    if (cell === this.lastMinuteCell || cell === this.lastHourCell) this.lastMinuteCell = this.lastHourCell = undefined;
  }

  /** Adds the spans that started in minutes [from, to] (either may be infinite) into `into`. */
  collect(from: number, to: number, into: StatsCell): void {
    if (from === Number.NEGATIVE_INFINITY && to === Number.POSITIVE_INFINITY) {
      mergeCell(into, this.total);
      return;
    }
    const visit = (cell: StatsCell) => mergeCell(into, cell);
    const firstFullHour = Math.ceil(from / 60);
    const lastFullHour = Math.floor((to + 1) / 60) - 1;
    if (firstFullHour > lastFullHour || !Number.isFinite(firstFullHour) || !Number.isFinite(lastFullHour)) {
      eachInRange(this.minutes, from, to, visit);
      return;
    }
    eachInRange(this.hours, firstFullHour, lastFullHour, visit);
    eachInRange(this.minutes, from, firstFullHour * 60 - 1, visit);
    eachInRange(this.minutes, (lastFullHour + 1) * 60, to, visit);
  }
}
