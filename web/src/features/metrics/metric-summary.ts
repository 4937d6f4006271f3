/** The figures above a chart: what the window adds up to, in the metric's unit. Pure. */
import type { MetricQueryResponse } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";
import { bucketTotals, percentileFromBuckets } from "./heatmap-model";
import {
  bandExtent,
  type ChartLine,
  type ChartModel,
  lastValue,
  PERCENTILES,
  quantileLabel,
} from "./metric-chart-model";
import { formatMetricValue } from "./metric-units";

export interface SummaryFigure {
  /** A stable name (tests and the page's data-figure attribute use it). */
  id: string;
  label: string;
  value: string;
  title: string;
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

/** Adds up a rate chart: each step's rate × the step's length is what the counter grew by in it. */
export function rateIncrease(model: ChartModel, stepMs: number): number {
  let increase = 0;
  for (const line of model.lines) for (const v of line.values) if (v !== null) increase += (v * stepMs) / 1000;
  return increase;
}

export function windowSummary(response: MetricQueryResponse, model: ChartModel): SummaryFigure[] {
  const unit = model.unit;
  const windowSec = Math.max(0.001, (response.toUnixMs - response.fromUnixMs) / 1000);
  const figures: SummaryFigure[] = [];
  if (model.chart === "rate") {
    const increase = rateIncrease(model, response.stepMs);
    // The newest step that has ended: the one still filling holds only what the last export brought
    // (a counter at 10/s would read 8/s there). Only when no ended step has data does it count.
    const latestIn = (ended: boolean) => {
      let latest: number | null = null;
      for (let i = model.times.length - 1; i >= 0 && latest === null; i--) {
        if (ended && (response.times[i] ?? 0) + response.stepMs > response.toUnixMs) continue;
        for (const line of model.lines) {
          const v = line.values[i] ?? null;
          if (v !== null) latest = (latest ?? 0) + v;
        }
      }
      return latest;
    };
    const latest = latestIn(true) ?? latestIn(false);
    figures.push(
      {
        id: "increase",
        label: "Increase",
        value: formatMetricValue(increase, unit),
        title: "How much the counter grew in the window",
      },
      {
        id: "average-rate",
        label: "Average",
        value: formatMetricValue(increase / windowSec, unit, true),
        title: "The increase divided by the window's length",
      },
      {
        id: "latest-rate",
        label: "Latest",
        value: formatMetricValue(latest, unit, true),
        title: "The rate in the latest step that has ended, with data (all series)",
      },
    );
    return figures;
  }
  if (model.chart === "distribution") {
    let count = 0;
    for (const s of response.series) for (const c of s.counts ?? []) if (c !== null && Number.isFinite(c)) count += c;
    figures.push({
      id: "count",
      label: "Values",
      value: formatCount(count),
      title: "Values recorded in the window",
    });
    const heatmap = response.heatmap;
    const totals = heatmap ? bucketTotals(heatmap.counts) : [];
    for (const p of PERCENTILES) {
      const q = Number(p.slice(1)) / 100;
      if (heatmap && totals.some((c) => c > 0)) {
        figures.push({
          id: p,
          label: p,
          value: formatMetricValue(percentileFromBuckets(heatmap.bounds, totals, q, heatmap), unit),
          title: `The ${p} of every value in the window, estimated from the buckets`,
        });
      } else if (response.series.length === 1) {
        figures.push({
          id: p,
          label: `latest ${p}`,
          value: formatMetricValue(lastValue(alignedOf(response.series[0]?.[p])), unit),
          title: `The ${p} of the latest step with data`,
        });
      }
    }
    return figures;
  }
  if (model.chart === "quantiles" && model.stat === null) {
    for (const line of model.lines) {
      figures.push({
        id: `q${line.stat}`,
        label: `latest ${quantileLabel(line.stat)}`,
        value: formatMetricValue(lastValue(line.values), unit),
        title: `The ${quantileLabel(line.stat)} the latest summary sent`,
      });
    }
    return figures;
  }
  const range = extremes(model.lines);
  const banded = model.lines.some((line) => line.band !== null);
  if (model.lines.length === 1) {
    figures.push({
      id: "latest",
      label: "Latest",
      value: formatMetricValue(lastValue((model.lines[0] as ChartLine).values), unit),
      title: banded
        ? "The last value sent in the latest step with data (the gauge's level now)"
        : "The value in the latest step with data",
    });
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

/**
 * The figure a card leads with: the newest value of its first line that has one (the p95 line of a
 * distribution of one service), and what it is ("checkout-api p95, latest"); for a gauge whose steps
 * held more than their last value, its peak in the window beside it ("latest · peak 27").
 */
export function latestFigure(model: ChartModel): { caption: string; value: number } | null {
  const lines = model.stat === null ? model.lines.filter((l) => l.stat === "p95") : model.lines;
  for (const line of lines.length > 0 ? lines : model.lines) {
    const value = lastValue(line.values);
    if (value === null) continue;
    const perGroup = model.stat !== null && model.chart === "distribution" ? ` ${model.stat}` : "";
    const what = `${line.label}${perGroup}`.trim();
    const caption = what === "" ? "latest" : `${what}, latest`;
    const peak = bandExtent([line])?.max ?? null;
    return {
      caption: peak !== null && peak > value ? `${caption} · peak ${formatMetricValue(peak, model.unit)}` : caption,
      value,
    };
  }
  return null;
}
