/**
 * One request the OTel SDK would never produce (kvlist, bytes, int64 past 2^53, non-finite doubles,
 * out-of-range enums, all-zero parents, invalid ids), in three forms: the object protobufjs encodes,
 * the same request as lenient OTLP/JSON, and the TraceDecodeResult both decoders must return.
 */
import { type BytesPlace, INT_MARK } from "../../src/domain/bytes-places.js";
import type { Attributes, Span } from "../../src/domain/span.js";
import type { TraceDecodeResult } from "../../src/otlp/traces.js";
import { hexBytes } from "./helpers.js";

export const TRACE = "0af7651916cd43dd8448eb211c80319c";
export const ROOT = "b7ad6b7169203331";
const CHILD = "00f067aa0ba902b7";
const OTHER = "00f067aa0ba902b8";
const LINK_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const ZERO8 = "0000000000000000";
const START = 1700000000123456789n;
const END = 1700000000987654321n;

/** A request in the shape protobufjs `fromObject` takes (ids as bytes, 64-bit values as strings). */
export function protoRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "checkout" } },
            { key: "host.arch", value: { stringValue: "amd64" } },
            { key: "host.key", value: { bytesValue: Uint8Array.from([1, 2]) } },
            {
              key: "host.keys",
              value: { arrayValue: { values: [{ stringValue: "AQI=" }, { bytesValue: Uint8Array.from([1, 2]) }] } },
            },
          ],
          droppedAttributesCount: 1,
        },
        schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
        scopeSpans: [
          {
            scope: {
              name: "io.test",
              version: "2.1",
              attributes: [
                { key: "scope.attr", value: { stringValue: "v" } },
                { key: "scope.blob", value: { bytesValue: Uint8Array.from([3]) } },
              ],
            },
            spans: [
              {
                traceId: hexBytes(TRACE),
                spanId: hexBytes(ROOT),
                parentSpanId: hexBytes(ZERO8),
                traceState: "congo=t61rcWkgMzE",
                flags: 257,
                name: "GET /cart",
                kind: 2,
                startTimeUnixNano: START.toString(),
                endTimeUnixNano: END.toString(),
                attributes: [
                  { key: "str", value: { stringValue: "hello" } },
                  { key: "big", value: { intValue: "4611686018427387905" } },
                  { key: "neg.big", value: { intValue: "-1152921504606846976" } },
                  { key: "safe", value: { intValue: "9007199254740991" } },
                  { key: "neg", value: { intValue: "-42" } },
                  { key: "nan", value: { doubleValue: Number.NaN } },
                  { key: "inf", value: { doubleValue: Number.POSITIVE_INFINITY } },
                  { key: "ninf", value: { doubleValue: Number.NEGATIVE_INFINITY } },
                  { key: "dbl", value: { doubleValue: 3.25 } },
                  { key: "bool", value: { boolValue: false } },
                  { key: "bytes", value: { bytesValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) } },
                  {
                    key: "nested",
                    value: {
                      arrayValue: {
                        values: [
                          { bytesValue: Uint8Array.from([4, 5]) },
                          {
                            kvlistValue: {
                              values: [
                                { key: "id", value: { stringValue: "replaced" } },
                                { key: "name", value: { bytesValue: Uint8Array.from([7]) } },
                                { key: "name", value: { stringValue: "n" } },
                                { key: "id", value: { bytesValue: Uint8Array.from([6]) } },
                              ],
                            },
                          },
                        ],
                      },
                    },
                  },
                  {
                    key: "arr",
                    value: {
                      arrayValue: {
                        values: [
                          { intValue: "1" },
                          { stringValue: "two" },
                          { doubleValue: 3.5 },
                          { boolValue: true },
                          {},
                        ],
                      },
                    },
                  },
                  {
                    key: "kv",
                    value: {
                      kvlistValue: {
                        values: [
                          {
                            key: "inner",
                            value: { kvlistValue: { values: [{ key: "deeper", value: { stringValue: "x" } }] } },
                          },
                          { key: "__proto__", value: { stringValue: "not a prototype" } },
                          { key: "list", value: { arrayValue: { values: [{ arrayValue: {} }] } } },
                        ],
                      },
                    },
                  },
                  { key: "empty", value: {} },
                  { key: "novalue" },
                  { key: "dup", value: { intValue: "1" } },
                  { key: "dup", value: { intValue: "2" } },
                ],
                droppedAttributesCount: 3,
                events: [
                  {
                    timeUnixNano: "1700000000500000001",
                    name: "exception",
                    attributes: [
                      { key: "exception.type", value: { stringValue: "Error" } },
                      { key: "exception.message", value: { stringValue: "bad" } },
                      { key: "exception.payload", value: { bytesValue: Uint8Array.from([1, 2, 3]) } },
                    ],
                    droppedAttributesCount: 1,
                  },
                  { name: "" },
                ],
                droppedEventsCount: 1,
                links: [
                  {
                    traceId: hexBytes(LINK_TRACE),
                    spanId: hexBytes(OTHER),
                    traceState: "rojo=00f067aa0ba902b7",
                    attributes: [
                      { key: "link.kind", value: { stringValue: "follows" } },
                      { key: "link.token", value: { bytesValue: Uint8Array.from([0, 1]) } },
                    ],
                    droppedAttributesCount: 4,
                    flags: 1,
                  },
                  { traceId: hexBytes("00".repeat(16)), spanId: hexBytes(OTHER) },
                  { traceId: hexBytes(LINK_TRACE), spanId: hexBytes(ROOT) },
                ],
                droppedLinksCount: 2,
                status: { code: 2, message: "boom" },
              },
              {
                traceId: hexBytes(TRACE),
                spanId: hexBytes(CHILD),
                parentSpanId: hexBytes(ROOT),
                kind: 5,
                startTimeUnixNano: "1",
                endTimeUnixNano: "0",
              },
              {
                traceId: hexBytes(TRACE),
                spanId: hexBytes(OTHER),
                parentSpanId: hexBytes(CHILD),
                name: "odd enums",
                kind: 9,
                status: { code: 7, message: "" },
              },
              // Rejected: parent of 7 bytes; all-zero span id; trace id of 15 bytes; no span id.
              { traceId: hexBytes(TRACE), spanId: hexBytes(OTHER), parentSpanId: hexBytes("00112233445566") },
              { traceId: hexBytes(TRACE), spanId: hexBytes(ZERO8) },
              { traceId: hexBytes(TRACE.slice(2)), spanId: hexBytes(OTHER) },
              { traceId: hexBytes(TRACE) },
            ],
          },
        ],
      },
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: hexBytes(LINK_TRACE),
                spanId: hexBytes(OTHER),
                name: "orphan",
                kind: 1,
                startTimeUnixNano: "18446744073709551615",
                endTimeUnixNano: "18446744073709551615",
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The same request as OTLP/JSON, using every lenient spelling the decoder promises to accept. */
export function jsonRequest(): unknown {
  return {
    resource_spans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: "checkout" } },
            { key: "host.arch", value: { string_value: "amd64" } },
            { key: "host.key", value: { bytes_value: "AQI" } },
            { key: "host.keys", value: { arrayValue: { values: [{ stringValue: "AQI=" }, { bytesValue: "AQI=" }] } } },
          ],
          dropped_attributes_count: 1,
        },
        schemaUrl: "https://opentelemetry.io/schemas/1.24.0",
        futureResourceField: { anything: [1, 2, 3] },
        scope_spans: [
          {
            scope: {
              name: "io.test",
              version: "2.1",
              attributes: [
                { key: "scope.attr", value: { stringValue: "v" } },
                { key: "scope.blob", value: { bytesValue: "Aw" } },
              ],
            },
            spans: [
              {
                trace_id: TRACE.toUpperCase(),
                spanId: ROOT.toUpperCase(),
                parentSpanId: ZERO8,
                trace_state: "congo=t61rcWkgMzE",
                flags: 257,
                name: "GET /cart",
                kind: "SPAN_KIND_SERVER",
                startTimeUnixNano: START.toString(),
                end_time_unix_nano: END.toString(),
                futureSpanField: "ignored",
                attributes: [
                  { key: "str", value: { stringValue: "hello" } },
                  { key: "big", value: { intValue: "4611686018427387905" } },
                  { key: "neg.big", value: { int_value: "-1152921504606846976" } },
                  { key: "safe", value: { intValue: 9007199254740991 } },
                  { key: "neg", value: { intValue: -42 } },
                  { key: "nan", value: { doubleValue: "NaN" } },
                  { key: "inf", value: { doubleValue: "Infinity" } },
                  { key: "ninf", value: { double_value: "-Infinity" } },
                  { key: "dbl", value: { doubleValue: 3.25 } },
                  { key: "bool", value: { boolValue: false } },
                  // URL-safe alphabet without padding: both are valid in the protobuf JSON mapping.
                  { key: "bytes", value: { bytesValue: "3q2-7w" } },
                  {
                    key: "nested",
                    value: {
                      arrayValue: {
                        values: [
                          { bytesValue: "BAU=" },
                          {
                            kvlistValue: {
                              values: [
                                { key: "id", value: { stringValue: "replaced" } },
                                { key: "name", value: { bytesValue: "Bw==" } },
                                { key: "name", value: { stringValue: "n" } },
                                { key: "id", value: { bytes_value: "Bg" } },
                              ],
                            },
                          },
                        ],
                      },
                    },
                  },
                  {
                    key: "arr",
                    value: {
                      arrayValue: {
                        values: [
                          { intValue: "1" },
                          { stringValue: "two" },
                          { doubleValue: 3.5 },
                          { boolValue: true },
                          {},
                        ],
                      },
                    },
                  },
                  {
                    key: "kv",
                    value: {
                      kvlist_value: {
                        values: [
                          {
                            key: "inner",
                            value: { kvlistValue: { values: [{ key: "deeper", value: { stringValue: "x" } }] } },
                          },
                          { key: "__proto__", value: { stringValue: "not a prototype" } },
                          { key: "list", value: { array_value: { values: [{ arrayValue: {} }] } } },
                        ],
                      },
                    },
                  },
                  { key: "empty", value: {} },
                  { key: "novalue" },
                  { key: "dup", value: { intValue: 1 } },
                  { key: "dup", value: { intValue: "2" } },
                ],
                droppedAttributesCount: 3,
                events: [
                  {
                    time_unix_nano: "1700000000500000001",
                    name: "exception",
                    attributes: [
                      { key: "exception.type", value: { stringValue: "Error" } },
                      { key: "exception.message", value: { stringValue: "bad" } },
                      { key: "exception.payload", value: { bytesValue: "AQID" } },
                    ],
                    droppedAttributesCount: "1",
                  },
                  { name: "" },
                ],
                dropped_events_count: 1,
                links: [
                  {
                    traceId: LINK_TRACE,
                    span_id: OTHER.toUpperCase(),
                    traceState: "rojo=00f067aa0ba902b7",
                    attributes: [
                      { key: "link.kind", value: { stringValue: "follows" } },
                      { key: "link.token", value: { bytes_value: "AAE=" } },
                    ],
                    dropped_attributes_count: 4,
                    flags: 1,
                  },
                  { traceId: "00".repeat(16), spanId: OTHER },
                  { traceId: LINK_TRACE, spanId: ROOT },
                ],
                droppedLinksCount: "2",
                status: { code: "STATUS_CODE_ERROR", message: "boom" },
              },
              {
                traceId: TRACE,
                spanId: CHILD,
                parent_span_id: ROOT,
                kind: 5,
                startTimeUnixNano: 1,
                endTimeUnixNano: "0",
                status: null,
              },
              {
                traceId: TRACE,
                spanId: OTHER,
                parentSpanId: CHILD,
                name: "odd enums",
                kind: 9,
                status: { code: 7 },
              },
              { traceId: TRACE, spanId: OTHER, parentSpanId: "00112233445566" },
              { traceId: TRACE, spanId: ZERO8 },
              { traceId: TRACE.slice(2), spanId: OTHER },
              { traceId: TRACE },
            ],
          },
        ],
      },
      {
        resource: null,
        scopeSpans: [
          {
            spans: [
              {
                traceId: LINK_TRACE,
                spanId: OTHER,
                name: "orphan",
                kind: "SPAN_KIND_INTERNAL",
                startTimeUnixNano: "18446744073709551615",
                endTimeUnixNano: "18446744073709551615",
              },
            ],
          },
        ],
      },
    ],
    futureTopLevelField: true,
  };
}

export function expectedResult(): TraceDecodeResult {
  const resource: Attributes = {
    "service.name": "checkout",
    "host.arch": "amd64",
    "host.key": "AQI=",
    "host.keys": ["AQI=", "AQI="],
  };
  const resourceBytes: BytesPlace[] = ["host.key", ["host.keys", 1]];
  const scope = {
    name: "io.test",
    version: "2.1",
    attributes: { "scope.attr": "v", "scope.blob": "Aw==" },
    bytes: ["scope.blob"] as BytesPlace[],
  };
  const kv: Attributes = { inner: { deeper: "x" }, list: [[]] };
  Object.defineProperty(kv, "__proto__", {
    value: "not a prototype",
    enumerable: true,
    writable: true,
    configurable: true,
  });
  const root: Span = {
    traceId: TRACE,
    spanId: ROOT,
    parentSpanId: null,
    traceState: "congo=t61rcWkgMzE",
    flags: 257,
    name: "GET /cart",
    kind: "SERVER",
    service: "checkout",
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    status: { code: "ERROR", message: "boom" },
    attributes: {
      str: "hello",
      big: "4611686018427387905",
      "neg.big": "-1152921504606846976",
      safe: 9007199254740991,
      neg: -42,
      nan: "NaN",
      inf: "Infinity",
      ninf: "-Infinity",
      dbl: 3.25,
      bool: false,
      bytes: "3q2+7w==",
      nested: ["BAU=", { id: "Bg==", name: "n" }],
      arr: [1, "two", 3.5, true, null],
      kv,
      empty: null,
      novalue: null,
      dup: 2,
    },
    droppedAttributesCount: 3,
    events: [
      {
        name: "exception",
        timeUnixNano: 1700000000500000001n,
        attributes: { "exception.type": "Error", "exception.message": "bad", "exception.payload": "AQID" },
        droppedAttributesCount: 1,
        bytes: ["exception.payload"],
      },
      { name: "", timeUnixNano: 0n, attributes: {} },
    ],
    droppedEventsCount: 1,
    links: [
      {
        traceId: LINK_TRACE,
        spanId: OTHER,
        traceState: "rojo=00f067aa0ba902b7",
        attributes: { "link.kind": "follows", "link.token": "AAE=" },
        droppedAttributesCount: 4,
        flags: 1,
        bytes: ["link.token"],
      },
      { traceId: LINK_TRACE, spanId: ROOT, attributes: {} },
    ],
    // 2 dropped by the sender + 1 link with an all-zero trace id dropped here.
    droppedLinksCount: 3,
    // The int64s past 2^53, kept as their digits, are named too (to be written as int64s again).
    bytes: [["big", INT_MARK], ["neg.big", INT_MARK], "bytes", ["nested", 0], ["nested", 1, "id"]],
    resource,
    resourceBytes,
    scope,
  };
  const child: Span = {
    traceId: TRACE,
    spanId: CHILD,
    parentSpanId: ROOT,
    name: "",
    kind: "CONSUMER",
    service: "checkout",
    startTimeUnixNano: 1n,
    endTimeUnixNano: 0n,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    links: [],
    resource,
    resourceBytes,
    scope,
  };
  const odd: Span = {
    ...child,
    spanId: OTHER,
    parentSpanId: CHILD,
    name: "odd enums",
    kind: "UNSPECIFIED",
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
  };
  const orphan: Span = {
    traceId: LINK_TRACE,
    spanId: OTHER,
    parentSpanId: null,
    name: "orphan",
    kind: "INTERNAL",
    service: "unknown_service",
    startTimeUnixNano: 18446744073709551615n,
    endTimeUnixNano: 18446744073709551615n,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    links: [],
    resource: {},
    scope: { name: "", version: "" },
  };
  return {
    spans: [root, child, odd, orphan],
    rejectedSpans: 4,
    errors: [
      'resourceSpans[0].scopeSpans[0].spans[3]: parent span id "00112233445566" is not 16 hex digits (8 bytes)',
      "resourceSpans[0].scopeSpans[0].spans[4]: span id is all zero",
      'resourceSpans[0].scopeSpans[0].spans[5]: trace id "f7651916cd43dd8448eb211c80319c" is not 32 hex digits (16 bytes)',
      "resourceSpans[0].scopeSpans[0].spans[6]: span id is missing",
    ],
  };
}
