/** The LLM page's charts as data: a timeline's lines for one measure, as uPlot's arrays and a legend. Pure. */
import type { LlmSeriesJson, LlmUsageResponse } from "../../../../src/protocol";
import { formatDuration } from "../../lib/format";

export type LlmMeasure = "usd" | "tokens" | "calls";
export type LlmSplit = "byModel" | "byService";

export const MEASURES: { value: LlmMeasure; label: string }[] = [
  { value: "usd", label: "Cost" },
  { value: "tokens", label: "Tokens" },
  { value: "calls", label: "Calls" },
];

export interface LlmChartLine {
  key: string;
  /** The measure per bucket. */
  values: number[];
  /** The measure over the whole window. */
  total: number;
}

export interface LlmChartModel {
  /** Bucket starts, unix seconds (uPlot's time scale). */
  xs: number[];
  lines: LlmChartLine[];
  stepMs: number;
}

/** One chart: the timeline's lines split by model or by service, measured in USD, tokens or calls. */
export function llmChartModel(
  timeline: LlmUsageResponse["timeline"],
  split: LlmSplit,
  measure: LlmMeasure,
): LlmChartModel {
  const xs: number[] = [];
  for (let b = 0; b < timeline.buckets; b++) xs.push((timeline.startMs + b * timeline.stepMs) / 1000);
  const lines = timeline[split].map((series: LlmSeriesJson) => {
    const values = series[measure];
    let total = 0;
    for (const value of values) total += value;
    return { key: series.key, values, total };
  });
  return { xs, lines, stepMs: timeline.stepMs };
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
 * cost column's "<$0.0001" would label every tick of a chart of cheap calls alike).
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
  return splits.map((v) => (v === 0 ? "$0" : `$${v.toFixed(decimals)}`));
}

/** What the tooltip lists for bucket `idx`: each line with something in it, largest first, at most `max`. */
export function bucketRows(
  model: LlmChartModel,
  idx: number,
  max = 8,
): { rows: { key: string; index: number; value: number }[]; more: number } {
  const all = model.lines
    .map((line, index) => ({ key: line.key, index, value: line.values[idx] ?? 0 }))
    .filter((row) => row.value > 0)
    .sort((a, b) => b.value - a.value);
  return { rows: all.slice(0, max), more: Math.max(0, all.length - max) };
}
