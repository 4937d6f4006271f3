import { describe, expect, it } from "vitest";
import {
  clampWindow,
  panWindow,
  readZoomParam,
  sameWindow,
  zoomParam,
  zoomWindow,
} from "../../web/src/features/trace-view/zoom-model";

describe("the waterfall's time window", () => {
  it("stays inside the trace, and covering all of it means the whole trace (null)", () => {
    expect(clampWindow({ fromMs: -10, toMs: 20 }, 100)).toEqual({ fromMs: 0, toMs: 30 });
    expect(clampWindow({ fromMs: 90, toMs: 130 }, 100)).toEqual({ fromMs: 60, toMs: 100 });
    expect(clampWindow({ fromMs: -5, toMs: 120 }, 100)).toBeNull();
    expect(clampWindow({ fromMs: 10, toMs: 10 }, 100)).toEqual({ fromMs: 10, toMs: 10.001 });
    // A 2-hour trace zooms down to 0.72 ms around a microsecond span (a share alone stopped at 720 ms).
    const twoHours = 7_200_000;
    expect(clampWindow({ fromMs: 3_600_000, toMs: 3_600_000.000003 }, twoHours)).toEqual({
      fromMs: 3_600_000,
      toMs: 3_600_000 + twoHours * 1e-7,
    });
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

  it("writes the window for the address as short as its length allows, and reads it back inside the trace", () => {
    expect(zoomParam({ fromMs: 200, toMs: 450 })).toBe("200-450");
    // A ten-thousandth of its length: 250 ms keeps two decimals, 40 µs keeps six.
    expect(zoomParam({ fromMs: 674.2539, toMs: 924.2539 })).toBe("674.25-924.25");
    expect(zoomParam({ fromMs: 1.000001234, toMs: 1.000041234 })).toBe("1.000001-1.000041");
    expect(readZoomParam("674.25-924.25", 1000)).toEqual({ fromMs: 674.25, toMs: 924.25 });
    // Past the trace's end it is moved inside; covering all of it, or malformed, it is the whole trace.
    expect(readZoomParam("900-1100", 1000)).toEqual({ fromMs: 800, toMs: 1000 });
    expect(readZoomParam("0-1000", 1000)).toBeNull();
    for (const bad of [null, "", "abc", "5-5", "9-2", "-1-5", "1e3-2e3", "1-2-3"]) {
      expect(readZoomParam(bad, 1000)).toBeNull();
    }
    expect(sameWindow(null, null)).toBe(true);
    expect(sameWindow({ fromMs: 1, toMs: 2 }, { fromMs: 1, toMs: 2 })).toBe(true);
    expect(sameWindow({ fromMs: 1, toMs: 2 }, null)).toBe(false);
  });
});
