/**
 * Both log decoders against an independently encoded request, the official example payloads, and
 * bodies serialized by the real OpenTelemetry JS logs SDK (sdk-logs records, otlp-transformer).
 */
import { readFileSync } from "node:fs";
import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../src/domain/log.js";
import { decodeLogRequestJson } from "../../src/otlp/json/logs.js";
import { decodeTraceRequestJson } from "../../src/otlp/json/traces.js";
import type { LogDecodeResult } from "../../src/otlp/logs.js";
import { decodeLogRequestProtobuf } from "../../src/otlp/protobuf/logs.js";
import {
  encodeLogRequest,
  expectedLogResult,
  jsonLogRequest,
  loadOtlpLogsRoot,
  protoLogRequest,
  RECEIVED,
} from "./log-sample-request.js";

function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/otlp-examples/${name}`, import.meta.url), "utf8"));
}

const received = { receivedUnixNano: RECEIVED };

describe("log decoders", () => {
  it("read every field of an independently encoded protobuf request", () => {
    const body = encodeLogRequest(loadOtlpLogsRoot(), protoLogRequest());
    expect(decodeLogRequestProtobuf(body, received)).toStrictEqual(expectedLogResult());
  });

  it("read the same request as lenient OTLP/JSON to the same result", () => {
    expect(decodeLogRequestJson(jsonLogRequest(), received)).toStrictEqual(expectedLogResult());
  });

  it("give records without times the receipt time, by default now", () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const { logs } = decodeLogRequestJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] });
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(logs[0]?.observedTimeUnixNano).toBeGreaterThanOrEqual(before);
    expect(logs[0]?.observedTimeUnixNano).toBeLessThanOrEqual(after);
    expect(logs[0]?.timeUnixNano).toBe(logs[0]?.observedTimeUnixNano);
  });

  it("decode an empty body as an empty request", () => {
    const empty: LogDecodeResult = { logs: [], rejectedLogRecords: 0, errors: [] };
    expect(decodeLogRequestProtobuf(new Uint8Array(0))).toStrictEqual(empty);
    expect(decodeLogRequestJson({})).toStrictEqual(empty);
  });
});

describe("opentelemetry-proto examples", () => {
  const resource = { "service.name": "my.service" };
  const scope = { name: "my.library", version: "1.0.0", attributes: { "my.scope.attribute": "some scope attribute" } };

  it("logs.json: every field read right, upper-case ids lower-cased", () => {
    const expected: LogRecord = {
      timeUnixNano: 1544712660300000000n,
      observedTimeUnixNano: 1544712660300000000n,
      severityNumber: 10,
      severity: "INFO",
      severityText: "Information",
      body: "Example log record",
      attributes: {
        "string.attribute": "some string",
        "boolean.attribute": true,
        "int.attribute": 10,
        "double.attribute": 637.704,
        "array.attribute": ["many", "values"],
        "map.attribute": { "some.map.key": "some value" },
      },
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      service: "my.service",
      resource,
      scope,
    };
    expect(decodeLogRequestJson(example("logs.json"))).toStrictEqual({
      logs: [expected],
      rejectedLogRecords: 0,
      errors: [],
    });
  });

  it("events.json: the event keeps its name and its structured body", () => {
    const expected: LogRecord = {
      timeUnixNano: 1544712660300000000n,
      observedTimeUnixNano: 1544712660300000000n,
      severityNumber: 9,
      severity: "INFO",
      severityText: "test severity text",
      body: {
        type: 0,
        url: "https://www.guidgenerator.com/online-guid-generator.aspx",
        referrer: "https://wwww.google.com",
        title: "Free Online GUID Generator",
      },
      attributes: { "event.attribute": "some event attribute" },
      traceId: null,
      spanId: null,
      service: "my.service",
      resource,
      scope,
      eventName: "browser.page_view",
    };
    expect(decodeLogRequestJson(example("events.json"))).toStrictEqual({
      logs: [expected],
      rejectedLogRecords: 0,
      errors: [],
    });
  });

  it("find no log records in the trace and metrics examples rather than failing", () => {
    for (const name of ["trace.json", "metrics.json"]) {
      expect(decodeLogRequestJson(example(name))).toStrictEqual({ logs: [], rejectedLogRecords: 0, errors: [] });
    }
    // And the trace decoder finds no spans in the logs examples.
    expect(decodeTraceRequestJson(example("events.json")).spans).toEqual([]);
  });
});

describe("bodies serialized by the OpenTelemetry JS logs SDK", () => {
  const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  const SPAN = "00f067aa0ba902b7";

  function recordLogs() {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ "service.name": "sdk-orders", "service.version": "9.9.9" }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger("orders-logger", "1.2.3");
    const inSpan = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
    });
    logger.emit({
      timestamp: new Date(1_700_000_000_123),
      severityNumber: SeverityNumber.WARN2,
      severityText: "WARN",
      body: "stock low",
      attributes: { "item.sku": "A-1", "item.count": 3, ratio: 0.5, ok: false, tags: ["x", "y"] },
      context: inSpan,
    });
    logger.emit({
      eventName: "order.placed",
      severityNumber: SeverityNumber.INFO,
      body: { order: { id: "o-9", lines: [1, 2], paid: true } },
    });
    logger.emit({ body: "no severity, no context" });
    return exporter.getFinishedLogRecords();
  }

  it("decode to what the SDK recorded, the same from protobuf and JSON", () => {
    const records = recordLogs();
    const fromProto = decodeLogRequestProtobuf(ProtobufLogsSerializer.serializeRequest(records) as Uint8Array);
    const json = new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records) as Uint8Array);
    const fromJson = decodeLogRequestJson(JSON.parse(json));
    expect(fromJson).toStrictEqual(fromProto);
    expect(fromProto.rejectedLogRecords).toBe(0);

    const [warn, event, plain] = fromProto.logs;
    expect(warn).toMatchObject({
      timeUnixNano: 1_700_000_000_123_000_000n,
      severityNumber: 14,
      severity: "WARN",
      severityText: "WARN",
      body: "stock low",
      attributes: { "item.sku": "A-1", "item.count": 3, ratio: 0.5, ok: false, tags: ["x", "y"] },
      traceId: TRACE,
      spanId: SPAN,
      flags: 1,
      service: "sdk-orders",
      scope: { name: "orders-logger", version: "1.2.3" },
    });
    expect(warn?.resource).toMatchObject({ "service.name": "sdk-orders", "service.version": "9.9.9" });
    expect(warn?.observedTimeUnixNano).toBeGreaterThan(0n);
    expect(event).toMatchObject({
      eventName: "order.placed",
      severity: "INFO",
      body: { order: { id: "o-9", lines: [1, 2], paid: true } },
      traceId: null,
      spanId: null,
    });
    expect(plain).toMatchObject({ body: "no severity, no context", severityNumber: 0, severity: "UNSPECIFIED" });
    // The SDK stamps a record without a timestamp with its observed time.
    expect(plain?.timeUnixNano).toBeGreaterThan(0n);
  });
});
