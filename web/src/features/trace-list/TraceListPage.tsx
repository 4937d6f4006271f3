import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { api, exportUrl } from "../../api/client";
import { NewItemsPill, PauseButton } from "../../components/LiveListControls";
import { clearQuestion, clearTitle } from "../../components/store-text";
import { useListKeys } from "../../components/use-list-keys";
import { VirtualList } from "../../components/VirtualList";
import { formatCount, isUnsetTime, nanosToMillis } from "../../lib/format";
import {
  NO_START_LABEL,
  NO_START_TITLE,
  readStartMode,
  type StartMode,
  startColumnDate,
  startLabel,
  startTitle,
} from "../../lib/start-label";
import { replaceSearchParam, searchOf, withParam } from "../../lib/url";
import { useHistoryReturn } from "../../lib/use-history-return";
import { useNow } from "../../lib/use-now";
import { usePageTitle } from "../../lib/use-page-title";
import { useTypedHistory } from "../../lib/use-typed-history";
import { useLiveState } from "../../state/live-context";
import {
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  type ListFilters,
  sameFilters,
  sortFields,
  sortOf,
  spanIdOfQuery,
  spanLinkOf,
  traceLinkOfQuery,
} from "../../state/trace-list-model";
import { Onboarding } from "../onboarding/Onboarding";
import { FilterBar } from "./FilterBar";
import { LatencyChart } from "./LatencyChart";
import { sortDescription, TraceListHeader } from "./TraceListHeader";
import { TraceRow } from "./TraceRow";
import { useEscapeDeselects } from "./use-escape-deselects";
import { useServiceNames } from "./use-service-names";
import { useSpanTrace } from "./use-span-trace";
import { useTraceList } from "./use-trace-list";
import { useUnansweredQuery } from "./use-unanswered-query";
import "./trace-list.css";

const ROW_HEIGHT = 34;
/** How long after Enter on a span id its trace still opens when the server names it: later, the list stays. */
const OPEN_ON_ANSWER_MS = 2000;

/** Remembers the selected trace in the current history entry, so Back from a trace reselects it. */
function rememberSelection(traceId: string): void {
  replaceSearchParam("selected", traceId);
}

export function TraceListPage() {
  usePageTitle("Traces");
  const { url, route } = useLocation();
  const live = useLiveState();
  const search = searchOf(url);
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const sort = sortOf(filters);
  const [selectedId, setSelectedId] = useState<string | null>(() => new URLSearchParams(search).get("selected"));
  const [scrollToIndex, setScrollToIndex] = useState<number | null>(null);
  const [startMode, setStartMode] = useState<StartMode>(readStartMode);
  const scrollRef = useRef<HTMLDivElement>(null);
  const nowMs = useNow(5000);
  const services = useServiceNames(live.generation);
  // True once the keyboard selected a row (j/k, arrows, Home/End), until Escape lets it go: new traces wait.
  const keyboardRow = useRef(false);
  /** The keyboard's row is let go by anything else that selects, clears the list or changes its filters. */
  const letGoOfKeyboardRow = () => {
    if (!keyboardRow.current) return;
    keyboardRow.current = false;
    list.keyboardReleased();
  };
  const list = useTraceList(
    filters,
    ROW_HEIGHT,
    scrollRef,
    () => {
      setSelectedId(null);
      letGoOfKeyboardRow();
    },
    live.generation,
    () => keyboardRow.current,
  );
  // Other filters are another list: the keyboard's row no longer holds it (a no-op at the first render).
  const filtersKey = filtersToSearch(filters);
  useEffect(letGoOfKeyboardRow, [filtersKey]);
  const { model, loading, error, setError, paused } = list;
  const typed = useUnansweredQuery(list.rowsQuery);

  const traces = model.list;
  // While the box holds a query that does not parse, the rows are the query's before it: faded, and said so.
  const unanswered = traces.length > 0 && list.queryError === null ? typed.unanswered : null;
  // The list loads pages as it scrolls; the latency chart holds every match (up to its cap): its
  // count is the list's total, paused too (the chart holds still with the list).
  const [matchTotal, setMatchTotal] = useState<number | null>(null);
  const shownTotal = matchTotal !== null && matchTotal > traces.length ? matchTotal : traces.length;
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

  useListKeys({
    count: model.size,
    selectedIndex,
    select: (index) => {
      keyboardRow.current = true;
      // Up from the top row shows the traces that waited, the newest selected.
      if (index === 0 && selectedIndex === 0 && list.pendingCount > 0) list.showNew();
      select(index);
    },
    open: (index) => open((model.list[index] as TraceSummaryJson).traceId),
  });
  useEscapeDeselects(keyboardRow, () => {
    setSelectedId(null);
    replaceSearchParam("selected", null);
    list.keyboardReleased();
  });

  // Scroll the remembered selection into view once the list is there (Back from a trace).
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || loading || selectedIndex < 0) return;
    restored.current = true;
    setScrollToIndex(selectedIndex);
  }, [loading, selectedIndex]);
  // Back or Forward across a filter pick selects the trace that step of history had, scrolled to.
  useHistoryReturn(() => {
    letGoOfKeyboardRow();
    setSelectedId(new URLSearchParams(location.search).get("selected"));
    restored.current = false;
  });

  // Picking a service or a toggle is a step Back can undo, and so is each search typed (see use-typed-history.ts).
  // The selected trace stays selected, in the address too.
  const history = useTypedHistory();
  const setFilters = (next: ListFilters, typing = false) => {
    route(
      `/${withParam(filtersToSearch(next), "selected", selectedId)}`,
      history.replaces(typing, sameFilters(next, filters)),
    );
  };

  // A search that is a span id: the server names its trace, which Enter and the list's message open.
  const querySpanId = spanIdOfQuery(filters.q);
  // Enter on an id the server did not know asks again: an SDK's batch exporter sends spans seconds late.
  const [asking, setAsking] = useState(0);
  const spanTraceId = useSpanTrace(querySpanId, live.generation, asking);
  const spanLink =
    querySpanId !== null && typeof spanTraceId === "string" ? spanLinkOf(spanTraceId, querySpanId) : null;
  // Enter on a span id before the server said whose it is: opened once it says (a text search if none),
  // unless the box was edited since, the search has moved away from the id (`seen`: it was the
  // search once; Enter commits a new one a render later), or the answer came too late to follow.
  const openOnAnswer = useRef<{ spanId: string; until: number; seen: boolean } | null>(null);
  useEffect(() => {
    const pending = openOnAnswer.current;
    if (pending === null) return;
    if (pending.spanId !== querySpanId) {
      if (pending.seen) openOnAnswer.current = null;
      return;
    }
    pending.seen = true;
    if (spanTraceId === undefined) return;
    openOnAnswer.current = null;
    if (spanLink !== null && performance.now() <= pending.until) route(spanLink);
  }, [querySpanId, spanTraceId, spanLink, route]);

  if (!hasFilters(filters) && live.known && !live.hasData && traces.length === 0 && list.pendingCount === 0) {
    return <Onboarding />;
  }

  const traceLink = traceLinkOfQuery(filters.q);
  let maxDuration = 0;
  for (const trace of traces) if (trace.durationMs > maxDuration) maxDuration = trace.durationMs;
  // A square-root scale keeps fast traces visible next to one very slow trace.
  const sqrtMax = Math.sqrt(maxDuration);
  // Starts of another day carry their date, in a column as wide as the longest one needs.
  const startDate = startColumnDate(
    startMode,
    traces.flatMap((trace) => (isUnsetTime(trace.startTimeUnixNano) ? [] : [nanosToMillis(trace.startTimeUnixNano)])),
    nowMs,
  );

  return (
    <div class="trace-list-page">
      {/* A text box's change (Enter, or leaving it) ends the search typed in it. */}
      <div class="list-toolbar" onChange={history.endTyping}>
        <FilterBar
          filters={filters}
          services={services}
          queryError={list.queryError}
          onChange={setFilters}
          onQueryDraft={(q) => {
            openOnAnswer.current = null;
            typed.onDraft(q);
          }}
          onQueryEnter={(q) => {
            // A pasted trace id (or traceparent) opens its trace, as a trace-id lookup does elsewhere.
            const link = traceLinkOfQuery(q);
            openOnAnswer.current = null;
            if (link !== null) {
              route(link);
              return true;
            }
            // A pasted span id opens its trace on that span once the server has named the trace; the
            // search is sent as any other meanwhile (it stays one when no stored span has the id).
            const spanId = spanIdOfQuery(q);
            if (spanId === null) return false;
            if (spanId === querySpanId && spanLink !== null) {
              route(spanLink);
              return true;
            }
            if (spanId === querySpanId && spanTraceId === null) setAsking((n) => n + 1);
            openOnAnswer.current = {
              spanId,
              until: performance.now() + OPEN_ON_ANSWER_MS,
              seen: spanId === querySpanId,
            };
            return false;
          }}
        />
        <div class="list-actions">
          {/* While the first page for new filters is on its way, the rows and counts shown are the old filters'. */}
          <span class="muted list-count" data-testid="trace-count" aria-live="polite">
            {loading ? (
              hasFilters(filters) ? (
                "Searching…"
              ) : (
                "Loading…"
              )
            ) : (
              <>
                {formatCount(shownTotal)} trace{shownTotal === 1 ? "" : "s"}
                {list.hasMore && shownTotal === traces.length ? "+" : ""}
              </>
            )}
          </span>
          <PauseButton paused={paused} noun="trace" onToggle={() => (paused ? list.showNew() : list.pause())} />
          {/* A query that does not parse has nothing to download: no link (the server would refuse it). */}
          <a
            class="button"
            href={list.queryError === null ? exportUrl(filters) : undefined}
            aria-disabled={list.queryError === null ? undefined : true}
            download="telemetry.jsonl"
            title={
              list.queryError === null
                ? "Download every stored trace these filters match, and their log records, as OTLP/JSON Lines"
                : "The query does not parse: nothing to download"
            }
            data-testid="download-traces"
          >
            Download
          </a>
          <button
            type="button"
            class="button danger"
            title={clearTitle(live.storage)}
            onClick={() => {
              if (confirm(clearQuestion(live.storage))) {
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
      <LatencyChart
        filters={filters}
        generation={live.generation}
        paused={paused}
        onBrush={(patch) => setFilters({ ...filters, ...patch })}
        onOpen={open}
        onTotal={setMatchTotal}
        aside={<NewItemsPill count={list.pendingCount} noun="trace" testId="new-traces" onShow={list.showNew} />}
      />
      <div
        class={`trace-table${startDate === "none" ? "" : ` dated-${startDate}`}${loading && traces.length > 0 ? " stale" : ""}${unanswered !== null ? " unanswered" : ""}`}
        aria-busy={loading}
      >
        {unanswered !== null && (
          <div class="list-unanswered" role="status" data-testid="unanswered-query">
            {unanswered.query === undefined ? (
              "Showing the traces without a query"
            ) : (
              <>
                Showing results for <code>{unanswered.query}</code>
              </>
            )}
            : the query typed does not parse yet.
          </div>
        )}
        <TraceListHeader
          sort={sort}
          onSort={(next) => setFilters({ ...filters, ...sortFields(next) })}
          startMode={startMode}
          onStartMode={setStartMode}
        />
        {list.queryError !== null ? (
          <div class="page-message">
            <p>Fix the query above to list traces (the message under the box says what is wrong).</p>
          </div>
        ) : traces.length === 0 && !loading ? (
          <div class="page-message">
            <h2>No traces match</h2>
            {traceLink !== null && (
              <p data-testid="trace-id-query">
                The search is a trace id, which the query does not look for: <a href={traceLink}>Open the trace</a>{" "}
                (Enter in the search box opens it too).
              </p>
            )}
            {spanLink !== null && (
              <p data-testid="span-id-query">
                The search is the id of a stored span, which the query does not look for:{" "}
                <a href={spanLink}>Open the trace</a> on that span (Enter in the search box opens it too).
              </p>
            )}
            <p>
              Nothing stored matches these filters yet; new traces that match appear here as they arrive.
              {filters.q !== undefined &&
                " A trace matches when one of its spans satisfies the whole query: terms joined by a space must hold on the same span (use | between terms that may hold on different spans)."}{" "}
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
            onScroll={list.onScroll}
            onPointerEnter={() => list.setPointerInside(true)}
            onPointerLeave={() => list.setPointerInside(false)}
            rowKey={(index) => (traces[index] as TraceSummaryJson).traceId}
            role="listbox"
            aria-label={`Traces, ${sortDescription(sort)}`}
            aria-activedescendant={selectedId !== null ? `trace-${selectedId}` : undefined}
            renderRow={(index) => {
              const trace = traces[index] as TraceSummaryJson;
              const startMs = nanosToMillis(trace.startTimeUnixNano);
              // No span with a start: the row says so rather than 1970.
              const noStart = isUnsetTime(trace.startTimeUnixNano);
              return (
                <TraceRow
                  trace={trace}
                  selected={index === selectedIndex}
                  barFraction={sqrtMax > 0 ? Math.sqrt(trace.durationMs) / sqrtMax : 0}
                  startText={noStart ? NO_START_LABEL : startLabel(startMode, startMs, nowMs)}
                  startTitle={noStart ? NO_START_TITLE : startTitle(startMs, nowMs)}
                  filterService={filters.service}
                  onSelect={() => {
                    letGoOfKeyboardRow();
                    select(index);
                  }}
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
