import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

export interface SentTrace {
  traceId: string;
  rootSpanId: string;
  spanIds: string[];
}

/**
 * Sends one trace through the real OpenTelemetry SDK and OTLP/protobuf exporter: a SERVER root
 * with `children` CLIENT/INTERNAL children, the last one failing when `error` is set. `exporter`
 * replaces the OTLP/protobuf one (e.g. the gRPC exporter); `baseUrl` is then unused.
 */
export async function sendSdkTrace(
  baseUrl: string,
  options: {
    service: string;
    name: string;
    children?: number;
    error?: boolean;
    attributes?: Record<string, string>;
    exporter?: SpanExporter;
    /** The SDK's own resource attributes too (`telemetry.sdk.*`), as an app's provider has them. */
    sdkResource?: boolean;
  },
): Promise<SentTrace> {
  const own = resourceFromAttributes({ "service.name": options.service });
  const provider = new BasicTracerProvider({
    resource: options.sdkResource ? defaultResource().merge(own) : own,
    spanProcessors: [
      new SimpleSpanProcessor(options.exporter ?? new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` })),
    ],
  });
  const tracer = provider.getTracer("browser-e2e");
  const root = tracer.startSpan(options.name, {
    kind: SpanKind.SERVER,
    attributes: { "http.request.method": "GET", "http.route": options.name, ...options.attributes },
  });
  const spanIds: string[] = [];
  const parent = trace.setSpan(context.active(), root);
  const count = options.children ?? 2;
  for (let i = 0; i < count; i++) {
    const failing = options.error === true && i === count - 1;
    const child: Span = tracer.startSpan(
      failing ? "charge card" : `SELECT orders ${i}`,
      {
        kind: failing ? SpanKind.CLIENT : SpanKind.INTERNAL,
        attributes: failing
          ? { "http.request.method": "POST", "url.full": "http://localhost:8082/charge", "peer.service": "payments" }
          : { "db.system.name": "postgresql", "db.query.text": `SELECT * FROM orders WHERE id = ${i}` },
      },
      parent,
    );
    if (failing) {
      child.recordException(new Error("card declined"));
      child.setStatus({ code: SpanStatusCode.ERROR, message: "card declined" });
    }
    child.end();
    spanIds.push(child.spanContext().spanId);
  }
  if (options.error) root.setStatus({ code: SpanStatusCode.ERROR, message: "payment failed" });
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId, spanIds };
}
