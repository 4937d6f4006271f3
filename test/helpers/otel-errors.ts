import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** Throws the same TypeError from the same code for any user id: one problem, many messages. */
export function loadUser(id: string): never {
  throw new TypeError(`Cannot read properties of undefined (reading 'email') for user ${id}`);
}

/** A different problem: another type, another function. */
export function pickShard(index: number): never {
  throw new RangeError(`shard ${index} out of range`);
}

/**
 * Sends one trace through the real OpenTelemetry SDK (OTLP/protobuf): a SERVER root `name` and a
 * child `load user` that records `fail()`'s exception and fails, as instrumented code would.
 */
export async function sendFailingTrace(
  baseUrl: string,
  options: { service: string; name: string; fail(): never },
): Promise<{ traceId: string; failingSpanId: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.service }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${baseUrl}/v1/traces` }))],
  });
  const tracer = provider.getTracer("errors-e2e");
  const root = tracer.startSpan(options.name, { kind: SpanKind.SERVER });
  const child = tracer.startSpan("load user", {}, trace.setSpan(context.active(), root));
  try {
    options.fail();
  } catch (error) {
    child.recordException(error as Error);
    child.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  }
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: root.spanContext().traceId, failingSpanId: child.spanContext().spanId };
}
