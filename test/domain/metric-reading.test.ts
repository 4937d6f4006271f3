import { describe, expect, it } from "vitest";
import {
  chartOf,
  chartsOf,
  type HistogramPoint,
  type MetricDescriptor,
  movesByOne,
  type NumberPoint,
} from "../../src/domain/metric.js";
import { newReadingState, type Observation, readPoint } from "../../src/domain/metric-reading.js";

const S = 1_000_000_000n; // one second in nanoseconds
const T0 = 1_700_000_000n * S;

function descriptor(partial: Partial<MetricDescriptor>): MetricDescriptor {
  return { name: "m", description: "", unit: "", kind: "sum", tracekit: false, ...partial };
}

function number(time: bigint, value: number, start = 0n, noRecordedValue = false): NumberPoint {
  return { attributes: {}, startTimeUnixNano: start, timeUnixNano: time, value, exemplars: [], noRecordedValue };
}

function histogram(time: bigint, counts: number[], start: bigint, extra: Partial<HistogramPoint> = {}): HistogramPoint {
  return {
    attributes: {},
    startTimeUnixNano: start,
    timeUnixNano: time,
    exemplars: [],
    noRecordedValue: false,
    count: counts.reduce((a, b) => a + b, 0),
    sum: null,
    min: null,
    max: null,
    bounds: [10, 100],
    counts,
    ...extra,
  };
}

/** Reads points in order through one series' state. */
function readAll(d: MetricDescriptor, points: Parameters<typeof readPoint>[2][]): (Observation | null)[] {
  const state = newReadingState();
  return points.map((p) => readPoint(d, state, p));
}

const ms = (ns: bigint) => Number(ns / 1_000_000n);

describe("chart choice", () => {
  it("charts each kind as its meaning calls for", () => {
    expect(chartOf(descriptor({ kind: "sum", monotonic: true, temporality: "cumulative" }))).toBe("rate");
    expect(chartOf(descriptor({ kind: "sum", monotonic: false, temporality: "delta" }))).toBe("value");
    expect(chartOf(descriptor({ kind: "gauge" }))).toBe("value");
    expect(chartOf(descriptor({ kind: "histogram" }))).toBe("distribution");
    expect(chartOf(descriptor({ kind: "exponentialHistogram" }))).toBe("distribution");
    expect(chartOf(descriptor({ kind: "summary" }))).toBe("quantiles");
  });

  it("reads a TraceKit SDK gauge as a distribution that can also be drawn as values", () => {
    const tracekitGauge = descriptor({ kind: "gauge", tracekit: true });
    expect(chartOf(tracekitGauge)).toBe("distribution");
    expect(chartsOf(tracekitGauge)).toEqual(["distribution", "value"]);
    expect(chartsOf(descriptor({ kind: "sum", monotonic: true, tracekit: true, temporality: "delta" }))).toEqual([
      "rate",
      "value",
    ]);
    expect(chartsOf(descriptor({ kind: "gauge" }))).toEqual(["value"]);
  });

  it("reads a TraceKit gauge that inc() and dec() move (a level) as values that can also be drawn as samples", () => {
    const tracekitGauge = descriptor({ kind: "gauge", tracekit: true });
    expect(chartOf(tracekitGauge, true)).toBe("value");
    expect(chartsOf(tracekitGauge, true)).toEqual(["value", "distribution"]);
    // An OpenTelemetry gauge is a value whatever its points do.
    expect(chartsOf(descriptor({ kind: "gauge" }), true)).toEqual(["value"]);
  });

  it("tells a level that moves by one from a histogram's recorded values", () => {
    // 25 requests start (inc), then end (dec), as the SDK's gauge sends each new value.
    const burst = [...Array.from({ length: 25 }, (_, i) => i + 1), ...Array.from({ length: 25 }, (_, i) => 24 - i)];
    expect(movesByOne(burst)).toBe(true);
    expect(movesByOne([1, 0])).toBe(true);
    // A restart (back to 1 from 7) among many steps of one is still a level.
    expect(movesByOne([...burst.slice(0, 7), 1, 2, 3, 2, 1, 0, 1, 2, 1, 0, 1])).toBe(true);
    // Durations in ms, sizes, set() values: not one apart, or not whole.
    expect(movesByOne([12, 48, 13, 250, 31])).toBe(false);
    expect(movesByOne([1.5, 2.5, 3.5])).toBe(false);
    expect(movesByOne([5, 5, 5, 5])).toBe(false);
    expect(movesByOne([3])).toBe(false);
  });
});

describe("rates from cumulative sums", () => {
  const counter = descriptor({ monotonic: true, temporality: "cumulative" });
  const start = T0 - 60n * S;

  it("counts the first point from its start, then the differences", () => {
    const [first, second] = readAll(counter, [number(T0, 10, start), number(T0 + 60n * S, 52, start)]);
    expect(first).toMatchObject({ increase: 10, increaseFromMs: ms(start), timeMs: ms(T0), value: 10 });
    expect(second).toMatchObject({ increase: 42, increaseFromMs: ms(T0), value: 52 });
  });

  it("takes a first point without a start time as the baseline only", () => {
    const [first, second] = readAll(counter, [number(T0, 10), number(T0 + 10n * S, 15)]);
    expect(first?.increase).toBeNaN();
    expect(first?.value).toBe(10);
    expect(second?.increase).toBe(5);
  });

  it("detects a reset when the value goes down or the start time changes", () => {
    const restart = T0 + 90n * S;
    const [, down, , restarted] = readAll(counter, [
      number(T0, 100, start),
      number(T0 + 60n * S, 7, start),
      number(T0 + 80n * S, 9, start),
      number(T0 + 120n * S, 50, restart),
    ]);
    expect(down).toMatchObject({ increase: 7, increaseFromMs: ms(T0) });
    // A new start after the previous point: everything since that start is new.
    expect(restarted).toMatchObject({ increase: 50, increaseFromMs: ms(restart) });
  });

  it("takes a restart's first point whose start is its time as a new baseline, not as everything since the last point", () => {
    // An observable counter of an OS total (bytes since boot), its app restarted after 30 s down: the
    // OpenTelemetry JS SDK's first point of the new run starts when it is taken.
    const run2 = T0 + 40n * S;
    const [, second, baseline, next] = readAll(counter, [
      number(T0, 50e9, T0),
      number(T0 + 6n * S, 50e9 + 12_000, T0),
      number(run2, 50e9 + 13_000, run2),
      number(run2 + 2n * S, 50e9 + 17_000, run2),
    ]);
    expect(second).toMatchObject({ increase: 12_000 });
    expect(baseline?.increase).toBeNaN();
    expect(baseline?.value).toBe(50e9 + 13_000);
    expect(next).toMatchObject({ increase: 4_000, increaseFromMs: ms(run2) });
  });

  it("ignores a resent or late point, and goes on from the last point after a gap", () => {
    const [, resent, late, gap, after, next] = readAll(counter, [
      number(T0, 10, start),
      number(T0, 10, start),
      number(T0 - S, 9, start),
      number(T0 + 10n * S, 0, start, true),
      number(T0 + 20n * S, 30, start),
      number(T0 + 30n * S, 35, start),
    ]);
    expect(resent).toBeNull();
    expect(late).toBeNull();
    expect(gap).toBeNull();
    // The same start after the gap: the counter went on, from 10 to 30 (not 30 counted from its start again).
    expect(after).toMatchObject({ increase: 20, increaseFromMs: ms(T0) });
    expect(next).toMatchObject({ increase: 5 });
    // A new start after the gap is a restart, as without one.
    const restart = T0 + 15n * S;
    const [, , restarted] = readAll(counter, [
      number(T0, 10, start),
      number(T0 + 10n * S, 0, start, true),
      number(T0 + 20n * S, 4, restart),
    ]);
    expect(restarted).toMatchObject({ increase: 4, increaseFromMs: ms(restart) });
  });

  it("follows each source's own count when several instances write one series", () => {
    const state = newReadingState();
    // Two workers of one service, started at different times, exporting in turn.
    const a = (k: bigint, v: number) =>
      readPoint(counter, state, number(T0 + k * 10n * S, v, T0 - 3600n * S), undefined, 1);
    const b = (k: bigint, v: number) =>
      readPoint(counter, state, number(T0 + k * 10n * S + S, v, T0 - 7200n * S), undefined, 2);
    const increases: number[] = [];
    for (let k = 1n; k <= 4n; k++) {
      increases.push(a(k, 1000 + 10 * Number(k))?.increase ?? Number.NaN);
      increases.push(b(k, 5000 + 10 * Number(k))?.increase ?? Number.NaN);
    }
    // Each first point counts from its start; then each grows by 10 an export, whatever came between.
    expect(increases).toEqual([1010, 5010, 10, 10, 10, 10, 10, 10]);
    // A histogram likewise, per source.
    const h = descriptor({ kind: "histogram", temporality: "cumulative" });
    const hs = newReadingState();
    const start = T0 - 60n * S;
    const counts = [
      readPoint(h, hs, histogram(T0, [1, 0, 0], start), undefined, 1),
      readPoint(h, hs, histogram(T0 + S, [5, 5, 0], start), undefined, 2),
      readPoint(h, hs, histogram(T0 + 2n * S, [2, 0, 0], start), undefined, 1),
      readPoint(h, hs, histogram(T0 + 3n * S, [5, 6, 0], start), undefined, 2),
    ].map((o) => (o?.distribution?.type === "explicit" ? o.distribution.count : null));
    expect(counts).toEqual([1, 10, 1, 1]);
  });

  it("reads an up-down cumulative sum as its value, with no rate", () => {
    const [a, b] = readAll(descriptor({ monotonic: false, temporality: "cumulative" }), [
      number(T0, 5, start),
      number(T0 + S, 3, start),
    ]);
    expect(a).toMatchObject({ value: 5 });
    expect(b).toMatchObject({ value: 3 });
    expect(b?.increase).toBeNaN();
  });
});

describe("rates from delta sums", () => {
  it("takes each point as the increase over its own interval and keeps a running total", () => {
    const [a, b] = readAll(descriptor({ monotonic: true, temporality: "delta" }), [
      number(T0, 4, T0 - 10n * S),
      number(T0 + 10n * S, 6, T0),
    ]);
    expect(a).toMatchObject({ increase: 4, increaseFromMs: ms(T0 - 10n * S), value: 4 });
    expect(b).toMatchObject({ increase: 6, increaseFromMs: ms(T0), value: 10 });
  });

  it("reads no rate from a point over no interval (the JS SDK's first point of an observable counter)", () => {
    const [a, b] = readAll(descriptor({ monotonic: true, temporality: "delta" }), [
      number(T0, 5000, T0),
      number(T0 + 5n * S, 5000, T0),
    ]);
    expect(a?.increase).toBeNaN();
    expect(a).toMatchObject({ value: 5000 });
    expect(b).toMatchObject({ increase: 5000, increaseFromMs: ms(T0), value: 10000 });
  });

  it("reads a TraceKit SDK counter's increments (no start time) at their instant", () => {
    const tracekit = descriptor({ monotonic: true, temporality: "delta", tracekit: true });
    const [a, b] = readAll(tracekit, [number(T0, 1), number(T0 + S, 1)]);
    expect(a).toMatchObject({ increase: 1, increaseFromMs: ms(T0), timeMs: ms(T0) });
    expect(b).toMatchObject({ increase: 1, value: 2 });
  });

  it("adds up an up-down delta sum into its value", () => {
    const [, b] = readAll(descriptor({ monotonic: false, temporality: "delta" }), [number(T0, 5), number(T0 + S, -2)]);
    expect(b).toMatchObject({ value: 3 });
  });
});

describe("gauges", () => {
  it("reads values, and a TraceKit SDK gauge's points also as samples", () => {
    expect(readAll(descriptor({ kind: "gauge" }), [number(T0, 7)])[0]).toMatchObject({ value: 7, distribution: null });
    expect(readAll(descriptor({ kind: "gauge", tracekit: true }), [number(T0, 7)])[0]).toMatchObject({
      value: 7,
      distribution: { type: "samples", values: [7] },
    });
  });
});

describe("histograms", () => {
  const start = T0 - 60n * S;

  it("takes deltas of cumulative histograms, and all of the first one when its start is known", () => {
    const d = descriptor({ kind: "histogram", temporality: "cumulative" });
    const [first, second] = readAll(d, [
      histogram(T0, [1, 2, 0], start, { sum: 30, min: 1, max: 20 }),
      histogram(T0 + 60n * S, [1, 5, 1], start, { sum: 200 }),
    ]);
    expect(first?.distribution).toEqual({
      type: "explicit",
      bounds: [10, 100],
      counts: [1, 2, 0],
      count: 3,
      sum: 30,
      min: 1,
      max: 20,
    });
    expect(second?.distribution).toMatchObject({ counts: [0, 3, 1], count: 4, sum: 170 });
    expect(second?.distribution).toHaveProperty("min", Number.NaN);
  });

  it("reads a cumulative histogram's first point as recorded over its start..time, its deltas at their time", () => {
    // tracekit-local started two hours after the app: the first point holds every value since then.
    const d = descriptor({ kind: "histogram", temporality: "cumulative" });
    const appStart = T0 - 7200n * S;
    const [first, second] = readAll(d, [
      histogram(T0, [600, 600, 0], appStart),
      histogram(T0 + 60n * S, [605, 605, 0], appStart),
    ]);
    expect(first?.distribution).toMatchObject({ count: 1200 });
    expect(first?.distributionFromMs).toBe(ms(appStart));
    expect(second?.distribution).toMatchObject({ count: 10 });
    expect(second?.distributionFromMs).toBeNaN();
    // A first point without a start says nothing of when its values came: a baseline, as before.
    expect(readAll(d, [histogram(T0, [600, 600, 0], 0n)])[0]).toBeNull();
  });

  it("reads a restarted cumulative histogram as recorded since its new start", () => {
    const d = descriptor({ kind: "histogram", temporality: "cumulative" });
    const restart = T0 + 30n * S;
    const [, after] = readAll(d, [histogram(T0, [5, 5, 5], start), histogram(T0 + 60n * S, [1, 0, 0], restart)]);
    expect(after?.distribution).toMatchObject({ count: 1 });
    expect(after?.distributionFromMs).toBe(ms(restart));
    // A restart's first point whose start is its own time: a baseline, what comes after is counted from it.
    const [, baseline, next] = readAll(d, [
      histogram(T0, [5, 5, 5], start),
      histogram(restart, [9, 9, 9], restart),
      histogram(T0 + 60n * S, [10, 9, 9], restart),
    ]);
    expect(baseline).toBeNull();
    expect(next?.distribution).toMatchObject({ counts: [1, 0, 0], count: 1 });
  });

  it("reads a cumulative histogram whose counts went down as a reset", () => {
    const d = descriptor({ kind: "histogram", temporality: "cumulative" });
    const [, after] = readAll(d, [histogram(T0, [5, 5, 5], start), histogram(T0 + S, [1, 0, 0], start)]);
    expect(after?.distribution).toMatchObject({ counts: [1, 0, 0], count: 1 });
  });

  it("takes delta histograms as they are", () => {
    const d = descriptor({ kind: "histogram", temporality: "delta" });
    const [a] = readAll(d, [histogram(T0, [0, 0], start, { bounds: [5], sum: 12, count: 0 })]);
    expect(a?.distribution).toMatchObject({ bounds: [5], counts: [0, 0] });
  });

  it("takes deltas of cumulative exponential histograms at the coarser scale", () => {
    const d = descriptor({ kind: "exponentialHistogram", temporality: "cumulative" });
    const point = (time: bigint, scale: number, offset: number, counts: number[]) => ({
      attributes: {},
      startTimeUnixNano: start,
      timeUnixNano: time,
      exemplars: [],
      noRecordedValue: false,
      count: counts.reduce((a, b) => a + b, 0),
      sum: null,
      min: null,
      max: null,
      scale,
      zeroCount: 0,
      zeroThreshold: 0,
      positive: { offset, counts },
      negative: { offset: 0, counts: [] },
    });
    const [, second] = readAll(d, [point(T0, 1, 2, [1, 1]), point(T0 + S, 0, 1, [5])]);
    expect(second?.distribution).toMatchObject({ scale: 0, positive: { offset: 1, counts: [3] }, count: 3 });
  });
});

describe("summaries", () => {
  it("keeps the quantiles as sent, and the mean as the value", () => {
    const [a] = readAll(descriptor({ kind: "summary" }), [
      {
        attributes: {},
        startTimeUnixNano: 0n,
        timeUnixNano: T0,
        exemplars: [],
        noRecordedValue: false,
        count: 4,
        sum: 10,
        quantiles: [
          { quantile: 0.5, value: 2 },
          { quantile: 0.99, value: 4 },
        ],
      },
    ]);
    expect(a).toMatchObject({
      value: 2.5,
      quantiles: [
        { quantile: 0.5, value: 2 },
        { quantile: 0.99, value: 4 },
      ],
    });
  });
});

describe("nanosToMs", () => {
  it("floors exactly, near whole milliseconds too", async () => {
    const { nanosToMs } = await import("../../src/domain/metric-reading.js");
    for (const ns of [
      1_700_000_000_123_000_000n,
      1_700_000_000_123_999_999n,
      1_700_000_000_124_000_000n,
      1_700_000_000_123_999_744n,
      1_700_000_000_123_456_789n,
      0n,
      999_999n,
      2n ** 64n - 1n,
    ]) {
      expect(nanosToMs(ns), String(ns)).toBe(Number(ns / 1_000_000n));
    }
  });
});
