/**
 * Metrics input from the network is untrusted: whatever arrives, decoding ends quickly with a result
 * or an OtlpDecodeError (→ 400), never another exception (→ 500), a stack overflow or a hang; and
 * whatever decodes can be stored and queried.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/errors.js";
import { decodeMetricsRequestJson } from "../../src/otlp/json/metrics.js";
import type { MetricDecodeResult } from "../../src/otlp/metrics.js";
import { decodeMetricsRequestProtobuf } from "../../src/otlp/protobuf/metrics.js";
import { createMemoryMetricStore } from "../../src/store/metric-memory-store.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import {
  bytes,
  cutAtEveryOffset,
  decodeError,
  decodeMutations,
  decodeRandomBytes,
  key,
  lenField,
  loadOtlpMetricsRoot,
  nestingDepth,
  PKG,
  prng,
  varint,
} from "./helpers.js";

const SLOW = { timeout: 120_000 };
const T = "1700000000000000000";
const attr = (k: string, v: string) => ({ key: k, value: { stringValue: v } });

/** A request with every kind of metric, exemplars and attributes: the seed of the fuzzing below. */
function richRequest(): Record<string, unknown> {
  const exemplars = [
    {
      timeUnixNano: T,
      asDouble: 3,
      traceId: Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"),
      spanId: Buffer.from("b7ad6b7169203331", "hex"),
      filteredAttributes: [attr("user", "u1")],
    },
  ];
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", "fuzz")] },
        scopeMetrics: [
          {
            scope: { name: "lib", version: "1" },
            metrics: [
              {
                name: "g",
                gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1.5, attributes: [attr("a", "b")], exemplars }] },
              },
              {
                name: "s",
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ startTimeUnixNano: "1699999999000000000", timeUnixNano: T, asInt: 42 }],
                },
              },
              {
                name: "h",
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      timeUnixNano: T,
                      count: 3,
                      sum: 9,
                      bucketCounts: [1, 1, 1],
                      explicitBounds: [1, 5],
                      min: 0.5,
                      max: 7,
                      exemplars,
                    },
                  ],
                },
              },
              {
                name: "e",
                exponentialHistogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: T,
                      count: 4,
                      scale: 3,
                      zeroCount: 1,
                      positive: { offset: -2, bucketCounts: [1, 2] },
                      negative: { offset: 1, bucketCounts: [0] },
                    },
                  ],
                },
              },
              {
                name: "q",
                summary: {
                  dataPoints: [{ timeUnixNano: T, count: 2, sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

const root = loadOtlpMetricsRoot();
const Request = root.lookupType(`${PKG}.ExportMetricsServiceRequest`);
const validBody = Request.encode(Request.fromObject(richRequest())).finish();

/** Decodes, then stores and queries what was accepted; anything but OtlpDecodeError fails the test. */
function outcome(decode: () => MetricDecodeResult): "ok" | "error" {
  let result: MetricDecodeResult;
  try {
    result = decode();
  } catch (e) {
    if (e instanceof OtlpDecodeError) return "error";
    throw e;
  }
  expect(result.rejectedDataPoints).toBeGreaterThanOrEqual(0);
  const store = createMemoryMetricStore({ maxSeries: 100 });
  store.insert(result.metrics);
  for (const metric of store.catalog({}).metrics) {
    store.query({ name: metric.descriptor.name, fromMs: 0, toMs: 2 ** 42, stepMs: 2 ** 36, where: [] });
  }
  return "ok";
}

/** Request → ResourceMetrics → ScopeMetrics → Metric{name, gauge{data point fields}}. */
function gaugeWithPointFields(...pointFields: ArrayLike<number>[]): Uint8Array {
  const point = bytes(...pointFields);
  const metric = bytes(lenField(1, [0x67]), lenField(5, lenField(1, point)));
  return bytes(lenField(1, lenField(2, lenField(2, metric))));
}

describe("protobuf: truncated and corrupted bodies", () => {
  it("decodes the seed request whole", () => {
    const result = decodeMetricsRequestProtobuf(validBody);
    expect(result.rejectedDataPoints).toBe(0);
    expect(result.metrics.map((m) => m.descriptor.kind)).toEqual([
      "gauge",
      "sum",
      "histogram",
      "exponentialHistogram",
      "summary",
    ]);
  });

  it("handles the valid body cut at every byte offset", SLOW, () => {
    const outcomes = cutAtEveryOffset(outcome, decodeMetricsRequestProtobuf, validBody);
    expect(outcomes.error).toBeGreaterThan(validBody.length * 0.9);
  });

  it("handles thousands of random byte strings and random mutations of a valid body (seeded)", SLOW, () => {
    const rand = prng(0x3e7);
    decodeRandomBytes(outcome, decodeMetricsRequestProtobuf, rand, 3000);
    expect(decodeMutations(outcome, decodeMetricsRequestProtobuf, validBody, rand, 3000)).toBeGreaterThan(0);
  });

  it("rejects invalid wire types, groups and huge length prefixes inside a data point", () => {
    expect(decodeError(() => decodeMetricsRequestProtobuf(gaugeWithPointFields(key(99, 7), [0])))).toMatch(
      /^invalid wire type 7 in field 99 at byte \d+$/,
    );
    expect(decodeError(() => decodeMetricsRequestProtobuf(gaugeWithPointFields(key(99, 3), key(99, 4))))).toMatch(
      /^unsupported group wire type 3/,
    );
    for (const len of [2n ** 31n, 2n ** 53n, 2n ** 64n - 1n]) {
      expect(decodeError(() => decodeMetricsRequestProtobuf(gaugeWithPointFields(key(7, 2), varint(len))))).toMatch(
        /truncated length-delimited value/,
      );
    }
  });

  it("cuts 10,000 levels of attribute nesting in a data point at 32 without overflowing the stack", SLOW, () => {
    const prefixes: number[][] = [];
    let size = 0;
    for (let i = 0; i < 10_000; i++) {
      const arrayPrefix = [...key(1, 2), ...varint(size)];
      size += arrayPrefix.length;
      const valuePrefix = [...key(5, 2), ...varint(size)];
      size += valuePrefix.length;
      prefixes.push(arrayPrefix, valuePrefix);
    }
    const kv = bytes(lenField(1, [0x64]), lenField(2, bytes(...prefixes.reverse())));
    // With a time (field 3) and a value (as_double, field 4), fixed64 each.
    const fixed64 = (field: number, value: Buffer) => bytes(key(field, 1), value);
    const time = Buffer.alloc(8);
    time.writeBigUInt64LE(1_700_000_000_000_000_000n);
    const value1 = Buffer.alloc(8);
    value1.writeDoubleLE(1);
    const body = gaugeWithPointFields(lenField(7, kv), fixed64(3, time), fixed64(4, value1));
    const [metric] = decodeMetricsRequestProtobuf(body).metrics;
    expect(nestingDepth(metric?.data.points[0]?.attributes.d)).toBe(32);
  });
});

describe("points that decode but would cost without bound, or cannot be read", () => {
  const metric = (m: Record<string, unknown>) => ({
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "x", ...m }] }] }],
  });

  it("rejects them alone, from protobuf and JSON alike", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        {
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: T, explicitBounds: Array.from({ length: 100_000 }, (_, i) => i) }],
          },
        },
        /has 100,000 explicitBounds; at most 128 are accepted/,
      ],
      [
        {
          exponentialHistogram: {
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: T, positive: { offset: 0, bucketCounts: new Array(20_000).fill(1) } }],
          },
        },
        /has 20,000 buckets of one sign; at most 16,384 are accepted/,
      ],
      [
        {
          exponentialHistogram: {
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: T, positive: { offset: 2 ** 31 - 1, bucketCounts: [1] } }],
          },
        },
        /bucket offset 2147483647 is out of range/,
      ],
      [
        { exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, scale: -11 }] } },
        /scale -11 is outside/,
      ],
      [
        {
          summary: {
            dataPoints: [
              {
                timeUnixNano: T,
                quantileValues: Array.from({ length: 65 }, (_, i) => ({ quantile: i / 100, value: i })),
              },
            ],
          },
        },
        /has 65 quantileValues/,
      ],
    ];
    for (const [m, reason] of cases) {
      const request = metric(m);
      const fromJson = decodeMetricsRequestJson(
        JSON.parse(JSON.stringify(request, (_k, v) => (v === Infinity ? "Infinity" : v))),
      );
      const fromProtobuf = decodeMetricsRequestProtobuf(Request.encode(Request.fromObject(request)).finish());
      for (const result of [fromJson, fromProtobuf]) {
        expect(result.rejectedDataPoints).toBe(1);
        expect(result.errors[0]).toMatch(reason);
      }
    }
  });

  it("reads counts and values past 2^53 as the nearest double, and downscales wide exponential histograms", () => {
    const result = decodeMetricsRequestProtobuf(
      Request.encode(
        Request.fromObject(
          metric({
            exponentialHistogram: {
              aggregationTemporality: 1,
              dataPoints: [
                {
                  timeUnixNano: T,
                  count: "18446744073709551615",
                  scale: 20,
                  positive: { offset: -1000, bucketCounts: new Array(1000).fill(1) },
                },
              ],
            },
          }),
        ),
      ).finish(),
    );
    const point = result.metrics[0]?.data.points[0] as unknown as {
      count: number;
      scale: number;
      positive: { counts: number[] };
    };
    expect(point.count).toBe(2 ** 64);
    expect(point.positive.counts.length).toBeLessThanOrEqual(160);
    expect(point.positive.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(point.scale).toBe(17);
  });
});

describe("JSON: wrong shapes", () => {
  it("rejects a body unusable as a whole with the path of the fault", () => {
    const cases: [unknown, string][] = [
      [[], "request body is not a JSON object"],
      [{ resourceMetrics: {} }, "request: resourceMetrics is not an array"],
      [{ resourceMetrics: [1] }, "resourceMetrics[0] is not an object"],
      [{ resourceMetrics: [{ scopeMetrics: "x" }] }, "resourceMetrics[0]: scopeMetrics is not an array"],
      [
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [null] }] }] },
        "resourceMetrics[0].scopeMetrics[0].metrics[0] is not an object",
      ],
      [
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: [] }] }] }] },
        "resourceMetrics[0].scopeMetrics[0].metrics[0]: gauge is not an object",
      ],
      [
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: { dataPoints: {} } }] }] }] },
        "resourceMetrics[0].scopeMetrics[0].metrics[0].sum: dataPoints is not an array",
      ],
      [
        { resourceMetrics: [{ resource: { attributes: [1] } }] },
        "resourceMetrics[0].resource: attribute 1 is not an object",
      ],
    ];
    for (const [body, message] of cases) expect(decodeError(() => decodeMetricsRequestJson(body))).toBe(message);
  });

  it("rejects points with fields of the wrong type alone, and stores a __proto__ attribute as data", () => {
    const points = [
      { timeUnixNano: T, asDouble: true },
      { timeUnixNano: T, asInt: "1.5" },
      { timeUnixNano: T, asDouble: 1, flags: -1 },
      { timeUnixNano: "1".repeat(40), asDouble: 1 },
      { timeUnixNano: T, asDouble: 1, exemplars: [7] },
      { timeUnixNano: T, asDouble: 1, attributes: [{ key: "__proto__", value: { stringValue: "x" } }] },
    ];
    const result = decodeMetricsRequestJson({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "g", gauge: { dataPoints: points } }] }] }],
    });
    expect(result.rejectedDataPoints).toBe(5);
    const kept = result.metrics[0]?.data.points[0];
    expect(Object.getPrototypeOf(kept?.attributes)).toBe(Object.prototype);
    expect(Object.keys(kept?.attributes ?? {})).toEqual(["__proto__"]);
    expect(outcome(() => result)).toBe("ok");
  });
});

describe("POST /v1/metrics with hostile bodies", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  const send = (body: Uint8Array | string, contentType: string, encoding?: string) =>
    fetch(`${app.base}/v1/metrics`, {
      method: "POST",
      headers: { "content-type": contentType, ...(encoding ? { "content-encoding": encoding } : {}) },
      body: typeof body === "string" ? body : new Uint8Array(body),
    });

  it("answers 400, 413 and 415 with a reason, and still takes the next good request", async () => {
    const garbage = await send(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), "application/x-protobuf");
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get("content-type")).toBe("application/x-protobuf");

    const badJson = await send("{", "application/json");
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).message).toMatch(
      /^cannot decode JSON ExportMetricsServiceRequest: body is not valid JSON/,
    );

    const text = await send("x", "text/plain");
    expect(text.status).toBe(415);

    const bomb = await send(gzipSync(Buffer.alloc(64 * 1024 * 1024)), "application/x-protobuf", "gzip");
    expect(bomb.status).toBe(413);

    const good = await send(validBody, "application/x-protobuf");
    expect(good.status).toBe(200);
    expect((await fetch(`${app.base}/api/metrics`).then((r) => r.json())).metrics).toHaveLength(5);
    const health = await fetch(`${app.base}/api/health`).then((r) => r.json());
    expect(health.counts.rejectedRequests).toBe(4);
  });

  it("answers a partial success in protobuf for rejected points", async () => {
    const request = {
      resourceMetrics: [
        {
          scopeMetrics: [
            { metrics: [{ name: "g", gauge: { dataPoints: [{ asDouble: 1 }, { timeUnixNano: T, asDouble: 2 }] } }] },
          ],
        },
      ],
    };
    const response = await send(Request.encode(Request.fromObject(request)).finish(), "application/x-protobuf");
    expect(response.status).toBe(200);
    const Response = root.lookupType(`${PKG}.ExportMetricsServiceResponse`);
    const decoded = Response.toObject(Response.decode(new Uint8Array(await response.arrayBuffer())), { longs: Number });
    expect(decoded).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage: "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[0]: timeUnixNano is missing",
      },
    });
  });
});
