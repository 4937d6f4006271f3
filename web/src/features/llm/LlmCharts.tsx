import { createPortal } from "preact/compat";
import { useMemo, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { LlmGroupJson, LlmUsageResponse } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { formatCount, formatUsd } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColors } from "../../lib/service-color";
import { useServiceColorsVersion } from "../../lib/use-service-colors";
import { axisFont, fittedAxisSize, themedAxis, timeAxis, tooltipFlips, windowRange } from "../metrics/chart-options";
import { stepRangeText } from "../metrics/metric-chart-model";
import { UPlotChart } from "../metrics/UPlotChart";
import { type ChartTheme, useChartTheme } from "../metrics/use-chart-theme";
import {
  bucketRows,
  bucketText,
  chartXRange,
  type LlmChartModel,
  type LlmMeasure,
  type LlmSplit,
  llmChartModel,
  MEASURES,
  usdTickLabels,
} from "./llm-chart-model";

const formatMeasure = (measure: LlmMeasure, value: number) =>
  measure === "usd" ? formatUsd(value) : formatCount(value);

function colorOf(split: LlmSplit, key: string, index: number, theme: ChartTheme): string {
  if (key === "other") return theme.muted;
  return split === "byService"
    ? serviceColors.value(key)
    : (theme.palette[index % theme.palette.length] ?? theme.accent);
}

/** Calls, tokens or cost per time bucket, one chart per model and one per service; live with the page. */
export function LlmCharts(props: {
  timeline: LlmUsageResponse["timeline"];
  byModel: LlmGroupJson[];
  byService: LlmGroupJson[];
  /** What the charts draw (kept in the page's URL). */
  measure: LlmMeasure;
  onMeasure(measure: LlmMeasure): void;
}) {
  const { timeline, measure } = props;
  const theme = useChartTheme();
  if (timeline.buckets === 0) return null;
  return (
    <section class="llm-charts" data-testid="llm-charts">
      <div class="llm-charts-header">
        <h2>Over time</h2>
        <fieldset class="llm-measure" aria-label="Measure">
          {MEASURES.map((m) => (
            <button
              type="button"
              key={m.value}
              aria-pressed={measure === m.value}
              class={measure === m.value ? "active" : ""}
              onClick={() => props.onMeasure(m.value)}
            >
              {m.label}
            </button>
          ))}
        </fieldset>
        <span class="muted">{bucketText(timeline.stepMs)}</span>
      </div>
      <div class="llm-chart-row">
        <LlmChart
          title="By model"
          split="byModel"
          measure={measure}
          timeline={timeline}
          groups={props.byModel}
          theme={theme}
        />
        <LlmChart
          title="By service"
          split="byService"
          measure={measure}
          timeline={timeline}
          groups={props.byService}
          theme={theme}
        />
      </div>
    </section>
  );
}

function LlmChart(props: {
  title: string;
  split: LlmSplit;
  measure: LlmMeasure;
  timeline: LlmUsageResponse["timeline"];
  /** The answer's groups of the split: what is unknown of each line's cost. */
  groups: LlmGroupJson[];
  theme: ChartTheme;
}) {
  const { split, measure, theme } = props;
  // Lines by service are painted in colour values: the chart is drawn again when the server's
  // assignment changes them (it often comes after the first drawing), not only when the data does.
  useServiceColorsVersion();
  const model = useMemo(
    () => llmChartModel(props.timeline, split, measure, props.groups),
    [props.timeline, split, measure, props.groups],
  );
  const colors = model.lines.map((line, i) => colorOf(split, line.key, i, theme));
  const buildKey = `${measure}|${theme.text}|${model.lines.map((l, i) => `${l.key}:${colors[i]}`).join()}`;
  // The range the x scale reads when it resets: the buckets drawn now (the options are built less often).
  const range = useRef<[number, number]>([0, 1]);
  range.current = chartXRange(model);
  const [u, setU] = useState<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number; top: number } | null>(null);
  const options = useMemo(
    () =>
      chartOptions(
        model,
        colors,
        measure,
        theme,
        () => ({ from: range.current[0], to: range.current[1] }),
        (idx, left, top) => setCursor(idx === null || left < 0 ? null : { idx, left, top }),
      ),
    [buildKey],
  );
  const data = useMemo(() => [model.xs, ...model.lines.map((l) => l.values)] as uPlot.AlignedData, [model]);
  return (
    <div class="llm-chart" data-testid={`llm-chart-${split === "byModel" ? "model" : "service"}`}>
      <h3>{props.title}</h3>
      <UPlotChart
        options={options}
        data={data}
        height={180}
        autoRange={() => range.current}
        label={`${MEASURES.find((m) => m.value === measure)?.label} over time, a line per ${split === "byModel" ? "model" : "calling app"}`}
        onChart={setU}
      />
      {u !== null &&
        cursor !== null &&
        createPortal(<BucketTooltip model={model} colors={colors} measure={measure} u={u} {...cursor} />, u.over)}
      <ul class="llm-legend">
        {model.lines.map((line, i) => (
          <li key={line.key}>
            <span class="llm-swatch" style={{ background: colors[i] }} />
            <span class="llm-legend-key">
              <UserText text={clipText(line.key)} />
            </span>{" "}
            <span class="llm-legend-total">{line.totalText}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A bucket with nothing of the measure (a failed call costs $0 and may have no tokens, but it is a call). */
const NOTHING: Record<LlmMeasure, string> = { usd: "$0", tokens: "no tokens", calls: "no calls" };

/** What a hovered bucket held, per line: the charts draw sums per bucket, which only a tooltip tells exactly. */
function BucketTooltip(props: {
  model: LlmChartModel;
  colors: string[];
  measure: LlmMeasure;
  u: uPlot;
  idx: number;
  left: number;
  top: number;
}) {
  const { model, idx } = props;
  const start = model.xs[idx];
  if (start === undefined) return null;
  const { rows, more } = bucketRows(model, idx);
  const flip = tooltipFlips(props.u, props.left);
  return (
    <div
      class={`chart-tooltip llm-tooltip${flip ? " flip" : ""}`}
      style={{ left: `${props.left}px`, top: `${Math.max(0, props.top)}px` }}
      role="status"
    >
      <div class="muted">{stepRangeText(start * 1000, model.stepMs)}</div>
      {rows.length === 0 && <div class="muted">{NOTHING[props.measure]} in this bucket</div>}
      {rows.map((row) => (
        <div key={row.key} class="chart-tooltip-row">
          <span class="llm-swatch" style={{ background: props.colors[row.index] }} />
          <span class="chart-tooltip-label">
            <UserText text={clipText(row.key)} />
          </span>
          <span class="chart-tooltip-value">{row.text ?? formatMeasure(props.measure, row.value)}</span>
        </div>
      ))}
      {more > 0 && <div class="muted">and {more} more</div>}
    </div>
  );
}

function chartOptions(
  model: LlmChartModel,
  colors: string[],
  measure: LlmMeasure,
  theme: ChartTheme,
  window: () => { from: number; to: number },
  onCursor: (idx: number | null, left: number, top: number) => void,
): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    hooks: { setCursor: [(u) => onCursor(u.cursor.idx ?? null, u.cursor.left ?? -1, u.cursor.top ?? -1)] },
    padding: [10, 10, 0, 0],
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 5 } },
    scales: {
      x: { time: true, range: windowRange(window) },
      y: { range: (_u, _min, max) => [0, max === null || max <= 0 ? 1 : max * 1.1] },
    },
    axes: [
      timeAxis(theme),
      {
        ...themedAxis(theme),
        size: (u, values) => fittedAxisSize(u, values, axisFont(theme), 64),
        values: (_u, splits) => (measure === "usd" ? usdTickLabels(splits) : splits.map((v) => formatCount(v))),
      },
    ],
    series: [
      {},
      ...model.lines.map(
        (line, i): uPlot.Series => ({
          label: clipText(line.key),
          stroke: colors[i],
          width: 1.5,
          points: { show: model.xs.length < 3, size: 5, fill: colors[i] },
          value: (_u, v) => (v === null ? "–" : formatMeasure(measure, v)),
        }),
      ),
    ],
  };
}
