import type { RefObject } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { useCoalesced } from "../../lib/use-coalesced";
import { useLiveMessages } from "../../state/live-context";
import { filtersToSearch, type ListFilters, matchesFilters, TraceListModel } from "../../state/trace-list-model";

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
  /** More (older) traces exist on the server than are loaded. */
  hasMore: boolean;
  paused: boolean;
  pause(): void;
  /** Shows the held-back traces (and resumes), scrolled to the top. */
  showNew(): void;
  onScroll(scrollTop: number): void;
  /** Tells the list where the pointer is; leaving it shows what was held back (unless paused). */
  setPointerInside(inside: boolean): void;
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
): TraceListState {
  const filterKey = filtersToSearch(filters);
  const model = useRef(new TraceListModel()).current;
  const pending = useRef(new Map<string, TraceSummaryJson>()).current;
  const [, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const nextCursor = useRef<string | undefined>(undefined);
  const loadingMore = useRef(false);
  const atTop = useRef(true);
  /** The pointer is over the list: rows must not move under it (a click would open another trace). */
  const pointerInside = useRef(false);
  const holding = () => paused || !atTop.current || pointerInside.current;
  const arrivedWhileLoading = useRef<TraceSummaryJson[] | null>(null);

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

  const mergePending = useCallback(() => {
    if (pending.size === 0) return;
    for (const summary of pending.values()) model.upsert(summary);
    pending.clear();
    if (model.trimTo(MAX_TRACES) > 0) {
      const last = model.list[model.size - 1];
      // Our own server's cursor ("<start>_<traceId>"): page on from the last trace kept.
      if (last) nextCursor.current = `${last.startTimeUnixNano}_${last.traceId}`;
    }
    rerender();
  }, [model, pending, rerender]);

  // The first page for these filters; live updates that arrive meanwhile are replayed on top.
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    arrivedWhileLoading.current = [];
    api
      .traces({ ...filters, limit: PAGE_SIZE }, controller.signal)
      .then((page) => {
        model.clear();
        pending.clear();
        for (const summary of page.traces) model.upsert(summary);
        nextCursor.current = page.nextCursor;
        for (const summary of arrivedWhileLoading.current ?? []) place(summary, false);
        arrivedWhileLoading.current = null;
        setLoading(false);
        rerender();
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        arrivedWhileLoading.current = null;
        setError(reason instanceof Error ? reason.message : String(reason));
        setLoading(false);
      });
    return () => controller.abort();
  }, [filterKey, model, pending, place, rerender, generation]);

  /** Free-text filters can only be answered by the server: ask again for the newest matches. */
  const refetchNewest = useCoalesced(() => {
    api
      .traces({ ...filters, limit: 100 })
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

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      model.clear();
      pending.clear();
      nextCursor.current = undefined;
      onCleared();
      rerender();
      return;
    }
    if (message.type !== "traces") return;
    if (arrivedWhileLoading.current !== null) {
      arrivedWhileLoading.current.push(...message.traces);
      return;
    }
    const holdNew = holding();
    let changed = false;
    let unknown = false;
    for (const summary of message.traces) {
      const result = place(summary, holdNew);
      if (result === "unknown") unknown = true;
      else if (result !== "none") changed = true;
    }
    if (unknown) refetchNewest();
    if (changed) rerender();
  });

  const loadMore = useCallback(() => {
    const cursor = nextCursor.current;
    if (cursor === undefined || loadingMore.current) return;
    loadingMore.current = true;
    api
      .traces({ ...filters, limit: PAGE_SIZE, cursor })
      .then((page) => {
        for (const summary of page.traces) if (!pending.has(summary.traceId)) model.upsert(summary);
        nextCursor.current = page.nextCursor;
        rerender();
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)))
      .finally(() => {
        loadingMore.current = false;
      });
  }, [filters, model, pending, rerender]);

  const onScroll = useCallback(
    (top: number) => {
      const wasAtTop = atTop.current;
      atTop.current = top < rowHeight / 2;
      if (atTop.current && !wasAtTop && !paused) mergePending();
      const element = scrollRef.current;
      if (element && top + element.clientHeight > element.scrollHeight - rowHeight * 10) loadMore();
    },
    [paused, mergePending, loadMore, rowHeight, scrollRef],
  );

  const showNew = useCallback(() => {
    setPaused(false);
    mergePending();
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
  }, [mergePending, scrollRef]);

  return {
    model,
    pendingCount: pending.size,
    loading,
    error,
    setError,
    hasMore: nextCursor.current !== undefined,
    paused,
    pause: () => setPaused(true),
    showNew,
    onScroll,
    setPointerInside(inside: boolean) {
      pointerInside.current = inside;
      if (!inside && atTop.current && !paused) mergePending();
    },
  };
}
