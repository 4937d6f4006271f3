import { describe, expect, it } from "vitest";
import {
  errorLine,
  errorSummary,
  errorsOfSpan,
  logLine,
  palette,
  terminalJson,
  traceLine,
  wantsColour,
} from "../../src/cli/tail-format.js";
import type { LogRecordJson, SpanJson, TraceSummaryJson } from "../../src/protocol.js";

const trace: TraceSummaryJson = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  name: "GET /orders\u001b[2J",
  service: "shop",
  startTimeUnixNano: "1700000000123000000",
  endTimeUnixNano: "1700000000243000000",
  durationMs: 120,
  spanCount: 5,
  errorCount: 1,
  services: ["shop"],
  hasRoot: true,
};

describe("tail lines", () => {
  it("colours only a terminal, and never with NO_COLOR set and not empty", () => {
    expect(wantsColour({ isTTY: true }, {})).toBe(true);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(wantsColour({ isTTY: false }, {})).toBe(false);
    expect(wantsColour({}, {})).toBe(false);
    expect(traceLine(trace, palette(true))).toContain("\u001b[31m1 error\u001b[39m");
  });

  it("prints a trace on one line with its counts, and no control character it was sent", () => {
    const sameDay = new Date(1_700_000_000_123);
    const line = traceLine(trace, palette(false), sameDay);
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.123 {2}shop {2}GET \/orders \[2J {2}120ms {2}5 spans {2}1 error {2}4bf92f35/,
    );
    expect(line).not.toContain("\u001b");
  });

  it("prints the local date before the time of a trace, span or log record of another day than today", () => {
    const sent = new Date(1_700_000_000_123);
    const date = `${sent.getFullYear()}-${String(sent.getMonth() + 1).padStart(2, "0")}-${String(sent.getDate()).padStart(2, "0")}`;
    const time = `${String(sent.getHours()).padStart(2, "0")}:${String(sent.getMinutes()).padStart(2, "0")}:${String(sent.getSeconds()).padStart(2, "0")}.123`;
    const nextDay = new Date(sent.getTime() + 24 * 3_600_000);
    expect(traceLine(trace, palette(false), nextDay)).toMatch(new RegExp(`^${date} ${time} {2}shop {2}GET`));
    expect(traceLine(trace, palette(false), sent)).toMatch(new RegExp(`^${time} {2}shop {2}GET`));
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severity: "INFO",
      severityText: "",
      body: "hello",
      service: "shop",
      traceId: null,
      attributes: {},
    } as unknown as LogRecordJson;
    expect(logLine(log, palette(false), nextDay)).toBe(`${date} ${time}  INFO   shop  hello`);
    const span = {
      traceId: trace.traceId,
      name: "charge",
      service: "payments",
      endTimeUnixNano: "1700000000123000000",
      kind: "INTERNAL",
      status: { code: "ERROR", message: "declined" },
      attributes: {},
      events: [],
    } as unknown as SpanJson;
    expect(errorLine(span, palette(false), nextDay)).toMatch(new RegExp(`^${date} ${time} {2}payments {2}charge`));
  });

  it("drops bidi controls, which would reorder the line, and keeps it one line", () => {
    const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
    const reordered = { ...trace, name: `pay ${bidi}\u202egnp.exe\u202c done\u001b`, service: `sh\u2067op\u2069` };
    const line = traceLine(reordered, palette(false), new Date(1_700_000_000_123));
    expect(line).toMatch(/^\S+ {2}shop {2}pay gnp\.exe done {2}120ms/);
    expect([...line].filter((c) => bidi.includes(c))).toEqual([]);
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severity: "INFO",
      severityText: "",
      body: "user \u202eevil\u200f",
      eventName: "\u2066login",
      service: "shop",
      traceId: null,
      attributes: {},
    } as unknown as LogRecordJson;
    expect(logLine(log, palette(false))).toMatch(/ {2}shop {2}login user evil$/);
    const span = {
      traceId: trace.traceId,
      spanId: "00f067aa0ba902b7",
      name: "charge\u061c card",
      service: "payments",
      endTimeUnixNano: "1700000000200000000",
      kind: "INTERNAL",
      status: { code: "ERROR", message: "\u202ddeclined\u202c" },
      attributes: {},
      events: [],
    } as unknown as SpanJson;
    expect(errorLine(span, palette(false))).toMatch(/ {2}payments {2}charge card {2}declined {2}4bf92f35/);
  });

  it("names a log record's event by the older event.name attribute when the record's field is empty", () => {
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severity: "INFO",
      severityText: "",
      body: "hello",
      service: "llm-worker",
      traceId: null,
      attributes: { "event.name": "gen_ai.user.message" },
    } as unknown as LogRecordJson;
    expect(logLine(log, palette(false))).toMatch(/ {2}llm-worker {2}gen_ai\.user\.message hello$/);
  });

  it("says a log body sent as bytes is bytes, before its base64", () => {
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severity: "INFO",
      severityText: "",
      body: "aGkA/w==",
      bytes: { body: true },
      service: "shop",
      traceId: null,
      attributes: {},
    } as unknown as LogRecordJson;
    const line = logLine(log, palette(false), new Date(1_700_000_000_123));
    expect(line).toMatch(/ {2}INFO {3}shop {2}\(base64 of 4 bytes\) aGkA\/w==$/);
    expect(logLine({ ...log, bytes: undefined }, palette(false))).toMatch(/ {2}shop {2}aGkA\/w==$/);
  });

  it("escapes bidi controls in JSON lines, read back as sent", () => {
    const value = { name: "a\u202eb\u2066c\u200fd\u061c" };
    const line = terminalJson(value);
    expect(line).toBe('{"name":"a\\u202eb\\u2066c\\u200fd\\u061c"}');
    expect(JSON.parse(line)).toEqual(value);
  });

  it("writes JSON lines with DEL and the C1 controls escaped too, read back as sent", () => {
    const value = { name: "evil\u009b31m\u001b[2Jname\u007f", ok: "ünï ✓" };
    const line = terminalJson(value);
    const controls = [...line].filter(
      (c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f),
    );
    expect(controls).toEqual([]);
    expect(line).toContain("\\u009b");
    expect(JSON.parse(line)).toEqual(value);
  });

  it("says what an error span says as the trace list does: its exception, else its status message", () => {
    const span = {
      traceId: trace.traceId,
      spanId: "00f067aa0ba902b7",
      name: "charge card",
      service: "payments",
      endTimeUnixNano: "1700000000200000000",
      kind: "INTERNAL",
      status: { code: "ERROR" },
      attributes: {},
      events: [{ name: "exception", timeUnixNano: "1", attributes: { "exception.message": "card\ndeclined" } }],
    } as unknown as SpanJson;
    expect(errorLine(span, palette(false))).toMatch(/ {2}payments {2}charge card {2}card declined {2}4bf92f35/);
    const told = { ...span, status: { code: "ERROR", message: "charge failed" } } as SpanJson;
    expect(errorLine(told, palette(false))).toMatch(/ {2}charge card {2}card declined {2}4bf92f35/);
    const typed = {
      ...told,
      events: [{ ...span.events[0], attributes: { "exception.type": "CardError" } }],
    } as SpanJson;
    expect(errorLine(typed, palette(false))).toMatch(/ {2}charge card {2}CardError {2}4bf92f35/);
    expect(errorLine({ ...told, events: [] }, palette(false))).toMatch(/ {2}charge card {2}charge failed {2}4bf92f35/);
  });

  it("says each exception the Errors page counts apart in a span on a line of its own", () => {
    const exception = (ms: number, type: string, message: string, stacktrace = "") => ({
      name: "exception",
      timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(ms * 1000) * 1_000n),
      attributes: { "exception.type": type, "exception.message": message, "exception.stacktrace": stacktrace },
    });
    const span = (events: unknown[]) =>
      ({
        traceId: trace.traceId,
        spanId: "00f067aa0ba902b7",
        name: "sync",
        kind: "INTERNAL",
        service: "worker",
        startTimeUnixNano: "1700000000000000000",
        endTimeUnixNano: "1700000000050000000",
        status: { code: "ERROR" },
        events,
        attributes: { "http.status_code": 502 },
      }) as unknown as SpanJson;
    const said = (s: SpanJson) => errorsOfSpan(s).map((error) => errorSummary(error).failure);
    // A retry that failed otherwise: two errors on the Errors page, two lines.
    const retried = span([exception(10, "TimeoutError", "first try"), exception(40, "ConnectionError", "second try")]);
    expect(said(retried)).toEqual(["HTTP 502: TimeoutError: first try", "HTTP 502: ConnectionError: second try"]);
    expect(errorsOfSpan(retried).map((error) => error.spanId)).toEqual([retried.spanId, retried.spanId]);
    // One exception told twice back to back with two stacks (the TraceKit Node SDK) is one error, one line.
    const twice = span([
      exception(10, "TimeoutError", "first try", "at a (a.js:1:1)"),
      exception(10.5, "TimeoutError", "first try", "Error\n    at a (/app/a.js:1:1)"),
    ]);
    expect(errorsOfSpan(twice)).toEqual([twice]);
    expect(errorsOfSpan(span([exception(10, "TimeoutError", "first try")]))).toHaveLength(1);
  });

  it("names a span sent by its HTTP method alone as the trace view does, and says what failed: the answer, then its exception", () => {
    const span = (fields: Record<string, unknown>) =>
      ({
        traceId: trace.traceId,
        spanId: "00f067aa0ba902b7",
        service: "frontend",
        endTimeUnixNano: "1700000000200000000",
        status: { code: "ERROR" },
        events: [],
        attributes: {},
        ...fields,
      }) as unknown as SpanJson;
    // The TraceKit Node SDK's spans of one failed request: the HTTP server span (a bare `GET`), the
    // Express middleware's span, the call to the backend, and the backend's database span.
    const server = span({
      name: "GET",
      kind: "SERVER",
      attributes: { "http.url": "http://127.0.0.1:9962/fail", "http.target": "/fail", "http.status_code": 502 },
    });
    const client = span({
      name: "GET",
      kind: "CLIENT",
      attributes: { "http.url": "http://127.0.0.1:9963/fail", "http.target": "/fail", "http.status_code": 500 },
    });
    const routed = span({
      name: "GET",
      kind: "SERVER",
      service: "backend",
      attributes: { "http.route": "/fail", "url.path": "/fail", "http.response.status_code": "500" },
      events: [
        {
          name: "exception",
          timeUnixNano: "1",
          attributes: { "exception.type": "Error", "exception.message": "db failed" },
        },
      ],
    });
    const query = span({
      name: "SELECT orders",
      kind: "INTERNAL",
      service: "backend",
      attributes: { "db.system": "postgresql" },
      events: [
        {
          name: "exception",
          timeUnixNano: "1",
          attributes: { "exception.message": 'relation "ordrs" does not exist' },
        },
      ],
    });
    const line = (s: SpanJson) => errorLine(s, palette(false), new Date(1_700_000_000_200)).replace(/^\S+ {2}/, "");
    expect(line(server)).toBe(`frontend  GET /fail  HTTP 502  ${trace.traceId}`);
    expect(line(client)).toBe(`frontend  GET 127.0.0.1:9963/fail  HTTP 500  ${trace.traceId}`);
    expect(line(routed)).toBe(`backend  GET /fail  HTTP 500: Error: db failed  ${trace.traceId}`);
    expect(line(query)).toBe(`backend  SELECT orders  relation "ordrs" does not exist  ${trace.traceId}`);
    expect(errorSummary(client)).toEqual({ label: "GET 127.0.0.1:9963/fail", failure: "HTTP 500" });
    // A status message that already says the answer is not said twice; a 2xx or 3xx is no failed answer.
    expect(errorSummary({ ...server, status: { code: "ERROR", message: "HTTP 502 from upstream" } }).failure).toBe(
      "HTTP 502 from upstream",
    );
    const ok = span({
      name: "POST",
      kind: "CLIENT",
      attributes: { "url.full": "https://api.example.com:443/pay", "http.status_code": 200 },
    });
    expect(errorSummary(ok)).toEqual({ label: "POST api.example.com/pay", failure: "error" });
    expect(errorSummary({ ...ok, attributes: { ...ok.attributes, "error.type": "timeout" } }).failure).toBe("timeout");
    expect(
      errorSummary(span({ name: "charge", kind: "INTERNAL", attributes: { "rpc.grpc.status_code": 14 } })).failure,
    ).toBe("gRPC 14");
  });

  it("prints a log record's level, service and body on one line, structured bodies as JSON", () => {
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severity: "WARN",
      severityText: "warning",
      body: { order: 42 },
      service: "shop",
      traceId: null,
      attributes: {},
    } as unknown as LogRecordJson;
    expect(logLine(log, palette(false), new Date(1_700_000_000_123))).toMatch(
      /^\S+ {2}warning {2}shop {2}\{"order":42\}$/,
    );
  });

  it("prints a log record's severity as the Logs page's badge says it: the sender's text, else the level and its step", () => {
    const log = {
      id: "1",
      timeUnixNano: "1700000000123000000",
      severityNumber: 12,
      severity: "INFO",
      severityText: "NOTICE",
      body: "mail queued",
      service: "shop",
      traceId: null,
      attributes: {},
    } as unknown as LogRecordJson;
    const now = new Date(1_700_000_000_123);
    expect(logLine(log, palette(false), now)).toMatch(/^\S+ {2}NOTICE {2}shop {2}mail queued$/);
    expect(logLine({ ...log, severityNumber: 10, severityText: "" }, palette(false), now)).toMatch(
      /^\S+ {2}INFO2 {2}shop {2}mail queued$/,
    );
    expect(
      logLine({ ...log, severityNumber: 0, severity: "UNSPECIFIED", severityText: "" }, palette(false), now),
    ).toMatch(/^\S+ {2}- {6}shop/);
    // In colour the text takes its level's style: NOTICE is INFO, plain; a sender's "warning" is WARN's yellow.
    expect(logLine(log, palette(true), now)).toContain("  NOTICE  ");
    expect(
      logLine({ ...log, severityNumber: 13, severity: "WARN", severityText: "warning" }, palette(true), now),
    ).toContain("\u001b[33mwarning\u001b[39m");
  });

  it("writes a trace's duration as the web app and MCP write it", () => {
    const at = (durationMs: number) => traceLine({ ...trace, durationMs }, palette(false)).split("  ")[3];
    expect([0.42, 4.25, 120.4, 1440, 125_000].map(at)).toEqual(["420µs", "4.25ms", "120ms", "1.44s", "2m 5s"]);
  });
});
