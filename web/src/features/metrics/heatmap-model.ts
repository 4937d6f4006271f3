/** A distribution's buckets over time → what the heatmap draws and what the page says about them. Pure. */
import { formatMetricValue, type MetricUnit } from "../../../../src/domain/metric-units";

export type Rgb = [number, number, number];

/**
 * What the heatmap's caption says of its colours. They run from --heat-low, near the page's
 * background, to --heat-high, far from it: darker on the light theme, lighter on the dark one, so the
 * caption names neither.
 */
export const HEATMAP_CAPTION = "Buckets over time: cells stand out more the more values they hold";

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

/** The most significant digits a label is given to read apart from its neighbour (`fixed` writes 9 decimals at most). */
const MOST_DIGITS = 12;

/**
 * The fewest significant digits, `least` or more, that write `a` and `b` apart and honestly: rounded to
 * them, neither moves by more than the gap between the two (the last digit's place is at most the gap).
 * Bounds of fine exponential buckets around a gauge that is always 12.5 (12.4999988 and 12.5000070)
 * need 8: "12" and "13" would read apart but claim a band a million times as wide.
 */
function digitsApart(a: number, b: number, unit: MetricUnit, least: number): number {
  const size = Math.max(Math.abs(a), Math.abs(b));
  const gap = Math.abs(a - b);
  let digits = gap > 0 && size > 0 ? Math.max(least, Math.ceil(1 + Math.log10(size / gap))) : least;
  digits = Math.min(digits, MOST_DIGITS);
  while (
    digits < MOST_DIGITS &&
    formatMetricValue(a, unit, false, digits) === formatMetricValue(b, unit, false, digits)
  ) {
    digits++;
  }
  return digits;
}

/**
 * A bound as the heatmap shows it: none for the largest double, where an exponential bucket past every
 * double ends (scale -10), so that bucket reads as the open last one ("> 1ms"), not "1ms – 1.8e308ms".
 */
function openEnd(bound: number | undefined): number | undefined {
  return bound === Number.MAX_VALUE ? undefined : bound;
}

/**
 * What bucket `index` holds: "≤ 5 ms", "5 ms – 10 ms", "> 10 s" (the last is everything above); its two
 * bounds with as many digits as they need to read apart ("2.999999 – 3.000001", not "3 – 3").
 */
export function bucketRangeText(index: number, bounds: readonly number[], unit: MetricUnit): string {
  const upper = openEnd(bounds[index]);
  const lower = bounds[index - 1];
  if (upper === undefined) return lower === undefined ? "all values" : `> ${formatMetricValue(lower, unit)}`;
  if (lower === undefined) return `≤ ${formatMetricValue(upper, unit)}`;
  const digits = digitsApart(lower, upper, unit, 3);
  return `${formatMetricValue(lower, unit, false, digits)} – ${formatMetricValue(upper, unit, false, digits)}`;
}

/**
 * The labels of the lines between buckets on the heatmap's axis, for the boundaries shown (boundary b
 * lies between bucket b - 1 and bucket b: the bound they share), "" below the first bucket and above
 * the open last one. Two significant digits place a line (exponential buckets' bounds are 2.83, 4.76,
 * 90.5…); a label takes more where it would read as its neighbour does, so no two lines say the same.
 */
export function heatmapBoundaryLabels(
  boundaries: readonly number[],
  bounds: readonly number[],
  unit: MetricUnit,
): string[] {
  const values = boundaries.map((boundary) => openEnd(bounds[boundary - 1]));
  return values.map((value, i) => {
    if (value === undefined) return "";
    let digits = 2;
    for (const next of [values[i - 1], values[i + 1]]) {
      if (next !== undefined && next !== value) digits = Math.max(digits, digitsApart(value, next, unit, 2));
    }
    return formatMetricValue(value, unit, false, digits);
  });
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
