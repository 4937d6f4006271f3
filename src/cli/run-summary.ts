import { count, plural } from "../domain/count-text.js";
import { llmCostParts } from "../domain/llm-cost-text.js";
import { RUN_ID_ATTRIBUTE } from "../domain/run-path.js";
import { formatUsd } from "../domain/usd-text.js";
import type { HealthResponse, LogListResponse, MetricCatalogResponse, TraceListResponse } from "../protocol.js";
import { type RunRefusals, refusalText } from "./run-refusals.js";

/**
 * What one `tracekit-local run` sent, as the instance counts it: the traces of the window that carry
 * the run's id (`runId`), whatever service they came under (an app may name its service itself,
 * whatever `--service` set). When none does but traces without any run id started in the window,
 * those (`runId` null; with `--service`, only that service's): another app's, or the command's if its
 * SDK did not read OTEL_RESOURCE_ATTRIBUTES (a TraceKit SDK: when its endpoint is not TRACEKIT_ENDPOINT,
 * which carries the run's id), which cannot be told apart, so they are shown beside the run and not as
 * its own.
 */
export interface RunTotals {
  traces: number;
  spans: number;
  /** Traces with a failing span, as the trace list counts them. */
  failing: number;
  /**
   * LLM calls that name a model, what the priced ones cost, how many have no price, how many reported
   * no usage, and how many of those have no price either (each said once, as one without a price).
   */
  llm?: { calls: number; usd: number; unpriced: number; noUsage: number; unpricedNoUsage: number };
  /** The run id the traces were found by; null when none carried it and the window's traces without one were counted. */
  runId: string | null;
  /** Log records of the window that carry the run's id (whatever the traces were found by). */
  logs: number;
  /**
   * With `--service` (`service`), when some of the run's traces have no span from it, or some of its log
   * records came under another service: how many, and the services they came under (sorted).
   */
  elsewhere?: { service: string; services: string[]; traces: number; logs: number };
  /**
   * Metrics updated while it ran (see RunMetrics); absent when none was. The store keeps a metric's
   * series by service, not by resource, so they are told by service and time, not by the run's id.
   */
  metrics?: RunMetrics;
}

/**
 * The metrics with a point taken while the run ran (names sorted) and the services they came under:
 * those of the run's services (`--service`, and every service its traces and log records came under:
 * the services its app called too, whose series the same requests updated), or, of a run of which
 * nothing else arrived and without `--service`, any app's (`ofRun` false: they cannot be told from
 * another app's). `points`: the data points the instance accepted
 * meanwhile, said only when no other service's metric was updated meanwhile (the instance counts the
 * points of every app together); null when not known.
 */
export interface RunMetrics {
  names: string[];
  services: string[];
  points: number | null;
  ofRun: boolean;
}

export interface RunWindow {
  /** Unix ms, both inclusive. */
  sinceMs: number;
  untilMs: number;
  /** `--service`: the service the command was told to name itself. */
  service?: string;
}

const PAGE_SIZE = 1000;

/**
 * The trace list's query for the traces that carry run `runId` (the resource attribute `run` sets), or
 * with null for those with a span that carries no run id (another run's traces are not this one's).
 */
function runQuery(runId: string | null): string {
  return runId === null ? `-${RUN_ID_ATTRIBUTE}` : `${RUN_ID_ATTRIBUTE}="${runId}"`;
}

/**
 * The list query for the run's items. Those that carry its id are its own under any service; the
 * window's without a run id are narrowed to `--service`'s (when given), and so is the link to the
 * run's own when all of them came under it.
 */
function windowParams(window: RunWindow, runId: string | null, byService: boolean): URLSearchParams {
  // The same order as the trace list writes its own URL.
  const params = new URLSearchParams();
  if (byService && window.service !== undefined) params.set("service", window.service);
  params.set("q", runQuery(runId));
  params.set("since", String(window.sinceMs));
  params.set("until", String(window.untilMs));
  return params;
}

/** The trace list's address for just this run (its traces by run id, or its window's without one; see RunTotals). */
export function runListUrl(base: string, window: RunWindow, totals: Pick<RunTotals, "runId" | "elsewhere">): string {
  // Not narrowed to a service that holds only some of the run's traces, or none of them.
  return `${base}/?${windowParams(window, totals.runId, totals.runId === null || totals.elsewhere === undefined)}`;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Counts the run's traces, spans, failing traces and LLM calls, page by page: those that carry its
 * id; when none does, the window's traces that carry no run id (see RunTotals).
 */
export async function countRun(
  base: string,
  window: RunWindow,
  runId: string,
  metricPointsBefore: number | null = null,
): Promise<RunTotals> {
  const { totals, services } = await countSpansAndLogs(base, window, runId);
  // An instance that cannot say (one from before its metrics API) still has the rest counted.
  const metrics = await countMetrics(base, window, services, totals, metricPointsBefore).catch(() => null);
  if (metrics !== null) totals.metrics = metrics;
  return totals;
}

/**
 * The run's traces and log records (see RunTotals), and the services they came under: every service
 * with a span in its traces that carry the run's id, and those its log records came under (of the
 * traces found without the run's id none: those may be any app's).
 */
async function countSpansAndLogs(
  base: string,
  window: RunWindow,
  runId: string,
): Promise<{ totals: RunTotals; services: Set<string> }> {
  const logs = await countLogs(base, window, runId);
  const ofRun = await countTraces(base, window, runId, logs.count);
  const { service } = window;
  const elsewhere = { traces: ofRun.elsewhere.count, logs: logs.elsewhere.count };
  if (service !== undefined && elsewhere.traces + elsewhere.logs > 0) {
    const services = [...new Set([...ofRun.elsewhere.services, ...logs.elsewhere.services])].sort();
    ofRun.totals.elsewhere = { service, services, ...elsewhere };
  }
  const services = new Set([...ofRun.services, ...logs.services]);
  if (ofRun.totals.traces > 0) return { totals: ofRun.totals, services };
  const withoutRunId = await countTraces(base, window, null, logs.count);
  return withoutRunId.totals.traces > 0
    ? { totals: withoutRunId.totals, services: logs.services }
    : { totals: ofRun.totals, services };
}

/** The data points the instance has accepted so far (its health's count), or null when it does not answer. */
export async function metricPointsOf(base: string): Promise<number | null> {
  try {
    return metricPointsIn(await getJson<HealthResponse>(`${base}/api/health`));
  } catch {
    return null;
  }
}

/** The data points a health answer says were accepted, or null without one (or from an instance that does not count them). */
export function metricPointsIn(health: Pick<HealthResponse, "counts"> | null): number | null {
  const points = health?.counts.metricPoints;
  return typeof points === "number" ? points : null;
}

/**
 * The metrics the run's window updated (see RunMetrics): those with a series of one of the run's
 * services (`--service`, and `services`, which its traces and log records came under) whose newest
 * point was taken since it started. Without `--service`, a run of which no trace or log record arrived has no
 * service to tell its metrics by: the window's metrics of any service are said then, as any app's,
 * and so are data points of no metric timed in the window (a sender's clock may be off). Null when
 * there is nothing to say: another app's metrics are not told as the run's.
 */
async function countMetrics(
  base: string,
  window: RunWindow,
  services: ReadonlySet<string>,
  totals: Pick<RunTotals, "traces" | "logs">,
  pointsBefore: number | null,
): Promise<RunMetrics | null> {
  const catalog = await getJson<MetricCatalogResponse>(`${base}/api/metrics`);
  const runs = new Set(services);
  if (window.service !== undefined) runs.add(window.service);
  // Since the run started, with no end: a series is known by its newest point only, and an app that
  // goes on exporting (another process of the service, or another app) has a newer one by the time the
  // run is counted, which hides the points taken while it ran.
  const inWindow = (nanos: string) => Number(BigInt(nanos) / 1_000_000n) >= window.sinceMs;
  // Each metric's series of each service, by the time of that service's newest point.
  const ofRun = new Map<string, Set<string>>();
  const ofOthers = new Map<string, Set<string>>();
  for (const metric of catalog.metrics) {
    for (const [i, service] of metric.services.entries()) {
      const last = metric.lastTimeUnixNanoPerService?.[i] ?? metric.lastTimeUnixNano;
      if (!inWindow(last)) continue;
      const updated = runs.has(service) ? ofRun : ofOthers;
      updated.set(metric.name, (updated.get(metric.name) ?? new Set<string>()).add(service));
    }
  }
  const after = pointsBefore === null ? null : await metricPointsOf(base);
  const points = pointsBefore === null || after === null ? null : Math.max(after - pointsBefore, 0);
  const told = (updated: Map<string, Set<string>>, known: number | null, own: boolean): RunMetrics => ({
    names: [...updated.keys()].sort(),
    services: [...new Set([...updated.values()].flatMap((under) => [...under]))].sort(),
    points: known,
    ofRun: own,
  });
  // The instance counts every app's points together: they are the run's only when no other service's came.
  if (ofRun.size > 0) return told(ofRun, ofOthers.size === 0 ? points : null, true);
  const nothingElse = window.service === undefined && totals.traces === 0 && totals.logs === 0;
  if (nothingElse && (ofOthers.size > 0 || (points ?? 0) > 0)) return told(ofOthers, points, false);
  return null;
}

/** Items of a run that did not come under `--service`: how many, and the services they came under. */
interface Elsewhere {
  count: number;
  services: Set<string>;
}

/** The window's log records that carry run `runId`, page by page (and those not under `--service`). */
async function countLogs(
  base: string,
  window: RunWindow,
  runId: string,
): Promise<{ count: number; elsewhere: Elsewhere; services: Set<string> }> {
  let count = 0;
  const elsewhere: Elsewhere = { count: 0, services: new Set() };
  const services = new Set<string>();
  for await (const page of pagesOf<LogListResponse>(`${base}/api/logs`, window, runId)) {
    count += page.logs.length;
    for (const record of page.logs) {
      services.add(record.service);
      if (window.service === undefined || record.service === window.service) continue;
      elsewhere.count += 1;
      elsewhere.services.add(record.service);
    }
  }
  return { count, elsewhere, services };
}

/** Every page of a list the API pages by `nextCursor`, over the run's window (and its run id when given). */
async function* pagesOf<P extends { nextCursor?: string }>(
  url: string,
  window: RunWindow,
  runId: string | null,
): AsyncGenerator<P> {
  const params = windowParams(window, runId, runId === null);
  params.set("limit", String(PAGE_SIZE));
  for (;;) {
    const page = await getJson<P>(`${url}?${params}`);
    yield page;
    if (page.nextCursor === undefined) return;
    params.set("cursor", page.nextCursor);
  }
}

/**
 * The traces of run `runId` (or, null, the window's without a run id), those with no span from
 * `--service`, and every service with a span in them: the run's app and the services it called, whose
 * metrics the same requests updated (a request through a gateway counts at each service it reaches).
 */
async function countTraces(
  base: string,
  window: RunWindow,
  runId: string | null,
  logs: number,
): Promise<{ totals: RunTotals; elsewhere: Elsewhere; services: Set<string> }> {
  const totals: RunTotals = { traces: 0, spans: 0, failing: 0, runId, logs };
  const elsewhere: Elsewhere = { count: 0, services: new Set() };
  const services = new Set<string>();
  const llm = { calls: 0, usd: 0, unpriced: 0, noUsage: 0, unpricedNoUsage: 0 };
  for await (const page of pagesOf<TraceListResponse>(`${base}/api/traces`, window, runId)) {
    for (const trace of page.traces) {
      totals.traces += 1;
      services.add(trace.service);
      for (const name of trace.services) services.add(name);
      if (window.service !== undefined && !trace.services.includes(window.service)) {
        elsewhere.count += 1;
        // The service its root came from: the run's app; the others are services it called.
        elsewhere.services.add(trace.service);
      }
      totals.spans += trace.spanCount;
      if (trace.errorCount > 0) totals.failing += 1;
      if (trace.llm !== undefined) {
        llm.calls += trace.llm.calls;
        llm.usd += trace.llm.usd ?? 0;
        llm.unpriced += trace.llm.unpricedCalls;
        // An instance from before calls without usage were counted does not say (nor, from before they
        // were counted per model, which of them are unpriced: those are then said twice).
        llm.noUsage += trace.llm.noUsageCalls ?? 0;
        llm.unpricedNoUsage += trace.llm.unpricedNoUsageCalls ?? 0;
      }
    }
  }
  if (llm.calls > 0) totals.llm = llm;
  return { totals, elsewhere, services };
}

/**
 * Waits until the instance's span and log record counts, and the metrics of `service` (`--service`,
 * when given), have stopped changing for `quietMs` (an SDK's last export may still be in flight when
 * the command exits), at most `maxMs`.
 */
export async function waitForQuiet(base: string, quietMs: number, maxMs: number, service?: string): Promise<void> {
  let deadline = Date.now() + maxMs;
  let last = "";
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const health = await getJson<HealthResponse>(`${base}/api/health`);
    // A --db file still being read back: its counts are 0 until then and the count queries would wait
    // for it; the quiet time starts once it is read.
    if (health.storage?.state === "loading") {
      deadline = Date.now() + maxMs;
      last = "";
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const { counts } = health;
    const spansAndLogs =
      counts.spans + counts.rejectedSpans + counts.lateSpans + counts.logs + counts.rejectedLogRecords;
    // The run's metrics too: an SDK's last metrics export, at its shutdown, is as late as its last
    // spans. Only those of --service: the instance counts every app's points together, and another app
    // that exports every few seconds would hold the wait open to its end. Without --service the run's
    // metrics are not known while it waits; its spans and log records, sent by the same shutdown, are.
    // An instance without the metrics API (or one answer that failed) leaves the wait to the rest.
    const metrics = service === undefined ? "" : await metricsStateOf(base, service).catch(() => "");
    const received = `${spansAndLogs} ${metrics}`;
    if (received !== last) {
      last = received;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What changes when `service`'s metrics get a point: each one's series count and newest point. */
async function metricsStateOf(base: string, service: string): Promise<string> {
  const catalog = await getJson<MetricCatalogResponse>(`${base}/api/metrics?service=${encodeURIComponent(service)}`);
  return catalog.metrics.map((metric) => `${metric.name}:${metric.seriesCount}:${metric.lastTimeUnixNano}`).join(",");
}

/** Why a run most often sends nothing here. */
const USUAL_REASON =
  "an app sends here when its SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, or its TraceKit SDK's endpoint is set to TRACEKIT_ENDPOINT";

/**
 * One line: what the run sent and where to look at it, and what the instance refused while it ran
 * (`refusals`, when known).
 */
export function formatRunLine(totals: RunTotals, url: string, refusals?: RunRefusals): string {
  const refused = refusals === undefined ? null : refusalText(refusals);
  const parts = [plural(totals.spans, "span"), `${count(totals.failing)} failing`];
  if (totals.llm !== undefined) {
    const { calls } = totals.llm;
    // Each call of unknown cost said once (domain/llm-cost-text.ts); no cost when no call's is known.
    const { usd, unpriced, withoutUsage } = llmCostParts(totals.llm);
    // Written as the LLM page and the trace header write it.
    const cost = usd === null ? "" : ` ≈ ${formatUsd(usd)}`;
    const unknown = [
      unpriced > 0 ? `${unpriced} without a price` : "",
      withoutUsage > 0 ? `${withoutUsage} without usage` : "",
    ];
    const notes = unknown.filter((note) => note !== "").join(", ");
    parts.push(`${plural(calls, "LLM call")}${cost}${notes === "" ? "" : ` (${notes})`}`);
  }
  // Nothing arrived: not "0 traces (0 spans, 0 failing)", which reads as a count. A gRPC connection
  // refused on the HTTP port while it ran is an exporter that did read the endpoint: what was refused,
  // and what helps, is the line. Other refusals may be this run's (a body too large) or another app's:
  // said, with the usual reason beside them. Without, most often the command's SDK sent elsewhere.
  // Metrics of the run's services are said as its own; those of any app (see RunMetrics) only beside
  // that advice, which they do not replace: an app exporting metrics nearby is no sign that this one sent.
  const own = totals.metrics?.ofRun === true ? totals.metrics : undefined;
  const metrics = own === undefined ? "" : `; while it ran, ${metricsText(own)}`;
  const anyApps =
    totals.metrics === undefined || own !== undefined
      ? ""
      : `; while it ran, ${metricsText(totals.metrics)} (any app's: without --service, metrics are not told apart by run)`;
  if (totals.traces === 0 && totals.logs === 0 && own !== undefined) {
    const refusedAlso = refused === null ? "" : `; while it ran, ${refused}`;
    return (
      `tracekit-local: no trace or log record of this run arrived${metrics} (metrics are not told ` +
      `apart by run)${refusedAlso} · ${url}`
    );
  }
  if (totals.traces === 0 && totals.logs === 0) {
    if (refused !== null && refusals !== undefined && refusals.refused.grpcConnections > 0) {
      return `tracekit-local: no trace or log record of this run arrived: while it ran, ${refused}${anyApps} · ${url}`;
    }
    if (refused !== null) {
      return (
        `tracekit-local: no trace or log record of this run arrived; while it ran, ${refused} ` +
        `(this run's or another app's; ${USUAL_REASON})${anyApps} · ${url}`
      );
    }
    if (anyApps !== "") {
      return `tracekit-local: no trace or log record of this run arrived${anyApps}; ${USUAL_REASON} · ${url}`;
    }
    return `tracekit-local: this run sent nothing: no trace, log record or metric of it arrived while it ran; ${USUAL_REASON} · ${url}`;
  }
  const what = `${plural(totals.traces, "trace")} (${parts.join(", ")})`;
  // Log records are the run's only by its id: those of other apps are not counted even beside their traces.
  const logs = totals.logs > 0 ? plural(totals.logs, "log record") : null;
  const refusedAlso = refused === null ? "" : `; while it ran, ${refused}`;
  if (totals.runId !== null) {
    return `tracekit-local: this run sent ${what}${logs ? ` and ${logs}` : ""}${elsewhereText(totals)}${metrics}${refusedAlso} · ${url}`;
  }
  return (
    `tracekit-local: this run sent no trace with its ${RUN_ID_ATTRIBUTE}${logs ? ` (${logs} with it)` : ""}; ` +
    `${what} without one started while it ran, from other apps, or from this command if its SDK does not read ` +
    `OTEL_RESOURCE_ATTRIBUTES (a TraceKit SDK: its endpoint is not set to TRACEKIT_ENDPOINT)${metrics}${refusedAlso} · ${url}`
  );
}

/** Metric names said at most, then how many more. */
const METRIC_NAMES_SHOWN = 3;

/** "3 metric points arrived, of orders.placed under shop", or the metrics alone when the points are not known. */
function metricsText(metrics: RunMetrics): string {
  const { names, services, points } = metrics;
  const shown = names.slice(0, METRIC_NAMES_SHOWN).join(", ");
  const more = names.length > METRIC_NAMES_SHOWN ? ` and ${count(names.length - METRIC_NAMES_SHOWN)} more` : "";
  const under = services.length === 0 ? "" : ` under ${services.join(", ")}`;
  const which = names.length === 0 ? "" : `${shown}${more}${under}`;
  if (points === null || points === 0) return `${names.length === 1 ? "metric" : "metrics"} ${which} updated`;
  const arrived = `${plural(points, "metric point")} arrived`;
  return which === "" ? arrived : `${arrived}, of ${which}`;
}

/**
 * The Metrics page for a run that sent metrics and no trace or log record: its one metric, or its
 * catalog, of `--service` when given (the page's window, the last 15 minutes, holds the run just ended).
 */
export function runMetricsUrl(base: string, window: RunWindow, metrics: Pick<RunMetrics, "names">): string {
  const params = new URLSearchParams();
  if (metrics.names.length === 1) params.set("metric", metrics.names[0] as string);
  if (window.service !== undefined) params.set("service", window.service);
  const query = params.toString();
  return `${base}/metrics${query === "" ? "" : `?${query}`}`;
}

/**
 * What of the run came under other services than `--service` (an app that names its service itself,
 * in its code or its own OTEL_SERVICE_NAME, or a second service the command started), named; empty
 * when all of it came under `--service`.
 */
function elsewhereText(totals: RunTotals): string {
  if (totals.elsewhere === undefined) return "";
  const { service, services, traces, logs } = totals.elsewhere;
  const names = `${services.length === 1 ? "service" : "services"} ${services.join(", ")}`;
  if (traces === totals.traces && logs === totals.logs) {
    return `, all under ${names}, none under ${service} (--service): the app names its service itself`;
  }
  const which = [traces > 0 ? plural(traces, "trace") : "", logs > 0 ? plural(logs, "log record") : ""];
  return `; ${which.filter((part) => part !== "").join(" and ")} of these came under ${names}, not ${service} (--service)`;
}
