import { createPortal } from "preact/compat";
import { useMemo, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import { formatMetricValue } from "../../../../src/domain/metric-units";
import type { MetricExemplarJson } from "../../../../src/protocol";
import { UserText, withBidiMarks } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatClock, shortId } from "../../lib/format";
import { type ChartFrame, lineChartOptions, tooltipFlips } from "./chart-options";
import {
  bandExtent,
  type ChartModel,
  type ExemplarPoint,
  exemplarPoints,
  rateStepText,
  stepRangeText,
  toAlignedData,
  tooltipRows,
} from "./metric-chart-model";
import { formatLineValue, valueAxisRange } from "./metric-summary";
import { UPlotChart } from "./UPlotChart";
import type { ChartTheme } from "./use-chart-theme";

export interface LineChartProps {
  model: ChartModel;
  exemplars: readonly MetricExemplarJson[];
  theme: ChartTheme;
  /** The window asked for, unix ms. */
  fromMs: number;
  toMs: number;
  visible: readonly boolean[];
  height: number;
  label: string;
  onOpenTrace(exemplar: MetricExemplarJson): void;
  onZoom?(min: number, max: number, zoomed: boolean): void;
  /** A double-click on the plot (after uPlot's own, which zooms out to the whole range). */
  onDoubleClick?(): void;
  onChart?(u: uPlot | null): void;
  /** A small chart: one row of time labels. */
  compact?: boolean;
}

/** Everything that changes the chart's build rather than its data. */
function buildKey(model: ChartModel, theme: ChartTheme): string {
  const lines = model.lines
    .map((l) => `${l.key}\u0001${l.color}\u0001${l.dash ? 1 : 0}\u0001${l.band ? 1 : 0}`)
    .join("\u0002");
  return `${model.chart}|${model.unit.raw}|${model.unit.kind}|${theme.text}|${theme.palette.join()}|${lines}`;
}

function ExemplarDot({
  point,
  u,
  unit,
  onOpen,
}: {
  point: ExemplarPoint;
  u: uPlot;
  unit: ChartModel["unit"];
  onOpen(): void;
}) {
  const left = u.valToPos(point.x, "x");
  const top = u.valToPos(point.y, "y");
  const width = u.bbox.width / (devicePixelRatio || 1);
  const height = u.bbox.height / (devicePixelRatio || 1);
  if (!(left >= 0 && left <= width && top >= 0 && top <= height)) return null;
  const { exemplar } = point;
  const series = point.line?.label ?? (exemplar.seriesLabel || "all");
  const text =
    `Exemplar of ${series}: ${formatMetricValue(exemplar.value, unit)} at ${formatClock(Number(exemplar.timeUnixNano.slice(0, -6)))}` +
    (exemplar.traceId ? ` — open trace ${shortId(exemplar.traceId)}` : " (no trace)");
  return (
    <button
      type="button"
      class="exemplar-dot"
      style={{ left: `${left}px`, top: `${top}px`, borderColor: point.line?.color ?? "currentColor" }}
      title={showBidiControls(text)}
      aria-label={showBidiControls(text)}
      data-trace-id={exemplar.traceId ?? undefined}
      data-series={series}
      disabled={!exemplar.traceId}
      onMouseDown={(event) => event.stopPropagation()}
      onClick={onOpen}
    />
  );
}

function Tooltip({
  model,
  idx,
  left,
  top,
  visible,
  u,
}: {
  model: ChartModel;
  idx: number;
  left: number;
  top: number;
  visible: readonly boolean[];
  u: uPlot;
}) {
  const { rows, more } = tooltipRows(model, idx, visible, 8);
  // Values in the unit of the axis beside them, as drawn now (zoomed, exemplars included).
  const { min, max } = u.scales.y ?? {};
  const axis: [number, number] =
    typeof min === "number" && typeof max === "number" ? [min, max] : valueAxisRange(model, visible);
  const time = model.times[idx];
  if (time === undefined) return null;
  const flip = tooltipFlips(u, left);
  return (
    <div
      class={`chart-tooltip${flip ? " flip" : ""}`}
      style={{ left: `${left}px`, top: `${Math.max(0, top)}px` }}
      role="status"
    >
      <div class="chart-tooltip-time">{stepRangeText(time * 1000, model.stepMs)}</div>
      {rows.length === 0 && <div class="faint">no data in this step</div>}
      {rows.map(({ line, low, high, increase }) => (
        <div key={line.key} class="chart-tooltip-row">
          <span class="legend-swatch" style={{ background: line.color }} />
          <span class="chart-tooltip-label">
            <UserText text={line.label} />
          </span>
          <span class="chart-tooltip-value">
            {withBidiMarks(formatLineValue(model, line, idx, axis))}
            {increase !== null && (
              <span class="faint" data-increase>
                {" "}
                ({withBidiMarks(formatMetricValue(increase, model.unit))} in the step)
              </span>
            )}
            {high !== null && low !== null && (
              <span class="faint" data-band>
                {" "}
                (last; {withBidiMarks(formatMetricValue(low, model.unit))} –{" "}
                {withBidiMarks(formatMetricValue(high, model.unit))} in the step)
              </span>
            )}
          </span>
        </div>
      ))}
      {more > 0 && <div class="faint">and {more} more</div>}
      {model.chart === "rate" && rows.length > 0 && (
        <div class="faint chart-tooltip-note" data-testid="rate-note">
          {rateStepText(model.stepMs)}
        </div>
      )}
    </div>
  );
}

/** The metric's lines (uPlot), with a tooltip and exemplar dots that open their trace. */
export function LineChart(props: LineChartProps) {
  const { model, theme } = props;
  const [u, setU] = useState<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number; top: number } | null>(null);
  const [, setDrawn] = useState(0);
  const points = useMemo(() => exemplarPoints(model, props.exemplars), [model, props.exemplars]);

  const frame = useRef<ChartFrame>({ from: 0, to: 1, extraMin: null, extraMax: null, model: null });
  // The value axis holds the exemplars and the bands of the lines shown, besides the lines.
  const band = bandExtent(model.lines, props.visible);
  let extraMin: number | null = band?.min ?? null;
  let extraMax: number | null = band?.max ?? null;
  for (const p of points) {
    extraMin = extraMin === null ? p.y : Math.min(extraMin, p.y);
    extraMax = extraMax === null ? p.y : Math.max(extraMax, p.y);
  }
  frame.current = { from: props.fromMs / 1000, to: props.toMs / 1000, extraMin, extraMax, model };

  const key = buildKey(model, theme);
  const options = useMemo(
    () =>
      lineChartOptions(
        model,
        theme,
        () => frame.current,
        {
          onCursor: (idx, left, top) => setCursor(idx === null || left < 0 ? null : { idx, left, top }),
          onDraw: () => setDrawn((n) => n + 1),
        },
        props.compact === true,
      ),
    [key],
  );
  const data = useMemo(() => toAlignedData(model) as uPlot.AlignedData, [model]);

  return (
    <div class="line-chart">
      <UPlotChart
        options={options}
        data={data}
        height={props.height}
        autoRange={() => [frame.current.from, frame.current.to]}
        visible={props.visible}
        label={props.label}
        onZoom={props.onZoom}
        onDoubleClick={props.onDoubleClick}
        onChart={(chart) => {
          setU(chart);
          props.onChart?.(chart);
        }}
      />
      {u !== null &&
        createPortal(
          <>
            {points.map((point, i) =>
              point.line === null || props.visible[model.lines.indexOf(point.line)] !== false ? (
                <ExemplarDot
                  key={i}
                  point={point}
                  u={u}
                  unit={model.unit}
                  onOpen={() => props.onOpenTrace(point.exemplar)}
                />
              ) : null,
            )}
            {cursor !== null && <Tooltip model={model} u={u} visible={props.visible} {...cursor} />}
          </>,
          u.over,
        )}
    </div>
  );
}
