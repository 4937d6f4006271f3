/** A metric query's answer summarized per series: a few numbers each instead of every step. */

import { count } from "../domain/count-text.js";
import { averageRate, totalIncrease } from "../domain/counter-average.js";
import { formatDuration } from "../domain/duration-text.js";
import { formatMetricValue, type MetricUnit, metricUnit, unitLabel, unitName } from "../domain/metric-units.js";
import type { MetricCatalogEntryJson, MetricQueryResponse, MetricSeriesJson } from "../protocol.js";
import { cut, table } from "./format.js";

const MAX_SERIES = 30;
const MAX_LABEL = 400;

function present(values: readonly (number | null)[] | undefined): number[] {
  return (values ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
}

function num(value: number | undefined): string {
  if (value === undefined) return "-";
  if (Number.isInteger(value)) return String(value);
  // Number() drops a trailing ".0" (1536.0000001 reads 1536), as durations drop theirs.
  return Number(Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4)).toString();
}

/** A metric's value as text, in its unit: "-" for none. */
type Figure = (value: number | undefined) => string;

/**
 * How a value of `unit` reads: as the Metrics page writes it (metric-units.ts), so `0.0075` of unit `s`
 * reads "7.5ms", `1536` By "1.5 KiB", `22` Cel "22 °C", a rate of `{request}` "3 requests/s".
 */
function figureOf(unit: MetricUnit, perSecond = false): Figure {
  return (value) => (value === undefined ? "-" : formatMetricValue(value, unit, perSecond));
}

/** Every value the answer holds, which tells a share of a whole (unit `1`, all in [0, 1]) from a plain number. */
function* answerValues(answer: MetricQueryResponse): Generator<number | null> {
  for (const series of answer.series) {
    const columns = [series.values, series.min, series.max, series.p50, series.p95, series.p99];
    for (const values of [...columns, ...Object.values(series.quantiles ?? {})]) yield* values ?? [];
  }
}

/** The metric's unit as the Metrics page reads it. */
function unitOf(answer: MetricQueryResponse): MetricUnit {
  return metricUnit(answer.metric.name, answer.metric.unit ?? "", answerValues(answer));
}

/**
 * A metric's unit as the Metrics page names it, with the unit as sent where that reads otherwise (the
 * code an SDK or a query uses): "°C (sent as Cel)", "ms"; "" for none (and for UCUM's `1`).
 */
export function unitText(raw: string): string {
  const name = unitName(raw);
  const sent = unitLabel(raw);
  return name === sent ? name : `${name} (sent as ${sent})`;
}

/**
 * Latest, min, mean and max of a value series: the steps' last values, except that min and max are of
 * every value in the window where the answer carries a gauge's least and greatest per step (`min`,
 * `max`: a step's last value hides a burst between two steps' ends).
 */
function stats(series: MetricSeriesJson, fig: Figure): string[] {
  const v = present(series.values);
  if (v.length === 0) return ["-", "-", "-", "-"];
  const sum = v.reduce((a, b) => a + b, 0);
  const least = present(series.min);
  const greatest = present(series.max);
  return [fig(v[v.length - 1]), fig(Math.min(...v, ...least)), fig(sum / v.length), fig(Math.max(...v, ...greatest))];
}

/**
 * A counter's latest, min and max rate per step, its average rate (the increase over the time it was
 * counted, as the Metrics page's Average) and its increase in the window.
 */
function rateStats(series: MetricSeriesJson, answer: MetricQueryResponse, unit: MetricUnit): string[] {
  const v = present(series.values);
  const increase = totalIncrease([series]);
  const average = increase === null ? undefined : averageRate(increase, [series], answer);
  const rate = figureOf(unit, true);
  return [
    rate(v[v.length - 1]),
    v.length === 0 ? "-" : rate(Math.min(...v)),
    rate(average),
    v.length === 0 ? "-" : rate(Math.max(...v)),
    figureOf(unit)(increase ?? undefined),
  ];
}

const latest = (values: readonly (number | null)[] | undefined) => {
  const v = present(values);
  return v[v.length - 1];
};

/**
 * A percentile in the latest step with values, "≥ 10" when it fell in the open last bucket (only a
 * lower bound), "unknown" when that step's buckets do not place it (no bounds, or no min or max
 * to close an outer bucket): not an older step's figure, which the legend would misname.
 */
function latestPercentile(series: MetricSeriesJson, key: "p50" | "p95" | "p99", fig: Figure): string {
  const values = series[key] ?? [];
  const counts = series.counts ?? [];
  const hasValues = (i: number) => (counts[i] ?? 0) > 0 || Number.isFinite(values[i] ?? Number.NaN);
  let i = values.length - 1;
  while (i >= 0 && !hasValues(i)) i--;
  if (i < 0) return "-";
  const value = values[i];
  if (value === null || value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const text = fig(value);
  return series.atLeast?.[key]?.[i] === true ? `≥ ${text}` : text;
}

/** A percentile of values recorded in buckets that do not place it. */
const UNKNOWN = "unknown";

/**
 * The series' label in full, up to MAX_LABEL: series often differ only in their last attribute
 * (service.name, gen_ai.token.type), which a shorter cut lost. Points without the group_by key say so.
 */
function labelOf(series: MetricSeriesJson, answer: MetricQueryResponse): string {
  if (series.label !== "") return cut(series.label, MAX_LABEL);
  // group_by "*" puts every series in one group: it is all of them, not those without an attribute "*".
  if (answer.groupBy === "*") return "(all series)";
  return answer.groupBy ? cut(`(no ${answer.groupBy})`, MAX_LABEL) : "(all)";
}

/** A row's figures, then its label: the last column is not padded, so long labels cost no spaces. */
function row(chart: string, series: MetricSeriesJson, answer: MetricQueryResponse, unit: MetricUnit): string[] {
  const [label, ...figures] = cells(chart, series, answer, unit);
  return [...figures, label ?? ""];
}

function cells(chart: string, series: MetricSeriesJson, answer: MetricQueryResponse, unit: MetricUnit): string[] {
  const label = labelOf(series, answer);
  const fig = figureOf(unit);
  if (chart === "distribution") {
    // A whole number: a cumulative histogram's first point is spread over the steps of its interval,
    // in shares that are fractions of a value.
    const count = Math.round(present(series.counts).reduce((a, b) => a + b, 0));
    return [
      label,
      latestPercentile(series, "p50", fig),
      latestPercentile(series, "p95", fig),
      latestPercentile(series, "p99", fig),
      num(count),
    ];
  }
  if (chart === "quantiles") {
    const quantiles = Object.entries(series.quantiles ?? {}).map(([q, values]) => `q${q}=${fig(latest(values))}`);
    return [label, quantiles.join(" ") || "-"];
  }
  if (chart === "rate") return [label, ...rateStats(series, answer, unit)];
  return [label, ...stats(series, fig)];
}

function header(chart: string, steps: number): string[] {
  if (chart === "distribution") {
    if (steps === 1) return ["p50", "p95", "p99", "values", "series"];
    return ["p50 (latest)", "p95 (latest)", "p99 (latest)", "values", "series"];
  }
  if (chart === "quantiles") return ["latest quantiles", "series"];
  if (chart === "rate") return ["latest", "min", "avg", "max", "increase", "series"];
  return ["latest", "min", "avg", "max", "series"];
}

/** What the columns mean where it is not plain. */
function legend(chart: string, steps: number, kind: string): string | null {
  if (chart === "distribution") {
    const marks = "≥: only a lower bound; unknown: the buckets do not place it (no bounds, or no min or max sent)";
    return steps === 1
      ? `p50, p95, p99: of every value recorded in the window (${marks}); values: how many were recorded`
      : `p50, p95, p99: in the latest step with values (${marks}); values: how many in the window`;
  }
  if (chart === "rate") {
    return (
      "latest, min and max: the rate per second in a step (a TraceKit SDK counter's step without an increment " +
      "since its first: 0); avg: the increase divided by the time it was counted " +
      "(from the window's start, or the counter's start when later, to its newest point; a TraceKit SDK counter's " +
      "from its first increment's step to the window's end), as the Metrics page's " +
      "Average; increase: what the counter grew by in the window"
    );
  }
  if (chart === "value" && kind === "gauge") {
    return (
      "latest: the newest step's last value; min and max: the least and greatest value recorded in the window " +
      "(every point, not only each step's last); avg: the mean of the steps' last values"
    );
  }
  if (chart === "value") return "latest, min and max: a step's last value; avg: the mean of the steps' values";
  return null;
}

/**
 * The window's p50, p95 and p99 of every series together, as the Metrics page shows them above its
 * chart (the API's windowPercentiles, from the histograms merged): the rows are each series' own, and
 * several series' figures do not add up to them. Null for one series (its row is these numbers).
 */
function togetherLine(answer: MetricQueryResponse, chart: string, fig: Figure): string | null {
  const window = answer.windowPercentiles;
  if (chart !== "distribution" || window === undefined) return null;
  if (answer.series.length <= 1 && (answer.omittedSeries ?? 0) === 0) return null;
  const figure = (key: "p50" | "p95" | "p99") => {
    const value = window[key];
    if (value === null) return UNKNOWN;
    return window.atLeast?.[key] === true ? `≥ ${fig(value)}` : fig(value);
  };
  return (
    `all series together: p50 ${figure("p50")}, p95 ${figure("p95")}, p99 ${figure("p99")} ` +
    "(of every value in the window, as the Metrics page shows above its chart)"
  );
}

/** No point for this long (and two steps) before the window's end: "latest" is then, not now. */
const FRESH_MS = 120_000;

/** The end of the newest step any series has a point in (unix ms); null when none has. */
function newestStepEnd(answer: MetricQueryResponse): number | null {
  let newest = -1;
  for (const series of answer.series) {
    const columns = [series.values, series.counts, ...Object.values(series.quantiles ?? {})];
    for (const values of columns) {
      if (values === undefined) continue;
      for (let i = values.length - 1; i > newest; i--) {
        if (values[i] !== null && values[i] !== undefined) {
          newest = i;
          break;
        }
      }
    }
  }
  const start = answer.times[newest];
  return start === undefined ? null : Math.min(start + answer.stepMs, answer.toUnixMs);
}

/** A note when the newest point is well before the window's end (a service that stopped sending). */
function staleNote(answer: MetricQueryResponse): string | null {
  if (answer.times.length < 2) return null;
  const chart = answer.chart ?? answer.metric.chart;
  if (chart === "rate" && answer.metric.tracekit === true) {
    // Its quiet steps read 0/s (no increments), so the newest step has data: say when it last moved.
    const last = Number(BigInt(answer.metric.lastTimeUnixNano || "0") / 1_000_000n);
    if (!(last > answer.fromUnixMs) || answer.toUnixMs - last <= Math.max(2 * answer.stepMs, FRESH_MS)) return null;
    return (
      `last increment at ${new Date(last).toISOString()} (${formatDuration(answer.toUnixMs - last)} before the window's end): ` +
      "a TraceKit SDK counter sends nothing while it stands still, so the steps since read 0/s"
    );
  }
  const end = newestStepEnd(answer);
  if (end === null || answer.toUnixMs - end <= Math.max(2 * answer.stepMs, FRESH_MS)) return null;
  return (
    `no point since ${new Date(end).toISOString()} (${formatDuration(answer.toUnixMs - end)} before the window's end): ` +
    "latest is the newest step with data, not now"
  );
}

export function describeMetric(answer: MetricQueryResponse): string {
  const { metric } = answer;
  const chart = answer.chart ?? metric.chart;
  const per = chart === "rate" ? " per second" : "";
  const unit = unitText(metric.unit ?? "");
  const lines = [
    `${metric.name} (${metric.kind}, ${chart}${per}${unit === "" ? "" : `, unit ${unit}`})${metric.description ? `: ${cut(metric.description, 200)}` : ""}`,
    `window ${new Date(answer.fromUnixMs).toISOString()} to ${new Date(answer.toUnixMs).toISOString()}, ` +
      `${answer.times.length === 1 ? "1 step" : `${answer.times.length} steps`} of ${formatDuration(answer.stepMs)}` +
      `${answer.groupBy ? `, grouped by ${answer.groupBy}` : ""}`,
  ];
  // Series can be listed with no point in the window: a table of dashes would read as data.
  if (answer.series.length === 0 || newestStepEnd(answer) === null) {
    const newest = Number(BigInt(answer.metric.lastTimeUnixNano || "0") / 1_000_000n);
    lines.push(
      newest > 0 && newest < answer.fromUnixMs
        ? `No points in this window; the metric's newest came at ${new Date(newest).toISOString()} (pass an earlier since).`
        : "No points in this window.",
    );
    return lines.join("\n");
  }
  const stale = staleNote(answer);
  if (stale !== null) lines.push(stale);
  const shown = answer.series.slice(0, MAX_SERIES);
  const valueUnit = unitOf(answer);
  lines.push(
    table(
      header(chart, answer.times.length),
      shown.map((series) => row(chart, series, answer, valueUnit)),
    ),
  );
  const together = togetherLine(answer, chart, figureOf(valueUnit));
  if (together !== null) lines.push(together);
  const meaning = legend(chart, answer.times.length, metric.kind);
  if (meaning !== null) lines.push(meaning);
  const left = answer.series.length - shown.length + (answer.omittedSeries ?? 0);
  if (left > 0) lines.push(`[${left} more series; pass service or group_by to narrow]`);
  if (answer.exemplars.length > 0) {
    const traces = [...new Set(answer.exemplars.map((e) => e.traceId).filter((id) => id !== null))].slice(0, 5);
    if (traces.length > 0) lines.push(`exemplar traces (newest first): ${traces.join(", ")}`);
  }
  return lines.join("\n");
}

/**
 * A list_metrics row's series and services: the whole metric's, or under a service filter that
 * service's series of all ("2 of 4") and its name alone, as the Metrics page's row says (the whole
 * metric's count there read as that service's).
 */
export function catalogSeriesCells(
  metric: MetricCatalogEntryJson,
  service: string | undefined,
): { series: string; services: string } {
  const all = { series: count(metric.seriesCount), services: metric.services.join(", ") };
  if (service === undefined) return all;
  const own = metric.seriesPerService?.[metric.services.indexOf(service)];
  // An older server's answer has no counts per service: the whole metric's, with every service.
  if (own === undefined) return all;
  const series = own < metric.seriesCount ? `${count(own)} of ${count(metric.seriesCount)}` : count(own);
  return { series, services: service };
}
