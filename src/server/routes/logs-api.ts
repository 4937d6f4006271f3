/**
 * GET /api/logs: stored log records, filtered and paged (LogListResponse); GET /api/logs/services: the
 * services with records (LogServicesResponse); GET /api/logs/:id: one record (LogResponse).
 */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { normalizeSpanId, normalizeTraceId } from "../../domain/ids.js";
import { LOG_SEVERITIES, severityFromText } from "../../domain/log.js";
import type { LogListResponse, LogResponse, LogServicesResponse } from "../../protocol.js";
import { logToJson } from "../../protocol-json.js";
import { DEFAULT_LOG_LIMIT, type LogQuery, type LogStore, MAX_LOG_LIMIT } from "../../store/log-store.js";
import { parseTimeWindow } from "../time-window.js";

export interface LogsApiDeps {
  logStore: LogStore;
}

function bad(message: string): AppError {
  return new AppError(400, "invalid_query", message);
}

/** The query string → a LogQuery; every parameter that is present but wrong is a 400 saying why. */
export function parseLogQuery(params: URLSearchParams): LogQuery {
  const query: LogQuery = { limit: DEFAULT_LOG_LIMIT, order: "desc" };
  const limit = params.get("limit");
  if (limit !== null && limit !== "") {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : 0;
    if (n < 1 || n > MAX_LOG_LIMIT) {
      throw bad(`limit must be a whole number from 1 to ${MAX_LOG_LIMIT}, not "${limit.slice(0, 40)}"`);
    }
    query.limit = n;
  }
  const order = params.get("order");
  if (order !== null && order !== "") {
    if (order !== "asc" && order !== "desc") throw bad(`order must be "asc" or "desc", not "${order.slice(0, 40)}"`);
    query.order = order;
  }
  const service = params.get("service");
  if (service) query.service = service;
  const severity = params.get("severity");
  if (severity) {
    const level = severityFromText(severity);
    if (level === undefined) {
      throw bad(`severity must be a level (${LOG_SEVERITIES.slice(1).join(", ")}), not "${severity.slice(0, 40)}"`);
    }
    query.minSeverity = level;
  }
  const q = params.get("q");
  if (q?.trim()) query.q = q.trim();
  const count = params.get("count");
  if (count !== null && count !== "") {
    if (count !== "true" && count !== "false")
      throw bad(`count must be "true" or "false", not "${count.slice(0, 40)}"`);
    if (count === "true") query.count = true;
  }
  const traceId = params.get("traceId");
  if (traceId) {
    const id = normalizeTraceId(traceId);
    if (id === null) throw bad(`traceId "${traceId.slice(0, 64)}" is not a trace id (32 hex digits)`);
    query.traceId = id;
  }
  const spanId = params.get("spanId");
  if (spanId) {
    const id = normalizeSpanId(spanId);
    if (id === null) throw bad(`spanId "${spanId.slice(0, 64)}" is not a span id (16 hex digits)`);
    query.spanId = id;
  }
  const window = parseTimeWindow(params);
  if (window.sinceUnixNano !== undefined) query.sinceUnixNano = window.sinceUnixNano;
  if (window.untilUnixNano !== undefined) query.untilUnixNano = window.untilUnixNano;
  const cursor = params.get("cursor");
  if (cursor) query.cursor = cursor;
  const afterId = params.get("afterId");
  if (afterId !== null && afterId !== "") {
    if (!/^\d{1,15}$/.test(afterId))
      throw bad(`afterId must be a log record id (a whole number), not "${afterId.slice(0, 40)}"`);
    if (query.cursor !== undefined)
      throw bad("afterId pages by itself: pass the last record's id as afterId, not a cursor");
    query.afterSeq = Number(afterId);
  }
  return query;
}

export function logsApiRoutes(deps: LogsApiDeps): Hono {
  const app = new Hono();
  app.get("/api/logs", (c) => {
    const page = deps.logStore.listLogs(parseLogQuery(new URL(c.req.url).searchParams));
    const { logs: stored, maxLogs } = deps.logStore.stats();
    const body: LogListResponse = {
      logs: page.logs.map(logToJson),
      stored,
      maxLogs,
      lastId: String(deps.logStore.lastSeq()),
    };
    if (page.nextCursor !== undefined) body.nextCursor = page.nextCursor;
    if (page.matched !== undefined) body.matched = page.matched;
    return c.json(body);
  });
  // Before /api/logs/:id, whose ids are numbers.
  app.get("/api/logs/services", (c) => {
    const body: LogServicesResponse = { services: deps.logStore.logServices() };
    return c.json(body);
  });
  app.get("/api/logs/:id", (c) => {
    const id = c.req.param("id");
    if (!/^[1-9]\d{0,14}$/.test(id)) throw bad(`"${id.slice(0, 40)}" is not a log record id (a whole number)`);
    const stored = deps.logStore.getLog(Number(id));
    if (stored === undefined) {
      throw new AppError(404, "log_not_found", `no log record ${id} is stored: it may have been evicted or cleared`);
    }
    const body: LogResponse = { log: logToJson(stored) };
    return c.json(body);
  });
  return app;
}
