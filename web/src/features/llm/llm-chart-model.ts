/** The LLM page's charts as data: a timeline's lines for one measure, as uPlot's arrays and a legend. Pure. */
import { type LlmCostCounts, llmCostParts } from "../../../../src/domain/llm-cost-text";
import type { LlmSeriesJson, LlmUsageResponse } from "../../../../src/protocol";
import { formatCount, formatDuration, formatUsd, usdText } from "../../lib/format";
import { costText } from "./usage-text";

export type LlmMeasure = "usd" | "tokens" | "calls";
export type LlmSplit = "byModel" | "byService";

export const MEASURES: { value: LlmMeasure; label: string }[] = [
  { value: "usd", label: "Cost" },
  { value: "tokens", label: "Tokens" },
  { value: "calls", label: "Calls" },
];

export interface LlmChartLine {
  key: string;
  /** The measure per bucket; all null for a cost no call of the line has known (not drawn as $0). */
  values: (number | null)[];
  /** The measure over the whole window. */
  total: number;
  /** The legend's figure: the total; for cost, with what is unknown of it ("$0.0021 + 1 unpriced", "no price"). */
  totalText: string;
  /** For cost, when no call of the line has a known cost, why ("no price", "not reported", "cost unknown"); else null. */
  unknownCost: string | null;
  /** Calls per bucket (where a line of unknown cost had calls, the tooltip says it). */
  calls: number[];
}

export interface LlmChartModel {
  /** Bucket starts, unix seconds (uPlot's time scale). */
  xs: number[];
  lines: LlmChartLine[];
  stepMs: number;
}

type Group = LlmCostCounts & { key: string };

/**
 * One chart: the timeline's lines split by model or by service, measured in USD, tokens or calls;
 * `groups` (the answer's byModel or byService) tell what is unknown of each line's cost.
 */
export function llmChartModel(
  timeline: LlmUsageResponse["timeline"],
  split: LlmSplit,
  measure: LlmMeasure,
  groups: readonly Group[] = [],
): LlmChartModel {
  const xs: number[] = [];
  for (let b = 0; b < timeline.buckets; b++) xs.push((timeline.startMs + b * timeline.stepMs) / 1000);
  const drawn = new Set(timeline[split].map((series) => series.key));
  const lines = timeline[split].map((series: LlmSeriesJson): LlmChartLine => {
    const values = series[measure];
    let total = 0;
    for (const value of values) total += value;
    const line = { key: series.key, values, total, calls: series.calls };
    if (measure !== "usd") return { ...line, totalText: formatCount(total), unknownCost: null };
    const group = lineGroup(series.key, groups, drawn);
    if (group === null) return { ...line, totalText: formatUsd(total), unknownCost: null };
    const { usd, none } = llmCostParts(group);
    const unknownCost = usd === null ? (none ?? "cost unknown") : null;
    return {
      ...line,
      values: unknownCost === null ? values : values.map(() => null),
      totalText: costText(group),
      unknownCost,
    };
  });
  return { xs, lines, stepMs: timeline.stepMs };
}

/** A line's group; for "other" (the groups past the drawn lines), theirs added up; null if not in `groups`. */
function lineGroup(key: string, groups: readonly Group[], drawn: ReadonlySet<string>): LlmCostCounts | null {
  const own = groups.find((group) => group.key === key);
  if (own !== undefined || key !== "other") return own ?? null;
  const rest = groups.filter((group) => !drawn.has(group.key));
  if (rest.length === 0) return null;
  const sum = { usd: 0, calls: 0, unpriced: 0, noUsage: 0, unpricedNoUsage: 0 };
  for (const group of rest) {
    sum.usd += group.usd;
    sum.calls += group.calls;
    sum.unpriced += group.unpriced;
    sum.noUsage += group.noUsage;
    sum.unpricedNoUsage += group.unpricedNoUsage ?? 0;
  }
  return sum;
}

/** "per 30s", "per 5m", "per hour" … for the chart's caption. */
export function bucketText(stepMs: number): string {
  const s = stepMs / 1000;
  if (s < 3600) return s === 60 ? "per minute" : `per ${formatDuration(stepMs)}`;
  if (s < 86_400) return s === 3600 ? "per hour" : `per ${s / 3600}h`;
  return "per day";
}

/** The x range a chart shows: its first bucket's start to its last one's end (uPlot's own for one point spans years). */
export function chartXRange(model: LlmChartModel): [number, number] {
  const first = model.xs[0] ?? 0;
  return [first, (model.xs[model.xs.length - 1] ?? first) + model.stepMs / 1000];
}

/**
 * The cost axis' labels, all with the decimals their spacing needs: "$0.00001", "$0.00002"… (the
 * cost texts' three significant digits would label ticks unevenly: "$0.00001", "$0.000015").
 */
export function usdTickLabels(splits: readonly number[]): string[] {
  let step = 0;
  for (let i = 1; i < splits.length; i++) {
    const gap = Math.abs((splits[i] as number) - (splits[i - 1] as number));
    if (gap > 0 && (step === 0 || gap < step)) step = gap;
  }
  let decimals = 0;
  while (decimals < 9 && step > 0 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) {
    decimals++;
  }
  return splits.map((v) => usdText(v, decimals));
}

/**
 * What the tooltip lists for bucket `idx`: each line with something in it, largest first, at most `max`;
 * for cost, after them the lines of unknown cost that had calls in it, with why (`text`).
 */
export function bucketRows(
  model: LlmChartModel,
  idx: number,
  max = 8,
): { rows: { key: string; index: number; value: number; text?: string }[]; more: number } {
  const valued = model.lines
    .map((line, index) => ({ key: line.key, index, value: line.values[idx] ?? 0 }))
    .filter((row) => row.value > 0)
    .sort((a, b) => b.value - a.value);
  const unknown = model.lines.flatMap((line, index) =>
    line.unknownCost !== null && (line.calls[idx] ?? 0) > 0
      ? [{ key: line.key, index, value: 0, text: line.unknownCost }]
      : [],
  );
  const all = [...valued, ...unknown];
  return { rows: all.slice(0, max), more: Math.max(0, all.length - max) };
}
