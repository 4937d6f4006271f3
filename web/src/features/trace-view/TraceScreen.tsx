import { useCallback, useMemo, useRef, useState } from "preact/hooks";
import type { TraceResponse } from "../../../../src/protocol";
import { markTraceStep } from "../../lib/trace-timing";
import { TraceLogsPanel, traceLogRowsMin } from "../logs/TraceLogsPanel";
import { logMarks, logsBySpan } from "../logs/trace-logs";
import { useTraceLogs } from "../logs/use-trace-logs";
import { snapshotsBySpan } from "../snapshots/trace-snapshots";
import { SpanDetails } from "./SpanDetails";
import { TraceHeader } from "./TraceHeader";
import { readHighlightParam, writeHighlightParam, writeSpanParam } from "./url-state";
import type { TraceNotice } from "./use-trace-data";
import { useBackToList, useTraceKeys } from "./use-trace-keys";
import { useWaterfallState } from "./use-waterfall-state";
import { useZoomParam } from "./use-zoom-param";
import { Waterfall } from "./Waterfall";
import type { Highlight } from "./WaterfallRow";
import { WaterfallToolbar } from "./WaterfallToolbar";
import { buildWaterfallTree } from "./waterfall-model";
import { panWindow, zoomWindow } from "./zoom-model";

/** How much one zoom step (+ / −) narrows or widens the time window. */
const ZOOM_STEP = 2;
/** How far one pan step ([ / ]) moves it, as a share of its length. */
const PAN_STEP = 0.25;

export interface TraceScreenProps {
  trace: TraceResponse;
  notice: TraceNotice;
  refreshError: string | null;
  onRetry(): void;
}

/** A loaded trace: header, waterfall and the selected span's details. */
export function TraceScreen({ trace, notice, refreshError, onRetry }: TraceScreenProps) {
  const tree = useMemo(() => {
    const built = buildWaterfallTree(trace.spans);
    markTraceStep("trace-tree");
    return built;
  }, [trace.spans]);
  const state = useWaterfallState(tree);
  const snapshots = useMemo(() => snapshotsBySpan(trace.snapshots), [trace.snapshots]);
  const traceLogs = useTraceLogs(trace.traceId);
  const spanLogs = useMemo(() => logsBySpan(traceLogs.logs), [traceLogs.logs]);
  const marks = useMemo(() => logMarks(spanLogs), [spanLogs]);
  const back = useBackToList();
  const [highlight, setHighlight] = useState<Highlight>(readHighlightParam);
  const changeHighlight = (next: Highlight) => {
    setHighlight(next);
    writeHighlightParam(next);
  };
  const totalMs = Math.max(tree.totalMs, 0.001);
  // Back out of a zoom lands on the entry zooming in left: it gets the span and highlight shown now.
  // Back out of a followed link selects the span it was followed from instead.
  const [zoom, changeZoom] = useZoomParam(totalMs, () => {
    if (!state.returnToEntry()) writeSpanParam(state.selectedId);
    writeHighlightParam(highlight);
  });
  const setZoom = (change: Parameters<typeof changeZoom>[0]) => {
    changeZoom(change);
    // Zooming in from the whole trace pushes an entry (see writeZoomText).
    state.pushedEntry();
  };
  // Zooming in keeps the selected span in view: its middle stays where it is on screen.
  const zoomBy = (factor: number) => {
    const focus = state.selected ? state.selected.offsetMs + state.selected.durationMs / 2 : undefined;
    setZoom((current) => zoomWindow(current, totalMs, factor, focus));
  };
  const panBy = (share: number) => setZoom((current) => panWindow(current, totalMs, share));

  // Rows get stable callbacks (that read the latest state), so they can skip re-rendering.
  const latest = useRef(state);
  latest.current = state;
  const onSelect = useCallback((spanId: string) => latest.current.select(spanId, "click"), []);
  const onToggle = useCallback((spanId: string) => latest.current.toggle(spanId), []);
  const onJump = useCallback((spanId: string) => latest.current.select(spanId, "jump"), []);
  // A link to another span of the trace (a span link, the parent id, where the failure started): Back returns.
  const onFollow = useCallback((spanId: string) => latest.current.select(spanId, "follow"), []);

  useTraceKeys({
    move: state.move,
    first: () => state.edge("first"),
    last: () => state.edge("last"),
    left: state.left,
    right: state.right,
    toggle: () => {
      if (state.selected) state.toggle(state.selected.spanId);
    },
    back,
    error: state.stepError,
    zoom: (direction) => (direction === 0 ? setZoom(null) : zoomBy(direction > 0 ? 1 / ZOOM_STEP : ZOOM_STEP)),
    pan: (direction) => panBy(direction * PAN_STEP),
    critical: () => changeHighlight(highlight === "critical" ? null : "critical"),
  });

  const missingSpan = state.selectedId !== null && !tree.byId.has(state.selectedId) ? state.selectedId : null;

  return (
    <div class="tv-page">
      <TraceHeader
        traceId={trace.traceId}
        name={trace.name}
        service={trace.service}
        tree={tree}
        errorOrigin={state.errors.origin}
        onBack={back}
        onSelectSpan={onFollow}
        gone={notice !== null}
      />
      {notice === "cleared" && (
        <div class="tv-notice" role="status">
          This trace was cleared from tracekit-local. What you see is the copy this page still holds.
        </div>
      )}
      {notice === "evicted" && (
        <div class="tv-notice" role="status">
          This trace is no longer stored (evicted to make room, or cleared). What you see is the copy this page still
          holds.
        </div>
      )}
      {refreshError && (
        <div class="tv-notice error" role="status">
          Could not refresh this trace: {refreshError}{" "}
          <button type="button" class="tv-link-button" onClick={onRetry}>
            Retry
          </button>
        </div>
      )}
      {missingSpan && (
        <div class="tv-notice" role="status">
          Span <code>{missingSpan}</code> is not in this trace (yet); it is selected as soon as it arrives.
        </div>
      )}
      <div class="tv-main" style={{ "--trace-log-rows-min": traceLogRowsMin(traceLogs.logs.length) }}>
        <div class="tv-left">
          <Waterfall
            tree={tree}
            rows={state.rows}
            collapsed={state.collapsed}
            selectedId={state.selected?.spanId ?? null}
            pathIds={state.pathIds}
            matchIds={state.matchIds}
            matchAncestorIds={state.matchAncestorIds}
            query={state.query}
            snapshots={snapshots}
            logMarks={marks}
            reveal={state.reveal}
            onSelect={onSelect}
            onToggle={onToggle}
            zoom={zoom}
            onZoom={setZoom}
            highlight={highlight}
            toolbar={
              <WaterfallToolbar
                query={state.query}
                matchCount={state.matches.length}
                currentMatch={state.currentMatch}
                onQuery={state.setQuery}
                onStep={state.stepMatch}
                onCollapseAll={state.collapseAll}
                onExpandAll={state.expandAll}
                errorCount={state.errors.nodes.length}
                currentError={state.selected ? state.errors.nodes.indexOf(state.selected) : -1}
                onStepError={state.stepError}
                zoom={zoom}
                onZoomIn={() => zoomBy(1 / ZOOM_STEP)}
                onZoomOut={() => zoomBy(ZOOM_STEP)}
                onZoomReset={() => setZoom(null)}
                highlight={highlight}
                onHighlight={changeHighlight}
              />
            }
          />
          <TraceLogsPanel
            traceId={trace.traceId}
            tree={tree}
            traceLogs={traceLogs}
            selectedSpanId={state.selected?.spanId ?? null}
            onSelectSpan={onJump}
          />
        </div>
        {state.selected && (
          <SpanDetails
            node={state.selected}
            tree={tree}
            query={state.query}
            snapshots={snapshots.get(state.selected.spanId)}
            logs={spanLogs.get(state.selected.spanId)}
            onSelectSpan={onFollow}
          />
        )}
      </div>
    </div>
  );
}
