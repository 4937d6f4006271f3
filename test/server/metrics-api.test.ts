import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { averageRate, totalIncrease } from "../../src/domain/counter-average.js";
import { explicitQuantile } from "../../src/domain/metric-distribution.js";
import { describeMetric } from "../../src/mcp/metric-text.js";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../src/protocol.js";
import { metricsApiRoutes } from "../../src/server/routes/metrics-api.js";
import { createMemoryMetricStore } from "../../src/store/metric-memory-store.js";
import { DEFAULT_MAX_METRIC_SERIES } from "../../src/store/metric-store.js";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { sendSdkTrace } from "../helpers/otel.js";
import { loadOtlpMetricsRoot, PKG } from "../otlp/helpers.js";
import { MINUTE, SECOND, sum, T0_MS } from "../store/metric-fixtures.js";

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

const T0 = Date.now() - 10 * 60_000;
const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

/** An OTLP/JSON export of one gauge with one point per value, a second apart from `atMs`. */
function gaugeExport(
  name: string,
  values: number[],
  options: { service?: string; atMs?: number; attrs?: Record<string, string> } = {},
) {
  const atMs = options.atMs ?? T0;
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: options.service ?? "api" } }] },
        scopeMetrics: [
          {
            scope: { name: "test" },
            metrics: [
              {
                name,
                unit: "By",
                gauge: {
                  dataPoints: values.map((value, i) => ({
                    timeUnixNano: ns(atMs + i * 1000),
                    asDouble: value,
                    attributes: Object.entries(options.attrs ?? {}).map(([key, v]) => ({
                      key,
                      value: { stringValue: v },
                    })),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

async function post(body: unknown): Promise<Response> {
  return fetch(`${app.base}/v1/metrics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.base}${path}`);
  return { status: response.status, body: await response.json() };
}

/**
 * A window `windowMs` long ending at the answer's toUnixMs, cut into steps of the clock's grid: from the
 * one holding its start to the one holding its end.
 */
function expectWholeSteps(answer: MetricQueryResponse, windowMs: number): void {
  const step = answer.stepMs;
  const since = answer.toUnixMs - windowMs;
  expect(answer.fromUnixMs % step).toBe(0);
  expect(answer.fromUnixMs).toBeLessThanOrEqual(since);
  expect(answer.fromUnixMs).toBeGreaterThan(since - step);
  expect(answer.times).toEqual(Array.from(answer.times, (_, i) => answer.fromUnixMs + i * step));
  const last = answer.times.at(-1) as number;
  expect(last).toBeLessThan(answer.toUnixMs);
  expect(last + step).toBeGreaterThanOrEqual(answer.toUnixMs);
}

describe("GET /api/metrics and /api/metrics/:name", () => {
  it("answers the catalog with the series bound and what was dropped", async () => {
    await post(gaugeExport("heap.used", [1, 2]));
    const catalog = (await readJson(fetch(`${app.base}/api/metrics?q=HEAP`))) as MetricCatalogResponse;
    expect(catalog).toMatchObject({ maxSeries: DEFAULT_MAX_METRIC_SERIES, droppedSeries: 0, droppedPoints: 0 });
    expect(catalog.metrics).toEqual([
      {
        name: "heap.used",
        kind: "gauge",
        chart: "value",
        charts: ["value"],
        unit: "By",
        description: "",
        services: ["api"],
        seriesPerService: [1],
        lastTimeUnixNanoPerService: [ns(T0 + 1000)],
        attributeKeys: [],
        seriesCount: 1,
        lastTimeUnixNano: ns(T0 + 1000),
      },
    ]);
    expect((await get("/api/metrics?service=nobody")).body.metrics).toEqual([]);
  });

  it("defaults to the last 15 minutes in ~120 steps, and reads names holding a slash", async () => {
    // A point from before the window: the metric is older than it, so the window is whole.
    await post(gaugeExport("process/memory", [4], { atMs: Date.now() - 20 * 60_000 }));
    await post(gaugeExport("process/memory", [5], { atMs: Date.now() - 60_000 }));
    const { status, body } = await get("/api/metrics/process%2Fmemory");
    expect(status).toBe(200);
    const result = body as MetricQueryResponse;
    expect(result.stepMs).toBe(10_000);
    // 90 steps of the clock's grid, and one more when the window's start and end fall inside a step.
    expectWholeSteps(result, 15 * 60_000);
    expect(result.times.length).toBeGreaterThanOrEqual(90);
    expect(result.times.length).toBeLessThanOrEqual(91);
    expect(result.series[0]?.values.filter((v) => v !== null)).toEqual([5]);
    expect((await get("/api/metrics/process/memory")).status).toBe(200);
  });

  it("takes the window as a duration ending now", async () => {
    await post(gaugeExport("heap.used", [6], { atMs: Date.now() - 2 * 60 * 60_000 }));
    await post(gaugeExport("heap.used", [7], { atMs: Date.now() - 2 * 60_000 }));
    const before = Date.now();
    const hour = (await get("/api/metrics/heap.used?window=1h")).body as MetricQueryResponse;
    expect(hour.stepMs).toBe(30_000);
    expectWholeSteps(hour, 60 * 60_000);
    expect(hour.toUnixMs).toBeGreaterThanOrEqual(before);
    expect(hour.toUnixMs).toBeLessThanOrEqual(Date.now());
    expect(hour.series[0]?.values.filter((v) => v !== null)).toEqual([7]);
    // The same address answers differently as time goes by: no cache may keep it.
    const answer = await fetch(`${app.base}/api/metrics/heap.used?window=1h`);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    await answer.arrayBuffer();
    const minute = (await get("/api/metrics/heap.used?window=90s")).body as MetricQueryResponse;
    expectWholeSteps(minute, 90_000);
    expect(minute.series[0]?.values.every((v) => v === null)).toBe(true);
  });

  it("opens a window ending now on a metric younger than it, and a chosen range whole", async () => {
    const first = Date.now() - 3 * 60_000;
    await post(gaugeExport("queue.depth", [1, 2, 3], { atMs: first }));
    const young = (await get("/api/metrics/queue.depth?window=15m")).body as MetricQueryResponse;
    expect(young.startsAtData).toBe(true);
    expect(young.firstPointUnixMs).toBe(first);
    expect(young.stepMs).toBe(10_000);
    // From the step before the one holding the first point.
    expect(young.fromUnixMs).toBeLessThanOrEqual(first - 10_000);
    expect(young.fromUnixMs).toBeGreaterThan(first - 20_000);
    const values = young.series[0]?.values ?? [];
    expect(values[0]).toBeNull();
    expect(values.filter((v) => v !== null).at(-1)).toBe(3);
    const until = Date.now();
    const chosen = (await get(`/api/metrics/queue.depth?since=${until - 15 * 60_000}&until=${until}`))
      .body as MetricQueryResponse;
    expect(chosen.startsAtData).toBeUndefined();
    expect(chosen.firstPointUnixMs).toBeUndefined();
    // The whole range, from the step of the clock's grid that holds its start.
    expect(chosen.toUnixMs).toBe(until);
    expectWholeSteps(chosen, 15 * 60_000);
  });

  it("says what a young counter's increase was counted over: from its start time, not the window's", async () => {
    // 23 messages in the 25 s since the counter started, its first point 10 s after its start.
    const now = Date.now();
    const start = now - 30_000;
    const points = [
      [now - 20_000, 5],
      [now - 10_000, 15],
      [now - 5_000, 23],
    ] as const;
    await post({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "queue" } }] },
          scopeMetrics: [
            {
              scope: { name: "test" },
              metrics: [
                {
                  name: "messages.sent",
                  unit: "{message}",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: points.map(([at, value]) => ({
                      startTimeUnixNano: ns(start),
                      timeUnixNano: ns(at),
                      asInt: String(value),
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const young = (await get("/api/metrics/messages.sent?window=15m")).body as MetricQueryResponse;
    expect(young.startsAtData).toBe(true);
    // The window the page is given starts at least 12 steps before the end: a minute and more.
    expect(young.fromUnixMs).toBeLessThan(start);
    const series = young.series[0];
    const increase = (series?.increases ?? []).reduce((sum: number, v) => sum + (v ?? 0), 0);
    expect(increase).toBeCloseTo(23, 9);
    expect(series?.counted).toEqual({ fromUnixMs: start, toUnixMs: now - 5_000 });
  });

  it("averages a TraceKit SDK counter's burst over the time since it, for the page and get_metric alike", async () => {
    // As the TraceKit Node SDK sends counter.inc(): one point of 1 per call, each at its own instant.
    // 10 requests within half a second, 14 s ago, and none since.
    const now = Date.now();
    const burstAt = now - 14_000;
    await post({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "burst" } }] },
          scopeMetrics: [
            {
              scope: { name: "tracekit" },
              metrics: [
                {
                  name: "http.requests.total",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: Array.from({ length: 10 }, (_, i) => ({
                      attributes: [{ key: "service", value: { stringValue: "burst" } }],
                      timeUnixNano: ns(burstAt + i * 50),
                      asDouble: 1,
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const answer = (await get("/api/metrics/http.requests.total?service=burst&window=15m")).body as MetricQueryResponse;
    const series = answer.series[0];
    const increase = totalIncrease(answer.series);
    expect(increase).toBe(10);
    // From the start of the burst's step to the window's end, not over the 0.45 s from first to last.
    const burstStep = answer.times.findIndex((t, i) => t <= burstAt && burstAt < (answer.times[i + 1] ?? Infinity));
    expect(series?.counted).toEqual({ fromUnixMs: answer.times[burstStep], toUnixMs: answer.toUnixMs });
    const peak = Math.max(...(series?.values ?? []).map((v) => v ?? 0));
    const average = averageRate(10, answer.series, answer);
    expect(average).toBeCloseTo(10 / ((answer.toUnixMs - (answer.times[burstStep] as number)) / 1000), 9);
    expect(average).toBeLessThanOrEqual(peak);
    // get_metric's row for it (latest, min, avg, max, increase; "0.0119/s", as the page writes rates): the
    // same average, to its three significant digits, within min and max.
    const row = describeMetric(answer)
      .split("\n")
      .find((line) => line.endsWith("service=burst"))
      ?.split(/\s{2,}/)
      .map((cell) => Number.parseFloat(cell));
    expect(Math.abs((row?.[2] as number) - average) / average).toBeLessThan(0.005);
    expect(row?.[2]).toBeLessThanOrEqual(row?.[3] as number);
    expect(row?.[4]).toBe(10);
  });

  it("gives a window's percentiles from an exponential histogram's own buckets, as its lines", async () => {
    // 1,000 latencies from 1 ms to 8 s, as many in each octave, at scale 6 (buckets 1.1% wide), in two
    // exports a minute apart.
    const scale = 6;
    const values = Array.from({ length: 1000 }, (_, i) => 2 ** ((13 * i) / 999));
    const index = (v: number) => Math.ceil(Math.log2(v) * 2 ** scale) - 1;
    const offset = index(values[0] as number);
    const counts = new Array(index(values[values.length - 1] as number) - offset + 1).fill(0);
    for (const v of values) counts[index(v) - offset]++;
    const point = (atMs: number) => ({
      startTimeUnixNano: ns(atMs - 60_000),
      timeUnixNano: ns(atMs),
      count: String(values.length),
      sum: values.reduce((a, b) => a + b, 0),
      min: 1,
      max: 8192,
      scale,
      zeroCount: "0",
      positive: { offset, bucketCounts: counts.map(String) },
    });
    await post({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
          scopeMetrics: [
            {
              scope: { name: "test" },
              metrics: [
                {
                  name: "request.duration",
                  unit: "ms",
                  exponentialHistogram: {
                    aggregationTemporality: 1,
                    dataPoints: [point(T0 + 30_000), point(T0 + 90_000)],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const result = (await get(`/api/metrics/request.duration?since=${T0}&until=${T0 + 120_000}&step=60000`))
      .body as MetricQueryResponse;
    const line = result.series[0];
    expect(line?.counts).toEqual([1000, 1000]);
    // Both steps hold the same values: the window's percentiles are theirs, within a bucket of the true ones.
    for (const p of ["p50", "p95", "p99"] as const) {
      expect(line?.[p]?.[0]).toBe(line?.[p]?.[1]);
      expect(result.windowPercentiles?.[p]).toBeCloseTo(line?.[p]?.[0] as number, 9);
    }
    expect(Math.abs((result.windowPercentiles?.p95 as number) - 5265.5) / 5265.5).toBeLessThan(0.011);
    expect(result.windowPercentiles?.atLeast).toBeUndefined();
    // The heatmap's rows (at most 40) are coarser than the buckets: the same estimate read from them is off.
    expect(result.heatmap?.bounds.length).toBeLessThanOrEqual(41);
    const heatmap = result.heatmap as NonNullable<MetricQueryResponse["heatmap"]>;
    const totals = heatmap.counts.reduce((sum, row) => sum.map((c, k) => c + (row[k] ?? 0)));
    const coarse = explicitQuantile(heatmap.bounds, totals, 0.95, heatmap.min ?? Number.NaN, heatmap.max ?? Number.NaN);
    // (5.30 s beside lines at 5.26 s: what the page's p95 figure said before it took windowPercentiles.)
    expect(Math.abs(coarse - (line?.p95?.[0] as number)) / coarse).toBeGreaterThan(0.005);
  });

  it("spreads a cumulative exponential histogram's first point over its start..time, also once it is rolled up", async () => {
    // Started 15 minutes before its first export, 2 values every 10 s: its first point holds 180, then
    // 149 more points (past the 64 kept raw, so the first is in a rollup).
    const first = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
    const start = first - 15 * 60_000;
    const dataPoints = Array.from({ length: 150 }, (_, i) => ({
      startTimeUnixNano: ns(start),
      timeUnixNano: ns(first + i * 10_000),
      count: String(180 + 2 * i),
      sum: 5 * (180 + 2 * i),
      scale: 3,
      zeroCount: "0",
      positive: { offset: 18, bucketCounts: [String(180 + 2 * i)] },
    }));
    await post({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
          scopeMetrics: [
            {
              scope: { name: "test" },
              metrics: [
                {
                  name: "job.duration",
                  unit: "ms",
                  exponentialHistogram: { aggregationTemporality: 2, dataPoints },
                },
              ],
            },
          ],
        },
      ],
    });
    const result = (await get(`/api/metrics/job.duration?since=${start}&until=${first + 25 * 60_000}&step=60000`))
      .body as MetricQueryResponse;
    const counts = result.series[0]?.counts ?? [];
    // 12 a minute from the start; the first point's own minute holds the 50 s of values after it.
    for (let m = 0; m < 40; m++) expect(counts[m], `minute ${m}`).toBeCloseTo(m === 15 ? 10 : 12, 6);
  });

  it("steps as far apart as an SDK exports, unless a step is asked for", async () => {
    // OpenTelemetry SDKs export every 60 s by default: one point a minute per series.
    for (let ago = 20; ago >= 0; ago--) {
      await post(gaugeExport("pool.size", [ago], { atMs: Date.now() - ago * 60_000 }));
    }
    const fitted = (await get("/api/metrics/pool.size?window=15m")).body as MetricQueryResponse;
    expect(fitted.stepMs).toBe(60_000);
    expect(fitted.series[0]?.values.filter((v) => v === null).length).toBeLessThanOrEqual(1);
    const asked = (await get("/api/metrics/pool.size?window=15m&step=10000")).body as MetricQueryResponse;
    expect(asked.stepMs).toBe(10_000);
  });

  it("cuts a window ending now on the clock's grid: a finished burst reads the same at every request", async () => {
    // 150 kB sent in 10 s, 5 minutes before a clock that then moves on inside one 10-second step.
    const metricStore = createMemoryMetricStore();
    const grid = T0_MS + 20 * MINUTE;
    const points = Array.from({ length: 20 * 12 }, (_, i) => {
      const atMs = grid - 20 * MINUTE + (i + 1) * 5 * SECOND;
      const sent = atMs - grid + 5 * MINUTE;
      const value = sent <= 0 ? 0 : sent === 5 * SECOND ? 100_000 : sent === 10 * SECOND ? 150_000 : 170_000;
      return { atMs, value, startMs: grid - 21 * MINUTE };
    });
    metricStore.insert([sum("net.sent", "api", points, { temporality: "cumulative", monotonic: true, unit: "By" })]);
    const at = async (nowMs: number) => {
      const routes = metricsApiRoutes({ metricStore, now: () => nowMs });
      return (await (await routes.request("/api/metrics/net.sent?window=15m")).json()) as MetricQueryResponse;
    };
    const first = await at(grid + 2_300);
    const later = await at(grid + 8_900);
    expect(first.stepMs).toBe(10_000);
    // Its peak: 150 kB over its 10 s at both requests (in steps cut from the window's start it read
    // 11.3 kB/s, then 13.9 kB/s).
    for (const answer of [first, later]) expect(Math.max(...(answer.series[0]?.values ?? []).map(Number))).toBe(15_000);
    expect(later.times).toEqual(first.times);
    expect(first.fromUnixMs).toBe(grid - 15 * MINUTE);
    expect(first.toUnixMs).toBe(grid + 2_300);
    // Every step that had ended at the first request reads the same at the second.
    const ended = first.times.filter((t) => t + first.stepMs <= first.toUnixMs).length;
    expect(ended).toBe(first.times.length - 1);
    expect(later.series[0]?.values.slice(0, ended)).toEqual(first.series[0]?.values.slice(0, ended));
    expect(later.series[0]?.increases?.slice(0, ended)).toEqual(first.series[0]?.increases?.slice(0, ended));
    // The burst's own steps: 150 kB over its 10 s, then the last 20 kB.
    const burst = first.times.indexOf(grid - 5 * MINUTE);
    expect(first.series[0]?.values.slice(burst - 1, burst + 3)).toEqual([0, 15_000, 2_000, 0]);
    // A step asked for cuts the range from `since`, as asked: get_metric reads a whole window as one step.
    const since = grid - 5 * MINUTE + 2_300;
    const asked = (await (
      await metricsApiRoutes({ metricStore }).request(
        `/api/metrics/net.sent?since=${since}&until=${grid + 2_300}&step=${5 * MINUTE}`,
      )
    ).json()) as MetricQueryResponse;
    expect(asked.times).toEqual([since]);
  });

  it("answers 404 for an unknown name and 400 with a reason for bad parameters", async () => {
    await post(gaugeExport("g", [1]));
    expect(await get("/api/metrics/nope")).toEqual({
      status: 404,
      body: { error: { code: "metric_not_found", message: 'no metric "nope" is stored' } },
    });
    const cases: [string, RegExp][] = [
      ["since=yesterday", /since must be a time in unix milliseconds/],
      [
        "since=2000&until=1000",
        /since \(2000, 1970-01-01T00:00:02\.000Z\) must be before until \(1000, 1970-01-01T00:00:01\.000Z\)/,
      ],
      ["since=9000000000000000&until=1000", /since \(9000000000000000\) must be before until \(1000, 1970-01-01T/],
      ["step=0", /step must be a whole number of milliseconds >= 1/],
      ["step=-5", /step must be a whole number of milliseconds/],
      ["since=0&until=100000&step=1", /more than 2000 steps/],
      ["where=nokey", /where must be key=value/],
      ["where==x", /where must be key=value/],
      ["chart=distribution", /chart must be one of value for this metric/],
      ["stat=p90", /stat must be one of p50, p95, p99, mean, not "p90"/],
      ["window=15", /window must be a duration such as 90s, 15m, 6h or 7d, not "15"/],
      ["window=0m", /window must be a duration/],
      ["window=1w", /window must be a duration/],
      ["window=15m&since=1000", /window \(a duration ending now\) replaces since and until/],
      ["window=15m&until=1000", /window \(a duration ending now\) replaces since and until/],
    ];
    for (const [query, reason] of cases) {
      const { status, body } = await get(`/api/metrics/g?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe("invalid_query");
      expect(body.error.message, query).toMatch(reason);
    }
  });

  it("groups, filters and picks the chart as asked", async () => {
    await post(gaugeExport("pool.size", [3], { attrs: { pool: "a", host: "x" } }));
    await post(gaugeExport("pool.size", [4], { attrs: { pool: "b", host: "x" } }));
    await post(gaugeExport("pool.size", [9], { attrs: { pool: "c", host: "y" }, service: "worker" }));
    const window = `since=${T0}&until=${T0 + 60_000}&step=60000`;
    const byHost = (await get(`/api/metrics/pool.size?${window}&groupBy=host`)).body as MetricQueryResponse;
    expect(byHost.groupBy).toBe("host");
    expect(byHost.series.map((s) => [s.label, s.values])).toEqual([
      ["x", [3.5]],
      ["y", [9]],
    ]);
    const filtered = (await get(`/api/metrics/pool.size?${window}&where=host%3Dx&where=pool%3Db`)).body;
    expect(filtered.series.map((s: { label: string }) => s.label)).toEqual(["host=x, pool=b"]);
    const worker = (await get(`/api/metrics/pool.size?${window}&service=worker&groupBy=service.name`)).body;
    expect(worker.series).toEqual([{ label: "worker", attributes: { "service.name": "worker" }, values: [9] }]);
    // The catalog says how many of the series each service has: a service filter's row counts its own.
    const catalog = (await get("/api/metrics?service=worker")).body as MetricCatalogResponse;
    expect(catalog.metrics.map((m) => [m.name, m.services, m.seriesPerService, m.seriesCount])).toEqual([
      ["pool.size", ["api", "worker"], [2, 1], 3],
    ]);
  });
});

describe("the official metrics.json example through the API", () => {
  it("charts every type as it calls for", async () => {
    const body = readFileSync(new URL("../fixtures/otlp-examples/metrics.json", import.meta.url));
    const response = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(await response.json()).toEqual({});
    const catalog = (await get("/api/metrics")).body as MetricCatalogResponse;
    expect(catalog.metrics.map((m) => [m.name, m.kind, m.chart, m.temporality ?? null, m.services])).toEqual([
      ["my.counter", "sum", "rate", "delta", ["my.service"]],
      ["my.exponential.histogram", "exponentialHistogram", "distribution", "delta", ["my.service"]],
      ["my.gauge", "gauge", "value", null, ["my.service"]],
      ["my.histogram", "histogram", "distribution", "delta", ["my.service"]],
    ]);
    // One minute around the example's time (2018-12-13T14:51:00.3Z), one step.
    const window = "since=1544712630300&until=1544712690300&step=60000";
    const series = async (name: string) =>
      ((await get(`/api/metrics/${name}?${window}`)).body as MetricQueryResponse).series;
    // A delta of 5 over no interval (start = time) says nothing of when it grew, as a cumulative
    // counter's first point without a start: no rate; its running total (chart=value) holds it.
    expect(await series("my.counter")).toEqual([
      {
        label: "my.counter.attr=some value",
        attributes: { "my.counter.attr": "some value" },
        values: [null],
        increases: [null],
      },
    ]);
    const total = (await get(`/api/metrics/my.counter?${window}&chart=value`)).body as MetricQueryResponse;
    expect(total.series[0]?.values).toEqual([5]);
    expect((await series("my.gauge"))[0]?.values).toEqual([10]);
    // Buckets (-inf, 1] and (1, +inf) with one value each, min 0, max 2.
    expect((await series("my.histogram"))[0]).toMatchObject({ counts: [2], values: [1], p50: [1], p99: [1.98] });
    // One zero, two values in (4, 8], max 5.
    expect((await series("my.exponential.histogram"))[0]).toMatchObject({ counts: [3], p50: [5], p99: [5] });
  });
});

describe("metrics beside the rest of the app", () => {
  it("refuses points of a metric stored as another kind, in a partial success", async () => {
    await post(gaugeExport("x", [1]));
    const sum = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "x",
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await post(sum);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: 'metric "x" is stored as a gauge; 1 sum point(s) refused',
      },
    });
  });

  it("refuses a counter's negative values and a histogram count its buckets do not add up to, from JSON and protobuf", async () => {
    const Request = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceRequest`);
    const Response = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceResponse`);
    const send = async (metric: Record<string, unknown>, encoding: "json" | "protobuf") => {
      const body = gaugeExport(String(metric.name), []);
      body.resourceMetrics[0]?.scopeMetrics[0]?.metrics.splice(0, 1, metric as never);
      const response =
        encoding === "json"
          ? await post(body)
          : await fetch(`${app.base}/v1/metrics`, {
              method: "POST",
              headers: { "content-type": "application/x-protobuf" },
              body: new Uint8Array(Request.encode(Request.fromObject(body)).finish()),
            });
      expect(response.status).toBe(200);
      if (encoding === "json") return response.json();
      return Response.toObject(Response.decode(new Uint8Array(await response.arrayBuffer())), { longs: Number });
    };
    const counter = (name: string, temporality: number, values: number[]) => ({
      name,
      sum: {
        aggregationTemporality: temporality,
        isMonotonic: true,
        dataPoints: values.map((v, i) => ({
          startTimeUnixNano: ns(temporality === 1 ? T0 + i * 10_000 - 10_000 : T0 - 10_000),
          timeUnixNano: ns(T0 + i * 10_000),
          asInt: v,
        })),
      },
    });
    const refused = (reason: string) => ({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: `resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[0]: ${reason}`,
      },
    });
    for (const encoding of ["json", "protobuf"] as const) {
      for (const temporality of [1, 2]) {
        const name = `edge.negmono.${encoding}.${temporality}`;
        expect(await send(counter(name, temporality, [-50]), encoding)).toEqual(
          refused(`monotonic sum "${name}" has a negative value (-50); a counter only counts up from 0`),
        );
        expect((await get(`/api/metrics/${name}`)).status).toBe(404);
      }
      const histogram = `edge.histogram.${encoding}`;
      const bad = { timeUnixNano: ns(T0), count: 100, bucketCounts: [1, 3], explicitBounds: [10] };
      expect(
        await send({ name: histogram, histogram: { aggregationTemporality: 1, dataPoints: [bad] } }, encoding),
      ).toEqual(refused(`histogram "${histogram}" has count 100 but its bucketCounts add up to 4`));
      expect((await get(`/api/metrics/${histogram}`)).status).toBe(404);
    }
    // A cumulative counter that falls but stays >= 0 was reset: kept, and read as increasing again.
    expect(await send(counter("edge.reset", 2, [100, 40]), "json")).toEqual({});
    const reset = (await get(`/api/metrics/edge.reset?since=${T0 - 10_000}&until=${T0 + 20_000}&step=10000`)).body;
    expect(reset.series[0]?.increases).toEqual([100, 40, null]);
  });

  it("accepts NaN and infinite values (a staleness marker) as gaps, from JSON and protobuf", async () => {
    const values = [1, "NaN", 3, "Infinity", 5, "-Infinity", 7];
    const json = await post(gaugeExport("g.json", values as number[]));
    expect([json.status, await json.json()]).toEqual([200, {}]);
    const Request = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceRequest`);
    const doubles = [1, Number.NaN, 3, Number.POSITIVE_INFINITY, 5, Number.NEGATIVE_INFINITY, 7];
    const protobuf = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(Request.encode(Request.fromObject(gaugeExport("g.protobuf", doubles))).finish()),
    });
    expect(protobuf.status).toBe(200);
    expect(new Uint8Array(await protobuf.arrayBuffer())).toEqual(new Uint8Array(0));
    // A cumulative counter with a NaN between its points: its rate goes on from the point before.
    const counter = gaugeExport("c", []);
    const metric = counter.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0] as Record<string, unknown>;
    delete metric.gauge;
    metric.sum = {
      aggregationTemporality: 2,
      isMonotonic: true,
      dataPoints: [10, "NaN", 30].map((v, i) => ({
        startTimeUnixNano: ns(T0 - 1000),
        timeUnixNano: ns(T0 + i * 1000),
        asDouble: v,
      })),
    };
    const sum = await post(counter);
    expect([sum.status, await sum.json()]).toEqual([200, {}]);
    const window = `since=${T0}&until=${T0 + 7000}&step=1000`;
    for (const name of ["g.json", "g.protobuf"]) {
      expect((await get(`/api/metrics/${name}?${window}`)).body.series[0].values).toEqual([
        1,
        null,
        3,
        null,
        5,
        null,
        7,
      ]);
    }
    expect((await get(`/api/metrics/c?${window}&chart=value`)).body.series[0].values).toEqual([
      10,
      null,
      30,
      null,
      null,
      null,
      null,
    ]);
    expect((await get(`/api/metrics/c?since=${T0}&until=${T0 + 3000}&step=3000`)).body.series[0].values).toEqual([10]);
    expect((await readJson(fetch(`${app.base}/api/health`))).counts).toMatchObject({ metricPoints: 17 });
  });

  it("counts them in /api/health and clears them with DELETE /api/traces", async () => {
    await post(gaugeExport("g", [1, 2, 3]));
    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.storage.maxMetricSeries).toBe(DEFAULT_MAX_METRIC_SERIES);
    expect(health.counts).toMatchObject({
      metricSeries: 1,
      metricPoints: 3,
      droppedMetricSeries: 0,
      droppedMetricPoints: 0,
    });
    const cleared = await fetch(`${app.base}/api/traces`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    expect((await get("/api/metrics")).body.metrics).toEqual([]);
    expect((await get("/api/metrics/g")).status).toBe(404);
  });

  it("drops series past --max-metric-series and says so in the catalog and health", async () => {
    await app.close();
    app = await startTestApp({ maxMetricSeries: 2 });
    const answers = [];
    for (const host of ["a", "b", "c", "d"]) {
      const response = await post(gaugeExport("g", [1, 2], { attrs: { host } }));
      answers.push([response.status, await response.json()]);
    }
    // The exporter is told what was refused and how to keep it (OTLP's partial success).
    const refused = {
      partialSuccess: {
        rejectedDataPoints: 2,
        errorMessage:
          "data points of new series refused: the store holds at most 2 metric series " +
          "(start tracekit-local with a higher --max-metric-series to keep more)",
      },
    };
    expect(answers).toEqual([
      [200, {}],
      [200, {}],
      [200, refused],
      [200, refused],
    ]);
    // The same in protobuf.
    const Request = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceRequest`);
    const Response = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceResponse`);
    const protobuf = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(
        Request.encode(Request.fromObject(gaugeExport("g", [1, 2], { attrs: { host: "e" } }))).finish(),
      ),
    });
    expect(protobuf.status).toBe(200);
    expect(Response.toObject(Response.decode(new Uint8Array(await protobuf.arrayBuffer())), { longs: Number })).toEqual(
      refused,
    );
    expect((await get("/api/metrics")).body).toMatchObject({ maxSeries: 2, droppedSeries: 3, droppedPoints: 6 });
    expect((await readJson(fetch(`${app.base}/api/health`))).counts).toMatchObject({
      metricSeries: 2,
      droppedMetricSeries: 3,
      droppedMetricPoints: 6,
    });
  });

  it("pushes the names of metrics that received points, each once per tick", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/api/live`);
    const messages: any[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    await Promise.all([post(gaugeExport("a", [1])), post(gaugeExport("b", [1])), post(gaugeExport("a", [2]))]);
    const deadline = Date.now() + 10_000;
    const names = () => messages.filter((m) => m.type === "metrics").flatMap((m) => m.names);
    while (names().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    const pushed = messages.filter((m) => m.type === "metrics");
    expect(new Set(names())).toEqual(new Set(["a", "b"]));
    for (const message of pushed) expect(new Set(message.names).size).toBe(message.names.length);
  });

  it("links an exemplar recorded inside a real span to its trace and span", async () => {
    // The OpenTelemetry JS SDK (2.x) records no exemplars; SDKs that do (Java, Go, .NET, Python)
    // send them as encoded here, with the ids of the span the measurement was made in.
    const trace = await sendSdkTrace(app.base, { service: "checkout", name: "POST /pay", children: 1 });
    const root = loadOtlpMetricsRoot();
    const Request = root.lookupType(`${PKG}.ExportMetricsServiceRequest`);
    const at = String(BigInt(Date.now() - 1000) * 1_000_000n);
    const message = Request.fromObject({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "http.server.request.duration",
                  unit: "s",
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        startTimeUnixNano: String(BigInt(Date.now() - 2000) * 1_000_000n),
                        timeUnixNano: at,
                        count: 1,
                        sum: 0.42,
                        bucketCounts: [0, 1, 0],
                        explicitBounds: [0.1, 1],
                        exemplars: [
                          {
                            timeUnixNano: at,
                            asDouble: 0.42,
                            traceId: Buffer.from(trace.traceId, "hex"),
                            spanId: Buffer.from(trace.rootSpanId, "hex"),
                            filteredAttributes: [{ key: "user.id", value: { stringValue: "u-7" } }],
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const response = await fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(Request.encode(message).finish()),
    });
    expect(response.status).toBe(200);
    const result = (await get("/api/metrics/http.server.request.duration")).body as MetricQueryResponse;
    expect(result.exemplars).toEqual([
      {
        timeUnixNano: at,
        value: 0.42,
        traceId: trace.traceId,
        spanId: trace.rootSpanId,
        seriesLabel: "",
        attributes: { "user.id": "u-7" },
      },
    ]);
    const linked = await get(`/api/traces/${result.exemplars[0]?.traceId}`);
    expect(linked.status).toBe(200);
    expect(linked.body.spans.map((s: { spanId: string }) => s.spanId)).toContain(result.exemplars[0]?.spanId);
  });

  it("shows an exponential histogram at scale -10 as recorded, in memory and with --db", async () => {
    // Base 2^1024 is past every double: the bucket above 1 holds every larger value and ends at the largest.
    const point = (max?: number) => ({
      startTimeUnixNano: ns(T0),
      timeUnixNano: ns(T0 + 1000),
      count: "3",
      sum: 30,
      scale: -10,
      positive: { offset: 0, bucketCounts: ["3"] },
      ...(max === undefined ? {} : { min: 2, max }),
    });
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "huge.open",
                  unit: "ms",
                  exponentialHistogram: { aggregationTemporality: 1, dataPoints: [point()] },
                },
                {
                  name: "huge.max",
                  unit: "ms",
                  exponentialHistogram: { aggregationTemporality: 1, dataPoints: [point(20)] },
                },
              ],
            },
          ],
        },
      ],
    };
    await app.close();
    const dir = tempDir();
    try {
      for (const db of [undefined, `${dir.path}/metrics.db`]) {
        app = await startTestApp(db === undefined ? {} : { db });
        expect((await post(body)).status).toBe(200);
        const path = (name: string) => `/api/metrics/${name}?since=${T0}&until=${T0 + 60_000}&step=60000`;
        const open = (await get(path("huge.open"))).body as MetricQueryResponse;
        // Only known to be at least 1: said so, not null and not 2^1024.
        expect(open.series[0]).toMatchObject({ counts: [3], values: [10], p50: [1], p99: [1] });
        expect(open.series[0]?.atLeast).toEqual({ p50: [true], p95: [true], p99: [true] });
        expect(open.windowPercentiles).toEqual({
          p50: 1,
          p95: 1,
          p99: 1,
          atLeast: { p50: true, p95: true, p99: true },
        });
        expect(open.heatmap?.bounds).toEqual([1, Number.MAX_VALUE]);
        expect(open.heatmap?.counts).toEqual([[0, 3, 0]]);
        // With a max the bucket is closed by it: 1 to 20.
        const closed = (await get(path("huge.max"))).body as MetricQueryResponse;
        expect(closed.series[0]?.p50?.[0]).toBeCloseTo(10.5, 9);
        expect(closed.series[0]?.atLeast).toBeUndefined();
        await app.close();
      }
    } finally {
      dir.remove();
      app = await startTestApp();
    }
  });

  it("keeps metrics across a restart with --db", async () => {
    await app.close();
    const dir = tempDir();
    try {
      const db = `${dir.path}/metrics.db`;
      app = await startTestApp({ db });
      await post(gaugeExport("disk.free", [10, 20, 30], { attrs: { mount: "/" } }));
      const path = `/api/metrics/disk.free?since=${T0}&until=${T0 + 60_000}&step=1000`;
      const before = (await get(path)).body;
      expect(before.series[0].values.slice(0, 3)).toEqual([10, 20, 30]);
      await app.close();
      app = await startTestApp({ db });
      expect((await get(path)).body).toEqual(before);
      expect((await readJson(fetch(`${app.base}/api/health`))).counts).toMatchObject({
        metricSeries: 1,
        metricPoints: 3,
      });
    } finally {
      await app.close();
      dir.remove();
      app = await startTestApp();
    }
  });
});
