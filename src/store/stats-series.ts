import { addToHistogram, type Histogram } from "./latency-histogram.js";

/** Spans, failures and a latency histogram of one time bucket (or of everything). */
export interface StatsCell {
  count: number;
  errors: number;
  histogram: Histogram;
}

export function emptyCell(): StatsCell {
  return { count: 0, errors: 0, histogram: new Map() };
}

function bump(cell: StatsCell, bucket: number, error: boolean): void {
  cell.count++;
  if (error) cell.errors++;
  cell.histogram.set(bucket, (cell.histogram.get(bucket) ?? 0) + 1);
}

/** Takes one span out of a cell; true when the cell is empty afterwards. */
function unbump(cell: StatsCell, bucket: number, error: boolean): boolean {
  cell.count--;
  if (error) cell.errors--;
  const left = (cell.histogram.get(bucket) ?? 0) - 1;
  if (left > 0) cell.histogram.set(bucket, left);
  else cell.histogram.delete(bucket);
  return cell.count <= 0;
}

export function mergeCell(into: StatsCell, from: StatsCell): void {
  into.count += from.count;
  into.errors += from.errors;
  addToHistogram(into.histogram, from.histogram);
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
  readonly total = emptyCell();

  add(minute: number, bucket: number, error: boolean): void {
    bump(this.total, bucket, error);
    bump(cellAt(this.minutes, minute), bucket, error);
    bump(cellAt(this.hours, Math.floor(minute / 60)), bucket, error);
  }

  remove(minute: number, bucket: number, error: boolean): void {
    unbump(this.total, bucket, error);
    removeFrom(this.minutes, minute, bucket, error);
    removeFrom(this.hours, Math.floor(minute / 60), bucket, error);
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

function cellAt(map: Map<number, StatsCell>, key: number): StatsCell {
  let cell = map.get(key);
  if (cell === undefined) {
    cell = emptyCell();
    map.set(key, cell);
  }
  return cell;
}

function removeFrom(map: Map<number, StatsCell>, key: number, bucket: number, error: boolean): void {
  const cell = map.get(key);
  if (cell !== undefined && unbump(cell, bucket, error)) map.delete(key);
}
