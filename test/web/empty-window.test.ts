import { describe, expect, it } from "vitest";
import { emptyWindowOf } from "../../web/src/features/metrics/empty-window";

describe("a window with nothing to draw", () => {
  const window = { fromUnixMs: 1_000_000, toUnixMs: 1_900_000 };

  it("is quiet when the metric's last point falls in it: still reported, nothing new recorded", () => {
    expect(emptyWindowOf(1_899_000, window, true)).toBe("quiet");
    expect(emptyWindowOf(1_000_000, window, false)).toBe("quiet");
    // A live window holds a point that arrived after it was asked for.
    expect(emptyWindowOf(1_905_000, window, true)).toBe("quiet");
  });

  it("holds no point when the last one came before it, or after a range that ended", () => {
    expect(emptyWindowOf(999_999, window, true)).toBe("none");
    expect(emptyWindowOf(1_905_000, window, false)).toBe("none");
  });

  it("says values were recorded when a histogram counted some but none of its percentiles is known", () => {
    // Not "nothing was recorded": a histogram without bounds, min or max counted 10 values.
    expect(emptyWindowOf(1_899_000, window, true, 10)).toBe("unplaced");
    expect(emptyWindowOf(999_999, window, false, 0.5)).toBe("unplaced");
    expect(emptyWindowOf(1_899_000, window, true, 0)).toBe("quiet");
  });
});
