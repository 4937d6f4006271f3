import { describe, expect, it } from "vitest";
import { MAX_HOLD_MS, retoldErrors, SETTLE_MS, TraceTailFeed } from "../../src/cli/tail-feed.js";
import type { SpanJson, TraceSummaryJson } from "../../src/protocol.js";
import { traceSummaryJson } from "../helpers/trace-summary-json.js";

const summary = traceSummaryJson;
const ids = (due: { summary: TraceSummaryJson }[]) => due.map((d) => d.summary.traceId);

describe("TraceTailFeed: traces", () => {
  it("shows nothing of the first snapshot, and each new trace once, after it settles with its root", () => {
    const feed = new TraceTailFeed("traces");
    feed.receive([summary("old")], true, 0);
    feed.receive([summary("a", { hasRoot: false }), summary("old", { spanCount: 2 })], false, 0);
    expect(feed.due(SETTLE_MS)).toEqual([]);
    feed.receive([summary("a", { spanCount: 3 })], false, 100);
    expect(feed.due(100 + SETTLE_MS - 1)).toEqual([]);
    expect(ids(feed.due(100 + SETTLE_MS))).toEqual(["a"]);
    feed.receive([summary("a", { spanCount: 4 })], false, 1000);
    expect(feed.due(1000 + MAX_HOLD_MS)).toEqual([]);
  });

  it("shows a trace whose root never comes once it has waited long enough, oldest start first", () => {
    const feed = new TraceTailFeed("traces");
    feed.receive([], true, 0);
    feed.receive([summary("late", { hasRoot: false, startTimeUnixNano: "20" })], false, 0);
    feed.receive([summary("early", { startTimeUnixNano: "10" })], false, MAX_HOLD_MS - SETTLE_MS);
    expect(feed.due(MAX_HOLD_MS - 1)).toEqual([]);
    expect(ids(feed.due(MAX_HOLD_MS))).toEqual(["early", "late"]);
  });

  it("after a reconnect, shows the snapshot's traces it has not seen; after a clear, ids count as new", () => {
    const feed = new TraceTailFeed("traces");
    feed.receive([summary("seen")], true, 0);
    feed.receive([summary("seen"), summary("missed")], true, 0);
    expect(ids(feed.due(SETTLE_MS))).toEqual(["missed"]);
    feed.cleared();
    feed.receive([summary("seen")], false, 0);
    expect(ids(feed.due(SETTLE_MS))).toEqual(["seen"]);
  });

  it("after a reconnect, shows the snapshot's traces when the server held none at the start (no snapshot came)", () => {
    const feed = new TraceTailFeed("traces");
    feed.reconnected();
    feed.receive([summary("stored meanwhile")], true, 0);
    expect(ids(feed.due(SETTLE_MS))).toEqual(["stored meanwhile"]);
  });
});

describe("TraceTailFeed: errors", () => {
  const span = (spanId: string, end: string) => ({ spanId, endTimeUnixNano: end });

  it("is due when a trace's error count or span count grows, and picks the error spans not shown yet", () => {
    const feed = new TraceTailFeed("errors");
    feed.receive([summary("t", { errorCount: 1 })], true, 0);
    feed.receive([summary("t", { errorCount: 1, spanCount: 2 }), summary("fine")], false, 0);
    // A new span may have recorded an exception, which the summary's error count does not see: read it.
    expect(feed.due(SETTLE_MS).map((d) => [d.summary.traceId, d.previousErrors])).toEqual([
      ["t", 1],
      ["fine", 0],
    ]);
    feed.receive([summary("fine")], false, 5);
    expect(feed.due(5 + SETTLE_MS)).toEqual([]);
    feed.receive([summary("t", { errorCount: 2, hasRoot: false })], false, 10);
    const [due] = feed.due(10 + SETTLE_MS);
    expect(due).toMatchObject({ summary: { traceId: "t" }, previousErrors: 1 });
    // The error that was there before tail counts as the earliest to end.
    expect(feed.selectNewErrors("t", 1, [span("new", "30"), span("before", "20")])).toEqual([span("new", "30")]);
    feed.receive([summary("t", { errorCount: 3 })], false, 1000);
    const [next] = feed.due(1000 + SETTLE_MS);
    expect(next?.previousErrors).toBe(2);
    expect(
      feed.selectNewErrors("t", 2, [span("before", "20"), span("new", "30"), span("third", "5")]).map((s) => s.spanId),
    ).toEqual(["third"]);
  });
});

describe("retoldErrors", () => {
  const span = (spanId: string, fields: Partial<SpanJson>): SpanJson =>
    ({
      traceId: "t",
      spanId,
      parentSpanId: null,
      name: "GET",
      kind: "SERVER",
      service: "frontend",
      startTimeUnixNano: "1000000000",
      endTimeUnixNano: "1060000000",
      status: { code: "ERROR" },
      attributes: {},
      events: [],
      ...fields,
    }) as SpanJson;
  const say = (s: SpanJson) => String(s.attributes.said);

  it("drops an entry span nested in one of its service that failed the same way: one request told twice", () => {
    const inbound = span("in", { attributes: { said: "GET /fail  HTTP 502" } });
    const middleware = span("mw", {
      parentSpanId: "in",
      name: "GET /fail",
      startTimeUnixNano: "1001000000",
      endTimeUnixNano: "1059000000",
      attributes: { said: "GET /fail  HTTP 502" },
    });
    const call = span("call", { parentSpanId: "mw", kind: "CLIENT", attributes: { said: "GET api/fail  HTTP 500" } });
    const backend = span("be", {
      parentSpanId: "call",
      service: "backend",
      attributes: { said: "GET /fail  HTTP 500" },
    });
    const spans = [inbound, middleware, call, backend];
    expect([...retoldErrors(spans, spans, say)]).toEqual([middleware]);
    // Told otherwise (the middleware's span holds the exception), or the outer one did not fail: both are said.
    const thrown = { ...middleware, attributes: { said: "GET /fail  HTTP 502: Error: boom" } };
    expect(retoldErrors([inbound, thrown], [inbound, thrown], say).size).toBe(0);
    expect(retoldErrors([inbound, middleware], [middleware], say).size).toBe(0);
    // A span of another service under it is another request.
    const below = { ...backend, parentSpanId: "in", attributes: inbound.attributes };
    expect(retoldErrors([inbound, below], [inbound, below], say).size).toBe(0);
  });

  it("drops the inner of two tellings of one request side by side under the caller", () => {
    const outer = span("a", { parentSpanId: "caller", attributes: { said: "x" } });
    const inner = span("b", {
      parentSpanId: "caller",
      startTimeUnixNano: "1001000000",
      endTimeUnixNano: "1059000000",
      attributes: { said: "x" },
    });
    expect([...retoldErrors([inner, outer], [inner, outer], say)]).toEqual([inner]);
    // Two requests one after the other under one call (a retry) are two failures.
    const retry = { ...inner, startTimeUnixNano: "1070000000", endTimeUnixNano: "1130000000" };
    expect(retoldErrors([outer, retry], [outer, retry], say).size).toBe(0);
  });
});
