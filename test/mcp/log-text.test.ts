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

describe("control characters in log record text", () => {
  // NUL, BEL, an ANSI colour (ESC [ 31 m), a C1 CSI (U+009B) and a right-to-left override with its pop.
  const raw = "pay\u0000ment\u0007 \u001b[31mfailed\u001b[0m \u009b2J for \u202eadmin\u202c";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const hostile = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

  it("passes none in a get_logs line, from the body, the service or the severity text", () => {
    const line = logLine(record({ body: raw, service: "shop\u001b]0;owned\u0007", severityText: "WA\u202eRN" }));
    expect(line).not.toMatch(hostile);
    expect(line).toContain("pay ment [31mfailed [0m 2J for admin");
    const structured = logLine(record({ body: { note: "pay \u202e00.001$\u202c now\u0085" } }));
    expect(structured).not.toMatch(hostile);
    expect(structured).toContain('{"note":"pay 00.001$ now "}');
  });

  it("passes none in one record whole, keeping the body's line breaks and tabs", () => {
    const text = logRecordText(
      record({
        body: `${raw}\r\n\tat Checkout.pay\n`,
        attributes: { "user.name": "\u202enimda\u202c", "x\u001b[2Jkey": "v" },
        scope: { name: "lib\u0007", version: "" },
      }),
    );
    expect(text).not.toMatch(hostile);
    expect(text).toContain("pay ment   [31mfailed [0m  2J for admin\n\tat Checkout.pay\n");
    expect(text).toContain("  user.name = nimda");
    expect(text).toContain("  x [2Jkey = v");
    const json = logRecordText(record({ body: { note: "pay \u202e00.001$\u202c" } }));
    expect(json).not.toMatch(hostile);
    expect(json).toContain('"note": "pay 00.001$"');
  });

  it("keeps a structured body JSON when its strings hold LS or PS", () => {
    const text = logRecordText(record({ body: { note: "one\u2028two\u2029three" } }));
    const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
    expect(JSON.parse(json)).toEqual({ note: "one\u2028two\u2029three" });
    expect(text).toContain('"note": "one\\u2028two\\u2029three"');
  });
});

describe("data a record lost on its way", () => {
  it("says attributes dropped and a body this server cut, in one record whole", () => {
    const text = logRecordText(record({ body: { kept: 1 }, droppedAttributesCount: 500, droppedBodyEntries: 1 }));
    expect(text).toContain(
      "  (500 dropped: attributes by the sender or past the 1,000 this server keeps, and entries this server cut from attribute values)",
    );
    expect(text).toContain("; cut by this server: 1 entry past the 1,000 entries");
    expect(logRecordText(record({ body: "whole" }))).not.toContain("cut by this server");
  });
});
