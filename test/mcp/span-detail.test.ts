import { describe, expect, it } from "vitest";
import { MAX_ANSWER_CHARS } from "../../src/mcp/format.js";
import { MAX_SPANS_ABOVE, MAX_SPANS_BELOW, spanDetail } from "../../src/mcp/span-detail.js";
import type { SpanContextResponse, SpanJson } from "../../src/protocol.js";
import { pickSpanContext } from "../../src/store/span-context.js";
import { spanJson } from "./span-json.js";

/** A 10 ms span `start` ms into the trace, of a resource naming its service. */
const span = (id: string, parent: string | null, start: number, fields: Partial<SpanJson> = {}): SpanJson =>
  spanJson(id, parent, start, { resource: { "service.name": "api" }, ...fields });

/** The span `id`'s context among `spans`, as `GET /api/spans/:spanId/context` answers it. */
function contextOf(spans: SpanJson[], id: string): SpanContextResponse {
  const outline = spans.map((s) => ({ ...s, startTimeUnixNano: BigInt(s.startTimeUnixNano) }));
  const pick = pickSpanContext(outline, id, { maxAbove: MAX_SPANS_ABOVE, maxBelow: MAX_SPANS_BELOW });
  if (pick === undefined) throw new Error(`no span ${id}`);
  const at = (index: number) => spans[index] as SpanJson;
  return {
    traceId: "a".repeat(32),
    traceName: "op-1",
    spanCount: spans.length,
    traceStartUnixNano: String(pick.traceStart),
    span: at(pick.at),
    depth: pick.depth,
    above: pick.above.map(at),
    below: pick.below.map(({ index, depth }) => ({ span: at(index), depth })),
    belowCount: pick.belowCount,
    siblingCount: pick.siblingCount,
  };
}
const waterfallOf = (text: string) => text.split("\n\n")[1]?.split("\n").slice(1) ?? [];
const none = { logs: [], more: false };

describe("spanDetail", () => {
  it("says a span whose start is unset (0) has no start time, and places the others from the trace's timed start", () => {
    const unset = { startTimeUnixNano: "0", endTimeUnixNano: "0", durationMs: 0 };
    const spans = [span("1", null, 5), span("2", "1", 0, unset), span("3", "1", 7)];
    const text = spanDetail(contextOf(spans, "0000000000000002"), none);
    expect(text.split("\n")[1]).toBe("internal, status UNSET, no start time (unset, 0: it places nothing in time)");
    expect(waterfallOf(text).slice(0, 2)).toEqual([
      "op-1 [api]  10ms @+0ms",
      "  op-2 [api]  no start time  <-- this span",
    ]);
    expect(spanDetail(contextOf(spans, "0000000000000003"), none).split("\n")[1]).toContain("(+2ms into the trace)");
  });

  it("lists the span's ancestors, it and what is below it, not its parent's other children or their spans", () => {
    // 1 > 2 > {3 > 4, 5 > 6, 7}: span 3 has a child and two siblings.
    const spans = [
      span("1", null, 0),
      span("2", "1", 1),
      span("3", "2", 2),
      span("4", "3", 3),
      span("5", "2", 4),
      span("6", "5", 5),
      span("7", "2", 6),
    ];
    const text = spanDetail(contextOf(spans, "0000000000000003"), none);
    expect(text.split("\n").slice(0, 3)).toEqual([
      `Span 0000000000000003 "op-3" [api] in trace ${"a".repeat(32)} "op-1"`,
      "internal, status UNSET, took 10ms, started 2023-11-14T22:13:20.002Z (+2ms into the trace)",
      'parent: 0000000000000002 "op-2" [api]',
    ]);
    expect(waterfallOf(text)).toEqual([
      "op-1 [api]  10ms @+0ms",
      "  op-2 [api]  10ms @+1ms",
      "    op-3 [api]  10ms @+2ms  <-- this span",
      "      op-4 [api]  10ms @+3ms",
      "[its parent has 2 other child spans, not shown here]",
    ]);
    expect(text).toMatch(/\n\nNo log records name this span\.$/);
    // A root: no parent, nothing above it, every span below it.
    const root = spanDetail(contextOf(spans, "0000000000000001"), none);
    expect(root).toContain("\nparent: none (a root span)\n");
    expect(waterfallOf(root)).toHaveLength(7);
    expect(waterfallOf(root)[0]).toBe("op-1 [api]  10ms @+0ms  <-- this span");
  });

  it("names a span called by its bare HTTP method, and its parent, by what they were for", () => {
    const spans = [
      span("1", null, 0, { name: "GET", kind: "SERVER", attributes: { "http.method": "GET", "http.route": "/call" } }),
      span("2", "1", 1, {
        name: "GET",
        kind: "CLIENT",
        attributes: { "http.method": "GET", "http.url": "http://localhost:23112/items/42" },
      }),
    ];
    const lines = spanDetail(contextOf(spans, "0000000000000002"), none).split("\n");
    expect(lines[0]).toMatch(/^Span 0000000000000002 "GET localhost:23112\/items\/42" \[api\] in trace /);
    expect(lines[2]).toBe('parent: 0000000000000001 "GET /call" [api]');
  });

  it("names the code-monitoring snapshots captured in the span, as get_trace names a trace's", () => {
    const spans = [span("1", null, 0), span("2", "1", 1)];
    const snapshot = (id: string, capturedAt: string) => ({
      id,
      breakpointId: "bp",
      service: "api",
      filePath: "/app/cart.js",
      functionName: "",
      label: "checkout-validation",
      lineNumber: 29,
      capturedAt,
      traceId: "a".repeat(32),
      spanId: "0000000000000002",
      securityFlagCount: 0,
      variableNames: ["order"],
      calledFrom: null,
    });
    const text = spanDetail(contextOf(spans, "0000000000000002"), none, [snapshot("s1", "2026-12-06T23:18:28.169Z")]);
    expect(text.split("\n\n").at(-1)).toBe(
      [
        "1 code-monitoring snapshot captured in this span (get_snapshot shows one's variables):",
        '  s1 "checkout-validation" captured 2026-12-06T23:18:28.169Z',
      ].join("\n"),
    );
    expect(spanDetail(contextOf(spans, "0000000000000002"), none)).not.toContain("snapshot");
  });

  it(`lists at most ${MAX_SPANS_BELOW} spans below it and counts the rest; a parent not received is said`, () => {
    const spans = [span("1", "f", 0), ...Array.from({ length: 40 }, (_, i) => span(String(i + 100), "1", i + 1))];
    const text = spanDetail(contextOf(spans, "0000000000000001"), none);
    expect(text).toContain("\nparent: 000000000000000f (not received)\n");
    const lines = waterfallOf(text);
    expect(lines).toHaveLength(1 + MAX_SPANS_BELOW + 1);
    expect(lines.at(-1)).toBe("[10 more spans below it not shown; get_trace lists them all]");
    const oneMore = [span("1", null, 0), ...Array.from({ length: 31 }, (_, i) => span(String(i + 100), "1", i + 1))];
    expect(waterfallOf(spanDetail(contextOf(oneMore, "0000000000000001"), none)).at(-1)).toBe(
      "[1 more span below it not shown; get_trace lists them all]",
    );
  });

  it("lists the nearest spans above it, indented by their depth, and counts the rest", () => {
    // A chain of 26 spans: 25 above the last one, 20 of them listed.
    const spans = Array.from({ length: 26 }, (_, i) => span(String(i + 1), i === 0 ? null : String(i), i));
    const lines = waterfallOf(spanDetail(contextOf(spans, "0000000000000026"), none));
    expect(lines[0]).toBe("[5 spans above not shown]");
    expect(lines[1]).toBe(`${"  ".repeat(5)}op-6 [api]  10ms @+5ms`);
    expect(lines.at(-1)).toBe(`${"  ".repeat(25)}op-26 [api]  10ms @+25ms  <-- this span`);
    expect(lines).toHaveLength(22);
    // One left out is one span.
    const chain = spans.slice(0, 22);
    expect(waterfallOf(spanDetail(contextOf(chain, "0000000000000022"), none))[0]).toBe("[1 span above not shown]");
  });

  it("keeps its waterfall and logs in the answer when its events are many and long, and signs an offset before it", () => {
    const spans = [span("1", null, 0), span("2", "1", 1), span("3", "2", 2)];
    const long = "x".repeat(1000);
    spans[1] = {
      ...(spans[1] as SpanJson),
      events: Array.from({ length: 20 }, (_, i) => ({
        name: "exception",
        timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n),
        attributes: { "exception.stacktrace": long, "exception.message": long },
      })),
    };
    const text = spanDetail(contextOf(spans, "0000000000000002"), none);
    expect(text.length).toBeLessThan(MAX_ANSWER_CHARS);
    expect(text).toMatch(
      /\n\[\d+ more lines of its attributes, events, links and resource not shown \([\d,]+ characters\): cut to leave room for its waterfall and logs\]\n\nIn the trace's waterfall/,
    );
    expect(text).toContain("  op-2 [api]  10ms @+1ms  <-- this span");
    expect(text).toMatch(/No log records name this span\.$/);
    // The first event came 1 ms before the span started.
    expect(text).toContain("\n  -1ms exception\n");
  });

  it("counts the events and links past the first 20 in the singular for one", () => {
    const spans = [span("1", null, 0)];
    spans[0] = {
      ...(spans[0] as SpanJson),
      events: Array.from({ length: 21 }, (_, i) => ({
        name: `step-${i}`,
        timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
        attributes: {},
      })),
      links: Array.from({ length: 21 }, (_, i) => ({
        traceId: "ab".repeat(16),
        spanId: String(i).padStart(16, "0"),
        attributes: {},
      })),
    };
    const text = spanDetail(contextOf(spans, "0000000000000001"), none);
    expect(text).toContain("\n  [1 more event]\n");
    expect(text).toContain("\n  [1 more link]\n");
  });
});
