/**
 * The real OpenTelemetry JS metrics SDK exporting with delta temporality sends no point for a counter
 * that recorded nothing in the interval, while the app goes on exporting its other metrics: the time
 * after the counter's last point is 0/s, not unknown, in the rate, its latest step and the average.
 */
import { AggregationTemporalityPreference } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { afterEach, beforeEach, expect, it } from "vitest";
import { averageRate, totalIncrease } from "../../src/domain/counter-average.js";
import type { MetricCatalogResponse, MetricQueryResponse } from "../../src/protocol.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

let app: TestApp;
beforeEach(async () => {
  app = await startTestApp();
});
afterEach(async () => {
  await app.close();
});

async function newestMs(name: string): Promise<number> {
  const catalog = (await readJson(fetch(`${app.base}/api/metrics?service=orders`))) as MetricCatalogResponse;
  const entry = catalog.metrics.find((m) => m.name === name);
  if (entry === undefined) throw new Error(`${name} is not in the catalog`);
  return Number(BigInt(entry.lastTimeUnixNano) / 1_000_000n);
}

async function query(params: Record<string, string | number>): Promise<MetricQueryResponse> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`${app.base}/api/metrics/qae.requests?${search}`);
  expect(response.status).toBe(200);
  return (await response.json()) as MetricQueryResponse;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("reads a delta counter as 0/s after its last point while its app goes on exporting", async () => {
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({
      url: `${app.base}/v1/metrics`,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    }),
    // Exports are driven by forceFlush below, never by the timer.
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "orders", "service.instance.id": "orders-1" }),
    readers: [reader],
  });
  const meter = provider.getMeter("orders");
  const requests = meter.createCounter("qae.requests", { unit: "{request}" });
  meter.createObservableGauge("qae.heap").addCallback((result) => result.observe(1));
  try {
    requests.add(10);
    await sleep(20);
    await reader.forceFlush();
    const firstExport = await newestMs("qae.requests");
    await sleep(20);
    requests.add(10);
    await reader.forceFlush();
    const lastPoint = await newestMs("qae.requests");
    // Two exports with nothing recorded: no point of the counter, the gauge's still come.
    await sleep(50);
    await reader.forceFlush();
    await sleep(50);
    await reader.forceFlush();
    expect(await newestMs("qae.requests")).toBe(lastPoint);
    const appLastPoint = await newestMs("qae.heap");
    expect(appLastPoint).toBeGreaterThan(lastPoint);

    // From the first export to the app's newest point: the 10 of the second, over all that time.
    const step = appLastPoint + 1 - firstExport;
    const whole = await query({ since: firstExport, until: appLastPoint + 1, step, service: "orders" });
    expect(whole.series[0]?.increases).toEqual([10]);
    expect(whole.series[0]?.counted).toEqual({ fromUnixMs: firstExport, toUnixMs: appLastPoint });
    expect(whole.series[0]?.values[0]).toBeCloseTo(10 / ((appLastPoint - firstExport) / 1000), 9);
    const increase = totalIncrease(whole.series) as number;
    const window = { fromUnixMs: whole.fromUnixMs, toUnixMs: whole.toUnixMs, stepMs: whole.stepMs };
    expect(averageRate(increase, whole.series, window)).toBeCloseTo(10 / ((appLastPoint - firstExport) / 1000), 9);

    // After its last point: 0/s, not no data.
    const after = await query({ since: lastPoint + 1, until: appLastPoint + 1, step: appLastPoint - lastPoint });
    expect(after.series[0]?.values).toEqual([0]);
    expect(after.series[0]?.increases).toEqual([0]);
  } finally {
    await provider.shutdown();
  }
});
