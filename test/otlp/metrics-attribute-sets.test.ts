/**
 * The protobuf metrics decoder hands back a data point's attribute set from its cache when the same
 * bytes were decoded before, and the previous point's explicit bounds when their bytes are equal:
 * whatever the input, the result must be the plain reading's.
 */
import { describe, expect, it } from "vitest";
import type { ReceivedMetric } from "../../src/domain/metric.js";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { DEFAULT_REQUEST_LIMITS } from "../../src/otlp/limits.js";
import type { MetricDecodeResult } from "../../src/otlp/metrics.js";
import { decodeMetricsRequestProtobuf } from "../../src/otlp/protobuf/metrics.js";
import { AttributeSetCache } from "../../src/otlp/protobuf/metrics-attribute-sets.js";
import { bytes, decodeMutations, key, lenField, loadOtlpMetricsRoot, outcome, PKG, prng } from "./helpers.js";

const Request = loadOtlpMetricsRoot().lookupType(`${PKG}.ExportMetricsServiceRequest`);
const T = "1700000000000000000";
const attr = (k: string, v: unknown) => ({ key: k, value: v });
const text = (v: string) => ({ stringValue: v });

/** Gauges, counters and histograms over a few attribute sets (some repeated, one with nested values). */
function body(): Uint8Array {
  const sets = [
    [attr("http.route", text("/a")), attr("method", text("GET"))],
    [attr("http.route", text("/b")), attr("method", text("POST")), attr("ok", { boolValue: true })],
    [attr("n", { intValue: 7 }), attr("list", { arrayValue: { values: [text("x"), { doubleValue: 1.5 }] } })],
    [attr("dup", text("first")), attr("dup", text("second"))],
    [],
  ];
  const points = (make: (attributes: unknown[], i: number) => Record<string, unknown>) =>
    [0, 1, 2, 3, 4, 0, 1].map((s, i) => make(sets[s] as unknown[], i));
  const request = {
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", text("svc"))] },
        scopeMetrics: [
          {
            scope: { name: "lib" },
            metrics: [
              {
                name: "g",
                gauge: { dataPoints: points((attributes, i) => ({ attributes, timeUnixNano: T, asDouble: i })) },
              },
              {
                name: "s",
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: points((attributes, i) => ({ attributes, timeUnixNano: T, asInt: i })),
                },
              },
              {
                name: "h",
                histogram: {
                  aggregationTemporality: 1,
                  // Equal bounds in a row, then others, then the first again.
                  dataPoints: points((attributes, i) => ({
                    attributes,
                    timeUnixNano: T,
                    count: 3,
                    sum: i,
                    bucketCounts: i === 3 ? [1, 1, 1] : [2, 1],
                    explicitBounds: i === 3 ? [1, 5] : [1],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
  return Request.encode(Request.fromObject(request)).finish();
}

/** The decode's result, or its error's message. */
function decoded(input: Uint8Array, cache: AttributeSetCache | null, maxValues?: number): MetricDecodeResult | string {
  try {
    const limits = maxValues === undefined ? undefined : { ...DEFAULT_REQUEST_LIMITS, maxValues };
    return decodeMetricsRequestProtobuf(input, limits, cache);
  } catch (e) {
    if (e instanceof OtlpDecodeError) return e.message;
    throw e;
  }
}

function attributesOf(metrics: readonly ReceivedMetric[]): unknown[] {
  return metrics.flatMap((m) => m.data.points.map((p) => p.attributes));
}

describe("attribute sets remembered by the protobuf metrics decoder", () => {
  it("decodes a set seen before into the same frozen object, equal to the plain reading", () => {
    const cache = new AttributeSetCache();
    const first = decodeMetricsRequestProtobuf(body(), undefined, cache);
    const second = decodeMetricsRequestProtobuf(body(), undefined, cache);
    expect(first).toStrictEqual(decodeMetricsRequestProtobuf(body(), undefined, null));
    expect(second).toStrictEqual(first);
    const a = attributesOf(first.metrics);
    const b = attributesOf(second.metrics);
    for (let i = 0; i < a.length; i++) {
      // A point without attributes has no bytes to remember them by.
      if (Object.keys(a[i] as object).length === 0) continue;
      expect(b[i]).toBe(a[i]);
      expect(Object.isFrozen(b[i])).toBe(true);
    }
    // Equal bytes within one request share a set too.
    expect(a[5]).toBe(a[0]);
    expect(a[3]).toStrictEqual({ dup: "second" });
  });

  it("reads attributes that other fields of the point split apart as the plain reading does", () => {
    const kv = (k: string, v: string) =>
      lenField(7, bytes(lenField(1, Buffer.from(k)), lenField(2, lenField(1, Buffer.from(v)))));
    const time = bytes(key(3, 1), new Uint8Array(new BigUint64Array([BigInt(T)]).buffer));
    const value = bytes(key(4, 1), new Uint8Array(new Float64Array([2]).buffer));
    const points = [
      bytes(kv("a", "1"), time, kv("b", "2"), value),
      bytes(kv("a", "1"), kv("c", "3"), time, kv("a", "9"), value),
      bytes(time, kv("a", "1"), value),
    ];
    const gauge = lenField(5, bytes(...points.map((p) => lenField(1, p))));
    const metric = lenField(2, bytes(lenField(1, Buffer.from("g")), gauge));
    const input = bytes(lenField(1, lenField(2, metric)));
    const cache = new AttributeSetCache();
    for (let round = 0; round < 3; round++) {
      const result = decodeMetricsRequestProtobuf(input, undefined, cache);
      expect(result).toStrictEqual(decodeMetricsRequestProtobuf(input, undefined, null));
      expect(attributesOf(result.metrics)).toStrictEqual([{ a: "1", b: "2" }, { a: "9", c: "3" }, { a: "1" }]);
    }
  });

  it("counts the values of a remembered set against the request's limit", () => {
    const cache = new AttributeSetCache();
    decodeMetricsRequestProtobuf(body(), undefined, cache);
    const plain = decoded(body(), null, 20);
    expect(plain).toMatch(/more than 20 attribute values/);
    expect(decoded(body(), cache, 20)).toBe(plain);
  });

  it("hands a histogram's bounds to later requests as the same array, and other bounds as their own", () => {
    const histogram = (bounds: number[]) =>
      Request.encode(
        Request.fromObject({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: "h",
                      histogram: {
                        aggregationTemporality: 2,
                        dataPoints: [1, 2].map((i) => ({
                          attributes: [attr("i", text(String(i)))],
                          timeUnixNano: T,
                          count: 1,
                          bucketCounts: bounds.map(() => 0).concat([1]),
                          explicitBounds: bounds,
                        })),
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish();
    const boundsOf = (result: MetricDecodeResult) =>
      result.metrics.flatMap((m) => m.data.points.map((p) => (p as { bounds: readonly number[] }).bounds));
    const cache = new AttributeSetCache();
    const [a1, a2] = boundsOf(decodeMetricsRequestProtobuf(histogram([1, 5, 10]), undefined, cache));
    const [b1, b2] = boundsOf(decodeMetricsRequestProtobuf(histogram([1, 5, 10]), undefined, cache));
    const [c1] = boundsOf(decodeMetricsRequestProtobuf(histogram([1, 5, 20]), undefined, cache));
    expect(a1).toStrictEqual([1, 5, 10]);
    expect(a2).toBe(a1);
    expect(b1).toBe(a1);
    expect(b2).toBe(a1);
    expect(c1).toStrictEqual([1, 5, 20]);
    // The plain reading shares nothing between requests.
    const [d1] = boundsOf(decodeMetricsRequestProtobuf(histogram([1, 5, 10]), undefined, null));
    const [e1] = boundsOf(decodeMetricsRequestProtobuf(histogram([1, 5, 10]), undefined, null));
    expect(d1).not.toBe(e1);
  });

  it("keeps reading sets right when their bytes fill block after block and the table is emptied", () => {
    // Sets of ~200 bytes, 300 per request: a 4-slot table keeps at most two 64 KB blocks of bytes.
    const request = (round: number) =>
      Request.encode(
        Request.fromObject({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: "g",
                      gauge: {
                        dataPoints: Array.from({ length: 300 }, (_, i) => ({
                          attributes: [attr("k", text(`${round}-${i}-`.padEnd(190, "x")))],
                          timeUnixNano: T,
                          asDouble: i,
                        })),
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish();
    const cache = new AttributeSetCache(4);
    for (const round of [0, 1, 2, 0, 3, 4, 0, 1]) {
      const input = request(round);
      const plain = decodeMetricsRequestProtobuf(input, undefined, null);
      expect(decodeMetricsRequestProtobuf(input, undefined, cache)).toStrictEqual(plain);
      expect(decodeMetricsRequestProtobuf(input, undefined, cache)).toStrictEqual(plain);
    }
  });

  it("gives the plain reading's result or error for thousands of mutated bodies (seeded)", () => {
    const rand = prng(7);
    // A tiny table as well, so that sets evict each other.
    const caches = [new AttributeSetCache(), new AttributeSetCache(4)];
    let n = 0;
    const compare = (input: Uint8Array): MetricDecodeResult => {
      const maxValues = n++ % 5 === 0 ? 10 + Math.floor(rand() * 40) : undefined;
      const plain = decoded(input, null, maxValues);
      for (const cache of caches) {
        // Twice: the second time the sets of the first are remembered.
        expect(decoded(input, cache, maxValues)).toStrictEqual(plain);
        expect(decoded(input, cache, maxValues)).toStrictEqual(plain);
      }
      return decodeMetricsRequestProtobuf(
        input,
        maxValues === undefined ? undefined : { ...DEFAULT_REQUEST_LIMITS, maxValues },
        null,
      );
    };
    expect(decodeMutations(outcome, compare, body(), rand, 3000)).toBeGreaterThan(300);
  });
});
