/** Nanoseconds travel as bigint inside and as decimal strings on the wire; JSON numbers would clip them. */
export function nanosToMillis(durationNanos: bigint): number {
  return Number(durationNanos) / 1e6;
}

/**
 * OTLP's unset time: a span whose start is 0 places nothing in time, and a trace's times are of its
 * other spans (see TraceAggregate.add).
 */
export const UNSET_TIME = 0n;

/** Whether a time written as decimal text (as the wire carries it) is OTLP's unset one (0). */
export function isUnsetTime(nanos: string): boolean {
  return /^0+$/.test(nanos);
}

/**
 * A span's duration in ms: 0 when its end is not after its start, or its start is unset (then it has
 * no known duration: counted from 1970, it read as 56 years in latency percentiles).
 */
export function durationMs(startNanos: bigint, endNanos: bigint): number {
  return durationNanos(startNanos, endNanos) / 1e6;
}

/**
 * The nanoseconds from start to end as a number, 0 as in durationMs: what durationMs divides. An index
 * that files many spans converts each span's times once and shares the numbers, since a bigint's
 * conversion (and a subtraction, which allocates) is not cheap.
 */
export function durationNanos(startNanos: bigint, endNanos: bigint): number {
  return endNanos > startNanos && startNanos !== UNSET_TIME ? Number(endNanos - startNanos) : 0;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `90s`, `10m`, `1.5h` or `7d` in milliseconds, or null when it is not one. */
export function parseDurationMs(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (match === null) return null;
  return Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
}
