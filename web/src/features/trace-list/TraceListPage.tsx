import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { isTypingTarget } from "../../components/keyboard";
import { VirtualList } from "../../components/VirtualList";
import { useNow } from "../../lib/use-now";
import { useLiveMessages, useLiveState } from "../../state/live-context";
import {
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  type ListFilters,
  matchesFilters,
  TraceListModel,
} from "../../state/trace-list-model";
import { Onboarding } from "../onboarding/Onboarding";
import { FilterBar } from "./FilterBar";
import { TraceRow } from "./TraceRow";
import { useServiceNames } from "./use-service-names";
import "./trace-list.css";

const PAGE_SIZE = 500;
const ROW_HEIGHT = 34;
/** Beyond this many traces on screen the oldest are dropped (they stay on the server; scrolling loads them). */
const MAX_TRACES = 20_000;

function searchOf(url: string): string {
  const at = url.indexOf("?");
  return at === -1 ? "" : url.slice(at);
}

/** Remembers the selected trace in the current history entry, so Back from a trace reselects it. */
function rememberSelection(traceId: string): void {
  const url = new URL(location.href);
  url.searchParams.set("selected", traceId);
  history.replaceState(history.state, "", url.pathname + url.search);
}

export function TraceListPage() {
  const { url, route } = useLocation();
  const live = useLiveState();
  const search = searchOf(url);
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const filterKey = filtersToSearch(filters);
  const model = useRef(new TraceListModel()).current;
  const pending = useRef(new Map<string, TraceSummaryJson>()).current;
  const [, setVersion] = useState(0);
  const rerender = useCallback(() => setVersion((v) => v + 1), []);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(() => new URLSearchParams(search).get("selected"));
  const [scrollToIndex, setScrollToIndex] = useState<number | null>(null);
  const nextCursor = useRef<string | undefined>(undefined);
  const loadingMore = useRef(false);
  const atTop = useRef(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  const arrivedWhileLoading = useRef<TraceSummaryJson[] | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const nowMs = useNow(5000);
  const services = useServiceNames();

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
  }, [filterKey, model, pending, place, rerender]);

  /** Free-text filters can only be answered by the server: ask again for the newest matches. */
  const refetchNewest = useCallback(() => {
    if (refetchTimer.current !== null) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      api
        .traces({ ...filters, limit: 100 })
        .then((page) => {
          let changed = false;
          for (const summary of page.traces) {
            const result = place({ ...summary }, paused || !atTop.current);
            if (result === "unknown") {
              // The server says it matches: place it as a matching trace.
              if (paused || !atTop.current) pending.set(summary.traceId, summary);
              else model.upsert(summary);
              changed = true;
            } else if (result !== "none") changed = true;
          }
          if (changed) rerender();
        })
        .catch(() => {});
    }, 400);
  }, [filters, place, paused, pending, model, rerender]);

  useEffect(
    () => () => {
      if (refetchTimer.current !== null) clearTimeout(refetchTimer.current);
    },
    [],
  );

  useLiveMessages((message) => {
    if (message.type === "cleared") {
      model.clear();
      pending.clear();
      nextCursor.current = undefined;
      setSelectedId(null);
      rerender();
      return;
    }
    if (arrivedWhileLoading.current !== null) {
      arrivedWhileLoading.current.push(...message.traces);
      return;
    }
    const holdNew = paused || !atTop.current;
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
      atTop.current = top < ROW_HEIGHT / 2;
      if (atTop.current && !wasAtTop && !paused) mergePending();
      const element = scrollRef.current;
      if (element && top + element.clientHeight > element.scrollHeight - ROW_HEIGHT * 10) loadMore();
    },
    [paused, mergePending, loadMore],
  );

  const showNew = useCallback(() => {
    setPaused(false);
    mergePending();
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    atTop.current = true;
  }, [mergePending]);

  const traces = model.list;
  const selectedIndex = selectedId === null ? -1 : model.indexOf(selectedId);

  const select = useCallback(
    (index: number) => {
      const trace = model.list[index];
      if (!trace) return;
      setSelectedId(trace.traceId);
      setScrollToIndex(index);
      rememberSelection(trace.traceId);
    },
    [model],
  );
  const open = useCallback(
    (traceId: string) => {
      rememberSelection(traceId);
      route(`/traces/${traceId}`);
    },
    [route],
  );

  // A layout effect: the keys work from the first painted frame, not one frame later.
  useLayoutEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || document.querySelector(".modal")) return;
      const count = model.size;
      if (count === 0) return;
      if (event.key === "j" || event.key === "ArrowDown") {
        select(selectedIndex < 0 ? 0 : Math.min(count - 1, selectedIndex + 1));
      } else if (event.key === "k" || event.key === "ArrowUp") {
        select(selectedIndex < 0 ? 0 : Math.max(0, selectedIndex - 1));
      } else if (event.key === "Enter" && selectedIndex >= 0) {
        open((model.list[selectedIndex] as TraceSummaryJson).traceId);
      } else if (event.key === "Home") {
        select(0);
      } else if (event.key === "End") {
        select(count - 1);
      } else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [model, select, open, selectedIndex]);

  // Scroll the remembered selection into view once the list is there (Back from a trace).
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || loading || selectedIndex < 0) return;
    restored.current = true;
    setScrollToIndex(selectedIndex);
  }, [loading, selectedIndex]);

  const setFilters = (next: ListFilters) => route(`/${filtersToSearch(next)}`, true);

  if (!hasFilters(filters) && live.known && !live.hasData && traces.length === 0 && pending.size === 0) {
    return <Onboarding />;
  }

  let maxDuration = 0;
  for (const trace of traces) if (trace.durationMs > maxDuration) maxDuration = trace.durationMs;
  // A square-root scale keeps fast traces visible next to one very slow trace.
  const sqrtMax = Math.sqrt(maxDuration);

  return (
    <div class="trace-list-page">
      <div class="list-toolbar">
        <FilterBar filters={filters} services={services} onChange={setFilters} />
        <div class="list-actions">
          <span class="muted list-count" data-testid="trace-count">
            {traces.length.toLocaleString("en-US")} trace{traces.length === 1 ? "" : "s"}
            {nextCursor.current !== undefined ? "+" : ""}
          </span>
          <button
            type="button"
            class="button"
            aria-pressed={paused}
            title="Stop adding new traces to the list while you read it"
            onClick={() => (paused ? showNew() : setPaused(true))}
          >
            {paused ? "Resume" : "Pause"}
          </button>
          <button
            type="button"
            class="button danger"
            title="Delete every stored trace"
            onClick={() => {
              if (confirm("Delete every trace stored in tracekit-local?")) {
                api.clear().catch((reason: unknown) => setError(String(reason)));
              }
            }}
          >
            Clear
          </button>
        </div>
      </div>
      {error !== null && (
        <div class="error-banner" role="alert">
          Could not load traces: {error}
        </div>
      )}
      <div class="trace-table">
        <div class="trace-header-row" aria-hidden="true">
          <span class="col-name">Trace</span>
          <span class="col-service">Service</span>
          <span class="col-spans">Spans</span>
          <span class="col-errors">Errors</span>
          <span class="col-duration">Duration</span>
          <span class="col-start">Started</span>
        </div>
        {pending.size > 0 && (
          <button type="button" class="new-traces-pill" onClick={showNew} data-testid="new-traces">
            ↑ {pending.size} new trace{pending.size === 1 ? "" : "s"}
          </button>
        )}
        {traces.length === 0 && !loading ? (
          <div class="page-message">
            <h2>No traces match</h2>
            <p>
              Nothing stored matches these filters yet; new traces that match appear here as they arrive.{" "}
              <button type="button" class="button" onClick={() => setFilters({})}>
                Reset filters
              </button>
            </p>
          </div>
        ) : (
          <VirtualList
            class="trace-rows"
            count={traces.length}
            rowHeight={ROW_HEIGHT}
            scrollRef={scrollRef}
            scrollToIndex={scrollToIndex}
            onScroll={onScroll}
            role="listbox"
            aria-label="Traces, newest first"
            aria-activedescendant={selectedId !== null ? `trace-${selectedId}` : undefined}
            renderRow={(index) => {
              const trace = traces[index] as TraceSummaryJson;
              return (
                <TraceRow
                  trace={trace}
                  selected={index === selectedIndex}
                  barFraction={sqrtMax > 0 ? Math.sqrt(trace.durationMs) / sqrtMax : 0}
                  nowMs={nowMs}
                  onSelect={() => select(index)}
                  onOpen={() => open(trace.traceId)}
                />
              );
            }}
          />
        )}
      </div>
    </div>
  );
}
