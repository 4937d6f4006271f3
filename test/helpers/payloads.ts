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
