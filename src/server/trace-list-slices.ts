import { setImmediate as nextTurn } from "node:timers/promises";
import type { Store, TracePage, TraceQuery } from "../store/store.js";
import { LIST_BUDGET_MS } from "../store/trace-page.js";

export interface SliceOptions {
  /** Longest the store may hold the event loop in one call. */
  sliceMs?: number;
  /** Longest the whole answer may take (wall time); the page is `partial` past it. */
  budgetMs?: number;
  now?: () => number;
  /** Lets the event loop serve what waits (other requests, writes) between two slices. */
  yieldTurn?: () => Promise<void>;
}

/** One slice is short next to a page's budget: what waits behind it waits at most this long. */
export const LIST_SLICE_MS = 10;

/**
 * One page of the trace list by start time, walked in slices of `sliceMs` with a turn of the event
 * loop between them, each slice going on from the last one's cursor: a search that reads many traces
 * (a rare value among all of them) no longer holds every other request and write for its whole
 * budget. The answer is the one a single call with the same budget gives: the traces found, and a
 * `partial` page with its cursor when the budget ran out first. Pages in another order are one call
 * (each call of theirs looks at every trace's summary first, which slicing would repeat).
 */
export async function listTracesInSlices(
  store: Pick<Store, "listTraces">,
  query: TraceQuery,
  options: SliceOptions = {},
): Promise<TracePage> {
  if (query.sort !== undefined && query.sort !== "start") return store.listTraces(query);
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? LIST_SLICE_MS;
  const deadline = now() + (options.budgetMs ?? LIST_BUDGET_MS);
  const yieldTurn = options.yieldTurn ?? (() => nextTurn());
  const traces: TracePage["traces"] = [];
  let cursor = query.cursor;
  for (let slices = 0; ; slices++) {
    const budgetMs = Math.min(sliceMs, deadline - now());
    const slice: TraceQuery = { ...query, cursor, limit: query.limit - traces.length, budgetMs };
    // The first slice sees every span accepted so far; the later ones go on with its walk.
    const page = store.listTraces(slices === 0 ? slice : { ...slice, continuesWalk: true });
    for (const trace of page.traces) traces.push(trace);
    const full = traces.length >= query.limit;
    if (page.partial !== true || full || now() >= deadline) {
      const out: TracePage = { traces };
      if (page.nextCursor !== undefined) out.nextCursor = page.nextCursor;
      // A full page is not partial, whether or not the last slice found out that more follow.
      if (page.partial === true && !full && page.nextCursor !== undefined) out.partial = true;
      return out;
    }
    cursor = page.nextCursor;
    await yieldTurn();
    // Time spent by others while this one waited counts: the answer keeps its budget's promise.
    if (now() >= deadline) return { traces, nextCursor: cursor as string, partial: true };
  }
}
