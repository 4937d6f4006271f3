/** The Metrics page's REST API: the catalog, and one metric's series over a window. */
import { Hono } from "hono";
import { AppError } from "../../domain/errors.js";
import { chartsOf, DISTRIBUTION_STATS, type DistributionStat, type MetricChart } from "../../domain/metric.js";
import { metricCatalogToJson, metricQueryToJson } from "../../protocol-json-metrics.js";
import { defaultStepMs } from "../../store/metric-query.js";
import { MAX_QUERY_STEPS, type MetricQuery, type MetricStore } from "../../store/metric-store.js";
import { windowDurationMs } from "../time-window.js";

export interface MetricsApiDeps {
  metricStore: MetricStore;
  /** Now, unix ms (the default window ends here). */
  now?(): number;
}

/** The default window: the last 15 minutes. */
export const DEFAULT_WINDOW_MS = 15 * 60 * 1000;
const MAX_TEXT = 1024;

function bad(message: string): AppError {
  return new AppError(400, "invalid_query", message);
}

function text(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key);
  if (value === null || value === "") return undefined;
  if (value.length > MAX_TEXT) throw bad(`${key} must be at most ${MAX_TEXT} characters`);
  return value;
}

function millis(params: URLSearchParams, key: string, what: string): number | undefined {
  const value = params.get(key);
  if (value === null || value === "") return undefined;
  const n = Number(value);
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(n))
    throw bad(`${key} must be ${what}, not "${value.slice(0, 64)}"`);
  return n;
}

/**
 * A duration such as `15m`, `90s`, `6h` or `7d` (time-window.ts). The Metrics page asks for its window
 * this way, so its request is known from the page's own address (and the page's HTML can name it for
 * the browser to fetch).
 */
function duration(params: URLSearchParams, key: string): number | undefined {
  const value = params.get(key);
  return value === null ? undefined : windowDurationMs(key, value);
}

/** The query string of GET /api/metrics/:name, checked; `charts` are the metric's own. */
export function parseMetricQuery(
  name: string,
  params: URLSearchParams,
  charts: MetricChart[],
  now: number,
): MetricQuery {
  const recent = duration(params, "window");
  if (recent !== undefined && (params.has("since") || params.has("until")))
    throw bad("window (a duration ending now) replaces since and until: give one or the other");
  const until = millis(params, "until", "a time in unix milliseconds") ?? now;
  // A window reaching before 1970 starts there: a time is never negative.
  const since =
    millis(params, "since", "a time in unix milliseconds") ?? Math.max(0, until - (recent ?? DEFAULT_WINDOW_MS));
  if (since >= until) {
    // Both as dates too: a reader (or a model calling MCP's get_metric) sees which one is off.
    const at = (ms: number) => {
      const date = new Date(ms);
      // Past the last date a Date holds (about 275,760 AD) toISOString throws: the number alone then.
      return Number.isNaN(date.getTime()) ? `${ms}` : `${ms}, ${date.toISOString()}`;
    };
    throw bad(`since (${at(since)}) must be before until (${at(until)})`);
  }
  const window = until - since;
  const asked = millis(params, "step", "a whole number of milliseconds >= 1");
  const step = asked ?? defaultStepMs(window);
  if (step < 1) throw bad("step must be a whole number of milliseconds >= 1");
  if (Math.ceil(window / step) > MAX_QUERY_STEPS) {
    throw bad(`step ${step} ms cuts the ${window} ms window into more than ${MAX_QUERY_STEPS} steps`);
  }
  const query: MetricQuery = { name, fromMs: since, toMs: until, stepMs: step, where: [] };
  // A window ending now (not a range someone chose) opens on the metric's data when it is younger.
  if (!params.has("since") && !params.has("until")) query.startAtData = true;
  // Without a step asked for, steps no finer than the points come (see MetricQuery.stepFromData), on
  // the clock's grid (MetricQuery.alignSteps). A step asked for cuts the window from `since`, as
  // Prometheus' query_range does: get_metric asks for one step as long as the window to read all of it.
  if (asked === undefined) {
    query.stepFromData = true;
    query.alignSteps = true;
  }
  const service = text(params, "service");
  if (service !== undefined) query.service = service;
  const groupBy = text(params, "groupBy");
  if (groupBy !== undefined) query.groupBy = groupBy;
  const where: [string, string][] = [];
  for (const condition of params.getAll("where")) {
    const at = condition.indexOf("=");
    if (at <= 0) throw bad(`where must be key=value, not "${condition.slice(0, 64)}"`);
    if (condition.length > MAX_TEXT) throw bad(`where must be at most ${MAX_TEXT} characters`);
    where.push([condition.slice(0, at), condition.slice(at + 1)]);
  }
  query.where = where;
  const chart = text(params, "chart");
  if (chart !== undefined) {
    if (!charts.includes(chart as MetricChart)) {
      throw bad(`chart must be one of ${charts.join(", ")} for this metric, not "${chart.slice(0, 64)}"`);
    }
    query.chart = chart as MetricChart;
  }
  const stat = text(params, "stat");
  if (stat !== undefined) {
    if (!DISTRIBUTION_STATS.includes(stat as DistributionStat)) {
      throw bad(`stat must be one of ${DISTRIBUTION_STATS.join(", ")}, not "${stat.slice(0, 64)}"`);
    }
    query.stat = stat as DistributionStat;
  }
  return query;
}

export function metricsApiRoutes(deps: MetricsApiDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;

  app.get("/api/metrics", (c) => {
    const params = new URL(c.req.url).searchParams;
    const query: { q?: string; service?: string } = {};
    const q = text(params, "q")?.trim();
    if (q) query.q = q;
    const service = text(params, "service");
    if (service !== undefined) query.service = service;
    return c.json(metricCatalogToJson(deps.metricStore.catalog(query)));
  });

  // Metric names may hold "/" (sent as %2F or as is): the rest of the path is the name.
  app.get("/api/metrics/:name{.+}", (c) => {
    const name = c.req.param("name");
    const info = deps.metricStore.metric(name);
    if (info === undefined) throw new AppError(404, "metric_not_found", `no metric "${name.slice(0, 200)}" is stored`);
    const query = parseMetricQuery(name, new URL(c.req.url).searchParams, chartsOf(info.descriptor, info.level), now());
    const result = deps.metricStore.query(query);
    if (result === undefined)
      throw new AppError(404, "metric_not_found", `no metric "${name.slice(0, 200)}" is stored`);
    // A window ending now answers differently each time under the same address: never from a cache.
    return c.json(metricQueryToJson(result), 200, { "Cache-Control": "no-store" });
  });

  return app;
}
