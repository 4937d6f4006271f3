/**
 * The real OpenTelemetry JS metrics SDK and its OTLP exporters (http/protobuf and http/json, with
 * cumulative and delta temporality) sending to a real server: what the API answers has known values.
 */
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as HttpJsonExporter,
} from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as HttpProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";
import { sdkMeter } from "../helpers/otel-metrics.js";

// A server per case: the catalog describes a metric name as it was first stored.
let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

type Temporality = AggregationTemporalityPreference.CUMULATIVE | AggregationTemporalityPreference.DELTA;

const variants: { protocol: string; make(url: string, temporality: Temporality): PushMetricExporter }[] = [
  {
    protocol: "http/protobuf",
    make: (url, temporalityPreference) => new HttpProtoExporter({ url, temporalityPreference }),
  },
  {
    protocol: "http/json",
    make: (url, temporalityPreference) => new HttpJsonExporter({ url, temporalityPreference }),
  },
];
const temporalities = [
  ["cumulative", AggregationTemporalityPreference.CUMULATIVE],
  ["delta", AggregationTemporalityPreference.DELTA],
] as const;

async function catalogEntry(service: string, name: string) {
  const catalog = (await readJson(fetch(`${app.base}/api/metrics?service=${service}`))) as MetricCatalogResponse;
  const entry = catalog.metrics.find((m) => m.name === name);
  if (entry === undefined) throw new Error(`${name} is not in the catalog of ${service}`);
  return entry;
}

async function query(name: string, params: Record<string, string | number>): Promise<MetricQueryResponse> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`${app.base}/api/metrics/${encodeURIComponent(name)}?${search}`);
  expect(response.status).toBe(200);
  return (await response.json()) as MetricQueryResponse;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const newestMs = async (service: string, name: string) =>
  Number(BigInt((await catalogEntry(service, name)).lastTimeUnixNano) / 1_000_000n);

describe.each(variants)("OpenTelemetry JS metrics SDK over $protocol", ({ protocol, make }) => {
  it.each(temporalities)(
    "%s temporality: a counter's rate, a histogram's percentiles, up-down sums and gauges",
    async (label, temporality) => {
      const service = `metrics-${protocol.replace("/", "-")}-${label}`;
      const reader = new PeriodicExportingMetricReader({
        exporter: make(`${app.base}/v1/metrics`, temporality),
        // Exports are driven by forceFlush below, never by the timer.
        exportIntervalMillis: 3_600_000,
      });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ "service.name": service }),
        readers: [reader],
      });
      const meter = provider.getMeter("checkout", "1.0.0");
      const orders = meter.createCounter("orders.placed", { unit: "{order}", description: "Orders placed" });
      const duration = meter.createHistogram("checkout.duration", { unit: "ms" });
      const carts = meter.createUpDownCounter("carts.open");
      const queue = meter.createGauge("queue.depth");

      orders.add(8, { channel: "web" });
      // The first export covers the time since the 8 were counted; a pause makes that interval long
      // enough (not within one millisecond of the export) to stay out of a window that starts there.
      await sleep(100);
      await reader.forceFlush();
      const firstExport = await newestMs(service, "orders.placed");

      for (let i = 0; i < 42; i++) orders.add(1, { channel: "web" });
      // 1 … 100 ms: the default buckets hold 76 … 100 in (75, 100], where p95 falls.
      for (let v = 1; v <= 100; v++) duration.record(v, { route: "/checkout" });
      carts.add(5);
      carts.add(-2);
      queue.record(7, { queue: "mail" });
      // The histogram's first point covers the time since its first value: recorded and exported
      // within one millisecond, its start equals its time, which OTLP reserves for a stream whose
      // start is unknown (read as a baseline, not an increase).
      await sleep(5);
      await reader.forceFlush();
      const secondExport = await newestMs(service, "orders.placed");
      await provider.shutdown();
      // Shutdown exports once more: a cumulative counter's unchanged total, whose interval (from the
      // second export on) reaches the rest of the window when it comes a millisecond or more later; a
      // delta counter that counted nothing since is not exported, but the app's up-down sum (cumulative
      // under the delta preference) is: the counter counted 0 meanwhile.
      const lastPoint = await newestMs(service, "orders.placed");
      const appLastPoint = Math.max(lastPoint, await newestMs(service, "carts.open"));

      // The window from the first export to the second holds exactly the 42, per second of the part
      // of it that the counter's intervals cover (and for a delta counter, its quiet time after its
      // last point while the app exported): from the first export to the app's newest point.
      const window = { since: firstExport, until: secondExport + 1, service };
      const seconds = (Math.min(appLastPoint, secondExport + 1) - firstExport) / 1000;
      const rate = await query("orders.placed", { ...window, step: secondExport + 1 - firstExport });
      expect(rate.metric).toMatchObject({
        kind: "sum",
        chart: "rate",
        monotonic: true,
        temporality: label,
        unit: "{order}",
        description: "Orders placed",
        attributeKeys: ["channel"],
      });
      expect(rate.metric.tracekit).toBeUndefined();
      expect(rate.series).toHaveLength(1);
      expect(rate.series[0]?.label).toBe("channel=web");
      expect(rate.series[0]?.values[0]).toBeCloseTo(42 / seconds, 9);
      expect(rate.series[0]?.increases?.[0]).toBeCloseTo(42, 9);

      const latency = await query("checkout.duration", { ...window, step: secondExport + 1 - firstExport });
      expect(latency.metric).toMatchObject({ kind: "histogram", chart: "distribution", unit: "ms" });
      const [line] = latency.series;
      expect(line?.counts).toEqual([100]);
      expect(line?.values[0]).toBeCloseTo(50.5, 9);
      // Interpolated inside (75, 100]: the recorded p95 is 95 (the bucket is 25 ms wide).
      expect(line?.p95?.[0]).toBeCloseTo(95, 6);
      expect(Math.abs((line?.p50?.[0] as number) - 50)).toBeLessThanOrEqual(25);
      expect(Math.abs((line?.p99?.[0] as number) - 99)).toBeLessThanOrEqual(25);
      expect(latency.heatmap?.bounds).toEqual([
        0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
      ]);
      expect(latency.heatmap?.counts[0]).toEqual([0, 5, 5, 15, 25, 25, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

      const open = await query("carts.open", window);
      expect(open.metric).toMatchObject({ kind: "sum", chart: "value", monotonic: false });
      expect(open.series[0]?.values.filter((v) => v !== null)).toEqual([3]);

      const depth = await query("queue.depth", { ...window, groupBy: "queue" });
      expect(depth.metric).toMatchObject({ kind: "gauge", chart: "value" });
      expect(depth.series).toEqual([{ label: "mail", attributes: { queue: "mail" }, values: expect.any(Array) }]);
      expect(depth.series[0]?.values.filter((v) => v !== null)).toEqual([7]);
    },
  );
});

describe("OpenTelemetry JS metrics SDK: a cumulative histogram that recorded before tracekit-local heard it", () => {
  it("spreads the first point's values over its start..time, so no step holds what was recorded long before", async () => {
    // tracekit-local started after the app (or the series is new): the first cumulative point holds
    // every value since its start. Read as recorded at its time, they were all one step's values: a
    // window of its last second counted all 200, and the heatmap's last column was dark.
    const service = "metrics-first-cumulative-histogram";
    const sdk = sdkMeter(app.base, service);
    const before = Date.now();
    const latency = sdk.meter.createHistogram("startup.latency", { unit: "ms" });
    for (let v = 1; v <= 200; v++) latency.record(v % 100);
    await sleep(2_000);
    await sdk.flush();
    await sdk.shutdown();
    const time = await newestMs(service, "startup.latency");
    const spanned = time - before;
    expect(spanned).toBeGreaterThanOrEqual(2_000);

    const counts = async (since: number, until: number, step: number) =>
      ((await query("startup.latency", { since, until, step, service })).series[0]?.counts ?? []).map((c) => c ?? 0);
    // Everything recorded is in a window that holds its whole interval.
    const whole = await counts(before - 1_000, time + 1, time + 1 - (before - 1_000));
    expect(whole[0]).toBeCloseTo(200, 6);
    // The last second holds its share of the interval (start is when the SDK began the histogram, at
    // or after `before`), not all 200.
    const [lastSecond] = await counts(time - 1_000, time, 1_000);
    expect(lastSecond).toBeGreaterThan(0);
    expect(lastSecond).toBeLessThanOrEqual((200 * 1_000) / (spanned - 50));
    // Half-second steps: no step holds more than its share.
    const steps = await counts(before - 1_000, time + 1, 500);
    expect(steps.reduce((a, b) => a + b, 0)).toBeCloseTo(200, 6);
    expect(Math.max(...steps)).toBeLessThanOrEqual((200 * 500) / (spanned - 50) + 1e-6);
  });
});

describe("OpenTelemetry JS metrics SDK: the export on shutdown", () => {
  it.each(temporalities)(
    "%s temporality: the step the app stops in reads the rate it had, not its last export's fraction of a second",
    async (label, temporalityPreference) => {
      // A worker that does 10 jobs at a time, every 250 ms, exported after each batch; it stops 20 ms
      // after its last batch, and the SDK's export on shutdown holds those 10 over those 20 ms.
      const service = `metrics-stop-${label}`;
      const exporter = new HttpProtoExporter({ url: `${app.base}/v1/metrics`, temporalityPreference });
      const sdk = sdkMeter(app.base, service, exporter);
      const jobs = sdk.meter.createCounter("jobs.done", { unit: "{job}" });
      const since = Date.now() - 1_000;
      for (let batch = 0; batch < 12; batch++) {
        jobs.add(10);
        await sleep(250);
        await sdk.flush();
      }
      jobs.add(10);
      await sleep(20);
      await sdk.shutdown();
      const result = await query("jobs.done", { since, until: Date.now() + 1_000, step: 200, service });
      const rates = (result.series[0]?.values ?? []).filter((v): v is number => v !== null);
      const median = [...rates].sort((a, b) => a - b)[rates.length >> 1] as number;
      // 10 jobs every 250 ms and a little more (the flush's own time): up to 40/s.
      expect(median).toBeGreaterThan(20);
      expect(median).toBeLessThanOrEqual(40.5);
      // Not 2-10x that in the steps of its last 20 ms: those 10 read at the rate of the batch before.
      expect(Math.max(...rates)).toBeLessThanOrEqual(median * 1.4);
      expect(rates.at(-1)).toBeGreaterThan(median * 0.6);
      expect((result.series[0]?.increases ?? []).reduce<number>((a, b) => a + (b ?? 0), 0)).toBeCloseTo(130, 6);
    },
  );
});
