/**
 * Traces saved from Jaeger (its UI's "Trace JSON", its query API's answer) imported as the OTLP they
 * stand for: through the file reader and the import path into both stores, as `tracekit-local import`
 * and the page's import read them.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type OfflineData, openOffline } from "../../src/offline.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { importStream, offlineSink } from "../../src/transfer/import-stream.js";
import { isJaegerDocument, jaegerDocumentAsOtlp, jaegerToOtlp } from "../../src/transfer/jaeger-json.js";
import { startTestApp, tempDir } from "../helpers/app.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const START_US = 1_700_000_000_000_000;

/** A trace as Jaeger answers it for spans an OpenTelemetry SDK sent it: a request, its query, a job linked to it. */
function jaegerTrace(traceId = TRACE) {
  return {
    traceID: traceId,
    spans: [
      {
        traceID: traceId,
        spanID: "00f067aa0ba902b7",
        operationName: "GET /orders/:id",
        references: [],
        startTime: START_US,
        duration: 25_000,
        tags: [
          { key: "http.route", type: "string", value: "/orders/:id" },
          { key: "http.response.status_code", type: "int64", value: 500 },
          { key: "span.kind", type: "string", value: "server" },
          { key: "otel.scope.name", type: "string", value: "@opentelemetry/instrumentation-http" },
          { key: "otel.scope.version", type: "string", value: "0.57.0" },
          { key: "otel.status_code", type: "string", value: "ERROR" },
          { key: "otel.status_description", type: "string", value: "order 7 not found" },
          { key: "error", type: "bool", value: true },
        ],
        logs: [
          {
            timestamp: START_US + 20_000,
            fields: [
              { key: "event", type: "string", value: "exception" },
              { key: "exception.type", type: "string", value: "NotFound" },
            ],
          },
          { timestamp: START_US + 21_000, fields: [{ key: "message", type: "string", value: "plain log" }] },
        ],
        processID: "p1",
        warnings: null,
      },
      {
        traceID: traceId,
        spanID: "b7ad6b7169203331",
        operationName: "SELECT orders",
        references: [{ refType: "CHILD_OF", traceID: traceId, spanID: "00f067aa0ba902b7" }],
        startTime: START_US + 2_000,
        duration: 10_000,
        tags: [
          { key: "db.system", type: "string", value: "postgresql" },
          { key: "span.kind", type: "string", value: "client" },
          { key: "db.rows", type: "float64", value: 2.5 },
          { key: "cached", type: "bool", value: false },
          { key: "payload", type: "binary", value: "AQID" },
        ],
        logs: [],
        processID: "p2",
      },
      {
        traceID: traceId,
        spanID: "1111222233334444",
        operationName: "send receipt",
        references: [
          { refType: "FOLLOWS_FROM", traceID: traceId, spanID: "00f067aa0ba902b7" },
          { refType: "CHILD_OF", traceID: "0000000000000000aaaaaaaaaaaaaaaa", spanID: "bbbbbbbbbbbbbbbb" },
        ],
        startTime: START_US + 30_000,
        duration: 1_000,
        tags: [{ key: "error", type: "string", value: "no" }],
        processID: "p1",
      },
    ],
    processes: {
      p1: {
        serviceName: "shop",
        tags: [
          { key: "telemetry.sdk.language", type: "string", value: "nodejs" },
          { key: "host.name", type: "string", value: "laptop" },
        ],
      },
      p2: { serviceName: "shop-db", tags: [] },
    },
    warnings: null,
  };
}

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe("Jaeger's JSON as OTLP", () => {
  it("reads tags back into the span's kind, status and scope, logs as events, references as parent and links", () => {
    const spans = decodeTraceRequestJson(jaegerToOtlp({ data: [jaegerTrace()] })).spans;
    const byName = new Map(spans.map((span) => [span.name, span]));
    const request = byName.get("GET /orders/:id")!;
    expect(request).toMatchObject({
      traceId: TRACE,
      spanId: "00f067aa0ba902b7",
      parentSpanId: null,
      kind: "SERVER",
      service: "shop",
      status: { code: "ERROR", message: "order 7 not found" },
      attributes: { "http.route": "/orders/:id", "http.response.status_code": 500 },
      resource: { "service.name": "shop", "telemetry.sdk.language": "nodejs", "host.name": "laptop" },
      scope: { name: "@opentelemetry/instrumentation-http", version: "0.57.0" },
      startTimeUnixNano: 1_700_000_000_000_000_000n,
      endTimeUnixNano: 1_700_000_000_025_000_000n,
    });
    // The tags that became fields are not attributes as well.
    expect(Object.keys(request.attributes).sort()).toEqual(["http.response.status_code", "http.route"]);
    expect(request.events).toEqual([
      { name: "exception", timeUnixNano: 1_700_000_000_020_000_000n, attributes: { "exception.type": "NotFound" } },
      { name: "log", timeUnixNano: 1_700_000_000_021_000_000n, attributes: { message: "plain log" } },
    ]);
    expect(byName.get("SELECT orders")).toMatchObject({
      parentSpanId: "00f067aa0ba902b7",
      kind: "CLIENT",
      service: "shop-db",
      status: { code: "UNSET" },
      attributes: { "db.system": "postgresql", "db.rows": 2.5, cached: false, payload: "AQID" },
    });
    // With no CHILD_OF in its trace, the first FOLLOWS_FROM there is the parent, as Jaeger reads it; a
    // CHILD_OF in another trace (a 64-bit id, padded) is a link, its type kept. An error tag that is not
    // `true` stays an attribute.
    expect(byName.get("send receipt")).toMatchObject({
      parentSpanId: "00f067aa0ba902b7",
      kind: "UNSPECIFIED",
      status: { code: "UNSET" },
      attributes: { error: "no" },
      links: [
        {
          traceId: "0000000000000000aaaaaaaaaaaaaaaa",
          spanId: "bbbbbbbbbbbbbbbb",
          attributes: { "opentracing.ref_type": "child_of" },
        },
      ],
    });
  });

  it("keeps a span's second reference in its trace as a link with its type, and what names no kind or status", () => {
    const trace = jaegerTrace();
    const [request, query] = trace.spans as Record<string, unknown>[];
    Object.assign(query as object, {
      references: [
        { refType: "FOLLOWS_FROM", traceID: TRACE, spanID: "1111222233334444" },
        { refType: "CHILD_OF", traceID: TRACE, spanID: "00f067aa0ba902b7" },
      ],
      tags: [
        { key: "span.kind", type: "string", value: "gateway" },
        { key: "otel.status_code", type: "string", value: "BROKEN" },
        { key: "error", type: "bool", value: true },
      ],
      warnings: ["clock skew adjustment disabled", "invalid parent span IDs=abc"],
    });
    (request as { tags: unknown[] }).tags = [{ key: "otel.status_code", type: "string", value: "OK" }];
    const spans = decodeTraceRequestJson(jaegerToOtlp(trace)).spans;
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect(byName.get("SELECT orders")).toMatchObject({
      parentSpanId: "00f067aa0ba902b7",
      links: [{ traceId: TRACE, spanId: "1111222233334444", attributes: { "opentracing.ref_type": "follows_from" } }],
      // A status code Jaeger's tags name no status: `error=true` says the span failed.
      status: { code: "ERROR" },
      kind: "UNSPECIFIED",
      attributes: {
        "span.kind": "gateway",
        "otel.status_code": "BROKEN",
        "jaeger.warnings": ["clock skew adjustment disabled", "invalid parent span IDs=abc"],
      },
    });
    expect(byName.get("SELECT orders")?.attributes).not.toHaveProperty("error");
    expect(byName.get("GET /orders/:id")).toMatchObject({ status: { code: "OK" }, kind: "UNSPECIFIED" });
    expect(byName.get("GET /orders/:id")?.attributes).toEqual({});
  });

  it("keeps every digit of an int64 tag and a time past 2^53, and skips a BOM", () => {
    const text = `\uFEFF${JSON.stringify({ data: [jaegerTrace()] })}`
      .replace('"value":500', '"value":1234567890123456789')
      .replace(`"startTime":${START_US + 2_000}`, '"startTime":9007199254740993');
    const otlp = jaegerDocumentAsOtlp(Buffer.from(text));
    expect(otlp).not.toBeNull();
    const spans = decodeTraceRequestJson(JSON.parse(Buffer.from(otlp as Uint8Array).toString("utf8"))).spans;
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect(byName.get("GET /orders/:id")?.attributes["http.response.status_code"]).toBe("1234567890123456789");
    expect(byName.get("SELECT orders")?.startTimeUnixNano).toBe(9_007_199_254_740_993_000n);
  });

  it("reads a Jaeger document after any number of blank lines, with a BOM before them", () => {
    const document = JSON.stringify({ data: [jaegerTrace()] });
    for (const lead of ["\n".repeat(300), `\uFEFF${" \r\n".repeat(200)}`]) {
      const otlp = jaegerDocumentAsOtlp(Buffer.from(`${lead}${document}`));
      expect(otlp).not.toBeNull();
      expect(decodeTraceRequestJson(JSON.parse(Buffer.from(otlp as Uint8Array).toString("utf8"))).spans.length).toBe(
        jaegerTrace().spans.length,
      );
    }
  });

  it("tells Jaeger's documents from others", () => {
    expect(isJaegerDocument({ data: [jaegerTrace()] })).toBe(true);
    expect(isJaegerDocument(jaegerTrace())).toBe(true);
    expect(isJaegerDocument({ data: [] })).toBe(false);
    expect(isJaegerDocument({ data: [{ spans: [] }] })).toBe(false);
    expect(isJaegerDocument({ resourceSpans: [] })).toBe(false);
  });
});

const dir = tempDir();
const opened: OfflineData[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});
afterAll(() => dir.remove());

describe.each(["memory", "sqlite"] as const)("importing a Jaeger JSON file into the %s store", (kind) => {
  async function open(name: string): Promise<OfflineData> {
    const dbPath = kind === "memory" ? null : join(dir.path, `${name}-${kind}.db`);
    const data = await openOffline({ dbPath, create: true });
    opened.push(data);
    return data;
  }

  it("stores the traces of the UI's Trace JSON, pretty-printed, and of one trace alone", async () => {
    const target = await open("jaeger");
    const other = "5b8efff798038103d269b633813fc60c";
    const file = JSON.stringify(
      { data: [jaegerTrace(), jaegerTrace(other)], total: 0, limit: 0, errors: null },
      null,
      2,
    );
    const counts = await importStream(chunks(file, 100), offlineSink(target.importer));
    expect(counts.errors).toEqual([]);
    expect(counts.spans).toBe(6);
    expect(
      target.store
        .getTrace(TRACE)
        ?.map((span) => span.name)
        .sort(),
    ).toEqual(["GET /orders/:id", "SELECT orders", "send receipt"]);
    expect(
      target.store
        .listTraces({ limit: 10, q: "error=true" })
        .traces.map((t) => t.traceId)
        .sort(),
    ).toEqual([TRACE, other].sort());

    const alone = "6c9f00f798038103d269b633813fc60c";
    const again = await importStream(chunks(JSON.stringify(jaegerTrace(alone)), 64), offlineSink(target.importer));
    expect(again.errors).toEqual([]);
    expect(target.store.getTrace(alone)).toHaveLength(3);
  });

  it("stores a Jaeger JSON file that starts with blank lines, as without them", async () => {
    for (const lead of ["\n", "\n\n\n", "\n".repeat(5000)]) {
      const target = await open(`blank-lines-${lead.length}`);
      const file = `${lead}${JSON.stringify({ data: [jaegerTrace()] }, null, 2)}`;
      const counts = await importStream(chunks(file, 100), offlineSink(target.importer));
      expect(counts.errors).toEqual([]);
      expect(counts.spans).toBe(3);
    }
  });

  it("still refuses a document that is neither Jaeger's nor OTLP, saying so", async () => {
    const target = await open("neither");
    const counts = await importStream(chunks('{"data": []}', 64), offlineSink(target.importer));
    expect(counts.spans).toBe(0);
    expect(counts.errors.map((error) => error.message)).toEqual([
      "not an OTLP export request (no resourceSpans, resourceLogs or resourceMetrics)",
    ]);
  });
});

describe("the page's import (POST /api/import)", () => {
  it("stores a Jaeger JSON file dropped on the page, as it stores OTLP", async () => {
    const app = await startTestApp();
    try {
      const body = JSON.stringify({ data: [jaegerTrace()] }, null, 2);
      const response = await fetch(`${app.base}/api/import`, { method: "POST", body });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ traces: 1, spans: 3, errors: [] });
      const trace = (await (await fetch(`${app.base}/api/traces/${TRACE}`)).json()) as {
        spans: { name: string; kind: string; status: { code: string } }[];
      };
      expect(trace.spans.find((span) => span.name === "GET /orders/:id")).toMatchObject({
        kind: "SERVER",
        status: { code: "ERROR" },
      });
    } finally {
      await app.close();
    }
  });

  it("stores a gzipped Jaeger JSON file, as `tracekit-local import` does", async () => {
    const app = await startTestApp();
    try {
      const body = gzipSync(JSON.stringify({ data: [jaegerTrace()] }, null, 2));
      const response = await fetch(`${app.base}/api/import`, { method: "POST", body });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ traces: 1, spans: 3, errors: [] });
      const trace = (await (await fetch(`${app.base}/api/traces/${TRACE}`)).json()) as { spans: { name: string }[] };
      expect(trace.spans.map((span) => span.name)).toContain("GET /orders/:id");
    } finally {
      await app.close();
    }
  });
});
