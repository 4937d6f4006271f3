import { describe, expect, it } from "vitest";
import { logLine, logRecordText } from "../../src/mcp/log-text.js";
import type { LogRecordJson } from "../../src/protocol.js";

/** A log record as GET /api/logs answers it; `fields` override any of it. */
function record(fields: Partial<LogRecordJson> = {}): LogRecordJson {
  return {
    id: "7",
    timeUnixNano: "1700000000123000000",
    observedTimeUnixNano: "1700000000123000000",
    severityNumber: 9,
    severity: "INFO",
    severityText: "",
    body: null,
    attributes: {},
    traceId: null,
    spanId: null,
    service: "llm-worker",
    resource: {},
    scope: { name: "", version: "" },
    ...fields,
  };
}

describe("log record text", () => {
  it("names an event by the older event.name attribute, as the Logs page does, and by OTLP's field first", () => {
    const older = record({ attributes: { "event.name": "gen_ai.user.message" } });
    expect(logLine(older)).toContain("gen_ai.user.message");
    expect(logRecordText(older)).toContain("\nevent: gen_ai.user.message\n");
    const both = record({ eventName: "gen_ai.choice", attributes: { "event.name": "gen_ai.user.message" } });
    expect(logRecordText(both)).toContain("\nevent: gen_ai.choice\n");
    expect(logRecordText(record())).not.toContain("\nevent:");
  });
});
