/**
 * Points of one metric sent in another unit than the one it is stored in (two services measuring one
 * duration in ms and in s): converted to the stored unit where the two measure the same thing, so
 * that every series of a metric, and the percentiles over all of them, read in one unit. Pure.
 */
import type { Exemplar, MetricPoints, NumberPoint } from "./metric.js";
import { parseUnit } from "./metric-units.js";

/** A factor computed from two scales, without the float noise of the division (1e-6 / 1e-3). */
const clean = (n: number) => Number(n.toPrecision(12));

/** Unit kinds whose units are known measures, with a size each: their values can be converted. */
const KNOWN: ReadonlySet<string> = new Set(["duration", "bytes", "measure", "percent"]);

/**
 * What a value in unit `sent` is multiplied by to read in unit `stored`: null only when both are
 * known units of different measures (ms and By, s/s and s, Cel and W, % and ms), the factor between
 * two units of one measure (1000 from s to ms), else 1: the same unit, none on either side, or a unit
 * not known here (`bytes`, `{request}`, `requests`), which is taken as it is, as before.
 */
export function unitFactor(stored: string, sent: string): number | null {
  const to = stored.trim();
  const from = sent.trim();
  if (to === from || to === "" || from === "") return 1;
  const a = parseUnit(to);
  const b = parseUnit(from);
  if (!KNOWN.has(a.kind) || !KNOWN.has(b.kind)) return 1;
  if (a.kind !== b.kind || a.per !== b.per) return null;
  if (a.kind === "measure" && a.word !== b.word) return null;
  return clean(b.scale / a.scale);
}

/** A value times `factor`, to 15 significant digits (1.1 s is 1100 ms, not 1100.0000000000002). */
function times(value: number, factor: number): number {
  return Number((value * factor).toPrecision(15));
}

const scaledOrNull = (value: number | null, factor: number) => (value === null ? null : times(value, factor));

function scaledExemplars(exemplars: readonly Exemplar[], factor: number): Exemplar[] {
  return exemplars.map((exemplar) => ({ ...exemplar, value: times(exemplar.value, factor) }));
}

function scaledNumberPoint(point: NumberPoint, factor: number): NumberPoint {
  return { ...point, value: times(point.value, factor), exemplars: scaledExemplars(point.exemplars, factor) };
}

/**
 * `data`, sent in unit `sent`, in the metric's unit `stored` (none yet: as it is): its values
 * multiplied by unitFactor; null when it cannot be (another measure, or an exponential histogram,
 * whose buckets, powers of a base, no factor moves exactly). `tagged`: a TraceKit SDK's points, each
 * naming its unit in its `unit` tag, which names its series: each converted by its own, its tag then
 * `stored`, a point in another measure left out.
 */
export function pointsInUnit(data: MetricPoints, stored: string, sent: string, tagged: boolean): MetricPoints | null {
  if (stored === "") return data;
  if (tagged) return taggedInUnit(data, stored);
  const factor = unitFactor(stored, sent);
  if (factor === null) return null;
  return factor === 1 ? data : scaledPoints(data, factor);
}

function taggedInUnit(data: MetricPoints, stored: string): MetricPoints | null {
  if (data.kind !== "gauge" && data.kind !== "sum") return data;
  const points: NumberPoint[] = [];
  for (const point of data.points) {
    const tag = point.attributes.unit;
    const factor = typeof tag === "string" ? unitFactor(stored, tag) : 1;
    if (factor === null) continue;
    points.push(
      factor === 1 ? point : { ...scaledNumberPoint(point, factor), attributes: { ...point.attributes, unit: stored } },
    );
  }
  return points.length === 0 ? null : { kind: data.kind, points };
}

/** The points with their values multiplied by `factor` (see unitFactor); null for an exponential histogram. */
export function scaledPoints(data: MetricPoints, factor: number): MetricPoints | null {
  switch (data.kind) {
    case "gauge":
    case "sum":
      return { kind: data.kind, points: data.points.map((p) => scaledNumberPoint(p, factor)) };
    case "histogram":
      return {
        kind: data.kind,
        points: data.points.map((p) => ({
          ...p,
          sum: scaledOrNull(p.sum, factor),
          min: scaledOrNull(p.min, factor),
          max: scaledOrNull(p.max, factor),
          bounds: p.bounds.map((bound) => times(bound, factor)),
          exemplars: scaledExemplars(p.exemplars, factor),
        })),
      };
    case "summary":
      return {
        kind: data.kind,
        points: data.points.map((p) => ({
          ...p,
          sum: times(p.sum, factor),
          quantiles: p.quantiles.map((q) => ({ ...q, value: times(q.value, factor) })),
          exemplars: scaledExemplars(p.exemplars, factor),
        })),
      };
    case "exponentialHistogram":
      return null;
  }
}
