import type { SpanJson } from "../../src/protocol.js";

/** A 10 ms span `start` ms into the trace, as the REST API sends it; `fields` override any of it. */
export function spanJson(id: string, parent: string | null, start: number, fields: Partial<SpanJson> = {}): SpanJson {
  return {
    traceId: "a".repeat(32),
    spanId: id.padStart(16, "0"),
    parentSpanId: parent === null ? null : parent.padStart(16, "0"),
    name: `op-${id}`,
    kind: "INTERNAL",
    service: "api",
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(start) * 1_000_000n),
    endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(start + 10) * 1_000_000n),
    durationMs: 10,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
    ...fields,
  };
}
