import type { RefObject } from "preact";
import { useCallback, useMemo, useRef, useState } from "preact/hooks";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { type QueryError, refusedQuery } from "../../lib/query-error";
import { useCoalesced } from "../../lib/use-coalesced";
import { useHeldList } from "../../lib/use-held-list";
import { usePagedList } from "../../lib/use-paged-list";
import { useLiveMessages } from "../../state/live-context";
import {
  filtersToSearch,
  isDefaultSort,
  type ListFilters,
  matchesFilters,
  sortOf,
  TraceListModel,
} from "../../state/trace-list-model";

const PAGE_SIZE = 500;
/** Beyond this many traces on screen the oldest are dropped (they stay on the server; scrolling loads them). */
const MAX_TRACES = 20_000;

export interface TraceListState {
  model: TraceListModel;
  /** New traces held back while the reader is scrolled down or has paused. */
  pendingCount: number;
  loading: boolean;
  error: string | null;
  setError(message: string | null): void;
  /** The server could not parse the query (`q`): why, and where. */
  queryError: QueryError | null;
  /** The query (`q`) the rows answer: that of the last first page loaded (null before one is). */
  rowsQuery: string | undefined | null;
  /** More (older) traces exist on the server than are loaded. */
  hasMore: boolean;
  paused: boolean;
  pause(): void;
  /** Shows the held-back traces (and resumes), scrolled to the top. */
  showNew(): void;
  onScroll(scrollTop: number): void;
  /** Tells the list where the pointer is; leaving it shows what was held back (unless paused). */
  setPointerInside(inside: boolean): void;
  /** The keyboard let go of its row: what waited comes in, unless something else still holds the list. */
  keyboardReleased(): void;
}

/**
 * A page of up to PAGE_SIZE traces. The server answers a search that runs past its time budget with
 * what it found so far (`partial`); asking on from its cursor, call by call, keeps it responsive to
 * everything else while a rare match is looked for among many traces.
 */
async function fetchFullPage(
  filters: ListFilters,
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ traces: TraceSummaryJson[]; nextCursor?: string | undefined }> {
  const traces: TraceSummaryJson[] = [];
  let next = cursor;
  for (;;) {
    const page = await api.traces({ ...filters, limit: PAGE_SIZE - traces.length, cursor: next }, signal);
    traces.push(...page.traces);
    next = page.nextCursor;
    if (!page.partial || next === undefined || traces.length >= PAGE_SIZE || signal?.aborted) {
      return { traces, nextCursor: next };
    }
  }
}

/**
 * The trace list's data: the first page for the filters, older pages on scroll, and every pushed
 * summary placed so rows never move under the reader (see ARCHITECTURE.md, "The web app").
 */
export function useTraceList(
  filters: ListFilters,
  rowHeight: number,
  scrollRef: RefObject<HTMLDivElement>,
  onCleared: () => void,
  /** Changes on every (re)connection to the server: the list is loaded afresh (it may have restarted). */
  generation: number,
  /** A row the keyboard selected holds new traces back, as the pointer on the list does. */
  keyboardHolds: () => boolean,
): TraceListState {
  const filterKey = filtersToSearch(filters);
  const sort = sortOf(filters);
  const sortKey = `${sort.by} ${sort.ascending}`;
  // Newest first is live; in any other order new traces wait behind "N new", which loads the list
  // afresh (a client cannot tell where a new trace falls among pages it has not loaded).
  const live = isDefaultSort(sort);
  const model = useMemo(() => new TraceListModel(sort), [sortKey]);
  const pending = useRef(new Map<string, TraceSummaryJson>()).current;
  const [reloads, setReloads] = useState(0);
  const [, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  const [queryError, setQueryError] = useState<QueryError | null>(null);
  const [rowsQuery, setRowsQuery] = useState<string | undefined | null>(null);

  /** Places one pushed summary: update in place, hold back as "new", or drop if it stopped matching. */
  const place = useCallback(
    (summary: TraceSummaryJson, holdNew: boolean): "changed" | "held" | "unknown" | "none" => {
      const match = matchesFilters(summary, filters);
      if (match === "no") {
        pending.delete(summary.traceId);
        return model.remove(summary.traceId) ? "changed" : "none";
      }
      if (model.has(summary.traceId)) {
        model.upsert(summary);
        return "changed";
      }
      if (match === "unknown") return "unknown";
      if (holdNew || pending.has(summary.traceId)) {
        pending.set(summary.traceId, summary);
        return "held";
      }
      model.upsert(summary);
      return "changed";
    },
    [filters, model, pending],
  );

  // The first page for these filters (live updates that arrive meanwhile are replayed on top), then
  // older pages on scroll.
  const paged = usePagedList<TraceSummaryJson>({
    key: `${filterKey} ${generation} ${reloads}`,
    fetchPage: (cursor, signal) =>
      fetchFullPage(filters, cursor, signal).then(
        (page) => {
          if (cursor === undefined) setQueryError(null);
          // A load another one replaced (aborted) is not what the rows show.
          if (cursor === undefined && !signal?.aborted) setRowsQuery(filters.q);
          return { items: page.traces, nextCursor: page.nextCursor };
        },
        (reason: unknown) => {
          setQueryError(refusedQuery(reason, filters.q));
          if (cursor === undefined && !signal?.aborted) setRowsQuery(filters.q);
          return { items: [], nextCursor: undefined };
        },
      ),
    onFirstPage(items, arrivedMeanwhile) {
      model.clear();
      pending.clear();
      for (const summary of items) model.upsert(summary);
      for (const summary of arrivedMeanwhile) place(summary, false);
    },
    onOlderPage(items) {
      for (const summary of items) {
        // Newest first, a held trace waits for "N new"; in another order, a page that holds it says where it goes.
        if (live && pending.has(summary.traceId)) continue;
        pending.delete(summary.traceId);
        model.upsert(summary);
      }
    },
    rerender,
  });
  const { nextCursor } = paged;

  const mergePending = useCallback(() => {
    if (pending.size === 0) return;
    if (!live) {
      pending.clear();
      setReloads((n) => n + 1);
      return;
    }
    for (const summary of pending.values()) model.upsert(summary);
    pending.clear();
    if (model.trimTo(MAX_TRACES) > 0) {
      const last = model.list[model.size - 1];
      // Our own server's cursor ("<start>_<traceId>"): page on from the last trace kept.
      if (last) nextCursor.current = `${last.startTimeUnixNano}_${last.traceId}`;
    }
    rerender();
  }, [model, pending, rerender, nextCursor, live]);

  const held = useHeldList({
    rowHeight,
    scrollRef,
    release: mergePending,
    loadMore: paged.loadMore,
    // A sorted list takes new traces only when asked ("N new"); a row the keyboard selected would be
    // pushed down, out of view, by new traces above it.
    reading: () => !live || keyboardHolds(),
  });
  const { holding } = held;

  /** Free-text filters can only be answered by the server: ask again for the newest matches. */
  const refetchNewest = useCoalesced(() => {
    api
      .traces({ ...filters, sort: undefined, order: undefined, limit: 100 })
      .then((page) => {
        let changed = false;
        for (const summary of page.traces) {
          const result = place(summary, holding());
          if (result === "unknown") {
            // The server says it matches: place it as a matching trace.
            if (holding()) pending.set(summary.traceId, summary);
            else model.upsert(summary);
            changed = true;
          } else if (result !== "none") changed = true;
        }
        if (changed) rerender();
      })
      .catch(() => {});
  }, 400);

  /** Many evictions at once come as many messages: the list loads afresh once for them. */
  const reloadAfterEvictions = useCoalesced(() => setReloads((n) => n + 1), 400);

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      model.clear();
      pending.clear();
      nextCursor.current = undefined;
      onCleared();
      rerender();
      return;
    }
    if (message.type === "evicted") {
      // Retention removed them: their rows would open "Trace not found". Past the feed's bound it
      // could not name them all, and the list loads afresh.
      if (message.omitted !== undefined && message.omitted > 0) reloadAfterEvictions();
      let changed = false;
      for (const id of message.traceIds) {
        pending.delete(id);
        if (model.remove(id)) changed = true;
      }
      if (changed) rerender();
      return;
    }
    if (message.type !== "traces") return;
    let traces = message.traces;
    // The snapshot every connection begins with holds the newest traces, not new ones: in another order
    // than newest first, those not shown yet are further down the list, not "new" (and a page on its
    // way is newer than it).
    if (message.snapshot === true && !live) {
      if (paged.loading) return;
      traces = traces.filter((summary) => model.has(summary.traceId));
    }
    if (traces.length === 0 || paged.deferWhileLoading(traces)) return;
    const holdNew = holding();
    let changed = false;
    let unknown = false;
    for (const summary of traces) {
      const result = place(summary, holdNew);
      if (result === "unknown") unknown = true;
      else if (result !== "none") changed = true;
    }
    if (unknown) refetchNewest();
    if (changed) rerender();
  });

  return {
    model,
    pendingCount: pending.size,
    loading: paged.loading,
    error: paged.error,
    setError: paged.setError,
    queryError,
    rowsQuery,
    hasMore: nextCursor.current !== undefined,
    paused: held.paused,
    pause: held.pause,
    showNew: held.showNew,
    onScroll: held.onScroll,
    setPointerInside: held.setPointerInside,
    keyboardReleased: () => {
      if (!holding()) mergePending();
    },
  };
}
