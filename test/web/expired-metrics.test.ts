import { describe, expect, it } from "vitest";
import type { MetricCatalogResponse } from "../../src/protocol";
import { expiredMetric, expiredSummary, retentionText } from "../../web/src/features/metrics/expired-metrics";

const catalog = (patch: Partial<MetricCatalogResponse>): MetricCatalogResponse => ({
  metrics: [],
  maxSeries: 2000,
  droppedSeries: 0,
  droppedPoints: 0,
  expiredSeries: 0,
  retentionMs: 86_400_000,
  expiredMetrics: [],
  ...patch,
});

describe("metrics removed by retention", () => {
  it("counts them in one quiet line, naming the first few metrics that went whole", () => {
    expect(expiredSummary(catalog({}))).toBeNull();
    const expiredMetrics = ["d", "b", "a", "c"].map((name) => ({
      name,
      seriesCount: 1,
      lastTimeUnixNano: "1544712660300000000",
      newestUnixMs: 1_765_000_000_000,
    }));
    expect(expiredSummary(catalog({ expiredSeries: 5, expiredMetrics }))).toBe(
      "5 series were removed by retention (all of a, b, c and 1 more): their newest point was more than a day older than the newest metric point received.",
    );
    expect(expiredMetric(catalog({ expiredMetrics }), "c")?.name).toBe("c");
    expect(expiredMetric(catalog({ expiredMetrics }), "e")).toBeNull();
    expect(retentionText(2 * 86_400_000)).toBe("2 days");
  });
});
