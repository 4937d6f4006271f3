import type uPlot from "uplot";
import { describe, expect, it } from "vitest";
import {
  isolatedPointsFilter,
  labelsInside,
  lineChartOptions,
  THIN_LINES_FROM,
  windowRange,
} from "../../web/src/features/metrics/chart-options";
import { buildChartModel } from "../../web/src/features/metrics/metric-chart-model";
import type { ChartTheme } from "../../web/src/features/metrics/use-chart-theme";
import { queryResponse, series } from "./metric-fixtures";

const THEME: ChartTheme = {
  text: "#111",
  muted: "#666",
  grid: "#ddd",
  bg: "#fff",
  accent: "#06c",
  error: "#c00",
  palette: ["#1f77b4", "#ff7f0e"],
  heatLow: [240, 240, 255],
  heatHigh: [0, 0, 128],
  font: "sans-serif",
};

function optionsFor(lines: number) {
  const response = queryResponse(
    { chart: "value" },
    Array.from({ length: lines }, (_, i) => series(`/route/${i}`, [i, i + 1, null, i])),
  );
  return lineChartOptions(
    buildChartModel(response, { palette: THEME.palette }),
    THEME,
    () => ({
      from: 0,
      to: 1,
      extraMin: null,
      extraMax: null,
      model: null,
    }),
    { onCursor() {}, onDraw() {} },
  );
}

function lineWidths(lines: number): number[] {
  return optionsFor(lines)
    .series.slice(1)
    .map((s) => s.width as number);
}

describe("line chart options", () => {
  it("draws a few lines 1.5 px wide, and many 1 px wide", () => {
    expect(lineWidths(3)).toEqual([1.5, 1.5, 1.5]);
    expect(new Set(lineWidths(THIN_LINES_FROM - 1))).toEqual(new Set([1.5]));
    expect(new Set(lineWidths(THIN_LINES_FROM))).toEqual(new Set([1]));
    expect(lineWidths(200)).toHaveLength(200);
    expect(new Set(lineWidths(200))).toEqual(new Set([1]));
  });

  it("marks the nearest line alone under the cursor past eight lines, and every line below", () => {
    const markers = (lines: number) => optionsFor(lines).cursor?.points?.one;
    expect(markers(3)).toBe(false);
    expect(markers(THIN_LINES_FROM - 1)).toBe(false);
    expect(markers(THIN_LINES_FROM)).toBe(true);
    expect(markers(200)).toBe(true);
  });

  it("draws points only for values a line cannot show, and none at all for a line without them", () => {
    const chart = {
      data: [
        [1, 2, 3, 4],
        [1, null, 3, 4],
        [1, 2, 3, 4],
        [null, 2, null, null],
      ],
    } as unknown as uPlot;
    expect(isolatedPointsFilter(chart, 1)).toEqual([0]);
    expect(isolatedPointsFilter(chart, 2)).toBeNull();
    expect(isolatedPointsFilter(chart, 3)).toEqual([1]);
  });
});

describe("labelsInside", () => {
  // Every character 6 px wide: "20:19" is 30 px, centred on its tick.
  const width = (text: string) => text.length * 6;

  it("leaves out a label that would cross the chart's right edge, keeping the others", () => {
    const labels = ["20:15", "20:16", "20:17", "20:18", "20:19"];
    // The last tick is the chart's last pixel but 12 (uPlot's right padding): half of its label is past the edge.
    expect(labelsInside(labels, [100, 200, 300, 400, 488], 500, width)).toEqual([
      "20:15",
      "20:16",
      "20:17",
      "20:18",
      null,
    ]);
    // 16 px from the edge, it fits.
    expect(labelsInside(labels, [100, 200, 300, 400, 484], 500, width)).toEqual(labels);
  });

  it("measures a label of two lines by its wider line, and moves a date left out to the next label", () => {
    expect(labelsInside(["20:15\nDec 4", "20:16"], [10, 100], 500, width)).toEqual([null, "20:16\nDec 4"]);
    // A label with its own date keeps it.
    expect(labelsInside(["23:59\nDec 4", "00:00\nDec 5"], [10, 100], 500, width)).toEqual([null, "00:00\nDec 5"]);
    expect(labelsInside(["20:15", "20:16:00.25\nDec 4"], [100, 470], 500, width)).toEqual(["20:15", null]);
  });
});

describe("windowRange", () => {
  const range = windowRange(() => ({ from: 1_700_000_000, to: 1_700_000_001 })) as uPlot.Range.Function;
  const chart = (xs: number[]) => ({ data: [xs] }) as unknown as uPlot;

  it("answers the window when uPlot resets to the data's extent, and a zoom as chosen", () => {
    expect(range(chart([1_700_000_000, 1_700_000_000.5]), 1_700_000_000, 1_700_000_000.5, "x")).toEqual([
      1_700_000_000, 1_700_000_001,
    ]);
    expect(range(chart([1_700_000_000, 1_700_000_000.5]), 1_700_000_000.2, 1_700_000_000.4, "x")).toEqual([
      1_700_000_000.2, 1_700_000_000.4,
    ]);
  });

  it("answers the window for one point, which uPlot widens by a day of milliseconds (years of seconds)", () => {
    expect(range(chart([1_700_000_000]), 1_700_000_000, 1_700_000_000 + 86_400_000, "x")).toEqual([
      1_700_000_000, 1_700_000_001,
    ]);
  });
});
