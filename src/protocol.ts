/**
 * The JSON shapes of the REST API and the live WebSocket, shared (type-only) with the web app.
 * Nanosecond times are decimal strings: JSON numbers would clip them.
 */
import type { Attributes, SpanKind, StatusCode } from "./domain/span.js";

export type { Attributes, AttrValue, SpanKind, StatusCode } from "./domain/span.js";

export interface TraceSummaryJson {
  traceId: string;
  name: string;
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  hasRoot: boolean;
}

export interface SpanEventJson {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanLinkJson {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanJson {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState?: string;
  flags?: number;
  name: string;
  kind: SpanKind;
  service: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  status: { code: StatusCode; message?: string };
  attributes: Attributes;
  events: SpanEventJson[];
  links: SpanLinkJson[];
  resource: Attributes;
  scope: { name: string; version: string; attributes?: Attributes };
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

export interface TraceListResponse {
  traces: TraceSummaryJson[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface TraceResponse {
  traceId: string;
  /** The trace's name as the list shows it (a bare-method root reads as method plus route). */
  name: string;
  spans: SpanJson[];
  /** Code-monitoring snapshots captured inside this trace (each names its span), oldest first. */
  snapshots?: SnapshotSummaryJson[];
}

export interface ServiceStatsJson {
  name: string;
  spanCount: number;
  errorCount: number;
  traceCount: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ServicesResponse {
  services: ServiceStatsJson[];
}

export interface HealthResponse {
  status: "ok";
  name: "tracekit-local";
  version: string;
  uptimeSeconds: number;
  otlp: { endpoint: string; traces: string; logs: string; metrics: string; protocols: string[] };
  storage: { kind: "memory" | "sqlite"; path?: string; maxSpans: number };
  counts: {
    spans: number;
    traces: number;
    evictedTraces: number;
    evictedSpans: number;
    /** Spans of SDKs' own calls to this server (exports, health probes), not stored. */
    ownCallSpans: number;
    /** Requests refused with a 4xx, and spans dropped from partly accepted requests. */
    rejectedRequests: number;
    rejectedSpans: number;
    /** Code-monitoring snapshots kept, and evicted past the bound (oldest first). */
    snapshots: number;
    evictedSnapshots: number;
    breakpoints: number;
  };
}

/** GET /api/stats: the first TraceKit local UI's statistics, kept for scripts written against it. */
export interface StatsResponse {
  totalTraces: number;
  totalSpans: number;
  services: string[];
  /** Start of the newest trace (ISO 8601), or null when nothing is stored. */
  newestTrace: string | null;
}

export interface ApiErrorResponse {
  error: { code: string; message: string };
}

/** Requests refused (4xx) and spans dropped from partly accepted requests since start or the last clear. */
export interface RejectionsJson {
  rejectedRequests: number;
  rejectedSpans: number;
  /** The latest refusal, its reason as the sender was told it. */
  last: { at: string; path: string; status: number; message: string } | null;
}

/** Messages on the `/api/live` WebSocket; every one has a `type`. */
export type LiveMessage =
  | {
      type: "traces";
      traces: TraceSummaryJson[];
      /** True for the page sent on connect (or after the server had to skip updates to a slow client). */
      snapshot?: boolean;
    }
  | { type: "cleared" }
  /** What was refused on the way in (retained: sent on connect once anything was). */
  | ({ type: "rejections" } & RejectionsJson)
  /** The whole breakpoint list and kill switch, after any change to either. */
  | { type: "breakpoints"; breakpoints: BreakpointJson[]; killSwitch: boolean; connectedSdks: Record<string, number> }
  /** Newly captured snapshots, coalesced per tick. */
  | { type: "snapshots"; snapshots: SnapshotSummaryJson[] }
  | { type: "sdk-events"; events: SdkEventJson[] };

// ---------------------------------------------------------------------------------------------
// Code monitoring (TraceKit SDK snapshots). The SDK-facing protocol under /sdk/snapshots/* is the
// SDKs' own snake_case JSON; these are the camelCase shapes the web app reads from /api/*.

export interface BreakpointJson {
  id: string;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** An expression the SDK evaluates before capturing; "" when none. */
  condition: string;
  /** 0 = unlimited. */
  maxCaptures: number;
  captureCount: number;
  /** ISO 8601, or null for no expiry. */
  expireAt: string | null;
  enabled: boolean;
  /** "auto": registered by the SDK's first capture_snapshot at this location; "manual": made in the UI. */
  origin: "auto" | "manual";
  createdAt: string;
  updatedAt: string;
  lastCapturedAt: string | null;
}

export interface SecurityFlagJson {
  type: string;
  severity: string;
  variable?: string;
}

/** What a list row shows of one captured snapshot. */
export interface SnapshotSummaryJson {
  id: string;
  breakpointId: string | null;
  service: string;
  filePath: string;
  functionName: string;
  label: string;
  lineNumber: number;
  /** ISO 8601, as the SDK stamped it (`captured_at`). */
  capturedAt: string;
  /** Lower-case hex, or null when the capture ran outside a trace. */
  traceId: string | null;
  spanId: string | null;
  securityFlagCount: number;
  /** Top-level variable names, for the row. */
  variableNames: string[];
}

export interface SnapshotJson extends SnapshotSummaryJson {
  /** The variables as the SDK sent them (already scrubbed by the SDK); any JSON value. */
  variables: unknown;
  securityFlags: SecurityFlagJson[];
  stackTrace: string;
  /** method, path, headers, query… as the SDK sent it; null when absent. */
  requestContext: unknown;
}

/** Something an SDK reported about itself (e.g. `circuit_breaker_tripped`), from POST /sdk/snapshots/active. */
export interface SdkEventJson {
  id: string;
  service: string;
  type: string;
  receivedAt: string;
  /** The event object as sent. */
  data: Record<string, unknown>;
}

/** GET /api/breakpoints */
export interface BreakpointsResponse {
  breakpoints: BreakpointJson[];
  killSwitch: boolean;
  /** SDKs connected to the SSE stream right now, per service. */
  connectedSdks: Record<string, number>;
}

/** GET /api/snapshots */
export interface SnapshotListResponse {
  snapshots: SnapshotSummaryJson[];
  nextCursor?: string;
}

/** GET /api/sdk-events */
export interface SdkEventsResponse {
  events: SdkEventJson[];
}
