import { describe, expect, it } from "vitest";
import { parseUnit } from "../../src/domain/metric-units.js";
import {
  bucketColor,
  bucketRangeText,
  heatmapBoundaries,
  heatmapBoundaryLabels,
  heatmapMax,
  heatmapRowRange,
  parseColor,
} from "../../web/src/features/metrics/heatmap-model";

describe("heatmap colours", () => {
  const low: [number, number, number] = [255, 255, 255];
  const high: [number, number, number] = [0, 0, 100];

  it("leaves empty cells undrawn and darkens with the count on a log scale", () => {
    expect(bucketColor(0, 10, low, high)).toBeNull();
    expect(bucketColor(5, 0, low, high)).toBeNull();
    expect(bucketColor(10, 10, low, high)).toBe("rgb(0, 0, 100)");
    const one = bucketColor(1, 1000, low, high) as string;
    const hundred = bucketColor(100, 1000, low, high) as string;
    const channel = (css: string) => parseColor(css)?.[0] as number;
    // Even one value among a thousand shows; more values are darker.
    expect(channel(one)).toBeLessThan(255);
    expect(channel(hundred)).toBeLessThan(channel(one));
    expect(bucketColor(2000, 1000, low, high)).toBe("rgb(0, 0, 100)");
  });

  it("reads the colours getComputedStyle gives", () => {
    expect(parseColor("#4f46e5")).toEqual([79, 70, 229]);
    expect(parseColor("#fff")).toEqual([255, 255, 255]);
    expect(parseColor("rgb(1, 2, 3)")).toEqual([1, 2, 3]);
    expect(parseColor("rgba(1, 2, 3, 0.5)")).toEqual([1, 2, 3]);
    expect(parseColor("light-dark(#fff, #000)")).toBeNull();
  });
});

describe("heatmap rows", () => {
  const counts = [
    [0, 0, 3, 0, 0],
    [0, 1, 0, 2, 0],
    [0, 0, 0, 0, 0],
  ];

  it("keeps only the buckets that ever hold a value", () => {
    expect(heatmapRowRange(counts)).toEqual({ first: 1, last: 3 });
    expect(heatmapRowRange([[0, 0]])).toBeNull();
    expect(heatmapMax(counts)).toBe(3);
  });

  it("says what each bucket holds, the last being everything above", () => {
    const bounds = [5, 10, 25];
    const ms = parseUnit("ms");
    expect(bucketRangeText(0, bounds, ms)).toBe("≤ 5ms");
    expect(bucketRangeText(1, bounds, ms)).toBe("5ms – 10ms");
    expect(bucketRangeText(3, bounds, ms)).toBe("> 25ms");
    expect(bucketRangeText(0, [], ms)).toBe("all values");
  });

  it("reads a bucket that ends at the largest double (scale -10, past every double) as everything above", () => {
    const bounds = [1, Number.MAX_VALUE];
    const ms = parseUnit("ms");
    expect(bucketRangeText(1, bounds, ms)).toBe("> 1ms");
    expect(heatmapBoundaryLabels([1, 2], bounds, ms)).toEqual(["1ms", ""]);
  });
});

describe("heatmap axis", () => {
  it("labels each boundary with the bound it stands for", () => {
    const bounds = [0, 5, 10];
    const ms = parseUnit("ms");
    expect(heatmapBoundaryLabels([0, 1, 2, 4], bounds, ms)).toEqual(["", "0ms", "5ms", ""]);
  });

  it("rounds bucket bounds to two significant digits, in the unit (exponential buckets' 2.83, 4.76, 90.5…)", () => {
    const bounds = [2.828, 4.757, 11.31, 16, 90.51, 512, 2896];
    const labels = heatmapBoundaryLabels([1, 2, 3, 4, 5, 6, 7], bounds, parseUnit("ms"));
    expect(labels).toEqual(["2.8ms", "4.8ms", "11ms", "16ms", "91ms", "512ms", "2.9s"]);
    expect(heatmapBoundaryLabels([1], [0.0123], parseUnit(""))).toEqual(["0.012"]);
  });

  it("gives lines that would read alike, or as a band far wider than theirs, the digits that tell them apart", () => {
    // A gauge that is always 3, or 12.5: one fine exponential bucket around the value.
    expect(heatmapBoundaryLabels([1, 2], [2.9999987324832476, 3.000000715593056], parseUnit(""))).toEqual([
      "2.9999987",
      "3.0000007",
    ]);
    expect(heatmapBoundaryLabels([1, 2], [12.499998776675515, 12.500007039635733], parseUnit(""))).toEqual([
      "12.499999",
      "12.500007",
    ]);
    // Only the pair that needs it: 10 and 20 stay short beside 12.4 and 12.6.
    expect(heatmapBoundaryLabels([1, 2, 3, 4], [10, 12.4, 12.6, 20], parseUnit(""))).toEqual([
      "10",
      "12.4",
      "12.6",
      "20",
    ]);
    // The tooltip's range too.
    expect(bucketRangeText(1, [2.9999987324832476, 3.000000715593056], parseUnit(""))).toBe("2.9999987 – 3.0000007");
  });

  it("thins labels when the rows are too thin to carry one each, and leaves no tick without one", () => {
    expect(heatmapBoundaries(1, 3, 200, 10)).toEqual([1, 2, 3, 4]);
    // Boundary 0 (below the first bucket) and the one above the open last bucket stand for no bound.
    expect(heatmapBoundaries(0, 3, 200, 3)).toEqual([1, 2, 3]);
    expect(heatmapBoundaries(0, 39, 160, 40)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    // A dozen rows in a 90-pixel chart: four labels, not two.
    expect(heatmapBoundaries(0, 11, 90, 12)).toEqual([3, 6, 9, 12]);
  });
});
