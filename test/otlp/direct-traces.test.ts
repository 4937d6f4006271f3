/**
 * The direct OTLP/JSON trace reader against the general path (JSON.parse, then the object decoder):
 * on every body it reads, it must give exactly the general path's result, and a body it does not
 * read (null) must still decode the general way. Seeds are real SDK output, the TraceKit SDKs' shapes
 * and hand-written bodies with every value kind; then tens of thousands of mutations of them.
 */
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { prng } from "../../bench/fuzz-lib.mjs";
import { fuzzSeeds } from "../../bench/fuzz-seeds.mjs";
import { decodeTraceRequestJsonDirect, traceRequestJsonDirectSteps } from "../../src/otlp/json/direct-traces.js";
import { parseOtlpJson } from "../../src/otlp/json/parse.js";
import { decodeTraceRequestJson, type JsonTraceDecodeOptions } from "../../src/otlp/json/traces.js";
import { DEFAULT_REQUEST_LIMITS, runToEnd } from "../../src/otlp/limits.js";
import type { TraceDecodeResult } from "../../src/otlp/traces.js";
import { EVERYTHING, mutatedBodies, repeatedAttributes, sdkBody } from "./trace-json-bodies.js";

const encode = (text: string) => new TextEncoder().encode(text);

/** The general path's answer: its result, or the error it throws. */
function general(body: Uint8Array, options: JsonTraceDecodeOptions): TraceDecodeResult | Error {
  try {
    return decodeTraceRequestJson(parseOtlpJson(body), options);
  } catch (error) {
    return error as Error;
  }
}

/**
 * Checks the direct reader against the general path on `body`, and its steps for a large body against
 * it, with every span's lists read in steps of one entry (as only the widest spans are read there);
 * true when the direct reader read it.
 */
function agrees(body: Uint8Array, options: JsonTraceDecodeOptions = {}): boolean {
  const direct = decodeTraceRequestJsonDirect(body, options);
  const inSteps = runToEnd(traceRequestJsonDirectSteps(body, options, DEFAULT_REQUEST_LIMITS, 0));
  if (!isDeepStrictEqual(inSteps, direct)) {
    expect(inSteps, new TextDecoder().decode(body).slice(0, 2000)).toEqual(direct);
    expect.fail(`the reader in steps differs (strictly) on ${new TextDecoder().decode(body).slice(0, 500)}`);
  }
  if (direct === null) return false;
  const expected = general(body, options);
  if (!isDeepStrictEqual(direct, expected)) {
    // The readable diff, then a failure even where toEqual's looser rules would pass.
    expect(direct, new TextDecoder().decode(body).slice(0, 2000)).toEqual(expected);
    expect.fail(`direct reader differs (strictly) on ${new TextDecoder().decode(body).slice(0, 500)}`);
  }
  return true;
}

describe("the direct OTLP/JSON trace reader", () => {
  it("reads the TraceKit SDKs' bodies, real OTel SDK output and the spec's example as the general path does", async () => {
    const seeds = [
      sdkBody(true),
      sdkBody(false),
      EVERYTHING,
      ...(await fuzzSeeds()).traces.json,
      readFileSync(new URL("../fixtures/otlp-examples/trace.json", import.meta.url)),
    ];
    for (const seed of seeds) {
      for (const apiSpanKinds of [false, true]) expect(agrees(seed, { apiSpanKinds })).toBe(true);
    }
  });

  it("translates API span kinds only where the general path does", () => {
    const direct = decodeTraceRequestJsonDirect(sdkBody(true), { apiSpanKinds: true });
    expect(direct?.spans.map((s) => s.kind)).toEqual(["SERVER", "CLIENT", "CLIENT"]);
    const named = decodeTraceRequestJsonDirect(EVERYTHING, { apiSpanKinds: true });
    expect(named?.spans.map((s) => s.kind)).toEqual(["CLIENT", "PRODUCER", "SERVER"]);
  });

  it("leaves what it does not read exactly to the general path", () => {
    const leftToGeneral = [
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"d","value":{"doubleValue":NaN}}]}]}]}]}',
      '{"resource_spans":[]}',
      '{"resourceSpans":[],"resourceSpans":[]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c"}]}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":5}]}]}]}',
      '{"resourceSpans":[{"scopeSpans":[],"resource":{}}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[],"scope":{}}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"a","value":{"stringValue":"x","intValue":"1"}}]}]}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}',
      '{"resource\\u0053pans":[]}',
      '\ufeff{"resourceSpans":[]}',
      '{"resourceSpans":[]} x',
      '{"resourceSpans":[01]}',
      "[]",
    ];
    for (const text of leftToGeneral) {
      expect(decodeTraceRequestJsonDirect(encode(text)), text).toBeNull();
    }
  });

  it("notes which attributes of a span, its events and links were bytes, as the general path does", () => {
    const kv = (key: string, value: unknown) => ({ key, value });
    const body = encode(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [kv("service.name", { stringValue: "svc" }), kv("r", { bytesValue: "AA==" })] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "5b8efff798038103d269b633813fc60c",
                    spanId: "eee19b7ec3c1b174",
                    attributes: [
                      kv("b", { bytesValue: "3q2+7w==" }),
                      kv("s", { stringValue: "3q2+7w==" }),
                      // The last of a repeated key decides, either way.
                      kv("was.bytes", { bytesValue: "AQ==" }),
                      kv("was.bytes", { stringValue: "text" }),
                      kv("now.bytes", { stringValue: "text" }),
                      kv("now.bytes", { bytesValue: "Ag==" }),
                      kv("nested", { kvlistValue: { values: [kv("inner", { bytesValue: "Aw==" })] } }),
                    ],
                    events: [{ name: "e", attributes: [kv("payload", { bytesValue: "AQID" })] }, { name: "plain" }],
                    links: [
                      {
                        traceId: "5b8efff798038103d269b633813fc60c",
                        spanId: "eee19b7ec3c1b175",
                        attributes: [kv("token", { bytesValue: "AAE=" }), kv("kind", { stringValue: "x" })],
                      },
                    ],
                  },
                  { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b176", name: "none" },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(agrees(body)).toBe(true);
    const [span, plain] = decodeTraceRequestJsonDirect(body)?.spans ?? [];
    expect(span?.bytes).toEqual(["b", "now.bytes", ["nested", "inner"]]);
    expect(span?.resourceBytes).toEqual(["r"]);
    expect(span?.attributes.b).toBe("3q2+7w==");
    expect(span?.events.map((e) => e.bytes)).toEqual([["payload"], undefined]);
    expect(span?.links[0]?.bytes).toEqual(["token"]);
    expect(plain !== undefined && "bytes" in plain).toBe(false);
    expect(plain?.resourceBytes).toEqual(["r"]);
  });

  it("reads numbers to the same doubles as JSON.parse", () => {
    const rand = prng(7);
    const numbers = ["0.1", "-0.0", "2.675", "0.30000000000000004", "1e-7", "123456789012345.6", "9007199254740993"];
    for (let i = 0; i < 2000; i++) {
      const digits = 1 + rand.int(17);
      const text = Array.from({ length: digits }, () => rand.int(10))
        .join("")
        .replace(/^0+(?=\d)/, "");
      const point = rand.int(digits + 1);
      const decimal = point === 0 || point >= text.length ? text : `${text.slice(0, point)}.${text.slice(point)}`;
      numbers.push(rand.chance(0.5) ? `-${decimal}` : decimal);
    }
    // Within the per-span bound of attributes: 500 to a span.
    const spans = [];
    for (let from = 0; from < numbers.length; from += 500) {
      const attributes = numbers.slice(from, from + 500).map((n, i) => `{"key":"n${i}","value":{"doubleValue":${n}}}`);
      spans.push(
        `{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17${from / 500}","attributes":[${attributes.join(",")}]}`,
      );
    }
    const body = encode(`{"resourceSpans":[{"scopeSpans":[{"spans":[${spans.join(",")}]}]}]}`);
    expect(agrees(body)).toBe(true);
  });

  it("keeps an intValue that is a finite number but no int64 as a double, as the general path does", () => {
    for (const intValue of ['"18446744073709552000"', '"1e+21"', '"-0.0"', "18446744073709552000", "1.5"]) {
      const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b171","attributes":[{"key":"k","value":{"intValue":${intValue}}}]}]}]}]}`;
      expect(agrees(encode(body)), intValue).toBe(true);
    }
  });

  it("reads long times exactly when their leading digits repeat, change and come back", () => {
    const times = [
      ["1733000000123456789", "1733000000999999999"],
      ["1733000000000000001", "1733000001000000000"],
      ["1733000001000000000", "1733000000000000000"],
      ["9999999999999999999", "18446744073709551615"],
      ["1000000000000000", "1733000000000000000"],
    ];
    const spans = times.map(
      ([start, end], i) =>
        `{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17${i}","startTimeUnixNano":"${start}","endTimeUnixNano":"${end}"}`,
    );
    const body = encode(`{"resourceSpans":[{"scopeSpans":[{"spans":[${spans.join(",")}]}]}]}`);
    const direct = decodeTraceRequestJsonDirect(body);
    expect(direct?.spans.map((s) => [s.startTimeUnixNano, s.endTimeUnixNano])).toEqual(
      times.map(([start, end]) => [BigInt(start as string), BigInt(end as string)]),
    );
    expect(agrees(body)).toBe(true);
  });

  it("reads attributes that spans repeat, as the same bytes or not quite, as the general path does", () => {
    const body = repeatedAttributes();
    expect(agrees(body)).toBe(true);
    const spans = decodeTraceRequestJsonDirect(body)?.spans ?? [];
    expect(spans.length).toBe(42);
    expect(spans.filter((s) => s.attributes["http.request.method"] === "GET").length).toBeGreaterThan(20);
  });

  it("drops the attributes past the values a span may hold as the general path does, when they repeat those of the span before", () => {
    const kv = (key: string, value: unknown) => ({ key, value });
    const list = (items: number) => ({
      arrayValue: { values: Array.from({ length: items }, () => ({ intValue: 1 })) },
    });
    const strings = Array.from({ length: 20 }, (_, i) => kv(`k${i}`, { stringValue: "v" }));
    // 10 small lists, then 20 strings; then 9 lists of 1,000 values and one of 990, then the same 20
    // strings, of which the span has room for 10.
    const small = Array.from({ length: 10 }, (_, i) => kv(`l${i}`, list(1)));
    const large = Array.from({ length: 10 }, (_, i) => kv(`l${i}`, list(i === 9 ? 989 : 999)));
    const body = encode(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: "a".repeat(32), spanId: "b".repeat(16), attributes: [...small, ...strings] },
                  { traceId: "a".repeat(32), spanId: "c".repeat(16), attributes: [...large, ...strings] },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(agrees(body)).toBe(true);
    const [first, second] = decodeTraceRequestJsonDirect(body)?.spans ?? [];
    expect(Object.keys(first?.attributes ?? {}).length).toBe(30);
    expect(Object.keys(second?.attributes ?? {}).length).toBe(20);
    expect(second?.droppedAttributesCount).toBe(10);
  });

  it("leaves to the general path a span past the values it may hold whose lists come in another order", () => {
    const kv = (key: string, value: unknown) => ({ key, value });
    // 10 lists of 999 empty values: 10,000 values, all a span may hold.
    const full = Array.from({ length: 10 }, (_, i) =>
      kv(`l${i}`, { arrayValue: { values: Array.from({ length: 999 }, () => ({})) } }),
    );
    const a = [kv("a", { stringValue: "x" })];
    const body = (fields: Record<string, unknown>) =>
      encode(
        JSON.stringify({
          resourceSpans: [
            { scopeSpans: [{ spans: [{ traceId: "a".repeat(32), spanId: "b".repeat(16), ...fields }] }] },
          ],
        }),
      );
    // The general path reads attributes, then events, then links, whatever their order in the JSON.
    const eventsFirst = body({ events: [{ name: "e", attributes: full }], attributes: a });
    expect(agrees(eventsFirst)).toBe(false);
    const decoded = general(eventsFirst, {});
    expect(decoded instanceof Error ? decoded : decoded.spans[0]?.attributes).toEqual({ a: "x" });
    const linksFirst = body({
      links: [{ traceId: "c".repeat(32), spanId: "d".repeat(16), attributes: full }],
      events: [{ name: "e", attributes: a }],
    });
    expect(agrees(linksFirst)).toBe(false);
    expect(
      agrees(body({ links: [{ traceId: "c".repeat(32), spanId: "d".repeat(16), attributes: full }], attributes: a })),
    ).toBe(false);
    // In the general path's order, or within the bound, it reads them.
    expect(agrees(body({ attributes: a, events: [{ name: "e", attributes: full }] }))).toBe(true);
    expect(agrees(body({ events: [{ name: "e", attributes: full.slice(1) }], attributes: a }))).toBe(true);
  });

  it("agrees with the general path on 20,000 mutated bodies (fixed seed)", { timeout: 120_000 }, async () => {
    const seeds = [sdkBody(true), sdkBody(false), EVERYTHING, repeatedAttributes(), ...(await fuzzSeeds()).traces.json];
    let read = 0;
    let i = 0;
    const cases = 20_000;
    for (const body of mutatedBodies(seeds, 20261202, cases)) {
      if (agrees(body, { apiSpanKinds: i++ % 2 === 0 })) read++;
    }
    // The mutations must leave many bodies readable directly (and others not), or nothing was compared.
    expect(read).toBeGreaterThan(cases / 10);
    expect(read).toBeLessThan(cases);
  });
});
