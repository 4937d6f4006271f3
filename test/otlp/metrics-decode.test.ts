import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { NumberPoint, ReceivedMetric } from "../../src/domain/metric.js";
import { decodeMetricsRequestJson } from "../../src/otlp/json/metrics.js";
import type { MetricDecodeResult } from "../../src/otlp/metrics.js";
import { decodeMetricsRequestProtobuf } from "../../src/otlp/protobuf/metrics.js";
import { loadOtlpMetricsRoot, PKG } from "./helpers.js";

const root = loadOtlpMetricsRoot();
const Request = root.lookupType(`${PKG}.ExportMetricsServiceRequest`);

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));
}

/** The request encoded by an independent protobuf encoder, from its OTLP/JSON-shaped object. */
function protobufOf(request: Record<string, unknown>): Uint8Array {
  const message = Request.fromObject(request);
  expect(Request.verify(message)).toBeNull();
  return Request.encode(message).finish();
}

/** Decodes with both decoders and checks they agree. */
function decodeBoth(json: Record<string, unknown>, proto: Record<string, unknown> = json): MetricDecodeResult {
  const fromJson = decodeMetricsRequestJson(json);
  expect(decodeMetricsRequestProtobuf(protobufOf(proto))).toStrictEqual(fromJson);
  return fromJson;
}

const T = "1544712660300000000";
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One resource and scope holding `metrics`. */
function request(metrics: unknown[], scope = "my.library", service = "checkout"): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr("service.name", service)] },
        scopeMetrics: [{ scope: { name: scope }, metrics }],
      },
    ],
  };
}

describe("opentelemetry-proto examples/metrics.json", () => {
  it("reads every type and field, the same from JSON and protobuf", () => {
    const result = decodeBoth(example("metrics.json"));
    const resource = { "service.name": "my.service" };
    const common = {
      startTimeUnixNano: 1544712660300000000n,
      timeUnixNano: 1544712660300000000n,
      exemplars: [],
      noRecordedValue: false,
    };
    const expected: ReceivedMetric[] = [
      {
        descriptor: {
          name: "my.counter",
          description: "I am a Counter",
          unit: "1",
          kind: "sum",
          temporality: "delta",
          monotonic: true,
          tracekit: false,
        },
        service: "my.service",
        resource,
        data: { kind: "sum", points: [{ ...common, attributes: { "my.counter.attr": "some value" }, value: 5 }] },
      },
      {
        descriptor: { name: "my.gauge", description: "I am a Gauge", unit: "1", kind: "gauge", tracekit: false },
        service: "my.service",
        resource,
        data: {
          kind: "gauge",
          points: [{ ...common, startTimeUnixNano: 0n, attributes: { "my.gauge.attr": "some value" }, value: 10 }],
        },
      },
      {
        descriptor: {
          name: "my.histogram",
          description: "I am a Histogram",
          unit: "1",
          kind: "histogram",
          temporality: "delta",
          tracekit: false,
        },
        service: "my.service",
        resource,
        data: {
          kind: "histogram",
          points: [
            {
              ...common,
              attributes: { "my.histogram.attr": "some value" },
              count: 2,
              sum: 2,
              min: 0,
              max: 2,
              bounds: [1],
              counts: [1, 1],
            },
          ],
        },
      },
      {
        descriptor: {
          name: "my.exponential.histogram",
          description: "I am an Exponential Histogram",
          unit: "1",
          kind: "exponentialHistogram",
          temporality: "delta",
          tracekit: false,
        },
        service: "my.service",
        resource,
        data: {
          kind: "exponentialHistogram",
          points: [
            {
              ...common,
              attributes: { "my.exponential.histogram.attr": "some value" },
              count: 3,
              sum: 10,
              min: 0,
              max: 5,
              scale: 0,
              zeroCount: 1,
              zeroThreshold: 0,
              positive: { offset: 1, counts: [0, 2] },
              negative: { offset: 0, counts: [] },
            },
          ],
        },
      },
    ];
    expect(result).toStrictEqual({ metrics: expected, rejectedDataPoints: 0, errors: [] });
  });

  it("finds no metrics in the other signals' examples rather than failing", () => {
    for (const name of ["trace.json", "logs.json", "events.json"]) {
      expect(decodeMetricsRequestJson(example(name))).toStrictEqual({ metrics: [], rejectedDataPoints: 0, errors: [] });
    }
  });
});

describe("values, flags, exemplars and summaries", () => {
  it("reads int64 values beyond 2^53 and negative ones, and the NO_RECORDED_VALUE flag", () => {
    const result = decodeBoth(
      request([
        {
          name: "big",
          gauge: {
            dataPoints: [
              { timeUnixNano: T, asInt: "9007199254740993" },
              { timeUnixNano: T, asInt: "-42" },
              { timeUnixNano: T, flags: 1 },
            ],
          },
        },
      ]),
    );
    const points = result.metrics[0]?.data.points as { value: number; noRecordedValue: boolean }[];
    expect(points.map((p) => [p.value, p.noRecordedValue])).toEqual([
      [2 ** 53, false],
      [-42, false],
      [0, true],
    ]);
  });

  it("keeps exemplars with their trace and span ids (lower-case hex) and filtered attributes", () => {
    const traceId = "5B8EFFF798038103D269B633813FC60C";
    const spanId = "EEE19B7EC3C1B174";
    const json = request([
      {
        name: "latency",
        unit: "ms",
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [
            {
              startTimeUnixNano: "1544712600000000000",
              timeUnixNano: T,
              count: "3",
              sum: 42.5,
              bucketCounts: ["1", "2", "0"],
              explicitBounds: [10, 100],
              exemplars: [
                { timeUnixNano: T, asDouble: 37.5, traceId, spanId, filteredAttributes: [attr("user", "ann")] },
                { timeUnixNano: T, asInt: "7" },
              ],
            },
          ],
        },
      },
    ]);
    // Ids are bytes in protobuf.
    const proto = structuredClone(json);
    const exemplars = (proto as any).resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].exemplars;
    exemplars[0].traceId = Buffer.from(traceId, "hex");
    exemplars[0].spanId = Buffer.from(spanId, "hex");
    const result = decodeBoth(json, proto);
    const point = result.metrics[0]?.data.points[0];
    expect(result.metrics[0]?.descriptor).toMatchObject({ unit: "ms", temporality: "cumulative" });
    expect(point?.exemplars).toStrictEqual([
      {
        timeUnixNano: 1544712660300000000n,
        value: 37.5,
        traceId: traceId.toLowerCase(),
        spanId: spanId.toLowerCase(),
        attributes: { user: "ann" },
      },
      { timeUnixNano: 1544712660300000000n, value: 7, traceId: null, spanId: null, attributes: {} },
    ]);
  });

  it("reads summaries (quantiles in order) and exponential histograms with negative scale and offsets", () => {
    const result = decodeBoth(
      request([
        {
          name: "rpc.latency",
          summary: {
            dataPoints: [
              {
                timeUnixNano: T,
                count: "10",
                sum: 55,
                quantileValues: [
                  { quantile: 0.99, value: 9.9 },
                  { quantile: 0.5, value: 5 },
                ],
              },
            ],
          },
        },
        {
          name: "exp",
          exponentialHistogram: {
            aggregationTemporality: 1,
            dataPoints: [
              {
                timeUnixNano: T,
                count: "4",
                scale: -2,
                zeroCount: "1",
                zeroThreshold: 0.5,
                positive: { offset: -3, bucketCounts: ["2"] },
                negative: { offset: 1, bucketCounts: ["0", "1"] },
              },
            ],
          },
        },
      ]),
    );
    expect(result.metrics[0]?.data.points[0]).toMatchObject({
      count: 10,
      sum: 55,
      quantiles: [
        { quantile: 0.5, value: 5 },
        { quantile: 0.99, value: 9.9 },
      ],
    });
    expect(result.metrics[1]?.data.points[0]).toMatchObject({
      scale: -2,
      zeroCount: 1,
      zeroThreshold: 0.5,
      sum: null,
      positive: { offset: -3, counts: [2] },
      negative: { offset: 1, counts: [0, 1] },
    });
  });
});

describe("TraceKit SDK metrics (scope `tracekit`)", () => {
  it("reads counters (temporality 2) as delta increments and marks the metrics", () => {
    const result = decodeMetricsRequestJson(
      request(
        [
          {
            name: "orders.placed",
            sum: { dataPoints: [{ timeUnixNano: T, asDouble: 1 }], aggregationTemporality: 2, isMonotonic: true },
          },
          { name: "request.duration", gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 12.5 }] } },
        ],
        "tracekit",
      ),
    );
    expect(result.metrics.map((m) => m.descriptor)).toEqual([
      {
        name: "orders.placed",
        description: "",
        unit: "",
        kind: "sum",
        temporality: "delta",
        monotonic: true,
        tracekit: true,
      },
      { name: "request.duration", description: "", unit: "", kind: "gauge", tracekit: true },
    ]);
  });
});

describe("rejected data points", () => {
  it("rejects bad points alone, with the reasons, and keeps the rest", () => {
    const good = { timeUnixNano: T, asDouble: 1 };
    const result = decodeBoth(
      request([
        { name: "", gauge: { dataPoints: [good, good] } },
        { name: "no.temporality", sum: { dataPoints: [good], isMonotonic: true } },
        { name: "points", gauge: { dataPoints: [good, { asDouble: 2 }, { timeUnixNano: T }, good] } },
        {
          name: "h",
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [
              { timeUnixNano: T, count: "1", bucketCounts: ["1"], explicitBounds: [1] },
              { timeUnixNano: T, count: "1", bucketCounts: ["0", "1"], explicitBounds: [2, 1] },
            ],
          },
        },
        { name: "s", summary: { dataPoints: [{ timeUnixNano: T, quantileValues: [{ quantile: 1.5, value: 1 }] }] } },
        {
          name: "e",
          exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, scale: 21 }] },
        },
      ]),
    );
    expect(result.metrics.map((m) => [m.descriptor.name, m.data.points.length])).toEqual([["points", 2]]);
    expect(result.rejectedDataPoints).toBe(9);
    const where = "resourceMetrics[0].scopeMetrics[0].metrics";
    expect(result.errors).toEqual([
      `${where}[0]: metric has no name`,
      `${where}[1]: aggregationTemporality 0 is neither DELTA (1) nor CUMULATIVE (2)`,
      `${where}[2].dataPoints[1]: timeUnixNano is missing`,
      `${where}[2].dataPoints[2]: has no value (asDouble or asInt)`,
      `${where}[3].dataPoints[0]: has 1 bucketCounts for 1 explicitBounds (needs 2)`,
    ]);
  });

  it("rejects a histogram point with bounds but no bucketCounts, and keeps one with neither", () => {
    const result = decodeBoth(
      request([
        {
          name: "h",
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [
              { timeUnixNano: T, count: "4", sum: 10, explicitBounds: [5, 10] },
              { timeUnixNano: T, count: "4", sum: 10 },
              // A staleness marker (flags: NO_RECORDED_VALUE) may carry the bounds alone: kept, as a gap.
              { timeUnixNano: T, flags: 1, explicitBounds: [5, 10] },
            ],
          },
        },
      ]),
    );
    expect(result.metrics.map((m) => [m.descriptor.name, m.data.points.length])).toEqual([["h", 2]]);
    expect(result.errors).toEqual([
      "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[0]: has 2 explicitBounds but no bucketCounts (both or neither)",
    ]);
  });

  it("rejects negative values of a monotonic sum, delta or cumulative, naming the metric", () => {
    const sum = (name: string, temporality: number, monotonic: boolean, points: unknown[]) => ({
      name,
      sum: { aggregationTemporality: temporality, isMonotonic: monotonic, dataPoints: points },
    });
    const at = (value: Record<string, unknown>) => ({
      startTimeUnixNano: "1544712650300000000",
      timeUnixNano: T,
      ...value,
    });
    const result = decodeBoth(
      request([
        sum("requests.delta", 1, true, [at({ asInt: "-50" }), at({ asInt: "7" })]),
        // A cumulative total lower than the last one but not negative is a reset, kept.
        sum("requests.total", 2, true, [at({ asDouble: 100 }), at({ asDouble: -0.5 }), at({ asDouble: 40 })]),
        // An up-down counter and a gauge may go below 0; a non-finite value and a point flagged as
        // recording nothing are points without a value, as on any sum.
        sum("queue.depth", 2, false, [at({ asInt: "-3" })]),
        { name: "temperature", gauge: { dataPoints: [at({ asDouble: -12 })] } },
        sum("requests.gaps", 1, true, [at({ asDouble: "-Infinity" }), at({ asInt: "-1", flags: 1 })]),
      ]),
      request([
        sum("requests.delta", 1, true, [at({ asInt: "-50" }), at({ asInt: "7" })]),
        sum("requests.total", 2, true, [at({ asDouble: 100 }), at({ asDouble: -0.5 }), at({ asDouble: 40 })]),
        sum("queue.depth", 2, false, [at({ asInt: "-3" })]),
        { name: "temperature", gauge: { dataPoints: [at({ asDouble: -12 })] } },
        sum("requests.gaps", 1, true, [at({ asDouble: Number.NEGATIVE_INFINITY }), at({ asInt: "-1", flags: 1 })]),
      ]),
    );
    expect(
      result.metrics.map((m) => [m.descriptor.name, (m.data.points as NumberPoint[]).map((p) => p.value)]),
    ).toEqual([
      ["requests.delta", [7]],
      ["requests.total", [100, 40]],
      ["queue.depth", [-3]],
      ["temperature", [-12]],
      ["requests.gaps", [0, 0]],
    ]);
    expect(result.rejectedDataPoints).toBe(2);
    const where = "resourceMetrics[0].scopeMetrics[0].metrics";
    expect(result.errors).toEqual([
      `${where}[0].dataPoints[0]: monotonic sum "requests.delta" has a negative value (-50); a counter only counts up from 0`,
      `${where}[1].dataPoints[1]: monotonic sum "requests.total" has a negative value (-0.5); a counter only counts up from 0`,
    ]);
  });

  it("rejects a histogram point whose count is not the total of its buckets, and keeps one without buckets", () => {
    const histogram = (points: unknown[]) => ({
      name: "latency",
      histogram: { aggregationTemporality: 1, dataPoints: points },
    });
    const exponential = (points: unknown[]) => ({
      name: "latency.exp",
      exponentialHistogram: { aggregationTemporality: 1, dataPoints: points },
    });
    const result = decodeBoth(
      request([
        histogram([
          { timeUnixNano: T, count: "100", bucketCounts: ["1", "3"], explicitBounds: [10] },
          { timeUnixNano: T, count: "4", bucketCounts: ["1", "3"], explicitBounds: [10] },
          { timeUnixNano: T, count: "3", bucketCounts: ["1", "3"], explicitBounds: [10] },
          // Without buckets, count and sum are the whole point (OTLP allows it).
          { timeUnixNano: T, count: "100", sum: 250 },
          { timeUnixNano: T, count: "2", bucketCounts: ["2"] },
          { timeUnixNano: T, flags: 1, count: "0", bucketCounts: ["1", "3"], explicitBounds: [10] },
        ]),
        exponential([
          {
            timeUnixNano: T,
            count: "4",
            zeroCount: "1",
            positive: { offset: 0, bucketCounts: ["2"] },
            negative: { offset: 0, bucketCounts: ["1"] },
          },
          { timeUnixNano: T, count: "9", zeroCount: "1", positive: { offset: 0, bucketCounts: ["2"] } },
          // OTLP: an exponential point's count is zeroCount plus its buckets, with buckets or without.
          { timeUnixNano: T, count: "5" },
          { timeUnixNano: T, count: "5", zeroCount: "5" },
          { timeUnixNano: T, count: "0" },
        ]),
      ]),
    );
    expect(
      result.metrics.map((m) => [m.descriptor.name, m.data.points.map((p) => (p as { count: number }).count)]),
    ).toEqual([
      ["latency", [4, 100, 2, 0]],
      ["latency.exp", [4, 5, 0]],
    ]);
    expect(result.rejectedDataPoints).toBe(4);
    const where = "resourceMetrics[0].scopeMetrics[0].metrics";
    expect(result.errors).toEqual([
      `${where}[0].dataPoints[0]: histogram "latency" has count 100 but its bucketCounts add up to 4`,
      `${where}[0].dataPoints[2]: histogram "latency" has count 3 but its bucketCounts add up to 4`,
      `${where}[1].dataPoints[1]: exponential histogram "latency.exp" has count 9 but zeroCount and its bucketCounts add up to 3`,
      `${where}[1].dataPoints[2]: exponential histogram "latency.exp" has count 5 but zeroCount and its bucketCounts add up to 0`,
    ]);
  });

  it("rejects JSON points of the wrong shape and a metric with two data fields; a non-finite value is a point without one", () => {
    const result = decodeMetricsRequestJson(
      request([
        {
          name: "g",
          gauge: {
            dataPoints: [
              "x",
              { timeUnixNano: "soon", asDouble: 1 },
              { timeUnixNano: T, asDouble: "NaN" },
              { timeUnixNano: T, asDouble: "2.5" },
            ],
          },
        },
        { name: "both", gauge: { dataPoints: [{}] }, sum: { dataPoints: [{}, {}] } },
      ]),
    );
    // NaN (a Prometheus staleness marker) is a value OTLP allows: kept, as a point with no recorded value.
    expect(
      result.metrics[0]?.data.points.map((p) => [(p as NumberPoint).noRecordedValue, (p as NumberPoint).value]),
    ).toEqual([
      [true, 0],
      [false, 2.5],
    ]);
    expect(result.rejectedDataPoints).toBe(5);
    expect(result.errors).toEqual([
      'resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[0]: data point "x" is not an object',
      'resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]: timeUnixNano "soon" is not an unsigned 64-bit integer',
      "resourceMetrics[0].scopeMetrics[0].metrics[1]: metric has more than one data field (gauge, sum)",
    ]);
  });
});
