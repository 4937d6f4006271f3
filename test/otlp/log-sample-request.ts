/**
 * One logs request no SDK would produce whole (every body kind, missing times, all-zero and invalid
 * ids, out-of-range severities, an event), in three forms: the object protobufjs encodes with
 * test/fixtures/otlp-logs.proto, the same request as lenient OTLP/JSON (snake_case, enum names), and
 * the LogDecodeResult both decoders must return when it is received at RECEIVED.
 */
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import { INT_MARK } from "../../src/domain/bytes-places.js";
import type { LogRecord } from "../../src/domain/log.js";
import type { Attributes } from "../../src/domain/span.js";
import type { LogDecodeResult } from "../../src/otlp/logs.js";
import { hexBytes, PKG } from "./helpers.js";

export const LOG_TRACE = "0af7651916cd43dd8448eb211c80319c";
export const LOG_SPAN = "b7ad6b7169203331";
const TIME = 1700000000123456789n;
const OBSERVED = 1700000000223456789n;
export const RECEIVED = 1700000009000000000n;

/** protobufjs reflection over the test-only logs schema (with the common messages of the trace one). */
export function loadOtlpLogsRoot(): protobuf.Root {
  return protobuf.loadSync(fileURLToPath(new URL("../fixtures/otlp-logs.proto", import.meta.url)));
}

export function encodeLogRequest(root: protobuf.Root, request: Record<string, unknown>): Uint8Array {
  const type = root.lookupType(`${PKG}.ExportLogsServiceRequest`);
  return type.encode(type.fromObject(request)).finish();
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The request in the shape protobufjs `fromObject` takes (ids as bytes, 64-bit values as strings). */
export function protoLogRequest(): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: [str("service.name", "checkout"), str("host.arch", "amd64")] },
        scopeLogs: [
          {
            scope: { name: "checkout.logger", version: "2.1", attributes: [str("scope.attr", "v")] },
            logRecords: [
              {
                timeUnixNano: TIME.toString(),
                observedTimeUnixNano: OBSERVED.toString(),
                severityNumber: 17,
                severityText: "Error",
                body: { stringValue: "payment failed" },
                attributes: [str("order.id", "o-1"), { key: "retries", value: { intValue: "3" } }],
                droppedAttributesCount: 2,
                flags: 1,
                traceId: hexBytes(LOG_TRACE),
                spanId: hexBytes(LOG_SPAN),
              },
              {
                // No times, an all-zero trace context, a severity only in its text, a structured body.
                severityText: "warning",
                traceId: hexBytes("00".repeat(16)),
                spanId: hexBytes("00".repeat(8)),
                body: {
                  kvlistValue: {
                    values: [
                      { key: "list", value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 2.5 }] } } },
                      { key: "bytes", value: { bytesValue: hexBytes("deadbeef") } },
                      { key: "big", value: { intValue: "9223372036854775807" } },
                    ],
                  },
                },
              },
              // An invalid trace id (wrong length): rejected.
              { timeUnixNano: TIME.toString(), traceId: hexBytes("abcd"), body: { stringValue: "lost" } },
              {
                // An event: only observed time, an out-of-range severity, no body.
                observedTimeUnixNano: OBSERVED.toString(),
                severityNumber: 99,
                eventName: "browser.page_view",
                attributes: [str("page.url", "/cart")],
              },
              // A span id of the wrong length: rejected.
              { timeUnixNano: TIME.toString(), spanId: hexBytes("abcdef"), body: { stringValue: "lost too" } },
            ],
          },
        ],
      },
      // No resource: unknown_service.
      { scopeLogs: [{ logRecords: [{ timeUnixNano: "5", body: { intValue: "-7" } }] }] },
    ],
  };
}

/** The same request as OTLP/JSON, in the lenient spellings a receiver must accept. */
export function jsonLogRequest(): Record<string, unknown> {
  return {
    resource_logs: [
      {
        resource: { attributes: [str("service.name", "checkout"), str("host.arch", "amd64")] },
        scope_logs: [
          {
            scope: { name: "checkout.logger", version: "2.1", attributes: [str("scope.attr", "v")] },
            log_records: [
              {
                time_unix_nano: TIME.toString(),
                observedTimeUnixNano: OBSERVED.toString(),
                severityNumber: "SEVERITY_NUMBER_ERROR",
                severity_text: "Error",
                body: { stringValue: "payment failed" },
                attributes: [str("order.id", "o-1"), { key: "retries", value: { intValue: 3 } }],
                dropped_attributes_count: 2,
                flags: 1,
                traceId: LOG_TRACE.toUpperCase(),
                span_id: LOG_SPAN,
              },
              {
                severityText: "warning",
                traceId: "",
                spanId: "0000000000000000",
                body: {
                  kvlist_value: {
                    values: [
                      { key: "list", value: { arrayValue: { values: [{ boolValue: true }, { doubleValue: 2.5 }] } } },
                      { key: "bytes", value: { bytesValue: "3q2+7w" } },
                      { key: "big", value: { intValue: "9223372036854775807" } },
                    ],
                  },
                },
              },
              { timeUnixNano: TIME.toString(), traceId: "abcd", body: { stringValue: "lost" } },
              {
                observed_time_unix_nano: OBSERVED.toString(),
                severity_number: 99,
                event_name: "browser.page_view",
                attributes: [str("page.url", "/cart")],
                unknownField: { ignored: true },
              },
              { timeUnixNano: TIME.toString(), spanId: "abcdef", body: { stringValue: "lost too" } },
            ],
          },
        ],
      },
      { scopeLogs: [{ logRecords: [{ timeUnixNano: 5, body: { intValue: "-7" } }] }] },
    ],
  };
}

/** What both decoders return for the request, received at RECEIVED. */
export function expectedLogResult(): LogDecodeResult {
  const resource: Attributes = { "service.name": "checkout", "host.arch": "amd64" };
  const scope = { name: "checkout.logger", version: "2.1", attributes: { "scope.attr": "v" } };
  const base = { service: "checkout", resource, scope };
  const logs: LogRecord[] = [
    {
      timeUnixNano: TIME,
      observedTimeUnixNano: OBSERVED,
      severityNumber: 17,
      severity: "ERROR",
      severityText: "Error",
      body: "payment failed",
      attributes: { "order.id": "o-1", retries: 3 },
      traceId: LOG_TRACE,
      spanId: LOG_SPAN,
      ...base,
      flags: 1,
      droppedAttributesCount: 2,
    },
    {
      timeUnixNano: RECEIVED,
      observedTimeUnixNano: RECEIVED,
      observedOnArrival: true,
      severityNumber: 0,
      severity: "WARN",
      severityText: "warning",
      body: { list: [true, 2.5], bytes: "3q2+7w==", big: "9223372036854775807" },
      attributes: {},
      traceId: null,
      spanId: null,
      ...base,
      // The body's map member sent as bytes.
      bytes: { body: [["bytes"], ["big", INT_MARK]] },
    },
    {
      timeUnixNano: OBSERVED,
      observedTimeUnixNano: OBSERVED,
      severityNumber: 99,
      severity: "UNSPECIFIED",
      severityText: "",
      body: null,
      attributes: { "page.url": "/cart" },
      traceId: null,
      spanId: null,
      ...base,
      eventName: "browser.page_view",
    },
    {
      timeUnixNano: 5n,
      observedTimeUnixNano: RECEIVED,
      observedOnArrival: true,
      severityNumber: 0,
      severity: "UNSPECIFIED",
      severityText: "",
      body: -7,
      attributes: {},
      traceId: null,
      spanId: null,
      service: "unknown_service",
      resource: {},
      scope: { name: "", version: "" },
    },
  ];
  return {
    logs,
    rejectedLogRecords: 2,
    errors: [
      'resourceLogs[0].scopeLogs[0].logRecords[2]: trace id "abcd" is not 32 hex digits (16 bytes)',
      'resourceLogs[0].scopeLogs[0].logRecords[4]: span id "abcdef" is not 16 hex digits (8 bytes)',
    ],
  };
}
