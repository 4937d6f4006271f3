/**
 * Items in ascending order, kept in chunks of at most `maxChunk`. Inserting or removing in the middle
 * moves at most one chunk's worth of pointers instead of half the list: with one flat array, filing a
 * trace whose start time is not the newest (batches of older data, clock skew between services)
 * cost a `splice` over up to a million entries, and at 1M spans that dominated ingest.
 *
 * Each chunk may carry a note `N`, something derived from its items (see trace-blocks.ts), that lets
 * a walk pass over the whole chunk. A note stays while it describes a superset of the chunk: it is
 * dropped when an item joins the chunk or is `touch`ed (changed in place), and kept when items leave
 * (a split gives both halves the note). It also knows which chunks changed lately (`isQuiet`), so a
 * note that is costly to make is made only for a chunk that is likely to keep it.
 */
export class SortedChunks<T, N = never> {
  private chunks: T[][] = [];
  private notes: (N | undefined)[] = [];
  /** Per chunk, the value of `changes` when an item last joined or changed in it. */
  private changedAt: number[] = [];
  /** Items that joined or changed so far (inserts and touches). */
  private changes = 0;
  private count = 0;
  /** Where the item being inserted goes (see findPlace): fields, not a returned pair, on this hot path. */
  private placeChunk = -1;
  private placeIndex = 0;

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly maxChunk = 512,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Inserts `item` before any equal items (ascending order). */
  insert(item: T): void {
    this.findPlace(item);
    this.insertAt(this.placeChunk, this.placeIndex, item);
  }

  /** Sets `placeChunk` and `placeIndex` to where `item` goes (chunk -1 when the list is empty). */
  private findPlace(item: T): void {
    const chunks = this.chunks;
    const lastChunk = chunks[chunks.length - 1];
    if (lastChunk === undefined) {
      this.placeChunk = -1;
      this.placeIndex = 0;
    } else if (this.compare(lastChunk[lastChunk.length - 1] as T, item) < 0) {
      // The common case, a trace newer than every other one, is an append.
      this.placeChunk = chunks.length - 1;
      this.placeIndex = lastChunk.length;
    } else {
      this.placeChunk = this.chunkFor(item);
      this.placeIndex = lowerBound(chunks[this.placeChunk] as T[], item, this.compare);
    }
  }

  private insertAt(ci: number, i: number, item: T): void {
    this.count++;
    if (ci < 0) {
      this.chunks.push([item]);
      this.notes.push(undefined);
      this.changedAt.push(++this.changes);
      return;
    }
    const chunk = this.chunks[ci] as T[];
    if (i === chunk.length) chunk.push(item);
    else chunk.splice(i, 0, item);
    this.changed(ci);
    if (chunk.length > this.maxChunk) this.split(ci);
  }

  /** Removes this very item (found by its key, identity among equal keys); false when absent. */
  remove(item: T): boolean {
    const at = this.locate(item);
    if (at !== undefined) this.removeAt(at[0], at[1]);
    return at !== undefined;
  }

  /** Drops the note of the chunk holding `item`, which changed in a way its note may not cover. */
  touch(item: T): void {
    const at = this.locate(item);
    if (at !== undefined) this.changed(at[0]);
  }

  /** The chunk's note no longer covers it. */
  private changed(chunk: number): void {
    this.notes[chunk] = undefined;
    this.changedAt[chunk] = ++this.changes;
  }

  /**
   * Whether no item joined or changed in the chunk during the last `maxChunk` changes to the list:
   * when new items land all over the order (traces sharing start times, late spans), every chunk
   * changes all the time and a note that reads the whole chunk would be thrown away before it pays.
   */
  isQuiet(chunk: number): boolean {
    return this.changes - (this.changedAt[chunk] ?? 0) >= this.maxChunk;
  }

  /** How many chunks there are; a chunk's index holds until the next change. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  noteOf(chunk: number): N | undefined {
    return this.notes[chunk];
  }

  setNote(chunk: number, note: N): void {
    this.notes[chunk] = note;
  }

  /** Where this very item sits, as [chunk, index]. */
  private locate(item: T): [number, number] | undefined {
    const chunks = this.chunks;
    for (let ci = this.chunkFor(item), i = -1; ci < chunks.length; ci++) {
      const chunk = chunks[ci] as T[];
      for (i = i < 0 ? lowerBound(chunk, item, this.compare) : 0; i < chunk.length; i++) {
        const entry = chunk[i] as T;
        if (entry === item) return [ci, i];
        if (this.compare(entry, item) !== 0) return this.locateByScan(item);
      }
      i = 0;
    }
    return this.locateByScan(item);
  }

  /**
   * Keeps only the items `keep` accepts, in order. A chunk that only lost items keeps its note (a
   * store compacts after evicting its oldest traces, and rebuilding every block's note after each
   * compaction made the next searches read every stored trace again); chunks left small are joined
   * to the one before while together they fit in half a chunk, and a joined chunk has no note.
   */
  filter(keep: (item: T) => boolean): void {
    const half = this.maxChunk >>> 1;
    const chunks: T[][] = [];
    const notes: (N | undefined)[] = [];
    const changedAt: number[] = [];
    let count = 0;
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const kept = (this.chunks[ci] as T[]).filter(keep);
      if (kept.length === 0) continue;
      count += kept.length;
      const last = chunks[chunks.length - 1];
      if (last !== undefined && last.length + kept.length <= half) {
        for (const item of kept) last.push(item);
        notes[notes.length - 1] = undefined;
        changedAt[changedAt.length - 1] = Math.max(changedAt[changedAt.length - 1] as number, this.changedAt[ci] ?? 0);
      } else {
        chunks.push(kept);
        notes.push(this.notes[ci]);
        changedAt.push(this.changedAt[ci] ?? 0);
      }
    }
    this.chunks = chunks;
    this.notes = notes;
    this.changedAt = changedAt;
    this.count = count;
  }

  /** Replaces the contents with `sorted`, which must already be in ascending order. */
  fill(sorted: readonly T[]): void {
    const half = this.maxChunk >>> 1;
    this.chunks = [];
    for (let i = 0; i < sorted.length; i += half) this.chunks.push(sorted.slice(i, i + half));
    this.notes = this.chunks.map(() => undefined);
    // Read as a whole (a store's traces at open): quiet from the start.
    this.changedAt = this.chunks.map(() => this.changes - this.maxChunk);
    this.count = sorted.length;
  }

  clear(): void {
    this.chunks = [];
    this.notes = [];
    this.changedAt = [];
    this.count = 0;
  }

  /**
   * Visits items from the largest down, starting below the first item for which `inPrefix` is false
   * (`inPrefix` must hold for a prefix of the order; omit it to start at the end), until `visit`
   * returns false. `enter`, when given, is asked before each chunk (the first one too, however far
   * into it the walk starts) and may pass over the rest of it by answering false.
   */
  walkDown(
    visit: (item: T) => boolean,
    inPrefix?: (item: T) => boolean,
    enter?: (chunk: number, items: readonly T[]) => boolean,
  ): void {
    const chunks = this.chunks;
    let ci = chunks.length - 1;
    let i = ci >= 0 ? (chunks[ci] as T[]).length - 1 : -1;
    if (inPrefix !== undefined) {
      // Start just before the first item past the prefix.
      [ci, i] = this.prefixEnd(inPrefix);
      if (i === 0) {
        ci--;
        i = ci >= 0 ? (chunks[ci] as T[]).length : 0;
      }
      i--;
    }
    for (; ci >= 0; ci--) {
      const chunk = chunks[ci] as T[];
      if (i >= 0 && (enter === undefined || enter(ci, chunk))) {
        for (; i >= 0; i--) if (!visit(chunk[i] as T)) return;
      }
      i = ci > 0 ? (chunks[ci - 1] as T[]).length - 1 : -1;
    }
  }

  /**
   * Visits items from the smallest up, starting at the first item for which `inPrefix` is false
   * (`inPrefix` must hold for a prefix of the order; omit it to start at the beginning), until
   * `visit` returns false. `enter` as in walkDown.
   */
  walkUp(
    visit: (item: T) => boolean,
    inPrefix?: (item: T) => boolean,
    enter?: (chunk: number, items: readonly T[]) => boolean,
  ): void {
    const chunks = this.chunks;
    let [ci, i] = inPrefix === undefined ? [0, 0] : this.prefixEnd(inPrefix);
    for (; ci < chunks.length; ci++) {
      const chunk = chunks[ci] as T[];
      if (i < chunk.length && (enter === undefined || enter(ci, chunk))) {
        for (; i < chunk.length; i++) if (!visit(chunk[i] as T)) return;
      }
      i = 0;
    }
  }

  /**
   * Where the first item past the prefix sits, as [chunk, index]; [chunks.length, 0] when every item
   * is in it. Binary searches: the first chunk whose last item is not in the prefix holds that item.
   */
  private prefixEnd(inPrefix: (item: T) => boolean): [number, number] {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as T[];
      if (inPrefix(chunk[chunk.length - 1] as T)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return [lo, 0];
    const chunk = chunks[lo] as T[];
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (inPrefix(chunk[mid] as T)) a = mid + 1;
      else b = mid;
    }
    return [lo, a];
  }

  /** Index of the first chunk whose last item does not sort before `item` (the last chunk if none). */
  private chunkFor(item: T): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as T[];
      if (this.compare(chunk[chunk.length - 1] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private split(ci: number): void {
    const chunk = this.chunks[ci] as T[];
    this.chunks.splice(ci + 1, 0, chunk.splice(chunk.length >>> 1));
    this.notes.splice(ci + 1, 0, this.notes[ci]);
    this.changedAt.splice(ci + 1, 0, this.changedAt[ci] as number);
  }

  private removeAt(ci: number, i: number): void {
    const chunk = this.chunks[ci] as T[];
    chunk.splice(i, 1);
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.notes.splice(ci, 1);
      this.changedAt.splice(ci, 1);
    }
    this.count--;
  }

  private locateByScan(item: T): [number, number] | undefined {
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const i = (this.chunks[ci] as T[]).indexOf(item);
      if (i !== -1) return [ci, i];
    }
    return undefined;
  }
}

function lowerBound<T>(chunk: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(chunk[mid] as T, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
