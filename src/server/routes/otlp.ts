import type { Context } from "hono";
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import type { Ingest } from "../../ingest/ingest.js";
import type { RejectionLog } from "../../ingest/rejections.js";
import { OtlpDecodeError } from "../../otlp/errors.js";
import { parseOtlpJson } from "../../otlp/json/parse.js";
import { decodeTraceRequestJson } from "../../otlp/json/traces.js";
import { encodeStatusProtobuf } from "../../otlp/protobuf/status.js";
import { decodeTraceRequestProtobuf, encodeTraceResponseProtobuf } from "../../otlp/protobuf/traces.js";
import type { TraceDecodeResult } from "../../otlp/traces.js";
import { readBody } from "../body.js";
import type { HostPolicy } from "../security.js";

export interface OtlpRouteDeps {
  ingest: Ingest;
  hostPolicy: HostPolicy;
  maxBodyBytes: number;
  /** Read span kinds as OTLP's in every request (turns off the TraceKit local-UI kind translation). */
  strictSpanKinds?: boolean;
  /** Keeps count of refused requests and spans, for health and the web app. */
  rejections: RejectionLog;
  /** Told about each rejected request or partly rejected batch, for the CLI's event lines. */
  onClientError?(path: string, status: number, message: string): void;
}

type Encoding = "protobuf" | "json";

/** `google.rpc.Code` values used in OTLP error bodies. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_NOT_FOUND = 5;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNIMPLEMENTED = 12;

function encodingOf(contentType: string | undefined): Encoding | null {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  if (mediaType === "application/json") return "json";
  return null;
}

/**
 * True for a request from a TraceKit SDK's local-UI span processor: OTLP/JSON sent with the runtime's
 * bare HTTP client, so without a User-Agent, and without the `X-API-Key` that every request of the
 * SDK's backend path carries. Those bodies carry OpenTelemetry API span kinds, not OTLP's. Every OTLP
 * exporter of the OpenTelemetry SDKs (which send a User-Agent or, in the TraceKit SDKs' older bundled
 * exporter, the key), browsers and curl send one of the two headers.
 */
export function isTraceKitLocalUiRequest(headers: { get(name: string): string | null }): boolean {
  return !headers.get("user-agent") && !headers.get("x-api-key");
}

function rpcCodeFor(status: number): number {
  if (status === 413) return RPC_RESOURCE_EXHAUSTED;
  if (status === 404) return RPC_NOT_FOUND;
  if (status === 415) return RPC_UNIMPLEMENTED;
  return RPC_INVALID_ARGUMENT;
}

/** An OTLP error answer: a google.rpc.Status in the request's encoding (JSON when it has none we know). */
function otlpError(c: Context, encoding: Encoding | null, status: 400 | 404 | 413 | 415, message: string): Response {
  const code = rpcCodeFor(status);
  // The rest of an oversized body is never read: the connection must not be reused.
  if (status === 413) c.header("Connection", "close");
  if (encoding === "protobuf") {
    return c.body(encodeStatusProtobuf(code, message), status, { "Content-Type": "application/x-protobuf" });
  }
  return c.json({ code, message }, status);
}

function corsHeaders(c: Context, hostPolicy: HostPolicy): Record<string, string> {
  const origin = c.req.header("origin");
  if (origin === undefined || !hostPolicy.isDevOrigin(origin)) return {};
  return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
}

export function otlpRoutes(deps: OtlpRouteDeps): Hono {
  const app = new Hono();
  const refused = (path: string, status: number, message: string, rejectedItems?: number) => {
    deps.rejections.record(path, status, message, rejectedItems);
    deps.onClientError?.(path, status, message);
  };

  // Preflight for browser OTLP exporters on dev origins (any localhost page).
  app.options("/v1/*", (c) => {
    const origin = c.req.header("origin");
    if (origin === undefined || !deps.hostPolicy.isDevOrigin(origin)) {
      return c.body(null, 403);
    }
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": c.req.header("access-control-request-headers") ?? "content-type",
      "Access-Control-Max-Age": "86400",
      Vary: "Origin",
    });
  });

  app.post("/v1/traces", async (c) => {
    const cors = corsHeaders(c, deps.hostPolicy);
    for (const [name, value] of Object.entries(cors)) c.header(name, value);
    const encoding = encodingOf(c.req.header("content-type"));
    if (encoding === null) {
      const message = `Content-Type "${c.req.header("content-type") ?? ""}" is not supported; send application/x-protobuf or application/json`;
      refused("/v1/traces", 415, message);
      return otlpError(c, null, 415, message);
    }
    let result: TraceDecodeResult;
    try {
      const body = await readBody(c.req.raw, deps.maxBodyBytes);
      if (encoding === "protobuf") {
        result = decodeTraceRequestProtobuf(body);
      } else {
        const apiSpanKinds = deps.strictSpanKinds !== true && isTraceKitLocalUiRequest(c.req.raw.headers);
        result = decodeTraceRequestJson(parseOtlpJson(body), { apiSpanKinds });
      }
    } catch (error) {
      if (error instanceof AppError && (error.status === 413 || error.status === 415 || error.status === 400)) {
        refused("/v1/traces", error.status, error.message);
        return otlpError(c, encoding, error.status, error.message);
      }
      if (error instanceof OtlpDecodeError) {
        const message = `cannot decode ${encoding === "protobuf" ? "protobuf" : "JSON"} ExportTraceServiceRequest: ${error.message}`;
        refused("/v1/traces", 400, message);
        return otlpError(c, encoding, 400, message);
      }
      throw error;
    }
    deps.ingest.spans(result.spans);
    const errorMessage = result.errors.join("; ");
    if (result.rejectedSpans > 0) {
      refused("/v1/traces", 200, `rejected ${result.rejectedSpans} span(s): ${errorMessage}`, result.rejectedSpans);
    }
    if (encoding === "protobuf") {
      const response = encodeTraceResponseProtobuf({ rejectedSpans: result.rejectedSpans, errorMessage });
      return c.body(new Uint8Array(response), 200, { "Content-Type": "application/x-protobuf" });
    }
    if (result.rejectedSpans === 0) return c.json({});
    return c.json({ partialSuccess: { rejectedSpans: result.rejectedSpans, errorMessage } });
  });

  for (const signal of ["logs", "metrics"] as const) {
    app.post(`/v1/${signal}`, (c) => {
      for (const [name, value] of Object.entries(corsHeaders(c, deps.hostPolicy))) c.header(name, value);
      const message = `tracekit-local does not receive OTLP ${signal} yet; only traces (/v1/traces) are stored`;
      return otlpError(c, encodingOf(c.req.header("content-type")), 404, message);
    });
  }

  return app;
}
