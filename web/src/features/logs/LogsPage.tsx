import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { LogRecordJson } from "../../../../src/protocol";
import { NewItemsPill, PauseButton } from "../../components/LiveListControls";
import { VirtualList } from "../../components/VirtualList";
import { formatCount, nanosToMillis } from "../../lib/format";
import { searchOf, withParam } from "../../lib/url";
import { useTypedHistory } from "../../lib/use-typed-history";
import { useLiveState } from "../../state/live-context";
import { LogDetails } from "./LogDetails";
import { LogFilterBar } from "./LogFilterBar";
import { LogRow } from "./LogRow";
import { LogsSetupHelp } from "./LogsSetupHelp";
import { logCount } from "./log-count";
import {
  hasLogFilters,
  type LogFilters,
  logFiltersFromSearch,
  logFiltersToSearch,
  matchesLogFilters,
  traceOfLogHref,
} from "./log-filters";
import { localTimeZoneLabel, startOfLocalDay, utcOffsetLabel } from "./log-time";
import { useLogFeed } from "./use-log-feed";
import { useLogRecord } from "./use-log-record";
import { useLogSelection } from "./use-log-selection";
import { useLogServices } from "./use-log-services";
import "../trace-list/trace-list.css";
import "./logs.css";

const ROW_HEIGHT = 28;

/**
 * `/logs`: every log record, newest first, live. New records wait behind "N new" while the reader is
 * scrolled down, points at the list, has one open or has paused (the trace list's rules).
 */
export function LogsPage() {
  const { url, route } = useLocation();
  const live = useLiveState();
  const search = searchOf(url);
  const filters = useMemo(() => logFiltersFromSearch(search), [search]);
  const zone = useMemo(() => localTimeZoneLabel(), []);
  const scrollRef = useRef<HTMLDivElement>(null);
  const reading = useRef<() => boolean>(() => false);
  const list = useLogFeed(filters, ROW_HEIGHT, scrollRef, live.generation, () => reading.current());
  const rows = list.feed.rows;
  const openTrace = (record: LogRecordJson) => {
    const href = traceOfLogHref(record);
    if (href) route(href);
  };
  // A linked record the older pages did not reach: the list is loaded around it once it is read.
  const [unreached, setUnreached] = useState<string | null>(null);
  const selection = useLogSelection(rows, list.loading, openTrace, list.letGo, {
    hasMore: list.hasMore,
    loadMore: list.loadMore,
    loadedAround: list.loadedAround,
    onUnreached: setUnreached,
  });
  reading.current = selection.reading;
  // Every service with a record stored, and those of records that arrived since.
  const logServices = useLogServices(live.generation);
  const services = [...new Set([...logServices, ...list.feed.services])].sort((a, b) => a.localeCompare(b));

  useEffect(() => {
    document.title = "Logs · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);

  // Picking a filter is a step Back can undo, and so is each search typed (see use-typed-history.ts).
  // The open record stays open.
  const history = useTypedHistory();
  const setFilters = (next: LogFilters, typing = false) => {
    const search = logFiltersToSearch(next);
    const unchanged = search === logFiltersToSearch(filters);
    route(`/logs${withParam(search, "log", selection.selectedId)}`, history.replaces(typing, unchanged));
  };
  const listed = selection.selectedId === null ? undefined : rows.get(selection.selectedId);
  // A record the list does not hold (older than the pages loaded, or filtered out) is read by its id.
  // While the list is loaded around it, the record stays open as read.
  const lookUp = listed === undefined && (!list.loading || list.around === selection.selectedId);
  const outside = useLogRecord(lookUp ? selection.selectedId : null);
  const selected = listed ?? outside.record;
  const far = outside.record;
  useEffect(() => {
    // A record the filters leave out is never in the list: it stays open beside it.
    if (far === undefined || far.id !== unreached || far.id !== selection.selectedId) return;
    if (matchesLogFilters(far, filters) !== "no") list.loadAround(far);
    setUnreached(null);
  }, [far, unreached, selection.selectedId, filters]);
  // Rows of another day carry their date, in a wider time column (the list is newest first: the last
  // row is the oldest, the first the newest).
  const todayStartMs = startOfLocalDay();
  const oldest = rows.list[rows.size - 1];
  const newest = rows.list[0];
  const dated =
    (oldest !== undefined && nanosToMillis(oldest.timeUnixNano) < todayStartMs) ||
    (newest !== undefined && nanosToMillis(newest.timeUnixNano) >= todayStartMs + 86_400_000);
  const count = rows.size;
  const counted = logCount(filters, count, list);

  return (
    <div class="logs-page">
      {/* A text box's change (Enter, or leaving it) ends the search typed in it. */}
      <div class="list-toolbar" onChange={history.endTyping}>
        <LogFilterBar filters={filters} queryError={list.queryError} services={services} onChange={setFilters} />
        <div class="list-actions">
          {/* A query that does not parse searched nothing: no count to give. */}
          {list.queryError === null && (
            <span
              class="muted list-count"
              data-testid="log-count"
              aria-live="polite"
              title={list.loading ? undefined : counted.title}
            >
              {/* While the first page for new filters is on its way, the rows shown are the old filters'. */}
              {list.loading ? (hasLogFilters(filters) ? "Searching…" : "Loading…") : counted.text}
            </span>
          )}
          <PauseButton paused={list.paused} noun="log" onToggle={() => (list.paused ? list.showNew() : list.pause())} />
        </div>
      </div>
      {list.future !== null && list.future.count > 0 && list.queryError === null && (
        <p class="muted logs-future-note" data-testid="logs-future">
          {formatCount(list.future.count)}
          {list.future.more ? "+" : ""} record{list.future.count === 1 && !list.future.more ? "" : "s"} dated in the
          future (by a clock that runs ahead) {list.future.count === 1 && !list.future.more ? "is" : "are"} left out of
          this window.{" "}
          <button
            type="button"
            class="button link-button"
            onClick={() => setFilters({ ...filters, window: undefined })}
          >
            Show everything stored
          </button>
        </p>
      )}
      {list.newerNotLoaded && (
        <p class="muted logs-around-note" data-testid="logs-around">
          Showing the records around the linked one: newer records are not loaded.{" "}
          <button type="button" class="button link-button" onClick={list.showNewest}>
            Show the newest
          </button>
        </p>
      )}
      {list.error !== null && (
        <div class="error-banner" role="alert">
          Could not load logs: {list.error}
        </div>
      )}
      <div class="logs-main">
        <div
          class={`logs-table${dated ? " dated" : ""}${list.loading && count > 0 ? " stale" : ""}`}
          aria-busy={list.loading}
        >
          {/* The labels are for the eye (the list names itself); the pill at the end of the messages' label is a button. */}
          <div class="log-header-row">
            <span class="log-col-time" aria-hidden="true" title={`Times are in this browser's time zone: ${zone}`}>
              Time <span class="log-zone">{utcOffsetLabel(-new Date().getTimezoneOffset())}</span>
            </span>
            <span class="log-col-sev" aria-hidden="true">
              Level
            </span>
            <span class="log-col-service" aria-hidden="true">
              Service
            </span>
            <span class="log-col-body label-with-pill">
              <span aria-hidden="true">Message</span>
              <NewItemsPill count={list.feed.pendingCount} noun="log" testId="new-logs" onShow={list.showNew} />
            </span>
            <span class="log-col-trace" aria-hidden="true">
              Trace
            </span>
          </div>
          {list.queryError !== null ? (
            <div class="page-message" data-testid="logs-bad-query">
              <p>Fix the query above to list log records (the message under the box says what is wrong).</p>
            </div>
          ) : count === 0 && !list.loading ? (
            hasLogFilters(filters) ? (
              <div class="page-message" data-testid="logs-no-match">
                <h2>No logs match</h2>
                <p>
                  Nothing stored matches these filters yet; records that match appear here as they arrive.{" "}
                  <button type="button" class="button" onClick={() => setFilters({})}>
                    Reset filters
                  </button>
                </p>
              </div>
            ) : (
              <LogsSetupHelp />
            )
          ) : (
            <VirtualList
              class="log-rows"
              count={count}
              rowHeight={ROW_HEIGHT}
              scrollRef={scrollRef}
              scrollToIndex={selection.scrollToIndex}
              onScroll={list.onScroll}
              onPointerEnter={() => list.setPointerInside(true)}
              onPointerLeave={() => list.setPointerInside(false)}
              rowKey={(index) => (rows.list[index] as LogRecordJson).id}
              role="listbox"
              aria-label="Log records, newest first"
              aria-activedescendant={selection.selectedId !== null ? `log-${selection.selectedId}` : undefined}
              tabIndex={0}
              renderRow={(index) => {
                const record = rows.list[index] as LogRecordJson;
                return (
                  <LogRow
                    record={record}
                    todayStartMs={todayStartMs}
                    selected={record.id === selection.selectedId}
                    onSelect={() => selection.select(index)}
                    onOpenTrace={route}
                  />
                );
              }}
            />
          )}
        </div>
        {selected ? (
          <LogDetails
            record={selected}
            zone={zone}
            onClose={selection.close}
            onTraceLogs={(traceId) => setFilters({ traceId })}
          />
        ) : (
          selection.selectedId !== null &&
          outside.problem !== null && (
            <aside class="log-details log-details-missing" aria-label="Log record">
              <p class="muted">
                {outside.problem === "not-stored" ? (
                  <>
                    Record <code>{selection.selectedId}</code> is not stored: it may have been evicted or cleared.
                  </>
                ) : (
                  <>
                    Record <code>{selection.selectedId}</code> could not be read; it is not in this list either.
                  </>
                )}
              </p>
              <button type="button" class="button" onClick={selection.close}>
                Close
              </button>
            </aside>
          )
        )}
      </div>
    </div>
  );
}
