/**
 * The real OpenTelemetry JS logs SDK and its OTLP exporters (http/protobuf and http/json, plain and
 * gzip) sending to a real server: every field arrives, and records emitted inside a real span (sent
 * by the real trace exporter) arrive linked to that trace and span.
 */
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as HttpJsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as HttpProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
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

type MakeExporter = (url: string | undefined, compression: CompressionAlgorithm) => LogRecordExporter;
const proto: MakeExporter = (url, compression) => new HttpProtoLogExporter({ ...(url ? { url } : {}), compression });
const json: MakeExporter = (url, compression) => new HttpJsonLogExporter({ ...(url ? { url } : {}), compression });

const variants = [
  { name: "http/protobuf", gzip: false, make: proto },
  { name: "http/protobuf", gzip: true, make: proto },
  { name: "http/json", gzip: false, make: json },
  { name: "http/json", gzip: true, make: json },
];

/** A request handled inside a real span: the span goes out through the trace exporter, its logs through `exporter`. */
async function handleRequest(exporter: LogRecordExporter, service: string) {
  const resource = resourceFromAttributes({ "service.name": service, "service.version": "4.5.6" });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${app.base}/v1/traces` }))],
  });
  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  const logger = loggerProvider.getLogger("orders-logger", "2.0.0");

  const span = tracerProvider.getTracer("orders").startSpan("POST /orders", { kind: SpanKind.SERVER });
  const inSpan = trace.setSpan(ROOT_CONTEXT, span);
  logger.emit({
    context: inSpan,
    severityNumber: SeverityNumber.INFO,
    severityText: "INFO",
    body: "order received",
    attributes: { "order.id": "o-42", "order.items": 3, "order.total": 19.5, rush: true },
  });
  logger.emit({
    context: inSpan,
    severityNumber: SeverityNumber.ERROR,
    severityText: "ERROR",
    body: { message: "payment declined", card: { brand: "visa", last4: "4242" } },
  });
  logger.emit({ context: inSpan, eventName: "order.rejected", attributes: { reason: "card" } });
  span.end();
  logger.emit({ severityNumber: SeverityNumber.WARN, body: `${service} outside any span` });

  await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush()]);
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

describe.each(variants)("real OTel JS logs exporter $name (gzip: $gzip)", ({ name, gzip, make }) => {
  it("delivers every field, linked to the span the records were emitted in", async () => {
    const service = `logs-${name.replace("/", "-")}-${gzip ? "gzip" : "plain"}`;
    const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
    const { traceId, spanId } = await handleRequest(make(`${app.base}/v1/logs`, compression), service);

    const { logs } = await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}&order=asc`));
    expect(logs).toHaveLength(3);
    for (const log of logs) {
      expect(log).toMatchObject({
        traceId,
        spanId,
        service,
        flags: 1,
        scope: { name: "orders-logger", version: "2.0.0" },
      });
      expect(log.resource).toMatchObject({ "service.name": service, "service.version": "4.5.6" });
      expect(log.id).toMatch(/^\d+$/);
      expect(log.timeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(log.observedTimeUnixNano)).toBeGreaterThan(0n);
    }
    const [info, error, event] = logs;
    expect(info).toMatchObject({
      severityNumber: 9,
      severity: "INFO",
      severityText: "INFO",
      body: "order received",
      attributes: { "order.id": "o-42", "order.items": 3, "order.total": 19.5, rush: true },
    });
    expect(error).toMatchObject({
      severity: "ERROR",
      body: { message: "payment declined", card: { brand: "visa", last4: "4242" } },
    });
    expect(event).toMatchObject({ eventName: "order.rejected", attributes: { reason: "card" }, body: null });

    // The span they name is stored, and its logs are found by span id as well.
    const stored = await readJson(fetch(`${app.base}/api/traces/${traceId}`));
    expect(stored.spans.map((s: any) => s.spanId)).toEqual([spanId]);
    const bySpan = await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}&spanId=${spanId}`));
    expect(bySpan.logs).toHaveLength(3);

    const outside = await readJson(fetch(`${app.base}/api/logs?service=${service}&severity=WARN&q=outside`));
    expect(outside.logs).toHaveLength(1);
    expect(outside.logs[0]).toMatchObject({ traceId: null, spanId: null, severity: "WARN" });
  });

  it("says which body and attributes were sent as bytes, shown as base64", async () => {
    const service = `bytes-${name.replace("/", "-")}-${gzip ? "gzip" : "plain"}`;
    const compression = gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
    const loggerProvider = new LoggerProvider({
      resource: resourceFromAttributes({ "service.name": service }),
      processors: [new BatchLogRecordProcessor({ exporter: make(`${app.base}/v1/logs`, compression) })],
    });
    const logger = loggerProvider.getLogger("bytes-logger");
    logger.emit({
      body: new Uint8Array([104, 105, 0, 255]),
      attributes: { payload: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), "as.text": "3q2+7w==" },
    });
    logger.emit({ body: "aGkA/w==" });
    await loggerProvider.shutdown();

    const { logs } = await readJson(fetch(`${app.base}/api/logs?service=${service}&order=asc`));
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({
      body: "aGkA/w==",
      attributes: { payload: "3q2+7w==", "as.text": "3q2+7w==" },
      bytes: { body: true, attributes: ["payload"] },
    });
    // The same text sent as a string is text.
    expect(logs[1].body).toBe("aGkA/w==");
    expect(logs[1].bytes).toBeUndefined();
  });
});

describe("the logs exporter configured the usual way", () => {
  it("appends /v1/logs to OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = app.base;
    try {
      const { traceId } = await handleRequest(proto(undefined, CompressionAlgorithm.NONE), "logs-env-endpoint");
      const { logs } = await readJson(fetch(`${app.base}/api/logs?traceId=${traceId}`));
      expect(logs).toHaveLength(3);
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    }
  });
});
