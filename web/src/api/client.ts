import { parseJsonExact } from "../../../src/domain/exact-json";
import { parseQuery, QueryError, type QuerySubject } from "../../../src/domain/query";
import type {
  ApiErrorResponse,
  AttributeKeysResponse,
  AttributeValuesResponse,
  BreakpointJson,
  BreakpointsResponse,
  ErrorGroupsResponse,
  HealthResponse,
  ImportResponse,
  LlmUsageResponse,
  MetricCatalogResponse,
  MetricQueryResponse,
  SdkEventsResponse,
  ServiceMapResponse,
  ServiceOperationsResponse,
  ServicesResponse,
  SnapshotJson,
  SnapshotListResponse,
  SpanTraceResponse,
  TraceListResponse,
  TraceResponse,
} from "../../../src/protocol";
import { markTraceStep } from "../lib/trace-timing";
import { effectiveMinMs } from "../state/trace-list-model";
import { CompactTraceError, readCompactTrace } from "./compact-trace";

/** An API answer that was not 2xx, with the server's own reason when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For `bad_query`: the 0-based character of the query where the problem is. */
    readonly position?: number,
  ) {
    super(message);
  }
}

/**
 * The server's refusal of a search query (`bad_query`), made here without asking it, or null when the
 * query parses. The parser is the server's own (domain/query.ts), so its answer would be the same; a
 * query typed wrong then shows its error under the box without a failed request in the browser.
 */
export function refusedLocally(q: string | undefined, subject: QuerySubject): Promise<never> | null {
  if (q === undefined) return null;
  try {
    parseQuery(q, subject);
    return null;
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return Promise.reject(new ApiError(400, "bad_query", error.message, error.position));
  }
}

/** `parse` reads a 2xx answer's text: JSON.parse, or `parseJsonExact` where integers past 2^53 may come. */
export async function request<T>(
  path: string,
  init?: RequestInit,
  parse: (text: string) => unknown = JSON.parse,
): Promise<T> {
  const response = await answer(path, init);
  // A 204 (or any empty answer) to a DELETE or PUT has no body to parse.
  const text = await response.text();
  return (text === "" ? undefined : parse(text)) as T;
}

/** The server's 2xx answer, its body not read yet; rejects with an ApiError for any other. */
async function answer(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "unreachable", "tracekit-local is not answering; is it still running?");
  }
  if (!response.ok) {
    let code = "http_error";
    let message = `${response.status} ${response.statusText}`;
    let position: number | undefined;
    try {
      const body = (await response.json()) as ApiErrorResponse;
      code = body.error.code;
      message = body.error.message;
      position = body.error.position;
    } catch {
      // Not our JSON error shape; the status line is the best we have.
    }
    throw new ApiError(response.status, code, message, position);
  }
  return response;
}

/**
 * Where the page reads one trace: `?missing=null` asks for a 200 answering `null` when it is not
 * stored, so that opening such a trace leaves no failed request in the browser's console, and
 * `form=compact1` for each span as an array and what spans repeat once (about a third of the bytes
 * of a big trace, see `expandCompactTrace`). The server's preload hint for a trace page names this
 * same path.
 */
export function tracePath(traceId: string): string {
  return `/api/traces/${encodeURIComponent(traceId)}?missing=null&form=compact1`;
}

export interface TraceListParams {
  service?: string;
  name?: string;
  q?: string;
  minDurationMs?: number;
  /** A brushed rectangle's least duration: the query's minimum is the greater of the two. */
  brushMinMs?: number;
  maxDurationMs?: number;
  errorsOnly?: boolean;
  since?: number;
  until?: number;
  sort?: "start" | "duration" | "spans" | "errors" | undefined;
  order?: "asc" | "desc" | undefined;
  limit?: number;
  cursor?: string;
}

export function traceListQuery(params: TraceListParams): string {
  const search = new URLSearchParams();
  if (params.service) search.set("service", params.service);
  if (params.name) search.set("name", params.name);
  if (params.q) search.set("q", params.q);
  const min = effectiveMinMs(params);
  if (min !== undefined) search.set("minDurationMs", String(min));
  if (params.maxDurationMs !== undefined) search.set("maxDurationMs", String(params.maxDurationMs));
  if (params.errorsOnly) search.set("status", "error");
  if (params.since !== undefined) search.set("since", String(params.since));
  if (params.until !== undefined) search.set("until", String(params.until));
  if (params.sort !== undefined) search.set("sort", params.sort);
  if (params.order !== undefined) search.set("order", params.order);
  if (params.limit !== undefined) search.set("limit", String(params.limit));
  if (params.cursor) search.set("cursor", params.cursor);
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** A breakpoint made on the Snapshots page by its label (POST /api/breakpoints without a file). */
export interface NewBreakpoint {
  service: string;
  label: string;
  maxCaptures: number;
  expireAt: string | null;
  enabled: boolean;
}

/** What the Snapshots page may change on a breakpoint (PATCH /api/breakpoints/:id). */
export type BreakpointPatch = Partial<
  Pick<BreakpointJson, "enabled" | "maxCaptures" | "expireAt" | "condition" | "label">
>;

export interface SnapshotListParams {
  service?: string;
  breakpointId?: string;
  traceId?: string;
  limit?: number;
  cursor?: string;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/**
 * Where the OTLP/JSON Lines of one trace, or of every trace the list's filters match, downloads from:
 * their log records too, as `tracekit-local export` gives them by default (the server's own default is
 * traces alone). With no filter but a time window, every log record of the window, as the command gives.
 */
export function exportUrl(selection: { traceId: string } | TraceListParams): string {
  if ("traceId" in selection) return `/api/export?trace=${encodeURIComponent(selection.traceId)}&signals=traces,logs`;
  const { limit: _limit, cursor: _cursor, sort: _sort, order: _order, ...filters } = selection;
  const query = traceListQuery(filters);
  return `/api/export${query}${query === "" ? "?" : "&"}signals=traces,logs`;
}

function sendJson(method: string, body: unknown): RequestInit {
  return { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export const api = {
  health: () => request<HealthResponse>("/api/health"),
  traces: (params: TraceListParams, signal?: AbortSignal) =>
    refusedLocally(params.q, "spans") ??
    request<TraceListResponse>(`/api/traces${traceListQuery(params)}`, signal ? { signal } : undefined),
  /** The summaries of these traces that are stored, in this order (a span's links name them). */
  traceSummaries: (traceIds: readonly string[], signal?: AbortSignal) =>
    request<TraceListResponse>(
      `/api/traces?ids=${traceIds.map(encodeURIComponent).join(",")}`,
      signal ? { signal } : undefined,
    ),
  /** Rejects with an ApiError 404 when the trace is not stored, which the server says with a 200 (see `tracePath`). */
  trace: async (traceId: string, signal?: AbortSignal): Promise<TraceResponse> => {
    const response = await answer(tracePath(traceId), signal ? { signal } : undefined);
    let trace: TraceResponse | null;
    try {
      // Read as it arrives (see readCompactTrace): most of it is parsed by its last byte.
      trace =
        response.body === null ? null : await readCompactTrace(response.body, () => markTraceStep("trace-answer"));
    } catch (error) {
      if (error instanceof CompactTraceError) throw new ApiError(0, "bad_answer", error.message);
      throw error;
    }
    if (trace === null) throw new ApiError(404, "trace_not_found", `no trace ${traceId} is stored`);
    markTraceStep("trace-parsed");
    return trace;
  },
  /**
   * The trace that holds a span with this id, or null when none stored does (a 200 `null`, not a 404);
   * with `traceId`, that trace when it holds the span (read from that trace alone), else null.
   */
  spanTrace: (spanId: string, signal?: AbortSignal, traceId?: string) =>
    request<SpanTraceResponse | null>(
      `/api/spans/${encodeURIComponent(spanId)}?missing=null${traceId === undefined ? "" : `&trace=${encodeURIComponent(traceId)}`}`,
      signal ? { signal } : undefined,
    ),
  services: (params: Record<string, string | number | undefined> = {}) =>
    request<ServicesResponse>(`/api/services${query(params)}`),
  serviceOperations: (service: string, params: Record<string, string | number | undefined>) =>
    request<ServiceOperationsResponse>(`/api/services/${encodeURIComponent(service)}/operations${query(params)}`),
  attributeKeys: () => request<AttributeKeysResponse>("/api/attributes"),
  attributeValues: (key: string) =>
    request<AttributeValuesResponse>(`/api/attributes/${encodeURIComponent(key)}/values?limit=50`),
  /**
   * A file as it is (OTLP JSON, JSON Lines, protobuf, a Jaeger JSON trace, gzipped or not: the server
   * tells the format), or (`firstLine` given) whole lines of a JSON Lines file starting at that line.
   */
  importFile: (file: Blob, firstLine?: number) =>
    request<ImportResponse>(firstLine === undefined ? "/api/import" : `/api/import?line=${firstLine}&lines=1`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: file,
    }),
  clear: () => request<{ cleared: boolean }>("/api/traces", { method: "DELETE" }),
  breakpoints: () => request<BreakpointsResponse>("/api/breakpoints"),
  createBreakpoint: (input: NewBreakpoint) => request<BreakpointJson>("/api/breakpoints", sendJson("POST", input)),
  updateBreakpoint: (id: string, patch: BreakpointPatch) =>
    request<BreakpointJson>(`/api/breakpoints/${encodeURIComponent(id)}`, sendJson("PATCH", patch)),
  deleteBreakpoint: (id: string) =>
    request<unknown>(`/api/breakpoints/${encodeURIComponent(id)}`, { method: "DELETE" }),
  setKillSwitch: (enabled: boolean) => request<unknown>("/api/kill-switch", sendJson("PUT", { enabled })),
  snapshots: (params: SnapshotListParams, signal?: AbortSignal) =>
    request<SnapshotListResponse>(`/api/snapshots${query({ ...params })}`, signal ? { signal } : undefined),
  snapshot: (id: string, signal?: AbortSignal) =>
    // Variables keep integers past 2^53 exact (bigints, shown with every digit).
    request<SnapshotJson>(`/api/snapshots/${encodeURIComponent(id)}`, signal ? { signal } : undefined, parseJsonExact),
  sdkEvents: () => request<SdkEventsResponse>("/api/sdk-events"),
  serviceMap: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    request<ServiceMapResponse>(`/api/service-map${query(params)}`, signal ? { signal } : undefined),
  llm: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    request<LlmUsageResponse>(`/api/llm${query(params)}`, signal ? { signal } : undefined),
  errors: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    request<ErrorGroupsResponse>(`/api/errors${query(params)}`, signal ? { signal } : undefined),
  metricCatalog: (signal?: AbortSignal) =>
    request<MetricCatalogResponse>("/api/metrics", signal ? { signal } : undefined),
  /** `search` is the query string, `?since=…` (see metricQuerySearch). */
  metric: (name: string, search: string, signal?: AbortSignal) =>
    request<MetricQueryResponse>(`/api/metrics/${encodeURIComponent(name)}${search}`, signal ? { signal } : undefined),
};
