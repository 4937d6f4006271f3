import { useEffect, useMemo, useState } from "preact/hooks";
import type { LogRecordJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { VirtualList } from "../../components/VirtualList";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatCount, formatDuration } from "../../lib/format";
import { serviceColor } from "../../lib/service-color";
import type { WaterfallTree } from "../trace-view/waterfall-model";
import { LogLine, SeverityBadge } from "./LogParts";
import { logsOfTraceHref } from "./log-filters";
import { logClock, logClockDate, logTimeExact } from "./log-time";
import { severityStyle } from "./severity";
import { formatOffset, offsetInTraceMs } from "./trace-logs";
import type { TraceLogs } from "./use-trace-logs";
import "./logs.css";

const ROW_HEIGHT = 26;
/** Rows an open panel keeps however short the window: fewer and it reads as empty (the page scrolls instead). */
const MIN_ROWS = 3;

/**
 * The height an open panel's rows keep (three rows, or all of fewer), as the CSS length that
 * `--trace-log-rows-min` holds: the trace view sets it on the column the panel is in, which makes room
 * for it and which the panel inherits it from.
 */
export function traceLogRowsMin(count: number): string {
  return `${Math.min(count, MIN_ROWS) * ROW_HEIGHT}px`;
}

export interface TraceLogsPanelProps {
  traceId: string;
  tree: WaterfallTree;
  traceLogs: TraceLogs;
  selectedSpanId: string | null;
  onSelectSpan(spanId: string): void;
}

/** The trace's logs in time order under the waterfall; a row selects (and shows) its span. */
export function TraceLogsPanel({ traceId, tree, traceLogs, selectedSpanId, onSelectSpan }: TraceLogsPanelProps) {
  const { logs } = traceLogs;
  const [open, setOpen] = useState(true);
  // `?log=<id>` (a link from the Logs page) marks that record and scrolls to it.
  const [markedId, setMarkedId] = useState(() => new URLSearchParams(location.search).get("log"));
  const markedIndex = useMemo(() => logs.findIndex((r) => r.id === markedId), [logs, markedId]);
  const [scrollTo, setScrollTo] = useState<number | null>(null);
  useEffect(() => {
    if (markedIndex >= 0 && scrollTo === null) setScrollTo(markedIndex);
  }, [markedIndex, scrollTo]);

  // Records of another day carry their date, in a wider column.
  const nowMs = Date.now();
  const clockDate = logClockDate(logs, nowMs);
  const renderRow = (index: number) => {
    const record = logs[index] as LogRecordJson;
    const node = record.spanId ? tree.byId.get(record.spanId) : undefined;
    const classes = `trace-log-row${record.id === markedId ? " marked" : ""}${
      record.spanId !== null && record.spanId === selectedSpanId ? " on-span" : ""
    }`;
    return (
      // biome-ignore lint/a11y/useKeyWithClickEvents: the waterfall's keys move through spans; this list follows them
      // biome-ignore lint/a11y/useFocusableInteractive: a click marks the record and selects its span; focus stays where the waterfall's keys work, not on this row
      <div
        class={classes}
        role="option"
        aria-selected={record.id === markedId}
        data-log-id={record.id}
        data-severity={record.severity}
        style={severityStyle(record.severity)}
        title={logTimeExact(record.timeUnixNano)}
        onClick={() => {
          setMarkedId(record.id);
          if (node) onSelectSpan(node.spanId);
        }}
      >
        <span class="trace-log-offset mono">
          {formatOffset(offsetInTraceMs(record, tree.startNanos), formatDuration)}
        </span>
        <span class="trace-log-clock mono faint">{logClock(record.timeUnixNano, nowMs)}</span>
        <SeverityBadge record={record} />
        <span
          class="trace-log-span"
          title={node ? showBidiControls(`${node.span.service} · ${node.label}`) : undefined}
        >
          {node ? (
            <>
              <span class="service-dot" style={{ background: serviceColor(node.span.service) }} />
              <UserText text={node.label} />
            </>
          ) : (
            <span class="faint">{record.spanId ? "span not received" : "no span"}</span>
          )}
        </span>
        <span class="trace-log-body">
          <LogLine record={record} />
        </span>
      </div>
    );
  };

  return (
    <section
      class={`trace-logs${open && logs.length > 0 ? " open" : ""}${clockDate === "none" ? "" : ` dated-${clockDate}`}`}
      aria-label="Logs of this trace"
      data-testid="trace-logs"
    >
      <div class="trace-logs-head">
        <button
          type="button"
          class="tv-link-button trace-logs-toggle"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {/* "of this trace": a span's mark and details count that span's alone. */}
          {open ? "▾" : "▸"} Logs of this trace <span class="faint">{formatCount(logs.length)}</span>
        </button>
        <span class="faint">
          {traceLogs.loading && logs.length === 0
            ? "loading…"
            : logs.length === 0
              ? "none written in this trace (yet); they appear here as they arrive"
              : `in time order${traceLogs.capped ? `, the first ${formatCount(logs.length)}` : ""}; click one to show its span`}
        </span>
        {traceLogs.error && <span class="error-text">Could not load logs: {traceLogs.error}</span>}
        <a class="trace-logs-all" href={logsOfTraceHref(traceId)} data-testid="trace-logs-all">
          All logs of this trace →
        </a>
      </div>
      {open && logs.length > 0 && (
        // As tall as its rows, up to a share of the screen; the waterfall keeps the rest.
        <div class="trace-log-list" style={{ height: `min(${logs.length * ROW_HEIGHT}px, 36vh)` }}>
          <VirtualList
            class="trace-log-rows"
            count={logs.length}
            rowHeight={ROW_HEIGHT}
            scrollToIndex={scrollTo}
            rowKey={(index) => (logs[index] as LogRecordJson).id}
            role="listbox"
            aria-label="Logs of this trace, oldest first"
            renderRow={renderRow}
          />
        </div>
      )}
    </section>
  );
}
