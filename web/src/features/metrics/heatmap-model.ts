/** A distribution's buckets over time → what the heatmap draws and what the page says about them. Pure. */
import { formatMetricValue, type MetricUnit } from "../../../../src/domain/metric-units";

export type Rgb = [number, number, number];

/** "#rgb", "#rrggbb", "rgb(r, g, b)" or "rgba(…)" (what getComputedStyle gives) → its channels. */
export function parseColor(css: string): Rgb | null {
  const text = css.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text);
  if (hex) {
    const h = hex[1] as string;
    const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
    return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as Rgb;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(text);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return null;
}

/**
 * The colour of a cell holding `count` values when the busiest holds `max`: none for an empty cell, then
 * from `low` to `high` on a log scale (a few values stay visible next to thousands).
 */
export function bucketColor(count: number, max: number, low: Rgb, high: Rgb): string | null {
  if (!(count > 0) || !(max > 0)) return null;
  const t = 0.15 + 0.85 * Math.min(1, Math.log1p(count) / Math.log1p(max));
  const mix = (i: number) => Math.round(low[i]! + (high[i]! - low[i]!) * t);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** The buckets that ever hold a value (first and last index), or null when all are empty. */
export function heatmapRowRange(counts: readonly (readonly number[])[]): { first: number; last: number } | null {
  let first = Number.POSITIVE_INFINITY;
  let last = -1;
  for (const step of counts) {
    for (let b = 0; b < step.length; b++) {
      if ((step[b] ?? 0) > 0) {
        if (b < first) first = b;
        if (b > last) last = b;
      }
    }
  }
  return last < 0 ? null : { first, last };
}

export function heatmapMax(counts: readonly (readonly number[])[]): number {
  let max = 0;
  for (const step of counts) for (const c of step) if (c > max) max = c;
  return max;
}

/** What bucket `index` holds: "≤ 5 ms", "5 ms – 10 ms", "> 10 s" (the last is everything above). */
export function bucketRangeText(index: number, bounds: readonly number[], unit: MetricUnit): string {
  const upper = bounds[index];
  const lower = bounds[index - 1];
  if (upper === undefined) return lower === undefined ? "all values" : `> ${formatMetricValue(lower, unit)}`;
  if (lower === undefined) return `≤ ${formatMetricValue(upper, unit)}`;
  return `${formatMetricValue(lower, unit)} – ${formatMetricValue(upper, unit)}`;
}

/**
 * The label of the line between bucket `boundary - 1` and bucket `boundary` on the heatmap's axis (the
 * bound they share, to two significant digits: exponential buckets' bounds are 2.83, 4.76, 90.5…),
 * or "" below the first bucket and above the open last one.
 */
export function heatmapBoundaryLabel(boundary: number, bounds: readonly number[], unit: MetricUnit): string {
  const bound = bounds[boundary - 1];
  return bound === undefined ? "" : formatMetricValue(bound, unit, false, 2);
}

/**
 * Which boundaries get a tick and a label when rows `first` … `last` share `heightPx`: every one, or
 * every 2nd, 5th…; only those that stand for a bound (of `bounds`), so no tick goes unlabelled.
 */
export function heatmapBoundaries(first: number, last: number, heightPx: number, bounds: number): number[] {
  const rows = last - first + 1;
  const fit = Math.max(1, Math.floor(heightPx / 16));
  const every = [1, 2, 3, 4, 5, 10, 20, 25, 50, 100].find((n) => rows / n <= fit) ?? Math.ceil(rows / fit);
  const out: number[] = [];
  for (let b = Math.max(first, 1); b <= Math.min(last + 1, bounds); b++) if (b % every === 0) out.push(b);
  return out;
}
