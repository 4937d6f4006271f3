import { describe, expect, it } from "vitest";
import { stepBetween, traceStepOf } from "../../web/src/features/trace-view/url-state";

describe("the trace page's own history entries", () => {
  const zoom = (depth: number) => ({ zoomStep: true, traceSteps: depth });
  const span = (depth: number) => ({ spanStep: true, traceSteps: depth });

  it("reads what an entry's state records, an entry the page opened on recording none", () => {
    expect(traceStepOf(null)).toBeNull();
    expect(traceStepOf({ other: 1 })).toBeNull();
    expect(traceStepOf(span(2))).toEqual({ kind: "span", depth: 2, path: null });
    expect(traceStepOf({ ...span(2), traceStepPath: "zs" })).toEqual({ kind: "span", depth: 2, path: "zs" });
    // A zoom step pushed before the depth was recorded is one step in.
    expect(traceStepOf({ zoomStep: true })).toEqual({ kind: "zoom", depth: 1, path: null });
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

  it("names a jump over several entries by a followed link among them, whichever way history went", () => {
    // A link followed, then a zoom: Back two entries (or Forward two) crosses the link.
    const linked = { spanStep: true, traceSteps: 1, traceStepPath: "s" };
    const zoomed = { zoomStep: true, traceSteps: 2, traceStepPath: "sz" };
    expect(stepBetween(zoomed, null)).toBe("span");
    expect(stepBetween(null, zoomed)).toBe("span");
    // One entry back from the zoom crosses the zoom only.
    expect(stepBetween(zoomed, linked)).toBe("zoom");
    // A zoom, then a link, then a zoom again: from the last back to the first crosses the link.
    const first = { zoomStep: true, traceSteps: 1, traceStepPath: "z" };
    const last = { zoomStep: true, traceSteps: 3, traceStepPath: "zsz" };
    expect(stepBetween(last, first)).toBe("span");
    expect(stepBetween(first, last)).toBe("span");
    // Zooms only: the selection stays.
    expect(stepBetween({ zoomStep: true, traceSteps: 1, traceStepPath: "z" }, null)).toBe("zoom");
  });
});
