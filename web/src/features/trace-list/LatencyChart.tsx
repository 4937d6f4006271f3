import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import { UserText } from "../../components/UserText";
import { formatAbsolute, formatCount, formatDuration } from "../../lib/format";
import type { ListFilters } from "../../state/trace-list-model";
import { themedAxis, timeAxis } from "../metrics/chart-options";
import { UPlotChart } from "../metrics/UPlotChart";
import { type ChartTheme, useChartTheme } from "../metrics/use-chart-theme";
import { BRUSH_STEPS, brushKey, brushRect, KEYBOARD_BRUSH_START, type KeyboardBrush } from "./keyboard-brush";
import {
  brushFilters,
  chartData,
  dataTimeRange,
  durationRange,
  durationTickLabels,
  durationTicks,
  focusPoints,
  type LatencyPoint,
  MAX_POINTS,
  NO_SELECTION,
  nearestPoint,
  windowFilters,
} from "./latency-chart-model";
import { OffAxisMarker, type PlotBox, plotBoxOf } from "./OffAxisMarker";
import { useLatencyPoints } from "./use-latency-points";

const HEIGHT = 150;
const NO_POINTS: readonly LatencyPoint[] = [];
const OPEN_KEY = "tracekit-local.latency-chart";
/** What a screen reader says of the focused chart: how to brush it from the keyboard. */
export const KEYBOARD_LABEL =
  "Latency chart: arrow keys move a cursor, Shift+arrow keys draw a rectangle, Enter filters the list to it, Escape clears it";

function readOpen(): boolean {
  try {
    return localStorage.getItem(OPEN_KEY) !== "closed";
  } catch {
    return true;
  }
}

function saveOpen(open: boolean): void {
  try {
    localStorage.setItem(OPEN_KEY, open ? "open" : "closed");
  } catch {
    // Private windows may refuse storage: the chart then opens every time.
  }
}

interface Handlers {
  onBrush(filters: ReturnType<typeof brushFilters>): void;
  onOpen(traceId: string): void;
  onPlotBox(box: PlotBox): void;
}

function scatterSeries(color: string, label: string): uPlot.Series {
  return {
    label,
    stroke: color,
    fill: color,
    paths: () => null,
    points: { show: true, size: 5, width: 1, stroke: color, fill: color },
  };
}

function scatterOptions(theme: ChartTheme, handlers: { current: Handlers }): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    scales: {
      x: { time: true, range: (u) => dataTimeRange(u.data[0]) },
      y: { distr: 3, log: 10, range: (_u, min, max) => durationRange(min, max) },
    },
    axes: [
      timeAxis(theme),
      {
        ...themedAxis(theme),
        size: 56,
        // Every tick labelled, as many as fit: uPlot's own filter labels only those starting with 1 on a
        // log axis, and an axis fitted to 160 ms – 7.8 s had one label, "1s".
        // The plot's height from uPlot's own layout (canvas pixels): the overlay has none on the first draw.
        splits: (u, _axis, min, max) =>
          durationTicks(min, max, Math.max(2, Math.floor(u.bbox.height / (window.devicePixelRatio || 1) / 24))),
        filter: (_u, splits) => splits,
        values: (_u, splits) => durationTickLabels(splits),
      },
    ],
    cursor: { x: false, y: false, points: { show: false }, drag: { x: true, y: true, setScale: false } },
    series: [{}, scatterSeries(theme.accent, "succeeded"), scatterSeries(theme.error, "failed")],
    hooks: {
      setSize: [(u) => handlers.current.onPlotBox(plotBoxOf(u))],
      setSelect: [
        (u) => {
          const { left, top, width, height } = u.select;
          if (width < 4 || height < 4) return;
          const x: [number, number] = [u.posToVal(left, "x"), u.posToVal(left + width, "x")];
          const y: [number, number] = [u.posToVal(top + height, "y"), u.posToVal(top, "y")];
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          handlers.current.onBrush(brushFilters(x, y));
        },
      ],
    },
  };
}

/** The rectangle (shares of the plot) in the chart's values: the filters it stands for. */
function rectFilters(u: uPlot, rect: NonNullable<ReturnType<typeof brushRect>>): ReturnType<typeof brushFilters> {
  const { width, height } = plotBoxOf(u);
  const x: [number, number] = [u.posToVal(rect.left * width, "x"), u.posToVal(rect.right * width, "x")];
  const y: [number, number] = [u.posToVal(rect.bottom * height, "y"), u.posToVal(rect.top * height, "y")];
  return brushFilters(x, y);
}

/** What the focused chart says of its keyboard brush, after the counts. */
function keyboardText(filters: ReturnType<typeof brushFilters> | null, selected: boolean): string {
  if (filters === null) {
    return `arrows move the cursor, Shift+arrows draw a rectangle, Enter filters the list to it${selected ? ", Esc clears the selection" : ""}`;
  }
  const { since = 0, until = 0, brushMinMs = 0, maxDurationMs = 0 } = filters;
  const [from, to] = [formatAbsolute(since), formatAbsolute(until)];
  const window = `${from} – ${from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to}`;
  return `Enter filters the list to: started ${window}, ${formatDuration(brushMinMs)} – ${formatDuration(maxDurationMs)} · Esc drops it`;
}

/** What the caption says of the traces left off the axis's ends ("" for none). */
function offAxisText({ before, after }: { before: readonly LatencyPoint[]; after: readonly LatencyPoint[] }): string {
  const parts = [
    before.length > 0 ? `${formatCount(before.length)} much older` : "",
    after.length > 0 ? `${formatCount(after.length)} dated in the future` : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "" : ` · ${parts.join(", ")} at the edge`;
}

/**
 * The latency scatter above the trace list: the traces the filters match (the newest MAX_POINTS),
 * start time against duration on a log scale, failing traces in the error colour. Hovering names a
 * trace, clicking opens it, and dragging a rectangle filters the list to it. The plot takes focus, and
 * then the keyboard brushes it (keyboard-brush.ts).
 */
export function LatencyChart(props: {
  filters: ListFilters;
  generation: number;
  /** The list is paused: the chart holds still with it. */
  paused?: boolean;
  onBrush(patch: ReturnType<typeof brushFilters>): void;
  onOpen(traceId: string): void;
  /** How many traces match the filters, when the chart holds them all (null while unknown). */
  onTotal?(total: number | null): void;
  /** What the list shows at the end of the chart's bar, open or closed (its "N new" pill). */
  aside?: ComponentChildren;
}) {
  const [open, setOpen] = useState(readOpen);
  const latency = useLatencyPoints(props.filters, open, props.generation, props.paused);
  const { capped, loading, current, failure } = latency;
  // After a failed load the points are another query's: none are drawn for this one.
  const points = failure === null ? latency.points : NO_POINTS;
  const failureText =
    failure === null
      ? null
      : failure.badQuery
        ? "The query does not parse: nothing to draw."
        : `Could not load the traces to draw: ${failure.message}`;
  // Traces with no start are matches the chart cannot place: the list's count holds them too.
  const total = open && current && !loading && !capped ? points.length + latency.unplaced : null;
  const onTotal = props.onTotal;
  useEffect(() => onTotal?.(total), [onTotal, total]);
  const theme = useChartTheme();
  const [plotBox, setPlotBox] = useState<PlotBox | null>(null);
  const handlers = useRef<Handlers>({ ...props, onPlotBox: setPlotBox });
  handlers.current = { ...props, onPlotBox: setPlotBox };
  const options = useMemo(() => scatterOptions(theme, handlers), [theme]);
  // Traces far older than the rest, or dated in the future, are left to the axis's edges, where a
  // marker counts them; the newest trace that has started is always on the axis.
  const focused = useMemo(() => focusPoints(points, Date.now() / 1000), [points]);
  const data = useMemo(() => chartData(focused.shown) as uPlot.AlignedData, [focused]);
  const chart = useRef<uPlot | null>(null);
  const [hovered, setHovered] = useState<{ point: LatencyPoint; left: number; top: number } | null>(null);
  const latestPoints = useRef(focused.shown);
  latestPoints.current = focused.shown;

  const pointAt = (event: MouseEvent) => {
    const u = chart.current;
    if (!u) return null;
    const pointer = { left: event.offsetX, top: event.offsetY };
    const point = nearestPoint(latestPoints.current, pointer, (p) => ({
      left: u.valToPos(p.x, "x"),
      top: u.valToPos(Math.max(0.001, p.durationMs), "y"),
    }));
    return point === null
      ? null
      : {
          point,
          left: u.valToPos(point.x, "x") + u.over.offsetLeft,
          top: u.valToPos(Math.max(0.001, point.durationMs), "y") + u.over.offsetTop,
        };
  };

  const attach = (u: uPlot | null) => {
    chart.current = u;
    if (!u) return;
    setPlotBox(plotBoxOf(u));
    u.over.addEventListener("mousemove", (event) => setHovered(event.buttons === 0 ? pointAt(event) : null));
    u.over.addEventListener("mouseleave", () => setHovered(null));
    // A drag (a brush) ends in a click too: only a click that stayed in place opens a trace.
    let down = { x: 0, y: 0 };
    u.over.addEventListener("mousedown", (event) => {
      down = { x: event.clientX, y: event.clientY };
    });
    u.over.addEventListener("click", (event) => {
      if (Math.abs(event.clientX - down.x) + Math.abs(event.clientY - down.y) > 3) return;
      const at = pointAt(event);
      if (at) handlers.current.onOpen(at.point.traceId);
    });
  };

  // The keyboard brush: shown while the plot has focus from the keyboard (a click to open a trace
  // focuses it too, and draws no cursor).
  const [keyBrush, setKeyBrush] = useState<KeyboardBrush>(KEYBOARD_BRUSH_START);
  const [keyboardOn, setKeyboardOn] = useState(false);
  const keyRect = keyboardOn ? brushRect(keyBrush) : null;
  const keyFilters = keyRect !== null && chart.current ? rectFilters(chart.current, keyRect) : null;
  const drawnRect = useRef(false);
  useEffect(() => {
    const u = chart.current;
    // Only a rectangle this draws is taken away: a mouse drag under way keeps its own.
    if (!u || (keyRect === null && !drawnRect.current)) return;
    const { width, height } = plotBoxOf(u);
    const rect = keyRect ?? { left: 0, right: 0, top: 0, bottom: 0 };
    u.setSelect(
      {
        left: rect.left * width,
        top: rect.top * height,
        width: (rect.right - rect.left) * width,
        height: (rect.bottom - rect.top) * height,
      },
      false,
    );
    drawnRect.current = keyRect !== null;
  });
  const onPlotKey = (event: JSX.TargetedKeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const result = brushKey(keyBrush, event.key, event.shiftKey);
    if (result === null) return;
    if (result.kind === "clear") {
      // Escape with no rectangle drawn clears the list's brushed selection (as its Clear selection chip).
      if (props.filters.maxDurationMs === undefined) return;
      props.onBrush(NO_SELECTION);
    }
    if (result.kind === "apply" && chart.current) props.onBrush(rectFilters(chart.current, result.rect));
    event.preventDefault(); // nor the list's own keys, nor the page's scrolling
    setKeyBrush(result.brush);
    setKeyboardOn(true);
  };

  const toggle = () => {
    setOpen(!open);
    saveOpen(!open);
  };
  const failing = points.reduce((n, p) => n + (p.failing ? 1 : 0), 0);
  return (
    <section class={`latency-chart${open ? "" : " closed"}`} aria-label="Latency of the traces in view">
      <div class="latency-chart-bar">
        <button type="button" class="button link-button" aria-expanded={open} onClick={toggle}>
          {open ? "▾" : "▸"} Latency
        </button>
        {open && (
          <span class="muted latency-chart-caption" data-testid="latency-caption">
            {failureText !== null
              ? "0 traces"
              : loading && points.length === 0
                ? "loading…"
                : `${formatCount(points.length)} trace${points.length === 1 ? "" : "s"}${failing > 0 ? ` (${formatCount(failing)} failing, in red)` : ""}${capped ? `: the newest ${formatCount(MAX_POINTS)} of more that match` : ""}${offAxisText(focused)} · ${keyboardOn ? "" : "drag a rectangle to filter the list to it"}`}
            {keyboardOn && points.length > 0 && (
              <span role="status" data-testid="latency-keyboard">
                {keyboardText(keyFilters, props.filters.maxDurationMs !== undefined)}
              </span>
            )}
          </span>
        )}
        <span class="latency-chart-aside">{props.aside}</span>
      </div>
      {open && points.length === 0 && (
        // Nothing to place on a time axis: no axis of made-up times, the same height so the list stays put.
        <div class="latency-chart-empty muted" style={{ height: `${HEIGHT}px` }} data-testid="latency-chart-empty">
          {failureText ?? (loading ? "" : "No traces match the filters: nothing to draw.")}
        </div>
      )}
      {open && points.length > 0 && (
        <div
          class="latency-chart-plot"
          data-testid="latency-chart"
          role="application"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the plot takes the keys that brush it (an application, to a screen reader)
          tabIndex={0}
          aria-label={KEYBOARD_LABEL}
          onKeyDown={onPlotKey}
          onFocus={(event) => {
            if (event.currentTarget.matches(":focus-visible")) setKeyboardOn(true);
          }}
          onBlur={() => {
            setKeyboardOn(false);
            setKeyBrush(KEYBOARD_BRUSH_START);
          }}
        >
          <UPlotChart
            options={options}
            data={data}
            height={HEIGHT}
            autoRange={() => dataTimeRange(data[0])}
            onChart={attach}
            label="Trace start time against duration"
          />
          {plotBox !== null &&
            (["before", "after"] as const).map(
              (side) =>
                focused[side].length > 0 && (
                  <OffAxisMarker
                    key={side}
                    side={side}
                    points={focused[side]}
                    box={plotBox}
                    onShow={() => props.onBrush(windowFilters(focused[side]))}
                  />
                ),
            )}
          {keyboardOn && plotBox !== null && (
            <div
              class="latency-key-cursor"
              style={{
                left: `${plotBox.left + (keyBrush.cursor.x / BRUSH_STEPS) * plotBox.width}px`,
                top: `${plotBox.top + (keyBrush.cursor.y / BRUSH_STEPS) * plotBox.height}px`,
              }}
              aria-hidden="true"
              data-testid="latency-key-cursor"
            />
          )}
          {hovered && (
            <div
              class="latency-tooltip"
              role="tooltip"
              style={{ left: `${hovered.left}px`, top: `${hovered.top}px` }}
              data-testid="latency-tooltip"
            >
              <strong>{hovered.point.name ? <UserText text={hovered.point.name} /> : "(unnamed)"}</strong>{" "}
              {formatDuration(hovered.point.durationMs)}
              {hovered.point.failing ? " · failed" : ""}
              <span class="faint"> · {formatAbsolute(hovered.point.x * 1000)}</span>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
