import { describe, expect, it } from "vitest";
import { hiddenKeys, hideOf, soloKeys, toggledKeys } from "../../web/src/features/metrics/hidden-lines";
import { buildChartModel } from "../../web/src/features/metrics/metric-chart-model";
import { PALETTE, queryResponse, series } from "./metric-fixtures";

const grouped = buildChartModel(
  queryResponse({ chart: "rate" }, [series("/a", [1]), series("/b", [2]), series("/c", [3])]),
  { palette: PALETTE },
);
const keyOf = (label: string) => grouped.lines.find((line) => line.label === label)?.key as string;

describe("the lines hidden in a chart's legend", () => {
  it("are named in the URL as the legend names them, in its order, and read back as the lines' keys", () => {
    const hidden = toggledKeys(toggledKeys(new Set(), keyOf("/c")), keyOf("/a"));
    expect(hideOf(grouped, hidden)).toEqual(["/a", "/c"]);
    expect(hiddenKeys(grouped, ["/c", "/a", "/gone"])).toEqual(new Set([keyOf("/a"), keyOf("/c")]));
    expect(hideOf(grouped, toggledKeys(new Set([keyOf("/a")]), keyOf("/a")))).toBeUndefined();
    expect(hiddenKeys(null, ["/a"])).toEqual(new Set());
  });

  it("show one line alone, and every line again when it already was", () => {
    const alone = soloKeys(grouped, new Set(), keyOf("/b"));
    expect(hideOf(grouped, alone)).toEqual(["/a", "/c"]);
    expect(soloKeys(grouped, alone, keyOf("/b"))).toEqual(new Set());
    // A line hidden is shown alone, not hidden with the others.
    expect(hideOf(grouped, soloKeys(grouped, new Set([keyOf("/b")]), keyOf("/b")))).toEqual(["/a", "/c"]);
  });

  it("name a histogram's percentile lines by their statistic", () => {
    const histogram = buildChartModel(
      queryResponse({ chart: "distribution" }, [series("", [1], { p50: [1], p95: [2], p99: [3] })]),
      { palette: PALETTE },
    );
    const labels = histogram.lines.map((line) => line.label);
    expect(labels).toEqual(["p50", "p95", "p99"]);
    expect(hiddenKeys(histogram, ["p50"])).toEqual(new Set([histogram.lines[0]?.key]));
  });
});
