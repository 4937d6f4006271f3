/**
 * OTLP/JSON bytes → protobuf for the import client: on every body it writes, the receiver's protobuf
 * decoder must read exactly what its JSON decoder reads from the JSON, with the spans and trace ids
 * counted right; what it does not write (null) is left to the JSON decoder. Seeds are real SDK output,
 * what export writes and hand-written bodies with every value kind; then tens of thousands of
 * mutations of them.
 */
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { prng } from "../../bench/fuzz-lib.mjs";
import { fuzzSeeds } from "../../bench/fuzz-seeds.mjs";
import { encodeTraceRequestJson } from "../../src/otlp/json/encode-traces.js";
import { parseOtlpJson } from "../../src/otlp/json/parse.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import type { TraceDecodeResult } from "../../src/otlp/traces.js";
import { richSpan } from "../store/span-fixtures.js";
import { loadOtlpRoot, PKG } from "./helpers.js";
import { jsonRequest } from "./sample-request.js";
import { EVERYTHING, mutatedBodies, repeatedAttributes, sdkBody } from "./trace-json-bodies.js";

const encode = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const fixture = (name: string) => readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url));

/** The JSON decoder's answer: its result, or the error it throws. */
function fromJson(body: Uint8Array, apiSpanKinds: boolean): TraceDecodeResult | Error {
  try {
    return decodeTraceRequestJson(parseOtlpJson(body), { apiSpanKinds });
  } catch (error) {
    return error as Error;
  }
}

/**
 * Checks the transcoder against the JSON decoder on `body`, read with OTLP's span kinds or the
 * OpenTelemetry API's (the TraceKit SDKs' local-UI path); true when it wrote the body.
 */
function agrees(body: Uint8Array, apiSpanKinds = false): boolean {
  const transcoded = transcodeTraceRequestJson(body, { apiSpanKinds });
  if (transcoded === null) return false;
  const expected = fromJson(body, apiSpanKinds);
  const shown = () => new TextDecoder().decode(body).slice(0, 2000);
  if (expected instanceof Error) expect.fail(`transcoded a body the JSON decoder refuses: ${shown()}`);
  const decoded = decodeTraceRequestProtobuf(transcoded.bytes);
  if (!isDeepStrictEqual(decoded, expected)) {
    expect(decoded, shown()).toEqual(expected);
    expect.fail(`protobuf differs (strictly) from the JSON decoder on ${shown()}`);
  }
  expect(transcoded.spans, shown()).toBe(expected.spans.length + expected.rejectedSpans);
  expect([...transcoded.traceIds].sort(), shown()).toEqual([...new Set(expected.spans.map((s) => s.traceId))].sort());
  return true;
}

const kv = (key: string, value: unknown) => ({ key, value });
const span = (fields: Record<string, unknown>) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "a".repeat(32), spanId: "b".repeat(16), ...fields }] }] }],
});

/** EVERYTHING without its link to an invalid trace id (the JSON decoder drops it, with its reason). */
function everythingWritable(): Uint8Array {
  const value = JSON.parse(new TextDecoder().decode(EVERYTHING));
  const span = value.resourceSpans[0].scopeSpans[0].spans[0];
  span.links = span.links.filter((link: { traceId: string }) => link.traceId !== "bad");
  return encode(value);
}

/** Values protobuf writes in its own way (negative and extreme integers, -0, padding), and nulls and order. */
const MORE = encode({
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: "5b8efff798038103d269b633813fc60c",
              spanId: "eee19b7ec3c1b176",
              parentSpanId: "0000000000000000",
              attributes: [
                kv("i.negnum", { intValue: -7 }),
                kv("i.min", { intValue: "-9223372036854775808" }),
                kv("i.unsafe", { intValue: 2 ** 60 }),
                kv("d.negzero", { doubleValue: -0 }),
                kv("d.big", { doubleValue: "1e999" }),
                kv("b.padded", { bytesValue: "3q2+7w==" }),
                kv("b.unpadded", { bytesValue: "3q2-7w" }),
                kv("empty", { stringValue: "" }),
              ],
            },
          ],
          scope: { name: "after its spans" },
        },
      ],
      resource: { attributes: [kv("service.name", { stringValue: "after its scopes" })], entityRefs: [{}] },
    },
    { scopeSpans: [{ spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" }] }] },
  ],
});

describe("transcodeTraceRequestJson", () => {
  it("writes real SDK output, the spec's example, what export writes and every value kind as the JSON decoder reads them", async () => {
    const rich = richSpan();
    const exported = encodeTraceRequestJson([
      { ...rich, attributes: { ...rich.attributes, "not.a.number": "NaN", negativeBig: "-9223372036854775808" } },
    ]);
    const seeds = [
      sdkBody(true),
      sdkBody(false),
      everythingWritable(),
      MORE,
      fixture("trace.json"),
      encode(exported),
      encode(JSON.stringify(exported, null, 2)),
      ...(await fuzzSeeds()).traces.json,
    ];
    for (const seed of seeds) {
      expect(agrees(seed), new TextDecoder().decode(seed).slice(0, 300)).toBe(true);
      expect(agrees(seed, true), new TextDecoder().decode(seed).slice(0, 300)).toBe(true);
    }
  });

  it("writes the OpenTelemetry API's span kinds as OTLP's when asked, and kinds given by name as they are", () => {
    const kindsOf = (request: unknown) =>
      decodeTraceRequestProtobuf(
        transcodeTraceRequestJson(encode(request), { apiSpanKinds: true })?.bytes ?? new Uint8Array(),
      ).spans.map((s) => s.kind);
    // API: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4; absent is the API's INTERNAL.
    for (const [kind, shown] of [
      [0, "INTERNAL"],
      [1, "SERVER"],
      [2, "CLIENT"],
      [3, "PRODUCER"],
      [4, "CONSUMER"],
      [undefined, "INTERNAL"],
      [null, "INTERNAL"],
      ["SPAN_KIND_CLIENT", "CLIENT"],
    ] as const) {
      expect(kindsOf(span(kind === undefined ? {} : { kind })), String(kind)).toEqual([shown]);
      expect(agrees(encode(span(kind === undefined ? {} : { kind })), true), String(kind)).toBe(true);
    }
  });

  it("writes what the span reader has no use for but an upstream does: schema URLs, a resource's and scope's dropped-attribute counts", () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [kv("service.name", { stringValue: "schemas" })], droppedAttributesCount: 3 },
          schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
          scopeSpans: [
            {
              scope: { name: "lib", version: "1.2", droppedAttributesCount: 4 },
              schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
              spans: [{ traceId: "a".repeat(32), spanId: "b".repeat(16), name: "op" }],
            },
          ],
        },
      ],
    };
    const transcoded = transcodeTraceRequestJson(encode(body));
    if (transcoded === null) return expect.fail("not transcoded");
    const type = loadOtlpRoot().lookupType(`${PKG}.ExportTraceServiceRequest`);
    const read = type.toObject(type.decode(transcoded.bytes), { bytes: String });
    expect(read.resourceSpans[0]).toMatchObject({
      resource: { droppedAttributesCount: 3 },
      schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
      scopeSpans: [
        {
          scope: { name: "lib", version: "1.2", droppedAttributesCount: 4 },
          schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
        },
      ],
    });
    expect(agrees(encode(body))).toBe(true);
    // The snake_case spellings are left to the general path, which writes them too.
    const snake = JSON.stringify(body).replace(/"schemaUrl"/g, '"schema_url"');
    expect(transcodeTraceRequestJson(encode(snake))).toBeNull();
  });

  it("writes attributes that spans repeat, as the same bytes or not quite, as the JSON decoder reads them", () => {
    const body = repeatedAttributes();
    expect(agrees(body)).toBe(true);
    expect(agrees(body, true)).toBe(true);
    // Every span counts its values, those it repeats too: as many as each span alone in a request.
    const { spans } = JSON.parse(new TextDecoder().decode(body)).resourceSpans[0].scopeSpans[0];
    let alone = 0;
    for (const s of spans) alone += transcodeTraceRequestJson(encode(span(s)))?.values ?? Number.NaN;
    expect(alone).toBeGreaterThan(spans.length * 10);
    expect(transcodeTraceRequestJson(body)?.values).toBe(alone);
  });

  it("leaves to the JSON decoder a span past the values an item may hold, when attributes it repeats take it past", () => {
    // 33 attributes of 301 values each (an array of 300 empty values): 9,933 of the 10,000 a span may hold.
    const attributes = Array.from({ length: 33 }, (_, i) =>
      kv(`k${i}`, { arrayValue: { values: Array.from({ length: 300 }, () => ({})) } }),
    );
    const eventOf = (items: number) => [
      { name: "e", attributes: [kv("k", { arrayValue: { values: Array.from({ length: items }, () => ({})) } })] },
    ];
    const body = (items: number) =>
      encode({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: "a".repeat(32), spanId: "b".repeat(16), attributes },
                  // Its event first, then the same attributes: 9,933 values and the event's.
                  { traceId: "a".repeat(32), spanId: "c".repeat(16), events: eventOf(items), attributes },
                ],
              },
            ],
          },
        ],
      });
    expect(agrees(body(66))).toBe(true);
    expect(transcodeTraceRequestJson(body(66))?.values).toBe(2 * 9_933 + 67);
    expect(transcodeTraceRequestJson(body(67))).toBeNull();
  });

  it("leaves to the JSON decoder a span whose null array items take it past the values an item may hold", () => {
    // Protobuf counts a null item (an empty AnyValue) towards the span's 10,000 values, JSON does not:
    // 34 attributes of 300 nulls each would keep 66 items of the last one read back as protobuf.
    const nulls = (items: number) => ({ arrayValue: { values: Array.from({ length: items }, () => null) } });
    const body = (attributes: number) =>
      encode(span({ attributes: Array.from({ length: attributes }, (_, i) => kv(`k${i}`, nulls(300))) }));
    expect(agrees(body(33))).toBe(true);
    expect(transcodeTraceRequestJson(body(34))).toBeNull();
    // Repeated by the next span, the same attributes count their nulls as read ones do.
    const twice = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: ["b", "c"].map((id) => ({
                traceId: "a".repeat(32),
                spanId: id.repeat(16),
                attributes: Array.from({ length: 34 }, (_, i) => kv(`k${i}`, nulls(300))),
              })),
            },
          ],
        },
      ],
    });
    expect(transcodeTraceRequestJson(twice)).toBeNull();
  });

  it("counts the spans, trace ids, groups and values a request holds", () => {
    expect(transcodeTraceRequestJson(EVERYTHING)).toBeNull();
    const transcoded = transcodeTraceRequestJson(everythingWritable());
    expect(transcoded).toMatchObject({ spans: 3, resourceGroups: 2, scopeGroups: 4 });
    expect(transcoded?.traceIds).toEqual(new Set(["5b8efff798038103d269b633813fc60c"]));
    // Resource 2, scope 1, the first span 17 (one of its 18 attributes has none) and 4 array items and 2
    // nested in kvlists, its event 1, its link 1.
    expect(transcoded?.values).toBe(2 + 1 + 17 + 4 + 2 + 1 + 1);
  });

  it("leaves to the JSON decoder what protobuf cannot say the same way, and what it rejects or words", () => {
    const leftToJson = [
      jsonRequest(),
      span({ parentSpanId: "xyz" }),
      span({ traceId: "00000000000000000000000000000000" }),
      span({ spanId: "0000000000000000" }),
      span({ traceId: "a".repeat(31) }),
      span({ spanId: null }),
      { resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: "b".repeat(16) }] }] }] },
      span({ links: [{ traceId: "bad", spanId: "b".repeat(16) }] }),
      span({ links: [{ spanId: "b".repeat(16) }] }),
      span({ trace_state: "x" }),
      span({ kind: -1 }),
      span({ kind: 2 ** 31 }),
      span({ kind: "SPAN_KIND_NOPE" }),
      span({ status: { code: 2 ** 32 } }),
      span({ startTimeUnixNano: "18446744073709551616" }),
      span({ attributes: [kv("k", { stringValue: "a", intValue: "1" })] }),
      span({ attributes: [kv("k", { stringValue: "\ud800" })] }),
      span({ attributes: [kv("k", { intValue: "abc" })] }),
      span({ attributes: [kv("k", { bytesValue: "not base64!" })] }),
      span({ attributes: Array.from({ length: 1001 }, (_, i) => kv(`k${i}`, { intValue: i })) }),
      { resource_spans: [] },
      { resourceLogs: [] },
      { extra: 1 },
      [],
    ];
    for (const request of leftToJson) {
      expect(transcodeTraceRequestJson(encode(request)), JSON.stringify(request).slice(0, 200)).toBeNull();
    }
    // A number past the doubles is written as the infinity the JSON decoder reads it as.
    const infinite =
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"d","value":{"doubleValue":-1e999}}],"traceId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","spanId":"bbbbbbbbbbbbbbbb"}]}]}]}';
    expect(agrees(encode(infinite)), infinite).toBe(true);
    // An intValue that is a finite number but no int64 (the TraceKit Node SDK's String(2 ** 64) and
    // String(1e21)) is written as the double the JSON decoder keeps.
    for (const intValue of ["9223372036854775808", "18446744073709552000", "1e+21", "-1e+21", 2 ** 64, 1.5, "-0.0"]) {
      const request = span({ attributes: [kv("k", { intValue }), kv("n", { intValue: "-12" })] });
      expect(agrees(encode(request)), String(intValue)).toBe(true);
    }
    const leftToJsonText = [
      '{"resourceSpans":[],"resourceSpans":[]}',
      '{"resource\\u0053pans":[]}',
      '\ufeff{"resourceSpans":[]}',
      '{"resourceSpans":[]} x',
      "not json",
    ];
    for (const text of leftToJsonText) expect(transcodeTraceRequestJson(encode(text)), text).toBeNull();
  });

  it("writes names for enums, nulls and an all-zero parent as the JSON decoder reads them", () => {
    for (const request of [
      span({ kind: "SPAN_KIND_SERVER", status: { code: "STATUS_CODE_OK", message: null } }),
      span({ parentSpanId: "0000000000000000", name: null, traceState: null, flags: null }),
      span({ attributes: [kv("k", { stringValue: null, intValue: "5" })] }),
      { resourceSpans: null },
      { resourceLogs: [], resourceSpans: [] },
      { extra: [{ deep: null }], ...span({}) },
      {},
    ]) {
      expect(agrees(encode(request)), JSON.stringify(request)).toBe(true);
    }
  });

  it("writes times of every length exactly", () => {
    const rand = prng(11);
    for (let i = 0; i < 2000; i++) {
      const digits = 1 + rand.int(19);
      const time = Array.from({ length: digits }, () => rand.int(10)).join("");
      expect(agrees(encode(span({ startTimeUnixNano: time, endTimeUnixNano: Number(time.slice(0, 15)) })))).toBe(true);
    }
  });

  it("agrees with the JSON decoder on 20,000 mutated bodies (fixed seed)", { timeout: 120_000 }, async () => {
    const seeds = [
      EVERYTHING,
      everythingWritable(),
      MORE,
      repeatedAttributes(),
      fixture("trace.json"),
      ...(await fuzzSeeds()).traces.json,
    ];
    let written = 0;
    const cases = 20_000;
    let i = 0;
    for (const body of mutatedBodies(seeds, 20261203, cases)) if (agrees(body, i++ % 2 === 1)) written++;
    // The mutations must leave many bodies written (and others not), or nothing was compared.
    expect(written).toBeGreaterThan(cases / 10);
    expect(written).toBeLessThan(cases);
  });
});
