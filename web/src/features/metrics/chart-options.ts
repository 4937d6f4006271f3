/** uPlot options for the Metrics page's charts, from the pure models and the theme's resolved colours. */
import type uPlot from "uplot";
import { axisTicks, axisTitle, type MetricUnit, tickLabels } from "../../../../src/domain/metric-units";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatClock, timeTickLabels } from "../../lib/format";
import { type ChartModel, isolatedPoints, valueRuns, yRange } from "./metric-chart-model";
import type { ChartTheme } from "./use-chart-theme";

/** What the charts read at draw time, so a refetch never needs new options. */
export interface ChartFrame {
  /** The window asked for, unix seconds: the x axis spans it unless zoomed. */
  from: number;
  to: number;
  /** Values drawn besides the lines (exemplars), so the value axis includes them. */
  extraMin: number | null;
  extraMax: number | null;
  /** The model drawn now (its bands are drawn from it). */
  model: ChartModel | null;
}

export const CURSOR_SYNC_KEY = "metrics-page";

/**
 * The x scale's range: the window asked for, unless the chart is zoomed. uPlot asks with the data's own
 * extent when it resets (new data, double-click) and with the chosen range when zooming.
 */
export function windowRange(window: () => { from: number; to: number }): uPlot.Scale.Range {
  return (u, min, max) => {
    const xs = u.data[0] ?? [];
    // With one point uPlot's own extent is that point and a day of its milliseconds: 1,000 days of seconds.
    const auto =
      xs.length === 0 ||
      min === null ||
      max === null ||
      (min === xs[0] && (max === xs[xs.length - 1] || xs.length === 1));
    if (!auto) return [min, max];
    const { from, to } = window();
    return [from, to];
  };
}

/** Value axes are at least this wide, so charts stacked one above the other line up. */
export const VALUE_AXIS_WIDTH = 72;

export function axisFont(theme: ChartTheme): string {
  return `11px ${theme.font}`;
}

/**
 * A value axis' width for its labels as drawn (`font`, the axis' own): the widest label, the tick and
 * uPlot's gap beside them, never under `minimum`. A fixed width cut cheap costs' long labels
 * ("$0.000010") at the chart's left edge.
 */
export function fittedAxisSize(u: uPlot, values: readonly unknown[] | null, font: string, minimum: number): number {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = font;
  let widest = 0;
  for (const value of values ?? []) widest = Math.max(widest, ctx.measureText(String(value ?? "")).width);
  ctx.restore();
  // The tick (4 px), uPlot's gap between tick and label (5 px), and a little room at the edge.
  return Math.max(minimum, Math.ceil(widest + 4 + 5 + 4));
}

/** An axis in the app's colours: labels, grid and ticks. */
export function themedAxis(theme: ChartTheme): uPlot.Axis {
  return {
    stroke: theme.muted,
    font: axisFont(theme),
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
  };
}

/**
 * Tick labels that fit inside a chart `chartWidth` px wide, each centred on its tick (`centres`, px
 * from the chart's left): one that would cross an edge is left out (null), its tick and grid line
 * stay. uPlot centres every label on its tick, so a tick near the right edge (a window ending on a
 * whole minute) had its label cut in half. A date line ("Dec 4") of a label left out moves to the
 * next label shown, so the axis still says the day.
 */
export function labelsInside(
  labels: readonly (string | null)[],
  centres: readonly number[],
  chartWidth: number,
  textWidth: (text: string) => number,
): (string | null)[] {
  const out: (string | null)[] = [];
  let date: string | null = null;
  labels.forEach((original, i) => {
    let label = original;
    if (label !== null && date !== null && !label.includes("\n")) label = `${label}\n${date}`;
    const centre = centres[i];
    if (label === null || centre === undefined) {
      out.push(label);
      return;
    }
    const lines = label.split("\n");
    const half = Math.max(...lines.map(textWidth)) / 2;
    // A pixel of slack each side: a label's ink can run past its measured width by a fraction.
    if (centre - half < 1 || centre + half > chartWidth - 1) {
      out.push(null);
      date = lines[1] ?? date;
    } else {
      out.push(label);
      date = null;
    }
  });
  return out;
}

/** `labelsInside` for a uPlot x axis at draw time: its ticks' places and its font's widths. */
function fitTimeLabels(
  u: uPlot,
  splits: readonly number[],
  labels: readonly string[],
  font: string,
): (string | null)[] {
  const plotLeft = u.bbox.left / uPlotRatio();
  const centres = splits.map((t) => plotLeft + u.valToPos(t, "x"));
  const { ctx } = u;
  ctx.save();
  ctx.font = font;
  try {
    return labelsInside(labels, centres, u.width, (text) => ctx.measureText(text).width);
  } finally {
    ctx.restore();
  }
}

/** A time axis in the app's 24-hour clock, the date under the first tick and where the day changes. */
export function timeAxis(theme: ChartTheme): uPlot.Axis {
  return {
    ...themedAxis(theme),
    // Room for the widest label, "14:03:07.25".
    space: 84,
    values: (u, splits, _axis, _space, increment) =>
      fitTimeLabels(u, splits, timeTickLabels(splits, increment), axisFont(theme)),
  };
}

/**
 * A time axis for a small chart: one row of `hh:mm` (`hh:mm:ss` under a minute between ticks), far
 * enough apart to read; uPlot's own second row of dates runs into itself at that width.
 */
export function compactTimeAxis(theme: ChartTheme): uPlot.Axis {
  return {
    ...themedAxis(theme),
    space: 70,
    size: 28,
    values: (u, splits, _axis, _space, increment) =>
      fitTimeLabels(
        u,
        splits,
        splits.map((t) => formatClock(t * 1000).slice(0, increment < 60 ? 8 : 5)),
        axisFont(theme),
      ),
  };
}

/** A value axis' width: `VALUE_AXIS_WIDTH`, or what its longest label needs. */
export function valueAxisSize(_u: uPlot, values: readonly unknown[] | null): number {
  let longest = 0;
  for (const v of values ?? []) longest = Math.max(longest, String(v).length);
  return Math.max(VALUE_AXIS_WIDTH, Math.ceil(longest * 6.6 + 14));
}

/** A value axis whose ticks sit at round numbers of the unit (ms, KiB, %) and wide enough for its labels. */
function valueAxis(theme: ChartTheme, unit: MetricUnit, perSecond: boolean): uPlot.Axis {
  // The unit is the app's text, drawn on the canvas: its controls as marks.
  const title = showBidiControls(axisTitle(unit, perSecond));
  return {
    ...themedAxis(theme),
    splits: (u, _axis, min, max) =>
      // At least three: a small chart's 0 and 1,000 alone say little of what lies between.
      axisTicks(min, max, unit, Math.max(3, Math.floor(u.bbox.height / uPlotRatio() / 40))).values,
    values: (_u, splits) => tickLabels(splits, unit, perSecond).map(showBidiControls),
    size: valueAxisSize,
    ...(title === "" ? {} : { label: title, labelSize: 18, labelFont: axisFont(theme) }),
  };
}

function uPlotRatio(): number {
  return typeof devicePixelRatio === "number" && devicePixelRatio > 0 ? devicePixelRatio : 1;
}

/** Whether a tooltip at `left` (plot pixels) opens to the cursor's left: past the plot's middle. */
export function tooltipFlips(u: uPlot, left: number): boolean {
  return left > u.bbox.width / uPlotRatio() / 2;
}

export interface LineChartHooks {
  /** The cursor moved: the hovered step (null when the cursor left) and where, in plot pixels. */
  onCursor(idx: number | null, left: number, top: number): void;
  /** The chart drew (zoom, resize, new data): overlays re-place themselves. */
  onDraw(u: uPlot): void;
}

/**
 * Past this many lines a chart draws them 1 px wide rather than 1.5: a dense chart reads better with
 * thin lines, and a canvas drawn without a GPU strokes 200 lines 1.5 px wide ~10× slower (~45 ms
 * against ~4 ms measured in Chromium), the most a large chart cost to draw.
 */
export const THIN_LINES_FROM = 9;

/**
 * A line as runs of consecutive values, never across a step without one. uPlot's own builder draws the
 * whole line and clips the gaps away, and a canvas drawn without a GPU clips slowly: 200 lines with a
 * gap every few steps took ~110-200 ms to rasterize that way, ~4 ms as runs. Values with a gap on both
 * sides are left to the series' points (`isolatedPoints`), as uPlot's clipping left them.
 */
export const lineRuns: uPlot.Series.PathBuilder = (u, seriesIdx, idx0, idx1) => {
  const xs = stepPixels(u);
  const ys = u.data[seriesIdx] ?? [];
  const scale = u.series[seriesIdx]?.scale ?? "y";
  const stroke = new Path2D();
  for (const [first, last] of valueRuns(ys, idx0, idx1)) {
    for (let i = first; i <= last; i++) {
      const x = xs[i] as number;
      const y = Math.round(u.valToPos(ys[i] as number, scale, true));
      if (i === first) stroke.moveTo(x, y);
      else stroke.lineTo(x, y);
    }
  }
  return { stroke, fill: null, clip: null };
};

/** Canvas x of each step, as the last draw of a chart placed them. */
interface StepPixels {
  times: uPlot.AlignedData[0];
  min: number | undefined;
  max: number | undefined;
  left: number;
  width: number;
  pixels: Float64Array;
}

const stepPixelsOf = new WeakMap<uPlot, StepPixels>();

/**
 * The canvas x of every step, worked out once per draw for all of a chart's lines (they share their
 * steps): 200 lines of 120 steps asked uPlot for 24,000 x positions, in code not yet optimized on a
 * page's first draw.
 */
function stepPixels(u: uPlot): Float64Array {
  const times = u.data[0];
  const { min, max } = u.scales.x ?? {};
  const { left, width } = u.bbox;
  const known = stepPixelsOf.get(u);
  if (
    known !== undefined &&
    known.times === times &&
    known.min === min &&
    known.max === max &&
    known.left === left &&
    known.width === width
  )
    return known.pixels;
  const pixels = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) pixels[i] = Math.round(u.valToPos(times[i] as number, "x", true));
  stepPixelsOf.set(u, { times, min, max, left, width, pixels });
  return pixels;
}

/**
 * The values of a line with a gap on both sides (drawn as points), or null when it has none: uPlot then
 * skips the line's points altogether, rather than building and clipping an empty path per line.
 */
export function isolatedPointsFilter(u: uPlot, seriesIdx: number): number[] | null {
  const isolated = isolatedPoints(u.data[seriesIdx] as (number | null)[]);
  return isolated.length === 0 ? null : isolated;
}

/** How opaque a line's band of each step's least to greatest value is drawn, behind the line. */
const BAND_ALPHA = 0.22;

/**
 * Each banded line's least-to-greatest value per step, as a bar one step wide centred on the step's
 * point (the band says what the step held, the line where it ended). Drawn under the lines.
 */
function drawBands(u: uPlot, model: ChartModel | null): void {
  if (model === null) return;
  const { ctx } = u;
  const stepSec = model.stepMs / 1000;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  ctx.globalAlpha = BAND_ALPHA;
  model.lines.forEach((line, k) => {
    const band = line.band;
    if (band === null || u.series[k + 1]?.show === false) return;
    ctx.fillStyle = line.color;
    for (let i = 0; i < model.times.length; i++) {
      const lo = band.min[i];
      const hi = band.max[i];
      if (lo === null || hi === null || lo === undefined || hi === undefined) continue;
      const t = model.times[i] as number;
      const x0 = u.valToPos(t - stepSec / 2, "x", true);
      const x1 = u.valToPos(t + stepSec / 2, "x", true);
      const y0 = u.valToPos(hi, "y", true);
      const y1 = u.valToPos(lo, "y", true);
      // At least 2 px high: a step that held one value still shows where it was.
      ctx.fillRect(x0, Math.min(y0, y1 - 2), Math.max(1, x1 - x0 - 1), Math.max(2, y1 - y0));
    }
  });
  ctx.restore();
}

/** Options for the line chart of a model (everything but its size). */
export function lineChartOptions(
  model: ChartModel,
  theme: ChartTheme,
  frame: () => ChartFrame,
  hooks: LineChartHooks,
  compact = false,
): Omit<uPlot.Options, "width" | "height"> {
  const width = model.lines.length >= THIN_LINES_FROM ? 1 : 1.5;
  return {
    legend: { show: false },
    padding: [12, 12, 0, 0],
    cursor: {
      sync: { key: CURSOR_SYNC_KEY },
      drag: { x: true, y: false, setScale: true },
      // Past eight lines, the cursor marks the nearest line alone: uPlot otherwise makes, places and
      // moves a marker element per line (200 of them on a chart of 200 series, made with the chart).
      points: { size: 6, one: model.lines.length >= THIN_LINES_FROM },
      focus: { prox: 24 },
    },
    focus: { alpha: 0.35 },
    scales: {
      x: { time: true, range: windowRange(frame) },
      y: {
        range: (_u, min, max) => {
          const { extraMin, extraMax } = frame();
          const lo = extraMin === null ? min : min === null ? extraMin : Math.min(min, extraMin);
          const hi = extraMax === null ? max : max === null ? extraMax : Math.max(max, extraMax);
          return yRange(lo, hi);
        },
      },
    },
    axes: [compact ? compactTimeAxis(theme) : timeAxis(theme), valueAxis(theme, model.unit, model.perSecond)],
    series: [
      {},
      ...model.lines.map(
        (line): uPlot.Series => ({
          label: showBidiControls(line.label),
          stroke: line.color,
          width,
          ...(line.dash ? { dash: line.dash } : {}),
          spanGaps: false,
          paths: lineRuns,
          points: {
            // Only values with a gap on both sides: a line cannot show them.
            show: false,
            size: 5,
            fill: line.color,
            filter: isolatedPointsFilter,
          },
        }),
      ),
    ],
    hooks: {
      setCursor: [(u) => hooks.onCursor(u.cursor.idx ?? null, u.cursor.left ?? -1, u.cursor.top ?? -1)],
      draw: [(u) => hooks.onDraw(u)],
      ...(model.lines.some((line) => line.band !== null)
        ? { drawAxes: [(u: uPlot) => drawBands(u, frame().model)] }
        : {}),
    },
  };
}
