/**
 * Requests built the way the TraceKit SDKs' local-UI span processors build them (development mode):
 * the same JSON shape, quirks and headers, sent with Node's bare `http.request` (no User-Agent), as
 * both SDKs do. The SDK packages cannot be installed here, so these follow their published source.
 */
import { request } from "node:http";

/** OpenTelemetry API SpanKind numbers, which both SDKs write into `kind` (OTLP's are one higher). */
export const API_KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;

export type SdkAttrValue = string | number | boolean | SdkAttrValue[];

export interface SdkSpan {
  traceId: string;
  spanId: string;
  /** Absent (Node) or "" (Python) on roots. */
  parentSpanId?: string;
  name: string;
  kind: number;
  startMs: number;
  durationMs: number;
  attributes?: Record<string, SdkAttrValue>;
  /** 0 UNSET, 1 OK, 2 ERROR: the same numbers in the API and in OTLP. */
  statusCode?: number;
  statusMessage?: string;
  events?: { name: string; timeMs: number; attributes?: Record<string, SdkAttrValue> }[];
}

type AnyValue = Record<string, unknown>;

/** Both SDKs' attribute conversion: ints as decimal strings, floats as doubles, arrays, else strings. */
function sdkValue(value: SdkAttrValue): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  return { arrayValue: { values: value.map(sdkValue) } };
}

function sdkAttributes(attributes: Record<string, SdkAttrValue> = {}): { key: string; value: AnyValue }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: sdkValue(value) }));
}

/** Node's `String(seconds * 1e9 + nanos)`: a float, so about 256 ns off at today's times. */
function nodeTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return String(seconds * 1e9 + nanos);
}

/** One batch as the Node SDK's LocalUISpanProcessor sends it (up to 100 spans, every second). */
export function nodeLocalUiBody(service: string, spans: SdkSpan[], scope = "@tracekit/node-apm"): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: sdkAttributes({ "service.name": service, "telemetry.sdk.language": "nodejs" }) },
        scopeSpans: [
          {
            scope: { name: scope, version: undefined },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId,
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: nodeTime(span.startMs),
              endTimeUnixNano: nodeTime(span.startMs + span.durationMs),
              attributes: sdkAttributes(span.attributes),
              events: (span.events ?? []).map((event) => ({
                timeUnixNano: nodeTime(event.timeMs),
                name: event.name,
                attributes: sdkAttributes(event.attributes),
              })),
              status: { code: span.statusCode ?? 0, message: span.statusMessage },
            })),
          },
        ],
      },
    ],
  });
}

/**
 * A Python float, which `json.dumps` writes with its `repr`: `1.0` for one, where a JS number would
 * print `1`. Only the forms the tests need: whole numbers, plain decimals, NaN and infinities.
 */
export class PythonFloat {
  constructor(readonly value: number) {}

  repr(): string {
    const v = this.value;
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
    const text = String(v);
    if (/e/.test(text) || Math.abs(v) < 1e-4) throw new Error(`no Python repr for ${text} here`);
    return text;
  }
}

/**
 * Python's `json.dumps` with its defaults: ", " and ": " separators, non-ASCII escaped, and NaN /
 * Infinity / -Infinity written as bare tokens (not valid JSON).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof PythonFloat) return value.repr();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (value === Number.POSITIVE_INFINITY) return "Infinity";
    if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
    return String(value);
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
}

/** Python's attribute conversion: like Node's, but a float keeps NaN / ±Infinity as such. */
function pythonValue(value: SdkAttrValue): AnyValue {
  if (typeof value === "number" && !Number.isInteger(value)) return { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(pythonValue) } };
  return sdkValue(value);
}

/**
 * One span as the Python SDK's LocalUISpanProcessor sends it (one request per span, synchronously
 * on the app's thread): `parentSpanId: ""` on roots, `null` status message and scope version.
 */
export function pythonLocalUiBody(service: string, span: SdkSpan, scope = "tracekit"): string {
  const attributes = (a: Record<string, SdkAttrValue> = {}) =>
    Object.entries(a).map(([key, value]) => ({ key, value: pythonValue(value) }));
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return pythonJsonDumps({
    resourceSpans: [
      {
        resource: { attributes: attributes({ "service.name": service, "telemetry.sdk.language": "python" }) },
        scopeSpans: [
          {
            scope: { name: scope, version: null },
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? "",
                name: span.name,
                kind: span.kind,
                startTimeUnixNano: ns(span.startMs),
                endTimeUnixNano: ns(span.startMs + span.durationMs),
                attributes: attributes(span.attributes),
                events: (span.events ?? []).map((event) => ({
                  timeUnixNano: ns(event.timeMs),
                  name: event.name,
                  attributes: attributes(event.attributes),
                })),
                status: { code: span.statusCode ?? 0, message: span.statusMessage ?? null },
              },
            ],
          },
        ],
      },
    ],
  });
}

export interface SdkResponse {
  status: number;
  body: string;
}

/**
 * POSTs a body the way the SDKs do: a bare `http.request` (Node) or `http.client` (Python) with only
 * Content-Type and Content-Length (Python's client adds `Accept-Encoding: identity`), no User-Agent,
 * a new connection per request (Python) and a 1 s timeout.
 */
export function sdkPost(
  port: number,
  body: string,
  flavour: "node" | "python",
  path = "/v1/traces",
  extraHeaders: Record<string, string> = {},
): Promise<SdkResponse> {
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    ...extraHeaders,
  };
  if (flavour === "python") headers["Accept-Encoding"] = "identity";
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        headers: { Host: `localhost:${port}`, ...headers },
        agent: false,
        timeout: 1000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("SDK request timed out after 1 s")));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The Node SDK's local-UI detection, as it behaves: `http.request` to `/api/health` on the global
 * (keep-alive) agent with `timeout: 500`, the answer's status read but its body never consumed, and
 * a `timeout` event taken to mean "no UI", even when it fires after the 200. Resolves with what the
 * SDK believes once `settleMs` have passed.
 */
export function nodeSdkDetectsUi(port: number, settleMs = 900): Promise<boolean> {
  return new Promise((resolve) => {
    let available = false;
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/health",
        method: "GET",
        timeout: 500,
        headers: { Host: `localhost:${port}` },
      },
      (res) => {
        available = res.statusCode === 200;
      },
    );
    req.on("error", () => {
      available = false;
    });
    req.on("timeout", () => {
      req.destroy();
      available = false;
    });
    req.end();
    setTimeout(() => resolve(available), settleMs);
  });
}
