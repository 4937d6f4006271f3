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
  spans: SpanJson[];
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
  counts: { spans: number; traces: number; evictedTraces: number; evictedSpans: number };
}

export interface ApiErrorResponse {
  error: { code: string; message: string };
}

/** Messages on the `/api/live` WebSocket; every one has a `type`. */
export type LiveMessage =
  | {
      type: "traces";
      traces: TraceSummaryJson[];
      /** True for the page sent on connect (or after the server had to skip updates to a slow client). */
      snapshot?: boolean;
    }
  | { type: "cleared" };
