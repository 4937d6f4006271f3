import { describe, expect, it } from "vitest";
import {
  bucketRows,
  bucketText,
  chartXRange,
  llmChartModel,
  usdTickLabels,
} from "../../web/src/features/llm/llm-chart-model.js";

describe("llmChartModel", () => {
  const timeline = {
    startMs: 1_700_000_000_000,
    stepMs: 30_000,
    buckets: 3,
    byModel: [
      { key: "gpt-4o", calls: [1, 0, 2], tokens: [100, 0, 250], usd: [0.001, 0, 0.0025] },
      { key: "other", calls: [0, 1, 0], tokens: [0, 10, 0], usd: [0, 0, 0] },
    ],
    byService: [{ key: "api", calls: [1, 1, 2], tokens: [100, 10, 250], usd: [0.001, 0, 0.0025] }],
  };

  it("turns a timeline into uPlot's x values (unix seconds) and a line per key with its total", () => {
    const model = llmChartModel(timeline, "byModel", "calls");
    expect(model.xs).toEqual([1_700_000_000, 1_700_000_030, 1_700_000_060]);
    expect(model.lines.map((l) => [l.key, l.values, l.total])).toEqual([
      ["gpt-4o", [1, 0, 2], 3],
      ["other", [0, 1, 0], 1],
    ]);
    expect(llmChartModel(timeline, "byService", "tokens").lines[0]?.total).toBe(360);
    expect(llmChartModel(timeline, "byService", "usd").lines[0]?.total).toBeCloseTo(0.0035, 12);
    expect(llmChartModel({ ...timeline, buckets: 0, byModel: [], byService: [] }, "byModel", "usd")).toEqual({
      xs: [],
      lines: [],
      stepMs: 30_000,
    });
  });

  it("names the bucket width", () => {
    expect(bucketText(30_000)).toBe("per 30s");
    expect(bucketText(60_000)).toBe("per minute");
    expect(bucketText(300_000)).toBe("per 5m");
    expect(bucketText(3_600_000)).toBe("per hour");
    expect(bucketText(86_400_000)).toBe("per day");
  });
});

describe("the charts' axes", () => {
  it("spans the buckets drawn, also when every call fell in one (uPlot's own range for one point spans years)", () => {
    const timeline = {
      startMs: 1_700_000_000_000,
      stepMs: 1_000,
      buckets: 1,
      byModel: [{ key: "gpt-4o-mini", calls: [5], tokens: [85], usd: [0.000024] }],
      byService: [],
    };
    expect(chartXRange(llmChartModel(timeline, "byModel", "usd"))).toEqual([1_700_000_000, 1_700_000_001]);
    expect(chartXRange(llmChartModel({ ...timeline, stepMs: 30_000, buckets: 3 }, "byModel", "usd"))).toEqual([
      1_700_000_000, 1_700_000_090,
    ]);
  });

  it("labels each cost tick apart, however cheap the calls", () => {
    expect(usdTickLabels([0, 0.00001, 0.00002, 0.00003])).toEqual(["$0", "$0.00001", "$0.00002", "$0.00003"]);
    expect(usdTickLabels([0, 0.02, 0.04])).toEqual(["$0", "$0.02", "$0.04"]);
    expect(usdTickLabels([0, 0.25, 0.5])).toEqual(["$0", "$0.25", "$0.50"]);
    expect(usdTickLabels([0, 5, 10])).toEqual(["$0", "$5", "$10"]);
  });
});

describe("bucketRows", () => {
  it("lists the lines with something in the hovered bucket, largest first, and how many more", () => {
    const model = llmChartModel(
      {
        startMs: 1_700_000_000_000,
        stepMs: 1_000,
        buckets: 2,
        byModel: [
          { key: "a", calls: [1, 0], tokens: [10, 0], usd: [0.001, 0] },
          { key: "b", calls: [3, 0], tokens: [30, 0], usd: [0.003, 0] },
          { key: "c", calls: [2, 1], tokens: [20, 5], usd: [0, 0] },
        ],
        byService: [],
      },
      "byModel",
      "calls",
    );
    expect(bucketRows(model, 0)).toEqual({
      rows: [
        { key: "b", index: 1, value: 3 },
        { key: "c", index: 2, value: 2 },
        { key: "a", index: 0, value: 1 },
      ],
      more: 0,
    });
    expect(bucketRows(model, 0, 1)).toMatchObject({ rows: [{ key: "b" }], more: 2 });
    expect(bucketRows(model, 1).rows.map((r) => r.key)).toEqual(["c"]);
  });
});

describe("the cost charts' calls of unknown cost", () => {
  const timeline = {
    startMs: 1_700_000_000_000,
    stepMs: 1_000,
    buckets: 2,
    byModel: [
      { key: "gpt-4o-mini", calls: [2, 0], tokens: [11_000, 0], usd: [0.0021, 0] },
      { key: "local", calls: [1, 1], tokens: [11_000, 0], usd: [0, 0] },
    ],
    byService: [{ key: "assistant", calls: [3, 1], tokens: [22_000, 0], usd: [0.0021, 0] }],
  };
  const group = (
    key: string,
    calls: number,
    usd: number,
    unpriced: number,
    noUsage: number,
    unpricedNoUsage: number,
  ) => ({
    key,
    calls,
    usd,
    unpriced,
    noUsage,
    unpricedNoUsage,
  });
  const byModel = [group("gpt-4o-mini", 2, 0.0021, 0, 1, 0), group("local", 2, 0, 2, 1, 1)];
  const byService = [group("assistant", 4, 0.0021, 2, 2, 1)];

  it("says in the legend what is unknown of a line's cost, and no dollar amount when none is known", () => {
    const model = llmChartModel(timeline, "byModel", "usd", byModel);
    expect(model.lines.map((l) => l.totalText)).toEqual(["$0.0021 + 1 call without usage", "no price"]);
    // A line whose every call is of unknown cost is not drawn along $0.
    expect(model.lines[1]?.values).toEqual([null, null]);
    expect(llmChartModel(timeline, "byService", "usd", byService).lines[0]?.totalText).toBe(
      "$0.0021 + 2 unpriced + 1 call without usage",
    );
    // Tokens and calls are known of every call.
    expect(llmChartModel(timeline, "byModel", "calls", byModel).lines.map((l) => l.totalText)).toEqual(["2", "2"]);
  });

  it("lists in the tooltip a line of unknown cost that had calls in the bucket, saying why", () => {
    const model = llmChartModel(timeline, "byModel", "usd", byModel);
    expect(bucketRows(model, 0).rows).toEqual([
      { key: "gpt-4o-mini", index: 0, value: 0.0021 },
      { key: "local", index: 1, value: 0, text: "no price" },
    ]);
    expect(bucketRows(model, 1).rows).toEqual([{ key: "local", index: 1, value: 0, text: "no price" }]);
  });

  it("adds up the groups past the drawn lines for the line of the others", () => {
    const local = { key: "other", calls: [1, 1], tokens: [11_000, 0], usd: [0, 0] };
    const withOther = { ...timeline, byModel: [...timeline.byModel.slice(0, 1), local] };
    const groups = [...byModel.slice(0, 1), group("local-a", 1, 0, 1, 0, 0), group("local-b", 1, 0, 1, 1, 1)];
    expect(llmChartModel(withOther, "byModel", "usd", groups).lines[1]?.totalText).toBe("no price");
    groups.push(group("gpt-4o", 1, 0.0035, 0, 0, 0));
    expect(llmChartModel(withOther, "byModel", "usd", groups).lines[1]?.totalText).toBe("$0.0035 + 2 unpriced");
  });
});
