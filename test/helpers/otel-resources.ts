import { context, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { newSpanId, postJson } from "./payloads.js";

/** Resource attributes as an SDK's detectors add them (host, process, SDK), for one service. */
const resourceOf = (service: string) =>
  resourceFromAttributes({
    "service.name": service,
    "service.version": "1.4.2",
    "deployment.environment.name": "dev",
    "host.name": "build-agent-7",
    "host.arch": "amd64",
    "process.pid": 48213,
    "process.command_args": ["/usr/local/bin/node", "/srv/app/server.js"],
    "process.runtime.name": "nodejs",
    "telemetry.sdk.language": "nodejs",
  });

/**
 * One trace from two services through the real SDK and OTLP/protobuf exporter, each span its own
 * request (SimpleSpanProcessor), so no two spans arrive with the same resource object; the frontend
 * uses two tracers (scopes). Then a span sent as OTLP/JSON whose resource has an OTLP bytes value.
 */
export async function sendTraceOfManyResources(
  base: string,
): Promise<{ traceId: string; ordersSpanId: string; signerSpanId: string }> {
  const providers = ["frontend", "orders"].map(
    (service) =>
      new BasicTracerProvider({
        resource: resourceOf(service),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
      }),
  );
  const [frontend, orders] = providers as [BasicTracerProvider, BasicTracerProvider];
  const web = frontend.getTracer("web", "2.0.0");
  const db = frontend.getTracer("db-client", "0.9.1");
  const root = web.startSpan("GET /checkout", { kind: SpanKind.SERVER });
  const inRoot = trace.setSpan(context.active(), root);
  for (let i = 0; i < 4; i++) db.startSpan(`SELECT stock ${i}`, { kind: SpanKind.CLIENT }, inRoot).end();
  const call = web.startSpan("GET orders", { kind: SpanKind.CLIENT }, inRoot);
  const served = orders
    .getTracer("orders-api")
    .startSpan("GET /orders/:id", { kind: SpanKind.SERVER }, trace.setSpan(context.active(), call));
  served.end();
  call.end();
  root.end();
  for (const provider of providers) await provider.shutdown();
  const { traceId, spanId } = root.spanContext();
  const start = String(Date.now() * 1_000_000);
  const signerSpanId = newSpanId();
  const response = await postJson(base, {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "signer" } },
            { key: "signer.key", value: { bytesValue: "AAEC/w==" } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "web", version: "2.0.0" },
            spans: [
              {
                traceId,
                spanId: signerSpanId,
                parentSpanId: spanId,
                name: "sign",
                kind: 1,
                startTimeUnixNano: start,
                endTimeUnixNano: start,
              },
            ],
          },
        ],
      },
    ],
  });
  if (response.status !== 200) throw new Error(`the OTLP/JSON request was answered ${response.status}`);
  return { traceId, ordersSpanId: served.spanContext().spanId, signerSpanId };
}
