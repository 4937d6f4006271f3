/**
 * uPlot options for a distribution's heatmap: time across, one row per bucket (equal heights, labelled
 * with the bucket bounds), each cell coloured by how many values the step put in that bucket. The cells
 * are drawn by a draw hook, uPlot's way to add a custom layer, on uPlot's own scales and canvas.
 */
import type uPlot from "uplot";
import type { MetricUnit } from "../../../../src/domain/metric-units";
import { showBidiControls } from "../../lib/bidi-controls";
import { CURSOR_SYNC_KEY, themedAxis, timeAxis, valueAxisSize, windowRange } from "./chart-options";
import { bucketColor, heatmapBoundaries, heatmapBoundaryLabels, heatmapMax } from "./heatmap-model";
import type { ChartTheme } from "./use-chart-theme";

export interface HeatmapFrame {
  /** Unix seconds of each step, and the step's length in seconds. */
  times: readonly number[];
  stepSec: number;
  bounds: readonly number[];
  counts: readonly (readonly number[])[];
  /** The bucket rows shown (the ones that ever hold a value). */
  first: number;
  last: number;
  from: number;
  to: number;
}

function drawCells(u: uPlot, frame: HeatmapFrame, theme: ChartTheme): void {
  const { ctx, bbox } = u;
  const max = heatmapMax(frame.counts);
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (let i = 0; i < frame.times.length; i++) {
    const step = frame.counts[i];
    if (!step) continue;
    const t = frame.times[i] as number;
    const x0 = u.valToPos(t, "x", true);
    const x1 = u.valToPos(t + frame.stepSec, "x", true);
    if (x1 < bbox.left || x0 > bbox.left + bbox.width) continue;
    for (let b = frame.first; b <= frame.last; b++) {
      const color = bucketColor(step[b] ?? 0, max, theme.heatLow, theme.heatHigh);
      if (color === null) continue;
      const yBottom = u.valToPos(b, "y", true);
      const yTop = u.valToPos(b + 1, "y", true);
      ctx.fillStyle = color;
      // A hairline between cells keeps neighbouring steps and buckets apart.
      ctx.fillRect(x0, yTop, Math.max(1, x1 - x0 - 1), Math.max(1, yBottom - yTop - 1));
    }
  }
  ctx.restore();
}

export function heatmapOptions(
  unit: MetricUnit,
  theme: ChartTheme,
  frame: () => HeatmapFrame,
  onCursor: (idx: number | null, left: number, top: number) => void,
): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    padding: [6, 12, 0, 0],
    cursor: {
      sync: { key: CURSOR_SYNC_KEY },
      drag: { x: false, y: false, setScale: false },
      // It follows the line chart's zoom; a double-click here must not undo it on this chart alone.
      bind: { dblclick: () => null },
      points: { show: false },
      y: true,
    },
    scales: {
      x: { time: true, range: windowRange(frame) },
      y: { range: () => [frame().first, frame().last + 1] },
    },
    axes: [
      timeAxis(theme),
      {
        ...themedAxis(theme),
        grid: { show: false },
        splits: (u) => {
          const f = frame();
          return heatmapBoundaries(f.first, f.last, u.bbox.height / (devicePixelRatio || 1), f.bounds.length);
        },
        // Labels in the app's unit, drawn on the canvas: its controls as marks.
        values: (_u, splits) => heatmapBoundaryLabels(splits, frame().bounds, unit).map(showBidiControls),
        // Wide enough for bounds that need many digits to read apart (12.499999 – 12.500007).
        size: valueAxisSize,
      },
    ],
    // A series only so that uPlot keeps the steps; the cells are drawn by the hook below.
    series: [{}, { label: "values", paths: () => null, points: { show: false } }],
    hooks: {
      draw: [(u) => drawCells(u, frame(), theme)],
      setCursor: [(u) => onCursor(u.cursor.idx ?? null, u.cursor.left ?? -1, u.cursor.top ?? -1)],
    },
  };
}
