import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as HttpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { readJson } from "../helpers/http.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

const variants = [
  {
    name: "http/protobuf",
    gzip: false,
    make: (url: string, compression: CompressionAlgorithm) => new HttpProtoExporter({ url, compression }),
  },
  {
    name: "http/protobuf",
    gzip: true,
    make: (url: string, compression: CompressionAlgorithm) => new HttpProtoExporter({ url, compression }),
  },
  {
    name: "http/json",
    gzip: false,
    make: (url: string, compression: CompressionAlgorithm) => new HttpJsonExporter({ url, compression }),
  },
  {
    name: "http/json",
    gzip: true,
    make: (url: string, compression: CompressionAlgorithm) => new HttpJsonExporter({ url, compression }),
  },
];

/** Sends one realistic trace through the real SDK and exporter; returns ids to look it up by. */
async function sendTrace(exporter: SpanExporter, service: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service, "service.version": "1.2.3", "host.cores": 8 }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("checkout-instrumentation", "0.9.1");
  const linked = tracer.startSpan("linked-job", { kind: SpanKind.CONSUMER });
  linked.end();
  const root = tracer.startSpan("GET /orders/:id", {
    kind: SpanKind.SERVER,
    attributes: {
      "http.request.method": "GET",
      "http.route": "/orders/:id",
      "http.response.status_code": 200,
      "app.ratio": 0.25,
      "app.cached": true,
      "app.tags": ["a", "b"],
      "app.ids": [1, 2, 3],
      "app.flags": [true, false],
      "app.weights": [1.5, 2.5],
    },
    links: [{ context: linked.spanContext(), attributes: { "link.reason": "follows" } }],
  });
  root.addEvent("cache.miss", { "cache.key": "order:42", "cache.size": 3 });
  const ctx = trace.setSpan(context.active(), root);
  const db = tracer.startSpan(
    "SELECT orders",
    {
      kind: SpanKind.CLIENT,
      attributes: { "db.system.name": "postgresql", "db.query.text": "SELECT * FROM orders WHERE id = $1" },
    },
    ctx,
  );
  db.setStatus({ code: SpanStatusCode.OK });
  db.end();
  const failing = tracer.startSpan("charge card", { kind: SpanKind.INTERNAL }, ctx);
  failing.recordException(new TypeError("card declined"));
  failing.setStatus({ code: SpanStatusCode.ERROR, message: "payment failed" });
  failing.end();
  const publish = tracer.startSpan("orders publish", { kind: SpanKind.PRODUCER }, ctx);
  publish.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return {
    traceId: root.spanContext().traceId,
    rootId: root.spanContext().spanId,
    linkedTraceId: linked.spanContext().traceId,
    linkedSpanId: linked.spanContext().spanId,
  };
}

describe.each(variants)("real OTel JS exporter $name (gzip: $gzip)", ({ name, gzip, make }) => {
  it("delivers every field intact", async () => {
    const service = `svc-${name.replace("/", "-")}-${gzip ? "gzip" : "plain"}`;
    const exporter = make(`${app.base}/v1/traces`, gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE);
    const ids = await sendTrace(exporter, service);

    const response = await fetch(`${app.base}/api/traces/${ids.traceId}`);
    expect(response.status).toBe(200);
    const body = await readJson(response);
    const byName = Object.fromEntries(body.spans.map((s: any) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(["GET /orders/:id", "SELECT orders", "charge card", "orders publish"]);

    const root = byName["GET /orders/:id"];
    expect(root).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.rootId,
      parentSpanId: null,
      kind: "SERVER",
      service,
      status: { code: "UNSET" },
      scope: { name: "checkout-instrumentation", version: "0.9.1" },
    });
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(BigInt(root.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));
    expect(root.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/orders/:id",
      "http.response.status_code": 200,
      "app.ratio": 0.25,
      "app.cached": true,
      "app.tags": ["a", "b"],
      "app.ids": [1, 2, 3],
      "app.flags": [true, false],
      "app.weights": [1.5, 2.5],
    });
    expect(root.events).toHaveLength(1);
    expect(root.events[0]).toMatchObject({
      name: "cache.miss",
      attributes: { "cache.key": "order:42", "cache.size": 3 },
    });
    expect(root.events[0].timeUnixNano).toMatch(/^\d{19}$/);
    // The linked context's flags as the SDK sends them (sampled, and not remote: 0x101).
    expect(root.links).toEqual([
      { traceId: ids.linkedTraceId, spanId: ids.linkedSpanId, flags: 257, attributes: { "link.reason": "follows" } },
    ]);
    expect(root.resource).toMatchObject({
      "service.name": service,
      "service.version": "1.2.3",
      "host.cores": 8,
    });

    expect(byName["SELECT orders"]).toMatchObject({ kind: "CLIENT", parentSpanId: ids.rootId, status: { code: "OK" } });
    expect(byName["SELECT orders"].attributes["db.query.text"]).toBe("SELECT * FROM orders WHERE id = $1");
    const failing = byName["charge card"];
    expect(failing).toMatchObject({ kind: "INTERNAL", status: { code: "ERROR", message: "payment failed" } });
    expect(failing.events[0].name).toBe("exception");
    expect(failing.events[0].attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.message": "card declined",
    });
    expect(failing.events[0].attributes["exception.stacktrace"]).toMatch(/TypeError: card declined/);
    expect(byName["orders publish"].kind).toBe("PRODUCER");

    const list = await readJson(fetch(`${app.base}/api/traces?service=${service}`));
    const summary = list.traces.find((t: any) => t.traceId === ids.traceId);
    expect(summary).toMatchObject({ name: "GET /orders/:id", service, spanCount: 4, errorCount: 1 });
    const linked = await readJson(fetch(`${app.base}/api/traces/${ids.linkedTraceId}`));
    expect(linked.spans[0]).toMatchObject({ name: "linked-job", kind: "CONSUMER" });
  });
});
