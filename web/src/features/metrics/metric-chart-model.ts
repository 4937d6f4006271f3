/**
 * A metric query's answer → the lines a chart draws (which statistic, label, colour), the aligned arrays
 * uPlot takes, and where exemplars sit. Pure: colours come in as a resolved palette and, for lines that
 * stand for one service, as the service colours every page draws them in.
 */

import { type MetricUnit, metricUnit } from "../../../../src/domain/metric-units";
import type {
  AttrValue,
  MetricChart,
  MetricExemplarJson,
  MetricQueryResponse,
  MetricSeriesJson,
} from "../../../../src/protocol";
import { compareText, formatAbsolute, formatDuration } from "../../lib/format";
import { parseColor } from "./heatmap-model";

export interface ChartLine {
  /** Stable across refetches: the group's label and the statistic. */
  key: string;
  /** The legend's text: for display only, it is shortened by what the chart's other series share. */
  label: string;
  /**
   * What the page's URL names the line by (a hidden line, `hide=`): its group's whole label, or its
   * statistic when it is its series' only way to be told apart. Unlike the label it does not change
   * when another series arrives or the window changes, so a link keeps hiding the same lines.
   */
  name: string;
  /** The group's label as the server gave it ("" when ungrouped and alone). */
  group: string;
  /**
   * The service this line stands for: its group's `service.name` (grouped by it, or ungrouped over
   * several services), or the service the query is filtered to when the grouping is not by something
   * else; null otherwise.
   */
  service: string | null;
  /** "rate", "value", "mean", "p50", "p95", "p99", or a summary's quantile ("0.99"). */
  stat: string;
  values: (number | null)[];
  color: string;
  /** A dash pattern for the minor percentile lines, null for solid. */
  dash: number[] | null;
  /**
   * A gauge's "value" line whose steps held more than their last value: the least and greatest value
   * of each step (drawn as a band behind the line), else null.
   */
  band: { min: (number | null)[]; max: (number | null)[] } | null;
  /**
   * A rate line: what the group grew by in each step (the API's `increases`), else null. Not the rate
   * times the step: a step the points cover only partly has its rate over the part covered.
   */
  increases: (number | null)[] | null;
  /**
   * A percentile line: per step, true when its value is only a lower bound (it fell in an open last
   * bucket that no max closes; the API's `atLeast`), else null.
   */
  atLeast: boolean[] | null;
}

export interface ChartModel {
  /** How this chart is drawn (a TraceKit distribution read as values says "value"). */
  chart: MetricChart;
  unit: MetricUnit;
  /** Values are per second (counter rates). */
  perSecond: boolean;
  /** The start of each step, unix seconds (uPlot's x), and the steps' length in ms. */
  times: number[];
  stepMs: number;
  lines: ChartLine[];
  /** The statistics one line per group can show, when there are several groups; else empty. */
  statChoices: string[];
  /** The statistic drawn per group when there are several groups. */
  stat: string | null;
  /**
   * The attributes every series has alike ("http.request.method=GET, url.scheme=http"), left out of
   * each line's label so the ones that tell the lines apart show; "" when none are left out.
   */
  shared: string;
}

export const PERCENTILES = ["p50", "p95", "p99"] as const;

/** The newest value of a line or series (the last step that has one), or null when it has none. */
export function lastValue(values: readonly (number | null | undefined)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

/** The index of the newest finite value of `values`, or -1. */
export function lastIndex(values: readonly (number | null | undefined)[]): number {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (typeof value === "number" && Number.isFinite(value)) return i;
  }
  return -1;
}

/** The quantile key of a summary as a person reads it: "0.5" → "p50", "0" → "min", "1" → "max". */
export function quantileLabel(key: string): string {
  const q = Number(key);
  if (q === 0) return "min";
  if (q === 1) return "max";
  return Number.isFinite(q) ? `p${trimNumber(q * 100)}` : key;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export function statLabel(stat: string): string {
  if (stat === "mean") return "mean";
  if (/^p\d/.test(stat) || stat === "rate" || stat === "value") return stat;
  return quantileLabel(stat);
}

/**
 * The group's label as shown: "" is the series without the grouping attribute, or all of them (no
 * grouping, or `*`: every series in one group, not the series without an attribute named "*").
 * Ungrouped beside other series, "" is one series among them, the one recorded without attributes:
 * "all" there would read as the total of the others.
 */
export function groupLabel(label: string, groupBy: string | null, several = false): string {
  if (label !== "") return label;
  if (groupBy === "*") return "all series";
  if (groupBy) return `no ${groupBy}`;
  return several ? "no attributes" : "all";
}

/**
 * A group's name in the URL: its label as the legend names it with nothing left out, and the series
 * without attributes "no attributes" whether or not others are beside it (the legend says "all" when
 * it is alone, which a URL would lose when a second series arrives).
 */
export function groupName(label: string, groupBy: string | null): string {
  return groupLabel(label, groupBy, true);
}

/** The URL name links made before lines had names of their own gave the series without attributes. */
export const OLD_NO_ATTRIBUTES_NAME = "all";

/** An attribute as the server's series labels write it: text as it is, anything else as JSON. */
function attributePair(key: string, value: AttrValue): string {
  return `${key}=${typeof value === "string" ? value : JSON.stringify(value ?? null)}`;
}

/**
 * The labels of ungrouped series without the attributes they all share: the server's labels join
 * every attribute, and SDK metrics carry many alike (method, protocol version, scheme), so a legend
 * cut to its width read "http.request.method=GET, http.response.status…" on every line. A series
 * whose attributes are all shared is named by what it lacks ("no http.response.status_code"), as
 * groupLabel names a group without the attribute: its whole label under "all with" that label would
 * read as the total of the others. All keep their whole labels when two would read the same.
 */
export function distinctSeriesLabels(
  series: readonly Pick<MetricSeriesJson, "label" | "attributes">[],
  groupBy: string | null,
): { labels: string[]; shared: string } {
  const whole = { labels: series.map((s) => s.label), shared: "" };
  if (groupBy !== null || series.length < 2) return whole;
  const pairsOf = series.map((s) =>
    Object.keys(s.attributes)
      .sort()
      .map((key) => attributePair(key, s.attributes[key] as AttrValue)),
  );
  const [first, ...rest] = pairsOf as [string[], ...string[][]];
  const common = first.filter((pair) => rest.every((pairs) => pairs.includes(pair)));
  if (common.length === 0) return whole;
  const keysOf = series.map((s) => Object.keys(s.attributes));
  const labels = pairsOf.map((pairs, i) => {
    const own = pairs.filter((pair) => !common.includes(pair));
    if (own.length > 0) return own.join(", ");
    const mine = keysOf[i] ?? [];
    const lacking = [...new Set(keysOf.flat())].filter((key) => !mine.includes(key)).sort();
    return lacking.length === 0 ? (series[i]?.label ?? "") : lacking.map((key) => `no ${key}`).join(", ");
  });
  if (new Set(labels).size !== labels.length) return whole;
  return { labels, shared: common.join(", ") };
}

/** Exactly one value per step, and only finite numbers (anything else is a gap). */
export function alignValues(values: readonly (number | null)[] | undefined, length: number): (number | null)[] {
  const out: (number | null)[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const v = values?.[i];
    out[i] = typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  return out;
}

/** Exactly one flag per step: true only where `flags` says so. */
function alignFlags(flags: readonly boolean[] | undefined, length: number): boolean[] {
  return Array.from({ length }, (_, i) => flags?.[i] === true);
}

function quantileKeys(series: readonly MetricSeriesJson[]): string[] {
  const keys = new Set<string>();
  for (const s of series) for (const key of Object.keys(s.quantiles ?? {})) keys.add(key);
  return [...keys].sort((a, b) => Number(a) - Number(b));
}

function closestKey(keys: readonly string[], target: number): string | null {
  let best: string | null = null;
  for (const key of keys)
    if (best === null || Math.abs(Number(key) - target) < Math.abs(Number(best) - target)) best = key;
  return best;
}

function statValues(series: MetricSeriesJson, stat: string): readonly (number | null)[] | undefined {
  if (stat === "p50" || stat === "p95" || stat === "p99") return series[stat];
  if (stat === "mean" || stat === "rate" || stat === "value") return series.values;
  return series.quantiles?.[stat];
}

export interface ChartOptions {
  /** The statistic per group for distributions and summaries with several groups (from the URL). */
  stat?: string;
  /** Line colours, in order; reused round-robin past the end. */
  palette: readonly string[];
  /** The service the query is filtered to (the page's service filter). */
  service?: string;
  /**
   * A service's colour, as every page draws it. Given, lines that stand for one service each are drawn
   * in it (shades of it for a service's second and third line); else the palette.
   */
  serviceColor?: (service: string) => string;
}

/** More lines than this for one service, and the chart keeps the palette: shades would blur together. */
export const MAX_SERVICE_SHADES = 3;

/**
 * The service a series stands for: its `service.name` (what it is grouped by, or one of its attributes
 * when ungrouped over several services), else the query's service filter unless the series are grouped
 * by another attribute.
 */
function seriesService(series: MetricSeriesJson, groupBy: string | null, filter: string | undefined): string | null {
  const name = series.attributes["service.name"];
  if (typeof name === "string") return name;
  if (groupBy !== null && groupBy !== "*" && groupBy !== "service.name") return null;
  return filter ?? null;
}

/**
 * The `n`th line of one service: its colour, then a lighter and a darker shade of it (a different hue
 * would read as another service). Colours it cannot read are returned as they are.
 */
export function serviceShade(color: string, n: number): string {
  if (n === 0) return color;
  const rgb = parseColor(color) ?? hslToRgb(color);
  if (rgb === null) return color;
  const [toward, amount] = n % 2 === 1 ? [255, 0.45] : [0, 0.4];
  const mix = rgb.map((c) => Math.round(c + (toward - c) * amount));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

/** "hsl(h s% l%)" (the service colours past the palette) → its channels, else null. */
function hslToRgb(css: string): [number, number, number] | null {
  const m = /^hsla?\(\s*([\d.]+)(?:deg)?[\s,]+([\d.]+)%[\s,]+([\d.]+)%/i.exec(css.trim());
  if (!m) return null;
  const h = Number(m[1]) % 360;
  const s = Number(m[2]) / 100;
  const l = Number(m[3]) / 100;
  const a = s * Math.min(l, 1 - l);
  const f = (k: number) => {
    const t = (k + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1))));
  };
  return [f(0), f(8), f(4)];
}

/**
 * Each line's colour: the service's (and its shades) when every line stands for a service and none has
 * more than MAX_SERVICE_SHADES lines, so a service looks the same here as on every other page; else
 * the palette by position.
 */
function lineColors(lines: readonly { service: string | null }[], options: ChartOptions): string[] {
  const byPosition = (i: number) => options.palette[i % Math.max(1, options.palette.length)] ?? "#888";
  const serviceColor = options.serviceColor;
  const counts = new Map<string, number>();
  for (const line of lines) if (line.service !== null) counts.set(line.service, (counts.get(line.service) ?? 0) + 1);
  const byService =
    serviceColor !== undefined &&
    lines.length > 0 &&
    lines.every((line) => line.service !== null) &&
    [...counts.values()].every((n) => n <= MAX_SERVICE_SHADES);
  if (!byService) return lines.map((_, i) => byPosition(i));
  const seen = new Map<string, number>();
  return lines.map((line) => {
    const service = line.service as string;
    const n = seen.get(service) ?? 0;
    seen.set(service, n + 1);
    return serviceShade(serviceColor(service), n);
  });
}

const MINOR_DASH = [4, 3];

export function buildChartModel(response: MetricQueryResponse, options: ChartOptions): ChartModel {
  // An answer that carries one statistic per group is drawn with it (another one chosen since is on its way).
  const wanted = response.stat ?? options.stat;
  const metric = response.metric;
  // The answer says which of the metric's charts its series are for.
  const chart: MetricChart = response.chart ?? metric.chart;
  const length = response.times.length;
  const series = [...response.series].sort((a, b) => compareText(a.label, b.label));
  const several = series.length > 1;
  let stats: string[];
  let statChoices: string[] = [];
  let stat: string | null = null;
  if (chart === "distribution") {
    statChoices = several ? [...PERCENTILES, "mean"] : [];
    stat = several ? (statChoices.includes(wanted ?? "") ? (wanted as string) : "p95") : null;
    stats = stat === null ? [...PERCENTILES] : [stat];
  } else if (chart === "quantiles") {
    const keys = quantileKeys(series);
    statChoices = several ? keys : [];
    stat = several ? (keys.includes(options.stat ?? "") ? (options.stat as string) : closestKey(keys, 0.95)) : null;
    stats = stat === null ? keys : [stat];
  } else {
    stats = [chart];
  }
  const lines: ChartLine[] = [];
  const distinct = distinctSeriesLabels(series, response.groupBy);
  for (const [seriesIndex, s] of series.entries()) {
    const seriesLabel = distinct.labels[seriesIndex] ?? s.label;
    const service = seriesService(s, response.groupBy, options.service);
    for (const st of stats) {
      const index = lines.length;
      const alone = !several;
      lines.push({
        key: `${s.label}\u0000${st}`,
        label: alone && stats.length > 1 ? statLabel(st) : groupLabel(seriesLabel, response.groupBy, several),
        name: alone && stats.length > 1 ? statLabel(st) : groupName(s.label, response.groupBy),
        group: s.label,
        service,
        stat: st,
        values: alignValues(statValues(s, st), length),
        color: "",
        dash: alone && stats.length > 1 && index < stats.length - 1 && chart === "distribution" ? MINOR_DASH : null,
        band:
          chart === "value" && s.min !== undefined && s.max !== undefined
            ? { min: alignValues(s.min, length), max: alignValues(s.max, length) }
            : null,
        increases: chart === "rate" ? alignValues(s.increases, length) : null,
        atLeast:
          (st === "p50" || st === "p95" || st === "p99") && s.atLeast?.[st] !== undefined
            ? alignFlags(s.atLeast[st], length)
            : null,
      });
    }
  }
  const colors = lineColors(lines, options);
  lines.forEach((line, i) => {
    line.color = colors[i] as string;
  });
  return {
    chart,
    unit: metricUnit(metric.name, metric.unit, chartValues(lines)),
    perSecond: chart === "rate",
    times: response.times.map((ms) => ms / 1000),
    stepMs: response.stepMs,
    lines,
    statChoices,
    stat,
    shared: distinct.shared,
  };
}

/** Every value the lines draw, their bands' included: what the unit's reading is checked against. */
function* chartValues(lines: readonly ChartLine[]): Generator<number | null> {
  for (const line of lines) {
    yield* line.values;
    if (line.band !== null) {
      yield* line.band.min;
      yield* line.band.max;
    }
  }
}

/** uPlot's aligned data: x, then one array per line. */
export function toAlignedData(model: ChartModel): [number[], ...(number | null)[][]] {
  return [model.times, ...model.lines.map((line) => line.values)];
}

/** Indices of values with a gap on both sides: a line cannot show them, so they are drawn as points. */
export function isolatedPoints(values: readonly (number | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) continue;
    if ((values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null) out.push(i);
  }
  return out;
}

/** The runs of consecutive values in `values[from … to]`, as inclusive index pairs: what a line is drawn along. */
export function valueRuns(values: ArrayLike<number | null | undefined>, from: number, to: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = from; i <= to + 1; i++) {
    const value = i <= to ? values[i] : null;
    if (value !== null && value !== undefined) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  return runs;
}

/** The step index holding time `sec` (unix seconds), or -1 outside the steps. */
export function stepIndex(times: readonly number[], sec: number): number {
  if (times.length === 0 || sec < (times[0] as number)) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((times[mid] as number) <= sec) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ExemplarPoint {
  /** Unix seconds. */
  x: number;
  y: number;
  exemplar: MetricExemplarJson;
  /** The line it belongs to, when it is drawn. */
  line: ChartLine | null;
}

/**
 * Where each exemplar sits: at its own value, except on a rate chart, where a measurement is not a rate:
 * there it sits on its series' line at its step.
 */
export function exemplarPoints(model: ChartModel, exemplars: readonly MetricExemplarJson[]): ExemplarPoint[] {
  const points: ExemplarPoint[] = [];
  for (const exemplar of exemplars) {
    const x = Number(exemplar.timeUnixNano.length > 6 ? exemplar.timeUnixNano.slice(0, -6) : "0") / 1000;
    let candidates = model.lines.filter((l) => l.group === exemplar.seriesLabel);
    if (candidates.length === 0 && model.lines.every((l) => l.group === model.lines[0]?.group))
      candidates = model.lines;
    const line = candidates.find((l) => l.stat === "p95") ?? candidates[0] ?? null;
    let y: number | null = exemplar.value;
    if (model.chart === "rate") {
      const i = stepIndex(model.times, x);
      y = line !== null && i >= 0 ? (line.values[i] ?? null) : null;
    }
    if (y === null || !Number.isFinite(y)) continue;
    points.push({ x, y, exemplar, line });
  }
  return points;
}

/**
 * The value axis' range for data from `min` to `max` (null when nothing is drawn): from 0 when nothing is
 * negative, a little headroom on top, never empty.
 */
export function yRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const lo = min >= 0 ? 0 : min;
  let hi = max <= 0 && min < 0 ? 0 : max;
  if (hi <= lo) hi = lo === 0 ? 1 : lo + Math.abs(lo) * 0.1;
  const pad = (hi - lo) * 0.05;
  return [lo < 0 ? lo - pad : lo, hi + pad];
}

/** The least and greatest value of the lines' bands (of the visible ones, when `visible` says), or null when none has one. */
export function bandExtent(
  lines: readonly ChartLine[],
  visible?: readonly boolean[],
): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  lines.forEach((line, i) => {
    if (line.band === null || visible?.[i] === false) return;
    for (const v of line.band.min) if (v !== null && v < min) min = v;
    for (const v of line.band.max) if (v !== null && v > max) max = v;
  });
  return max < min ? null : { min, max };
}

export interface TooltipRow {
  line: ChartLine;
  value: number;
  /** The step's least and greatest value, when the line has a band there wider than its value. */
  low: number | null;
  high: number | null;
  /** A rate line: what the group grew by in the step. */
  increase: number | null;
}

/** The lines shown at step `idx` that have a value there, highest first, at most `limit` (and how many more). */
export function tooltipRows(
  model: ChartModel,
  idx: number,
  visible: readonly boolean[],
  limit: number,
): { rows: TooltipRow[]; more: number } {
  const rows: TooltipRow[] = [];
  model.lines.forEach((line, i) => {
    const value = line.values[idx] ?? null;
    if (value === null || visible[i] === false) return;
    const low = line.band?.min[idx] ?? null;
    const high = line.band?.max[idx] ?? null;
    const wider = low !== null && high !== null && (low !== value || high !== value);
    rows.push({
      line,
      value,
      low: wider ? low : null,
      high: wider ? high : null,
      increase: line.increases?.[idx] ?? null,
    });
  });
  rows.sort((a, b) => b.value - a.value);
  return { rows: rows.slice(0, limit), more: Math.max(0, rows.length - limit) };
}

/**
 * What a rate at a step stands for, as the tooltip says it: a counter's points say how much it grew
 * over their intervals, not when within them, so a rate is the step's increase over the part of the
 * step those intervals cover (all of it but where a series starts or stops, or the newest step), never a peak.
 */
export function rateStepText(stepMs: number): string {
  const length = formatDuration(stepMs);
  return `Average per second over this ${length} step (what the counter grew by in it ÷ the part of the ${length} its points cover); when in the step it grew is not known.`;
}

/** A step as the tooltip names it, in local time to the second: "14:03:00 – 14:03:15". */
export function stepRangeText(startMs: number, stepMs: number): string {
  const clock = (ms: number) => formatAbsolute(ms).slice(11, 19);
  return `${clock(startMs)} – ${clock(startMs + stepMs)}`;
}
