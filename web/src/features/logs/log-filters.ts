/**
 * The Logs page's filters: they live in the URL
 * (`/logs?service=…&severity=WARN&window=1h&q=…&traceId=…&spanId=…`) and map onto `GET /api/logs`. Pure.
 */
import type { LogRecordJson } from "../../../../src/protocol";
import { windowSince } from "../../components/time-window";
import { withParam } from "../../lib/url";
import { FUTURE_SKEW_S } from "../trace-list/latency-chart-model";
import { isAtLeast, parseSeverityLevel, type SeverityLevel } from "./severity";

export interface LogFilters {
  service?: string;
  /** This level or worse. */
  severity?: SeverityLevel;
  /**
   * How far back from now (a key of TIME_WINDOWS: `15m`, `1h`…); absent for everything stored. The
   * window ends now: records dated later (a clock ahead) are left out of it, and counted apart.
   */
  window?: string;
  /** Text in the body and attribute values; only the server decides it. */
  q?: string;
  traceId?: string;
  spanId?: string;
}

const HEX = /^[0-9a-f]+$/;

/** An id from a URL: lower-case hex of the right length, else nothing (a wrong one would match nothing). */
function idParam(value: string | null, length: number): string | undefined {
  const id = value?.trim().toLowerCase();
  return id && id.length === length && HEX.test(id) ? id : undefined;
}

export function logFiltersFromSearch(search: string | URLSearchParams): LogFilters {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const filters: LogFilters = {};
  const service = params.get("service");
  if (service) filters.service = service;
  const severity = parseSeverityLevel(params.get("severity"));
  if (severity) filters.severity = severity;
  const window = params.get("window");
  if (window && windowSince(window) !== undefined) filters.window = window;
  const q = params.get("q")?.trim();
  if (q) filters.q = q;
  const traceId = idParam(params.get("traceId"), 32);
  if (traceId) filters.traceId = traceId;
  const spanId = idParam(params.get("spanId"), 16);
  if (spanId) filters.spanId = spanId;
  return filters;
}

/** The URL query for some filters ("" when there are none), in a stable order. */
export function logFiltersToSearch(filters: LogFilters): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.severity) params.set("severity", filters.severity);
  if (filters.window) params.set("window", filters.window);
  if (filters.q) params.set("q", filters.q);
  if (filters.traceId) params.set("traceId", filters.traceId);
  if (filters.spanId) params.set("spanId", filters.spanId);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export function hasLogFilters(filters: LogFilters): boolean {
  return logFiltersToSearch(filters) !== "";
}

/** Filters with one changed; emptied values are dropped, and leaving a trace drops its span too. */
export function withLogFilter<K extends keyof LogFilters>(
  filters: LogFilters,
  key: K,
  value: LogFilters[K] | undefined,
): LogFilters {
  const next: LogFilters = { ...filters };
  if (value === undefined || value === "") delete next[key];
  else next[key] = value;
  if (key === "traceId" && next.traceId === undefined) delete next.spanId;
  return next;
}

/** How far past the page's clock a record may be dated and still count as now (hosts' clocks differ a little). */
export const FUTURE_SKEW_MS = FUTURE_SKEW_S * 1000;

/** The window's start in unix nanoseconds at `nowMs`, or undefined for everything stored. */
function windowStartNanos(filters: LogFilters, nowMs: number): bigint | undefined {
  const since = filters.window === undefined ? undefined : windowSince(filters.window, nowMs);
  return since === undefined ? undefined : BigInt(since) * 1_000_000n;
}

/**
 * `GET /api/logs`'s parameters for the filters at `nowMs`: the window becomes `since` and `until`
 * (unix ms), now give or take FUTURE_SKEW_MS, so records dated in the future stay out of it.
 */
export function logListParams(
  filters: LogFilters,
  nowMs = Date.now(),
): Omit<LogFilters, "window"> & { since?: number; until?: number } {
  const { window, ...params } = filters;
  const since = window === undefined ? undefined : windowSince(window, nowMs);
  return since === undefined ? params : { ...params, since, until: nowMs + FUTURE_SKEW_MS };
}

/**
 * With a window, what asks for the records it leaves out as dated in the future (after its end, the
 * other filters kept); undefined without a window, which leaves out nothing.
 */
export function futureLogParams(
  filters: LogFilters,
  nowMs = Date.now(),
): (Omit<LogFilters, "window"> & { since: number }) | undefined {
  const { window, ...params } = filters;
  if (window === undefined || windowSince(window, nowMs) === undefined) return undefined;
  return { ...params, since: nowMs + FUTURE_SKEW_MS + 1 };
}

/** Whether a record is dated past a window that ends at `nowMs` (see FUTURE_SKEW_MS). */
export function isDatedInFuture(record: Pick<LogRecordJson, "timeUnixNano">, nowMs = Date.now()): boolean {
  return BigInt(record.timeUnixNano) >= BigInt(nowMs + FUTURE_SKEW_MS + 1) * 1_000_000n;
}

/**
 * Whether a pushed record belongs in the filtered list. Free text is the server's to decide
 * ("unknown": ask it); the other filters can be decided here.
 */
export function matchesLogFilters(
  record: LogRecordJson,
  filters: LogFilters,
  nowMs = Date.now(),
): "yes" | "no" | "unknown" {
  if (filters.service !== undefined && record.service !== filters.service) return "no";
  const start = windowStartNanos(filters, nowMs);
  if (start !== undefined && (BigInt(record.timeUnixNano) < start || isDatedInFuture(record, nowMs))) return "no";
  if (!isAtLeast(record.severity, filters.severity)) return "no";
  if (filters.traceId !== undefined && record.traceId !== filters.traceId) return "no";
  if (filters.spanId !== undefined && record.spanId !== filters.spanId) return "no";
  return filters.q !== undefined ? "unknown" : "yes";
}

/** The log list filtered to one trace (and span), e.g. "all logs of this trace". */
export function logsOfTraceHref(traceId: string, spanId?: string | null, logId?: string): string {
  const search = logFiltersToSearch(spanId ? { traceId, spanId } : { traceId });
  return `/logs${withParam(search, "log", logId || null)}`;
}

/** A record's place in its trace: the trace page with its span selected (and the record marked). */
export function traceOfLogHref(record: Pick<LogRecordJson, "id" | "traceId" | "spanId">): string | null {
  if (record.traceId === null) return null;
  const params = new URLSearchParams();
  if (record.spanId) params.set("span", record.spanId);
  params.set("log", record.id);
  return `/traces/${record.traceId}?${params.toString()}`;
}
