import { describe, expect, it } from "vitest";
import { capAnswer, MAX_ANSWER_CHARS, parseSince } from "../../src/mcp/format.js";
import { errorText } from "../../src/mcp/span-text.js";
import { errorOrigin, operationStats, spanTree } from "../../src/mcp/trace-analysis.js";
import { traceWaterfall } from "../../src/mcp/waterfall.js";
import type { SpanJson, TraceSummaryJson } from "../../src/protocol.js";
import { spanJson as span } from "./span-json.js";

const failing = (message: string): Partial<SpanJson> => ({ status: { code: "ERROR", message } });

describe("spanTree", () => {
  it("orders parents before children by start time, and starts a tree at each span whose parent is missing", () => {
    const nodes = spanTree([
      span("3", "1", 5),
      span("2", "1", 1),
      span("1", null, 0),
      span("4", "9", 2),
      span("5", "2", 3),
    ]);
    expect(nodes.map((n) => [n.span.spanId.slice(-1), n.depth, n.orphan])).toEqual([
      ["1", 0, false],
      ["2", 1, false],
      ["5", 2, false],
      ["3", 1, false],
      ["4", 0, true],
    ]);
  });

  it("keeps every span of a parent cycle once instead of looping", () => {
    const nodes = spanTree([span("1", "2", 0), span("2", "1", 1)]);
    expect(nodes.map((n) => n.span.spanId.slice(-1)).sort()).toEqual(["1", "2"]);
  });
});

describe("errorOrigin", () => {
  it("is a failing span without a failing child (the earliest such; here the only one)", () => {
    const spans = [
      span("1", null, 0, failing("request failed")),
      span("2", "1", 1, failing("call failed")),
      span("3", "2", 2, failing("deadlock")),
      span("4", "1", 3, failing("shallow")),
      span("5", "3", 4),
    ];
    expect(errorOrigin(spans)?.span.status.message).toBe("deadlock");
  });

  it("reaches through a span that did not fail: the call under an Express handler, not the request above it", () => {
    // shop's request (502) → its handler (no status) → its call (503) → inventory (503) → its handler.
    const spans = [
      span("1", null, 0, failing("HTTP 502")),
      span("2", "1", 1),
      span("3", "2", 2, failing("HTTP 503 call")),
      span("4", "3", 3, failing("HTTP 503 inventory")),
      span("5", "4", 4),
    ];
    for (const order of [spans, [...spans].reverse()]) {
      expect(errorOrigin(order)?.span.status.message).toBe("HTTP 503 inventory");
    }
  });

  it("takes the earliest of such spans, and is undefined when nothing fails", () => {
    const spans = [span("1", null, 0), span("2", "1", 5, failing("later")), span("3", "1", 1, failing("earlier"))];
    expect(errorOrigin(spans)?.span.status.message).toBe("earlier");
    expect(errorOrigin([span("1", null, 0)])).toBeUndefined();
  });
});

describe("operationStats", () => {
  it("groups by service and name with nearest-rank p50 / p95 and max, slowest p95 first", () => {
    const summary = (service: string, name: string, durationMs: number, errorCount = 0) =>
      ({ service, name, durationMs, errorCount }) as TraceSummaryJson;
    const traces = [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((ms) => summary("api", "GET /a", ms)),
      summary("api", "GET /b", 50, 1),
      summary("web", "GET /a", 5),
    ];
    expect(operationStats(traces)).toEqual([
      { service: "api", name: "GET /b", count: 1, errors: 1, p50Ms: 50, p95Ms: 50, maxMs: 50 },
      { service: "api", name: "GET /a", count: 10, errors: 0, p50Ms: 5, p95Ms: 10, maxMs: 10 },
      { service: "web", name: "GET /a", count: 1, errors: 0, p50Ms: 5, p95Ms: 5, maxMs: 5 },
    ]);
  });
});

describe("operationStats of one route requested with other ids", () => {
  it("counts them as one operation, named by the route with its ids templated, as the Services page does", () => {
    // A root span named by its method alone, listed as `GET /orders/1` (method and path), as the
    // TraceKit Node SDK's HTTP server span is: one operation, not one per id.
    const summary = (name: string, durationMs: number) =>
      ({ service: "frontend", name, durationMs, errorCount: 0 }) as TraceSummaryJson;
    const traces = [summary("GET /orders/1", 40), summary("GET /orders/2", 20), summary("GET /orders/3", 30)];
    expect(operationStats(traces)).toEqual([
      { service: "frontend", name: "GET /orders/:id", count: 3, errors: 0, p50Ms: 30, p95Ms: 40, maxMs: 40 },
    ]);
  });
});

describe("a failing span that says nothing of why", () => {
  it("is named by its failed answer or error.type, as the Errors page and tail errors name it, not '(no message)'", () => {
    const silent = (attributes: SpanJson["attributes"]) =>
      span("1", null, 0, { status: { code: "ERROR" }, attributes });
    expect(errorText(silent({ "http.response.status_code": 500 }))).toBe("HTTP 500");
    expect(errorText(silent({ "http.status_code": "503" }))).toBe("HTTP 503");
    expect(errorText(silent({ "rpc.grpc.status_code": 14 }))).toBe("gRPC 14");
    expect(errorText(silent({ "error.type": "timeout" }))).toBe("timeout");
    expect(errorText(silent({}))).toBe("(no message)");
    const text = traceWaterfall(
      { traceId: "a".repeat(32), service: "api", name: "GET", spans: [silent({ "http.status_code": 500 })] },
      10,
    );
    expect(text).toContain("ERROR HTTP 500");
  });
});

describe("compact text", () => {
  it("waterfall times the trace by its spans with a start: a span whose start is unset (0) places nothing in time", () => {
    const unset = { startTimeUnixNano: "0", endTimeUnixNano: "0", durationMs: 0 };
    const spans = [span("1", null, 100), span("2", "1", 0, unset)];
    const text = traceWaterfall({ traceId: "a".repeat(32), name: "root", service: "api", spans }, 10).split("\n");
    expect(text[1]).toMatch(/^started 2023-11-14T22:13:20\.100Z, took 10ms, 2 spans/);
    expect(text.slice(3)).toEqual(["op-1 [api]  10ms @+0ms", "  op-2 [api]  no start time"]);
    const none = traceWaterfall(
      { traceId: "a".repeat(32), name: "root", service: "api", spans: [span("2", null, 0, unset)] },
      10,
    );
    expect(none.split("\n")[1]).toMatch(/^no span has a start time, 1 spans/);
  });

  it("waterfall caps the span count with a note", () => {
    const spans = Array.from({ length: 5 }, (_, i) => span(String(i + 1), i === 0 ? null : "1", i));
    const text = traceWaterfall({ traceId: "a".repeat(32), service: "api", name: "root", spans }, 2);
    expect(text.split("\n").slice(3)).toEqual([
      "op-1 [api]  10ms @+0ms",
      "  op-2 [api]  10ms @+1ms",
      "[3 more spans not shown; call get_trace with skip=2 (or a higher max_spans, up to 1000) to see them]",
    ]);
    const oneLeft = traceWaterfall(
      { traceId: "a".repeat(32), service: "api", name: "root", spans: spans.slice(0, 3) },
      2,
    );
    expect(oneLeft.split("\n").at(-1)).toBe(
      "[1 more span not shown; call get_trace with skip=2 (or a higher max_spans, up to 1000) to see them]",
    );
  });

  it("waterfall names a span called by its bare HTTP method by what it was for, as the trace page does", () => {
    const spans = [
      span("1", null, 0, { name: "GET", kind: "SERVER", attributes: { "http.method": "GET", "http.route": "/call" } }),
      span("2", "1", 1, {
        name: "GET",
        kind: "CLIENT",
        attributes: { "http.method": "GET", "http.url": "http://localhost:23112/items/42" },
      }),
      span("3", "1", 2, { name: "load cart" }),
    ];
    const text = traceWaterfall({ traceId: "a".repeat(32), service: "api", name: "GET /call", spans }, 10);
    expect(text.split("\n").slice(3)).toEqual([
      "GET /call [api]  10ms @+0ms  server  http=GET /call",
      "  GET localhost:23112/items/42 [api]  10ms @+1ms  client  http=GET http://localhost:23112/items/42",
      "  load cart [api]  10ms @+2ms",
    ]);
  });

  it("waterfall stops at a whole line when the answer is full, and skip shows the rest", () => {
    const spans = Array.from({ length: 400 }, (_, i) =>
      span(String(i + 1), i === 0 ? null : "1", i, { attributes: { "db.query.text": `SELECT ${"x".repeat(90)}` } }),
    );
    const trace = { traceId: "a".repeat(32), service: "api", name: "root", spans };
    const first = traceWaterfall(trace, 1000);
    const lines = first.split("\n");
    // Whole lines under the answer's cap, so the note that says how to see the rest is never cut off.
    expect(first.length).toBeLessThan(MAX_ANSWER_CHARS);
    const shown = lines.length - 4;
    expect(shown).toBeGreaterThan(100);
    expect(shown).toBeLessThan(400);
    expect(lines.at(-1)).toBe(
      `[${400 - shown} more spans not shown (the answer is full); call get_trace with skip=${shown} to see them]`,
    );
    const next = traceWaterfall(trace, 1000, shown).split("\n");
    expect(next[3]).toBe(`[the first ${shown} spans skipped]`);
    expect(next[4]).toMatch(new RegExp(`^ {2}op-${shown + 1} \\[api\\]`));
    const last = traceWaterfall(trace, 1000, 390).split("\n");
    expect(last.slice(4)).toHaveLength(10);
    expect(last.at(-1)).toMatch(/^ {2}op-400 /);
    expect(traceWaterfall(trace, 10, 400).split("\n").at(-1)).toBe("[skip=400 passes every span: the trace has 400]");
  });

  it("times ago and the answer cap", () => {
    const now = Date.UTC(2026, 0, 2, 12, 0, 0);
    expect(parseSince("10m", now)).toBe(now - 600_000);
    expect(parseSince("1d", now)).toBe(now - 86_400_000);
    expect(parseSince("2026-01-02T11:00:00Z", now)).toBe(now - 3_600_000);
    expect(parseSince("1767355200000", now)).toBe(1_767_355_200_000);
    expect(parseSince("soon", now)).toBeInstanceOf(Error);
    const long = Array.from({ length: 3000 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const capped = capAnswer(long, "lower limit");
    expect(capped.length).toBeLessThan(MAX_ANSWER_CHARS + 100);
    expect(capped.endsWith(`\n[answer cut at ${MAX_ANSWER_CHARS} characters; lower limit]`)).toBe(true);
  });
});
