import { describe, expect, it } from "vitest";
import { errorsBelow, spanChildren } from "../../src/domain/error-origin.js";
import type { Span } from "../../src/domain/span.js";
import { makeSpan, sdkThrownRequest, spanId } from "../store/span-fixtures.js";

/** A failure that travels up: web's server span ← its call ← api's handler ← its call to a database that timed out. */
function chain(): Span[] {
  const exception = (type: string, message: string) => ({
    name: "exception",
    timeUnixNano: 0n,
    attributes: { "exception.type": type, "exception.message": message },
    droppedAttributesCount: 0,
  });
  const spans = [
    makeSpan({ trace: 1, span: 1, parent: null, service: "web", error: true, end: 50 }),
    makeSpan({ trace: 1, span: 2, parent: 1, service: "web", error: true, start: 1, end: 49 }),
    makeSpan({ trace: 1, span: 3, parent: 2, service: "api", error: true, start: 2, end: 48 }),
    // A first attempt that timed out, then a second; and a cache miss handled as an exception on a fine span.
    makeSpan({ trace: 1, span: 4, parent: 3, service: "api", error: true, start: 3, end: 20 }),
    makeSpan({ trace: 1, span: 5, parent: 3, service: "api", error: true, start: 21, end: 47 }),
    makeSpan({ trace: 1, span: 6, parent: 3, service: "api", start: 2.5, end: 2.8 }),
    makeSpan({ trace: 1, span: 7, parent: 1, service: "web", start: 0.5, end: 0.9 }),
  ];
  spans[2] = { ...(spans[2] as Span), events: [exception("OrderError", "could not save order 7")] };
  spans[3] = { ...(spans[3] as Span), events: [exception("TimeoutError", "query timed out after 5000 ms")] };
  spans[4] = { ...(spans[4] as Span), events: [exception("TimeoutError", "query timed out after 5001 ms")] };
  spans[5] = { ...(spans[5] as Span), events: [exception("CacheMiss", "no key user:7")] };
  return spans;
}

/**
 * A request through two services whose TraceKit Node SDK Express middleware puts its SERVER span beside
 * the HTTP instrumentation's (both under the caller's span), as the real SDK 1.7 does: the handler's
 * query fails, the handler records "db failed", and every span up to the frontend's root fails.
 */
function besideHttpSpan(): Span[] {
  const exception = (message: string) => ({
    name: "exception",
    timeUnixNano: 0n,
    attributes: { "exception.type": "Error", "exception.message": message },
    droppedAttributesCount: 0,
  });
  const span = (
    id: number,
    parent: number | null,
    service: string,
    kind: Span["kind"],
    start: number,
    end: number,
  ) => ({
    ...makeSpan({ trace: 3, span: id, parent, service, error: true, start, end }),
    kind,
  });
  return [
    span(1, null, "frontend", "SERVER", 0, 12.4),
    span(2, 1, "frontend", "SERVER", 0, 10.5),
    span(3, 2, "frontend", "CLIENT", 1, 10.8),
    // The backend's HTTP span and, beside it, the middleware's: one request told twice.
    span(4, 3, "backend", "SERVER", 2, 10.3),
    { ...span(5, 3, "backend", "SERVER", 2, 9), events: [exception("db failed")] },
    { ...span(6, 5, "backend", "INTERNAL", 3, 8.5), events: [exception('relation "ordrs" does not exist')] },
    // A second request of the same call, after the first (a retry): its own failure, not the first's.
    span(7, 3, "backend", "SERVER", 10.4, 10.7),
  ];
}

describe("errorsBelow", () => {
  it("reads the inner of two SERVER spans telling one request beside each other as inside the outer one", () => {
    const spans = spanChildren(besideHttpSpan());
    const below = (id: number) => errorsBelow(spans, spanId(id)).map((e) => [e.spanId, e.message]);
    const query = [spanId(6), 'relation "ordrs" does not exist'];
    // The HTTP span's 500 is the middleware's failure passed along, as if the middleware were inside it.
    expect(below(4)).toEqual([query]);
    expect(below(5)).toEqual([query]);
    // Up the chain the query is the one origin: the backend's HTTP span failed because of it.
    expect(below(1)).toEqual([query, [spanId(7), "failed"]]);
    expect(below(3)).toEqual([query, [spanId(7), "failed"]]);
    expect(below(6)).toEqual([]);
    expect(below(7)).toEqual([]);
  });

  it("finds the deepest failures below a failing span, oldest first; a caught exception is none", () => {
    const spans = spanChildren(chain());
    for (const span of [1, 2, 3]) {
      expect(errorsBelow(spans, spanId(span)).map((e) => [e.spanId, e.type, e.message])).toEqual([
        [spanId(4), "TimeoutError", "query timed out after 5000 ms"],
        [spanId(5), "TimeoutError", "query timed out after 5001 ms"],
      ]);
    }
  });

  it("finds none where the error started, for a span not in the trace, and walks a cycle once", () => {
    const spans = spanChildren(chain());
    expect(errorsBelow(spans, spanId(4))).toEqual([]);
    expect(errorsBelow(spans, spanId(7))).toEqual([]);
    expect(errorsBelow(spans, spanId(99))).toEqual([]);
    const cycle = [
      makeSpan({ trace: 2, span: 1, parent: 2, error: true }),
      makeSpan({ trace: 2, span: 2, parent: 1, error: true }),
    ];
    expect(errorsBelow(spanChildren(cycle), spanId(1)).map((e) => e.spanId)).toEqual([spanId(2)]);
  });

  it("reads a handler's exception, its Express span never sent, as below the HTTP span it failed in", () => {
    // As the TraceKit Node SDK sends a request whose handler threw: the HTTP span's 500 passed it along.
    for (const handlerStart of [0, 1] as const) {
      for (const spans of [sdkThrownRequest(1, handlerStart), sdkThrownRequest(1, handlerStart).reverse()]) {
        const children = spanChildren(spans);
        expect(errorsBelow(children, spanId(1)).map((e) => [e.spanId, e.type])).toEqual([[spanId(3), "TypeError"]]);
        expect(errorsBelow(children, spanId(3))).toEqual([]);
      }
    }
  });

  it("reads an orphan as below only the innermost failing SERVER span of its own service around it", () => {
    const span = (id: number, parent: number | null, start: number, end: number, more: Partial<Span> = {}): Span => ({
      ...makeSpan({ trace: 4, span: id, parent, error: true, start, end }),
      ...more,
    });
    const server = { kind: "SERVER" } as const;
    const spans = [
      span(1, null, 0, 20, server),
      span(2, null, 2, 18, server),
      span(4, 3, 5, 6), // its parent, span 3, never arrived
      span(5, 3, 7, 8, { service: "worker" }),
      span(6, null, 9, 10), // a root, not an orphan
      span(10, 9, 30, 31), // after both
    ];
    const below = (id: number) => errorsBelow(spanChildren(spans), spanId(id)).map((e) => e.spanId);
    // Not below either: another service's orphan, a root, an orphan outside them in time.
    expect(below(2)).toEqual([spanId(4)]);
    expect(below(1)).toEqual([]);
  });
});
