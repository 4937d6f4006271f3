import { describe, expect, it } from "vitest";
import { errorOccurrencesOf } from "../../src/domain/error-fingerprint.js";
import { countsAsError, failureOf } from "../../src/domain/failure.js";
import type { Span } from "../../src/domain/span.js";
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

describe("countsAsError: the spans the Errors page counts (tail errors reads it)", () => {
  it("a failing span, or one that recorded an exception with its status left unset; not an event without type or message", () => {
    const unset = { status: { code: "UNSET" as const } };
    const cases: [Partial<SpanJson>, boolean][] = [
      [{}, true],
      [{ ...unset, events: [exception({ "exception.type": "SyntaxError" })] }, true],
      [{ ...unset, events: [exception({ "exception.stacktrace": "at x" })] }, false],
      [{ ...unset, events: [{ name: "retry", timeUnixNano: "1", attributes: { "exception.type": "E" } }] }, false],
      [{ ...unset, attributes: { "http.response.status_code": 503 } }, false],
    ];
    for (const [parts, expected] of cases) {
      const span = spanJson(parts);
      expect(countsAsError(span)).toBe(expected);
      // The same answer as the Errors page's own count of the span's errors.
      const stored = {
        ...span,
        startTimeUnixNano: 1n,
        endTimeUnixNano: 2n,
        events: span.events.map((event) => ({ ...event, timeUnixNano: 1n })),
      } as unknown as Span;
      expect(errorOccurrencesOf(stored).length > 0).toBe(expected);
    }
  });
});
