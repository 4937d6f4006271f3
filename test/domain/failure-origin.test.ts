import { describe, expect, it } from "vitest";
import { type FailingSpan, FailureOrigins, failureOriginOf } from "../../src/domain/failure-origin.js";
import { ms, sdkFailedRequest, sdkThrownRequest, spanId } from "../store/span-fixtures.js";

/** Every order of `items` (small lists only). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const failing = (span: number, parent: number | null, start: number, end: number, more: Partial<FailingSpan> = {}) => ({
  spanId: spanId(span),
  parentSpanId: parent === null ? null : spanId(parent),
  kind: "INTERNAL",
  service: "api",
  startTimeUnixNano: ms(start),
  endTimeUnixNano: ms(end),
  ...more,
});

describe("failureOriginOf", () => {
  it("finds the query under the TraceKit Node SDK's Express span, whatever order the spans arrive in", () => {
    // The backend's HTTP span has no failing child of its own: its Express span, beside it, is inside it.
    const spans = sdkFailedRequest(1);
    for (const order of permutations(spans)) {
      const origins = new FailureOrigins<(typeof spans)[number]>();
      for (const span of order) origins.add(span);
      expect(origins.origin?.name).toBe("SELECT orders");
    }
  });

  it("takes the failing span with none below it that started first, then ended first, then the lower id", () => {
    const spans = [
      failing(1, null, 0, 100),
      failing(2, 1, 10, 50), // has a failing child: not where it started
      failing(3, 2, 20, 30),
      failing(4, 1, 5, 90), // started first of those with none below
      failing(5, 1, 5, 60), // …and this one ended first
      failing(6, 1, 5, 60), // same times: the lower id
    ];
    for (const order of permutations(spans)) expect(failureOriginOf(order)?.spanId).toBe(spanId(5));
    expect(failureOriginOf([])).toBeNull();
  });

  it("reads the outer of two SERVER spans telling one request beside each other as failing below, not two retries", () => {
    const server = { kind: "SERVER", service: "backend" };
    const told = [
      failing(1, null, 0, 100, { service: "web" }),
      failing(2, 1, 10, 40, server),
      failing(3, 1, 12, 30, server),
    ];
    expect(failureOriginOf(told)?.spanId).toBe(spanId(3));
    // One request after the other under the same call (a retry): each stands alone; the first started first.
    const retried = [told[0] as FailingSpan, failing(2, 1, 10, 20, server), failing(3, 1, 30, 40, server)];
    expect(failureOriginOf(retried)?.spanId).toBe(spanId(2));
  });

  /**
   * shop's request (502) → its Express "request handler" (no status) → its call (503) → inventory's
   * request (503) → inventory's handler (no status): the failure started in inventory. Each failing
   * span added, each handler linked, as events in the order given.
   */
  const expressFailure = () => {
    const failingSpans = [
      failing(1, null, 0, 100, { kind: "SERVER", service: "shop" }),
      failing(3, 2, 10, 80, { kind: "CLIENT", service: "shop" }),
      failing(4, 3, 12, 78, { kind: "SERVER", service: "inventory" }),
    ];
    const handlers = [
      { spanId: spanId(2), parentSpanId: spanId(1) },
      { spanId: spanId(5), parentSpanId: spanId(4) },
    ];
    const events = [...failingSpans.map((span) => ({ add: span })), ...handlers.map((link) => ({ link }))];
    return { failingSpans, handlers, events };
  };

  it("reaches through spans that did not fail: the failing request above an Express handler span is not where it started", () => {
    const { failingSpans, handlers, events } = expressFailure();
    // Without its handler span the call counts as inside shop's failing request all the same (an orphan,
    // see below); a request of another kind holds no orphan, and is reached only through the handler.
    expect(failureOriginOf(failingSpans)?.spanId).toBe(spanId(4));
    const unheld = failingSpans.map((span) => (span.spanId === spanId(1) ? { ...span, kind: "INTERNAL" } : span));
    expect(failureOriginOf(unheld)?.spanId).toBe(spanId(1));
    expect(failureOriginOf(unheld, handlers)?.spanId).toBe(spanId(4));
    expect(failureOriginOf(failingSpans, handlers)?.spanId).toBe(spanId(4));
    // Added and linked in any order once a span failed (a span linked before anything failed is not kept).
    for (const order of permutations(events)) {
      if (!("add" in (order[0] as object))) continue;
      const origins = new FailureOrigins<FailingSpan>();
      for (const event of order) {
        if ("add" in event) origins.add(event.add);
        else origins.link(event.link.spanId, event.link.parentSpanId);
      }
      expect(origins.origin?.spanId).toBe(spanId(4));
    }
    // A cycle of parents, all failing: the earliest, rather than no origin.
    expect(failureOriginOf([failing(1, 2, 0, 10), failing(2, 1, 5, 10)])?.spanId).toBe(spanId(1));
  });

  it("gives the same origin when its links are dropped (a trace gone quiet) and the trace's spans linked again", () => {
    const { events } = expressFailure();
    for (const order of permutations(events)) {
      if (!("add" in (order[0] as object))) continue;
      for (let quiet = 1; quiet < order.length; quiet++) {
        const origins = new FailureOrigins<FailingSpan>();
        const seen: { spanId: string; parentSpanId: string | null }[] = [];
        order.forEach((event, i) => {
          if (i === quiet) {
            // Gone quiet: the links are dropped; the store hands every span it holds again.
            origins.dropLinks();
            for (const span of seen) origins.link(span.spanId, span.parentSpanId);
          }
          if ("add" in event) origins.add(event.add);
          else origins.link(event.link.spanId, event.link.parentSpanId);
          seen.push("add" in event ? event.add : event.link);
        });
        expect(origins.origin?.spanId).toBe(spanId(4));
      }
    }
  });

  it("counts the handler's span of a request whose handler threw, its Express span never sent, as below the HTTP span", () => {
    // As the TraceKit Node SDK sends it: whether the handler started in the HTTP span's millisecond or
    // the next, in any order, the TypeError is where it started, not the HTTP span's 500.
    for (const handlerStart of [0, 1] as const) {
      const spans = sdkThrownRequest(1, handlerStart);
      for (const order of permutations(spans)) {
        expect(failureOriginOf(order)?.name).toBe("handler /throw");
        const origins = new FailureOrigins<(typeof spans)[number]>();
        for (const span of order) origins.add(span);
        expect(origins.origin?.name).toBe("handler /throw");
      }
    }
    // Both starting in one millisecond and ending alike: the tie no longer falls to the lower span id,
    // whichever of the two has it.
    const server = { kind: "SERVER" };
    for (const [http, handler] of [
      [1, 3],
      [3, 1],
    ] as const) {
      const spans = [failing(http, null, 0, 2, server), failing(handler, 2, 0, 2)];
      for (const order of permutations(spans)) expect(failureOriginOf(order)?.spanId).toBe(spanId(handler));
    }
  });

  it("counts an orphan as below a failing SERVER span only of its own service and around it, and only while its parent is missing", () => {
    const server = failing(1, null, 0, 10, { kind: "SERVER" });
    const cases: [string, FailingSpan, number][] = [
      ["an orphan inside it", failing(3, 2, 1, 9), 3],
      ["an orphan ending within a millisecond after it (whole-millisecond starts)", failing(3, 2, 1, 10.5), 3],
      ["a root", failing(3, null, 1, 9), 1],
      ["another service's orphan", failing(3, 2, 1, 9, { service: "worker" }), 1],
      ["an orphan starting before it", failing(3, 2, -1, 9), 3],
      ["an orphan ending a millisecond after it", failing(3, 2, 1, 11), 1],
      ["an orphan of a request of another kind", failing(3, 2, 1, 9), 1],
    ];
    for (const [what, span, origin] of cases) {
      const outer = what.includes("another kind") ? { ...server, kind: "CONSUMER" } : server;
      for (const order of permutations([outer, span])) {
        expect(failureOriginOf(order)?.spanId, what).toBe(spanId(origin));
      }
    }
    // Its parent arrives (a root that did not fail, linked before or after): then it is no orphan.
    const child = failing(3, 2, 1, 9);
    for (const linkFirst of [false, true]) {
      const origins = new FailureOrigins<FailingSpan>();
      origins.add(server);
      if (linkFirst) origins.link(spanId(2), null);
      origins.add(child);
      expect(origins.origin?.spanId).toBe(spanId(linkFirst ? 1 : 3));
      origins.link(spanId(2), null);
      expect(origins.origin?.spanId).toBe(spanId(1));
    }
  });
});
