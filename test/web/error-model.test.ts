import { describe, expect, it } from "vitest";
import type { Span } from "../../src/domain/span";
import { TraceAggregate } from "../../src/domain/trace-summary";
import { spanToJson } from "../../src/protocol-json";
import { errorMessageOf, stepError, traceErrors } from "../../web/src/features/trace-view/error-model";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { sdkFailedRequest, sdkThrownRequest, spanId } from "../store/span-fixtures";
import { span } from "./span-fixtures";

const failing = { status: { code: "ERROR" as const } };

describe("traceErrors", () => {
  it("names the handler's TypeError of a request whose handler threw, as the trace list's line does", () => {
    // The TraceKit Node SDK never sends its Express span for such a request: the handler's span names
    // a parent that never comes, beside the HTTP span's 500, and starts in its millisecond or the next.
    const message = "TypeError: Cannot read properties of null (reading 'x')";
    for (const handlerStart of [0, 1] as const) {
      const request = sdkThrownRequest(1, handlerStart);
      for (const spans of [request, [...request].reverse()]) {
        const origin = traceErrors(buildWaterfallTree(spans.map((s) => spanToJson(s)))).origin;
        expect(origin?.span.name).toBe("handler /throw");
        expect(errorMessageOf(origin?.span as never)).toBe(message);
        const aggregate = new TraceAggregate(request[0]?.traceId as string);
        for (const s of spans) aggregate.add(s);
        expect(aggregate.errorMessage).toBe(message);
      }
    }
  });

  it("tells the HTTP span's failure for a handler span that failed saying nothing, its parent never sent", () => {
    // The line walks up from a silent origin to the nearest failing span that says something: above an
    // orphan, the SERVER span it counts as below.
    for (const handlerStart of [0, 1] as const) {
      const [sent, handler] = sdkThrownRequest(1, handlerStart) as [Span, Span];
      const http: Span = { ...sent, status: { code: "ERROR", message: "request failed" } };
      const silent: Span = { ...handler, status: { code: "ERROR" }, events: [] };
      for (const spans of [
        [http, silent],
        [silent, http],
      ]) {
        const aggregate = new TraceAggregate(http.traceId);
        for (const s of spans) aggregate.add(s);
        expect(aggregate.errorMessage).toBe("request failed");
        expect(aggregate.errorOrigin()?.span?.spanId).toBe(silent.spanId);
      }
    }
  });

  it("finds where a failure started: a failing span without a failing child", () => {
    // root → handler → payment call → payment server, every one failing as the error travels up;
    // a sibling query that failed on its own sits one level higher.
    const tree = buildWaterfallTree([
      span("a", null, 0, 100, failing),
      span("b", "a", 1, 90, failing),
      span("c", "b", 2, 50, failing),
      span("d", "c", 3, 40, failing),
      span("e", "a", 91, 95, failing),
      span("f", "d", 4, 10),
    ]);
    const errors = traceErrors(tree);
    expect(errors.nodes.map((n) => n.spanId)).toEqual(["a", "b", "c", "d", "e"]);
    expect(errors.origin?.spanId).toBe("d");
  });

  it("names the span the trace list's error line names, whatever order the spans arrived in", () => {
    // The list's line is kept as spans arrive (TraceAggregate); the page reads them all at once.
    const lineOf = (spans: Span[]) => {
      const aggregate = new TraceAggregate(spans[0]?.traceId as string);
      for (const s of spans) aggregate.add(s);
      return aggregate.errorMessage;
    };
    const request = sdkFailedRequest(1);
    const origin = traceErrors(buildWaterfallTree(request.map((s) => spanToJson(s)))).origin;
    expect(origin?.span.name).toBe("SELECT orders");
    const message = errorMessageOf(origin?.span as never);
    expect(message).toBe('Error: relation "ordrs" does not exist');
    expect(lineOf(request)).toBe(message);
    expect(lineOf([...request].reverse())).toBe(message);
    // Two failures that started in the same millisecond (the SDK's start times are whole milliseconds):
    // the one that ended first, on both sides, in any order.
    const [root, , , , backend] = request as [Span, Span, Span, Span, Span];
    const tie = (id: number, end: bigint, message: string): Span => ({
      ...backend,
      spanId: spanId(id),
      parentSpanId: root.spanId,
      kind: "INTERNAL",
      endTimeUnixNano: end,
      events: [{ name: "exception", timeUnixNano: end, attributes: { "exception.message": message } }],
    });
    const tied = [root, tie(8, backend.endTimeUnixNano, "later"), tie(9, backend.endTimeUnixNano - 1n, "sooner")];
    for (const spans of [tied, [...tied].reverse()]) {
      const page = traceErrors(buildWaterfallTree(spans.map((s) => spanToJson(s)))).origin;
      expect(errorMessageOf(page?.span as never)).toBe("sooner");
      expect(lineOf(spans)).toBe("sooner");
    }
  });

  it("picks the earliest of equally deep origins, and none when nothing failed", () => {
    const tree = buildWaterfallTree([
      span("a", null, 0, 100),
      span("late", "a", 50, 60, failing),
      span("early", "a", 10, 20, failing),
    ]);
    expect(traceErrors(tree).origin?.spanId).toBe("early");
    expect(traceErrors(buildWaterfallTree([span("a", null, 0, 1)]))).toEqual({ nodes: [], origin: null });
  });
});

describe("errorMessageOf", () => {
  const event = (attributes: Record<string, string>) => ({ name: "exception", timeUnixNano: "1", attributes });
  it("prefers the exception event's type and message, then the span's own exception attributes, then the status message", () => {
    expect(
      errorMessageOf(
        span("a", null, 0, 1, {
          status: { code: "ERROR", message: "boom" },
          events: [
            { name: "log", timeUnixNano: "1", attributes: { "exception.type": "NotThisOne" } },
            event({ "exception.type": "TimeoutError", "exception.message": "redis timed out after 2000 ms" }),
          ],
        }),
      ),
    ).toBe("TimeoutError: redis timed out after 2000 ms");
    expect(
      errorMessageOf(span("a", null, 0, 1, { events: [event({ "exception.message": " only a message " })] })),
    ).toBe("only a message");
    expect(
      errorMessageOf(
        span("a", null, 0, 1, { attributes: { "exception.type": "ValueError" }, status: { code: "ERROR" } }),
      ),
    ).toBe("ValueError");
    expect(errorMessageOf(span("a", null, 0, 1, { status: { code: "ERROR", message: "card declined" } }))).toBe(
      "card declined",
    );
    expect(errorMessageOf(span("a", null, 0, 1, { status: { code: "ERROR", message: "  " } }))).toBeNull();
  });
});

describe("stepError", () => {
  const tree = buildWaterfallTree([
    span("a", null, 0, 100),
    span("b", "a", 1, 2, failing),
    span("c", "a", 3, 4),
    span("d", "a", 5, 6, failing),
  ]);
  const errors = traceErrors(tree).nodes;
  const at = (id: string) => tree.byId.get(id)!.index;
  it("goes to the next or previous failing span in waterfall order and wraps around", () => {
    expect(stepError(errors, at("a"), 1)?.spanId).toBe("b");
    expect(stepError(errors, at("b"), 1)?.spanId).toBe("d");
    expect(stepError(errors, at("c"), 1)?.spanId).toBe("d");
    expect(stepError(errors, at("d"), 1)?.spanId).toBe("b");
    expect(stepError(errors, at("c"), -1)?.spanId).toBe("b");
    expect(stepError(errors, at("b"), -1)?.spanId).toBe("d");
    expect(stepError(errors, -1, 1)?.spanId).toBe("b");
    expect(stepError(errors, -1, -1)?.spanId).toBe("d");
    expect(stepError([], 0, 1)).toBeNull();
  });
});
