/**
 * Which points a series has received, so that a point sent again (an exporter's retry, a file
 * imported twice) is not counted twice. In OTLP a data point of a series is known by its time and
 * start time; the store's series is (metric, service, attributes), so the point's source (a hash of
 * its resource) is part of its key too: two instances of one service make two points at one time.
 *
 * A series keeps the keys of its newest MAX_POINT_KEYS points by time. Past that it lets the oldest
 * go, and a point not newer than one it let go is taken as received: either a resend, or a point
 * too late to tell from one (as a cumulative series already reads a point older than its previous
 * one). So memory stays bounded, and a file imported again is never counted twice however long it is.
 */

/** Keys a series keeps: 256 points are 42 minutes of an export every 10 s, 4 hours of one a minute. */
export const MAX_POINT_KEYS = 256;
/**
 * The room a series' keys grow through (fewer, larger steps: each is an allocation outside the
 * heap, and the garbage of the smaller ones): the last leaves room past MAX_POINT_KEYS, so that the
 * kept keys are moved back to the start of their columns once every so many points, not at each.
 */
const CAPACITIES = [16, 64, MAX_POINT_KEYS + MAX_POINT_KEYS / 4];
/** Bytes per key: time and start time (8 bytes each), source (4). */
const KEY_BYTES = 20;

/** What `PointKeys.receive` found. */
export const DUPLICATE = 0;
export const KEPT = 1;
export const FORGOT = 2;
export type Received = typeof DUPLICATE | typeof KEPT | typeof FORGOT;

export class PointKeys {
  /** Keys [begin, end) by time, then arrival: time, start time and source in three columns of one buffer. */
  private times = new BigUint64Array(0);
  private starts = new BigUint64Array(0);
  private sources = new Int32Array(0);
  private begin = 0;
  private end = 0;
  /** The newest time kept, or `forgottenThrough` if that is newer; -1n while neither is set. */
  private newest = -1n;
  /** Points at or before this time are taken as received: some of their keys were let go. -1n: none was. */
  private forgotten = -1n;

  get size(): number {
    return this.end - this.begin;
  }

  get forgottenThrough(): bigint {
    return this.forgotten;
  }

  /** Where a series read back from a file had let keys go (before its keys are `receive`d again). */
  restoreForgotten(through: bigint): void {
    this.forgotten = through;
    if (through > this.newest) this.newest = through;
  }

  /**
   * A point arrived: DUPLICATE when a point with its key was received (or it is too old to tell from
   * one that was); else its key is kept, and FORGOT says that let older keys go.
   */
  receive(time: bigint, start: bigint, source: number): Received {
    // Nearly every point is newer than every one before it: one comparison.
    if (time > this.newest) {
      this.newest = time;
      return this.keep(this.end, time, start, source);
    }
    if (time <= this.forgotten) return DUPLICATE;
    let at = this.firstAt(time);
    for (; at < this.end && this.times[at] === time; at++) {
      if (this.starts[at] === start && this.sources[at] === source) return DUPLICATE;
    }
    // Late: after the keys of its time, the later ones moved up by one.
    return this.keep(at, time, start, source);
  }

  private keep(at: number, time: bigint, start: bigint, source: number): Received {
    if (this.end === this.times.length) {
      at -= this.begin;
      this.makeRoom();
    }
    if (at < this.end) {
      this.times.copyWithin(at + 1, at, this.end);
      this.starts.copyWithin(at + 1, at, this.end);
      this.sources.copyWithin(at + 1, at, this.end);
    }
    this.times[at] = time;
    this.starts[at] = start;
    this.sources[at] = source;
    this.end++;
    if (this.end - this.begin <= MAX_POINT_KEYS) return KEPT;
    // Every key of the oldest time goes: a point at that time is then taken as received.
    const oldest = this.times[this.begin] as bigint;
    while (this.begin < this.end && (this.times[this.begin] as bigint) <= oldest) this.begin++;
    this.forgotten = oldest;
    return FORGOT;
  }

  /** The index of the first kept key whose time is not before `time`. */
  private firstAt(time: bigint): number {
    let lo = this.begin;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as bigint) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private makeRoom(): void {
    const size = this.end - this.begin;
    const capacity = this.times.length;
    if (this.begin > 0 && size < capacity) {
      this.times.copyWithin(0, this.begin, this.end);
      this.starts.copyWithin(0, this.begin, this.end);
      this.sources.copyWithin(0, this.begin, this.end);
    } else {
      const grown = CAPACITIES.find((c) => c > capacity) as number;
      const buffer = new ArrayBuffer(grown * KEY_BYTES);
      const times = new BigUint64Array(buffer, 0, grown);
      const starts = new BigUint64Array(buffer, grown * 8, grown);
      const sources = new Int32Array(buffer, grown * 16, grown);
      times.set(this.times.subarray(this.begin, this.end));
      starts.set(this.starts.subarray(this.begin, this.end));
      sources.set(this.sources.subarray(this.begin, this.end));
      this.times = times;
      this.starts = starts;
      this.sources = sources;
    }
    this.begin = 0;
    this.end = size;
  }
}
