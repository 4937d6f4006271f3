import { describe, expect, it } from "vitest";
import { errorMessageOf, stepError, traceErrors } from "../../web/src/features/trace-view/error-model";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { span } from "./span-fixtures";

const failing = { status: { code: "ERROR" as const } };

describe("traceErrors", () => {
  it("finds where a failure started: the deepest failing span without a failing child", () => {
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
