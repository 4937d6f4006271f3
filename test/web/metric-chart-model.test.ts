import { describe, expect, it } from "vitest";
import { axisTicks } from "../../src/domain/metric-units.js";
import {
  alignValues,
  buildChartModel,
  exemplarPoints,
  isolatedPoints,
  MAX_SERVICE_SHADES,
  quantileLabel,
  rateStepText,
  serviceShade,
  stepIndex,
  stepRangeText,
  toAlignedData,
  tooltipRows,
  valueRuns,
  yRange,
} from "../../web/src/features/metrics/metric-chart-model";
import {
  formatHeadline,
  formatLatest,
  formatLineValue,
  headlineFigure,
  lineLatestWhen,
  valueAxisRange,
  windowSummary,
} from "../../web/src/features/metrics/metric-summary";
import { PALETTE, queryResponse, series } from "./metric-fixtures";

describe("buildChartModel", () => {
  it("draws a counter as one rate line per series, in label order, per second", () => {
    const response = queryResponse({ chart: "rate" }, [series("/b", [1, 2, null, 4]), series("/a", [0.5, null, 1, 1])]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.chart).toBe("rate");
    expect(model.perSecond).toBe(true);
    expect(model.lines.map((l) => [l.label, l.stat, l.color])).toEqual([
      ["/a", "rate", "c0"],
      ["/b", "rate", "c1"],
    ]);
    expect(toAlignedData(model)).toEqual([
      [1_700_000_000, 1_700_000_060, 1_700_000_120, 1_700_000_180],
      [0.5, null, 1, 1],
      [1, 2, null, 4],
    ]);
  });

  it("keeps gaps as nulls and pads or trims values to the steps", () => {
    expect(alignValues([1, Number.NaN, null, Number.POSITIVE_INFINITY, 5, 6], 5)).toEqual([1, null, null, null, 5]);
    expect(alignValues([1], 3)).toEqual([1, null, null]);
    expect(alignValues(undefined, 2)).toEqual([null, null]);
    const response = queryResponse({ chart: "value", unit: "By" }, [series("", [3])]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.lines[0]?.values).toEqual([3, null, null, null]);
    expect(model.lines[0]?.label).toBe("all");
    expect(model.unit.kind).toBe("bytes");
  });

  it("reads the unit 1 as a ratio only for a share named so whose values all lie in [0, 1]", () => {
    const gauge = buildChartModel(queryResponse({ chart: "value", unit: "1", name: "my.gauge" }, [series("", [10])]), {
      palette: PALETTE,
    });
    expect(gauge.unit.kind).toBe("count");
    const cpu = (values: number[]) =>
      buildChartModel(
        queryResponse({ chart: "value", unit: "1", name: "system.cpu.utilization" }, [series("", values)]),
        {
          palette: PALETTE,
        },
      ).unit.kind;
    expect(cpu([0.2, 0.9])).toBe("ratio");
    expect(cpu([0.2, 3])).toBe("count");
  });

  it("draws one distribution as p50, p95 and p99 (the minor ones dashed)", () => {
    const response = queryResponse({ chart: "distribution", unit: "ms" }, [
      series("", [10, 20, 30, 40], { p50: [1, 2, 3, 4], p95: [5, 6, 7, 8], p99: [9, 9, 9, 9] }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.lines.map((l) => [l.label, l.dash !== null])).toEqual([
      ["p50", true],
      ["p95", true],
      ["p99", false],
    ]);
    expect(model.lines[1]?.values).toEqual([5, 6, 7, 8]);
    expect(model.statChoices).toEqual([]);
  });

  it("draws several groups of a distribution as one chosen statistic each", () => {
    const response = queryResponse({ chart: "distribution" }, [
      series("/a", [1, 1, 1, 1], { p95: [2, 2, 2, 2], p99: [3, 3, 3, 3] }),
      series("/b", [4, 4, 4, 4], { p95: [5, 5, 5, 5], p99: [6, 6, 6, 6] }),
    ]);
    const byDefault = buildChartModel(response, { palette: PALETTE });
    expect(byDefault.stat).toBe("p95");
    expect(byDefault.statChoices).toEqual(["p50", "p95", "p99", "mean"]);
    expect(byDefault.lines.map((l) => [l.label, l.values[0]])).toEqual([
      ["/a", 2],
      ["/b", 5],
    ]);
    const mean = buildChartModel(response, { palette: PALETTE, stat: "mean" });
    expect(mean.lines.map((l) => l.values[0])).toEqual([1, 4]);
    expect(buildChartModel(response, { palette: PALETTE, stat: "bogus" }).stat).toBe("p95");
    // An answer that carries one statistic is drawn with it while the one chosen since is on its way.
    const onlyP99 = { ...response, stat: "p99" as const };
    const drawn = buildChartModel(onlyP99, { palette: PALETTE, stat: "p50" });
    expect(drawn.stat).toBe("p99");
    expect(drawn.lines.map((l) => l.values[0])).toEqual([3, 6]);
  });

  describe("lines that stand for a service", () => {
    const serviceColor = (service: string) => ({ checkout: "#16a394", payments: "#a855f7" })[service] ?? "#4f7cf0";
    const byService = (label: string, values: (number | null)[], more: Record<string, string> = {}) =>
      series(label, values, { attributes: { "service.name": label.split(" ")[0] as string, ...more } });

    it("draws a chart grouped by service.name in the services' colours, not the palette's order", () => {
      const response = queryResponse(
        { chart: "rate" },
        [byService("payments", [1, 2, 3, 4]), byService("checkout", [4, 3, 2, 1])],
        { groupBy: "service.name" },
      );
      const model = buildChartModel(response, { palette: PALETTE, serviceColor });
      expect(model.lines.map((l) => [l.label, l.service, l.color])).toEqual([
        ["checkout", "checkout", "#16a394"],
        ["payments", "payments", "#a855f7"],
      ]);
      // Without the service colours (a chart that has none to give) it is the palette.
      expect(buildChartModel(response, { palette: PALETTE }).lines.map((l) => l.color)).toEqual(["c0", "c1"]);
    });

    it("colours ungrouped series whose only difference is the service by it", () => {
      // Ungrouped over several services, each series' attributes carry service.name (the server adds it).
      const response = queryResponse({ chart: "value" }, [
        series("service.name=payments", [1], { attributes: { "service.name": "payments" } }),
        series("service.name=checkout", [2], { attributes: { "service.name": "checkout" } }),
      ]);
      const model = buildChartModel(response, { palette: PALETTE, serviceColor });
      expect(model.lines.map((l) => l.color)).toEqual(["#16a394", "#a855f7"]);
    });

    it("keeps two lines of one service apart by shades of its colour", () => {
      const response = queryResponse({ chart: "rate" }, [
        byService("checkout /a", [1], { "http.route": "/a" }),
        byService("checkout /b", [2], { "http.route": "/b" }),
        byService("payments /a", [3], { "http.route": "/a" }),
      ]);
      const colors = buildChartModel(response, { palette: PALETTE, serviceColor }).lines.map((l) => l.color);
      expect(colors).toEqual(["#16a394", serviceShade("#16a394", 1), "#a855f7"]);
      expect(colors[1]).not.toBe(colors[0]);
      expect(serviceShade("#16a394", 1)).toBe("rgb(127, 204, 196)");
      expect(serviceShade("#16a394", 2)).toBe("rgb(13, 98, 89)");
      // The service colours past the palette are hsl().
      expect(serviceShade("hsl(120 50% 50%)", 1)).toBe("rgb(150, 220, 150)");
      expect(serviceShade("not a colour", 1)).toBe("not a colour");
    });

    it("keeps the palette when one service has too many lines for shades, or lines stand for no service", () => {
      const many = queryResponse(
        { chart: "rate" },
        Array.from({ length: MAX_SERVICE_SHADES + 1 }, (_, i) =>
          byService(`checkout /${i}`, [i], { "http.route": `/${i}` }),
        ),
      );
      const colors = buildChartModel(many, { palette: PALETTE, serviceColor }).lines.map((l) => l.color);
      expect(colors).toEqual(["c0", "c1", "c2", "c3"]);
      // Grouped by a route, with the page filtered to one service: the lines are routes.
      const routes = queryResponse({ chart: "rate" }, [series("/a", [1]), series("/b", [2])], {
        groupBy: "http.route",
      });
      const byRoute = buildChartModel(routes, { palette: PALETTE, serviceColor, service: "checkout" });
      expect(byRoute.lines.map((l) => [l.service, l.color])).toEqual([
        [null, "c0"],
        [null, "c1"],
      ]);
    });

    it("draws a chart filtered to one service in its colour (the Services page's links), its percentiles in shades", () => {
      const one = queryResponse({ chart: "distribution" }, [
        series("", [1, 1, 1, 1], { p50: [1, 1, 1, 1], p95: [2, 2, 2, 2], p99: [3, 3, 3, 3] }),
      ]);
      const model = buildChartModel(one, { palette: PALETTE, serviceColor, service: "checkout" });
      expect(model.lines.map((l) => [l.label, l.color, l.dash !== null])).toEqual([
        ["p50", "#16a394", true],
        ["p95", serviceShade("#16a394", 1), true],
        ["p99", serviceShade("#16a394", 2), false],
      ]);
    });
  });

  it("draws the chart the answer is for (TraceKit samples asked for as values)", () => {
    const response = queryResponse(
      { chart: "distribution", kind: "gauge", tracekit: true, charts: ["distribution", "value"] },
      [series("", [10, null, 30, 40])],
      { chart: "value" },
    );
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.chart).toBe("value");
    expect(model.lines).toHaveLength(1);
    expect(model.lines[0]?.values).toEqual([10, null, 30, 40]);
  });

  it("draws a summary's quantiles, and one chosen quantile per group when grouped", () => {
    const one = queryResponse({ chart: "quantiles", unit: "s" }, [
      series("", [1, 1, 1, 1], { quantiles: { "0.99": [9, 9, 9, 9], "0.5": [5, 5, 5, 5], "1": [10, 10, 10, 10] } }),
    ]);
    expect(buildChartModel(one, { palette: PALETTE }).lines.map((l) => l.label)).toEqual(["p50", "p99", "max"]);
    const two = queryResponse({ chart: "quantiles" }, [
      series("/a", [1, 1, 1, 1], { quantiles: { "0.5": [5, 5, 5, 5], "0.9": [8, 8, 8, 8] } }),
      series("/b", [1, 1, 1, 1], { quantiles: { "0.5": [6, 6, 6, 6], "0.9": [7, 7, 7, 7] } }),
    ]);
    const model = buildChartModel(two, { palette: PALETTE });
    expect(model.stat).toBe("0.9");
    expect(model.lines.map((l) => l.values[0])).toEqual([8, 7]);
    expect(quantileLabel("0.999")).toBe("p99.9");
    expect(quantileLabel("0")).toBe("min");
  });

  it("reuses the palette round-robin past its end", () => {
    const many = Array.from({ length: 6 }, (_, i) => series(`/r${i}`, [i]));
    const model = buildChartModel(queryResponse({ chart: "value" }, many), { palette: PALETTE });
    expect(model.lines.map((l) => l.color)).toEqual(["c0", "c1", "c2", "c3", "c0", "c1"]);
  });
});

describe("isolatedPoints, valueRuns and stepIndex", () => {
  it("finds values a line cannot show", () => {
    expect(isolatedPoints([1, null, 2, null, 3, 4, null])).toEqual([0, 2]);
    expect(isolatedPoints([5])).toEqual([0]);
    expect(isolatedPoints([null, 1, 2])).toEqual([]);
  });

  it("cuts a line into runs of consecutive values, within the steps drawn", () => {
    const values = [null, 1, 2, null, 3, null, 4, 5, 0];
    expect(valueRuns(values, 0, 8)).toEqual([
      [1, 2],
      [4, 4],
      [6, 8],
    ]);
    expect(valueRuns(values, 2, 7)).toEqual([
      [2, 2],
      [4, 4],
      [6, 7],
    ]);
    expect(valueRuns([null, undefined], 0, 1)).toEqual([]);
    expect(valueRuns([], 0, -1)).toEqual([]);
  });

  it("finds the step holding a time", () => {
    const times = [0, 60, 120];
    expect(stepIndex(times, -1)).toBe(-1);
    expect(stepIndex(times, 0)).toBe(0);
    expect(stepIndex(times, 59)).toBe(0);
    expect(stepIndex(times, 60)).toBe(1);
    expect(stepIndex(times, 500)).toBe(2);
    expect(stepIndex([], 5)).toBe(-1);
  });
});

describe("exemplarPoints", () => {
  const exemplar = (seriesLabel: string, ms: number, value: number) => ({
    timeUnixNano: `${ms}000000`,
    value,
    traceId: "a".repeat(32),
    spanId: "b".repeat(16),
    seriesLabel,
    attributes: {},
  });

  it("puts a distribution's exemplar at its own value, on its series", () => {
    const response = queryResponse(
      { chart: "distribution" },
      [series("/a", [1, 1, 1, 1], { p95: [2, 2, 2, 2] }), series("/b", [1, 1, 1, 1], { p95: [3, 3, 3, 3] })],
      { exemplars: [exemplar("/b", 1_700_000_061_500, 0.25)] },
    );
    const model = buildChartModel(response, { palette: PALETTE });
    const [point] = exemplarPoints(model, response.exemplars);
    expect(point).toMatchObject({ x: 1_700_000_061.5, y: 0.25 });
    expect(point?.line?.label).toBe("/b");
  });

  it("puts a counter's exemplar on its series' rate line at its step", () => {
    const response = queryResponse({ chart: "rate" }, [series("/a", [1, 2, 3, 4]), series("/b", [5, 6, null, 8])], {
      exemplars: [exemplar("/b", 1_700_000_061_000, 1), exemplar("/b", 1_700_000_121_000, 1)],
    });
    const model = buildChartModel(response, { palette: PALETTE });
    const points = exemplarPoints(model, response.exemplars);
    // The second one falls in a gap of its series: nothing to sit on.
    expect(points.map((p) => [p.y, p.line?.label])).toEqual([[6, "/b"]]);
  });
});

describe("windowSummary", () => {
  it("adds a counter's increases up to its increase and average rate", () => {
    // 42 requests in a 4-minute window: 0.2/s for 2 steps of 60 s = 24, then 0.3/s for one = 18.
    const response = queryResponse({ chart: "rate", unit: "{request}" }, [
      series("", [0.2, 0.2, null, 0.3], { increases: [12, 12, null, 18] }),
    ]);
    const figures = windowSummary(response, buildChartModel(response, { palette: PALETTE }));
    expect(figures.map((f) => [f.id, f.value])).toEqual([
      ["increase", "42 requests"],
      ["average-rate", "0.175 requests/s"],
      ["latest-rate", "0.3 requests/s"],
    ]);
  });

  it("averages over the time the increase was counted, not the whole window, for a counter younger than it", () => {
    const from = 1_700_000_000_000;
    const averageOf = (response: ReturnType<typeof queryResponse>) =>
      windowSummary(response, buildChartModel(response, { palette: PALETTE })).find((f) => f.id === "average-rate")
        ?.value;
    // 23 messages in the 25 s since the counter started (200 s into the 240 s window): 0.92/s, not 23 / 240 s.
    const young = queryResponse({ chart: "rate", unit: "{message}" }, [
      series("", [null, null, null, 0.92], {
        increases: [null, null, null, 23],
        counted: { fromUnixMs: from + 200_000, toUnixMs: from + 225_000 },
      }),
    ]);
    expect(averageOf(young)).toBe("0.92 messages/s");
    // Several series: from the earliest start to the newest point, 42 over 75 s.
    const two = queryResponse({ chart: "rate", unit: "{request}" }, [
      series("/a", [null, null, null, 0.4], {
        increases: [null, null, null, 10],
        counted: { fromUnixMs: from + 200_000, toUnixMs: from + 225_000 },
      }),
      series("/b", [null, null, 0.5, 0.5], {
        increases: [null, null, 15, 17],
        counted: { fromUnixMs: from + 150_000, toUnixMs: from + 210_000 },
      }),
    ]);
    expect(averageOf(two)).toBe("0.56 requests/s");
    // Increases at one instant only: per step, as the chart reads them.
    const instant = queryResponse({ chart: "rate", unit: "{request}" }, [
      series("", [null, 0.1, null, null], {
        increases: [null, 6, null, null],
        counted: { fromUnixMs: from + 90_000, toUnixMs: from + 90_000 },
      }),
    ]);
    expect(averageOf(instant)).toBe("0.1 requests/s");
  });

  it("reads no data, not 0, in all three figures when no point of the counter falls in the window", () => {
    const figuresOf = (response: ReturnType<typeof queryResponse>) =>
      windowSummary(response, buildChartModel(response, { palette: PALETTE })).map((f) => [f.id, f.value]);
    const none = [
      ["increase", "–"],
      ["average-rate", "–"],
      ["latest-rate", "–"],
    ];
    // A series with no point in the window, and none at all.
    expect(
      figuresOf(queryResponse({ chart: "rate", unit: "{request}" }, [series("", [null, null, null, null])])),
    ).toEqual(none);
    expect(figuresOf(queryResponse({ chart: "rate", unit: "{request}" }, []))).toEqual(none);
    // A counter that stood still: its points say 0, which is data.
    expect(
      figuresOf(
        queryResponse({ chart: "rate", unit: "{request}" }, [
          series("", [0, 0, null, null], { increases: [0, 0, null, null] }),
        ]),
      ),
    ).toEqual([
      ["increase", "0 requests"],
      ["average-rate", "0 requests/s"],
      ["latest-rate", "0 requests/s"],
    ]);
  });

  it("takes a step's increase as the API gives it, not its rate × the step, where the points cover part of it", () => {
    // Two routes starting 2 s before the window's end: 10 and 32 requests over those 2 s read 5/s and
    // 16/s; times the 60 s step that would be 1,260 requests.
    const response = queryResponse({ chart: "rate", unit: "{request}" }, [
      series("/a", [null, null, null, 5], { increases: [null, null, null, 10] }),
      series("/b", [null, null, null, 16], { increases: [null, null, null, 32] }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(windowSummary(response, model).find((f) => f.id === "increase")?.value).toBe("42 requests");
    // The tooltip says the same increase in the step.
    expect(tooltipRows(model, 3, [], 8).rows.map((r) => [r.line.label, r.value, r.increase])).toEqual([
      ["/b", 16, 32],
      ["/a", 5, 10],
    ]);
  });

  it("reads the latest rate from the newest step that has ended, not the one still filling", () => {
    // A counter at 10/s; the window ends 40 s into its last step, whose export so far brought 3 s worth.
    const base = queryResponse({ chart: "rate", unit: "{request}" }, [series("", [10, 10, 10, 0.5])]);
    const response = { ...base, toUnixMs: base.toUnixMs - 20_000 };
    const latest = (r: typeof response) =>
      windowSummary(r, buildChartModel(r, { palette: PALETTE })).find((f) => f.id === "latest-rate")?.value;
    expect(latest(response)).toBe("10 requests/s");
    // The legend's line says the same figure, and no age for it (the step ended 40 s ago).
    const model = buildChartModel(response, { palette: PALETTE });
    const line = model.lines[0] as (typeof model.lines)[number];
    expect(formatLatest(model, line, valueAxisRange(model), response.toUnixMs)).toBe("10 requests/s");
    expect(lineLatestWhen(model, line, response, { live: true, nowMs: response.toUnixMs })).toBeNull();
    // Every step ended: the last one is the latest.
    expect(latest(base)).toBe("0.5 requests/s");
    // Only the step still filling has data: it is all there is.
    expect(
      latest(
        queryResponse({ chart: "rate", unit: "{request}" }, [series("", [null, null, null, 0.5])], {
          toUnixMs: base.toUnixMs - 20_000,
        }),
      ),
    ).toBe("0.5 requests/s");
  });

  it("reads the step still filling when the step before it has no value, not an ended step minutes old", () => {
    // Ten one-minute steps: a point in the first, then nothing until the last, which the window ends 20 s into.
    const base = queryResponse(
      { chart: "rate", unit: "{request}" },
      [series("", [2, ...Array(8).fill(null), 8])],
      {},
      10,
    );
    const response = { ...base, toUnixMs: base.toUnixMs - 40_000 };
    const model = buildChartModel(response, { palette: PALETTE });
    const line = model.lines[0] as (typeof model.lines)[number];
    const clock = { live: true, nowMs: response.toUnixMs };
    // The legend, the figure above the chart and the headline read the same step, and say no age.
    expect(formatLatest(model, line, valueAxisRange(model), response.toUnixMs)).toBe("8 requests/s");
    expect(lineLatestWhen(model, line, response, clock)).toBeNull();
    const figure = windowSummary(response, model).find((f) => f.id === "latest-rate");
    expect([figure?.value, figure?.when]).toEqual(["8 requests/s", undefined]);
    expect(headlineFigure(model, response)).toMatchObject({ value: 8, stale: false });
    // With a value in the step just before the filling one, that ended step is read, everywhere.
    const steady = queryResponse({ chart: "rate", unit: "{request}" }, [series("", [10, 10, 10, 0.5])]);
    const filling = { ...steady, toUnixMs: steady.toUnixMs - 20_000 };
    const steadyModel = buildChartModel(filling, { palette: PALETTE });
    expect(headlineFigure(steadyModel, filling)).toMatchObject({ value: 10, stale: false });
  });

  it("says when a latest value was taken once it is not recent, rather than claim it holds now", () => {
    const latestOf = (r: ReturnType<typeof queryResponse>) =>
      windowSummary(r, buildChartModel(r, { palette: PALETTE })).find((f) => f.id.startsWith("latest"));
    // A counter that last moved in the first of ten one-minute steps: its rate then, said as 9 minutes ago.
    const counter = queryResponse(
      { chart: "rate", unit: "{request}" },
      [series("", [0.2, ...Array(9).fill(null)], { increases: [12, ...Array(9).fill(null)] })],
      {},
      10,
    );
    const stale = latestOf(counter);
    expect([stale?.value, stale?.when]).toEqual(["0.2 requests/s", "9m ago"]);
    expect(stale?.title).toMatch(/That step ended at \d\d:\d\d:\d\d: no point has come since\.$/);
    // In a range picked in the past, "ago" would count from its end: the clock instead.
    const past = windowSummary(counter, buildChartModel(counter, { palette: PALETTE }), false).find(
      (f) => f.id === "latest-rate",
    );
    expect(past?.when).toMatch(/^at \d\d:\d\d:\d\d$/);
    // Two minutes back is still the latest: nothing said.
    const recent = queryResponse({ chart: "rate", unit: "{request}" }, [series("", [0.2, 0.2, null, null])]);
    expect(latestOf(recent)?.when).toBeUndefined();
    // A gauge that stopped sending: its last value, said when.
    const gauge = queryResponse({ chart: "value" }, [series("", [3, null, null, null, null, null])], {}, 6);
    expect(
      windowSummary(gauge, buildChartModel(gauge, { palette: PALETTE }))
        .filter((f) => f.id === "latest")
        .map((f) => [f.value, f.when]),
    ).toEqual([["3 requests", "5m ago"]]);
  });

  it("judges a live window's latest value by the page's clock, which runs on after the answer came", () => {
    // A counter whose newest ended step has data: recent when the answer came.
    const counter = queryResponse({ chart: "rate", unit: "{request}" }, [series("", [1, 1, 1, null])]);
    const model = buildChartModel(counter, { palette: PALETTE });
    const latestAt = (nowMs: number, live = true) =>
      windowSummary(counter, model, live, nowMs).find((f) => f.id === "latest-rate");
    expect(latestAt(counter.toUnixMs)?.when).toBeUndefined();
    // Fifteen minutes on, nothing sent (a TraceKit counter that stands still): that rate is 16m old.
    expect(latestAt(counter.toUnixMs + 15 * 60_000)).toMatchObject({ value: "1 requests/s", when: "16m ago" });
    expect(latestAt(counter.toUnixMs + 20 * 60_000)?.when).toBe("21m ago");
    // A range picked in the past ends where it ends, whatever the clock says.
    expect(latestAt(counter.toUnixMs + 15 * 60_000, false)?.when).toBeUndefined();
    // A clock behind the window's end (a skewed page) never makes a value younger than the window says.
    expect(latestAt(counter.toUnixMs - 30 * 60_000)?.when).toBeUndefined();
    // The legend's line says the same.
    const line = model.lines[0] as (typeof model.lines)[number];
    expect(lineLatestWhen(model, line, counter, { live: true, nowMs: counter.toUnixMs })).toBeNull();
    expect(lineLatestWhen(model, line, counter, { live: true, nowMs: counter.toUnixMs + 15 * 60_000 })).toMatchObject({
      when: "16m ago",
    });
    expect(lineLatestWhen(model, line, counter, { live: false, nowMs: counter.toUnixMs + 15 * 60_000 })).toBeNull();
    // A line that stopped early in a past range: said at its clock time.
    const gauge = queryResponse({ chart: "value" }, [series("", [3, null, null, null, null, null])], {}, 6);
    const gaugeModel = buildChartModel(gauge, { palette: PALETTE });
    expect(
      lineLatestWhen(gaugeModel, gaugeModel.lines[0] as (typeof gaugeModel.lines)[number], gauge, {
        live: false,
        nowMs: 0,
      })?.when,
    ).toMatch(/^at \d\d:\d\d:\d\d$/);
  });

  it("shows a distribution's window percentiles as the API gives them, not read from the heatmap's rows", () => {
    const response = queryResponse(
      { chart: "distribution", unit: "ms" },
      [series("", [50, null, null, null], { counts: [100, null, null, null], p95: [96.2, null, null, null] })],
      {
        // Rows from which the same estimate reads 50, 95 and 99 ms: coarser than the histogram itself.
        heatmap: {
          bounds: [0, 50, 100],
          counts: [
            [0, 50, 50, 0],
            [0, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0, 0, 0],
          ],
        },
        windowPercentiles: { p50: 49.1, p95: 96.2, p99: 99.6 },
      },
    );
    const figures = windowSummary(response, buildChartModel(response, { palette: PALETTE }));
    expect(figures.map((f) => [f.id, f.value])).toEqual([
      ["count", "100"],
      ["p50", "49.1ms"],
      ["p95", "96.2ms"],
      ["p99", "99.6ms"],
    ]);
  });

  it("says a percentile in the open last bucket that no max closes is at least the last bound", () => {
    const figures = (response: ReturnType<typeof queryResponse>) =>
      windowSummary(response, buildChartModel(response, { palette: PALETTE })).map((f) => [f.id, f.value]);
    const line = series("", [15, null, null, null], { counts: [8, null, null, null] });
    // Every value above the last bound, 10, and no max: the API says the percentiles are only lower bounds.
    const open = { p50: 10, p95: 10, p99: 10, atLeast: { p50: true, p95: true, p99: true } } as const;
    expect(figures(queryResponse({ chart: "distribution", unit: "ms" }, [line], { windowPercentiles: open }))).toEqual([
      ["count", "8"],
      ["p50", "≥ 10ms"],
      ["p95", "≥ 10ms"],
      ["p99", "≥ 10ms"],
    ]);
    // A max closes the bucket: the percentiles are estimates like any other.
    const closed = { p50: 15, p95: 19.5, p99: 19.9 };
    expect(
      figures(queryResponse({ chart: "distribution", unit: "ms" }, [line], { windowPercentiles: closed })),
    ).toEqual([
      ["count", "8"],
      ["p50", "15ms"],
      ["p95", "19.5ms"],
      ["p99", "19.9ms"],
    ]);
    // Without window percentiles (no value in the window), the latest step's percentiles, as the API marks them.
    const marked = series("", [15, 4, null, null], {
      counts: [8, 3, null, null],
      p50: [10, 3, null, null],
      p95: [10, 10, null, null],
      p99: [10, 10, null, null],
      atLeast: { p95: [true, true, false, false], p99: [true, false, false, false] },
    });
    expect(figures(queryResponse({ chart: "distribution", unit: "ms" }, [marked]))).toEqual([
      ["count", "11"],
      ["p50", "3ms"],
      ["p95", "≥ 10ms"],
      ["p99", "10ms"],
    ]);
  });

  it("shows a percentile line's lower bounds with ≥ in the legend, the tooltip and the card's headline", () => {
    const response = queryResponse({ chart: "distribution", unit: "ms" }, [
      series("", [15, 15, null, null], {
        counts: [8, 8, null, null],
        p50: [3, 10, null, null],
        p95: [10, 10, null, null],
        p99: [10, 10, null, null],
        atLeast: {
          p50: [false, true, false, false],
          p95: [false, true, false, false],
          p99: [true, true, false, false],
        },
      }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    const [p50, p95, p99] = model.lines;
    if (p50 === undefined || p95 === undefined || p99 === undefined) throw new Error("three percentile lines");
    expect(p95.atLeast).toEqual([false, true, false, false]);
    expect(model.lines.map((line) => formatLatest(model, line))).toEqual(["≥ 10ms", "≥ 10ms", "≥ 10ms"]);
    expect(formatLineValue(model, p50, 0)).toBe("3ms");
    expect(formatLineValue(model, p99, 0)).toBe("≥ 10ms");
    // A mean is never a lower bound; a line without marks reads as before.
    const mean = queryResponse({ chart: "distribution", unit: "ms" }, [series("/a", [15]), series("/b", [4])]);
    const meanModel = buildChartModel(mean, { stat: "mean", palette: PALETTE });
    expect(meanModel.lines.map((line) => [line.atLeast, formatLatest(meanModel, line)])).toEqual([
      [null, "15ms"],
      [null, "4ms"],
    ]);
    const headline = headlineFigure(model, response);
    expect(headline).toMatchObject({ value: 10, atLeast: true });
    expect(formatHeadline(headline as NonNullable<typeof headline>, model)).toBe("≥ 10ms");
  });

  it("writes a line's value in the unit of the value axis beside it, not in the value's own", () => {
    // 1000 B/s is under a KiB, but the axis drawn up to it (and a little above) is in KiB/s.
    const response = queryResponse({ chart: "rate", unit: "By" }, [series("/a", [500, 1000, null, 1000])]);
    const model = buildChartModel(response, { palette: PALETTE });
    const line = model.lines[0];
    if (line === undefined) throw new Error("one line");
    const axis = valueAxisRange(model);
    expect(axisTicks(axis[0], axis[1], model.unit, 5, true).labels.at(-1)).toBe("1 KiB/s");
    expect(formatLatest(model, line)).toBe("0.977 KiB/s");
    expect(formatLineValue(model, line, 0, axis)).toBe("0.488 KiB/s");
    // Beside an axis in B/s (a hidden line's larger values left out), they are in B/s.
    const two = buildChartModel(
      queryResponse({ chart: "rate", unit: "By" }, [series("/a", [500, 900]), series("/b", [4096, 8192])]),
      { palette: PALETTE },
    );
    const a = two.lines[0];
    if (a === undefined) throw new Error("two lines");
    expect(formatLatest(two, a)).toBe("0.879 KiB/s");
    expect(formatLatest(two, a, valueAxisRange(two, [true, false]))).toBe("900 B/s");
    // A plain duration still reads as a span's does.
    const ms = buildChartModel(queryResponse({ chart: "value", unit: "ms" }, [series("", [12, 3000])]), {
      palette: PALETTE,
    });
    expect(formatLineValue(ms, ms.lines[0] as (typeof ms.lines)[number], 0)).toBe("12ms");
  });

  it("gives a gauge's latest, lowest and highest value", () => {
    const response = queryResponse({ chart: "value", unit: "By" }, [series("", [1024, 4096, 2048, null])]);
    const figures = windowSummary(response, buildChartModel(response, { palette: PALETTE }));
    expect(figures.map((f) => [f.id, f.value])).toEqual([
      ["latest", "2 KiB"],
      ["min", "1 KiB"],
      ["max", "4 KiB"],
    ]);
  });

  it("reads a gauge's peaks from its band: each step's last value hides a burst between two steps' ends", () => {
    // http.requests.active from a TraceKit SDK: 0 at every step's end, 27 and 30 requests at once in between.
    const response = queryResponse({ chart: "value", unit: "", tracekit: true }, [
      series("", [0, 0, null, 0], { min: [0, 0, null, 0], max: [27, 30, null, 0] }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.lines[0]?.band).toEqual({ min: [0, 0, null, 0], max: [27, 30, null, 0] });
    expect(windowSummary(response, model).map((f) => [f.id, f.value])).toEqual([
      ["latest", "0"],
      ["min", "0"],
      ["max", "30"],
    ]);
    // The overview card leads with the level now and says the peak beside it, not a percentile.
    expect(headlineFigure(model, response)).toMatchObject({ caption: "latest · peak 30", value: 0, stale: false });
    const rows = tooltipRows(model, 1, [true], 8).rows;
    expect(rows.map((r) => [r.value, r.low, r.high])).toEqual([[0, 0, 30]]);
    expect(tooltipRows(model, 3, [true], 8).rows.map((r) => [r.low, r.high])).toEqual([[null, null]]);
  });
});

describe("yRange", () => {
  it("starts at 0 for positive data, leaves headroom, and is never empty", () => {
    expect(yRange(10, 100)).toEqual([0, 105]);
    expect(yRange(null, null)).toEqual([0, 1]);
    expect(yRange(0, 0)).toEqual([0, 1.05]);
    expect(yRange(5, 5)).toEqual([0, 5.25]);
    expect(yRange(-10, -2)).toEqual([-10.5, 0.5]);
    expect(yRange(-10, 10)).toEqual([-11, 11]);
  });
});

describe("tooltipRows", () => {
  it("lists the shown lines with a value at the step, highest first, within a limit", () => {
    const response = queryResponse({ chart: "value" }, [
      series("/a", [1, 5]),
      series("/b", [3, null]),
      series("/c", [2, 7]),
      series("/d", [9, 1]),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    const at0 = tooltipRows(model, 0, [true, true, true, false], 2);
    expect(at0.rows.map((r) => [r.line.label, r.value])).toEqual([
      ["/b", 3],
      ["/c", 2],
    ]);
    expect(at0.more).toBe(1);
    expect(tooltipRows(model, 1, [], 10).rows.map((r) => r.line.label)).toEqual(["/c", "/a", "/d"]);
  });
});

describe("rateStepText", () => {
  it("says a rate is the step's average, not when in the step the counter grew", () => {
    expect(rateStepText(10_000)).toBe(
      "Average per second over this 10s step (what the counter grew by in it ÷ the part of the 10s its points cover); when in the step it grew is not known.",
    );
    expect(rateStepText(120_000)).toContain("this 2m step");
  });
});

describe("stepRangeText", () => {
  it("names a step by its start and end, to the second", () => {
    const start = new Date(2026, 10, 28, 14, 3, 0, 250).getTime();
    expect(stepRangeText(start, 15_000)).toBe("14:03:00 – 14:03:15");
  });
});

describe("group labels", () => {
  it("names the group without the attribute, and the lone ungrouped series", () => {
    const response = queryResponse({ chart: "value" }, [series("", [1]), series("/a", [2])], { groupBy: "http.route" });
    expect(buildChartModel(response, { palette: PALETTE }).lines.map((l) => l.label)).toEqual(["no http.route", "/a"]);
    const alone = queryResponse({ chart: "value" }, [series("", [1])]);
    expect(buildChartModel(alone, { palette: PALETTE }).lines.map((l) => l.label)).toEqual(["all"]);
  });

  it("leaves out of ungrouped series' labels what they all share, so what tells them apart shows", () => {
    // The OpenTelemetry SDK's http.server.request.duration: three series alike but for their status.
    const attrs = (extra: Record<string, string | number>) => ({
      "http.request.method": "GET",
      "network.protocol.version": "1.1",
      "url.scheme": "http",
      ...extra,
    });
    const labelOf = (a: Record<string, string | number>) =>
      Object.keys(a)
        .sort()
        .map((k) => `${k}=${a[k]}`)
        .join(", ");
    const of = (extra: Record<string, string | number>) =>
      series(labelOf(attrs(extra)), [1], { attributes: attrs(extra) });
    const response = queryResponse({ chart: "distribution" }, [
      of({ "http.response.status_code": 200 }),
      of({ "http.response.status_code": 404 }),
      of({ "http.response.status_code": 502, "error.type": "502" }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.lines.map((l) => l.label)).toEqual([
      "error.type=502, http.response.status_code=502",
      "http.response.status_code=200",
      "http.response.status_code=404",
    ]);
    expect(model.shared).toBe("http.request.method=GET, network.protocol.version=1.1, url.scheme=http");
    // Grouped, or a series whose attributes are all shared (named by what it lacks), or nothing shared.
    const grouped = queryResponse({ chart: "value" }, [series("/a", [1]), series("/b", [2])], {
      groupBy: "http.route",
    });
    expect(buildChartModel(grouped, { palette: PALETTE }).shared).toBe("");
    const subset = queryResponse({ chart: "value" }, [of({}), of({ "http.response.status_code": 500 })]);
    expect(buildChartModel(subset, { palette: PALETTE }).lines.map((l) => l.label)).toEqual([
      "http.response.status_code=500",
      "no http.response.status_code",
    ]);
  });

  it("names a series whose attributes all the others have by what it lacks, not as the whole they share", () => {
    const of = (attributes: Record<string, string>) =>
      series(
        Object.entries(attributes)
          .map(([k, v]) => `${k}=${v}`)
          .join(", "),
        [1],
        { attributes },
      );
    const response = queryResponse({ chart: "rate" }, [
      of({ m: "GET" }),
      of({ m: "GET", status: "500" }),
      of({ m: "GET", status: "200" }),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(model.shared).toBe("m=GET");
    expect(model.lines.map((l) => l.label)).toEqual(["no status", "status=200", "status=500"]);
    // Lacking several: each named.
    const two = queryResponse({ chart: "rate" }, [of({ m: "GET" }), of({ m: "GET", route: "/a", status: "500" })]);
    expect(buildChartModel(two, { palette: PALETTE }).lines.map((l) => l.label)).toEqual([
      "no route, no status",
      "route=/a, status=500",
    ]);
  });

  it("names an ungrouped series recorded without attributes as such beside others, not as all of them", () => {
    // An up-down counter moved with no attributes and with {queue: "email"}: two series, neither the total.
    const response = queryResponse({ chart: "value" }, [series("", [0]), series("queue=email", [3])]);
    expect(buildChartModel(response, { palette: PALETTE }).lines.map((l) => l.label)).toEqual([
      "no attributes",
      "queue=email",
    ]);
  });
});

describe("headlineFigure", () => {
  /** Twelve 15-second steps grouped by service, the window ending halfway through the last one. */
  const perService = (chart: "rate" | "value" | "distribution", list: ReturnType<typeof series>[]) => {
    const from = 1_700_000_000_000;
    const stepMs = 15_000;
    return queryResponse({ chart, unit: "" }, list, {
      stepMs,
      times: Array.from({ length: 12 }, (_, i) => from + i * stepMs),
      toUnixMs: from + 11.5 * stepMs,
      groupBy: "service.name",
    });
  };
  const _ = null;

  it("leads a counter with the total of the services sending now, never one service's old point", () => {
    const response = perService("rate", [
      // Alphabetically first, and silent for the last two minutes.
      series("cart-service", [0.0333, _, _, 0.0333, _, _, _, _, _, _, _, _]),
      series("shop-api", [_, _, _, _, _, _, _, _, 2, 2, 3, 1]),
      series("web-frontend", [_, _, _, _, _, _, _, _, 1, 1, 2, 5]),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    // The step still filling (the last) is left out: 3 + 2 from the newest ended step.
    expect(headlineFigure(model, response)).toMatchObject({
      value: 5,
      caption: "total of 2 services (1 silent), latest",
      stale: false,
    });
  });

  it("adds the services' rates of one step, not each one's newest: one that stopped a step before the others", () => {
    const response = perService("rate", [
      // Stopped after the tenth step; the other one goes on.
      series("a-api", [_, _, _, _, _, _, _, 1024, 1024, 1024, _, _]),
      series("b-api", [_, _, _, _, _, _, _, 1024, 1024, 1024, 1536, 700]),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    // Not 1024 + 1536 from two steps: the tenth step's 1024 + 1024.
    expect(headlineFigure(model, response)).toMatchObject({
      value: 2048,
      caption: "total of 2 services, latest",
      stale: false,
    });
  });

  it("leads a gauge with its highest service, and names whose peak it was", () => {
    const response = perService("value", [
      series("cart-service", [_, _, _, _, _, _, _, _, 1, 0, 0, 0]),
      series("shop-api", [_, _, _, _, _, _, _, _, 9, 6, 4, 6]),
      series("worker", [_, _, _, _, _, _, _, _, 2, 12, 3, 2]),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(headlineFigure(model, response)).toMatchObject({
      value: 6,
      caption: "shop-api, highest of 3 services, latest · peak 12 (worker)",
    });
  });

  it("leads per-service percentiles with the highest, named", () => {
    const response = perService("distribution", [
      series("a-api", [], { p95: [_, _, _, _, _, _, _, _, _, _, 0.2, 0.1] }),
      series("b-api", [], { p95: [_, _, _, _, _, _, _, _, _, _, 1.5, 0.9] }),
    ]);
    const model = buildChartModel(response, { stat: "p95", palette: PALETTE });
    expect(headlineFigure(model, response)).toMatchObject({
      value: 0.9,
      caption: "b-api p95, highest of 2 services, latest",
    });
  });

  it("says how old the newest point is when it is not recent", () => {
    const response = perService("value", [
      series("cart-service", [3, 4, _, _, _, _, _, _, _, _, _, _]),
      series("shop-api", [_, 6, _, _, _, _, _, _, _, _, _, _]),
    ]);
    const model = buildChartModel(response, { palette: PALETTE });
    const headline = headlineFigure(model, response);
    expect(headline).toMatchObject({ value: 6, stale: true });
    // The second step ended 2m22s before the window did.
    expect(headline?.caption).toBe("shop-api, highest of 2 services, 2m ago");
    expect(headline?.title).toContain("No points since");
  });

  it("ages the newest point by the page's clock once it runs past the window's end", () => {
    const response = perService("value", [series("shop-api", [_, _, _, _, _, _, _, _, _, _, 5, 6])]);
    const model = buildChartModel(response, { palette: PALETTE });
    expect(headlineFigure(model, response)).toMatchObject({ stale: false, caption: "shop-api, latest" });
    expect(headlineFigure(model, response, response.toUnixMs + 15 * 60_000)).toMatchObject({ stale: true });
    expect(headlineFigure(model, response, response.toUnixMs + 15 * 60_000)?.caption).toBe("shop-api, 14m ago");
  });
});

describe("a group's label", () => {
  it("names every series in one group (groupBy *) as all series, and the series without the grouping key as such", () => {
    const all = buildChartModel(queryResponse({ chart: "rate" }, [series("", [1, 2, 3, 4])], { groupBy: "*" }), {
      palette: PALETTE,
    });
    expect(all.lines.map((line) => line.label)).toEqual(["all series"]);
    const byRoute = buildChartModel(
      queryResponse({ chart: "rate" }, [series("/a", [1, 2, 3, 4]), series("", [1, 1, 1, 1])], {
        groupBy: "http.route",
      }),
      { palette: PALETTE },
    );
    expect(byRoute.lines.map((line) => line.label).sort()).toEqual(["/a", "no http.route"]);
  });
});
