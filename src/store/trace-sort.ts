import { AppError } from "../domain/errors.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor, isAfterCursor, type TraceCursor } from "./cursor.js";
import type { TracePage } from "./store.js";
import { CLOCK_EVERY, collectTracePage, LIST_BUDGET_MS, type PageWalk } from "./trace-page.js";

/** What the trace list can be ordered by: start time (the default), duration, span count, failing spans. */
export const TRACE_SORT_KEYS = ["start", "duration", "spans", "errors"] as const;
export type TraceSortKey = (typeof TRACE_SORT_KEYS)[number];
export const SORT_ORDERS = ["desc", "asc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface TraceSort {
  by: TraceSortKey;
  order: SortOrder;
}

/** What a sort key reads from a trace's running summary. */
export interface SortFields {
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorCount: number;
}

export function sortKeyOf(by: Exclude<TraceSortKey, "start">, fields: SortFields): number {
  return by === "duration" ? fields.durationMs : by === "spans" ? fields.spanCount : fields.errorCount;
}

/** A position in a keyed order: the key, then (start, trace id) newest first among equal keys. */
interface KeyedCursor extends TraceCursor {
  key: number;
}

/**
 * The default order (start, newest first) keeps the plain `<start>_<traceId>` cursor; any other
 * order prefixes it with the order it belongs to, so a cursor is never read in another order.
 */
export function encodeSortCursor(sort: TraceSort, position: TraceCursor, key?: number): string {
  const plain = encodeCursor(position);
  if (sort.by === "start") return sort.order === "desc" ? plain : `start.asc:${plain}`;
  return `${sort.by}.${sort.order}:${String(key)}_${plain}`;
}

function badCursor(raw: string, why: string): AppError {
  return new AppError(400, "invalid_cursor", `cursor "${raw.slice(0, 80)}" ${why}`);
}

function cursorOrder(raw: string): { prefix: string; rest: string } {
  const colon = raw.indexOf(":");
  return colon < 0 ? { prefix: "start.desc", rest: raw } : { prefix: raw.slice(0, colon), rest: raw.slice(colon + 1) };
}

function checkOrder(raw: string, sort: TraceSort): string {
  const { prefix, rest } = cursorOrder(raw);
  if (prefix !== `${sort.by}.${sort.order}`) {
    const [by, order] = prefix.split(".");
    throw badCursor(raw, `belongs to sort=${by ?? "?"}&order=${order ?? "?"}, not sort=${sort.by}&order=${sort.order}`);
  }
  return rest;
}

export function decodeStartCursor(raw: string, sort: TraceSort): TraceCursor {
  return decodeCursor(checkOrder(raw, sort));
}

export function decodeKeyedCursor(raw: string, sort: TraceSort): KeyedCursor {
  const rest = checkOrder(raw, sort);
  const underscore = rest.indexOf("_");
  const key = Number(rest.slice(0, underscore));
  if (underscore <= 0 || !Number.isFinite(key)) throw badCursor(raw, "is not one this server issued");
  return { key, ...decodeCursor(rest.slice(underscore + 1)) };
}

export interface SortedPageWalk<T> extends PageWalk<T> {
  sort: TraceSort;
  /** The entry's key in a keyed order (see sortKeyOf). */
  keyOf(entry: T): number;
}

/**
 * One page of the trace list in the order asked for. By start time it walks the start-ordered index
 * (see collectTracePage); by another key it is the true top of everything that matches, past the
 * cursor: every trace is looked at for the filters a summary decides (cheap), and a query (`q`) is
 * tried in key order, under the same time budget, so a `partial` page is a prefix of the right order.
 */
export function collectSortedTracePage<T>(walk: SortedPageWalk<T>): TracePage {
  const { sort } = walk;
  if (sort.by === "start") {
    return collectTracePage({
      ...walk,
      ascending: sort.order === "asc",
      encode: (position) => encodeSortCursor(sort, position),
      decode: (raw) => decodeStartCursor(raw, sort),
    });
  }
  const cursor = walk.cursor === undefined ? undefined : decodeKeyedCursor(walk.cursor, sort);
  const descending = sort.order === "desc";
  // Newest first: among equal keys the candidates are already in their final order.
  const entries: T[] = [];
  const keys: number[] = [];
  walk.byStart.walkDown((entry) => {
    if (!walk.matches(entry)) return true;
    const key = walk.keyOf(entry);
    if (cursor !== undefined && !keyedAfter(key, entry, cursor, descending, walk)) return true;
    entries.push(entry);
    keys.push(key);
    return true;
  });
  const before = (a: number, b: number) => {
    const ka = keys[a] as number;
    const kb = keys[b] as number;
    if (ka !== kb) return descending ? kb - ka : ka - kb;
    return a - b;
  };
  const toCursor = (index: number) =>
    encodeSortCursor(sort, toPosition(walk, entries[index] as T), keys[index] as number);

  if (walk.matchesQuery === undefined) {
    const top = selectTop(entries.length, walk.limit + 1, before);
    const page: TracePage = { traces: top.slice(0, walk.limit).map((i) => walk.summaryOf(entries[i] as T)) };
    if (top.length > walk.limit) page.nextCursor = toCursor(top[walk.limit - 1] as number);
    return page;
  }
  return tryQueryInOrder(walk, entries, before, toCursor);
}

/** The query tried on candidates in key order until the page is full or the time budget is spent. */
function tryQueryInOrder<T>(
  walk: SortedPageWalk<T>,
  entries: readonly T[],
  before: (a: number, b: number) => number,
  toCursor: (index: number) => string,
): TracePage {
  const order = Array.from({ length: entries.length }, (_, i) => i).sort(before);
  const now = walk.now ?? (() => performance.now());
  // The budget starts after the ordering, so every call makes progress.
  const deadline = now() + (walk.budgetMs ?? LIST_BUDGET_MS);
  const out: TraceSummary[] = [];
  let lastReturned = -1;
  let lastSeen = -1;
  let more = false;
  let partial = false;
  let seen = 0;
  for (const index of order) {
    if (++seen % CLOCK_EVERY === 0 && now() > deadline) {
      partial = true;
      break;
    }
    const entry = entries[index] as T;
    if (!walk.matchesQuery?.(entry)) {
      lastSeen = index;
      continue;
    }
    if (out.length === walk.limit) {
      more = true;
      break;
    }
    out.push(walk.summaryOf(entry));
    lastReturned = index;
    lastSeen = index;
  }
  const page: TracePage = { traces: out };
  const resumeAt = partial ? lastSeen : more ? lastReturned : -1;
  if (resumeAt >= 0) page.nextCursor = toCursor(resumeAt);
  else if (partial && walk.cursor !== undefined) page.nextCursor = walk.cursor;
  if (partial && page.nextCursor !== undefined) page.partial = true;
  return page;
}

function toPosition<T>(walk: PageWalk<T>, entry: T): TraceCursor {
  const { start, traceId } = walk.positionOf(entry);
  return { startTimeUnixNano: start, traceId };
}

function keyedAfter<T>(key: number, entry: T, cursor: KeyedCursor, descending: boolean, walk: PageWalk<T>): boolean {
  if (key !== cursor.key) return descending ? key < cursor.key : key > cursor.key;
  const { start, traceId } = walk.positionOf(entry);
  return isAfterCursor(start, traceId, cursor);
}

/**
 * The first `k` of `n` indexes in the order `before` gives, in that order: one pass that keeps the
 * best k seen (a new index joins only when it beats the worst kept), so a page of 50 out of 100k
 * traces costs about one comparison per trace.
 */
export function selectTop(n: number, k: number, before: (a: number, b: number) => number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    if (kept.length === k) {
      if (before(i, kept[k - 1] as number) >= 0) continue;
      kept.pop();
    }
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(kept[mid] as number, i) < 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, i);
  }
  return kept;
}

/** The list's order from its query parameters' defaults. */
export function traceSortOf(query: { sort?: TraceSortKey; order?: SortOrder }): TraceSort {
  return { by: query.sort ?? "start", order: query.order ?? "desc" };
}
