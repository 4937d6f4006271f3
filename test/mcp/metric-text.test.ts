import { describe, expect, it } from "vitest";
import { describeMetric } from "../../src/mcp/metric-text.js";
import type { MetricQueryResponse } from "../../src/protocol.js";

describe("describeMetric", () => {
  it("writes a percentile that is only a lower bound (in the open last bucket) as ≥ the bound", () => {
    const answer = {
      metric: { name: "slow", kind: "histogram", chart: "distribution", unit: "ms", description: "" },
      chart: "distribution",
      fromUnixMs: 0,
      toUnixMs: 60_000,
      stepMs: 60_000,
      times: [0],
      groupBy: null,
      series: [
        {
          label: "",
          attributes: {},
          values: [15],
          p50: [10],
          p95: [10],
          p99: [12],
          atLeast: { p50: [true], p95: [true] },
          counts: [10],
        },
      ],
      exemplars: [],
    } as unknown as MetricQueryResponse;
    const row = describeMetric(answer)
      .split("\n")
      .find((line) => line.includes("≥"));
    expect(row?.split(/\s{2,}|\s*\|\s*/).filter((cell) => cell !== "")).toEqual(["(all)", "≥ 10", "≥ 10", "12", "10"]);
  });
});
