/**
 * OTLP/JSON trace request bodies for the readers of JSON bytes (direct-traces.ts, transcode-traces.ts):
 * the TraceKit SDKs' shapes, and one with every value kind and the lenient spellings the general path
 * reads; and mutations of bodies, for comparing a reader with the general path.
 */
import { mutateBytes, mutateJson, prng } from "../../bench/fuzz-lib.mjs";

const encode = (text: string) => new TextEncoder().encode(text);

/** `count` mutations of bodies picked from `seeds` (every fourth of the bytes, the rest of the JSON), from a fixed seed. */
export function* mutatedBodies(seeds: readonly Uint8Array[], seed: number, count: number): Generator<Uint8Array> {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const base = rand.pick(seeds);
    yield i % 4 === 0 ? mutateBytes(rand, base) : mutateJson(rand, new TextDecoder().decode(base));
  }
}

const kv = (key: string, value: unknown) => ({ key, value });

/** A span as both TraceKit SDKs' local-UI processors write it, the Python one through json.dumps. */
export function sdkBody(python: boolean): Uint8Array {
  const span = (i: number) => ({
    traceId: "5b8efff798038103d269b633813fc60c",
    spanId: `eee19b7ec3c1b17${i}`,
    parentSpanId: i === 0 ? "" : "eee19b7ec3c1b170",
    name: i === 0 ? "GET" : `SELECT orders ${i}`,
    kind: i === 0 ? 1 : 2,
    startTimeUnixNano: "1733155200123456789",
    endTimeUnixNano: String(1733155200123456789n + BigInt(i) * 1000n),
    attributes: [
      kv("http.method", { stringValue: "GET" }),
      kv("http.route", { stringValue: "/api/orders/<int:id>" }),
      kv("http.status_code", { intValue: "200" }),
      kv("net.peer.port", { intValue: 5432 }),
      kv("cache.ratio", { doubleValue: 0.25 }),
      kv("app.ok", { boolValue: true }),
    ],
    events: [],
    status: { code: i === 2 ? 2 : 0, message: i === 2 ? "boom" : null },
  });
  const text = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [kv("service.name", { stringValue: "orders-py" })] },
        scopeSpans: [{ scope: { name: "tracekit", version: null }, spans: [span(0), span(1), span(2)] }],
      },
    ],
  });
  return encode(python ? text.replace(/","/g, '", "').replace(/":/g, '": ') : text);
}

/** Every value kind, events, links, escapes, other scripts, unknown and null fields, names for enums. */
export const EVERYTHING = encode(
  JSON.stringify({
    extra: { deep: [1, { a: [true, false, null, -0.5e-3] }] },
    resourceSpans: [
      {
        resource: {
          attributes: [
            kv("service.name", { stringValue: "svc \u00e9\u{1f680}" }),
            kv("host", { stringValue: 'a"b\\c\n' }),
          ],
          droppedAttributesCount: 3,
        },
        schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
        scopeSpans: [
          {
            scope: { name: "lib", version: "1.0", attributes: [kv("scope.k", { stringValue: "v" })] },
            spans: [
              {
                traceId: "5B8EFFF798038103D269B633813FC60C",
                spanId: "EEE19B7EC3C1B174",
                parentSpanId: null,
                traceState: "k=v",
                flags: 257,
                name: "\u65e5\u672c \\u escape \t tab",
                kind: "SPAN_KIND_CLIENT",
                startTimeUnixNano: 1733155200123456800,
                endTimeUnixNano: "18446744073709551615",
                attributes: [
                  kv("i.neg", { intValue: "-42" }),
                  kv("i.big", { intValue: "9223372036854775807" }),
                  kv("i.num", { intValue: 12.0 }),
                  kv("d.nan", { doubleValue: "NaN" }),
                  kv("d.inf", { doubleValue: "-Infinity" }),
                  kv("d.str", { doubleValue: "1.5e3" }),
                  kv("d.exp", { doubleValue: 1e300 }),
                  kv("b", { bytesValue: "aGVsbG8_" }),
                  kv("arr", { arrayValue: { values: [{ stringValue: "x" }, { intValue: "1" }, null, {}] } }),
                  kv("arr.empty", { arrayValue: {} }),
                  kv("kv", {
                    kvlistValue: {
                      values: [kv("inner", { kvlistValue: { values: [kv("z", { boolValue: false })] } })],
                    },
                  }),
                  kv("none", {}),
                  kv("nullvalue", null),
                  { key: null, value: { stringValue: "no key" } },
                  kv("__proto__", { stringValue: "proto" }),
                  kv("dup", { stringValue: "first" }),
                  kv("dup", { stringValue: "second" }),
                  kv("other", { stringValue: "x", unknown: 1, intValue: null }),
                ],
                droppedAttributesCount: "2",
                droppedEventsCount: 1,
                droppedLinksCount: 0,
                events: [
                  {
                    name: "exception",
                    timeUnixNano: "1733155200123456790",
                    attributes: [kv("exception.message", { stringValue: "bad" })],
                    droppedAttributesCount: 1,
                  },
                  { name: "empty" },
                ],
                links: [
                  {
                    traceId: "5b8efff798038103d269b633813fc60d",
                    spanId: "eee19b7ec3c1b175",
                    traceState: "a=b",
                    attributes: [kv("l", { intValue: 1 })],
                    flags: 1,
                  },
                  { traceId: "bad", spanId: "eee19b7ec3c1b175" },
                ],
                status: { code: "STATUS_CODE_ERROR", message: "failed \u00fc" },
                unknownField: [{}],
              },
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: "eee19b7ec3c1b176",
                kind: 3,
                status: null,
                events: null,
                links: null,
                attributes: null,
              },
            ],
          },
          { scope: null, spans: [] },
          { spans: null },
        ],
      },
      {
        resource: null,
        scopeSpans: [
          { spans: [{ traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b177", kind: "2" }] },
        ],
      },
    ],
  }),
);

/**
 * Spans that repeat attributes in the same places, as instrumentations write them: the same bytes
 * again (every value kind, nested ones too), and ones that differ only in a byte inside or at the end,
 * in white space, or in a value's kind or nesting.
 */
export function repeatedAttributes(): Uint8Array {
  const shared = [
    kv("http.request.method", { stringValue: "GET" }),
    kv("http.response.status_code", { intValue: "200" }),
    kv("app.cache_hit", { boolValue: true }),
    kv("ratio", { doubleValue: 0.5 }),
    kv("blob", { bytesValue: "3q2+7w==" }),
    kv("list", { arrayValue: { values: [{ stringValue: "a" }, { intValue: 7 }, {}, null] } }),
    kv("map", { kvlistValue: { values: [kv("inner", { stringValue: "é" }), kv("none", null)] } }),
    kv("none", null),
    kv("empty", {}),
    kv("token", { bytesValue: "AAE=" }),
  ];
  const variants = [
    (attributes: unknown[]) => attributes,
    // A byte of the key, of the value, at the end, a value of another kind, one nesting deeper, one value fewer.
    (attributes: unknown[]) =>
      attributes.map((a, i) => (i === 0 ? kv("xttp.request.method", { stringValue: "GET" }) : a)),
    (attributes: unknown[]) =>
      attributes.map((a, i) => (i === 0 ? kv("http.request.method", { stringValue: "PUT" }) : a)),
    (attributes: unknown[]) =>
      attributes.map((a, i) => (i === 1 ? kv("http.response.status_code", { intValue: "201" }) : a)),
    (attributes: unknown[]) =>
      attributes.map((a, i) => (i === 1 ? kv("http.response.status_code", { stringValue: "200" }) : a)),
    (attributes: unknown[]) =>
      attributes.map((a, i) =>
        i === 5 ? kv("list", { arrayValue: { values: [{ arrayValue: { values: [{ stringValue: "a" }] } }] } }) : a,
      ),
    (attributes: unknown[]) => attributes.slice(0, -1),
    // The same key twice: the last decides (and whether it was bytes).
    (attributes: unknown[]) => [...attributes, kv("token", { stringValue: "AAE=" }), kv("ratio", { doubleValue: 0.5 })],
  ];
  const spans = Array.from({ length: 40 }, (_, i) => ({
    traceId: `${(i % 3) + 1}`.repeat(32),
    spanId: `${(i % 9) + 1}`.repeat(15) + (i % 10),
    name: "GET /orders",
    attributes: (variants[Math.floor(i / 3) % variants.length] as (a: unknown[]) => unknown[])(shared),
    events: [{ name: "e", timeUnixNano: "1", attributes: [kv("cache.key", { stringValue: `order:${i % 2}` })] }],
  }));
  // The same span with white space where the others have none, and its attributes in another order.
  const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  const spaced = JSON.stringify({ ...spans[0], spanId: "f".repeat(16) }, null, 1);
  const reordered = JSON.stringify({ ...spans[0], spanId: "e".repeat(16), attributes: [...shared].reverse() });
  return encode(text.replace(/\]}]}]}$/, `,${spaced},${reordered}]}]}]}`));
}
