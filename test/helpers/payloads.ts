import { randomBytes } from "node:crypto";

let counter = 0;

/** A unique 32-hex trace id (tests never collide with each other's data). */
export function newTraceId(): string {
  return randomBytes(16).toString("hex");
}

export function newSpanId(): string {
  return randomBytes(8).toString("hex");
}

export interface JsonSpanInput {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startNs?: bigint;
  durationNs?: bigint;
  statusCode?: number;
  statusMessage?: string;
  attributes?: Record<string, string | number | boolean>;
}

/** An OTLP/JSON ExportTraceServiceRequest with one resource (service) and the given spans. */
export function jsonTraceRequest(service: string, spans: JsonSpanInput[]): Record<string, unknown> {
  const base = 1_700_000_000_000_000_000n + BigInt(++counter) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: "test-scope", version: "1.0.0" },
            spans: spans.map((span) => {
              const start = span.startNs ?? base;
              return {
                traceId: span.traceId ?? newTraceId(),
                spanId: span.spanId ?? newSpanId(),
                ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
                name: span.name ?? "span",
                kind: span.kind ?? 1,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + (span.durationNs ?? 5_000_000n)).toString(),
                attributes: Object.entries(span.attributes ?? {}).map(([key, value]) => ({
                  key,
                  value:
                    typeof value === "string"
                      ? { stringValue: value }
                      : typeof value === "boolean"
                        ? { boolValue: value }
                        : Number.isInteger(value)
                          ? { intValue: String(value) }
                          : { doubleValue: value },
                })),
                status: span.statusCode ? { code: span.statusCode, message: span.statusMessage ?? "" } : {},
              };
            }),
          },
        ],
      },
    ],
  };
}

/**
 * A request to an Express app's `/throw`, whose handler threw a TypeError, as the TraceKit Node SDK 1.7.0
 * sends it (OTLP/JSON, times as recorded): the HTTP instrumentation's root "GET" (500, no message) and the
 * handler's span with the exception, whose parent, the SDK's Express span, is never sent. The handler
 * starts in the millisecond after the HTTP span's (as in most of such requests): the HTTP span started first.
 */
export function sdkThrownRequestJson(service: string, traceId: string): Record<string, unknown> {
  const start = 1_700_000_000_000_000_000n + BigInt(++counter) * 1_000_000n;
  const message = "Cannot read properties of null (reading 'x')";
  const request = jsonTraceRequest(service, [
    {
      traceId,
      name: "GET",
      kind: 2,
      startNs: start,
      durationNs: 2_027_303n,
      statusCode: 2,
      attributes: { "http.method": "GET", "http.target": "/throw", "http.status_code": 500 },
    },
    {
      traceId,
      parentSpanId: newSpanId(),
      name: "handler /throw",
      startNs: start + 1_000_000n,
      durationNs: 159_226n,
      statusCode: 2,
      statusMessage: message,
    },
  ]);
  const spans = (request as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
    .resourceSpans[0]?.scopeSpans[0]?.spans as Record<string, unknown>[];
  (spans[1] as Record<string, unknown>).events = [
    {
      name: "exception",
      timeUnixNano: String(start + 1_100_000n),
      attributes: [
        { key: "exception.type", value: { stringValue: "TypeError" } },
        { key: "exception.message", value: { stringValue: message } },
      ],
    },
  ];
  return request;
}

export async function postJson(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface JsonLogInput {
  timeNs?: bigint;
  /** `observedTimeUnixNano`; absent (the receiver's time of receipt) by default. */
  observedNs?: bigint;
  severityNumber?: number;
  severityText?: string;
  /** A string body, or an AnyValue object as is. */
  body?: string | Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  eventName?: string;
  attributes?: Record<string, string>;
}

/** An OTLP/JSON ExportLogsServiceRequest with one resource (service) and the given records. */
export function jsonLogRequest(service: string, records: JsonLogInput[]): Record<string, unknown> {
  const base = 1_700_000_000_000_000_000n + BigInt(++counter) * 1_000_000n;
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeLogs: [
          {
            scope: { name: "test-logger", version: "1.0.0" },
            logRecords: records.map((record, i) => ({
              timeUnixNano: (record.timeNs ?? base + BigInt(i)).toString(),
              ...(record.observedNs !== undefined ? { observedTimeUnixNano: record.observedNs.toString() } : {}),
              severityNumber: record.severityNumber ?? 9,
              ...(record.severityText !== undefined ? { severityText: record.severityText } : {}),
              body: typeof record.body === "object" ? record.body : { stringValue: record.body ?? "hello" },
              ...(record.traceId !== undefined ? { traceId: record.traceId } : {}),
              ...(record.spanId !== undefined ? { spanId: record.spanId } : {}),
              ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
              attributes: Object.entries(record.attributes ?? {}).map(([key, value]) => ({
                key,
                value: { stringValue: value },
              })),
            })),
          },
        ],
      },
    ],
  };
}

export async function postLogs(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
