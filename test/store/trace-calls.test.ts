import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span.js";
import { callPair, callPairsOf } from "../../src/domain/trace-calls.js";
import { createTraceCallCache, type TraceWithCalls } from "../../src/store/trace-calls.js";
import { makeSpan } from "./span-fixtures.js";

/** gateway → web (instrumented) → a CLIENT span to checkout's host; web's redis call. */
function spansOf(trace: number): Span[] {
  const span = (id: number, parent: number | null, service: string, kind: Span["kind"], attributes = {}) => ({
    ...makeSpan({ trace, span: id, parent, service, start: id, end: 10 }),
    kind,
    attributes,
  });
  return [
    span(1, null, "gateway", "SERVER"),
    span(2, 1, "gateway", "CLIENT", { "url.full": "http://web/" }),
    span(3, 2, "web", "SERVER"),
    span(4, 3, "web", "CLIENT", { "url.full": "http://checkout/pay" }),
    span(5, 3, "web", "CLIENT", { "db.system": "redis" }),
  ];
}

const sorted = (pairs: readonly string[]) => [...pairs].sort();

describe("trace call cache", () => {
  it("reads a trace's spans the first time its calls are needed, and again once it took more spans", () => {
    const cache = createTraceCallCache(undefined);
    const trace: TraceWithCalls = { calls: null };
    let spans = spansOf(1);
    let reads = 0;
    const pairs = () =>
      sorted(
        cache.pairsOf(trace, spans.length, () => {
          reads++;
          return { spans };
        }),
      );
    expect(pairs()).toEqual(
      sorted([callPair("gateway", "web"), callPair("web", "checkout"), callPair("web", "redis")]),
    );
    expect(pairs()).toEqual(sorted(callPairsOf(spans)));
    expect(reads).toBe(1);
    // checkout's server arrives: web's call to its host becomes a call to the service.
    spans = [...spans, { ...makeSpan({ trace: 1, span: 6, parent: 4, service: "checkout" }), kind: "SERVER" }];
    expect(pairs()).toEqual(sorted(callPairsOf(spans)));
    expect(reads).toBe(2);
  });

  it("learns a trace's calls from its spans read for something else", () => {
    const cache = createTraceCallCache(undefined);
    const trace: TraceWithCalls = { calls: null };
    cache.learn(trace, spansOf(1));
    const pairs = cache.pairsOf(trace, 5, () => {
      throw new Error("read");
    });
    expect(sorted(pairs)).toEqual(sorted(callPairsOf(spansOf(1))));
    // Another trace with the same calls shares them; one with another span count does not.
    const other: TraceWithCalls = { calls: null };
    cache.learn(other, spansOf(2));
    expect(other.calls).toBe(trace.calls);
    const longer: TraceWithCalls = { calls: null };
    cache.learn(longer, [...spansOf(3), { ...makeSpan({ trace: 3, span: 6, parent: 1, service: "gateway" }) }]);
    expect(longer.calls).not.toBe(trace.calls);
    expect(longer.calls?.pairs).toEqual(trace.calls?.pairs);
  });
});
