import type { TraceSummaryJson } from "../../src/protocol.js";

/** A trace summary as the API and the live feed send it: one root span of `api`, 10 ms, no errors. */
export function traceSummaryJson(traceId: string, patch: Partial<TraceSummaryJson> = {}): TraceSummaryJson {
  return {
    traceId,
    name: "GET /orders",
    service: "api",
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000010000000",
    durationMs: 10,
    spanCount: 1,
    errorCount: 0,
    services: ["api"],
    hasRoot: true,
    ...patch,
  };
}
