/**
 * The trace list's order, newest first by (start time, trace id), as both stores keep it in memory
 * (oldest first in a SortedChunks, walked from the end).
 */
import { ascending } from "../domain/order.js";
import type { SortedChunks } from "./sorted-chunks.js";

export interface StartOrdered {
  readonly traceId: string;
  /** The start time the trace is filed under. */
  sortStart: bigint;
  /**
   * `sortStart` as exact whole milliseconds and the nanoseconds past them, and the trace id's first
   * 7 hex digits as a number: filing a trace takes ~20 compares, and numbers compare several times
   * faster than bigints and strings (traces often share a start time, so ties are common). Seven
   * digits make a small integer, kept in the trace itself, where 13 made a number object more for
   * every trace; two traces share them once in 268 million.
   */
  sortMs: number;
  sortNs: number;
  readonly idKey: number;
}

/** The `idKey` of a trace id. */
export function traceIdKey(traceId: string): number {
  return Number.parseInt(traceId.slice(0, 7), 16);
}

export function setSortStart(trace: StartOrdered, start: bigint): void {
  trace.sortStart = start;
  trace.sortMs = Number(start / 1_000_000n);
  trace.sortNs = Number(start % 1_000_000n);
}

/** Ascending (sortStart, traceId): new traces usually start last, so filing one is an append. */
export function compareOldestFirst(a: StartOrdered, b: StartOrdered): number {
  if (a.sortMs !== b.sortMs) return a.sortMs < b.sortMs ? -1 : 1;
  if (a.sortNs !== b.sortNs) return a.sortNs < b.sortNs ? -1 : 1;
  // Ids are lower-case hex of one length, so their leading digits order them as the strings do.
  if (a.idKey !== b.idKey) return a.idKey < b.idKey ? -1 : 1;
  return ascending(a.traceId, b.traceId);
}

/**
 * The start (unix ms) of the oldest trace of `byStart` that `gone` does not rule out (the index may
 * hold evicted entries until it is compacted), or null when none is left.
 */
export function oldestStartMs<T extends StartOrdered>(
  byStart: SortedChunks<T, unknown>,
  gone: (trace: T) => boolean,
): number | null {
  let oldest: number | null = null;
  byStart.walkUp((trace) => {
    if (gone(trace)) return true;
    oldest = Number(trace.sortStart) / 1e6;
    return false;
  });
  return oldest;
}
