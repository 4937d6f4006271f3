import { join } from "node:path";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, tempDir } from "../helpers/app.js";

/**
 * Spans of two instrumentation scopes, sent by the OpenTelemetry SDK to an instance with the memory
 * store and to one with a --db file: a search by scope, and a trace by a span id, answer alike.
 */
describe("scopes and span ids with the OpenTelemetry SDK, memory store and --db alike", () => {
  const dir = tempDir();
  const dbPath = join(dir.path, "scopes.db");
  let memory: TestApp;
  let sqlite: TestApp;
  const sent: { traceId: string; serverSpanId: string; querySpanId: string }[] = [];

  async function send(
    base: string,
    route: string,
  ): Promise<{ traceId: string; serverSpanId: string; querySpanId: string }> {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "shop" }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }))],
    });
    const http = provider.getTracer("@opentelemetry/instrumentation-http", "0.52.0");
    const pg = provider.getTracer("@opentelemetry/instrumentation-pg", "0.41.0");
    const root = http.startSpan(`GET ${route}`, { kind: SpanKind.SERVER });
    const parent = trace.setSpan(context.active(), root);
    const query = pg.startSpan("SELECT orders", { kind: SpanKind.CLIENT }, parent);
    query.end();
    // An INTERNAL span of a scope that is no TraceKit SDK's: the --db store read no scope for it before.
    pg.startSpan("pg.connect", { kind: SpanKind.INTERNAL }, parent).end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    return {
      traceId: root.spanContext().traceId,
      serverSpanId: root.spanContext().spanId,
      querySpanId: query.spanContext().spanId,
    };
  }

  beforeAll(async () => {
    memory = await startTestApp();
    sqlite = await startTestApp({ db: dbPath });
    for (const route of ["/orders", "/health"]) {
      const one = await send(memory.base, route);
      sent.push(one);
      await send(sqlite.base, route);
    }
  });
  afterAll(async () => {
    await memory?.close();
    await sqlite?.close();
    dir.remove();
  });

  const found = async (app: TestApp, q: string) => {
    const response = await fetch(`${app.base}/api/traces?q=${encodeURIComponent(q)}`);
    expect(response.status, q).toBe(200);
    const body = (await response.json()) as { traces: { name: string }[] };
    return body.traces.map((t) => t.name).sort();
  };

  const queries: [string, string[]][] = [
    ["otel.scope.name=@opentelemetry/instrumentation-pg", ["GET /health", "GET /orders"]],
    ["otel.scope.name=@opentelemetry/instrumentation-pg kind=internal", ["GET /health", "GET /orders"]],
    ["otel.scope.name~instrumentation-http name=pg.connect", []],
    ["otel.scope.version=0.52.0 kind=server", ["GET /health", "GET /orders"]],
    ["otel.scope.name!=@opentelemetry/instrumentation-pg kind=client", []],
    ["otel.scope.name=nothing", []],
  ];

  it("finds the same traces by scope in both stores, and after the file is opened again", async () => {
    for (const [q, names] of queries) {
      expect(await found(memory, q), `memory: ${q}`).toEqual(names);
      expect(await found(sqlite, q), `--db: ${q}`).toEqual(names);
    }
    await sqlite.close();
    sqlite = await startTestApp({ db: dbPath });
    for (const [q, names] of queries) expect(await found(sqlite, q), `--db reopened: ${q}`).toEqual(names);
  });

  it("names the trace of a span id in both stores", async () => {
    const [first] = sent;
    if (first === undefined) throw new Error("nothing sent");
    const lookup = async (app: TestApp, spanId: string) =>
      (await (await fetch(`${app.base}/api/spans/${spanId.toUpperCase()}?missing=null`)).json()) as {
        traceId: string;
      } | null;
    expect(await lookup(memory, first.querySpanId)).toEqual({ spanId: first.querySpanId, traceId: first.traceId });
    expect(await lookup(memory, "0123456789abcdef")).toBeNull();
    // The --db instance got its own spans (ids of their own): each is found, an unknown id is not.
    const stored = (await (await fetch(`${sqlite.base}/api/traces`)).json()) as { traces: { traceId: string }[] };
    for (const { traceId } of stored.traces) {
      const spans = (await (await fetch(`${sqlite.base}/api/traces/${traceId}`)).json()) as {
        spans: { spanId: string }[];
      };
      for (const { spanId } of spans.spans) expect(await lookup(sqlite, spanId)).toEqual({ spanId, traceId });
    }
    expect(await lookup(sqlite, "0123456789abcdef")).toBeNull();
  });
});
