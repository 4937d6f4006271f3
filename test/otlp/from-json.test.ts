import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../../src/otlp/json/metrics.js";
import { parseOtlpJson } from "../../src/otlp/json/parse.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { encodeExportRequestFromJson } from "../../src/otlp/protobuf/from-json.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import { decodeMetricsRequestProtobuf } from "../../src/otlp/protobuf/metrics.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";
import { jsonLogRequest, RECEIVED } from "./log-sample-request.js";
import { jsonRequest } from "./sample-request.js";

const fixture = (name: string): unknown =>
  parseOtlpJson(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url)));

describe("OTLP/JSON → protobuf for forwarding: decode(encode(json)) equals decode(json)", () => {
  it("round-trips the trace fixture and the lenient sample request (kvlist, bytes, big ints, non-finite doubles, invalid ids)", () => {
    for (const json of [fixture("trace.json"), jsonRequest()]) {
      const bytes = encodeExportRequestFromJson("/v1/traces", json);
      expect(decodeTraceRequestProtobuf(bytes)).toEqual(decodeTraceRequestJson(json));
    }
  });

  it("forwards an intValue that is a finite number but no int64 as the double the local decoder keeps", () => {
    const intValues = [
      "18446744073709552000",
      "1e+21",
      "9223372036854775808",
      2 ** 64,
      "-0.0",
      "7",
      "-9223372036854775808",
    ];
    const json = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "a".repeat(32),
                  spanId: "b".repeat(16),
                  attributes: intValues.map((intValue, i) => ({ key: `k${i}`, value: { intValue } })),
                },
              ],
            },
          ],
        },
      ],
    };
    const local = decodeTraceRequestJson(json);
    expect(local.rejectedSpans).toBe(0);
    expect(decodeTraceRequestProtobuf(encodeExportRequestFromJson("/v1/traces", json))).toStrictEqual(local);
  });

  it("writes the OpenTelemetry API kinds of a TraceKit SDK's local-UI body as OTLP's, as the local decoder reads them", () => {
    const json = fixture("trace.json") as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const spans = json.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    const first = spans[0] as Record<string, unknown>;
    spans.push({ ...first, spanId: "1111111111111111", kind: 1 }, { ...first, spanId: "2222222222222222" });
    delete (spans[2] as Record<string, unknown>).kind;
    const local = decodeTraceRequestJson(json, { apiSpanKinds: true });
    const forwarded = decodeTraceRequestProtobuf(
      encodeExportRequestFromJson("/v1/traces", json, { apiSpanKinds: true }),
    );
    expect(forwarded).toEqual(local);
    expect(forwarded.spans.map((s) => s.kind)).toEqual(["CLIENT", "SERVER", "INTERNAL"]);
  });

  it("round-trips the log fixtures and the lenient log sample", () => {
    for (const json of [fixture("logs.json"), fixture("events.json"), jsonLogRequest()]) {
      const bytes = encodeExportRequestFromJson("/v1/logs", json);
      const options = { receivedUnixNano: RECEIVED };
      expect(decodeLogRequestProtobuf(bytes, options)).toEqual(decodeLogRequestJson(json, options));
    }
  });

  it("round-trips the metrics fixture, with NaN and Infinity and int64 values", () => {
    const json = fixture("metrics.json") as { resourceMetrics: { scopeMetrics: { metrics: unknown[] }[] }[] };
    json.resourceMetrics[0]?.scopeMetrics[0]?.metrics.push(
      {
        name: "odd.values",
        gauge: {
          dataPoints: [
            { asDouble: "NaN", timeUnixNano: "1700000000000000001" },
            { asDouble: "-Infinity", timeUnixNano: "1700000000000000002" },
            { asInt: "-9007199254740993", timeUnixNano: "1700000000000000003" },
          ],
        },
      },
      {
        name: "latency.summary",
        summary: {
          dataPoints: [
            {
              timeUnixNano: "1700000000000000004",
              count: "3",
              sum: 12.5,
              quantileValues: [
                { quantile: 0.5, value: 4 },
                { quantile: 1, value: "Infinity" },
              ],
            },
          ],
        },
      },
    );
    const bytes = encodeExportRequestFromJson("/v1/metrics", json);
    const forwarded = decodeMetricsRequestProtobuf(bytes);
    expect(forwarded).toEqual(decodeMetricsRequestJson(json));
    // Non-finite metric values are kept by both readings alike, as points without a recorded value
    // (a summary's non-finite quantile is still refused).
    expect(forwarded.rejectedDataPoints).toBe(1);
  });
});
