/**
 * GET /api/health's answer, built in one place for both its routes: the API's (api.ts, once the
 * stores are open) and the starting listener's (starting-listener.ts, while a `--db` file loads),
 * which answers before Hono or the stores are there. Imports neither.
 */
import { resolve } from "node:path";
import type { Forwarder } from "../forward/forwarder.js";
import { OTLP_GRPC_SERVICES } from "../otlp/grpc-services.js";
import type {
  HealthResponse,
  OtlpGrpcEndpointJson,
  OtlpHttpEndpointJson,
  StatsResponse,
  StorageState,
} from "../protocol.js";
import type { ListenerAddress } from "./server.js";

/** HealthResponse.apiVersion: raised only when a field of health or the REST API is removed or changes meaning. */
export const API_VERSION = 1;

/** What health tells of the running process, known from the start. */
export interface HealthDeps {
  version: string;
  startedAt: number;
  /** The port this server really listens on (known once it is listening). */
  port(): number;
  /** Base URL for the OTLP endpoint printed in health. */
  baseUrl(): string;
  /** See ServerDeps.otlpListeners. */
  otlpListeners(): { http: ListenerAddress | null; grpc: ListenerAddress | null };
  dbPath: string | null;
  forward?: Pick<Forwarder, "status"> | undefined;
}

/** What health tells of the stores: what they hold now, or nothing yet while a `--db` file loads. */
export interface HealthHeld {
  state: StorageState;
  kind: HealthResponse["storage"]["kind"];
  maxSpans: number;
  maxLogs: number;
  maxMetricSeries: number;
  stats: StatsResponse;
  counts: HealthResponse["counts"];
}

/** What the stores hold while a `--db` file loads: nothing yet, as far as health can tell. */
export function heldWhileLoading(bounds: Pick<HealthHeld, "kind" | "maxSpans" | "maxLogs" | "maxMetricSeries">) {
  const counts: HealthResponse["counts"] = {
    spans: 0,
    traces: 0,
    evictedTraces: 0,
    evictedSpans: 0,
    ownCallSpans: 0,
    lateSpans: 0,
    rejectedRequests: 0,
    rejectedSpans: 0,
    misdirectedRequests: 0,
    rejectedGrpcConnections: 0,
    snapshots: 0,
    evictedSnapshots: 0,
    breakpoints: 0,
    logs: 0,
    evictedLogs: 0,
    rejectedLogRecords: 0,
    metricSeries: 0,
    metricPoints: 0,
    droppedMetricSeries: 0,
    droppedMetricPoints: 0,
    expiredMetricSeries: 0,
    rejectedDataPoints: 0,
  };
  const stats: StatsResponse = { totalTraces: 0, totalSpans: 0, services: [], oldestTrace: null, newestTrace: null };
  return { state: "loading", ...bounds, stats, counts } satisfies HealthHeld;
}

function otlpHttpEndpoint(listener: ListenerAddress): OtlpHttpEndpointJson {
  return {
    ...listener,
    paths: { traces: "/v1/traces", logs: "/v1/logs", metrics: "/v1/metrics" },
    encodings: ["protobuf", "json"],
    compression: ["gzip"],
  };
}

function otlpGrpcEndpoint(listener: ListenerAddress): OtlpGrpcEndpointJson {
  return {
    ...listener,
    services: OTLP_GRPC_SERVICES,
    encodings: ["protobuf"],
    compression: ["gzip", "deflate"],
  };
}

/**
 * The answer; `fromOtherOrigin`: a page on another origin that may read it (a dev origin) learns no
 * file path.
 */
export function healthBody(deps: HealthDeps, held: HealthHeld, fromOtherOrigin: boolean): HealthResponse {
  const base = deps.baseUrl();
  const listeners = deps.otlpListeners();
  return {
    status: "ok",
    name: "tracekit-local",
    version: deps.version,
    apiVersion: API_VERSION,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    // The first local UI's fields (`uptime` in seconds, `stats`), which scripts written against it read.
    uptime: (Date.now() - deps.startedAt) / 1000,
    stats: held.stats,
    otlp: {
      endpoint: base,
      traces: `${base}/v1/traces`,
      logs: `${base}/v1/logs`,
      metrics: `${base}/v1/metrics`,
      protocols: ["http/protobuf", "http/json"],
      http: otlpHttpEndpoint({ port: deps.port(), url: base }),
      extraHttp: listeners.http === null ? null : otlpHttpEndpoint(listeners.http),
      grpc: listeners.grpc === null ? null : otlpGrpcEndpoint(listeners.grpc),
    },
    forwarding: deps.forward === undefined ? null : { protocol: "http/protobuf", targets: deps.forward.status() },
    storage: {
      kind: held.kind,
      state: held.state,
      // The whole path: a second start compares it with its own --db, from another folder perhaps.
      ...(deps.dbPath !== null && !fromOtherOrigin ? { path: resolve(deps.dbPath) } : {}),
      maxSpans: held.maxSpans,
      maxLogs: held.maxLogs,
      maxMetricSeries: held.maxMetricSeries,
    },
    counts: held.counts,
  };
}

/**
 * The answer's headers beyond its type. SDKs probe without an Origin; a browser SDK on a local dev
 * page may read it too, and no other web page may (it would learn what this machine runs). The
 * TraceKit Node SDK's probe never reads the answer, so on a kept-alive connection its 500 ms socket
 * timeout fires anyway, after the 200, and the SDK concludes that the UI is gone and drops every span
 * after its first batch: closing the connection ends its request before that.
 */
export function healthHeaders(origin: string | undefined, isDevOrigin: (origin: string) => boolean) {
  const headers: Record<string, string> = { Connection: "close" };
  if (origin !== undefined && isDevOrigin(origin)) {
    headers["Access-Control-Allow-Origin"] = origin;
    headers.Vary = "Origin";
  }
  return headers;
}
