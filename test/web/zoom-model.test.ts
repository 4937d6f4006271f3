import { describe, expect, it } from "vitest";
import { clampWindow, panWindow, zoomWindow } from "../../web/src/features/trace-view/zoom-model";

describe("the waterfall's time window", () => {
  it("stays inside the trace, and covering all of it means the whole trace (null)", () => {
    expect(clampWindow({ fromMs: -10, toMs: 20 }, 100)).toEqual({ fromMs: 0, toMs: 30 });
    expect(clampWindow({ fromMs: 90, toMs: 130 }, 100)).toEqual({ fromMs: 60, toMs: 100 });
    expect(clampWindow({ fromMs: -5, toMs: 120 }, 100)).toBeNull();
    expect(clampWindow({ fromMs: 10, toMs: 10 }, 100)).toEqual({ fromMs: 10, toMs: 10.01 });
    expect(clampWindow({ fromMs: 0, toMs: 1 }, 0)).toBeNull();
  });

  it("zooms around a focus that keeps its place on screen, by default the middle", () => {
    expect(zoomWindow(null, 100, 0.5)).toEqual({ fromMs: 25, toMs: 75 });
    // The focus at 10% of the view stays at 10% of the narrower one.
    expect(zoomWindow(null, 100, 0.5, 10)).toEqual({ fromMs: 5, toMs: 55 });
    expect(zoomWindow({ fromMs: 20, toMs: 40 }, 100, 2)).toEqual({ fromMs: 10, toMs: 50 });
    // Zooming out past the whole trace shows the whole trace; near an end it stops at the end.
    expect(zoomWindow({ fromMs: 10, toMs: 60 }, 100, 4)).toBeNull();
    expect(zoomWindow({ fromMs: 80, toMs: 100 }, 100, 2)).toEqual({ fromMs: 60, toMs: 100 });
    // A focus outside the window counts as its nearest edge.
    expect(zoomWindow({ fromMs: 20, toMs: 40 }, 100, 0.5, 90)).toEqual({ fromMs: 30, toMs: 40 });
  });

  it("pans by a share of the window, stopping at the trace's ends; the whole trace does not pan", () => {
    expect(panWindow({ fromMs: 20, toMs: 40 }, 100, 0.25)).toEqual({ fromMs: 25, toMs: 45 });
    expect(panWindow({ fromMs: 20, toMs: 40 }, 100, -2)).toEqual({ fromMs: 0, toMs: 20 });
    expect(panWindow({ fromMs: 70, toMs: 90 }, 100, 1)).toEqual({ fromMs: 80, toMs: 100 });
    expect(panWindow(null, 100, 1)).toBeNull();
  });
});
