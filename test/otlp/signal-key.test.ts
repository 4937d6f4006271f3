import { describe, expect, it } from "vitest";
import { misdirectedJsonWarning } from "../../src/otlp/json/signal-key.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

describe("misdirectedJsonWarning", () => {
  it("names the path of another signal's body, and nothing for the path's own", () => {
    const logs = utf8(' \n{ "resourceLogs": [] }');
    expect(misdirectedJsonWarning(logs, "/v1/traces")).toBe(
      "nothing stored: OTLP/JSON logs (resourceLogs) go to /v1/logs",
    );
    expect(misdirectedJsonWarning(logs, "/v1/logs")).toBeNull();
    expect(misdirectedJsonWarning(utf8('{"partialSuccess":{}}'), "/v1/traces")).toBeNull();
  });

  it("reads the key after a UTF-8 byte-order mark, which the JSON decoders accept", () => {
    const body = new Uint8Array([...BOM, ...utf8('{"resourceMetrics":[]}')]);
    expect(misdirectedJsonWarning(body, "/v1/traces")).toBe(
      "nothing stored: OTLP/JSON metrics (resourceMetrics) go to /v1/metrics",
    );
    expect(misdirectedJsonWarning(body, "/v1/metrics")).toBeNull();
  });
});
