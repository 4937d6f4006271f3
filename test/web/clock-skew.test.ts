import { describe, expect, it } from "vitest";
import { clockSkewBadge, clockSkewOf, clockSkewText } from "../../web/src/features/trace-view/clock-skew";
import { buildWaterfallTree } from "../../web/src/features/trace-view/waterfall-model";
import { span } from "./span-fixtures";

const HOUR = 3_600_000;

function skewOf(child: ReturnType<typeof span>, parentExtra = {}) {
  const tree = buildWaterfallTree([
    span("r", null, 0, 100, { kind: "CLIENT", service: "checkout", ...parentExtra }),
    child,
  ]);
  return clockSkewOf(tree.byId.get(child.spanId)!);
}

describe("clockSkewOf", () => {
  it("flags a span of another service that starts before its parent", () => {
    expect(skewOf(span("c", "r", -5, 50, { kind: "SERVER", service: "payments" }))).toEqual({
      kind: "starts-before",
      ms: 5,
    });
  });

  it("flags a SERVER span that starts after its CLIENT parent ended (a clock 3 h ahead)", () => {
    const skew = skewOf(span("c", "r", 3 * HOUR + 10, 3 * HOUR + 60, { kind: "SERVER", service: "payments" }));
    expect(skew).toEqual({ kind: "starts-after-end", ms: 3 * HOUR - 90 });
    expect(clockSkewBadge(skew!)).toBe("clock skew? +3h");
    expect(clockSkewText(skew!, "checkout")).toBe(
      "Starts 2h 59m 59.91s after its calling span (checkout) ended: the two services' clocks may differ. Times are shown as each service sent them.",
    );
  });

  it("flags a SERVER span that ends after its CLIENT parent ended", () => {
    expect(skewOf(span("c", "r", 10, 130, { kind: "SERVER", service: "payments" }))).toEqual({
      kind: "ends-after",
      ms: 30,
    });
  });

  it("leaves the few ms a server span on the same machine ends after its call alone (its answer handed over, millisecond starts)", () => {
    // As the TraceKit Node SDK's services on one machine sent them: 1.43 ms and 3.3 ms after the call ended.
    expect(skewOf(span("c", "r", 60, 101.43, { kind: "SERVER", service: "payments" }))).toBeNull();
    expect(skewOf(span("c", "r", 60, 103.3, { kind: "SERVER", service: "payments" }))).toBeNull();
    expect(skewOf(span("c", "r", 100.6, 100.9, { kind: "SERVER", service: "payments" }))).toBeNull();
    // A server span started on a whole millisecond under a call with a precise start, 0.3 ms into it.
    expect(skewOf(span("c", "r", -0.3, 50, { kind: "SERVER", service: "payments" }))).toBeNull();
    expect(skewOf(span("c", "r", -1.5, 50, { kind: "SERVER", service: "payments" }))).toEqual({
      kind: "starts-before",
      ms: 1.5,
    });
    expect(skewOf(span("c", "r", 60, 105.5, { kind: "SERVER", service: "payments" }))).toEqual({
      kind: "ends-after",
      ms: 5.5,
    });
    expect(skewOf(span("c", "r", 101.5, 102, { kind: "SERVER", service: "payments" }))).toEqual({
      kind: "starts-after-end",
      ms: 1.5,
    });
  });

  it("leaves a span whose start is unset (0), or whose parent's is, alone: it has no time to disagree with", () => {
    const unset = { startTimeUnixNano: "0", endTimeUnixNano: "0" };
    expect(skewOf(span("c", "r", 0, 0, { kind: "SERVER", service: "payments", ...unset }))).toBeNull();
    expect(skewOf(span("c", "r", 10, 90, { kind: "SERVER", service: "payments" }), unset)).toBeNull();
  });

  it("leaves spans inside their parent, of the same service, or not a client's server alone", () => {
    expect(skewOf(span("c", "r", 10, 90, { kind: "SERVER", service: "payments" }))).toBeNull();
    expect(skewOf(span("c", "r", -5, 90, { kind: "SERVER", service: "checkout" }))).toBeNull();
    // A consumer may well run after its producer ended.
    expect(
      skewOf(span("c", "r", 500, 600, { kind: "CONSUMER", service: "payments" }), { kind: "PRODUCER" }),
    ).toBeNull();
    expect(skewOf(span("c", "r", 500, 600, { kind: "INTERNAL", service: "payments" }))).toBeNull();
  });
});
