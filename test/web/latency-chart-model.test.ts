import { describe, expect, it } from "vitest";
import {
  brushFilters,
  chartData,
  dataTimeRange,
  denseSpan,
  durationRange,
  durationTickLabels,
  durationTicks,
  focusPoints,
  LatencyPoints,
  MAX_POINTS,
  nearestPoint,
  pointOf,
  windowFilters,
} from "../../web/src/features/trace-list/latency-chart-model";
import { traceSummaryJson } from "../helpers/trace-summary-json";

const summary = (id: string, startMs: number, durationMs: number, errorCount = 0) =>
  traceSummaryJson(id, { startTimeUnixNano: `${startMs}000000`, durationMs, errorCount });

describe("latency chart model", () => {
  it("places a trace at its start (unix seconds, exact to the millisecond) and its duration", () => {
    expect(pointOf(summary("a", 1_700_000_000_123, 42, 1))).toMatchObject({
      traceId: "a",
      x: 1_700_000_000.123,
      durationMs: 42,
      failing: true,
    });
    expect(pointOf(traceSummaryJson("b", { startTimeUnixNano: "1700000000123456789" })).x).toBeCloseTo(
      1_700_000_000.123457,
      5,
    );
  });

  it("leaves off a trace with no start (every span's unset, 0): it has no place on the time axis", () => {
    const points = new LatencyPoints();
    points.upsert(summary("timed", 1_700_000_000_000, 5));
    points.upsert(traceSummaryJson("unset", { startTimeUnixNano: "0", durationMs: 0 }));
    expect(points.list().map((p) => p.traceId)).toEqual(["timed"]);
    // … but it matches: the list's count (the chart's total) holds it, until it is removed or timed.
    expect(points.unplacedCount).toBe(1);
    expect(points.size).toBe(2);
    const fresh = new LatencyPoints();
    fresh.replaceWith(points);
    expect([fresh.size, fresh.unplacedCount]).toEqual([2, 1]);
    points.upsert(summary("unset", 1_700_000_000_500, 5));
    expect([points.size, points.unplacedCount]).toEqual([2, 0]);
    points.remove("unset");
    expect(points.size).toBe(1);
  });

  it("keeps the newest MAX_POINTS traces, oldest first, updated in place, and says it is capped", () => {
    const points = new LatencyPoints();
    for (let i = 0; i < MAX_POINTS + 10; i++) points.upsert(summary(`t${i}`, 1_000_000 + i, 1));
    points.upsert(summary("t5", 1_000_000 + 5, 99));
    expect(points.capped).toBe(false);
    const list = points.list();
    expect(list).toHaveLength(MAX_POINTS);
    expect(points.capped).toBe(true);
    expect(list[0]?.traceId).toBe("t10");
    expect(list[list.length - 1]?.traceId).toBe(`t${MAX_POINTS + 9}`);
    expect(points.size).toBe(MAX_POINTS);
    points.remove("t10");
    expect(points.list()[0]?.traceId).toBe("t11");
  });

  it("gives uPlot x ascending, succeeded and failed traces apart, and no zero on the log scale", () => {
    const points = [summary("a", 1000, 0), summary("b", 2000, 5, 2), summary("c", 3000, 7)].map(pointOf);
    expect(chartData(points)).toEqual([
      [1, 2, 3],
      [0.001, null, 7],
      [null, 5, null],
    ]);
  });

  it("finds the point nearest the pointer within a radius", () => {
    const points = [summary("a", 1000, 10), summary("b", 2000, 10)].map(pointOf);
    const toPx = (p: { x: number; durationMs: number }) => ({ left: p.x * 100, top: 200 - p.durationMs });
    expect(nearestPoint(points, { left: 195, top: 192 }, toPx)?.traceId).toBe("b");
    expect(nearestPoint(points, { left: 104, top: 190 }, toPx)?.traceId).toBe("a");
    expect(nearestPoint(points, { left: 150, top: 190 }, toPx)).toBeNull();
  });

  it("turns a brushed rectangle into filters that include the points on its edges", () => {
    expect(brushFilters([1_700_000_000.1234, 1_700_000_010.5], [12.345, 987.6])).toEqual({
      since: 1_700_000_000_123,
      until: 1_700_000_010_500,
      brushMinMs: 12.3,
      maxDurationMs: 988,
    });
    // Dragged right to left and bottom to top, and down to the floor of the scale: no minimum.
    expect(brushFilters([20, 10], [2000.5, 0.001])).toEqual({
      since: 10_000,
      until: 20_000,
      brushMinMs: undefined,
      maxDurationMs: 2010,
    });
  });
});

describe("durationTicks", () => {
  it("marks powers of ten on a wide range, and 2× and 5× on a narrow one", () => {
    expect(durationTicks(0.5, 20_000)).toEqual([1, 10, 100, 1000, 10_000]);
    expect(durationTicks(3, 400)).toEqual([5, 10, 20, 50, 100, 200]);
    expect(durationTicks(0, 10)).toEqual([]);
  });

  it("marks evenly spaced round values on a range too narrow for two of those", () => {
    expect(durationTicks(122, 199)).toEqual([140, 160, 180]);
    expect(durationTicks(0.21, 0.29)).toEqual([0.22, 0.24, 0.26, 0.28]);
  });

  it("keeps as many as the axis can label, powers of ten first", () => {
    expect(durationTicks(160, 7800, 3)).toEqual([200, 1000, 5000]);
    expect(durationTicks(0.5, 20_000, 3)).toEqual([1, 100, 10_000]);
    expect(durationTicks(122, 199, 2)).toEqual([140, 180]);
    expect(durationTicks(3, 400, 100)).toEqual([5, 10, 20, 50, 100, 200]);
  });
});

describe("durationRange", () => {
  it("fits the durations with a little room, not whole powers of ten", () => {
    const [low, high] = durationRange(153, 159);
    expect(low).toBeCloseTo(122.4, 1);
    expect(high).toBeCloseTo(198.75, 1);
    // Over decades: a tenth of the spread either side.
    const [wideLow, wideHigh] = durationRange(1, 10_000);
    expect(wideLow).toBeCloseTo(10 ** -0.4, 5);
    expect(wideHigh).toBeCloseTo(10 ** 4.4, 1);
    expect(durationRange(null, null)).toEqual([1, 1000]);
  });
});

describe("durationTickLabels", () => {
  it("labels the ticks uPlot keeps and leaves the ones it drops for room blank, not a dash", () => {
    expect(durationTickLabels([10, null, 1000, null])).toEqual(["10ms", "", "1s", ""]);
  });
});

describe("dataTimeRange", () => {
  it("is a second around a single trace (uPlot's own max for one point is 1,000 days later)", () => {
    expect(dataTimeRange([1_700_000_000])).toEqual([1_699_999_999.5, 1_700_000_000.5]);
  });
  it("pads the data's own extent, in whatever order it comes, and skips gaps", () => {
    const [low, high] = dataTimeRange([1_700_000_100, null, 1_700_000_000, 1_700_000_050]);
    expect(low).toBeCloseTo(1_700_000_000 - 2, 6);
    expect(high).toBeCloseTo(1_700_000_100 + 2, 6);
  });
  it("is a second around 0 with no data", () => {
    expect(dataTimeRange([])).toEqual([-0.5, 0.5]);
  });
});

describe("the time axis's dense span", () => {
  const NOW = 1_765_000_000;
  const recent = Array.from({ length: 40 }, (_, i) => NOW + i * 3);
  /** The page's clock: just after the last of `recent`. */
  const AT = NOW + 120;

  it("leaves a trace years older than the rest off the axis, so the rest are not one column", () => {
    const xs = [1_544_712_660, ...recent];
    expect(denseSpan(xs, AT)).toEqual({ first: 1, last: 40 });
    // A group of old traces, and a clock far ahead at the other end, both go to their edges.
    expect(denseSpan([1_544_712_660, 1_544_712_661, 1_544_712_700, ...recent, NOW + 86_400 * 30], AT)).toEqual({
      first: 3,
      last: 42,
    });
    // Outliers within outliers: 2018, then last month, then today.
    expect(denseSpan([1_544_712_660, NOW - 86_400 * 30, ...recent], AT)).toEqual({ first: 2, last: 41 });
    // An import of last week's traces beside today's: today's are not squeezed into a column.
    const lastWeek = Array.from({ length: 10 }, (_, i) => NOW - 7 * 86_400 + i * 60);
    expect(denseSpan([...lastWeek, ...recent], AT)).toEqual({ first: 10, last: 49 });
    // A host whose clock runs a few hours ahead (a time zone for UTC): its traces go to the newer edge.
    expect(denseSpan([...recent, NOW + 3 * 3600, NOW + 3 * 3600 + 5], AT)).toEqual({ first: 0, last: 39 });
  });

  it("always reaches the newest trace that has started, however long the pause before it", () => {
    // A demo's 20 s burst (127 traces), a pause of a few minutes, then a few traces sent by hand: the
    // ones sent last are what the user is looking at (they were 21 "much newer" at the edge).
    for (const pause of [180, 300, 900]) {
      const burst = Array.from({ length: 127 }, (_, i) => NOW + i * 0.16);
      const later = Array.from({ length: 21 }, (_, i) => NOW + 20 + pause + i * 3);
      const now = (later.at(-1) as number) + 30;
      expect(denseSpan([...burst, ...later], now), `after a ${pause} s pause`).toEqual({ first: 0, last: 147 });
      // Nor is the burst before the pause left off: minutes are no outlier's gap.
      const few = Array.from({ length: 20 }, (_, i) => NOW + i);
      const many = Array.from({ length: 100 }, (_, i) => NOW + 20 + pause + i);
      expect(denseSpan([...few, ...many], NOW + 20 + pause + 100)).toEqual({ first: 0, last: 119 });
    }
    // Hours later, with the page open all the while: the newest are still on the axis, and the
    // morning's few (days of quiet before them) go to the older edge rather than squeeze them.
    const morning = Array.from({ length: 5 }, (_, i) => NOW + i);
    const evening = Array.from({ length: 30 }, (_, i) => NOW + 8 * 3600 + i * 2);
    expect(denseSpan([...morning, ...evening], NOW + 8 * 3600 + 60)).toEqual({ first: 5, last: 34 });
    // A trace a little ahead of the page's clock (a host's small skew) is the newest, not an outlier.
    expect(denseSpan([...recent, AT + 3 * 3600], AT + 3 * 3600 - 30)).toEqual({ first: 0, last: 40 });
    // Viewing an old file: nothing is in the future, so its newest trace is on the axis too.
    expect(denseSpan([...recent, NOW + 86_400 * 30], NOW + 86_400 * 365)).toEqual({ first: 0, last: 40 });
  });

  it("keeps every trace on the axis when they are spread, few, or the far ones are many", () => {
    expect(denseSpan(recent, AT)).toEqual({ first: 0, last: 39 });
    // Evenly spread over years: no gap stands out.
    expect(denseSpan([0, 1e8, 2e8, 3e8, 4e8], AT)).toEqual({ first: 0, last: 4 });
    // Two traces: neither is the odd one out.
    expect(denseSpan([1_544_712_660, NOW], AT)).toEqual({ first: 0, last: 1 });
    // Half of them old: that is two clusters, not outliers.
    expect(denseSpan([1, 2, 3, NOW, NOW + 1, NOW + 2], AT)).toEqual({ first: 0, last: 5 });
    // A gap of a few seconds beside traces within one second is no reason to leave any out.
    expect(denseSpan([NOW - 3, NOW, NOW + 0.1, NOW + 0.2, NOW + 0.3], AT)).toEqual({ first: 0, last: 4 });
    expect(denseSpan([], AT)).toEqual({ first: 0, last: -1 });
  });

  it("splits the points, and lists the ones off an edge by their time window", () => {
    const old = pointOf(summary("old", 1_544_712_660_300, 5));
    const now = Array.from({ length: 9 }, (_, i) => pointOf(summary(`n${i}`, (NOW + i) * 1000, 5)));
    const ahead = pointOf(summary("ahead", (NOW + 86_400) * 1000, 5));
    const focused = focusPoints([old, ...now, ahead], NOW + 60);
    expect(focused.before.map((p) => p.traceId)).toEqual(["old"]);
    expect(focused.shown).toHaveLength(9);
    expect(focused.after.map((p) => p.traceId)).toEqual(["ahead"]);
    expect(windowFilters(focused.before)).toEqual({
      since: 1_544_712_660_300,
      until: 1_544_712_660_300,
      brushMinMs: undefined,
      maxDurationMs: undefined,
    });
    // A day later by the page's clock, the same trace has started: it is on the axis.
    expect(focusPoints([old, ...now, ahead], NOW + 86_400 + 60).after).toEqual([]);
  });
});
