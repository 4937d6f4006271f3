import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { calledPeerOf } from "../../src/domain/service-map.js";
import type { Attributes, Span } from "../../src/domain/span.js";
import { calleesOfSpans, callPairsOf } from "../../src/domain/trace-calls.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { createSpanPacker, type PackedTrace, type SpanPacker } from "../../src/store/packed-spans.js";
import { makeSpan, ms, richSpan, spanId, T0, traceId } from "./span-fixtures.js";

/** Packs spans that can be packed (the test fails otherwise). */
function packOf(packer: SpanPacker, spans: Span[]): PackedTrace {
  const packed = packer.pack(spans);
  if (packed === null) throw new Error("not packed");
  return packed;
}

function roundTrip(spans: Span[]): Span[] {
  const packer = createSpanPacker();
  return packer.unpack(packOf(packer, spans));
}

const RESOURCE: Attributes = { "service.name": "checkout", "host.name": "laptop", "process.pid": 4242 };

function oddSpan(): Span {
  const attributes: Attributes = {
    text: "plain",
    long: `${"ünïcode ✓ ".repeat(30)}end`,
    empty: "",
    zero: 0,
    negativeZero: -0,
    int: -123_456_789,
    big: 2 ** 53 - 1,
    double: 3.25,
    tiny: 5e-324,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    ninf: Number.NEGATIVE_INFINITY,
    yes: true,
    no: false,
    nothing: null,
    list: [1, "two", [3.5, null], { nested: { deeper: [true] } }],
    emptyList: [],
    map: { a: 1, "": "empty key", b: { c: "d" } },
  };
  Object.defineProperty(attributes, "__proto__", {
    value: "own key",
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return {
    traceId: traceId(7),
    spanId: "00000000000000aa",
    parentSpanId: "ffffffffffffffff",
    traceState: "vendor=1",
    flags: 257,
    name: "odd",
    kind: "PRODUCER",
    service: "checkout",
    startTimeUnixNano: 0n,
    endTimeUnixNano: 2n ** 64n - 1n,
    status: { code: "ERROR", message: "bad: ✗" },
    attributes,
    events: [
      { name: "exception", timeUnixNano: 5n, attributes: { "exception.message": "boom" }, droppedAttributesCount: 2 },
      { name: "before the span", timeUnixNano: 0n, attributes: {} },
    ],
    links: [
      { traceId: traceId(8), spanId: "00000000000000bb", attributes: { why: "retry" } },
      {
        traceId: "not hex",
        spanId: "",
        traceState: "",
        attributes: {},
        droppedAttributesCount: 0,
        flags: 0,
      },
    ],
    resource: RESOURCE,
    scope: { name: "lib", version: "", attributes: { "scope.attr": 1 } },
    droppedAttributesCount: 1,
    droppedEventsCount: 0,
    droppedLinksCount: 3,
  };
}

describe("packed spans", () => {
  it("read back equal to what was packed, every field and value type", () => {
    const spans = [
      oddSpan(),
      { ...richSpan(), traceId: traceId(7), startTimeUnixNano: T0, endTimeUnixNano: T0 - 5n },
      makeSpan({ trace: 7, span: 2, parent: 1, start: 1, end: 3, error: true }),
      makeSpan({ trace: 7, span: 3, parent: 99, start: -1e6 }),
    ];
    const back = roundTrip(spans);
    expect(back).toStrictEqual(spans);
    expect(Object.keys(back[0]?.attributes ?? {})).toEqual(Object.keys(spans[0]?.attributes ?? {}));
    expect(Object.getPrototypeOf(back[0]?.attributes)).toBe(Object.prototype);
    expect(Object.is(back[0]?.attributes.negativeZero, -0)).toBe(true);
  });

  it("keeps ids that are not lower-case hex as they were", () => {
    const spans = [
      { ...makeSpan({ trace: 1, span: 1 }), traceId: "ABC", spanId: "span-1" },
      { ...makeSpan({ trace: 1, span: 2 }), traceId: "ABC", spanId: "0000000000000002", parentSpanId: "span-1" },
      { ...makeSpan({ trace: 1, span: 3 }), traceId: "ABC", spanId: "0000000000000003", parentSpanId: "elsewhere" },
    ];
    expect(roundTrip(spans)).toStrictEqual(spans);
  });

  it("shares one resource, one scope and one parent id string between the spans of a trace", () => {
    const spans = [1, 2, 3].map((n) => ({
      ...makeSpan({ trace: 2, span: n, parent: n === 1 ? null : 1 }),
      resource: RESOURCE,
    }));
    const back = roundTrip(spans);
    expect(back).toStrictEqual(spans);
    expect(back[1]?.resource).toBe(back[0]?.resource);
    expect(back[2]?.scope).toBe(back[0]?.scope);
    expect(back[1]?.parentSpanId).toBe(back[0]?.spanId);
  });

  it("reads the OpenTelemetry examples back as decoded", () => {
    for (const name of ["trace.json"]) {
      const body = JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));
      const { spans } = decodeTraceRequestJson(body);
      expect(spans.length).toBeGreaterThan(0);
      expect(roundTrip(spans)).toStrictEqual(spans);
    }
  });

  it("keeps every trace readable across many slabs, a trace larger than a slab, and a reset", () => {
    const packer = createSpanPacker();
    const traces: Span[][] = [];
    const packed = [];
    for (let t = 0; t < 3_000; t++) {
      const spans = Array.from({ length: 1 + (t % 7) }, (_, i) =>
        makeSpan({
          trace: t,
          span: i + 1,
          parent: i === 0 ? null : 1,
          start: t + i,
          attributes: { "http.target": `/orders/${t}/${"x".repeat((t % 300) * 10)}` },
        }),
      );
      traces.push(spans);
      packed.push(packOf(packer, spans));
      if (t === 1_500) packer.reset();
    }
    const huge = Array.from({ length: 3_000 }, (_, i) =>
      makeSpan({ trace: 9_999, span: i + 1, attributes: { payload: `${i}`.repeat(40) } }),
    );
    traces.push(huge);
    packed.push(packOf(packer, huge));
    expect(new Set(packed.map((p) => p.bytes)).size).toBeGreaterThan(3);
    for (let t = 0; t < traces.length; t++)
      expect(packer.unpack(packed[t] as (typeof packed)[number])).toStrictEqual(traces[t]);
  });

  it("reads back names and keys past the shared table's room and length", () => {
    const packer = createSpanPacker();
    const traces: Span[][] = [];
    const packed = [];
    for (let t = 0; t < 700; t++) {
      const attributes: Attributes = {};
      for (let k = 0; k < 100; k++) attributes[`key.${t}.${k}`] = k;
      const spans = [
        { ...makeSpan({ trace: t + 1, span: 1, name: `${"long name ".repeat(t % 50)}${t}` }), attributes },
      ];
      traces.push(spans);
      packed.push(packOf(packer, spans));
    }
    for (let t = 0; t < traces.length; t++) {
      expect(packer.unpack(packed[t] as (typeof packed)[number])).toStrictEqual(traces[t]);
    }
  });

  it("reads back attributes whose keys and values move between positions, and traces of many resources", () => {
    const packer = createSpanPacker();
    const traces: Span[][] = [];
    const packed = [];
    const resources: Attributes[] = Array.from({ length: 40 }, (_, r) => ({ "service.name": `svc-${r}` }));
    for (let t = 0; t < 60; t++) {
      const spans = Array.from({ length: 1 + (t % 30) }, (_, i) => {
        const attributes: Attributes = {};
        // Keys in a changing order, values that recur at one position, move, or are of one trace.
        const keys = ["a", "b", "c", "d"];
        for (let k = 0; k < keys.length; k++) {
          const key = keys[(k + i + t) % keys.length] as string;
          attributes[key] = k === 0 ? "same" : k === 1 ? `value-${(i + t) % 3}` : k === 2 ? `only-${t}` : i;
        }
        return {
          ...makeSpan({ trace: t + 1, span: i + 1, parent: i === 0 ? null : 1 }),
          attributes,
          resource: resources[i] as Attributes,
        };
      });
      traces.push(spans);
      packed.push(packOf(packer, spans));
    }
    for (let t = 0; t < traces.length; t++) {
      const back = packer.unpack(packed[t] as (typeof packed)[number]);
      expect(back).toStrictEqual(traces[t]);
      expect(back.map((span) => Object.keys(span.attributes))).toStrictEqual(
        traces[t]?.map((span) => Object.keys(span.attributes)),
      );
    }
  });

  it("reads back a resource and a scope held by many traces, also with values too long to share", () => {
    const packer = createSpanPacker();
    const plain: Attributes = { "service.name": "api", "host.name": "laptop", "process.pid": 7 };
    const long: Attributes = { "service.name": "api", "process.command_line": `node ${"--flag ".repeat(60)}` };
    const scope = { name: "lib", version: "2", attributes: { "scope.kind": "auto", list: ["a", 1] } };
    const traces = Array.from({ length: 50 }, (_, t) =>
      [0, 1, 2].map((i) => ({
        ...makeSpan({ trace: t + 1, span: i + 1, parent: i === 0 ? null : 1 }),
        resource: (t + i) % 2 === 0 ? plain : long,
        scope,
      })),
    );
    const packed = traces.map((spans) => packOf(packer, spans));
    for (let t = 0; t < traces.length; t++) {
      expect(packer.unpack(packed[t] as (typeof packed)[number])).toStrictEqual(traces[t]);
    }
  });

  it("shares an attribute value once a second trace holds it, and keeps a value of one trace in that trace", () => {
    const packer = createSpanPacker();
    const statement = `SELECT ${"id, status, total, ".repeat(10)}note FROM orders WHERE id = $1`;
    const traceWith = (t: number, attributes: Attributes) => [
      { ...makeSpan({ trace: t, span: 1 }), attributes },
      { ...makeSpan({ trace: t, span: 2, parent: 1 }), attributes: { ...attributes } },
    ];
    const traces = [1, 2, 3].map((t) => traceWith(t, { "db.statement": statement, "request.id": `request-${t}` }));
    const packed = traces.map((spans) => packOf(packer, spans));
    const [first, second, third] = packed.map((p) => p.length) as [number, number, number];
    // The first trace carries the statement's bytes once (its two spans share its table's copy); the
    // second made it shared, so neither it nor the third carries it.
    expect(first - second).toBeGreaterThanOrEqual(statement.length);
    expect(third).toBe(second);
    for (let t = 0; t < traces.length; t++) {
      expect(packer.unpack(packed[t] as (typeof packed)[number])).toStrictEqual(traces[t]);
    }
    // A value of one trace (however often its spans hold it) is carried by that trace; only when a
    // second trace holds it too does it become shared.
    const own = `${"x".repeat(200)}-4`;
    const fourth = packOf(packer, traceWith(4, { "db.statement": statement, "request.id": own }));
    const fifth = packOf(packer, traceWith(5, { "db.statement": statement, "request.id": own }));
    expect(fourth.length - second).toBeGreaterThanOrEqual(own.length - "request-2".length);
    expect(fifth.length).toBeLessThan(fourth.length - 150);
  });

  it("leaves a trace with a lone surrogate unpacked: UTF-8 cannot carry one", () => {
    const packer = createSpanPacker();
    // Paired surrogates (an emoji) are a character UTF-8 carries; a lone one is not.
    expect(
      packer.unpack(packOf(packer, [makeSpan({ trace: 1, span: 1, attributes: { k: "a\ud83d\ude00b" } })]))[0]
        ?.attributes.k,
    ).toBe("a\ud83d\ude00b");
    expect(packer.pack([makeSpan({ trace: 2, span: 1, attributes: { k: "a\ud800b" } })])).toBeNull();
    expect(
      packer.pack([{ ...makeSpan({ trace: 3, span: 1 }), status: { code: "ERROR", message: "\udc00" } }]),
    ).toBeNull();
  });
});

describe("packed spans' calls", () => {
  /** One trace of every way a span may call or not: what unpackCalls reads must name the same calls. */
  function callingTrace(t: number): Span[] {
    const span = (n: number, parent: number | null, over: Partial<Span>, start = n): Span => ({
      ...makeSpan({ trace: t, span: n, parent, start, end: start + 10 }),
      ...over,
    });
    const tracekit = { name: "@tracekit/node-apm", version: "1.0.0" };
    const otherService = { service: "worker", resource: { "service.name": "worker", "host.name": `box-${t}` } };
    const rich = richSpan();
    return [
      span(1, null, { kind: "SERVER", attributes: { "http.route": "/orders" } }),
      // An outside host, in a URL of this trace alone (its own table), and one every trace holds.
      span(2, 1, { kind: "CLIENT", attributes: { "url.full": `http://payments.internal/charge/${t}` } }),
      span(3, 1, { kind: "CLIENT", attributes: { "url.full": "http://localhost:8082/x", "server.port": 8082 } }),
      // A call with every place of bytes (its own, its resource's, its scope's, its events' and links'):
      // read past, the spans after it are read as they are.
      {
        ...rich,
        traceId: traceId(t),
        spanId: spanId(22),
        parentSpanId: spanId(1),
        kind: "CLIENT",
        attributes: { ...rich.attributes, "server.address": "bank.example" },
        bytes: ["bytes", ["user", "roles", 0]],
        resourceBytes: [["process.command_args", 1]],
        scope: { ...rich.scope, attributes: { "scope.attr": 1, blob: "AQI=" }, bytes: ["blob"] },
      },
      // A database named by a TraceKit SDK's INTERNAL span, and a host it names (its own work).
      span(4, 1, { kind: "INTERNAL", scope: tracekit, attributes: { "db.system": "postgresql", "db.name": "shop" } }),
      span(5, 1, { kind: "INTERNAL", scope: tracekit, attributes: { "server.address": "cache.local" } }),
      span(6, 1, { kind: "INTERNAL", attributes: { "db.system": "redis" } }),
      // An LLM call with its request as its sibling, and one whose request is its child.
      span(7, 1, { kind: "INTERNAL", scope: tracekit, attributes: { "gen_ai.system": "openai" } }, 20),
      span(8, 1, { kind: "CLIENT", attributes: { "url.full": "https://api.openai.com/v1/chat" } }, 20),
      span(9, 1, {
        kind: "CLIENT",
        attributes: { "gen_ai.provider.name": "anthropic", "server.address": "api.anthropic.com" },
      }),
      span(10, 9, { kind: "CLIENT", attributes: { "server.address": "api.anthropic.com" } }),
      // A call whose callee sent spans (an edge to that service), and a queue.
      span(11, 1, {
        kind: "PRODUCER",
        attributes: { "messaging.system": "kafka", "messaging.destination.name": "jobs" },
      }),
      span(12, 11, { kind: "CONSUMER", ...otherService }),
      { ...span(13, 12, { kind: "CLIENT", ...otherService }), ...oddSpan(), traceId: traceId(t), spanId: spanId(13) },
      span(14, 12, { kind: "CLIENT", ...otherService, attributes: { "peer.service": "ledger" } }),
      // An LLM call and its request under a parent outside the trace, by a hex id and by other text.
      span(17, 98, { kind: "INTERNAL", scope: tracekit, attributes: { "gen_ai.system": "openai" } }, 40),
      span(18, 98, { kind: "CLIENT", attributes: { "url.full": "https://api.openai.com/v1/x" } }, 40),
      {
        ...span(19, null, { kind: "INTERNAL", scope: tracekit, attributes: { "gen_ai.system": "mistral" } }, 50),
        parentSpanId: "up",
      },
      {
        ...span(20, null, { kind: "CLIENT", attributes: { "url.full": "https://api.mistral.ai/v1" } }, 50),
        parentSpanId: "up",
      },
      {
        ...span(21, null, { kind: "CLIENT", attributes: { "url.full": "https://api.mistral.ai/v1" } }, 80),
        parentSpanId: "up",
      },
      // A parent outside the trace, and a span that is no TraceKit SDK's with events.
      span(15, 99, { kind: "CLIENT", attributes: { "db.system": "mysql" } }),
      span(16, 1, {
        kind: "INTERNAL",
        attributes: { "url.full": "http://x/" },
        events: [{ name: "e", timeUnixNano: ms(16), attributes: { k: [1, { a: "b" }] } }],
      }),
    ];
  }

  it("names the calls the whole spans name, trace after trace (each shape read once) and with peer names", () => {
    const packer = createSpanPacker();
    const names = new Map([
      ["payments", "billing"],
      ["localhost:8082", "local-api"],
    ]);
    const traces = Array.from({ length: 6 }, (_, t) => callingTrace(t + 1));
    traces.push([
      { ...makeSpan({ trace: 50, span: 1 }), traceId: "ABC", spanId: "s-1", kind: "SERVER" },
      {
        ...makeSpan({ trace: 50, span: 2 }),
        traceId: "ABC",
        spanId: "s-2",
        parentSpanId: "s-1",
        kind: "CLIENT",
        attributes: { "db.system": "redis" },
      },
      { ...makeSpan({ trace: 50, span: 3, service: "cart" }), traceId: "ABC", spanId: "s-3", parentSpanId: "s-2" },
    ]);
    for (const round of [1, 2]) {
      for (const spans of traces) {
        const packed = packOf(packer, spans);
        const whole = packer.unpack(packed);
        const { spans: lean, peers } = packer.unpackCalls(packed);
        expect(peers, `round ${round}`).toStrictEqual(whole.map((span) => calledPeerOf(span)));
        for (const peerNames of [undefined, names]) {
          const pairs = callPairsOf(whole, peerNames);
          expect(pairs.length).toBeGreaterThan(0);
          expect(callPairsOf(lean, peerNames, peers)).toStrictEqual(pairs);
          expect(calleesOfSpans(lean, peerNames, peers)).toStrictEqual(calleesOfSpans(whole, peerNames));
        }
      }
    }
  });
});
