/** Nanoseconds travel as bigint inside and as decimal strings on the wire; JSON numbers would clip them. */
export function nanosToMillis(durationNanos: bigint): number {
  return Number(durationNanos) / 1e6;
}

export function durationMs(startNanos: bigint, endNanos: bigint): number {
  return endNanos > startNanos ? nanosToMillis(endNanos - startNanos) : 0;
}
