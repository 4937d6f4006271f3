import { AppError } from "../domain/errors.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor, isAfterCursor, type TraceCursor } from "./cursor.js";
import type { SortedChunks } from "./sorted-chunks.js";
import type { TracePage } from "./store.js";
import type { BlockNote, TraceBounds } from "./trace-blocks.js";
import { createKeyOrders, entriesInKeyOrder, type Keyed, type KeyOrders } from "./trace-key-order.js";
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
  byStart: SortedChunks<T, BlockNote>;
  sort: TraceSort;
  /** The entry's key in a keyed order (see sortKeyOf). */
  keyOf(entry: T): number;
  /** What a block's note bounds (see trace-blocks.ts). */
  boundsOf(entry: T): TraceBounds;
  /** The blocks' lists in keyed orders, kept by the store between calls (see trace-key-order.ts). */
  keyOrders?: KeyOrders<T>;
  /** False when no entry that a block's bounds cover can pass `matches` (see query-match.ts). */
  boundsMayMatch?: (bounds: TraceBounds) => boolean;
}

/**
 * One page of the trace list in the order asked for. By start time it walks the start-ordered index
 * (see collectTracePage); by another key it is the true top of everything that matches, past the
 * cursor: the traces come in key order (see trace-key-order.ts), the filters a summary decides are
 * tried on each, and a query (`q`) under the same time budget, so a `partial` page is a prefix of
 * the right order.
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
  const toCursor = (candidate: Keyed<T>) => encodeSortCursor(sort, toPosition(walk, candidate.entry), candidate.key);
  const now = walk.now ?? (() => performance.now());
  const budget = walk.budgetMs ?? LIST_BUDGET_MS;
  // Blocks that no entry of can match the query are left out (see trace-blocks.ts).
  const mayMatch = walk.matchesQuery === undefined ? undefined : walk.chunkMayMatch;
  const buildUntil = mayMatch === undefined ? 0 : now() + budget;
  const inTime = () => now() <= buildUntil;
  const ordered = entriesInKeyOrder<T>({
    byStart: walk.byStart,
    orders: walk.keyOrders ?? createKeyOrders<T>(),
    name: `${sort.by}.${sort.order}`,
    descending,
    keyOf: walk.keyOf,
    boundsOf: walk.boundsOf,
    boundsMayMatch: walk.boundsMayMatch,
    enter: mayMatch === undefined ? undefined : (chunk, items) => mayMatch(chunk, items, inTime),
    after: cursor === undefined ? undefined : (key, entry) => keyedAfter(key, entry, cursor, descending, walk),
  });
  if (walk.matchesQuery === undefined) {
    const candidates: Keyed<T>[] = [];
    for (const candidate of ordered) {
      if (!walk.matches(candidate.entry)) continue;
      if (candidates.push(candidate) > walk.limit) break;
    }
    const page: TracePage = { traces: candidates.slice(0, walk.limit).map((c) => walk.summaryOf(c.entry)) };
    if (candidates.length > walk.limit) page.nextCursor = toCursor(candidates[walk.limit - 1] as Keyed<T>);
    return page;
  }
  // The budget starts once the blocks' lists are made, so a call that had to make them still moves on.
  const clock = { now, deadline: now() + budget };
  return tryQueryInOrder(walk, ordered, clock, toCursor);
}

/** The query tried on candidates in key order until the page is full or the time budget is spent. */
function tryQueryInOrder<T>(
  walk: SortedPageWalk<T>,
  candidates: Iterable<Keyed<T>>,
  clock: { now: () => number; deadline: number },
  toCursor: (candidate: Keyed<T>) => string,
): TracePage {
  const out: TraceSummary[] = [];
  let lastReturned: Keyed<T> | undefined;
  let lastSeen: Keyed<T> | undefined;
  let more = false;
  let partial = false;
  let seen = 0;
  for (const candidate of candidates) {
    if (++seen % CLOCK_EVERY === 0 && clock.now() > clock.deadline) {
      partial = true;
      break;
    }
    if (!walk.matches(candidate.entry) || !walk.matchesQuery?.(candidate.entry)) {
      lastSeen = candidate;
      continue;
    }
    if (out.length === walk.limit) {
      more = true;
      break;
    }
    out.push(walk.summaryOf(candidate.entry));
    lastReturned = candidate;
    lastSeen = candidate;
  }
  const page: TracePage = { traces: out };
  const resumeAt = partial ? lastSeen : more ? lastReturned : undefined;
  if (resumeAt !== undefined) page.nextCursor = toCursor(resumeAt);
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

/** The list's order from its query parameters' defaults. */
export function traceSortOf(query: { sort?: TraceSortKey; order?: SortOrder }): TraceSort {
  return { by: query.sort ?? "start", order: query.order ?? "desc" };
}
