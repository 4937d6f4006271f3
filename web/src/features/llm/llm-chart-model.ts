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
