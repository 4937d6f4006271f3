import { createPortal } from "preact/compat";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { MetricUnit } from "../../../../src/domain/metric-units";
import type { MetricQueryResponse } from "../../../../src/protocol";
import { withBidiMarks } from "../../components/UserText";
import { formatCount } from "../../lib/format";
import { tooltipFlips } from "./chart-options";
import { bucketRangeText, HEATMAP_CAPTION, heatmapRowRange } from "./heatmap-model";
import { type HeatmapFrame, heatmapOptions } from "./heatmap-options";
import { stepRangeText } from "./metric-chart-model";
import { UPlotChart } from "./UPlotChart";
import type { ChartTheme } from "./use-chart-theme";

export interface HeatmapChartProps {
  response: MetricQueryResponse;
  unit: MetricUnit;
  theme: ChartTheme;
  height: number;
  /** The line chart's x range while it is zoomed, followed here; null when not zoomed. */
  zoom: { min: number; max: number } | null;
}

/** A distribution's buckets over time: one row per bucket, darker for more values. */
export function HeatmapChart({ response, unit, theme, height, zoom }: HeatmapChartProps) {
  const heatmap = response.heatmap;
  const rows = heatmap ? heatmapRowRange(heatmap.counts) : null;
  const [u, setU] = useState<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number; top: number } | null>(null);
  const frame = useRef<HeatmapFrame | null>(null);
  if (heatmap && rows) {
    frame.current = {
      times: response.times.map((ms) => ms / 1000),
      stepSec: response.stepMs / 1000,
      bounds: heatmap.bounds,
      counts: heatmap.counts,
      first: rows.first,
      last: rows.last,
      from: response.fromUnixMs / 1000,
      to: response.toUnixMs / 1000,
    };
  }
  const options = useMemo(
    () =>
      heatmapOptions(
        unit,
        theme,
        () => frame.current as HeatmapFrame,
        (idx, left, top) => setCursor(idx === null || left < 0 ? null : { idx, left, top }),
      ),
    [unit.raw, theme],
  );
  const data = useMemo(
    () => [response.times.map((ms) => ms / 1000), response.times.map(() => 0)] as uPlot.AlignedData,
    [response],
  );

  useEffect(() => {
    if (!u) return;
    if (zoom) u.setScale("x", zoom);
    else if (frame.current) u.setScale("x", { min: frame.current.from, max: frame.current.to });
  }, [u, zoom?.min, zoom?.max]);

  if (!heatmap || !rows || !frame.current) return null;
  const f = frame.current;
  let tip = null;
  if (u && cursor) {
    const bucket = Math.floor(u.posToVal(cursor.top, "y"));
    const count = heatmap.counts[cursor.idx]?.[bucket] ?? 0;
    const time = f.times[cursor.idx];
    if (bucket >= f.first && bucket <= f.last && time !== undefined) {
      const flip = tooltipFlips(u, cursor.left);
      tip = (
        <div
          class={`chart-tooltip${flip ? " flip" : ""}`}
          style={{ left: `${cursor.left}px`, top: `${cursor.top}px` }}
          role="status"
        >
          <div class="chart-tooltip-time">{stepRangeText(time * 1000, response.stepMs)}</div>
          <div>
            {formatCount(count)} value{count === 1 ? "" : "s"} in{" "}
            {withBidiMarks(bucketRangeText(bucket, heatmap.bounds, unit))}
          </div>
        </div>
      );
    }
  }
  return (
    <div class="heatmap-chart" data-testid="metric-heatmap">
      <div class="chart-caption muted">{HEATMAP_CAPTION}</div>
      <UPlotChart
        options={options}
        data={data}
        height={height}
        autoRange={() => [f.from, f.to]}
        label="Heatmap of the distribution's buckets over time"
        onChart={setU}
      />
      {u !== null && tip !== null && createPortal(tip, u.over)}
    </div>
  );
}
