/**
 * Bodies serialized by the real OpenTelemetry JS SDK (sdk-trace-base spans, otlp-transformer
 * serializers): both decoders must agree with each other and with what the SDK recorded.
 */
import {
  type Span as ApiSpan,
  type Context,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { AttrValue, Span } from "../../src/domain/span.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";

const T0 = 1_700_000_000;
const REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const REMOTE_PARENT = "00f067aa0ba902b7";

/** Deterministic ids, so expectations can be literal. */
function idGenerator() {
  let trace = 0;
  let span = 0;
  return {
    generateTraceId: () => (++trace).toString(16).padStart(32, "a"),
    generateSpanId: () => (++span).toString(16).padStart(16, "b"),
  };
}

function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "sdk-checkout",
      "service.version": "9.9.9",
      "deployment.environment.name": "test",
      "host.cpus": 8,
    }),
    idGenerator: idGenerator(),
    spanLimits: { attributeCountLimit: 12, eventCountLimit: 2, linkCountLimit: 2 },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("sdk-scope", "1.2.3");
  const other = provider.getTracer("other-scope");
  const within = (span: ApiSpan): Context => trace.setSpan(ROOT_CONTEXT, span);

  const server = tracer.startSpan(
    "GET /cart",
    {
      kind: SpanKind.SERVER,
      startTime: [T0, 123_456_789],
      attributes: {
        "http.request.method": "GET",
        "http.response.status_code": 500,
        "http.route": "/cart",
        ratio: 0.25,
        negative: -17,
        "max.safe": Number.MAX_SAFE_INTEGER,
        ok: false,
        tags: ["a", "b", ""],
        codes: [200, 404],
        weights: [1.5, -2.25],
        flags: [true, false],
      },
    },
    // A remote parent brings a trace state and the is-remote span flag.
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: REMOTE_TRACE,
      spanId: REMOTE_PARENT,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
    }),
  );
  server.addEvent("exception", { "exception.type": "TypeError", "exception.message": "x is undefined" }, [T0 + 1, 1]);
  server.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });

  const kinds = [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  const children = kinds.map((kind, i) =>
    tracer.startSpan(`child-${i}`, { kind, startTime: [T0, 200_000_000 + i] }, within(server)),
  );
  children[0]?.setStatus({ code: SpanStatusCode.OK });
  const client = children[1];
  if (client === undefined) throw new Error("no client span");
  for (let i = 0; i < 15; i++) client.setAttribute(`attr.${i}`, i);
  for (let i = 0; i < 4; i++) client.addEvent(`event-${i}`, [T0, 300_000_000 + i]);

  // Over the limit of 2, so the SDK drops one (the oldest).
  const links: Link[] = [
    { context: { traceId: "3".repeat(32), spanId: "3".repeat(16), traceFlags: TraceFlags.NONE } },
    { context: { traceId: "2".repeat(32), spanId: "2".repeat(16), traceFlags: TraceFlags.NONE } },
    {
      context: { traceId: REMOTE_TRACE, spanId: "1111111111111111", traceFlags: TraceFlags.SAMPLED },
      attributes: { "link.reason": "batch", "link.n": 1 },
    },
  ];
  const batch = other.startSpan("batch", { kind: SpanKind.CONSUMER, links, startTime: [T0 + 5, 999_999_999] });
  batch.end([T0 + 6, 0]);

  for (const [i, child] of children.entries()) child.end([T0, 900_000_000 + i]);
  server.end([T0 + 2, 5]);
  return exporter.getFinishedSpans();
}

function decodeBoth(spans: ReadableSpan[]) {
  const protoBytes = ProtobufTraceSerializer.serializeRequest(spans);
  const jsonBytes = JsonTraceSerializer.serializeRequest(spans);
  if (protoBytes === undefined || jsonBytes === undefined) throw new Error("serializer returned nothing");
  return {
    proto: decodeTraceRequestProtobuf(protoBytes),
    json: decodeTraceRequestJson(JSON.parse(new TextDecoder().decode(jsonBytes))),
  };
}

function nanos([sec, ns]: [number, number]): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(ns);
}

describe("bodies from the OpenTelemetry JS SDK serializers", () => {
  const recorded = recordSpans();
  const { proto, json } = decodeBoth(recorded);

  it("decode identically from protobuf and JSON, with nothing rejected", () => {
    expect(proto.rejectedSpans).toBe(0);
    expect(proto.errors).toEqual([]);
    expect(proto.spans).toHaveLength(recorded.length);
    expect(json).toStrictEqual(proto);
  });

  it("match what the SDK recorded, span by span", () => {
    const byId = new Map(proto.spans.map((s) => [s.spanId, s]));
    const kindName = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
    const statusName = ["UNSET", "OK", "ERROR"];
    for (const r of recorded) {
      const ctx = r.spanContext();
      const span = byId.get(ctx.spanId);
      expect(span, r.name).toBeDefined();
      if (span === undefined) continue;
      expect(span.traceId).toBe(ctx.traceId);
      expect(span.parentSpanId).toBe(r.parentSpanContext?.spanId ?? null);
      expect(span.name).toBe(r.name);
      expect(span.kind).toBe(kindName[r.kind]);
      expect(span.startTimeUnixNano).toBe(nanos(r.startTime));
      expect(span.endTimeUnixNano).toBe(nanos(r.endTime));
      expect(span.status.code).toBe(statusName[r.status.code]);
      expect(span.status.message).toBe(r.status.message || undefined);
      expect(span.attributes).toStrictEqual(r.attributes);
      expect(span.droppedAttributesCount).toBe(r.droppedAttributesCount || undefined);
      expect(span.droppedEventsCount).toBe(r.droppedEventsCount || undefined);
      expect(span.droppedLinksCount).toBe(r.droppedLinksCount || undefined);
      expect(span.events.map((e) => [e.name, e.timeUnixNano, e.attributes])).toStrictEqual(
        r.events.map((e) => [e.name, nanos(e.time), e.attributes ?? {}]),
      );
      expect(span.links.map((l) => [l.traceId, l.spanId, l.attributes])).toStrictEqual(
        r.links.map((l) => [l.context.traceId, l.context.spanId, l.attributes ?? {}]),
      );
      expect(span.service).toBe("sdk-checkout");
      expect(span.resource).toStrictEqual(r.resource.attributes);
      expect(span.scope.name).toBe(r.instrumentationScope.name);
      expect(span.scope.version).toBe(r.instrumentationScope.version ?? "");
    }
  });

  it("gets the server span exactly right", () => {
    const server = proto.spans.find((s) => s.name === "GET /cart");
    const attributes: Record<string, AttrValue> = {
      "http.request.method": "GET",
      "http.response.status_code": 500,
      "http.route": "/cart",
      ratio: 0.25,
      negative: -17,
      "max.safe": Number.MAX_SAFE_INTEGER,
      ok: false,
      tags: ["a", "b", ""],
      codes: [200, 404],
      weights: [1.5, -2.25],
      flags: [true, false],
    };
    const expected: Span = {
      traceId: REMOTE_TRACE,
      spanId: "bbbbbbbbbbbbbbb1",
      parentSpanId: REMOTE_PARENT,
      traceState: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
      // W3C sampled bit, plus "has is-remote" and "is remote" (the parent was remote).
      flags: 0x301,
      name: "GET /cart",
      kind: "SERVER",
      service: "sdk-checkout",
      startTimeUnixNano: 1_700_000_000_123_456_789n,
      endTimeUnixNano: 1_700_000_002_000_000_005n,
      status: { code: "ERROR", message: "boom" },
      attributes,
      events: [
        {
          name: "exception",
          timeUnixNano: 1_700_000_001_000_000_001n,
          attributes: { "exception.type": "TypeError", "exception.message": "x is undefined" },
        },
      ],
      links: [],
      resource: server?.resource ?? {},
      scope: { name: "sdk-scope", version: "1.2.3" },
    };
    expect(server).toStrictEqual(expected);
    expect(server?.resource).toMatchObject({
      "service.name": "sdk-checkout",
      "service.version": "9.9.9",
      "deployment.environment.name": "test",
      "host.cpus": 8,
    });
  });

  it("covers every span kind, dropped counts and links", () => {
    expect(new Set(proto.spans.map((s) => s.kind))).toEqual(
      new Set(["SERVER", "INTERNAL", "CLIENT", "PRODUCER", "CONSUMER"]),
    );
    const client = proto.spans.find((s) => s.kind === "CLIENT");
    expect(client?.droppedAttributesCount).toBe(3);
    expect(client?.droppedEventsCount).toBe(2);
    expect(client?.events.map((e) => e.timeUnixNano)).toEqual([1_700_000_000_300_000_002n, 1_700_000_000_300_000_003n]);
    const batch = proto.spans.find((s) => s.name === "batch");
    expect(batch?.scope).toStrictEqual({ name: "other-scope", version: "" });
    expect(batch?.parentSpanId).toBeNull();
    expect(batch?.droppedLinksCount).toBe(1);
    // Link flags carry the W3C trace flags plus the "has is-remote" bit (0x100).
    expect(batch?.links).toStrictEqual([
      { traceId: "2".repeat(32), spanId: "2".repeat(16), attributes: {}, flags: 0x100 },
      {
        traceId: REMOTE_TRACE,
        spanId: "1111111111111111",
        attributes: { "link.reason": "batch", "link.n": 1 },
        flags: 0x101,
      },
    ]);
    const ok = proto.spans.find((s) => s.name === "child-0");
    expect(ok?.status).toStrictEqual({ code: "OK" });
  });

  it("shares one resource object per ResourceSpans and one scope object per ScopeSpans", () => {
    const [first, ...rest] = proto.spans;
    for (const s of rest) expect(s.resource).toBe(first?.resource);
    const scopes = new Set(proto.spans.map((s) => s.scope));
    expect(scopes.size).toBe(2);
  });
});
