/** Spans as the REST API sends them, for the trace view's pure models. */
import type { SpanJson } from "../../src/protocol";

/** A trace that starts at a realistic epoch time in nanoseconds (beyond 2^53). */
export const T0 = 1_764_300_000_000_000_000n;
export const ns = (ms: number) => (T0 + BigInt(Math.round(ms * 1e6))).toString();

export function span(
  spanId: string,
  parentSpanId: string | null,
  startMs: number,
  endMs: number,
  extra: Partial<SpanJson> = {},
) {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId,
    parentSpanId,
    name: `op-${spanId}`,
    kind: "INTERNAL",
    service: "api",
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(endMs),
    durationMs: endMs - startMs,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    links: [],
    resource: {},
    scope: { name: "test", version: "1" },
    ...extra,
  } satisfies SpanJson as SpanJson;
}
