import { describe, expect, it } from "vitest";
import { failureOf } from "../../src/domain/failure.js";
import { errorText } from "../../src/mcp/span-text.js";
import type { SpanJson } from "../../src/protocol.js";

const exception = (attributes: Record<string, string>) => ({ name: "exception", timeUnixNano: "1", attributes });

/** A failing span in the REST shape, which the web app and the MCP tools read. */
function spanJson(parts: Partial<SpanJson>): SpanJson {
  return {
    traceId: "5b8efff798038103d269b633813fc60c",
    spanId: "eee19b7ec3c1b174",
    parentSpanId: null,
    name: "GET /orders",
    kind: "SERVER",
    service: "orders",
    startTimeUnixNano: "1",
    endTimeUnixNano: "2",
    durationMs: 0,
    status: { code: "ERROR" },
    attributes: {},
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
    ...parts,
  };
}

describe("what failed, one rule for the server and MCP (the web app: test/web/error-model.test.ts)", () => {
  const cases: [string, Partial<SpanJson>, string | null][] = [
    [
      "exception event",
      { events: [exception({ "exception.type": "KeyError", "exception.message": " 'id' " })] },
      "KeyError: 'id'",
    ],
    ["type only", { events: [exception({ "exception.type": "Timeout" })] }, "Timeout"],
    ["span attributes", { attributes: { "exception.message": "boom" } }, "boom"],
    ["status message", { status: { code: "ERROR", message: " HTTP 500 " } }, "HTTP 500"],
    [
      "an empty exception event falls through",
      { events: [exception({})], status: { code: "ERROR", message: "m" } },
      "m",
    ],
    ["nothing said", {}, null],
  ];
  for (const [label, parts, expected] of cases) {
    it(label, () => {
      const span = spanJson(parts);
      expect(failureOf(span)?.message ?? null).toBe(expected);
      expect(errorText(span)).toBe(expected ?? "(no message)");
    });
  }
});
