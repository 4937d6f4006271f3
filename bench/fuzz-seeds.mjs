// Seed bodies for fuzzing: what the real OpenTelemetry JS SDK sends (its own serializers), for
// traces, logs and metrics, in protobuf and JSON. Deterministic ids and times.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { AggregationType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

const resource = resourceFromAttributes({
  "service.name": "fuzz-checkout",
  "service.version": "1.2.3",
  "host.cpus": 8,
  "process.runtime.name": "nodejs",
});

let ids = 0;
const idGenerator = {
  generateTraceId: () => (++ids).toString(16).padStart(32, "4"),
  generateSpanId: () => (++ids).toString(16).padStart(16, "b"),
};

function spans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource,
    idGenerator,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("fuzz-scope", "0.1.0");
  const t0 = 1_700_000_000_000;
  const server = tracer.startSpan("GET /orders/:id", {
    kind: SpanKind.SERVER,
    startTime: t0,
    attributes: {
      "http.request.method": "GET",
      "http.route": "/orders/:id",
      "http.response.status_code": 500,
      "url.full": "http://localhost:3000/orders/7?x=1",
      "app.flags": [true, false],
      "app.ratios": [0.5, 1.25],
      "app.tags": ["a", "b"],
    },
  });
  const within = trace.setSpan(ROOT_CONTEXT, server);
  const db = tracer.startSpan(
    "SELECT orders",
    { kind: SpanKind.CLIENT, startTime: t0 + 2, attributes: { "db.system": "postgresql", "db.statement": "SELECT 1" } },
    within,
  );
  db.addEvent("retry", { attempt: 2 }, t0 + 3);
  db.end(t0 + 9);
  const producer = tracer.startSpan("orders publish", { kind: SpanKind.PRODUCER, startTime: t0 + 10 }, within);
  producer.addLink({ context: db.spanContext(), attributes: { reason: "caused by" } });
  producer.end(t0 + 11);
  server.recordException(new TypeError("order 7 has no lines"), t0 + 12);
  server.setStatus({ code: SpanStatusCode.ERROR, message: "order 7 has no lines" });
  server.end(t0 + 15);
  return exporter.getFinishedSpans();
}

async function logRecords() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger("fuzz-logger", "0.1.0");
  const [server] = spans();
  const context = trace.setSpanContext(ROOT_CONTEXT, server.spanContext());
  logger.emit({ body: "order 7 loaded", severityNumber: SeverityNumber.INFO, severityText: "INFO", context });
  logger.emit({
    body: { order: 7, lines: [1, 2], ok: false },
    severityNumber: SeverityNumber.ERROR,
    attributes: { "exception.type": "TypeError", "app.retry": 2, "app.ratio": 0.5 },
    timestamp: 1_700_000_000_010,
  });
  logger.emit({ eventName: "app.checkout.started", attributes: { "app.cart.size": 3 }, body: "started" });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

class CollectingReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

async function resourceMetrics() {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [{ instrumentName: "app.payload.size", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter("fuzz-meter", "0.1.0");
  meter.createCounter("http.server.requests", { unit: "{request}" }).add(42, { "http.route": "/orders/:id" });
  meter.createUpDownCounter("app.queue.depth").add(-3, { queue: "orders" });
  const duration = meter.createHistogram("http.server.request.duration", { unit: "s" });
  for (const value of [0.003, 0.02, 0.2, 1.7]) duration.record(value, { "http.route": "/orders/:id" });
  meter.createHistogram("app.payload.size", { unit: "By" }).record(1500);
  meter.createGauge("app.temperature", { unit: "Cel" }).record(21.5, { room: "a" });
  meter
    .createObservableGauge("process.memory.usage", { unit: "By" })
    .addCallback((result) => result.observe(123_456_789));
  const { resourceMetrics: collected } = await reader.collect();
  await provider.shutdown();
  return collected;
}

/** { traces, logs, metrics }, each { protobuf: Uint8Array[], json: Uint8Array[] }. */
export async function fuzzSeeds() {
  const traceSpans = spans();
  const records = await logRecords();
  const metrics = await resourceMetrics();
  return {
    traces: {
      protobuf: [
        ProtobufTraceSerializer.serializeRequest(traceSpans),
        ProtobufTraceSerializer.serializeRequest(traceSpans.slice(0, 1)),
      ],
      json: [JsonTraceSerializer.serializeRequest(traceSpans)],
    },
    logs: {
      protobuf: [ProtobufLogsSerializer.serializeRequest(records)],
      json: [JsonLogsSerializer.serializeRequest(records)],
    },
    metrics: {
      protobuf: [ProtobufMetricsSerializer.serializeRequest(metrics)],
      json: [JsonMetricsSerializer.serializeRequest(metrics)],
    },
  };
}
