import { context, SpanKind, trace } from "@opentelemetry/api";
import { type AnyValue, type AnyValueMap, SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

export interface LogToWrite {
  /** Which span writes it: the SERVER root, its CLIENT child, or none (outside the trace). */
  in: "root" | "child" | "none";
  severity: SeverityNumber;
  severityText?: string;
  body: AnyValue;
  attributes?: AnyValueMap;
  eventName?: string;
}

export interface SentLogsTrace {
  traceId: string;
  rootSpanId: string;
  childSpanId: string;
}

/**
 * One request as an instrumented app records it, through the real OpenTelemetry trace and logs SDKs
 * and their OTLP/protobuf exporters: a SERVER span `name` with a CLIENT child `charge card`, and log
 * records written inside them (the SDK stamps each with its span's trace and span id). `exporters`
 * replace the OTLP/protobuf ones (e.g. the gRPC exporters).
 */
export async function sendLogsInTrace(
  baseUrl: string,
  options: {
    service: string;
    name: string;
    logs: LogToWrite[];
    exporters?: { traces: SpanExporter; logs: LogRecordExporter };
  },
): Promise<SentLogsTrace> {
  const resource = resourceFromAttributes({ "service.name": options.service, "deployment.environment": "test" });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      new SimpleSpanProcessor(options.exporters?.traces ?? new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` })),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: options.exporters?.logs ?? new OTLPLogExporter({ url: `${baseUrl}/v1/logs` }),
      }),
    ],
  });
  const tracer = tracerProvider.getTracer("logs-e2e");
  const logger = loggerProvider.getLogger("checkout.handlers", "1.2.3");
  const root = tracer.startSpan(options.name, { kind: SpanKind.SERVER, attributes: { "http.request.method": "POST" } });
  const rootContext = trace.setSpan(context.active(), root);
  const child = tracer.startSpan("charge card", { kind: SpanKind.CLIENT }, rootContext);
  const childContext = trace.setSpan(rootContext, child);
  for (const log of options.logs) {
    logger.emit({
      severityNumber: log.severity,
      ...(log.severityText !== undefined ? { severityText: log.severityText } : {}),
      body: log.body,
      ...(log.attributes ? { attributes: log.attributes } : {}),
      ...(log.eventName ? { eventName: log.eventName } : {}),
      context: log.in === "root" ? rootContext : log.in === "child" ? childContext : context.active(),
    });
  }
  child.end();
  root.end();
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
  return {
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanId: child.spanContext().spanId,
  };
}

export { SeverityNumber };
