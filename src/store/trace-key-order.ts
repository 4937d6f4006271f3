import type { SortedChunks } from "./sorted-chunks.js";
import { type BlockNote, noteOf, type TraceBounds } from "./trace-blocks.js";

/**
 * The trace list in a keyed order (duration, span count, failing spans) without sorting every
 * trace per call: each block of the start order (see trace-blocks.ts) keeps its traces sorted by
 * the key, made the first time a walk in that order needs it and kept while the block's note stands
 * (a note is dropped when a trace joins its block or changes) and no trace has left the block.
 * Merging the blocks' lists gives the whole order, so a page costs a look at each block plus a step
 * per trace it reads: at 100k traces a sorted page took a pass over every trace and, with a query,
 * a sort of them all.
 */
export interface KeyOrders<T> {
  /** Per block (its items array, which lives as long as the block), its lists by order name. */
  readonly byBlock: WeakMap<readonly T[], Map<string, BlockOrder<T>>>;
}

interface BlockOrder<T> {
  /** The block's note and size it was made for: a new note, or fewer items, and it is made again. */
  readonly note: BlockNote;
  readonly length: number;
  readonly entries: T[];
  readonly keys: number[];
}

export function createKeyOrders<T>(): KeyOrders<T> {
  return { byBlock: new WeakMap() };
}

export interface Keyed<T> {
  entry: T;
  key: number;
}

export interface KeyOrderWalk<T> {
  byStart: SortedChunks<T, BlockNote>;
  orders: KeyOrders<T>;
  /** Names the order (`duration.desc`): a block keeps one list per order. */
  name: string;
  descending: boolean;
  keyOf(entry: T): number;
  boundsOf(entry: T): TraceBounds;
  /** False when no entry of a block with these bounds can be wanted (monotone, as TraceBounds are). */
  boundsMayMatch?: ((bounds: TraceBounds) => boolean) | undefined;
  /** False when no entry of the block can be wanted (see PageWalk.chunkMayMatch). */
  enter?: ((chunk: number, items: readonly T[]) => boolean) | undefined;
  /** True for the entries past the cursor: false for a prefix of the order, true after it. */
  after?: ((key: number, entry: T) => boolean) | undefined;
}

interface Head<T> {
  order: BlockOrder<T>;
  at: number;
  /** Newer blocks have higher numbers; among equal keys their traces come first. */
  chunk: number;
}

/**
 * Every entry in the order: by key (descending or ascending), equal keys newest first. The blocks'
 * lists are made before this returns, so a caller may start its clock after.
 */
export function entriesInKeyOrder<T>(walk: KeyOrderWalk<T>): Iterable<Keyed<T>> {
  const { descending } = walk;
  const heads: Head<T>[] = [];
  walk.byStart.walkDown(
    () => true,
    undefined,
    (chunk, items) => {
      const { bounds } = noteOf(walk.byStart, chunk, items, walk.boundsOf);
      if (walk.boundsMayMatch !== undefined && !walk.boundsMayMatch(bounds)) return false;
      if (walk.enter !== undefined && !walk.enter(chunk, items)) return false;
      const order = blockOrder(walk, chunk, items);
      const at = walk.after === undefined ? 0 : firstAfter(order, walk.after);
      if (at < order.length) heads.push({ order, at, chunk });
      return false;
    },
  );
  const first = (a: Head<T>, b: Head<T>): boolean => {
    const ka = a.order.keys[a.at] as number;
    const kb = b.order.keys[b.at] as number;
    if (ka !== kb) return descending ? ka > kb : ka < kb;
    return a.chunk > b.chunk;
  };
  return merge(heads, first);
}

function* merge<T>(heads: Head<T>[], first: (a: Head<T>, b: Head<T>) => boolean): Generator<Keyed<T>> {
  for (let i = (heads.length >>> 1) - 1; i >= 0; i--) siftDown(heads, i, first);
  while (heads.length > 0) {
    const top = heads[0] as Head<T>;
    yield { entry: top.order.entries[top.at] as T, key: top.order.keys[top.at] as number };
    if (++top.at === top.order.length) {
      const last = heads.pop() as Head<T>;
      if (heads.length === 0) return;
      heads[0] = last;
    }
    siftDown(heads, 0, first);
  }
}

function siftDown<H>(heap: H[], from: number, first: (a: H, b: H) => boolean): void {
  const item = heap[from] as H;
  let i = from;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) break;
    if (child + 1 < heap.length && first(heap[child + 1] as H, heap[child] as H)) child++;
    if (!first(heap[child] as H, item)) break;
    heap[i] = heap[child] as H;
    i = child;
  }
  heap[i] = item;
}

function firstAfter<T>(order: BlockOrder<T>, after: (key: number, entry: T) => boolean): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after(order.keys[mid] as number, order.entries[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The block's list in this order, made again when the block changed since. */
function blockOrder<T>(walk: KeyOrderWalk<T>, chunk: number, items: readonly T[]): BlockOrder<T> {
  const note = noteOf(walk.byStart, chunk, items, walk.boundsOf);
  let lists = walk.orders.byBlock.get(items);
  const kept = lists?.get(walk.name);
  if (kept !== undefined && kept.note === note && kept.length === items.length) return kept;
  // Newest first, then a stable sort by key: equal keys stay newest first.
  const newestFirst = items.slice().reverse();
  const keyOfIndex = newestFirst.map(walk.keyOf);
  const indexes = newestFirst.map((_, i) => i);
  indexes.sort(
    walk.descending
      ? (a, b) => (keyOfIndex[b] as number) - (keyOfIndex[a] as number)
      : (a, b) => (keyOfIndex[a] as number) - (keyOfIndex[b] as number),
  );
  const order: BlockOrder<T> = {
    note,
    length: items.length,
    entries: indexes.map((i) => newestFirst[i] as T),
    keys: indexes.map((i) => keyOfIndex[i] as number),
  };
  if (lists === undefined) {
    lists = new Map();
    walk.orders.byBlock.set(items, lists);
  }
  lists.set(walk.name, order);
  return order;
}
