import { Hono } from "hono";
import { count } from "../../domain/count-text.js";
import { AppError } from "../../domain/errors.js";
import { normalizeSpanId, normalizeTraceId } from "../../domain/ids.js";
import type { PriceList } from "../../domain/llm-prices.js";
import { UNSET_TIME } from "../../domain/time.js";
import type { CodeMonitoring } from "../../ingest/code-monitoring.js";
import type { Ingest } from "../../ingest/ingest.js";
import type { RejectionLog } from "../../ingest/rejections.js";
import type { LiveHub } from "../../live/hub.js";
import type {
  AttributeKeysResponse,
  AttributeValuesResponse,
  ServiceOperationsResponse,
  ServiceStatsJson,
  ServicesResponse,
  SharedTraceResponse,
  SpanContextResponse,
  SpanTraceResponse,
  StatsResponse,
  TraceListResponse,
  TraceResponse,
} from "../../protocol.js";
import { MAX_SPAN_CONTEXT, MAX_TRACE_IDS } from "../../protocol.js";
import { snapshotSummaryToJson, spansToSharedJson, spanToJson, traceSummaryToJson } from "../../protocol-json.js";
import type { CodeMonitoringStore } from "../../store/code-monitoring-store.js";
import type { LogStore } from "../../store/log-store.js";
import type { MetricStore } from "../../store/metric-store.js";
import {
  DEFAULT_TRACE_LIMIT,
  MAX_TRACE_LIMIT,
  type ServiceStats,
  type Store,
  type TracePage,
  type TraceQuery,
} from "../../store/store.js";
import { SORT_ORDERS, TRACE_SORT_KEYS } from "../../store/trace-sort.js";
import { createCompactTraceAnswers } from "../compact-trace-answers.js";
import { type HealthDeps, healthBody, healthHeaders } from "../health.js";
import { assertOwnOrigin } from "../own-origin.js";
import type { HostPolicy } from "../security.js";
import { parseTimeWindow } from "../time-window.js";
import { listTracesInSlices } from "../trace-list-slices.js";

export interface ApiRouteDeps extends HealthDeps {
  store: Store;
  /** The price table GenAI spans are priced at (`--prices`); the bundled one by default. */
  prices?: PriceList;
  codeMonitoringStore: CodeMonitoringStore;
  codeMonitoring: CodeMonitoring;
  logStore: LogStore;
  hub: LiveHub;
  ingest: Ingest;
  metricStore: MetricStore;
  rejections: RejectionLog;
  hostPolicy: HostPolicy;
}

const DEFAULT_VALUE_LIMIT = 20;
const MAX_VALUE_LIMIT = 200;

/** A duration filter in milliseconds (a number >= 0), or undefined when absent. */
function durationParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new AppError(
      400,
      "invalid_query",
      `${name} must be a number of milliseconds >= 0, not "${raw.slice(0, 40)}"`,
    );
  }
  return n;
}

/** A parameter that must be one of a few words, or undefined when absent. */
function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new AppError(
    400,
    "invalid_query",
    `${name} must be ${allowed.map((word) => `"${word}"`).join(", ")}, not "${raw.slice(0, 40)}"`,
  );
}

/** A whole-number parameter from `min` to `max`, or undefined when absent; 400 with the bounds otherwise. */
function wholeNumberParam(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError(
      400,
      "invalid_query",
      `${name} must be a whole number from ${min} to ${max}, not "${raw.slice(0, 40)}"`,
    );
  }
  return n;
}

/**
 * `raw` as a trace id, any case, lower-case out; else a 400 quoting the start of `named` (what the request
 * wrote, when `raw` was read from it).
 */
export function traceIdParam(raw: string, named = raw): string {
  const id = normalizeTraceId(raw);
  if (id === null)
    throw new AppError(400, "invalid_trace_id", `"${named.slice(0, 64)}" is not a trace id (32 hex digits)`);
  return id;
}

/** `?ids=a,b`: trace ids, any case, each checked; lower-case out. */
function parseTraceIds(text: string): string[] {
  const parts = text.split(",").filter((part) => part.trim() !== "");
  if (parts.length > MAX_TRACE_IDS) {
    throw new AppError(
      400,
      "invalid_query",
      `ids names ${count(parts.length)} traces; at most ${count(MAX_TRACE_IDS)} at once`,
    );
  }
  return parts.map((part) => traceIdParam(part.trim(), part));
}

export function parseTraceQuery(params: URLSearchParams): TraceQuery {
  const query: TraceQuery = { limit: wholeNumberParam(params, "limit", 1, MAX_TRACE_LIMIT) ?? DEFAULT_TRACE_LIMIT };
  const minDuration = durationParam(params, "minDurationMs");
  if (minDuration !== undefined) query.minDurationMs = minDuration;
  const maxDuration = durationParam(params, "maxDurationMs");
  if (maxDuration !== undefined) query.maxDurationMs = maxDuration;
  if (minDuration !== undefined && maxDuration !== undefined && minDuration > maxDuration) {
    throw new AppError(
      400,
      "invalid_query",
      `minDurationMs (${minDuration}) is more than maxDurationMs (${maxDuration}): no trace could match`,
    );
  }
  const sort = oneOf(params, "sort", TRACE_SORT_KEYS);
  if (sort !== undefined) query.sort = sort;
  const order = oneOf(params, "order", SORT_ORDERS);
  if (order !== undefined) query.order = order;
  const status = params.get("status");
  if (status !== null && status !== "") {
    if (status === "error") query.errorsOnly = true;
    else if (status === "ok") query.okOnly = true;
    else throw new AppError(400, "invalid_query", `status must be "error" or "ok", not "${status}"`);
  }
  const service = params.get("service");
  if (service) query.service = service;
  const name = params.get("name");
  if (name?.trim()) query.name = name.trim();
  const q = params.get("q");
  if (q?.trim()) query.q = q.trim();
  const window = parseTimeWindow(params);
  if (window.sinceUnixNano !== undefined) query.sinceUnixNano = window.sinceUnixNano;
  if (window.untilUnixNano !== undefined) query.untilUnixNano = window.untilUnixNano;
  const cursor = params.get("cursor");
  if (cursor) query.cursor = cursor;
  return query;
}

/** The most traces `offset` may skip: more than a store holds at its largest bound. */
const MAX_TRACE_OFFSET = 10_000_000;

/** `offset` of GET /api/traces (as the first local UI took it, beside the cursor): 0 when absent. */
export function parseTraceOffset(params: URLSearchParams): number {
  return wholeNumberParam(params, "offset", 0, MAX_TRACE_OFFSET) ?? 0;
}

/**
 * The page `offset` traces further down the list than `query` starts: the traces before it walked
 * past page by page (each a sliced walk, as any page is); empty when the list ends before it.
 */
async function pageAfter(store: Store, query: TraceQuery, offset: number): Promise<TracePage> {
  let cursor = query.cursor;
  while (offset > 0) {
    const skipped = await listTracesInSlices(store, { ...query, cursor, limit: Math.min(MAX_TRACE_LIMIT, offset) });
    offset -= skipped.traces.length;
    if (skipped.nextCursor === undefined) return { traces: [] };
    cursor = skipped.nextCursor;
  }
  return listTracesInSlices(store, cursor === undefined ? query : { ...query, cursor });
}

export { API_VERSION } from "../health.js";

/** Start of a trace as ISO 8601. */
/** The first of `traces` with a start, as ISO text (a trace of spans with no start, 0, dates nothing). */
function traceStart(traces: readonly { startTimeUnixNano: bigint }[]): string | null {
  const trace = traces.find((t) => t.startTimeUnixNano !== UNSET_TIME);
  return trace === undefined ? null : new Date(Number(trace.startTimeUnixNano / 1_000_000n)).toISOString();
}

/** GET /api/stats, also health's `stats`: the first TraceKit local UI's statistics. */
function firstUiStats(store: ApiRouteDeps["store"], stats = store.stats()): StatsResponse {
  return {
    totalTraces: stats.traces,
    totalSpans: stats.spans,
    services: store.listServices().map((s) => s.name),
    // From 1 ns on: a trace of spans with no start (0) dates nothing, and lists first oldest-first.
    oldestTrace: traceStart(store.listTraces({ limit: 1, order: "asc", sinceUnixNano: 1n }).traces),
    newestTrace: traceStart(store.listTraces({ limit: 1 }).traces),
  };
}

export function apiRoutes(deps: ApiRouteDeps): Hono {
  const app = new Hono();
  const compactAnswers = createCompactTraceAnswers(deps.store, deps.prices);

  app.get("/api/health", (c) => {
    const origin = c.req.header("origin");
    const fromOtherOrigin = origin !== undefined && !deps.hostPolicy.isOwnOrigin(origin, deps.port());
    const stats = deps.store.stats();
    const codeMonitoring = deps.codeMonitoringStore.stats();
    const logs = deps.logStore.stats();
    const metrics = deps.metricStore.stats();
    const rejections = deps.rejections.counts();
    const ingest = deps.ingest.counts();
    const body = healthBody(
      deps,
      {
        state: "ready",
        kind: deps.store.kind,
        maxSpans: stats.maxSpans,
        maxLogs: logs.maxLogs,
        maxMetricSeries: metrics.maxSeries,
        stats: firstUiStats(deps.store, stats),
        counts: {
          spans: stats.spans,
          traces: stats.traces,
          evictedTraces: stats.evictedTraces,
          evictedSpans: stats.evictedSpans,
          ownCallSpans: ingest.ownCallSpans,
          lateSpans: ingest.lateSpans,
          rejectedRequests: rejections.rejectedRequests,
          rejectedSpans: rejections.rejectedSpans,
          misdirectedRequests: rejections.misdirectedRequests,
          rejectedGrpcConnections: rejections.rejectedGrpcConnections,
          snapshots: codeMonitoring.snapshots,
          evictedSnapshots: codeMonitoring.evictedSnapshots,
          breakpoints: codeMonitoring.breakpoints,
          logs: logs.logs,
          evictedLogs: logs.evictedLogs,
          rejectedLogRecords: rejections.rejectedLogRecords,
          metricSeries: metrics.series,
          metricPoints: metrics.points,
          droppedMetricSeries: metrics.droppedSeries,
          droppedMetricPoints: metrics.droppedPoints,
          expiredMetricSeries: metrics.expiredSeries,
          rejectedDataPoints: rejections.rejectedDataPoints,
        },
      },
      fromOtherOrigin,
    );
    for (const [name, value] of Object.entries(healthHeaders(origin, deps.hostPolicy.isDevOrigin)))
      c.header(name, value);
    return c.json(body);
  });

  app.get("/api/traces", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const ids = params.get("ids");
    if (ids !== null) {
      // Named traces (a span's links, say): the summaries of those stored, in the order asked.
      const body: TraceListResponse = {
        traces: deps.store.getSummaries(parseTraceIds(ids)).map((s) => traceSummaryToJson(s, deps.prices)),
      };
      return c.json(body);
    }
    const query = parseTraceQuery(params);
    const offset = parseTraceOffset(params);
    const page = offset > 0 ? await pageAfter(deps.store, query, offset) : await listTracesInSlices(deps.store, query);
    const body: TraceListResponse = { traces: page.traces.map((s) => traceSummaryToJson(s, deps.prices)) };
    if (page.nextCursor !== undefined) body.nextCursor = page.nextCursor;
    if (page.partial) body.partial = true;
    return c.json(body);
  });

  app.get("/api/traces/:traceId", (c) => {
    const traceId = traceIdParam(c.req.param("traceId"));
    const resources = c.req.query("resources");
    if (resources !== undefined && resources !== "shared" && resources !== "inline") {
      throw new AppError(
        400,
        "invalid_query",
        `resources must be "shared" or "inline", not "${resources.slice(0, 64)}"`,
      );
    }
    const form = c.req.query("form");
    if (form !== undefined && form !== "compact1") {
      throw new AppError(400, "invalid_query", `form must be "compact1", not "${form.slice(0, 64)}"`);
    }
    const missing = () => {
      // The web app asks with ?missing=null: a page for a trace not (yet) stored is an answer for it,
      // and a 404 would be logged in the browser's console as a failed request.
      if (c.req.query("missing") === "null") return c.json(null);
      throw new AppError(404, "trace_not_found", `no trace ${traceId} is stored`);
    };
    // Name and service of the same span, as the trace list shows them.
    const headOf = () => {
      const summary = deps.store.getSummaries([traceId])[0];
      return { name: summary?.name ?? "", service: summary?.service ?? "" };
    };
    const snapshotsOf = () => deps.codeMonitoringStore.snapshotsOfTrace(traceId).map(snapshotSummaryToJson);
    if (form === "compact1") {
      const text = compactAnswers.answer(traceId, () => ({ ...headOf(), snapshots: snapshotsOf() }));
      return text === undefined ? missing() : c.body(text, 200, { "Content-Type": "application/json" });
    }
    const spans = deps.store.getTrace(traceId);
    if (spans === undefined) return missing();
    const { name, service } = headOf();
    const snapshots = snapshotsOf();
    if (resources === "shared") {
      const body: SharedTraceResponse = {
        traceId,
        name,
        service,
        ...spansToSharedJson(spans, deps.prices),
        snapshots,
      };
      return c.json(body);
    }
    const body: TraceResponse = {
      traceId,
      name,
      service,
      spans: spans.map((span) => spanToJson(span, deps.prices)),
      snapshots,
    };
    return c.json(body);
  });

  app.get("/api/spans/:spanId", (c) => {
    const raw = c.req.param("spanId");
    const spanId = normalizeSpanId(raw);
    if (spanId === null)
      throw new AppError(400, "invalid_span_id", `"${raw.slice(0, 64)}" is not a span id (16 hex digits)`);
    // `?trace=`: whether that trace holds it (a span link names both), read from that trace alone.
    const asked = c.req.query("trace");
    const inTrace = asked === undefined ? null : normalizeTraceId(asked);
    if (asked !== undefined && inTrace === null) {
      throw new AppError(400, "invalid_trace_id", `"${asked.slice(0, 64)}" is not a trace id (32 hex digits)`);
    }
    const traceId =
      inTrace === null
        ? deps.store.traceIdOfSpan(spanId)
        : deps.store.traceHoldsSpan(inTrace, spanId)
          ? inTrace
          : undefined;
    if (traceId === undefined) {
      // The web app asks with ?missing=null, as for a trace: a pasted id that is no span's is an answer.
      if (c.req.query("missing") === "null") return c.json(null);
      throw new AppError(404, "span_not_found", `no stored trace holds a span ${spanId}`);
    }
    const body: SpanTraceResponse = { spanId, traceId };
    return c.json(body);
  });

  app.get("/api/spans/:spanId/context", (c) => {
    const raw = c.req.param("spanId");
    const spanId = normalizeSpanId(raw);
    if (spanId === null)
      throw new AppError(400, "invalid_span_id", `"${raw.slice(0, 64)}" is not a span id (16 hex digits)`);
    const side = (name: string, fallback: number) => {
      const text = c.req.query(name);
      if (text === undefined || text === "") return fallback;
      const n = /^\d{1,4}$/.test(text) ? Number(text) : -1;
      if (n < 0 || n > MAX_SPAN_CONTEXT) {
        throw new AppError(
          400,
          "invalid_query",
          `${name} must be a whole number from 0 to ${MAX_SPAN_CONTEXT}, not "${text.slice(0, 40)}"`,
        );
      }
      return n;
    };
    const limits = { maxAbove: side("above", 20), maxBelow: side("below", 30) };
    const context = deps.store.spanContext(spanId, limits);
    if (context === undefined) throw new AppError(404, "span_not_found", `no stored trace holds a span ${spanId}`);
    const json = (span: Parameters<typeof spanToJson>[0]) => spanToJson(span, deps.prices);
    const body: SpanContextResponse = {
      traceId: context.traceId,
      traceName: deps.store.getSummaries([context.traceId])[0]?.name ?? "",
      spanCount: context.spanCount,
      traceStartUnixNano: String(context.traceStart),
      span: json(context.span),
      depth: context.depth,
      above: context.above.map(json),
      below: context.below.map(({ span, depth }) => ({ span: json(span), depth })),
      belowCount: context.belowCount,
      siblingCount: context.siblingCount,
    };
    return c.json(body);
  });

  app.delete("/api/traces", (c) => {
    assertOwnOrigin(c.req.header("origin"), deps.hostPolicy, deps.port(), "DELETE");
    deps.store.clear();
    compactAnswers.forget();
    deps.logStore.clear();
    deps.codeMonitoring.clearCaptured();
    deps.metricStore.clear();
    // Once every store sharing the file is cleared: the file then holds little to rewrite.
    deps.store.reclaimSpace?.();
    deps.ingest.reset();
    deps.rejections.reset();
    deps.hub.cleared();
    // `success`: what the first TraceKit local UI answered, which scripts written against it read.
    return c.json({ cleared: true, success: true });
  });

  app.get("/api/attributes", (c) => {
    const body: AttributeKeysResponse = deps.store.attributeKeys();
    return c.json(body);
  });

  app.get("/api/attributes/:key/values", (c) => {
    const key = c.req.param("key");
    const raw = c.req.query("limit");
    const limit = raw === undefined || raw === "" ? DEFAULT_VALUE_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_VALUE_LIMIT) {
      throw new AppError(
        400,
        "invalid_query",
        `limit must be a whole number from 1 to ${MAX_VALUE_LIMIT}, not "${raw}"`,
      );
    }
    const body: AttributeValuesResponse = deps.store.attributeValues(key, limit);
    return c.json(body);
  });

  app.get("/api/stats", (c) => c.json(firstUiStats(deps.store)));

  app.get("/api/services", (c) => {
    const window = parseTimeWindow(new URL(c.req.url).searchParams);
    const body: ServicesResponse = {
      services: deps.store.listServices(window).map(serviceJson),
      rateBasis: deps.store.rateBasis(window),
    };
    return c.json(body);
  });

  app.get("/api/services/:name/operations", (c) => {
    const name = c.req.param("name");
    const window = parseTimeWindow(new URL(c.req.url).searchParams);
    const found = deps.store.listOperations(name, window);
    if (found === undefined)
      throw new AppError(404, "not_found", `no spans of service "${name.slice(0, 200)}" in this window`);
    const body: ServiceOperationsResponse = {
      service: serviceJson(found.service),
      windowSeconds: found.windowSeconds,
      operations: found.operations.map((op) => ({ ...op, errorRate: rateOf(op.errorCount, op.count) })),
    };
    return c.json(body);
  });

  return app;
}

function rateOf(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function serviceJson(stats: ServiceStats): ServiceStatsJson {
  return { ...stats, errorRate: rateOf(stats.requestErrorCount, stats.requestCount) };
}
