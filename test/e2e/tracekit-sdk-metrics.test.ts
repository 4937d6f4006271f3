/**
 * TraceKit SDK metrics, sent as the SDKs send them to their backend: counters are read as the
 * increments they are, gauge and histogram points as samples of a distribution.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import {
  nodeMetricsBody,
  postTraceKitMetrics,
  pythonMetricsBody,
  sdkBatches,
  type TraceKitMetricPoint,
} from "../helpers/tracekit-metrics.js";

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

async function query(name: string, params: Record<string, string | number>): Promise<MetricQueryResponse> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`${app.base}/api/metrics/${encodeURIComponent(name)}?${search}`);
  expect(response.status).toBe(200);
  return (await response.json()) as MetricQueryResponse;
}

const flavours = [
  { flavour: "node", body: nodeMetricsBody },
  { flavour: "python", body: pythonMetricsBody },
] as const;

describe.each(flavours)("TraceKit $flavour SDK metrics", ({ flavour, body }) => {
  it("sums counter increments into a rate, and reads gauge and histogram points as samples", async () => {
    const service = `shop-${flavour}`;
    const t0 = Date.now() - 5 * 60_000;
    const points: TraceKitMetricPoint[] = [];
    // A minute of traffic: 42 orders (counter.inc()), and 100 checkouts of 1 … 100 ms (histogram.record()).
    for (let i = 0; i < 42; i++)
      points.push({ name: "orders.placed", type: "counter", tags: { channel: "web" }, value: 1, atMs: t0 + i * 1000 });
    for (let v = 1; v <= 100; v++) {
      points.push({
        name: "checkout.duration",
        type: "histogram",
        tags: { route: "/checkout" },
        value: v + 0.5,
        atMs: t0 + v * 500,
      });
    }
    // A gauge set three times (gauge.set()): the same wire shape as a histogram's records.
    for (const [i, v] of [3, 5, 4].entries())
      points.push({ name: "queue.size", type: "gauge", value: v, atMs: t0 + 10_000 * (i + 1) });
    for (const batch of sdkBatches(points)) {
      const response = await postTraceKitMetrics(app.port, body(service, batch), flavour);
      expect(response).toEqual({ status: 200, body: "{}" });
    }

    const catalog = (await readJson(fetch(`${app.base}/api/metrics?service=${service}`))) as MetricCatalogResponse;
    expect(catalog.metrics.map((m) => [m.name, m.kind, m.chart, m.charts, m.temporality ?? null, m.tracekit])).toEqual([
      ["checkout.duration", "gauge", "distribution", ["distribution", "value"], null, true],
      ["orders.placed", "sum", "rate", ["rate", "value"], "delta", true],
      ["queue.size", "gauge", "distribution", ["distribution", "value"], null, true],
    ]);

    // One step over the minute: 42 increments, whatever their temporality field says. (It starts a
    // second early: Python's float seconds put a point stamped at t0 a fraction of a millisecond before.)
    const window = { since: t0 - 1000, until: t0 + 59_000, step: 60_000 };
    const orders = await query("orders.placed", window);
    expect(orders.series).toEqual([
      {
        label: "channel=web",
        attributes: { channel: "web" },
        values: [42 / 60],
        increases: [42],
        // What the 42 were counted over: increments at an instant, nothing sent while the counter stands
        // still, so from the step of the first to the window's end (42 / 60 s, as the chart reads them),
        // not the 41 s from the first increment to the last (1.02/s, above any step's rate).
        counted: { fromUnixMs: t0 - 1000, toUnixMs: t0 + 59_000 },
      },
    ]);
    expect((await query("orders.placed", { ...window, chart: "value" })).series[0]?.values).toEqual([42]);

    const checkout = await query("checkout.duration", window);
    expect(checkout.series[0]).toMatchObject({
      label: "route=/checkout",
      counts: [100],
      values: [51],
      p50: [50.5],
      p95: [95.5],
      p99: [99.5],
    });
    expect(checkout.heatmap?.counts[0]?.reduce((a, b) => a + b, 0)).toBe(100);

    const queue = await query("queue.size", window);
    expect(queue.series[0]).toMatchObject({ counts: [3], p50: [4], p99: [5] });
    expect((await query("queue.size", { ...window, chart: "value" })).series[0]?.values).toEqual([4]);

    const health = await readJson(fetch(`${app.base}/api/health`));
    expect(health.counts).toMatchObject({ metricSeries: 3, metricPoints: points.length, droppedMetricSeries: 0 });
  });
});

it("keeps a tag the app gave as a number or a boolean, which the Python SDK writes in stringValue as it is", async () => {
  const t0 = Date.now() - 60_000;
  const points: TraceKitMetricPoint[] = [
    { name: "responses", type: "counter", value: 1, atMs: t0, tags: { status: 200, cached: true } },
    { name: "responses", type: "counter", value: 2, atMs: t0 + 500, tags: { status: 500, cached: false } },
  ];
  const text = pythonMetricsBody("py", points);
  expect(text).toContain('"stringValue": 200');
  const response = await postTraceKitMetrics(app.port, text, "python");
  expect(response.status).toBe(200);
  expect(JSON.parse(response.body)).toEqual({});
  const byStatus = await query("responses", { since: t0, until: t0 + 1000, step: 1000, groupBy: "status" });
  expect(byStatus.series.map((series) => series.label).sort()).toEqual(["200", "500"]);
  const byCached = await query("responses", { since: t0, until: t0 + 1000, step: 1000, groupBy: "cached" });
  expect(byCached.series.map((series) => series.label).sort()).toEqual(["false", "true"]);
});

it("takes the Python SDK's NaN gauge value as a gap and keeps the request's other points", async () => {
  const t0 = Date.now() - 60_000;
  const points: TraceKitMetricPoint[] = [
    { name: "ratio", type: "gauge", value: Number.NaN, atMs: t0 },
    { name: "ratio", type: "gauge", value: 0.25, atMs: t0 + 1000 },
  ];
  const text = pythonMetricsBody("py", points);
  expect(text).toContain('"asDouble": NaN');
  const response = await postTraceKitMetrics(app.port, text, "python");
  // NaN is a value OTLP allows (a Prometheus staleness marker): nothing is refused.
  expect(response).toEqual({ status: 200, body: "{}" });
  // The NaN's second is a gap (no number, not 0); the next second holds the other point. (Steps are
  // centred on the points: Python's float seconds stamp a point a fraction of a millisecond early.)
  const ratio = await query("ratio", { since: t0 - 500, until: t0 + 1500, step: 1000, chart: "value" });
  expect(ratio.series[0]?.values).toEqual([null, 0.25]);
  expect((await readJson(fetch(`${app.base}/api/health`))).counts.rejectedDataPoints).toBe(0);
});

it("charts a histogram of whole milliseconds as a distribution, though its values move by one as an inc() and dec() gauge's do", async () => {
  const t0 = Date.now() - 5 * 60_000;
  const points: TraceKitMetricPoint[] = [];
  const steps = [3, 4, 3, 4, 5, 4, 3, 4, 5, 6, 5, 4];
  // histogram.record() of query times, tagged with their unit as the SDKs' docs write it; and one
  // whose name says what it measures, with no unit tag.
  for (const [i, v] of steps.entries()) {
    points.push({ name: "db.query.duration", type: "histogram", tags: { unit: "ms" }, value: v, atMs: t0 + i * 1000 });
    points.push({ name: "render_ms", type: "histogram", value: v, atMs: t0 + i * 1000 });
  }
  // gauge.inc() and dec() from the SDK's starting 0: each sends the new level.
  for (const [i, v] of [1, 2, 3, 2, 1, 2, 3, 4, 3, 2, 1, 0].entries()) {
    points.push({ name: "connections.active", type: "gauge", value: v, atMs: t0 + i * 1000 });
    points.push({ name: "jobs.running", type: "gauge", tags: { unit: "{job}" }, value: v, atMs: t0 + i * 1000 });
  }
  const response = await postTraceKitMetrics(app.port, nodeMetricsBody("hsvc", points), "node");
  expect(response).toEqual({ status: 200, body: "{}" });

  const catalog = (await readJson(fetch(`${app.base}/api/metrics?service=hsvc`))) as MetricCatalogResponse;
  expect(catalog.metrics.map((m) => [m.name, m.chart, m.charts])).toEqual([
    ["connections.active", "value", ["value", "distribution"]],
    ["db.query.duration", "distribution", ["distribution", "value"]],
    ["jobs.running", "value", ["value", "distribution"]],
    ["render_ms", "distribution", ["distribution", "value"]],
  ]);
  const window = { since: t0 - 1000, until: t0 + 59_000, step: 60_000 };
  expect((await query("db.query.duration", window)).series[0]).toMatchObject({ counts: [12], p50: [4], p99: [6] });
});
