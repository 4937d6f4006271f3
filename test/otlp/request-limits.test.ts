import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import {
  decodeTraceRequestJsonDirect,
  largeTraceRequestJsonSteps,
  traceRequestJsonDirectSteps,
} from "../../src/otlp/json/direct-traces.js";
import { decodeLogRequestJson, logRequestJsonSteps } from "../../src/otlp/json/logs.js";
import { parseOtlpJson } from "../../src/otlp/json/parse.js";
import { decodeTraceRequestJson, traceRequestJsonSteps } from "../../src/otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import {
  DEFAULT_REQUEST_LIMITS,
  MAX_ATTRIBUTES_PER_LIST,
  MAX_ENTRIES_PER_VALUE,
  MAX_EVENTS_PER_SPAN,
  MAX_VALUES_PER_ITEM,
  OtlpLimitError,
  Pacer,
  type RequestLimits,
  runPaced,
  runToEnd,
} from "../../src/otlp/limits.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import { decodeTraceRequestProtobuf, traceRequestSteps } from "../../src/otlp/protobuf/traces.js";
import { jsonTraceRequest, newSpanId, newTraceId } from "../helpers/payloads.js";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const limits = (overrides: Partial<RequestLimits>): RequestLimits => ({ ...DEFAULT_REQUEST_LIMITS, ...overrides });

/** A body of several resource and scope groups, past the size from which JSON is scanned and sliced. */
function largeTraceRequest(): Record<string, unknown> {
  const groups = ["cart", "checkout", "payments"].map((service, g) => {
    const request = jsonTraceRequest(
      service,
      Array.from({ length: 1200 }, (_, i) => ({
        name: `op ${i} ünïcödé "quoted" \\ slash`,
        attributes: { "http.route": `/orders/${i}`, "user.id": `user-${i % 13}`, n: i, ok: i % 2 === 0 },
      })),
    ) as { resourceSpans: Record<string, unknown>[] };
    const group = request.resourceSpans[0] as Record<string, unknown>;
    const scopes = group.scopeSpans as Record<string, unknown>[];
    const spans = (scopes[0] as { spans: unknown[] }).spans;
    // Faults that reject one span alone, at known places, so that indexes in reasons are checked too.
    spans[7] = "not a span";
    (spans[900] as Record<string, unknown>).traceId = "xyz";
    if (g === 1) {
      // snake_case names and a scope before its spans and after them
      return { resource: group.resource, scope_spans: [{ spans: spans.slice(0, 600) }, scopes[0]] };
    }
    return group;
  });
  return { resourceSpans: groups, unknownField: { ignored: [1, 2, 3] } };
}

describe("large OTLP/JSON bodies are decoded without being parsed whole", () => {
  it("gives exactly what a whole parse gives: spans, rejections and their reasons", async () => {
    const value = largeTraceRequest();
    const bytes = encode(value);
    expect(bytes.byteLength).toBeGreaterThan(256 * 1024);
    const whole = decodeTraceRequestJson(parseOtlpJson(bytes));
    const sliced = await runPaced(traceRequestJsonSteps(bytes));
    // Every group rejects its spans 7 and 900; the second group's first scope repeats span 7.
    expect(whole.spans.length).toBe(3 * 1200 + 600 - 7);
    expect(sliced).toEqual(whole);
    expect(sliced.errors[0]).toBe('resourceSpans[0].scopeSpans[0].spans[7]: span "not a span" is not an object');
    expect(sliced.errors[1]).toMatch(/^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[900\]: trace id "xyz"/);
  });

  it("does the same for log records", async () => {
    const records = Array.from({ length: 4000 }, (_, i) => ({
      timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
      severityNumber: 9,
      body: { stringValue: `record ${i} with some text to make the body larger` },
      attributes: [{ key: "i", value: { intValue: String(i) } }],
    }));
    const value = {
      resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: "s" }, logRecords: records }] }],
    };
    const bytes = encode(value);
    expect(bytes.byteLength).toBeGreaterThan(256 * 1024);
    const received = { receivedUnixNano: 1n };
    expect(await runPaced(logRequestJsonSteps(bytes, received))).toEqual(decodeLogRequestJson(value, received));
  });

  it("refuses malformed JSON as a whole parse does", () => {
    const good = JSON.stringify(largeTraceRequest());
    for (const bad of [`${good} x`, `x${good}`, good.replace("]}", "}}"), good.slice(0, -40), `${good}{}`]) {
      expect(() => runToEnd(traceRequestJsonSteps(new TextEncoder().encode(bad))), bad.slice(-30)).toThrow(
        OtlpDecodeError,
      );
    }
    expect(() => runToEnd(traceRequestJsonSteps(encode([1, 2, 3])))).toThrow("request body is not a JSON object");
  });

  it("refuses nesting past the limit before parsing anything (400, not 413)", () => {
    const deep = new TextEncoder().encode(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`);
    let error: unknown;
    try {
      runToEnd(traceRequestJsonSteps(deep));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OtlpDecodeError);
    expect(error).not.toBeInstanceOf(OtlpLimitError);
    expect((error as Error).message).toBe("JSON nested deeper than 148 levels");
  });
});

/** A large body as SDKs send it: several groups of well-formed spans, which the direct reader reads. */
function largeSdkTraceRequest(): Record<string, unknown> {
  const groups = ["cart", "checkout", "payments"].map((service) => {
    const request = jsonTraceRequest(
      service,
      Array.from({ length: 1200 }, (_, i) => ({
        name: `op ${i} ünïcödé "quoted"`,
        attributes: { "http.route": `/orders/${i}`, "user.id": `user-${i % 13}`, n: i, ok: i % 2 === 0, x: 0.5 },
        statusCode: i % 7 === 0 ? 2 : 0,
      })),
    ) as { resourceSpans: unknown[] };
    return request.resourceSpans[0];
  });
  return { resourceSpans: groups };
}

/** `value` wrapped `levels` times in `{ arrayValue: { values: [...] } }`. */
function nestedAnyValue(value: unknown, levels: number): unknown {
  let nested = value;
  for (let i = 0; i < levels; i++) nested = { arrayValue: { values: [nested] } };
  return nested;
}

describe("large OTLP/JSON trace bodies are read straight from their bytes, in steps", () => {
  it("give what a whole parse gives, a few spans a step", () => {
    const value = largeSdkTraceRequest();
    const bytes = encode(value);
    expect(bytes.byteLength).toBeGreaterThan(256 * 1024);
    const whole = decodeTraceRequestJson(parseOtlpJson(bytes), { apiSpanKinds: true });
    expect(whole.spans).toHaveLength(3600);
    const steps = traceRequestJsonDirectSteps(bytes, { apiSpanKinds: true });
    let count = 0;
    let step = steps.next();
    for (; step.done !== true; step = steps.next()) count++;
    expect(step.value).toEqual(whole);
    // Each step reads a few spans, so that a slice of time ends soon after it is used up.
    expect(count).toBeGreaterThanOrEqual(3600 / 16);
    expect(runToEnd(largeTraceRequestJsonSteps(bytes, { apiSpanKinds: true }))).toEqual(whole);
  });

  it("leave a body they do not read to the sliced parse, with the same result", async () => {
    const bytes = encode(largeTraceRequest());
    expect(runToEnd(traceRequestJsonDirectSteps(bytes))).toBeNull();
    expect(await runPaced(largeTraceRequestJsonSteps(bytes))).toEqual(await runPaced(traceRequestJsonSteps(bytes)));
  });

  it("refuse what a large body read the general way is refused for: depth and counts past the limits", () => {
    const bytes = encode(largeSdkTraceRequest());
    const refusals: [Partial<RequestLimits>, string][] = [
      [{ maxJsonDepth: 9 }, "JSON nested deeper than 9 levels"],
      [{ maxValues: 10_000 }, "more than 10,000 JSON objects and arrays"],
      [{ maxItems: 1000 }, "more than 1,000 spans"],
      [{ maxGroups: 2 }, "more than 2 resource groups"],
    ];
    for (const [overrides, reason] of refusals) {
      const small = limits(overrides);
      expect(runToEnd(traceRequestJsonDirectSteps(bytes, {}, small)), reason).toBeNull();
      expect(() => runToEnd(largeTraceRequestJsonSteps(bytes, {}, small)), reason).toThrow(reason);
    }
    // Within the default bounds of attribute nesting and of values stepped over, but about 150 levels
    // deep in all: a whole parse reads it, a large body is refused for it.
    const deep = largeSdkTraceRequest() as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const [span] = deep.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    const unknownField = { ignored: JSON.parse(`${"[".repeat(60)}${"]".repeat(60)}`) };
    (span as Record<string, unknown>).attributes = [{ key: "deep", value: nestedAnyValue(unknownField, 27) }];
    const deepBytes = encode(deep);
    expect(decodeTraceRequestJson(parseOtlpJson(deepBytes)).spans).toHaveLength(3600);
    expect(() => runToEnd(traceRequestJsonSteps(deepBytes))).toThrow("JSON nested deeper than 148 levels");
    expect(() => runToEnd(largeTraceRequestJsonSteps(deepBytes))).toThrow("JSON nested deeper than 148 levels");
  });
});

describe("a span of long attribute lists in a large OTLP/JSON body", () => {
  const ints = (n: number) => Array.from({ length: n }, (_, i) => ({ intValue: String(i) }));
  /** A pacer that ends the slice at every step: what ran between two steps shows where they end. */
  class EveryStep extends Pacer {
    override due(): boolean {
      return true;
    }
  }

  it("is read in steps, other work running between them, into the span read in one go", async () => {
    // Lists past every bound, at the span's level and nested: attributes of 1,000 entries (the
    // bench's span of 1,000 of them, 18 MB, cut down), a kvlist holding a long list, a list in a list.
    const span = {
      traceId: newTraceId(),
      spanId: newSpanId(),
      name: "wide",
      attributes: [
        {
          key: "map",
          value: { kvlistValue: { values: [{ key: "list", value: { arrayValue: { values: ints(1500) } } }] } },
        },
        {
          key: "nested",
          value: { arrayValue: { values: [{ arrayValue: { values: ints(1200) } }, { stringValue: "x" }] } },
        },
        ...Array.from({ length: 200 }, (_, i) => ({
          key: `k${i}`,
          value: { arrayValue: { values: ints(MAX_ENTRIES_PER_VALUE) } },
        })),
      ],
      droppedAttributesCount: 1,
      status: { code: 2 },
    };
    const bytes = encode({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    const whole = decodeTraceRequestJsonDirect(bytes);
    expect(whole).toEqual(decodeTraceRequestJson(parseOtlpJson(bytes)));
    expect(whole?.spans).toHaveLength(1);
    expect(whole?.spans[0]?.droppedAttributesCount).toBeGreaterThan(100);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    try {
      const steps = traceRequestJsonDirectSteps(bytes);
      let count = 0;
      for (let step = steps.next(); step.done !== true; step = steps.next()) count++;
      expect(count).toBeGreaterThan(10);
      const paced = await runPaced(traceRequestJsonDirectSteps(bytes), new EveryStep());
      expect(paced).toEqual(whole);
      expect(turns).toBeGreaterThan(1);
    } finally {
      clearInterval(counting);
    }
    expect(runToEnd(largeTraceRequestJsonSteps(bytes))).toEqual(whole);
  });
});

describe("per-request limits", () => {
  const body = largeTraceRequest();
  const json = encode(body);
  const protobuf = encodeExportRequestFromJson("/v1/traces", body);

  it("refuses a request with more items than allowed, in both encodings", () => {
    const small = limits({ maxItems: 1000 });
    expect(() => runToEnd(traceRequestJsonSteps(json, {}, small))).toThrow(
      new OtlpLimitError(
        "the request holds more than 1,000 spans, the most accepted in one request; send smaller batches",
      ),
    );
    expect(() => decodeTraceRequestProtobuf(protobuf, small)).toThrow(OtlpLimitError);
    expect(() => decodeTraceRequestProtobuf(protobuf, small)).toThrow("more than 1,000 spans");
  });

  it("refuses too many resource groups, scope groups and attribute values", () => {
    const fewGroups = limits({ maxGroups: 3 });
    expect(() => runToEnd(traceRequestJsonSteps(json, {}, fewGroups))).toThrow("more than 3 scope groups");
    expect(() => decodeTraceRequestProtobuf(protobuf, fewGroups)).toThrow("more than 3 scope groups");
    const empty = { resourceSpans: [{}, {}, {}, {}] };
    expect(() => runToEnd(traceRequestJsonSteps(encode(empty), {}, fewGroups))).toThrow("more than 3 resource groups");
    expect(() => decodeTraceRequestProtobuf(encodeExportRequestFromJson("/v1/traces", empty), fewGroups)).toThrow(
      "more than 3 resource groups",
    );
    expect(() => decodeTraceRequestProtobuf(protobuf, limits({ maxValues: 10_000 }))).toThrow(
      "more than 10,000 attribute values",
    );
    expect(() => runToEnd(traceRequestJsonSteps(json, {}, limits({ maxValues: 10_000 })))).toThrow(
      "more than 10,000 JSON objects and arrays",
    );
  });

  it("decodes the same in steps as at once", async () => {
    expect(await runPaced(traceRequestSteps(protobuf))).toEqual(decodeTraceRequestProtobuf(protobuf));
  });
});

describe("a log record's attributes past the bound", () => {
  it("do not decide whether a kept attribute was bytes, in both encodings", () => {
    // The first "blob" is bytes and kept; a repeat of it past the bound is dropped, so it says nothing.
    const attributes = [
      { key: "blob", value: { bytesValue: "AQID" } },
      ...Array.from({ length: MAX_ATTRIBUTES_PER_LIST }, (_, i) => ({ key: `k${i}`, value: { intValue: String(i) } })),
      { key: "blob", value: { stringValue: "text" } },
    ];
    const value = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "1", body: { stringValue: "b" }, attributes }] }] }],
    };
    const received = { receivedUnixNano: 1n };
    const fromJson = decodeLogRequestJson(value, received).logs[0];
    const fromProtobuf = decodeLogRequestProtobuf(encodeExportRequestFromJson("/v1/logs", value), received).logs[0];
    for (const decoded of [fromJson, fromProtobuf]) {
      expect(decoded?.attributes.blob).toBe("AQID");
      expect(decoded?.bytes?.attributes).toEqual(["blob"]);
    }
  });
});

describe("attributes, events and links per span", () => {
  const wideSpan = () => ({
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: "wide",
    attributes: Array.from({ length: MAX_ATTRIBUTES_PER_LIST + 500 }, (_, i) => ({
      key: `k${i}`,
      value: { intValue: String(i) },
    })),
    droppedAttributesCount: 2,
    events: Array.from({ length: MAX_EVENTS_PER_SPAN + 3 }, (_, i) => ({ name: `e${i}`, timeUnixNano: "1" })),
  });
  const request = (span: unknown) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });

  it("keep the first ones up to the bound and count the rest as dropped, in both encodings", () => {
    const span = wideSpan();
    const fromJson = decodeTraceRequestJson(request(span)).spans[0];
    const fromProtobuf = decodeTraceRequestProtobuf(encodeExportRequestFromJson("/v1/traces", request(span))).spans[0];
    for (const decoded of [fromJson, fromProtobuf]) {
      expect(Object.keys(decoded?.attributes ?? {})).toHaveLength(MAX_ATTRIBUTES_PER_LIST);
      expect(decoded?.attributes[`k${MAX_ATTRIBUTES_PER_LIST - 1}`]).toBe(MAX_ATTRIBUTES_PER_LIST - 1);
      expect(decoded?.droppedAttributesCount).toBe(502);
      expect(decoded?.events).toHaveLength(MAX_EVENTS_PER_SPAN);
      expect(decoded?.droppedEventsCount).toBe(3);
    }
  });

  it("count attributes past the bound in protobuf wherever they are among a span's other fields", () => {
    // Raw protobuf: a span's fields may come in any order, and a run of attributes past the bound may
    // end at another field and start again after it.
    const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(Math.floor(n / 128))]);
    const len = (field: number, bytes: number[]): number[] => [
      ...varint(field * 8 + 2),
      ...varint(bytes.length),
      ...bytes,
    ];
    const text = (s: string): number[] => [...new TextEncoder().encode(s)];
    const attribute = (field: number, key: string, n: number) =>
      len(field, [...len(1, text(key)), ...len(2, [3 * 8, ...varint(n)])]);
    const run = (field: number, prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => attribute(field, `${prefix}${i}`, i)).flat();
    const span = [
      ...len(
        1,
        Array.from({ length: 16 }, (_, i) => i + 1),
      ),
      ...len(
        2,
        Array.from({ length: 8 }, (_, i) => i + 1),
      ),
      ...run(9, "k", MAX_ATTRIBUTES_PER_LIST + 5),
      ...len(5, text("after the run")),
      ...run(9, "x", 3),
      ...len(11, [...len(2, text("an event")), ...run(3, "e", MAX_ATTRIBUTES_PER_LIST + 2)]),
      ...run(9, "y", 2),
      ...[10 * 8, 7],
    ];
    const resource = [...run(1, "r", MAX_ATTRIBUTES_PER_LIST + 4), ...[2 * 8, 1]];
    const body = new Uint8Array(len(1, [...len(1, resource), ...len(2, len(2, span))]));
    const decoded = decodeTraceRequestProtobuf(body).spans[0];
    expect(decoded?.name).toBe("after the run");
    expect(Object.keys(decoded?.attributes ?? {})).toHaveLength(MAX_ATTRIBUTES_PER_LIST);
    expect(decoded?.attributes[`k${MAX_ATTRIBUTES_PER_LIST - 1}`]).toBe(MAX_ATTRIBUTES_PER_LIST - 1);
    expect(decoded?.droppedAttributesCount).toBe(7 + 5 + 3 + 2);
    expect(decoded?.events[0]?.name).toBe("an event");
    expect(Object.keys(decoded?.events[0]?.attributes ?? {})).toHaveLength(MAX_ATTRIBUTES_PER_LIST);
    expect(decoded?.events[0]?.droppedAttributesCount).toBe(2);
    expect(Object.keys(decoded?.resource ?? {})).toHaveLength(MAX_ATTRIBUTES_PER_LIST);
  });

  it("keep the first entries of one attribute's value, counted through nesting, and count the rest as dropped", () => {
    const ints = (n: number) => Array.from({ length: n }, (_, i) => ({ intValue: String(i) }));
    // A kvlist whose first entry is a list of 600: with it, the first 400 entries make up the bound.
    const entries = Array.from({ length: 1500 }, (_, i) => ({
      key: `k${i}`,
      value: i === 0 ? { arrayValue: { values: ints(600) } } : { intValue: String(i) },
    }));
    const span = {
      traceId: newTraceId(),
      spanId: newSpanId(),
      name: "big values",
      attributes: [
        { key: "map", value: { kvlistValue: { values: entries } } },
        { key: "list", value: { arrayValue: { values: ints(1200) } } },
        { key: "small", value: { arrayValue: { values: ints(3) } } },
      ],
      droppedAttributesCount: 2,
      events: [
        { name: "e", timeUnixNano: "1", attributes: [{ key: "list", value: { arrayValue: { values: ints(1001) } } }] },
      ],
    };
    const body = request(span);
    const bytes = encode(body);
    const decoded = [
      decodeTraceRequestJson(body).spans[0],
      runToEnd(traceRequestJsonSteps(bytes)).spans[0],
      decodeTraceRequestJsonDirect(bytes)?.spans[0],
      decodeTraceRequestProtobuf(encodeExportRequestFromJson("/v1/traces", body)).spans[0],
    ];
    for (const one of decoded) {
      const map = one?.attributes.map as Record<string, unknown>;
      expect(Object.keys(map)).toHaveLength(MAX_ENTRIES_PER_VALUE - 600);
      expect(map.k0).toHaveLength(600);
      expect(one?.attributes.list).toHaveLength(MAX_ENTRIES_PER_VALUE);
      expect(one?.attributes.small).toEqual([0, 1, 2]);
      expect(one?.droppedAttributesCount).toBe(2 + 1100 + 200);
      expect(one?.events[0]?.attributes.list).toHaveLength(MAX_ENTRIES_PER_VALUE);
      expect(one?.events[0]?.droppedAttributesCount).toBe(1);
    }
    expect(decoded[2]).toEqual(decoded[0]);
    // The import client's transcoder leaves such a value to the receiver's general path, which cuts it.
    expect(transcodeTraceRequestJson(bytes)).toBeNull();
    span.attributes = span.attributes.slice(2);
    span.events = [];
    expect(transcodeTraceRequestJson(encode(body))).not.toBeNull();
  });
});

describe("values per span, log record, resource and scope", () => {
  const ints = (n: number) => Array.from({ length: n }, (_, i) => ({ intValue: String(i) }));
  /** `count` attributes, each a list of MAX_ENTRIES_PER_VALUE entries: one value and its entries each. */
  const listAttributes = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      value: { arrayValue: { values: ints(MAX_ENTRIES_PER_VALUE) } },
    }));
  const perAttribute = MAX_ENTRIES_PER_VALUE + 1;
  // The attribute the bound falls in, and how many of its entries fit before it.
  const lastKept = Math.floor(MAX_VALUES_PER_ITEM / perAttribute);
  const entriesOfLast = MAX_VALUES_PER_ITEM - lastKept * perAttribute - 1;

  it("keep a span's first values, its events' and links' included, and count the rest as dropped, in every reader", () => {
    const attributeCount = lastKept + 5;
    const wide = {
      traceId: newTraceId(),
      spanId: newSpanId(),
      name: "wide",
      attributes: listAttributes(attributeCount),
      events: [{ name: "e", timeUnixNano: "1", attributes: [{ key: "a", value: { intValue: "1" } }] }],
      links: [{ traceId: newTraceId(), spanId: newSpanId(), attributes: [{ key: "b", value: { intValue: "2" } }] }],
    };
    // The next span, and the resource and scope, have budgets of their own.
    const small = { traceId: newTraceId(), spanId: newSpanId(), name: "small", attributes: listAttributes(2) };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: listAttributes(attributeCount) },
          scopeSpans: [{ scope: { name: "s", attributes: listAttributes(3) }, spans: [wide, small] }],
        },
      ],
    };
    const bytes = encode(body);
    const decoded = [
      decodeTraceRequestJson(body).spans,
      runToEnd(traceRequestJsonSteps(bytes)).spans,
      decodeTraceRequestJsonDirect(bytes)?.spans,
      decodeTraceRequestProtobuf(encodeExportRequestFromJson("/v1/traces", body)).spans,
    ];
    for (const spans of decoded) {
      const [one, two] = spans ?? [];
      const kept = Object.keys(one?.attributes ?? {});
      expect(kept).toHaveLength(lastKept + 1);
      expect(one?.attributes[`k${lastKept - 1}`]).toHaveLength(MAX_ENTRIES_PER_VALUE);
      expect(one?.attributes[`k${lastKept}`]).toHaveLength(entriesOfLast);
      // The entries of the last one cut, and the attributes after it, counted as dropped.
      expect(one?.droppedAttributesCount).toBe(MAX_ENTRIES_PER_VALUE - entriesOfLast + (attributeCount - lastKept - 1));
      expect(one?.events[0]?.attributes).toEqual({});
      expect(one?.events[0]?.droppedAttributesCount).toBe(1);
      expect(one?.links[0]?.attributes).toEqual({});
      expect(one?.links[0]?.droppedAttributesCount).toBe(1);
      expect(Object.keys(two?.attributes ?? {})).toEqual(["k0", "k1"]);
      expect(two?.droppedAttributesCount).toBeUndefined();
      expect(Object.keys(one?.resource ?? {})).toHaveLength(lastKept + 1);
      expect(Object.keys(one?.scope.attributes ?? {})).toHaveLength(3);
    }
    expect(decoded[2]).toEqual(decoded[0]);
    // The import client's transcoder leaves such a span to the receiver's general path.
    expect(transcodeTraceRequestJson(bytes)).toBeNull();
  });

  it("say how many entries of a log record's body were dropped, past the entries of a value and the nesting, in both encodings", () => {
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `e${i}`, value: { intValue: String(i) } }));
    let nested: unknown = { stringValue: "innermost" };
    for (let i = 0; i < 40; i++) nested = { arrayValue: { values: [nested] } };
    const records = [
      { timeUnixNano: "1", body: { kvlistValue: { values: entries(MAX_ENTRIES_PER_VALUE + 500) } } },
      { timeUnixNano: "2", body: nested },
      { timeUnixNano: "3", body: { kvlistValue: { values: entries(3) } }, attributes: listAttributes(lastKept + 2) },
    ];
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] };
    const decoded = [
      decodeLogRequestJson(body).logs,
      decodeLogRequestProtobuf(encodeExportRequestFromJson("/v1/logs", body)).logs,
    ];
    for (const [wide, deep, whole] of decoded) {
      expect(Object.keys(wide?.body as object)).toHaveLength(MAX_ENTRIES_PER_VALUE);
      expect(wide?.droppedBodyEntries).toBe(500);
      expect(wide?.droppedAttributesCount).toBeUndefined();
      // The array at the deepest level kept is empty: the one item under it is what was dropped.
      expect(deep?.droppedBodyEntries).toBe(1);
      // Attributes dropped are not the body's.
      expect(whole?.droppedBodyEntries).toBeUndefined();
      expect(whole?.droppedAttributesCount).toBeGreaterThan(0);
    }
  });

  it("keep a log record's first values, its body's included, and count the rest as dropped, in both encodings", () => {
    const attributeCount = lastKept + 2;
    const record = {
      timeUnixNano: "1",
      body: { arrayValue: { values: ints(MAX_ENTRIES_PER_VALUE) } },
      attributes: listAttributes(attributeCount),
    };
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [record, { ...record, timeUnixNano: "2" }] }] }] };
    const decoded = [
      decodeLogRequestJson(body).logs,
      decodeLogRequestProtobuf(encodeExportRequestFromJson("/v1/logs", body)).logs,
    ];
    for (const records of decoded) {
      expect(records).toHaveLength(2);
      for (const one of records) {
        expect(one.body).toHaveLength(MAX_ENTRIES_PER_VALUE);
        // The body takes one attribute's room: the bound falls one attribute earlier.
        expect(Object.keys(one.attributes)).toHaveLength(lastKept);
        expect(one.attributes[`k${lastKept - 1}`]).toHaveLength(entriesOfLast);
        expect(one.droppedAttributesCount).toBe(MAX_ENTRIES_PER_VALUE - entriesOfLast + (attributeCount - lastKept));
      }
    }
  });
});
