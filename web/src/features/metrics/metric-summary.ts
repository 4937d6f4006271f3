/** The figures above a chart: what the window adds up to, in the metric's unit. Pure. */
import { averageRate } from "../../../../src/domain/counter-average";
import { formatMetricValue, formatOnAxis, formatPercentile } from "../../../../src/domain/metric-units";
import type { MetricQueryResponse, MetricSeriesJson } from "../../../../src/protocol";
import { formatClock, formatCount, formatRelative } from "../../lib/format";
import {
  bandExtent,
  type ChartLine,
  type ChartModel,
  lastIndex,
  lastValue,
  PERCENTILES,
  quantileLabel,
  yRange,
} from "./metric-chart-model";

export interface SummaryFigure {
  /** A stable name (tests and the page's data-figure attribute use it). */
  id: string;
  label: string;
  value: string;
  /** When a "latest" value is not recent: "5m ago" (or "at 14:03:07" in a range that ended before now). */
  when?: string;
  title: string;
}

/** Points this close to the newest one still count as a series' current value (exports come every 10-60 s). */
const CURRENT_SPAN_MS = 60_000;
/** The newest point counts as "latest" within this of the window's end (or two steps, if longer). */
const FRESH_MS = 120_000;

/** Whether a step that ended at `stepEndMs` is too long before `endMs` to stand for it now. */
function staleStep(stepEndMs: number, endMs: number, stepMs: number): boolean {
  return endMs - stepEndMs > Math.max(2 * stepMs, FRESH_MS);
}

/**
 * What a "latest" value is judged against: a window that ends now (`live`) by the page's clock, which
 * runs on after the answer came (a counter that stands still sends nothing, so nothing asks again);
 * a range picked in the past by its end.
 */
export interface LatestClock {
  live: boolean;
  nowMs: number;
}

/**
 * When the step that ended at `stepEndMs` was, if that is not recent (`staleStep`): "5m ago" in a
 * window that ends now, "at 14:03:07" in a range picked in the past; null when it is recent.
 */
export function staleWhen(
  stepEndMs: number,
  response: Pick<MetricQueryResponse, "toUnixMs" | "stepMs">,
  clock: LatestClock,
): { when: string; clock: string } | null {
  const endMs = clock.live ? Math.max(clock.nowMs, response.toUnixMs) : response.toUnixMs;
  if (!staleStep(stepEndMs, endMs, response.stepMs)) return null;
  const at = formatClock(stepEndMs).slice(0, 8);
  return { when: clock.live ? formatRelative(stepEndMs, endMs) : `at ${at}`, clock: at };
}

/**
 * A "latest" figure of step `i`, said with when that step ended if that is not recent (`staleWhen`):
 * a counter that last moved 5 minutes ago reads "0.2/s 5m ago", not a rate that holds now.
 */
function latestFigure(
  figure: SummaryFigure,
  response: MetricQueryResponse,
  i: number,
  clock: LatestClock,
): SummaryFigure {
  const start = response.times[i];
  if (start === undefined) return figure;
  const stale = staleWhen(Math.min(start + response.stepMs, response.toUnixMs), response, clock);
  if (stale === null) return figure;
  return {
    ...figure,
    when: stale.when,
    title: `${figure.title}. That step ended at ${stale.clock}: no point has come since.`,
  };
}

/**
 * The step a rate's "latest" reads, of `count` steps where `has(i)` tells a step with a value and
 * `ended(i)` one the window's end is past: the newest step with a value, except that a step still
 * filling holds only what the last export brought (a counter at 10/s reads 0.5/s there), so the step
 * just before it is read when that one has a value. An ended step further back is not: a line silent
 * for minutes that has a point in the filling step reads that point, not a value minutes old.
 * -1 when no step has a value. The legend, the figure above the chart and the headline all read this.
 */
export function latestRateStep(count: number, has: (i: number) => boolean, ended: (i: number) => boolean): number {
  for (let i = count - 1; i >= 0; i--) {
    if (!has(i)) continue;
    return !ended(i) && i > 0 && ended(i - 1) && has(i - 1) ? i - 1 : i;
  }
  return -1;
}

/**
 * The step of a legend line's latest value: its newest, or for a rate the step latestRateStep reads
 * in a window that ends at `endMs`. -1 when the line has no value.
 */
export function lineLatestIndex(model: ChartModel, line: ChartLine, endMs: number): number {
  if (model.chart !== "rate") return lastIndex(line.values);
  return latestRateStep(
    line.values.length,
    (i) => {
      const value = line.values[i];
      return typeof value === "number" && Number.isFinite(value);
    },
    (i) => (model.times[i] ?? 0) * 1000 + model.stepMs <= endMs,
  );
}

/**
 * When a legend line's latest value was (lineLatestIndex), if that is not recent (see staleWhen): null
 * when it is, or when the line has no value.
 */
export function lineLatestWhen(
  model: ChartModel,
  line: ChartLine,
  response: Pick<MetricQueryResponse, "toUnixMs" | "stepMs">,
  clock: LatestClock,
): { when: string; clock: string } | null {
  const i = lineLatestIndex(model, line, response.toUnixMs);
  const start = model.times[i];
  if (start === undefined || line.values[i] === null) return null;
  return staleWhen(Math.min(start * 1000 + model.stepMs, response.toUnixMs), response, clock);
}

/** The least and greatest value drawn, bands included (a gauge's peaks between steps' last values). */
function extremes(lines: readonly ChartLine[]): { min: number; max: number } | null {
  const band = bandExtent(lines);
  let min = band?.min ?? Number.POSITIVE_INFINITY;
  let max = band?.max ?? Number.NEGATIVE_INFINITY;
  for (const line of lines)
    for (const v of line.values)
      if (v !== null) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
  return max < min ? null : { min, max };
}

/**
 * The value axis' range as the chart draws the lines shown (`visible`, all when not given), bands
 * included: what the legend and tooltip scale their values to (not exemplars, nor a zoom's own range).
 */
export function valueAxisRange(model: ChartModel, visible?: readonly boolean[]): [number, number] {
  const range = extremes(visible === undefined ? model.lines : model.lines.filter((_, i) => visible[i] !== false));
  return yRange(range?.min ?? null, range?.max ?? null);
}

/**
 * A line's value at step i as the page shows it: in the metric's unit and in the display unit of the
 * chart's value axis over `axis` (valueAxisRange), per second for a rate, and a percentile that is only
 * a lower bound (in an open last bucket) as "≥ 10ms".
 */
export function formatLineValue(
  model: ChartModel,
  line: ChartLine,
  i: number,
  axis: readonly [number, number] = valueAxisRange(model),
): string {
  const value = line.values[i];
  return line.atLeast?.[i] === true
    ? formatPercentile(value, model.unit, true)
    : formatOnAxis(value, model.unit, model.perSecond, axis);
}

/**
 * A line's latest value as the page shows it (the legend's "latest"; lineLatestIndex for a window
 * that ends at `endMs`), "–" when it has none.
 */
export function formatLatest(
  model: ChartModel,
  line: ChartLine,
  axis: readonly [number, number] = valueAxisRange(model),
  endMs = Number.POSITIVE_INFINITY,
): string {
  return formatLineValue(model, line, lineLatestIndex(model, line, endMs), axis);
}

/**
 * Adds up a rate chart: what each line grew by in each step. Not each step's rate × the step: a step
 * the points cover only partly has its rate over the part covered.
 */
export function rateIncrease(model: ChartModel): number {
  let increase = 0;
  for (const line of model.lines) for (const v of line.increases ?? []) if (v !== null) increase += v;
  return increase;
}

/** Whether any line of a rate chart has an increase in some step (a step with points, 0 included). */
function hasIncrease(model: ChartModel): boolean {
  return model.lines.some((line) => (line.increases ?? []).some((v) => v !== null));
}

/** A series' newest percentile as shown ("≥ 10ms" when the API marks it a lower bound), and its step. */
function latestPercentile(
  series: MetricSeriesJson | undefined,
  p: "p50" | "p95" | "p99",
  model: ChartModel,
): { text: string; at: number } {
  const values = alignedOf(series?.[p]);
  const i = lastIndex(values);
  return { text: formatPercentile(values[i], model.unit, series?.atLeast?.[p]?.[i] === true), at: i };
}

/** How many values a distribution's series recorded in the window, all steps and series together. */
export function valuesRecorded(response: MetricQueryResponse): number {
  let count = 0;
  for (const s of response.series) for (const c of s.counts ?? []) if (c !== null && Number.isFinite(c)) count += c;
  return count;
}

/**
 * The figures above a chart. `live`: the window ends now (not a range picked in the past), so a latest
 * value that is not recent is said as "5m ago" rather than "at 14:03:07", judged by the page's clock
 * (`nowMs`) when that is past the window's end.
 */
export function windowSummary(
  response: MetricQueryResponse,
  model: ChartModel,
  live = true,
  nowMs = response.toUnixMs,
): SummaryFigure[] {
  const clock: LatestClock = { live, nowMs };
  const unit = model.unit;
  const figures: SummaryFigure[] = [];
  if (model.chart === "rate") {
    const increase = rateIncrease(model);
    // All lines' values added up, per step (null: no line has one); which step is latestRateStep's.
    const stepSum = (i: number) => {
      let sum: number | null = null;
      for (const line of model.lines) {
        const v = line.values[i] ?? null;
        if (v !== null) sum = (sum ?? 0) + v;
      }
      return sum;
    };
    const at = latestRateStep(
      model.times.length,
      (i) => stepSum(i) !== null,
      (i) => (response.times[i] ?? 0) + response.stepMs <= response.toUnixMs,
    );
    const latestStep = at < 0 ? null : { value: stepSum(at) as number, at };
    const latest = latestStep?.value ?? null;
    // No point in the window: no increase to speak of either (not a counter that stood still at 0).
    const sum = latest === null && !hasIncrease(model) ? null : increase;
    figures.push(
      {
        id: "increase",
        label: "Increase",
        value: formatMetricValue(sum, unit),
        title: "How much the counter grew in the window",
      },
      {
        id: "average-rate",
        label: "Average",
        value: formatMetricValue(sum === null ? null : averageRate(sum, response.series, response), unit, true),
        title:
          "The increase divided by the time it was counted over: from the window's start (or the counter's start, when later) to the newest point (for a TraceKit SDK counter, which sends only increments, from its first increment's step to the window's end)",
      },
    );
    const latestRate = {
      id: "latest-rate",
      label: "Latest",
      value: formatMetricValue(latest, unit, true),
      title: "The rate in the latest step that has ended, with data (all series)",
    };
    figures.push(latestStep === null ? latestRate : latestFigure(latestRate, response, latestStep.at, clock));
    return figures;
  }
  if (model.chart === "distribution") {
    figures.push({
      id: "count",
      label: "Values",
      value: formatCount(valuesRecorded(response)),
      title: "Values recorded in the window",
    });
    // The server's, from the histograms themselves as the lines' are: the heatmap's rows of an
    // exponential histogram are coarser (a p95 of 950 ms beside lines at 958 ms).
    const window = response.windowPercentiles;
    for (const p of PERCENTILES) {
      if (window !== undefined) {
        figures.push({
          id: p,
          label: p,
          value: formatPercentile(window[p], unit, window.atLeast?.[p] === true),
          title: `The ${p} of every value in the window, estimated from the buckets`,
        });
      } else if (response.series.length === 1) {
        const latest = latestPercentile(response.series[0], p, model);
        const figure = {
          id: p,
          label: `latest ${p}`,
          value: latest.text,
          title: `The ${p} of the latest step with data`,
        };
        figures.push(latestFigure(figure, response, latest.at, clock));
      }
    }
    return figures;
  }
  if (model.chart === "quantiles" && model.stat === null) {
    for (const line of model.lines) {
      const figure = {
        id: `q${line.stat}`,
        label: `latest ${quantileLabel(line.stat)}`,
        value: formatMetricValue(lastValue(line.values), unit),
        title: `The ${quantileLabel(line.stat)} the latest summary sent`,
      };
      figures.push(latestFigure(figure, response, lastIndex(line.values), clock));
    }
    return figures;
  }
  const range = extremes(model.lines);
  const banded = model.lines.some((line) => line.band !== null);
  if (model.lines.length === 1) {
    const values = (model.lines[0] as ChartLine).values;
    const figure = {
      id: "latest",
      label: "Latest",
      value: formatMetricValue(lastValue(values), unit),
      title: banded
        ? "The last value sent in the latest step with data (the gauge's level now, unless said when)"
        : "The value in the latest step with data",
    };
    figures.push(latestFigure(figure, response, lastIndex(values), clock));
  }
  figures.push(
    {
      id: "min",
      label: "Min",
      value: formatMetricValue(range?.min, unit),
      title: banded ? "The lowest value any point held in the window" : "The lowest value drawn in the window",
    },
    {
      id: "max",
      label: "Max",
      value: formatMetricValue(range?.max, unit),
      title: banded
        ? "The highest value any point held in the window (its peak, even between two steps' last values)"
        : "The highest value drawn in the window",
    },
  );
  return figures;
}

function alignedOf(values: readonly (number | null)[] | undefined): (number | null)[] {
  return (values ?? []).map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
}

/** What a card leads with (headlineFigure). */
export interface Headline {
  value: number;
  /** What the value is, in a few words: "total of 3 services, latest", "shop-api, highest of 3 · peak 9". */
  caption: string;
  /** The same, spelt out, for the tooltip. */
  title: string;
  /** The newest point is older than a couple of steps (and two minutes): the caption says how old. */
  stale: boolean;
  /** The value is a percentile only known to be at least that (in an open last bucket): shown "≥ …". */
  atLeast: boolean;
}

/** A card's headline value as shown: in the metric's unit, per second for a rate, "≥ …" for a lower bound. */
export function formatHeadline(headline: Headline, model: ChartModel): string {
  return headline.atLeast
    ? formatPercentile(headline.value, model.unit, true)
    : formatMetricValue(headline.value, model.unit, model.perSecond);
}

/** The highest value a line held in the window: its band's (a step's peak between last values) or its own. */
function peakOf(line: ChartLine): number | null {
  const band = bandExtent([line])?.max ?? null;
  let high = band;
  for (const v of line.values) if (v !== null && (high === null || v > high)) high = v;
  return high;
}

/**
 * The figure a card leads with, honest about what it is: never the first series' newest value
 * whatever its age. Each series' current value is its newest one near the newest point of all (a
 * series that stopped sending does not count); a counter leads with the total of those rates, a
 * gauge and a percentile per group with the highest (named), a single series with its value (a
 * distribution's p95). The caption says which, and how old the newest point is when it is not recent
 * (by `nowMs`, the page's clock, once past the window's end);
 * a gauge whose steps held more says its peak in the window, and whose it was.
 */
export function headlineFigure(
  model: ChartModel,
  response: MetricQueryResponse,
  nowMs = response.toUnixMs,
): Headline | null {
  const stats = model.stat === null && new Set(model.lines.map((l) => l.stat)).size > 1;
  // One series's statistics (p50, p95, p99): its p95 leads; else every line is a group.
  const candidates = stats ? model.lines.filter((l) => l.stat === "p95").slice(0, 1) : model.lines;
  const lines = candidates.length > 0 ? candidates : model.lines.slice(0, 1);
  const endMs = response.toUnixMs;
  const stepEnd = (i: number) => (model.times[i] ?? 0) * 1000 + model.stepMs;
  // Each line's latest step as the legend reads it (a rate's step still filling: see latestRateStep).
  const last = lines.map((line) => lineLatestIndex(model, line, endMs));
  const newest = Math.max(...last);
  if (newest < 0) return null;
  const span = Math.max(1, Math.ceil(CURRENT_SPAN_MS / Math.max(1, model.stepMs)));
  const current = lines.flatMap((line, i) => {
    const at = last[i] as number;
    return at >= 0 && at > newest - span
      ? [{ line, at, value: line.values[at] as number, atLeast: line.atLeast?.[at] === true }]
      : [];
  });
  // The cards' windows end now: judged by the page's clock, which runs on after the answer came.
  const ageFrom = Math.max(nowMs, endMs);
  /** How old step i is, as the caption and its title say it. */
  const ageOf = (i: number) => {
    const stale = staleStep(stepEnd(i), ageFrom, model.stepMs);
    const when = stale ? formatRelative(stepEnd(i), ageFrom) : "latest";
    const title = stale
      ? `No points since ${formatClock(stepEnd(i)).slice(0, 8)} (${when}).`
      : "From the newest points.";
    return { stale, when, title };
  };
  const { stale, when, title: whenTitle } = ageOf(newest);
  const noun = response.groupBy === "service.name" ? "services" : "series";
  const silent = lines.length - current.length;
  const count = `${formatCount(current.length)} ${current.length === 1 && noun === "services" ? "service" : noun}${silent > 0 ? ` (${formatCount(silent)} silent)` : ""}`;
  const label = (line: ChartLine) => (line.label === "all" ? "" : line.label);

  if (lines.length === 1 || stats) {
    const only = current[0] as (typeof current)[number];
    const what = label(only.line);
    const peak = model.chart === "value" ? peakOf(only.line) : null;
    const peakText = peak !== null && peak > only.value ? ` · peak ${formatMetricValue(peak, model.unit)}` : "";
    return {
      value: only.value,
      caption: `${what === "" ? when : `${what}, ${when}`}${peakText}`,
      title: `${what === "" ? "The value" : `${what}:`} the newest step with a point. ${whenTitle}`,
      stale,
      atLeast: only.atLeast,
    };
  }
  if (model.chart === "rate") {
    // Added up in one step: the newest that every one of them has a value in. Not each one's own
    // newest: when one stopped (or last exported) a step or more before the others, its rate in that
    // step added to theirs in a later one is the total of no moment.
    const has = (i: number) => current.every((c) => typeof c.line.values[i] === "number");
    let at = Math.min(...current.map((c) => c.at));
    while (at > newest - span + 1 && !has(at)) at--;
    const total = current.reduce((sum, c) => sum + (c.line.values[at] ?? 0), 0);
    const age = ageOf(at);
    return {
      value: total,
      caption: `total of ${count}, ${age.when}`,
      title: `The rates of ${count} added up, in the newest step that has ended where each has one; silent: no point in the minute before the newest, left out. ${age.title}`,
      stale: age.stale,
      atLeast: false,
    };
  }
  let top = current[0] as (typeof current)[number];
  for (const c of current) if (c.value > top.value) top = c;
  const stat = model.chart === "distribution" || model.chart === "quantiles" ? ` ${top.line.stat}` : "";
  let peak: { value: number; line: ChartLine } | null = null;
  for (const line of model.chart === "value" ? lines : []) {
    const high = peakOf(line);
    if (high !== null && (peak === null || high > peak.value)) peak = { value: high, line };
  }
  const peakText =
    peak !== null && peak.value > top.value
      ? ` · peak ${formatMetricValue(peak.value, model.unit)}${peak.line === top.line ? "" : ` (${peak.line.label})`}`
      : "";
  return {
    value: top.value,
    caption: `${top.line.label}${stat}, highest of ${count}, ${when}${peakText}`,
    title: `The highest${stat} of the newest values of ${count} (${top.line.label})${silent > 0 ? "; silent: no point in the minute before the newest, left out" : ""}. ${whenTitle}`,
    stale,
    atLeast: top.atLeast,
  };
}
