/**
 * Distributions of values: explicit-bucket histograms, exponential histograms, and raw samples (the
 * TraceKit SDKs' histogram values). Merging, percentiles and re-bucketing, all pure. A distribution
 * handed to `mergeDistribution` as the accumulator is owned by the caller and changed in place;
 * the other argument is never changed.
 *
 * Unknown sum, min or max are NaN: a merge with an unknown part is unknown (a partial minimum is not
 * a minimum). Min and max may also be bounds rather than the values' own extremes (a delta between
 * cumulative points keeps the cumulative ones): every value lies within them, which is all that
 * closing the open buckets and bounding percentiles needs.
 */
import { percentile } from "./percentile.js";

export interface ExplicitDistribution {
  type: "explicit";
  /** Upper bounds, strictly increasing; shared between distributions, never changed. */
  bounds: readonly number[];
  /** bounds.length + 1 counts: (-inf, b0], (b0, b1], …, (b_last, +inf). */
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface ExponentialDistribution {
  type: "exponential";
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  /** Bucket `offset + i` holds `counts[i]`; positive bucket k is (base^k, base^(k+1)]. */
  positive: { offset: number; counts: number[] };
  /** Negative bucket k holds values in [-base^(k+1), -base^k). */
  negative: { offset: number; counts: number[] };
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Values as recorded; past MAX_SAMPLES a merge turns them into an exponential histogram. */
export interface SampleDistribution {
  type: "samples";
  values: number[];
}

export type Distribution = ExplicitDistribution | ExponentialDistribution | SampleDistribution;

/** Exponential buckets of one sign kept by a merge (OpenTelemetry SDKs default to 160). */
export const MAX_EXPONENTIAL_BUCKETS = 160;
/** Samples kept exactly in one merged distribution before it becomes a histogram. */
export const MAX_SAMPLES = 256;
/** Buckets per sign when samples become a histogram: scale 4 or finer for 4 decades (±2.2 %). */
const SAMPLE_SKETCH_BUCKETS = 320;
/** OTLP's scale range. */
export const MIN_SCALE = -10;
export const MAX_SCALE = 20;

export function distributionCount(d: Distribution): number {
  return d.type === "samples" ? d.values.length : d.count;
}

export function distributionSum(d: Distribution): number {
  if (d.type !== "samples") return d.sum;
  let sum = 0;
  for (const v of d.values) sum += v;
  return sum;
}

/** The distribution's min and max (or bounds that hold its values); null when unknown, undefined when it is empty. */
export function distributionExtremes(d: Distribution): { min: number; max: number } | null | undefined {
  if (d.type === "samples") {
    if (d.values.length === 0) return undefined;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of d.values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  }
  if (!(d.count > 0)) return undefined;
  return Number.isNaN(d.min) || Number.isNaN(d.max) ? null : { min: d.min, max: d.max };
}

/** The mean of the recorded values; NaN when unknown or empty. */
export function distributionMean(d: Distribution): number {
  const count = distributionCount(d);
  return count > 0 ? distributionSum(d) / count : Number.NaN;
}

export function cloneDistribution(d: Distribution): Distribution {
  switch (d.type) {
    case "explicit":
      return { ...d, counts: d.counts.slice() };
    case "exponential":
      return {
        ...d,
        positive: { offset: d.positive.offset, counts: d.positive.counts.slice() },
        negative: { offset: d.negative.offset, counts: d.negative.counts.slice() },
      };
    case "samples":
      return { type: "samples", values: d.values.slice() };
  }
}

/**
 * `d` (owned by the caller) scaled in place to `share` of its values: its counts and sum, its least
 * and greatest value kept. The part of a histogram whose values were recorded over several steps that
 * falls in one of them. Samples are values, not counts, and are kept whole (no cumulative series has them).
 */
export function scaleDistribution(d: Distribution, share: number): Distribution {
  if (d.type === "samples" || share === 1) return d;
  d.count *= share;
  d.sum *= share;
  if (d.type === "explicit") {
    for (let k = 0; k < d.counts.length; k++) d.counts[k] = (d.counts[k] as number) * share;
  } else {
    d.zeroCount *= share;
    for (const side of [d.positive, d.negative])
      for (let k = 0; k < side.counts.length; k++) side.counts[k] = (side.counts[k] as number) * share;
  }
  return d;
}

/**
 * `from` added to `into` (owned by the caller; changed or replaced): the result to keep. Explicit
 * histograms with other bounds are re-bucketed into `into`'s bounds; samples past MAX_SAMPLES, or
 * met with an exponential histogram, become one. Kinds never meet otherwise (a series has one kind).
 */
export function mergeDistribution(into: Distribution, from: Distribution): Distribution {
  if (into.type === "explicit") {
    if (from.type === "explicit") mergeExplicit(into, from);
    return into;
  }
  if (into.type === "samples" && from.type === "samples") {
    if (into.values.length + from.values.length <= MAX_SAMPLES) {
      for (const v of from.values) into.values.push(v);
      return into;
    }
    return mergeExponential(samplesToExponential(into.values), samplesToExponential(from.values));
  }
  if (from.type === "explicit") return into;
  return mergeExponential(asExponential(into), asExponential(from));
}

function asExponential(d: ExponentialDistribution | SampleDistribution): ExponentialDistribution {
  return d.type === "samples" ? samplesToExponential(d.values) : d;
}

/** The same bounds (by value; the same array is the common case). */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mergeExplicit(into: ExplicitDistribution, from: ExplicitDistribution): void {
  const counts = sameBounds(into.bounds, from.bounds) ? from.counts : rebucket(from.bounds, from.counts, into.bounds);
  for (let i = 0; i < into.counts.length; i++) into.counts[i] = (into.counts[i] as number) + (counts[i] ?? 0);
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

/** Index of the first bucket of `bounds` whose upper bound is >= v (> v when `strict`). */
function bucketOf(bounds: readonly number[], v: number, strict: boolean): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = bounds[mid] as number;
    if (strict ? b > v : b >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Counts of one set of buckets moved into another: each source bucket's count goes whole to the
 * target bucket holding its middle (the first bucket's upper bound; just above the last bound for
 * the overflow bucket). Exact when the target bounds are a superset of the source's.
 */
export function rebucket(bounds: readonly number[], counts: readonly number[], target: readonly number[]): number[] {
  const out = new Array<number>(target.length + 1).fill(0);
  const n = bounds.length;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j] as number;
    if (c === 0) continue;
    let at: number;
    if (n === 0) at = target.length;
    else if (j === 0) at = bucketOf(target, bounds[0] as number, false);
    else if (j >= n) at = bucketOf(target, bounds[n - 1] as number, true);
    else at = bucketOf(target, ((bounds[j - 1] as number) + (bounds[j] as number)) / 2, false);
    out[at] = (out[at] as number) + c;
  }
  return out;
}

/**
 * Percentile `q` (0…1) of an explicit-bucket histogram: the bucket holding rank q·count, and a
 * linear interpolation inside it, kept within [min, max] when they are known. The open first and last
 * buckets (and the one bucket of a histogram without bounds) are closed by the recorded min and max.
 * Without a min, the first bucket starts at 0 when the sum is known: OTLP fills in a histogram's sum
 * only when it records no negative values. Without a max, the last bound (explicitLowerBounds says
 * the answer is only a lower bound). A percentile in a bucket still open at an end it needs (below
 * the first bound with nothing to close it, or without bounds and without a max) is not known: NaN,
 * rather than a number made up. NaN when the histogram is empty too.
 */
export function explicitQuantile(
  bounds: readonly number[],
  counts: readonly number[],
  q: number,
  min = Number.NaN,
  max = Number.NaN,
  sum = Number.NaN,
): number {
  return explicitQuantiles(bounds, counts, [q], min, max, sum)[0] as number;
}

/**
 * Percentiles `qs` (0…1, ascending) of the explicit buckets `counts[offset … offset + length)`, each as
 * `explicitQuantile` answers it, in one walk over the buckets (the rank only moves up).
 */
export function explicitQuantiles(
  bounds: readonly number[],
  counts: ArrayLike<number>,
  qs: readonly number[],
  min = Number.NaN,
  max = Number.NaN,
  sum = Number.NaN,
  offset = 0,
  length = counts.length - offset,
): number[] {
  const end = offset + length;
  let total = 0;
  for (let k = offset; k < end; k++) total += counts[k] as number;
  const out = new Array<number>(qs.length);
  const least = leastValue(bounds, min, sum);
  let below = 0;
  let i = offset;
  for (let j = 0; j < qs.length; j++) {
    if (total <= 0) {
      out[j] = Number.NaN;
      continue;
    }
    const rank = (qs[j] as number) * total;
    // The bucket where the cumulative count first reaches the rank (rank 0: the first non-empty one).
    for (; i < end; i++) {
      const c = counts[i] as number;
      if (c > 0 && below + c >= rank) break;
      below += c;
    }
    const at = i < end ? i : end - 1;
    out[j] = inBucket(bounds, at - offset, counts[at] as number, rank - below, least, min, max);
  }
  return out;
}

/**
 * The least value the first bucket (the only one without bounds) can hold: the min when known; else 0
 * when the sum is known (no negative values) and the bucket reaches 0; else NaN, not known.
 */
function leastValue(bounds: readonly number[], min: number, sum: number): number {
  if (!Number.isNaN(min)) return min;
  if (Number.isNaN(sum)) return Number.NaN;
  return bounds.length === 0 || (bounds[0] as number) >= 0 ? 0 : Number.NaN;
}

/**
 * Which of percentiles `qs` of the explicit buckets `counts[offset … offset + length)` fall in the
 * open last bucket while no `max` closes it: explicitQuantiles answers the last bound for them, and
 * all that is known is that they are at least that.
 */
export function explicitLowerBounds(
  bounds: readonly number[],
  counts: ArrayLike<number>,
  qs: readonly number[],
  max: number,
  offset = 0,
  length = counts.length - offset,
): boolean[] {
  const out = qs.map(() => false);
  const overflow = counts[offset + length - 1] ?? 0;
  if (bounds.length === 0 || !Number.isNaN(max) || !(overflow > 0)) return out;
  let below = 0;
  for (let k = offset; k < offset + length - 1; k++) below += counts[k] as number;
  // The rank falls past the closed buckets (or, with all values in the open one, anywhere).
  for (let j = 0; j < qs.length; j++) out[j] = below === 0 || (qs[j] as number) * (below + overflow) > below;
  return out;
}

/**
 * The value at `into` (a count) inside bucket i holding c values, by linear interpolation; `least` closes
 * the first bucket from below. NaN when the bucket is open at an end nothing closes.
 */
function inBucket(
  bounds: readonly number[],
  i: number,
  c: number,
  into: number,
  least: number,
  min: number,
  max: number,
): number {
  const n = bounds.length;
  let lower: number;
  let upper: number;
  if (n === 0) {
    // One bucket for every value: only the least value and the max say where they lie.
    if (Number.isNaN(least) || Number.isNaN(max)) return Number.NaN;
    lower = least;
    upper = Math.max(max, lower);
  } else if (i === 0) {
    const first = bounds[0] as number;
    if (Number.isNaN(least)) return Number.NaN;
    upper = first;
    lower = Math.min(least, first);
  } else if (i >= n) {
    lower = bounds[n - 1] as number;
    upper = Number.isNaN(max) ? lower : Math.max(max, lower);
  } else {
    lower = bounds[i - 1] as number;
    upper = bounds[i] as number;
  }
  // The values in a bucket lie within the distribution's min and max too: the bucket that holds the
  // least or greatest value is only that wide. Local requests of 0.4 to 2.4 ms all in the SDK's first
  // bucket (0, 5 ms] otherwise read p50 = p95 = p99 = 2.4 ms, interpolated up to 5 ms and clamped.
  if (!Number.isNaN(min) && min > lower && min <= upper) lower = min;
  if (!Number.isNaN(max) && max < upper && max >= lower) upper = max;
  const fraction = c > 0 ? Math.min(Math.max(into / c, 0), 1) : 1;
  return clamp(lower + (upper - lower) * fraction, min, max);
}

function clamp(v: number, min: number, max: number): number {
  let out = v;
  if (!Number.isNaN(min) && out < min) out = min;
  if (!Number.isNaN(max) && out > max) out = max;
  return out;
}

/**
 * base^index for an exponential histogram of this scale: 2^(index · 2^-scale), at most the largest
 * double. At scale -10 the base is 2^1024, past any double: the bucket above 1 holds every larger
 * value a double can hold, and ends at the largest one (see openAbove), not at Infinity.
 */
export function exponentialBound(scale: number, index: number): number {
  return Math.min(2 ** (index * 2 ** -scale), Number.MAX_VALUE);
}

/** Whether an exponential bucket's far end (base^(k+1)) lies past every double: only min or max close it. */
function openAbove(scale: number, k: number): boolean {
  return exponentialBound(scale, k + 1) === Number.MAX_VALUE;
}

/** The index of the positive bucket that holds magnitude v (> 0) at this scale. */
export function exponentialIndex(scale: number, v: number): number {
  // Bucket k is (base^k, base^(k+1)]: k = ceil(log2(v) · 2^scale) - 1.
  return Math.ceil(Math.log2(v) * 2 ** scale) - 1;
}

/**
 * Percentile `q` of an exponential histogram: buckets in value order (negative buckets from the
 * largest magnitude, the zero bucket, positive buckets), linear interpolation inside the bucket
 * that holds the rank, kept within [min, max] when known. A bucket reaching past every double (scale
 * -10) is closed by the max (the min for a negative one); without it the positive one's answer is its
 * lower end, only a lower bound (exponentialLowerBounds), and the negative one's is not known (NaN).
 * NaN when empty.
 */
export function exponentialQuantile(d: ExponentialDistribution, q: number): number {
  const at = exponentialRank(d, q);
  if (at === null) return Number.NaN;
  const { side, k, fraction } = at;
  if (side === "zero") return clamp(-d.zeroThreshold + 2 * d.zeroThreshold * fraction, d.min, d.max);
  if (side === "past") return Number.isNaN(d.max) ? exponentialBound(d.scale, k) : d.max;
  const near = exponentialBound(d.scale, k);
  let far = exponentialBound(d.scale, k + 1);
  if (openAbove(d.scale, k)) {
    const bound = side === "positive" ? d.max : -d.min;
    if (Number.isNaN(bound)) return side === "positive" ? near : Number.NaN;
    far = Math.max(bound, near);
  }
  const v = side === "positive" ? near + (far - near) * fraction : -far + (far - near) * fraction;
  return clamp(v, d.min, d.max);
}

/**
 * Which of percentiles `qs` of an exponential histogram are only lower bounds: in a positive bucket
 * reaching past every double, with no max to close it.
 */
export function exponentialLowerBounds(d: ExponentialDistribution, qs: readonly number[]): boolean[] {
  return qs.map((q) => {
    if (!Number.isNaN(d.max)) return false;
    const at = exponentialRank(d, q);
    return at !== null && at.side === "positive" && openAbove(d.scale, at.k);
  });
}

/**
 * The bucket holding rank q·count: its side, its index and how far into it the rank is (0…1). "past":
 * beyond the last bucket (rounding), k the index after it. Null when the histogram is empty.
 */
function exponentialRank(
  d: ExponentialDistribution,
  q: number,
): { side: "negative" | "zero" | "positive" | "past"; k: number; fraction: number } | null {
  const neg = d.negative.counts;
  const pos = d.positive.counts;
  let total = d.zeroCount;
  for (const c of neg) total += c;
  for (const c of pos) total += c;
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  const within = (c: number) => (c > 0 ? Math.min(Math.max((rank - below) / c, 0), 1) : 1);
  for (let i = neg.length - 1; i >= 0; i--) {
    const c = neg[i] as number;
    if (c > 0 && below + c >= rank) return { side: "negative", k: d.negative.offset + i, fraction: within(c) };
    below += c;
  }
  if (d.zeroCount > 0 && below + d.zeroCount >= rank) return { side: "zero", k: 0, fraction: within(d.zeroCount) };
  below += d.zeroCount;
  for (let i = 0; i < pos.length; i++) {
    const c = pos[i] as number;
    if (c > 0 && below + c >= rank) return { side: "positive", k: d.positive.offset + i, fraction: within(c) };
    below += c;
  }
  return { side: "past", k: d.positive.offset + pos.length, fraction: 1 };
}

/** Which of percentiles `qs` of a distribution are only lower bounds (see explicitLowerBounds). */
export function distributionLowerBounds(d: Distribution, qs: readonly number[]): boolean[] {
  if (d.type === "explicit") return explicitLowerBounds(d.bounds, d.counts, qs, d.max);
  if (d.type === "exponential") return exponentialLowerBounds(d, qs);
  return qs.map(() => false);
}

function ascending(qs: readonly number[]): boolean {
  for (let j = 1; j < qs.length; j++) if ((qs[j] as number) < (qs[j - 1] as number)) return false;
  return true;
}

/** Percentiles `qs` (0…1) of a distribution, in order; NaN for each when it is empty. */
export function distributionQuantiles(d: Distribution, qs: readonly number[]): number[] {
  switch (d.type) {
    case "explicit":
      return ascending(qs)
        ? explicitQuantiles(d.bounds, d.counts, qs, d.min, d.max, d.sum)
        : qs.map((q) => explicitQuantile(d.bounds, d.counts, q, d.min, d.max, d.sum));
    case "exponential":
      return qs.map((q) => exponentialQuantile(d, q));
    case "samples": {
      if (d.values.length === 0) return qs.map(() => Number.NaN);
      // Nearest rank over the values themselves: a sample's percentile is a value that was recorded.
      const sorted = Float64Array.from(d.values).sort();
      const asArray = Array.from(sorted);
      return qs.map((q) => percentile(asArray, q * 100));
    }
  }
}

/** Buckets `counts` (first index `offset`) moved to a scale `by` steps coarser (new arrays). */
export function downscaleBuckets(
  b: { offset: number; counts: readonly number[] },
  by: number,
): { offset: number; counts: number[] } {
  if (by === 0 || b.counts.length === 0) return { offset: b.offset, counts: b.counts.slice() };
  const offset = b.offset >> by;
  const last = (b.offset + b.counts.length - 1) >> by;
  const counts = new Array<number>(last - offset + 1).fill(0);
  for (let i = 0; i < b.counts.length; i++) {
    const at = ((b.offset + i) >> by) - offset;
    counts[at] = (counts[at] as number) + (b.counts[i] as number);
  }
  return { offset, counts };
}

/** The same histogram at a scale `by` steps coarser (a new object). */
export function downscaleExponential(d: ExponentialDistribution, by: number): ExponentialDistribution {
  return {
    ...d,
    scale: d.scale - by,
    positive: downscaleBuckets(d.positive, by),
    negative: downscaleBuckets(d.negative, by),
  };
}

/** How many steps coarser a scale must get for buckets [low, high] to span at most `max` buckets. */
export function stepsToFit(low: number, high: number, max: number): number {
  let by = 0;
  while ((high >> by) - (low >> by) + 1 > max) by++;
  return by;
}

function indexRange(...parts: { offset: number; counts: readonly number[] }[]): [number, number] | null {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const p of parts) {
    if (p.counts.length === 0) continue;
    low = Math.min(low, p.offset);
    high = Math.max(high, p.offset + p.counts.length - 1);
  }
  return low <= high ? [low, high] : null;
}

function addBuckets(into: { offset: number; counts: number[] }, from: { offset: number; counts: number[] }): void {
  if (from.counts.length === 0) return;
  if (into.counts.length === 0) {
    into.offset = from.offset;
    into.counts = from.counts.slice();
    return;
  }
  const low = Math.min(into.offset, from.offset);
  const high = Math.max(into.offset + into.counts.length, from.offset + from.counts.length);
  if (low !== into.offset || high !== into.offset + into.counts.length) {
    const grown = new Array<number>(high - low).fill(0);
    for (let i = 0; i < into.counts.length; i++) grown[into.offset - low + i] = into.counts[i] as number;
    into.offset = low;
    into.counts = grown;
  }
  for (let i = 0; i < from.counts.length; i++) {
    const at = from.offset - into.offset + i;
    into.counts[at] = (into.counts[at] as number) + (from.counts[i] as number);
  }
}

/**
 * Two exponential histograms as one (new object): both brought to the coarser scale, and coarser
 * still while either sign would need more than `maxBuckets` buckets.
 */
export function mergeExponential(
  a: ExponentialDistribution,
  b: ExponentialDistribution,
  maxBuckets = MAX_EXPONENTIAL_BUCKETS,
): ExponentialDistribution {
  let scale = Math.min(a.scale, b.scale);
  for (const sign of ["positive", "negative"] as const) {
    const range = indexRange(downscaleBuckets(a[sign], a.scale - scale), downscaleBuckets(b[sign], b.scale - scale));
    if (range !== null) scale -= stepsToFit(range[0], range[1], maxBuckets);
  }
  scale = Math.max(scale, MIN_SCALE);
  const out = downscaleExponential(a, a.scale - scale);
  const other = downscaleExponential(b, b.scale - scale);
  addBuckets(out.positive, other.positive);
  addBuckets(out.negative, other.negative);
  out.zeroCount += b.zeroCount;
  out.zeroThreshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  out.count += b.count;
  out.sum += b.sum;
  out.min = Math.min(a.min, b.min);
  out.max = Math.max(a.max, b.max);
  return out;
}

/** Samples as an exponential histogram, at the finest scale whose buckets span them in SAMPLE_SKETCH_BUCKETS. */
export function samplesToExponential(values: readonly number[]): ExponentialDistribution {
  let smallest = Number.POSITIVE_INFINITY;
  let largest = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    const m = Math.abs(v);
    if (m > 0) {
      smallest = Math.min(smallest, m);
      largest = Math.max(largest, m);
    }
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  let scale = MAX_SCALE;
  if (largest > 0) {
    scale -= stepsToFit(
      exponentialIndex(MAX_SCALE, smallest),
      exponentialIndex(MAX_SCALE, largest),
      SAMPLE_SKETCH_BUCKETS,
    );
  }
  const d: ExponentialDistribution = {
    type: "exponential",
    scale,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
    count: values.length,
    sum: values.length > 0 ? sum : 0,
    min: values.length > 0 ? min : Number.NaN,
    max: values.length > 0 ? max : Number.NaN,
  };
  for (const v of values) {
    if (v === 0) d.zeroCount++;
    else addBuckets(v > 0 ? d.positive : d.negative, { offset: exponentialIndex(scale, Math.abs(v)), counts: [1] });
  }
  return d;
}

/**
 * Bucket counts of `d` per index in [low, high] at `scale` (d's own scale is finer or equal):
 * positive values in their buckets, zero and negative values in the first, and anything past
 * `high` in the last. For the heatmap, which needs one set of rows for every step.
 */
export function exponentialRow(d: ExponentialDistribution, scale: number, low: number, high: number): number[] {
  const row = new Array<number>(high - low + 3).fill(0);
  const pos = downscaleBuckets(d.positive, Math.max(d.scale - scale, 0));
  let below = d.zeroCount;
  for (const c of d.negative.counts) below += c;
  row[0] = below;
  for (let i = 0; i < pos.counts.length; i++) {
    const k = pos.offset + i;
    const at = k < low ? 0 : k > high ? row.length - 1 : k - low + 1;
    row[at] = (row[at] as number) + (pos.counts[i] as number);
  }
  return row;
}

/** Upper bounds of the rows exponentialRow fills: base^low, then each bucket's upper bound. */
export function exponentialRowBounds(scale: number, low: number, high: number): number[] {
  const bounds: number[] = [];
  for (let k = low; k <= high + 1; k++) bounds.push(exponentialBound(scale, k));
  return bounds;
}

/** The scale and index range that fit every positive bucket of `d` in at most `rows` rows. */
export function heatmapRange(
  d: ExponentialDistribution,
  rows: number,
): { scale: number; low: number; high: number } | null {
  const range = indexRange(d.positive);
  if (range === null) return null;
  const by = stepsToFit(range[0], range[1], rows);
  return { scale: d.scale - by, low: range[0] >> by, high: range[1] >> by };
}
