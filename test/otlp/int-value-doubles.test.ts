/**
 * An AnyValue `intValue` that is a finite number but no int64: the TraceKit Node SDK writes every
 * integral JS number as `String(v)` (2 ** 64 → "18446744073709552000", 1e21 → "1e+21"), and Python
 * sends ints of any size. Every OTLP/JSON reader keeps it as that double instead of refusing the span,
 * log record or data point, and export writes it back as a `doubleValue` that imports as the same value.
 */
import { describe, expect, it } from "vitest";
import { encodeTraceRequestJson } from "../../src/otlp/json/encode-traces.js";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeMetricsRequestJson } from "../../src/otlp/json/metrics.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import { transcodeTraceRequestJson } from "../../src/otlp/json/transcode-traces.js";
import { decodeTraceRequestProtobuf } from "../../src/otlp/protobuf/traces.js";

const SPELLINGS: [unknown, number][] = [
  ["18446744073709552000", 2 ** 64],
  ["1e+21", 1e21],
  ["-1e+21", -1e21],
  ["9223372036854775808", 2 ** 63],
  [2 ** 64, 2 ** 64],
  ["2.5", 2.5],
  [`1${"0".repeat(40)}`, 1e40],
];
const attributes = () => SPELLINGS.map(([intValue], i) => ({ key: `k${i}`, value: { intValue } }));
const expected = Object.fromEntries(SPELLINGS.map(([, n], i) => [`k${i}`, n]));

describe("an intValue that is a finite number but no int64", () => {
  it("is kept as a double on spans, and survives export and import (JSON and protobuf)", () => {
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [{ traceId: "a".repeat(32), spanId: "b".repeat(16), name: "root", attributes: attributes() }],
            },
          ],
        },
      ],
    };
    const decoded = decodeTraceRequestJson(request);
    expect(decoded.rejectedSpans).toBe(0);
    expect(decoded.spans[0]?.attributes).toStrictEqual(expected);

    const exported = JSON.stringify(encodeTraceRequestJson(decoded.spans));
    expect(exported).toContain('{"doubleValue":1e+21}');
    const imported = decodeTraceRequestJson(JSON.parse(exported));
    expect(imported.spans).toStrictEqual(decoded.spans);
    const transcoded = transcodeTraceRequestJson(new TextEncoder().encode(exported));
    expect(transcoded).not.toBeNull();
    expect(decodeTraceRequestProtobuf(transcoded?.bytes as Uint8Array).spans).toStrictEqual(decoded.spans);
  });

  it("is kept as a double on log records (attributes and body)", () => {
    const result = decodeLogRequestJson({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { intValue: "1e+21" }, attributes: attributes() }] }] }],
    });
    expect(result.rejectedLogRecords).toBe(0);
    expect(result.logs[0]?.body).toBe(1e21);
    expect(result.logs[0]?.attributes).toStrictEqual(expected);
  });

  it("is kept as a double on metric data points", () => {
    const result = decodeMetricsRequestJson({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "bytes",
                  gauge: {
                    dataPoints: [{ timeUnixNano: "1700000000000000000", asDouble: 1, attributes: attributes() }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(result.rejectedDataPoints).toBe(0);
    expect(result.metrics[0]?.data.points[0]?.attributes).toStrictEqual(expected);
  });

  it("is still refused when it is no number at all", () => {
    for (const intValue of ["abc", "12x", "", "1e999", "NaN"]) {
      const result = decodeTraceRequestJson({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: "a".repeat(32), spanId: "b".repeat(16), attributes: [{ key: "k", value: { intValue } }] },
                ],
              },
            ],
          },
        ],
      });
      expect(result.rejectedSpans, intValue).toBe(1);
    }
  });
});
