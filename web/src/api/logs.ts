import type { LogListResponse, LogResponse, LogServicesResponse } from "../../../src/protocol";
import { query, refusedLocally, request } from "./client";

/** `GET /api/logs` (see `LogListResponse` for what each parameter means). */
export interface LogListParams {
  service?: string | undefined;
  /** This level or worse: TRACE, DEBUG, INFO, WARN, ERROR or FATAL. */
  severity?: string | undefined;
  q?: string | undefined;
  traceId?: string | undefined;
  spanId?: string | undefined;
  /** Unix ms. */
  since?: number | undefined;
  until?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  /** "asc": oldest first (a trace's logs); newest first otherwise. */
  order?: "asc" | "desc" | undefined;
  /** "true": count the matches (LogListResponse.matched), while the server counts them at once. */
  count?: "true" | undefined;
}

export function fetchLogs(params: LogListParams, signal?: AbortSignal): Promise<LogListResponse> {
  return (
    refusedLocally(params.q, "logs") ??
    request<LogListResponse>(`/api/logs${query({ ...params })}`, signal ? { signal } : undefined)
  );
}

/** `GET /api/logs/:id`: one stored record (an ApiError with status 404 once it is evicted or cleared). */
export function fetchLog(id: string, signal?: AbortSignal): Promise<LogResponse> {
  return request<LogResponse>(`/api/logs/${encodeURIComponent(id)}`, signal ? { signal } : undefined);
}

/** `GET /api/logs/services`: the services with log records stored, by name. */
export function fetchLogServices(signal?: AbortSignal): Promise<LogServicesResponse> {
  return request<LogServicesResponse>("/api/logs/services", signal ? { signal } : undefined);
}
