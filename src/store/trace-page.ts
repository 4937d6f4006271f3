import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor, isAfterCursor, type TraceCursor } from "./cursor.js";
import type { SortedChunks } from "./sorted-chunks.js";
import type { TracePage } from "./store.js";

/** How long one list call may look at traces before it answers with what it found (and a cursor). */
export const LIST_BUDGET_MS = 100;
/** The clock is read once per this many traces looked at. */
export const CLOCK_EVERY = 4;

export interface PageWalk<T> {
  /** The store's traces in start order (the walk goes newest first). */
  byStart: SortedChunks<T, unknown>;
  limit: number;
  /** A cursor from an earlier page: the walk starts just past it. */
  cursor: string | undefined;
  /** Where an entry sits in the order: its sort start and trace id. */
  positionOf(entry: T): { start: bigint; traceId: string };
  /** Whether the entry belongs on the page as far as its summary tells (filters, not evicted). */
  matches(entry: T): boolean;
  /** The query language's test (costly: it reads spans), tried only on entries `matches` accepts. */
  matchesQuery?: ((entry: T) => boolean) | undefined;
  /**
   * False when no entry of this chunk of `byStart` can pass `matchesQuery` (see trace-blocks.ts), so
   * the walk passes over it; it may do costly work the first time, only while `inTime`.
   */
  chunkMayMatch?: ((chunk: number, items: readonly T[], inTime: () => boolean) => boolean) | undefined;
  summaryOf(entry: T): TraceSummary;
  /** Milliseconds the walk may take before it stops early (LIST_BUDGET_MS by default). */
  budgetMs?: number;
  now?: () => number;
}

interface StartWalk<T> extends PageWalk<T> {
  /** Oldest first instead (the cursor then continues towards newer traces). */
  ascending?: boolean;
  encode?(position: TraceCursor): string;
  decode?(raw: string): TraceCursor;
}

/**
 * One page of the trace list, newest first. A walk that runs past its time budget (a query that
 * matches few traces among many, or whose first look at each trace is costly) stops early: the page
 * holds what was found, `partial` says so, and `nextCursor` continues just past the last trace
 * looked at, so a client asks again instead of one call holding the server for seconds.
 */
export function collectTracePage<T>(walk: StartWalk<T>): TracePage {
  const decode = walk.decode ?? decodeCursor;
  const encode = walk.encode ?? encodeCursor;
  const cursor = walk.cursor === undefined ? undefined : decode(walk.cursor);
  const ascending = walk.ascending === true;
  const now = walk.now ?? (() => performance.now());
  const deadline = now() + (walk.budgetMs ?? LIST_BUDGET_MS);
  const out: TraceSummary[] = [];
  let lastReturned: T | undefined;
  let lastSeen: T | undefined;
  let more = false;
  let partial = false;
  let seen = 0;
  const visit = (entry: T) => {
    if (++seen % CLOCK_EVERY === 0 && now() > deadline) {
      partial = true;
      return false;
    }
    if (!walk.matches(entry) || (walk.matchesQuery !== undefined && !walk.matchesQuery(entry))) {
      lastSeen = entry;
      return true;
    }
    if (out.length === walk.limit) {
      more = true;
      return false;
    }
    out.push(walk.summaryOf(entry));
    lastReturned = entry;
    lastSeen = entry;
    return true;
  };
  const mayMatch = walk.chunkMayMatch;
  const inTime = () => now() <= deadline;
  const enter =
    mayMatch === undefined
      ? undefined
      : (chunk: number, items: readonly T[]) => {
          if (mayMatch(chunk, items, inTime)) return true;
          // Looked at: none of them matches.
          lastSeen = items[ascending ? items.length - 1 : 0];
          return false;
        };
  if (cursor === undefined) {
    if (ascending) walk.byStart.walkUp(visit, undefined, enter);
    else walk.byStart.walkDown(visit, undefined, enter);
  } else {
    // The index is oldest first: newest-first pages continue below the cursor, oldest-first ones above it.
    const below = (entry: T) => {
      const { start, traceId } = walk.positionOf(entry);
      return isAfterCursor(start, traceId, cursor);
    };
    const atOrBelow = (entry: T) => {
      const { start, traceId } = walk.positionOf(entry);
      return start < cursor.startTimeUnixNano || (start === cursor.startTimeUnixNano && traceId <= cursor.traceId);
    };
    if (ascending) walk.byStart.walkUp(visit, atOrBelow, enter);
    else walk.byStart.walkDown(visit, below, enter);
  }
  const page: TracePage = { traces: out };
  const resumeAt = partial ? lastSeen : more ? lastReturned : undefined;
  if (resumeAt !== undefined) {
    const { start, traceId } = walk.positionOf(resumeAt);
    page.nextCursor = encode({ startTimeUnixNano: start, traceId });
  } else if (partial && walk.cursor !== undefined) {
    page.nextCursor = walk.cursor; // nothing looked at yet: ask again from the same place
  }
  if (partial && page.nextCursor !== undefined) page.partial = true;
  return page;
}
