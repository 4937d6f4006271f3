import { describe, expect, it } from "vitest";
import type { MetricPoints } from "../../src/domain/metric.js";
import { scaledPoints, unitFactor } from "../../src/domain/metric-unit-conversion.js";

describe("unitFactor", () => {
  it("converts between units of one measure, without float noise", () => {
    expect(unitFactor("ms", "s")).toBe(1000);
    expect(unitFactor("s", "ms")).toBe(0.001);
    expect(unitFactor("ms", "us")).toBe(0.001);
    expect(unitFactor("By", "KiBy")).toBe(1024);
    expect(unitFactor("By", "kBy")).toBe(1000);
    expect(unitFactor("By/s", "KBy/s")).toBe(1000);
    expect(unitFactor("W", "kW")).toBe(1000);
  });

  it("takes the same unit, no unit on either side, and units it does not know as they are", () => {
    expect(unitFactor("ms", "ms")).toBe(1);
    expect(unitFactor("", "ms")).toBe(1);
    expect(unitFactor("ms", "")).toBe(1);
    expect(unitFactor("{request}", "1")).toBe(1);
    expect(unitFactor("{packet}/s", "{packets}/s")).toBe(1);
    // Spellings UCUM does not have, as SDKs and apps write them: nothing to convert, nothing refused.
    expect(unitFactor("bytes", "By")).toBe(1);
    expect(unitFactor("s", "seconds")).toBe(1);
    expect(unitFactor("1", "requests")).toBe(1);
    expect(unitFactor("%", "percent")).toBe(1);
    expect(unitFactor("ms", "MS")).toBe(1);
  });

  it("refuses known units that measure other things", () => {
    expect(unitFactor("ms", "By")).toBeNull();
    expect(unitFactor("By/s", "By")).toBeNull();
    expect(unitFactor("Cel", "W")).toBeNull();
    expect(unitFactor("%", "ms")).toBeNull();
  });
});

describe("scaledPoints", () => {
  const common = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 1n, noRecordedValue: false };
  it("scales every value a point holds: values, sums, extremes, bounds, quantiles and exemplars", () => {
    const exemplars = [{ timeUnixNano: 1n, value: 1.1, traceId: null, spanId: null, attributes: {} }];
    const histogram: MetricPoints = {
      kind: "histogram",
      points: [{ ...common, exemplars, count: 2, sum: 0.3, min: 0.1, max: 0.2, bounds: [0.1, 1.1], counts: [1, 1, 0] }],
    };
    expect(scaledPoints(histogram, 1000)?.points[0]).toMatchObject({
      sum: 300,
      min: 100,
      max: 200,
      bounds: [100, 1100],
      counts: [1, 1, 0],
      exemplars: [{ value: 1100 }],
    });
    const summary: MetricPoints = {
      kind: "summary",
      points: [{ ...common, exemplars: [], count: 1, sum: 2.5, quantiles: [{ quantile: 0.5, value: 2.5 }] }],
    };
    expect(scaledPoints(summary, 1000)?.points[0]).toMatchObject({ sum: 2500, quantiles: [{ value: 2500 }] });
    const gauge: MetricPoints = { kind: "gauge", points: [{ ...common, exemplars: [], value: 0.7 }] };
    expect(scaledPoints(gauge, 1000)?.points[0]).toMatchObject({ value: 700 });
  });

  it("cannot move an exponential histogram's buckets by a factor", () => {
    const data: MetricPoints = {
      kind: "exponentialHistogram",
      points: [
        {
          ...common,
          exemplars: [],
          count: 1,
          sum: 1,
          min: 1,
          max: 1,
          scale: 0,
          zeroCount: 0,
          zeroThreshold: 0,
          positive: { offset: 0, counts: [1] },
          negative: { offset: 0, counts: [] },
        },
      ],
    };
    expect(scaledPoints(data, 1000)).toBeNull();
  });
});
