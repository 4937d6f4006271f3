/**
 * Items in ascending order, kept in chunks of at most `maxChunk`. Inserting or removing in the middle
 * moves at most one chunk's worth of pointers instead of half the list: with one flat array, filing a
 * trace whose start time is not the newest (batches of older data, clock skew between services)
 * cost a `splice` over up to a million entries, and at 1M spans that dominated ingest.
 *
 * Each chunk may carry a note `N`, something derived from its items (see trace-blocks.ts), that lets
 * a walk pass over the whole chunk. A note stays while it describes a superset of the chunk: it is
 * dropped when an item joins the chunk or is `touch`ed (changed in place), and kept when items leave
 * (a split gives both halves the note).
 */
export class SortedChunks<T, N = never> {
  private chunks: T[][] = [];
  private notes: (N | undefined)[] = [];
  private count = 0;

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly maxChunk = 512,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Inserts `item` before any equal items (ascending order). */
  insert(item: T): void {
    const chunks = this.chunks;
    this.count++;
    const lastChunk = chunks[chunks.length - 1];
    if (lastChunk === undefined) {
      chunks.push([item]);
      this.notes.push(undefined);
      return;
    }
    // The common case, a trace newer than every other one, is an append.
    if (this.compare(lastChunk[lastChunk.length - 1] as T, item) < 0) {
      lastChunk.push(item);
      this.notes[chunks.length - 1] = undefined;
      if (lastChunk.length > this.maxChunk) this.split(chunks.length - 1);
      return;
    }
    const ci = this.chunkFor(item);
    const chunk = chunks[ci] as T[];
    chunk.splice(lowerBound(chunk, item, this.compare), 0, item);
    this.notes[ci] = undefined;
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
    if (at !== undefined) this.notes[at[0]] = undefined;
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

  /** Keeps only the items `keep` accepts, in order. */
  filter(keep: (item: T) => boolean): void {
    const half = this.maxChunk >>> 1;
    const out: T[][] = [];
    let current: T[] = [];
    for (const chunk of this.chunks) {
      for (const item of chunk) {
        if (!keep(item)) continue;
        current.push(item);
        if (current.length === half) {
          out.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) out.push(current);
    this.chunks = out;
    this.notes = out.map(() => undefined);
    this.count = out.reduce((n, chunk) => n + chunk.length, 0);
  }

  /** Replaces the contents with `sorted`, which must already be in ascending order. */
  fill(sorted: readonly T[]): void {
    const half = this.maxChunk >>> 1;
    this.chunks = [];
    for (let i = 0; i < sorted.length; i += half) this.chunks.push(sorted.slice(i, i + half));
    this.notes = this.chunks.map(() => undefined);
    this.count = sorted.length;
  }

  clear(): void {
    this.chunks = [];
    this.notes = [];
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
  }

  private removeAt(ci: number, i: number): void {
    const chunk = this.chunks[ci] as T[];
    chunk.splice(i, 1);
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.notes.splice(ci, 1);
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
