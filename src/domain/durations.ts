/**
 * Exact nearest-rank percentiles of many durations, without sorting them per request. Durations are
 * handed over as they are kept: sorted segments (one kind of call in one minute, sorted once when that
 * minute changed), each with its runs per duration bucket, plus a few loose values. A percentile first
 * finds its bucket by adding the runs' lengths (one addition per run, not per value), then selects
 * among that bucket's values alone. The buckets only narrow the search: the answer is the value
 * `percentile` gives over all the durations sorted.
 */
import { nearestRank, selectPercentiles, selectRank } from "./percentile.js";

/** The bucket's bits: a double's 11 exponent bits and its first 3 mantissa bits (8 buckets per power of two). */
const BUCKET_SHIFT = 20 - 3;
/** 2^-20 ms (about 1 ns) starts bucket 1. */
const FIRST_EXPONENT = 1023 - 20;
/** Bucket 0 holds 0 ms; buckets 1… reach 2^44 ms (over 500 years), where the last one takes the rest. */
export const DURATION_BUCKETS = 1 + 64 * 8;

const number = new Float64Array(1);
const words = new Uint32Array(number.buffer);
/** Which of the two words holds the sign, exponent and top of the mantissa. */
const HIGH = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * A duration's bucket. Read from the bits of the number, it never decreases as the duration grows, so
 * the buckets of a sorted segment form runs.
 */
export function durationBucket(ms: number): number {
  if (!(ms > 0)) return 0;
  number[0] = ms;
  const bucket = ((words[HIGH] as number) >>> BUCKET_SHIFT) - (FIRST_EXPONENT << 3) + 1;
  return bucket < 1 ? 1 : bucket >= DURATION_BUCKETS ? DURATION_BUCKETS - 1 : bucket;
}

/** Appends the runs of the sorted `values[from, to)` to `out`: a (bucket, end) pair per bucket, in order. */
export function appendRuns(values: Float64Array, from: number, to: number, out: number[]): void {
  let i = from;
  while (i < to) {
    const bucket = durationBucket(values[i] as number);
    i++;
    while (i < to && durationBucket(values[i] as number) === bucket) i++;
    out.push(bucket, i);
  }
}

/**
 * Rows grouped by key with their durations sorted per key: cell `c` is key `keys[c]`, its durations
 * `durations[start(c), ends[c])` (start(c) being `ends[c-1]`, 0 for the first) and its runs
 * `runs[runEnds[c-1], runEnds[c])`.
 */
export interface SortedCells {
  keys: Int32Array;
  ends: Int32Array;
  durations: Float64Array;
  runs: Int32Array;
  runEnds: Int32Array;
}

/** Rows up to which CellScratch keeps its arrays between builds. */
const KEEP_SCRATCH_ROWS = 65_536;

/** Working arrays for building cells (a key, a duration and a cell per row), reused from minute to minute. */
export class CellScratch {
  private keyOf = new Int32Array(0);
  private durationOf = new Float64Array(0);
  private cellOf = new Int32Array(0);

  /** Arrays of at least `n` entries: the kept ones (grown) up to KEEP_SCRATCH_ROWS, new ones past it. */
  take(n: number): { keyOf: Int32Array; durationOf: Float64Array; cellOf: Int32Array } {
    if (n > KEEP_SCRATCH_ROWS)
      return { keyOf: new Int32Array(n), durationOf: new Float64Array(n), cellOf: new Int32Array(n) };
    if (n > this.keyOf.length) {
      const size = Math.min(Math.max(n, this.keyOf.length * 2), KEEP_SCRATCH_ROWS);
      this.keyOf = new Int32Array(size);
      this.durationOf = new Float64Array(size);
      this.cellOf = new Int32Array(size);
    }
    return { keyOf: this.keyOf, durationOf: this.durationOf, cellOf: this.cellOf };
  }
}

/** Where cell `c`'s durations start (see SortedCells). */
export function cellStart(cells: SortedCells, c: number): number {
  return c === 0 ? 0 : (cells.ends[c - 1] as number);
}

/**
 * Groups `n` rows by key: row `r` has key `keyOf[r]` (below `counts.length`) and lasts `durationOf[r]` ms.
 * `counts` is zeros and is left so; `cellOf[r]` is set to row `r`'s cell.
 */
export function sortCells(
  keyOf: Int32Array,
  durationOf: Float64Array,
  n: number,
  counts: Int32Array,
  cellOf: Int32Array,
): SortedCells {
  const present: number[] = [];
  for (let r = 0; r < n; r++) {
    const key = keyOf[r] as number;
    if (counts[key] === 0) present.push(key);
    counts[key] = (counts[key] as number) + 1;
  }
  present.sort((a, b) => a - b);
  const keys = Int32Array.from(present);
  const ends = new Int32Array(keys.length);
  // counts[key] becomes the key's cell; `next[c]` where its next duration goes.
  const next = new Int32Array(keys.length);
  let end = 0;
  for (let c = 0; c < keys.length; c++) {
    const key = keys[c] as number;
    next[c] = end;
    end += counts[key] as number;
    ends[c] = end;
    counts[key] = c;
  }
  const durations = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const c = counts[keyOf[r] as number] as number;
    cellOf[r] = c;
    durations[next[c] as number] = durationOf[r] as number;
    next[c] = (next[c] as number) + 1;
  }
  const runs: number[] = [];
  const runEnds = new Int32Array(keys.length);
  for (let c = 0; c < keys.length; c++) {
    const from = c === 0 ? 0 : (ends[c - 1] as number);
    durations.subarray(from, ends[c] as number).sort();
    appendRuns(durations, from, ends[c] as number, runs);
    runEnds[c] = runs.length;
    counts[keys[c] as number] = 0;
  }
  return { keys, ends, durations, runs: Int32Array.from(runs), runEnds };
}

/** Durations (ms) gathered for percentiles: sorted segments shared with their keeper, and loose values. */
export class Durations {
  count = 0;
  /** Segment `s` is `values[s]` from `bounds[4s]` to `bounds[4s+1]`, its runs `runs[s]` from `bounds[4s+2]` to `bounds[4s+3]`. */
  private readonly values: Float64Array[] = [];
  private readonly runs: Int32Array[] = [];
  private readonly bounds: number[] = [];
  private readonly loose: number[] = [];

  /** A sorted segment `values[from, to)` and its runs `runs[runFrom, runTo)` (see appendRuns); read, never changed. */
  addSorted(values: Float64Array, from: number, to: number, runs: Int32Array, runFrom: number, runTo: number): void {
    if (to <= from) return;
    this.values.push(values);
    this.runs.push(runs);
    this.bounds.push(from, to, runFrom, runTo);
    this.count += to - from;
  }

  /** Cell `c`'s durations (see SortedCells). */
  addCell(cells: SortedCells, c: number): void {
    const runFrom = c === 0 ? 0 : (cells.runEnds[c - 1] as number);
    this.addSorted(
      cells.durations,
      cellStart(cells, c),
      cells.ends[c] as number,
      cells.runs,
      runFrom,
      cells.runEnds[c] as number,
    );
  }

  add(ms: number): void {
    this.loose.push(ms);
    this.count++;
  }

  addAll(other: Durations): void {
    for (const values of other.values) this.values.push(values);
    for (const runs of other.runs) this.runs.push(runs);
    for (const bound of other.bounds) this.bounds.push(bound);
    for (const ms of other.loose) this.loose.push(ms);
    this.count += other.count;
  }

  /** Nearest-rank percentiles, as `percentile` gives them over all the durations sorted; 0s when there are none. */
  percentiles(ps: readonly number[]): number[] {
    const n = this.count;
    const { values, bounds, loose } = this;
    if (values.length === 0) return selectPercentiles(Float64Array.from(loose), ps);
    if (values.length === 1 && loose.length === 0) {
      return ps.map((p) => (values[0] as Float64Array)[(bounds[0] as number) + nearestRank(p, n)] as number);
    }
    const counts = new Float64Array(DURATION_BUCKETS);
    this.eachRun((_, bucket, start, end) => {
      counts[bucket] = (counts[bucket] as number) + end - start;
      return false;
    });
    for (const ms of loose) {
      const bucket = durationBucket(ms);
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    return ps.map((p) => {
      let k = nearestRank(p, n);
      let bucket = 0;
      while (k >= (counts[bucket] as number)) k -= counts[bucket++] as number;
      return this.selectInBucket(bucket, k);
    });
  }

  /**
   * Calls `visit` with each run of each segment, lowest bucket first: its bucket and where it starts
   * and ends in the segment's values. A segment's other runs are skipped once `visit` returns true.
   */
  private eachRun(visit: (segment: number, bucket: number, start: number, end: number) => boolean): void {
    const { runs, bounds } = this;
    for (let segment = 0; segment < runs.length; segment++) {
      const segmentRuns = runs[segment] as Int32Array;
      let start = bounds[4 * segment] as number;
      const runTo = bounds[4 * segment + 3] as number;
      for (let r = bounds[4 * segment + 2] as number; r < runTo; r += 2) {
        const end = segmentRuns[r + 1] as number;
        if (visit(segment, segmentRuns[r] as number, start, end)) break;
        start = end;
      }
    }
  }

  /** The value at rank `k` among the durations in `bucket`. */
  private selectInBucket(bucket: number, k: number): number {
    const slices = new Slices();
    this.eachRun((segment, runBucket, start, end) => {
      if (runBucket === bucket) slices.add(this.values[segment] as Float64Array, start, end);
      return runBucket >= bucket;
    });
    const loose = this.loose.filter((ms) => durationBucket(ms) === bucket);
    if (loose.length > 0) slices.add(Float64Array.from(loose).sort(), 0, loose.length);
    return slices.select(k);
  }
}

/**
 * Values are copied and selected among once they are at most this many per slice (a round of
 * narrowing costs two binary searches per slice); more are narrowed down in place first.
 */
const COPY_PER_SLICE = 16;

/** Sorted slices `values[i]` from `lo[i]` to `hi[i]`, taken together. */
class Slices {
  private readonly values: Float64Array[] = [];
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];

  add(values: Float64Array, lo: number, hi: number): void {
    this.values.push(values);
    this.lo.push(lo);
    this.hi.push(hi);
  }

  /**
   * The value at rank `k` among all the slices' values. Many values (one bucket holding most of the
   * durations, as when they are whole milliseconds) are narrowed down in place: a pivot splits every
   * slice by binary search, and only the side holding rank `k` is kept. The pivot is taken from the
   * largest slice where rank `k` would fall were the slices alike (they mostly are: one kind of call
   * minute after minute), every other round at a pseudo-random place instead, which bounds the rounds.
   */
  select(k: number): number {
    const { values, lo, hi } = this;
    const count = values.length;
    let seed = (k ^ 0x9e3779b9) >>> 0 || 1;
    for (let round = 0; ; round++) {
      let total = 0;
      let largest = 0;
      for (let i = 0; i < count; i++) {
        total += (hi[i] as number) - (lo[i] as number);
        if ((hi[i] as number) - (lo[i] as number) > (hi[largest] as number) - (lo[largest] as number)) largest = i;
      }
      if (total <= COPY_PER_SLICE * count) {
        const copy = new Float64Array(total);
        let at = 0;
        for (let i = 0; i < count; i++) {
          const slice = values[i] as Float64Array;
          for (let j = lo[i] as number; j < (hi[i] as number); j++) copy[at++] = slice[j] as number;
        }
        return selectRank(copy, k);
      }
      let pivot: number;
      if (round % 2 === 0) {
        const size = (hi[largest] as number) - (lo[largest] as number);
        pivot = (values[largest] as Float64Array)[(lo[largest] as number) + Math.floor((k * size) / total)] as number;
      } else {
        // xorshift32
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        seed >>>= 0;
        let pick = seed % total;
        let i = 0;
        for (; pick >= (hi[i] as number) - (lo[i] as number); i++) pick -= (hi[i] as number) - (lo[i] as number);
        pivot = (values[i] as Float64Array)[(lo[i] as number) + pick] as number;
      }
      let below = 0;
      let upTo = 0;
      for (let i = 0; i < count; i++) {
        below += firstAtLeast(values[i] as Float64Array, lo[i] as number, hi[i] as number, pivot) - (lo[i] as number);
        upTo += firstAbove(values[i] as Float64Array, lo[i] as number, hi[i] as number, pivot) - (lo[i] as number);
      }
      if (k >= below && k < upTo) return pivot;
      const keepBelow = k < below;
      if (!keepBelow) k -= upTo;
      for (let i = 0; i < count; i++) {
        const slice = values[i] as Float64Array;
        if (keepBelow) hi[i] = firstAtLeast(slice, lo[i] as number, hi[i] as number, pivot);
        else lo[i] = firstAbove(slice, lo[i] as number, hi[i] as number, pivot);
      }
    }
  }
}

/** The first index in sorted `values[lo, hi)` holding at least `value` (hi when none). */
function firstAtLeast(values: Float64Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in sorted `values[lo, hi)` holding more than `value` (hi when none). */
function firstAbove(values: Float64Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
