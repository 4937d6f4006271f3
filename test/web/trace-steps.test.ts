import { describe, expect, it } from "vitest";
import { stepBetween, traceStepOf } from "../../web/src/features/trace-view/url-state";

describe("the trace page's own history entries", () => {
  const zoom = (depth: number) => ({ zoomStep: true, traceSteps: depth });
  const span = (depth: number) => ({ spanStep: true, traceSteps: depth });

  it("reads what an entry's state records, an entry the page opened on recording none", () => {
    expect(traceStepOf(null)).toBeNull();
    expect(traceStepOf({ other: 1 })).toBeNull();
    expect(traceStepOf(span(2))).toEqual({ kind: "span", depth: 2 });
    // A zoom step pushed before the depth was recorded is one step in.
    expect(traceStepOf({ zoomStep: true })).toEqual({ kind: "zoom", depth: 1 });
  });

  it("names the step between two entries by the later one, whichever way history went", () => {
    // Back out of a followed link, and Forward into it again.
    expect(stepBetween(span(1), null)).toBe("span");
    expect(stepBetween(null, span(1))).toBe("span");
    // Back out of a zoom taken after following a link: a zoom, whatever the entry before it was.
    expect(stepBetween(zoom(2), span(1))).toBe("zoom");
    expect(stepBetween(span(2), zoom(1))).toBe("span");
    expect(stepBetween(null, null)).toBeNull();
  });
});
