import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { rawRequest, readJson } from "../helpers/http.js";

/**
 * A run's endpoint (`/run/<id>`, which `tracekit-local run` hands a TraceKit SDK as TRACEKIT_ENDPOINT):
 * the SDK appends its paths to it, and what arrives there carries the run's id.
 */
const RUN = "ab12cd34";
const SDK_HEADERS = { "content-type": "application/json", "x-api-key": "local" };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const attrs = (values: Record<string, string>) =>
  Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));

function traceBody(traceId: string, resource: Record<string, string>): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = {
    traceId,
    spanId: "00000000000000a1",
    name: "GET /orders",
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  };
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: attrs(resource) }, scopeSpans: [{ spans: [span] }] }],
  });
}

async function resourceOf(traceId: string): Promise<Record<string, unknown>> {
  const trace = await readJson(fetch(`${app.base}/api/traces/${traceId}`));
  return trace.spans[0].resource;
}

describe("a run's endpoint", () => {
  it("takes traces and log records under /run/<id> and adds the run's id to their resource, unless it has one", async () => {
    const sent = await fetch(`${app.base}/run/${RUN}/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("11".repeat(16), { "service.name": "shop" }),
    });
    expect(sent.status).toBe(200);
    expect(await resourceOf("11".repeat(16))).toEqual({ "service.name": "shop", "tracekit.run.id": RUN });

    // A resource that already names a run (an OpenTelemetry SDK that read OTEL_RESOURCE_ATTRIBUTES) keeps it.
    await fetch(`${app.base}/run/${RUN}/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("22".repeat(16), { "service.name": "shop", "tracekit.run.id": "ffff0000" }),
    });
    expect((await resourceOf("22".repeat(16)))["tracekit.run.id"]).toBe("ffff0000");

    // Without the prefix nothing is added.
    await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("33".repeat(16), { "service.name": "shop" }),
    });
    expect(await resourceOf("33".repeat(16))).toEqual({ "service.name": "shop" });

    const record = { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: "placed" } };
    const logs = await fetch(`${app.base}/run/${RUN}/v1/logs`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: JSON.stringify({
        resourceLogs: [
          { resource: { attributes: attrs({ "service.name": "shop" }) }, scopeLogs: [{ logRecords: [record] }] },
        ],
      }),
    });
    expect(logs.status).toBe(200);
    const found = await readJson(fetch(`${app.base}/api/logs?q=${encodeURIComponent(`tracekit.run.id="${RUN}"`)}`));
    expect(found.logs.map((log: { body: unknown }) => log.body)).toEqual(["placed"]);
  });

  it("takes a TraceKit SDK's metrics and its code-monitoring protocol, event stream included, under /run/<id>", async () => {
    const metrics = await fetch(`${app.base}/run/${RUN}/v1/metrics`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: attrs({ "service.name": "shop" }) },
            scopeMetrics: [
              {
                scope: { name: "tracekit" },
                metrics: [
                  {
                    name: "orders.placed",
                    gauge: { dataPoints: [{ timeUnixNano: `${Date.now()}000000`, asDouble: 1 }] },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(metrics.status).toBe(200);
    expect(JSON.stringify(await readJson(fetch(`${app.base}/api/metrics`)))).toContain("orders.placed");

    const active = await readJson(fetch(`${app.base}/run/${RUN}/sdk/snapshots/active/shop`));
    // The SDK appends this to its base URL, the run's endpoint: the stream is served there too.
    expect(active.sse_endpoint).toBe("/sdk/snapshots/stream/shop");
    const stop = new AbortController();
    const stream = await fetch(`${app.base}/run/${RUN}${active.sse_endpoint}`, {
      headers: { accept: "text/event-stream" },
      signal: stop.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    stop.abort();

    const registered = await fetch(`${app.base}/run/${RUN}/sdk/snapshots/auto-register`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: JSON.stringify({
        service_name: "shop",
        file_path: "/app/server.js",
        line_number: 12,
        function_name: "checkout",
        label: "checkout",
      }),
    });
    expect(registered.status).toBe(201);
  });

  it("answers the same through the Hono routes (a request target in absolute form), and 404 for a run id that is not one", async () => {
    const sent = await rawRequest(app.port, {
      method: "POST",
      path: `${app.base}/run/${RUN}/v1/traces`,
      headers: SDK_HEADERS,
      body: traceBody("44".repeat(16), { "service.name": "shop" }),
    });
    expect(sent.status).toBe(200);
    expect((await resourceOf("44".repeat(16)))["tracekit.run.id"]).toBe(RUN);

    const bad = await fetch(`${app.base}/run/a.b/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("55".repeat(16), { "service.name": "shop" }),
    });
    expect(bad.status).toBe(404);
  });

  it("gives a development-mode copy of a span the run its service last sent under", async () => {
    // The TraceKit SDKs' local-UI path: OTLP/JSON with neither a User-Agent nor an X-API-Key.
    const localUi = (traceId: string, service: string) =>
      rawRequest(app.port, {
        method: "POST",
        path: "/v1/traces",
        headers: { "content-type": "application/json" },
        body: traceBody(traceId, { "service.name": service }),
      });
    // Before its service sent anything under a run, a copy is nobody's.
    expect((await localUi("a1".repeat(16), "billing")).status).toBe(200);
    expect(await resourceOf("a1".repeat(16))).toEqual({ "service.name": "billing" });
    await fetch(`${app.base}/run/${RUN}/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("a2".repeat(16), { "service.name": "billing" }),
    });
    // Then the copy that comes first (the export under the run's endpoint follows it) is the run's.
    await localUi("a3".repeat(16), "billing");
    expect((await resourceOf("a3".repeat(16)))["tracekit.run.id"]).toBe(RUN);
    // Another service's copies stay as they are, and so does an exporter's request without the prefix.
    await localUi("a4".repeat(16), "inventory");
    expect(await resourceOf("a4".repeat(16))).toEqual({ "service.name": "inventory" });
    await fetch(`${app.base}/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("a5".repeat(16), { "service.name": "billing" }),
    });
    expect(await resourceOf("a5".repeat(16))).toEqual({ "service.name": "billing" });
    // The command run again: its copies are the newer run's once that run's export came.
    await fetch(`${app.base}/run/ee99/v1/traces`, {
      method: "POST",
      headers: SDK_HEADERS,
      body: traceBody("a6".repeat(16), { "service.name": "billing" }),
    });
    await localUi("a7".repeat(16), "billing");
    expect((await resourceOf("a7".repeat(16)))["tracekit.run.id"]).toBe("ee99");
  });
});
