import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";

function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));
}

describe("opentelemetry-proto examples/trace.json", () => {
  it("decodes every field", () => {
    const result = decodeTraceRequestJson(example("trace.json"));
    const expected: Span = {
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      parentSpanId: "eee19b7ec3c1b173",
      name: "I'm a server span",
      kind: "SERVER",
      service: "my.service",
      startTimeUnixNano: 1544712660000000000n,
      endTimeUnixNano: 1544712661000000000n,
      status: { code: "UNSET" },
      attributes: { "my.span.attr": "some value" },
      events: [],
      links: [],
      resource: { "service.name": "my.service" },
      scope: { name: "my.library", version: "1.0.0", attributes: { "my.scope.attribute": "some scope attribute" } },
    };
    expect(result).toStrictEqual({ spans: [expected], rejectedSpans: 0, errors: [] });
  });

  it("finds no spans in the other signals' examples rather than failing", () => {
    for (const name of ["logs.json", "metrics.json", "events.json"]) {
      expect(decodeTraceRequestJson(example(name))).toStrictEqual({ spans: [], rejectedSpans: 0, errors: [] });
    }
  });
});
