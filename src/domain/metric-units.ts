/**
 * Metric units (UCUM, as OpenTelemetry sends them) → how their values are read and written: durations,
 * bytes, percentages, counted things (`{request}`), measures in their symbols (`Cel` → °C, `W`, `Hz`,
 * `bit`) or anything else as a plain suffix. Pure.
 */
import { formatDuration } from "./duration-text.js";

export type UnitKind = "duration" | "bytes" | "percent" | "ratio" | "measure" | "count";

export interface MetricUnit {
  kind: UnitKind;
  /** The unit as sent ("" for none). */
  raw: string;
  /** One stored value in the kind's base unit: seconds for durations, bytes for bytes, a measure's unprefixed unit (W for `kW`); 1 otherwise. */
  scale: number;
  /**
   * "count": what is counted ("request", "requests"), or the raw unit ("lx"), or ""; "measure": the
   * unit's symbol ("°C", "W"), written after the value with the metric prefix its size calls for.
   */
  word: string;
  plural: string;
  /** A per-time unit as sent (`By/s`, `{packet}/s`): written after every value. */
  per: string;
}

const DURATIONS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  min: 60,
  h: 3600,
  d: 86_400,
};

const BYTE_PREFIXES: Record<string, number> = {
  "": 1,
  // UCUM's kilo is `k` (`kBy`); `K` is how many write it.
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/**
 * UCUM units of the measures OpenTelemetry's semantic conventions use, by their symbol as written:
 * those that take metric prefixes (`kW`, `MHz`, `mV`, `Mbit`) and those that do not (a temperature
 * is "22 °C", never "0.022 k°C").
 */
const PREFIXED_MEASURES: Record<string, string> = { W: "W", J: "J", Hz: "Hz", V: "V", A: "A", bit: "bit", m: "m" };
const PLAIN_MEASURES: Record<string, string> = { Cel: "°C", "[degF]": "°F", K: "K" };
const METRIC_PREFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, µ: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A measure's unit (`Cel`, `W`, `kW`, `GHz`) as the kind "measure", or null. */
function measureOf(raw: string, unit: string): MetricUnit | null {
  const plain = PLAIN_MEASURES[unit];
  if (plain !== undefined) return { kind: "measure", raw, scale: 1, word: plain, plural: plain, per: "" };
  for (const [sent, symbol] of Object.entries(PREFIXED_MEASURES)) {
    if (!unit.endsWith(sent)) continue;
    const prefix = unit.slice(0, unit.length - sent.length);
    const scale = prefix === "" ? 1 : METRIC_PREFIXES[prefix];
    if (scale !== undefined) return { kind: "measure", raw, scale, word: symbol, plural: symbol, per: "" };
  }
  return null;
}

function plural(word: string): string {
  if (word === "" || /s$/.test(word)) return word;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(x|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

function unitOf(kind: UnitKind, raw: string, scale = 1, word = "", per = ""): MetricUnit {
  return { kind, raw, scale, word, plural: kind === "count" && word !== "" && word === raw ? word : plural(word), per };
}

/**
 * Reads a UCUM unit: `ms`, `s`, `By`, `KiBy`, `%`, `1`, `{request}`, `By/s`, `{packet}/s`… UCUM's `1` is
 * "dimensionless", a plain number (a level, a count, a score): only metricUnit reads it as a ratio.
 */
export function parseUnit(raw: string): MetricUnit {
  const unit = raw.trim();
  if (unit === "" || unit === "1") return unitOf("count", raw);
  if (unit === "%") return unitOf("percent", raw);
  const slash = unit.indexOf("/");
  if (slash > 0 && slash < unit.length - 1 && !unit.startsWith("{")) {
    const inner = parseUnit(unit.slice(0, slash));
    if (inner.kind === "duration" || inner.kind === "bytes" || inner.kind === "measure" || inner.word !== inner.raw) {
      return { ...inner, raw, per: `/${unit.slice(slash + 1)}` };
    }
  }
  if (unit.startsWith("{") && unit.includes("}/")) {
    const close = unit.indexOf("}");
    const inner = parseUnit(unit.slice(0, close + 1));
    return { ...inner, raw, per: unit.slice(close + 1) };
  }
  const duration = DURATIONS[unit];
  if (duration !== undefined) return unitOf("duration", raw, duration);
  const bytes = /^(k|K|M|G|T|Ki|Mi|Gi|Ti)?By$/.exec(unit);
  if (bytes) return unitOf("bytes", raw, BYTE_PREFIXES[bytes[1] ?? ""] as number);
  const measure = measureOf(raw, unit);
  if (measure !== null) return measure;
  const annotation = /^\{([^{}]*)\}$/.exec(unit);
  if (annotation) {
    const word = (annotation[1] as string).trim();
    return { ...unitOf("count", raw, 1, word), plural: plural(word) };
  }
  // An annotation after a unit (`By{compressed}`) reads as the unit.
  const annotated = /^([^{}]+)\{[^{}]*\}$/.exec(unit);
  if (annotated) return { ...parseUnit(annotated[1] as string), raw };
  return unitOf("count", raw, 1, unit);
}

/**
 * A metric's unit as the page names it beside the metric: as sent, except UCUM's `1` ("dimensionless"),
 * which says the values have no unit: written "1" beside a kind and a series count it read as a number.
 */
export function unitLabel(raw: string): string {
  const unit = raw.trim();
  return unit === "1" ? "" : unit;
}

/** A duration unit's name by its size in seconds (`us` → "µs"). */
const DURATION_NAMES = new Map<number, string>([
  [1e-9, "ns"],
  [1e-6, "µs"],
  [1e-3, "ms"],
  [1, "s"],
  [60, "min"],
  [3600, "h"],
  [86_400, "d"],
]);

/** A byte unit's name by its size in bytes: binary as the values are written, decimal as sent. */
const BYTE_NAMES = new Map<number, string>([
  [1, "bytes"],
  [1e3, "kB"],
  [1e6, "MB"],
  [1e9, "GB"],
  [1e12, "TB"],
  [1024, "KiB"],
  [1024 ** 2, "MiB"],
  [1024 ** 3, "GiB"],
  [1024 ** 4, "TiB"],
]);

/**
 * A metric's unit as a person reads it, in the symbols its values are written with: `Cel` → "°C",
 * `[degF]` → "°F", `By` → "bytes", `KiBy/s` → "KiB/s", `us` → "µs", `{request}` → "requests",
 * `{packet}/s` → "packets/s"; "" for none and for UCUM's `1` (see unitLabel). A unit it does not know
 * reads as sent ("lx"). Where it differs from the unit as sent, show that too (a tooltip), so the
 * code a query or an SDK uses can still be found.
 */
export function unitName(raw: string): string {
  const label = unitLabel(raw);
  if (label === "") return "";
  const unit = parseUnit(label);
  let name: string | undefined;
  if (unit.kind === "duration") name = DURATION_NAMES.get(unit.scale);
  else if (unit.kind === "bytes") name = BYTE_NAMES.get(unit.scale);
  else if (unit.kind === "percent") name = "%";
  else if (unit.kind === "measure") {
    const prefix = unit.scale === 1 ? "" : MEASURE_PREFIXES.find((p) => p.size === unit.scale)?.symbol;
    name = prefix === undefined ? undefined : `${prefix}${unit.word}`;
  } else if (unit.plural !== "") name = unit.plural;
  return name === undefined ? label : `${name}${unit.per}`;
}

/** Names of metrics whose unit `1` is a share of a whole: `system.cpu.utilization`, `cache.hit_ratio`. */
const RATIO_NAME = /[._](utilization|utilisation|ratio|usage|fraction)$/i;

/**
 * A metric's unit as its values are read: `1` is a plain number unless the name says the metric is a
 * share of a whole (ends in utilization, ratio, usage or fraction) and every value is one, in [0, 1]:
 * then it is written as a percentage (0.42 → "42%"). A gauge at 10 in `1` reads "10", not "1000%".
 */
export function metricUnit(name: string, raw: string, values: Iterable<number | null | undefined> = []): MetricUnit {
  const unit = parseUnit(raw);
  if (raw.trim() !== "1" || !RATIO_NAME.test(name)) return unit;
  for (const value of values) {
    if (value !== null && value !== undefined && Number.isFinite(value) && (value < 0 || value > 1)) return unit;
  }
  return unitOf("ratio", raw);
}

/** A unit in which values of one kind are written, with its size in the kind's base unit. */
interface DisplayUnit {
  symbol: string;
  size: number;
}

const DURATION_DISPLAY: DisplayUnit[] = [
  { symbol: "ns", size: 1e-9 },
  { symbol: "µs", size: 1e-6 },
  { symbol: "ms", size: 1e-3 },
  { symbol: "s", size: 1 },
  // The symbols formatDuration writes everywhere else in the app ("1.5s", "4m", "2h").
  { symbol: "m", size: 60 },
  { symbol: "h", size: 3600 },
];
const BYTES_DISPLAY: DisplayUnit[] = [
  { symbol: "B", size: 1 },
  { symbol: "KiB", size: 1024 },
  { symbol: "MiB", size: 1024 ** 2 },
  { symbol: "GiB", size: 1024 ** 3 },
  { symbol: "TiB", size: 1024 ** 4 },
];
const COUNT_DISPLAY: DisplayUnit[] = [
  { symbol: "", size: 1 },
  { symbol: "k", size: 1e3 },
  { symbol: "M", size: 1e6 },
  { symbol: "G", size: 1e9 },
  { symbol: "T", size: 1e12 },
];

/** The metric prefixes a measure is written with: the small ones, then a count's (k, M, G, T). */
const MEASURE_PREFIXES: DisplayUnit[] = [
  { symbol: "n", size: 1e-9 },
  { symbol: "µ", size: 1e-6 },
  { symbol: "m", size: 1e-3 },
  ...COUNT_DISPLAY,
];

function displayUnits(unit: MetricUnit): DisplayUnit[] {
  if (unit.kind === "duration") return DURATION_DISPLAY;
  if (unit.kind === "bytes") return BYTES_DISPLAY;
  if (unit.kind === "measure") {
    // The unit's own symbol, with a metric prefix where it takes one ("1.5 kW"; "22 °C" alone).
    if (!Object.values(PREFIXED_MEASURES).includes(unit.word)) return [{ symbol: unit.word, size: 1 }];
    return MEASURE_PREFIXES.map((p) => ({ symbol: `${p.symbol}${unit.word}`, size: p.size }));
  }
  return COUNT_DISPLAY;
}

/** Values in the kind's base unit (seconds, bytes, a ratio 0..1, a count). */
function toBase(value: number, unit: MetricUnit): number {
  if (unit.kind === "percent") return value / 100;
  return value * unit.scale;
}

/** The largest display unit that keeps `magnitude` (in base units) at 1 or more. */
function pickDisplay(magnitude: number, unit: MetricUnit): DisplayUnit {
  const kind = unit.kind;
  const units = displayUnits(unit);
  let chosen = units[0] as DisplayUnit;
  // Durations stay in seconds below a few minutes: "90s" reads better than "1.5m".
  const limit = (u: DisplayUnit) => (kind === "duration" && u.symbol === "m" ? u.size * 3 : u.size);
  for (const u of units) if (magnitude >= limit(u) * 0.9999999) chosen = u;
  return chosen;
}

function fixed(value: number, decimals: number): string {
  const text = value.toFixed(Math.max(0, Math.min(decimals, 9)));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * `digits` significant digits (3 unless told), no trailing zeros, never rounding away whole digits, at
 * most 9 decimals: 1.234 → "1.23" (2: "1.2"), 12.34 → "12.3" (2: "12"), 1234 → "1234".
 */
function significant(value: number, digits = 3): string {
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  const whole = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 0;
  const decimals = abs >= 1 ? Math.max(0, digits - whole) : Math.min(9, digits - 1 - Math.floor(Math.log10(abs)));
  return fixed(value, decimals);
}

/** "12345.5" → "12,345.5": thousands apart, as the axis writes plain counts. */
function grouped(text: string): string {
  const [int, frac] = text.split(".");
  const digits = (int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? digits : `${digits}.${frac}`;
}

function suffix(unit: MetricUnit, symbol: string, value: number, perSecond: boolean): string {
  const rate = perSecond ? "/s" : unit.per;
  // Durations are written as formatDuration writes them, the unit right after the number ("12.3ms").
  if (unit.kind === "duration") return `${symbol}${rate}`;
  if (unit.kind === "bytes" || unit.kind === "measure") return ` ${symbol}${rate}`;
  if (unit.kind === "percent" || unit.kind === "ratio") return `%${rate}`;
  const word =
    unit.word === "" ? "" : ` ${Math.abs(value) === 1 && symbol === "" && !perSecond ? unit.word : unit.plural}`;
  return `${symbol}${word}${rate}`;
}

/**
 * A percentile as a person reads it: "≥ 10ms" when it is only a lower bound (it fell in the open last
 * bucket of a histogram that sent no max, so all that is known is that it is at least the last bound).
 */
export function formatPercentile(value: number | null | undefined, unit: MetricUnit, atLeast: boolean): string {
  const text = formatMetricValue(value, unit);
  return atLeast && text !== "–" ? `≥ ${text}` : text;
}

/**
 * One value as a person reads it: `0.0123` s → "12.3ms", `1536` By → "1.5 KiB", `0.42` (a ratio) → "42%",
 * `3` `{request}` → "3 requests". `perSecond` writes a rate ("12 requests/s", "1.5 KiB/s").
 */
export function formatMetricValue(
  value: number | null | undefined,
  unit: MetricUnit,
  perSecond = false,
  /**
   * Significant digits: 2 for labels that only place a value (a heatmap's bucket bounds), more where two
   * such labels would otherwise read alike (bounds 2.9999987 and 3.0000007 both "3").
   */
  digits = 3,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const base = toBase(value, unit);
  if (unit.kind === "percent" || unit.kind === "ratio")
    return `${significant(base * 100, digits)}${suffix(unit, "", 0, perSecond)}`;
  // A plain duration reads exactly as a span's does ("1.53s", "1m 35s"); rates, bucket bounds at two
  // digits, and times under a microsecond or below zero (which formatDuration does not write) follow.
  if (unit.kind === "duration" && !perSecond && unit.per === "" && digits === 3 && base >= 1e-6) {
    return formatDuration(base * 1000);
  }
  // Zero is written in the unit as sent ("0ms" for a metric in ms).
  const display = pickDisplay(base === 0 ? unit.scale : Math.abs(base), unit);
  const shown = base / display.size;
  return `${significant(shown, digits)}${suffix(unit, display.symbol, shown, perSecond)}`;
}

/**
 * One value in the display unit of a value axis over `axis` (stored units, the chart's y range), as its
 * ticks write it: a legend or tooltip beside an axis in KiB/s says "0.977 KiB/s", not "1000 B/s". A
 * plain duration still reads as a span's does ("1.53s"), and a percentage is one in any display.
 */
export function formatOnAxis(
  value: number | null | undefined,
  unit: MetricUnit,
  perSecond: boolean,
  axis: readonly [number, number],
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const plainDuration = unit.kind === "duration" && !perSecond && unit.per === "";
  if (plainDuration || unit.kind === "percent" || unit.kind === "ratio") {
    return formatMetricValue(value, unit, perSecond);
  }
  const { display, factor } = displayFor(axis, unit);
  const shown = (value * factor) / display.size;
  return `${significant(shown)}${suffix(unit, display.symbol, shown, perSecond)}`;
}

/** 1-2-5 steps: the smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`. */
function niceStep(raw: number): number {
  const exponent = Math.floor(Math.log10(raw));
  const base = 10 ** exponent;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= raw * 0.9999999) return m * base;
  return 10 * base;
}

/** How many decimals write `step` (and its multiples) exactly: 0.25 → 2, 5 → 0. */
function decimalsOf(step: number): number {
  for (let d = 0; d < 9; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return d;
  }
  return 9;
}

export interface AxisTicks {
  /** Tick positions in the stored values' own unit (what the chart's scale holds). */
  values: number[];
  /** One label per tick, all in one display unit. */
  labels: string[];
}

/** Axis labels of counts stay plain numbers ("1,000", "25,000") below this, then k, M…: "0k / 1k" read badly. */
const PLAIN_COUNTS_BELOW = 100_000;

function displayFor(values: readonly number[], unit: MetricUnit): { display: DisplayUnit; factor: number } {
  const factor = unit.kind === "percent" ? 1 / 100 : unit.scale;
  if (unit.kind === "percent" || unit.kind === "ratio") return { display: { symbol: "", size: 0.01 }, factor };
  let magnitude = 0;
  for (const v of values) magnitude = Math.max(magnitude, Math.abs(v * factor));
  if (unit.kind === "count" && magnitude < PLAIN_COUNTS_BELOW) return { display: { symbol: "", size: 1 }, factor };
  return { display: pickDisplay(magnitude, unit), factor };
}

/**
 * Labels for ticks (stored units), all in the display unit the largest calls for, with as many decimals
 * as their spacing needs: 0, 250ms, 500ms… or 0, 0.5 MiB, 1 MiB. What is counted goes on the axis'
 * title (axisTitle), not on every tick.
 */
export function tickLabels(values: readonly number[], unit: MetricUnit, perSecond = false): string[] {
  const { display, factor } = displayFor(values, unit);
  const shown = values.map((v) => (v * factor) / display.size);
  let step = 0;
  for (let i = 1; i < shown.length; i++) {
    const gap = Math.abs((shown[i] as number) - (shown[i - 1] as number));
    if (gap > 0 && (step === 0 || gap < step)) step = gap;
  }
  const decimals = decimalsOf(step > 0 ? step : Math.abs(shown[0] ?? 0) || 1);
  const ratio = unit.kind === "percent" || unit.kind === "ratio";
  return shown.map((v) => {
    const text = fixed(v, decimals);
    if (ratio) return `${text}%`;
    // 0 is 0 in any display unit of a count ("0", not "0k").
    if (unit.kind === "count") return v === 0 ? "0" : `${grouped(text)}${display.symbol}`;
    return `${text}${suffix(unit, display.symbol, v, perSecond)}`;
  });
}

/**
 * Ticks for a value axis from `min` to `max` (stored units), at most about `maxTicks`, at round numbers of
 * the display unit the range calls for (binary steps for bytes within one unit).
 */
export function axisTicks(min: number, max: number, unit: MetricUnit, maxTicks: number, perSecond = false): AxisTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return { values: [], labels: [] };
  const { display, factor } = displayFor([min, max], unit);
  const lo = (min * factor) / display.size;
  const hi = (max * factor) / display.size;
  const count = Math.max(1, Math.floor(maxTicks));
  let step = hi === lo ? niceStep(Math.abs(hi) || 1) : niceStep((hi - lo) / count);
  if (unit.kind === "bytes" && step < 1 && display.size > 1) step = 2 ** Math.ceil(Math.log2(step * 1024)) / 1024;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last && values.length <= count * 2; i++)
    values.push((i * step * display.size) / factor || 0);
  return { values, labels: tickLabels(values, unit, perSecond) };
}

/** The value axis' title where the ticks do not say it: "requests/s", "lx" (a unit it does not know), "per second", or "". */
export function axisTitle(unit: MetricUnit, perSecond: boolean): string {
  if (unit.kind !== "count") return "";
  const rate = perSecond ? "/s" : unit.per;
  if (unit.plural === "") return perSecond ? "per second" : rate;
  return `${unit.plural}${rate}`;
}
