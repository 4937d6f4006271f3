/**
 * The MCP tools: each reads the REST API through a RestClient and answers compact text for a
 * model's context. Both transports (stdio in the CLI, Streamable HTTP at /mcp) register these.
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { count as countText, plural } from "../domain/count-text.js";
import { formatDuration } from "../domain/duration-text.js";
import { frameText } from "../domain/error-fingerprint.js";
import { normalizeSpanId, normalizeTraceId } from "../domain/ids.js";
import { quoteQueryValue } from "../domain/operation.js";
import { operationLabel } from "../domain/operation-label.js";
import { ascending } from "../domain/order.js";
import { idOfQuery, type QueryId } from "../domain/query-ids.js";
import { spanLabel } from "../domain/span-label.js";
import { isUnsetTime } from "../domain/time.js";
import { formatUsd } from "../domain/usd-text.js";
import type {
  ErrorGroupsResponse,
  LlmGroupJson,
  LlmUsageResponse,
  LogListResponse,
  LogResponse,
  MetricCatalogResponse,
  MetricQueryResponse,
  ServiceMapResponse,
  ServicesResponse,
  SpanContextResponse,
  SpanJson,
  SpanTraceResponse,
  TraceListResponse,
  TraceResponse,
  TraceSummaryJson,
} from "../protocol.js";
import { capAnswer, cut, formatTime, groupCost, parseSince, table } from "./format.js";
import { ATTRIBUTE_VALUE_CHARS, BODY_PART_CHARS, LINE_BODY_CHARS, logLine, logRecordText } from "./log-text.js";
import { catalogSeriesCells, describeMetric, unitText } from "./metric-text.js";
import { type QueryParams, type RestClient, ToolInputError } from "./rest.js";
import { servicesText } from "./services-text.js";
import { spanSnapshots } from "./snapshot-tools.js";
import { MAX_SPAN_LOGS, MAX_SPANS_ABOVE, MAX_SPANS_BELOW, spanDetail } from "./span-detail.js";
import { spanQueryMatcher } from "./span-query-match.js";
import { errorText, keyAttributes, spanSearchOf, whereSearchMatched } from "./span-text.js";
import { strictInput } from "./strict-input.js";
import { errorOrigin, operationStats, spanTree } from "./trace-analysis.js";
import { MAX_SPANS, traceWaterfall } from "./waterfall.js";

/** get_metric's window when `since` is not given (its default, 15m). */
const DEFAULT_METRIC_WINDOW_MS = 15 * 60_000;

const SEVERITIES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
/** What a model may send for a minimum severity: the levels in either case, and WARNING. */
const SEVERITY_INPUTS = [
  ...SEVERITIES,
  ...SEVERITIES.map((level) => level.toLowerCase() as Lowercase<typeof level>),
  "WARNING",
  "warning",
] as const;

/** The level GET /api/logs takes for one of SEVERITY_INPUTS. */
function severityOf(input: (typeof SEVERITY_INPUTS)[number] | undefined): string | undefined {
  if (input === undefined) return undefined;
  const level = input.toUpperCase();
  return level === "WARNING" ? "WARN" : level;
}

export interface ToolDeps {
  rest: RestClient;
  now?: () => number;
}

const text = (
  answer: string,
  howToGetMore = "narrow the question (service, since) or lower limit",
): CallToolResult => ({
  content: [{ type: "text", text: capAnswer(answer, howToGetMore) }],
});

/** A whole number of things to show or read, 1 to `max`, `fallback` when not given. */
/** Service names an answer lists at most. */
const MAX_NAMED_SERVICES = 30;

function count(max: number, fallback: number, what: string, note = ""): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(1).max(max).default(fallback).describe(`${what} (1-${max}, default ${fallback})${note}`);
}

const since = z
  .string()
  .max(64)
  .optional()
  .describe("only what started at or after this time: a duration ago (30s, 10m, 2h, 1d), an ISO 8601 time, or unix ms");
const service = z.string().min(1).max(256).optional().describe("only this service (service.name)");
const traceId = z.string().min(1).max(64).describe("the trace id (32 hex digits), as list_traces shows it");

function sinceParam(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const ms = parseSince(value, now);
  if (ms instanceof Error) throw new ToolInputError(ms.message);
  return ms;
}

/**
 * The window list_services and service_map count for `since`: from the start of the minute `sinceMs`
 * falls in, as services and the service map count spans by the minute they started in (asking for
 * that start makes the API's rates per the time actually counted), and the lines that name it, with
 * why when it is not the time asked for. Everything stored (no start, no lines) without `since`.
 */
function countedWindow(sinceMs: number | undefined): { from: number | undefined; lines: string[] | null } {
  if (sinceMs === undefined) return { from: undefined, lines: null };
  const from = Math.floor(sinceMs / 60_000) * 60_000;
  const counted = `window: the spans that started at or after ${new Date(from).toISOString()}, up to now`;
  if (sinceMs === from) return { from, lines: [`${counted}.`] };
  const asked = new Date(sinceMs).toISOString();
  return {
    from,
    lines: [
      `${counted}: the start of the minute ${asked} falls in,`,
      `  as spans are counted by the minute they started in (list_traces counts from ${asked} itself).`,
    ],
  };
}

function traceRows(traces: readonly TraceSummaryJson[]): string[][] {
  return traces.map((t) => [
    formatTime(t.startTimeUnixNano),
    t.traceId,
    formatDuration(t.durationMs),
    countText(t.spanCount),
    countText(t.errorCount),
    cut(t.services.length > 1 ? `${t.service} (+${countText(t.services.length - 1)})` : t.service, 40),
    t.errorMessage === undefined ? cut(t.name, 80) : `${cut(t.name, 80)}  [error: ${cut(t.errorMessage, 120)}]`,
  ]);
}
const TRACE_HEADER = ["start (UTC)", "trace_id", "duration", "spans", "errors", "service", "name"];
const SORT_WORDS = {
  start: "newest first",
  duration: "slowest first",
  spans: "most spans first",
  errors: "most errors first",
} as const;

/** A stored trace an id search names, and the id's span when that trace holds it (else null). */
interface IdFound {
  summary: TraceSummaryJson;
  spanId: string | null;
}

/**
 * The stored trace an id search names (a trace id's, or the trace holding a span id), by its summary
 * alone: the trace itself may hold 100,000 spans. A traceparent's span is looked for in its trace, as
 * it often is not stored: it names the caller's span, in a service that may send elsewhere or not at
 * all. Null when no trace is stored.
 */
async function storedTraceOf(rest: RestClient, id: QueryId): Promise<IdFound | null> {
  let traceId = id.traceId;
  let spanId: string | null = null;
  if (traceId === undefined) {
    const span = await rest.find<SpanTraceResponse>(`/api/spans/${id.spanId}`);
    if (span === null) return null;
    traceId = span.traceId;
    spanId = span.spanId;
  }
  const { traces } = await rest.get<TraceListResponse>("/api/traces", { ids: traceId });
  const summary = traces[0];
  if (summary === undefined) return null;
  if (id.spanId !== undefined && spanId === null) {
    spanId = (await rest.find<SpanTraceResponse>(`/api/spans/${id.spanId}`, { trace: traceId }))?.spanId ?? null;
  }
  return { summary, spanId };
}

/** Said of a traceparent whose trace is stored and whose span is not. */
function spanNotStored(spanId: string): string {
  return `its span ${spanId} is not stored: a traceparent often names the caller's span`;
}

/**
 * The line before the answer to a query that is a trace id no stored trace has, searched for as text:
 * the id of a trace evicted or not yet arrived, or a request id an attribute holds. Empty for a span
 * id, which the search box too searches for without a word.
 */
function lookedUpNote(id: QueryId): string {
  if (id.traceId === undefined) return "";
  return (
    `[no trace ${id.traceId} is stored (evicted or cleared, or its spans have not arrived yet): the query ` +
    "was looked up as a trace id first, then searched for as text]\n"
  );
}

/** What an id search found, as an answer's words: `trace <id>`, or `span <id> of trace <id>` when the span is stored. */
function idWords(found: IdFound): string {
  return found.spanId === null
    ? `trace ${found.summary.traceId}`
    : `span ${found.spanId} of trace ${found.summary.traceId}`;
}

/** The traces a `q` search matches, fetched whole (those gone meanwhile are skipped). */
async function fetchTraces(rest: RestClient, summaries: readonly TraceSummaryJson[]): Promise<TraceResponse[]> {
  const traces = await Promise.all(
    summaries.map((s) => rest.find<TraceResponse>(`/api/traces/${encodeURIComponent(s.traceId)}`)),
  );
  return traces.filter((trace): trace is TraceResponse => trace !== null);
}

function path(spans: readonly SpanJson[], target: SpanJson): string {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const names: string[] = [];
  const seen = new Set<string>();
  for (let span: SpanJson | undefined = target; span !== undefined && !seen.has(span.spanId); ) {
    seen.add(span.spanId);
    names.unshift(cut(spanLabel(span), 40));
    span = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
  }
  return names.join(" > ");
}

/** What of the input a prompt cache served or took, in parentheses; "" when nothing. */
function cacheNote(cached: number, written: number): string {
  const parts = [
    cached > 0 ? `${countText(cached)} read from cache` : "",
    written > 0 ? `${countText(written)} written to cache` : "",
  ];
  const said = parts.filter((part) => part !== "");
  return said.length === 0 ? "" : ` (of them ${said.join(", ")})`;
}

function groupRows(groups: readonly LlmGroupJson[]): string[][] {
  return groups.map((g) => [
    cut(g.key, 60),
    countText(g.calls),
    countText(g.failed),
    countText(g.inputTokens),
    countText(g.outputTokens),
    groupCost(g),
    formatDuration(g.p50Ms),
    formatDuration(g.p95Ms),
  ]);
}
const GROUP_HEADER = ["", "calls", "failed", "tokens in", "tokens out", "est. cost", "p50", "p95"];

export function registerTools(server: McpServer, deps: ToolDeps): void {
  const { rest } = deps;
  const now = deps.now ?? Date.now;

  /**
   * The answer `empty` of a tool that found nothing, asked about `service`: when no service of that
   * name has spans stored (a misspelt or guessed name), it says so and names those that have, so
   * that "No errors" is not read as a healthy service.
   */
  const emptyFor = async (service: string | undefined, empty: string) => {
    if (service === undefined) return text(empty);
    const names = (await rest.get<ServicesResponse>("/api/services", {})).services.map((s) => s.name);
    if (names.includes(service)) return text(empty);
    const shown = names.sort(ascending).slice(0, MAX_NAMED_SERVICES);
    const known =
      names.length === 0
        ? "no service has sent spans yet"
        : `the services with spans: ${shown.map((name) => cut(name, 60)).join(", ")}${names.length > shown.length ? `, and ${countText(names.length - shown.length)} more` : ""}`;
    return text(`No service named "${cut(service, 80)}" has spans stored; ${known}.`);
  };

  server.registerTool(
    "list_traces",
    {
      title: "List traces",
      description:
        "List stored traces, newest first or sorted (`sort`: slowest, most spans or most errors first): start time, " +
        "trace id, duration, span and error counts, service, name. " +
        "Filter by search text or query (`query`), service, status, minimum duration and start time. " +
        "Use get_trace with a trace_id to see one trace's spans.",
      inputSchema: strictInput("list_traces", {
        query: z
          .string()
          .max(1000)
          .optional()
          .describe(
            "search text or query, as the app's search box takes it (plain text matches span names, status messages, attribute and event values; " +
              "a stored trace's id, traceparent or span id lists that trace, and an id nothing stored has is searched for; " +
              '`service="a" peer="b"`: traces where a span of a calls b, as service_map counts its edges)',
          ),
        service,
        status: z
          .enum(["error", "ok"])
          .optional()
          .describe("error: traces with a failing span; ok: traces without one"),
        min_duration_ms: z.number().min(0).optional().describe("only traces at least this long (milliseconds)"),
        since,
        sort: z
          .enum(["start", "duration", "spans", "errors"])
          .optional()
          .describe(
            "order by start time (the default, newest first), duration, span count or error count, highest first",
          ),
        limit: count(100, 20, "how many traces"),
        cursor: z
          .string()
          .max(200)
          .optional()
          .describe("the cursor a previous answer gave, for the next page (with the same sort)"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      // An id is looked up, as the search box opens the trace pasted into it: a search for it would
      // find nothing, as no span's text or attribute is its own id.
      const id = args.query === undefined ? null : idOfQuery(args.query);
      let lookedUp = "";
      if (id !== null) {
        const found = await storedTraceOf(rest, id);
        if (found !== null) {
          const ignored = (["service", "status", "min_duration_ms", "since", "sort", "cursor"] as const).filter(
            (key) => args[key] !== undefined,
          );
          const also = ignored.length === 0 ? "" : `; ${ignored.join(", ")} not applied to it`;
          const detail =
            found.spanId !== null
              ? "get_span shows the span"
              : id.spanId !== undefined
                ? `${spanNotStored(id.spanId)}; get_trace shows its spans`
                : "get_trace shows its spans";
          return text(
            `1 trace: the query is an id, of ${idWords(found)} (${detail}${also}):\n` +
              table(TRACE_HEADER, traceRows([found.summary])),
          );
        }
        // An id no stored trace or span has stays a text search, as in the search box: an attribute may
        // hold it (a request id is often 32 hex digits). A trace id's answer says it was looked up first.
        lookedUp = lookedUpNote(id);
      }
      const page = await rest.get<TraceListResponse>("/api/traces", {
        q: args.query,
        service: args.service,
        status: args.status,
        minDurationMs: args.min_duration_ms,
        since: sinceParam(args.since, now()),
        sort: args.sort,
        limit: args.limit,
        cursor: args.cursor,
      });
      if (page.traces.length === 0) {
        const filtered = [args.query, args.service, args.status, args.min_duration_ms, args.since, args.cursor].some(
          (arg) => arg !== undefined && arg !== "",
        );
        return filtered ? emptyFor(args.service, `${lookedUp}No traces match.`) : text("No traces are stored yet.");
      }
      const order = SORT_WORDS[args.sort ?? "start"];
      const lines = [
        `${lookedUp}${plural(page.traces.length, "trace")}, ${order}:`,
        table(TRACE_HEADER, traceRows(page.traces)),
      ];
      if (page.nextCursor !== undefined) {
        const more = args.sort === undefined || args.sort === "start" ? "older ones" : "the next ones";
        const sortArg = args.sort === undefined ? "" : ` sort="${args.sort}"`;
        lines.push(
          `[more traces match: call list_traces again with${sortArg} cursor="${page.nextCursor}" for ${more}]`,
        );
      }
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "get_trace",
    {
      title: "Get a trace",
      description:
        "One trace as a compact text waterfall: an indented span tree (parents before children, by start time) " +
        "with service, duration, start offset, ERROR with exception or status message, and key attributes " +
        "(HTTP method/route/status, database statement, RPC, queue, LLM model and tokens). A trace too long for " +
        "one answer comes in parts: the note at its end gives the skip for the next.",
      inputSchema: strictInput("get_trace", {
        trace_id: traceId,
        max_spans: count(
          MAX_SPANS,
          150,
          "show at most this many spans",
          "; fewer when their lines would pass the answer's size, and a note says how many were left out",
        ),
        skip: z
          .number()
          .int()
          .min(0)
          .max(1_000_000)
          .default(0)
          .describe("leave out this many spans first (in tree order), to see the rest of a long trace"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      if (normalizeSpanId(args.trace_id.trim()) !== null)
        throw new ToolInputError(
          `"${args.trace_id}" is a span id (16 hex digits), not a trace id (32): get_span finds its trace`,
        );
      const trace = await rest.find<TraceResponse>(`/api/traces/${encodeURIComponent(args.trace_id)}`);
      if (trace === null) {
        throw new ToolInputError(
          `no trace ${args.trace_id} is stored (it may have been evicted); list_traces shows what is stored`,
        );
      }
      return text(traceWaterfall(trace, args.max_spans, args.skip), "call get_trace with a lower max_spans");
    },
  );

  server.registerTool(
    "get_span",
    {
      title: "Get a span",
      description:
        "One span by its id (16 hex digits, as a log line or an error message names it), and the trace that " +
        "holds it: the span's kind, status (ERROR with exception or status message), duration and start, " +
        "parent, attributes, events (an exception's stack on one line, cut at 1,000 characters), links, resource and " +
        "scope (a third of the answer at most); then its place " +
        "in the trace's waterfall (the spans above it, it, and up to " +
        `${MAX_SPANS_BELOW} below it), the log records emitted in it and the code-monitoring snapshots captured in it. ` +
        "get_trace shows the whole trace.",
      inputSchema: strictInput("get_span", {
        span_id: z.string().min(1).max(64).describe("the span id (16 hex digits, any case)"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const id = args.span_id.trim();
      if (normalizeTraceId(id) !== null)
        throw new ToolInputError(`"${id}" is a trace id (32 hex digits), not a span id (16): get_trace shows it`);
      // The API says what is wrong with an id that is no span id (400), as get_trace's does for a trace id.
      // It reads the span and what is around it, not its whole trace (which may hold 100,000 spans).
      const context = await rest.find<SpanContextResponse>(`/api/spans/${encodeURIComponent(id)}/context`, {
        above: MAX_SPANS_ABOVE,
        below: MAX_SPANS_BELOW,
      });
      if (context === null) {
        throw new ToolInputError(
          `no span ${id} is stored (its trace may have been evicted); search_spans and list_traces show what is stored`,
        );
      }
      const logs = await rest.get<LogListResponse>("/api/logs", {
        traceId: context.traceId,
        spanId: context.span.spanId,
        order: "asc",
        limit: MAX_SPAN_LOGS,
      });
      const snapshots = await spanSnapshots(rest, context.traceId, context.span.spanId);
      return text(
        spanDetail(
          context,
          { logs: logs.logs, more: logs.nextCursor !== undefined },
          snapshots.snapshots,
          snapshots.complete,
        ),
        "get_trace shows the trace; get_logs the records",
      );
    },
  );

  server.registerTool(
    "search_spans",
    {
      title: "Search spans",
      description:
        "Find spans by a text, as the app's search box does: text in a span's name, status message, attribute " +
        "values or events; a single word also finds spans that have an attribute of that name (http.route, " +
        "db.statement, exception.type); key=value finds an attribute's value (http.response.status_code=500; " +
        "key~text for part of it); the search box's query of span fields finds the spans it holds for " +
        "(status=error, kind=client, service=api duration>300ms). Old and new semantic-convention names of an attribute match each other. " +
        "Looks across the newest traces that match. Each row: trace id, span, service, duration, status and " +
        "where it matched.",
      inputSchema: strictInput("search_spans", {
        text: z
          .string()
          .trim()
          .min(1)
          .max(500)
          .describe(
            "text to find (case-insensitive), an attribute name (http.route), or key=value (http.response.status_code=500)",
          ),
        service: z.string().min(1).max(256).optional().describe("only spans of this service"),
        since,
        traces: count(100, 20, "how many of the newest matching traces to look in"),
        limit: count(200, 30, "how many spans to list"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      // An id is no span's text: a trace id (or a stored span's id) is pointed to the tool that reads it.
      const id = idOfQuery(args.text);
      let lookedUp = "";
      if (id !== null) {
        const found = await storedTraceOf(rest, id);
        if (found !== null) {
          const tool =
            found.spanId === null
              ? `get_trace with trace_id "${found.summary.traceId}" shows its spans`
              : `get_span with span_id "${found.spanId}" shows it`;
          const missing = found.spanId === null && id.spanId !== undefined ? ` (${spanNotStored(id.spanId)})` : "";
          return text(`"${cut(args.text, 80)}" is an id, of ${idWords(found)}${missing}: ${tool}.`);
        }
        // Searched for as text, as it was: an attribute may hold it (a request id is often 32 hex digits).
        lookedUp = lookedUpNote(id);
      }
      const search = spanSearchOf(args.text, quoteQueryValue);
      // A query of span fields (status=error, kind=client, duration>300ms) lists its traces as the search
      // box does, and each span is judged by it: no attribute or text of a span says where it matched.
      const matches = spanQueryMatcher(args.text);
      const page = await rest.get<TraceListResponse>("/api/traces", {
        q: matches === null ? search.query : args.text,
        service: args.service,
        since: sinceParam(args.since, now()),
        limit: args.traces,
      });
      const rows: string[][] = [];
      let found = 0;
      for (const trace of await fetchTraces(rest, page.traces)) {
        for (const { span } of spanTree(trace.spans)) {
          if (args.service !== undefined && span.service !== args.service) continue;
          const where = matches === null ? whereSearchMatched(span, search) : matches(span) ? "the query" : null;
          if (where === null) continue;
          found++;
          if (rows.length < args.limit) {
            rows.push([
              trace.traceId,
              cut(spanLabel(span), 60),
              cut(span.service, 30),
              formatDuration(span.durationMs),
              span.status.code,
              where,
            ]);
          }
        }
      }
      if (rows.length === 0) {
        return emptyFor(
          args.service,
          `${lookedUp}No spans match "${cut(args.text, 80)}" in the newest matching traces.`,
        );
      }
      const lines = [
        `${lookedUp}${plural(found, "span")} in ${plural(page.traces.length, "trace")} ${found === 1 ? "matches" : "match"} "${cut(args.text, 80)}"${found > rows.length ? `; the first ${countText(rows.length)}` : ""}:`,
        table(["trace_id", "span", "service", "duration", "status", "matched"], rows),
      ];
      if (found > rows.length)
        lines.push(`[${plural(found - rows.length, "more span")}; raise limit (max 200) to list them]`);
      if (page.nextCursor !== undefined) {
        lines.push(`[older traces match too and were not searched; raise traces (max 100) or pass since]`);
      }
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "recent_errors",
    {
      title: "Recent errors",
      description:
        "The newest failing traces, each with where its error started (the failing span with no failing span " +
        "below it), that span's exception or status message, and the path to it from the root.",
      inputSchema: strictInput("recent_errors", {
        service,
        since,
        limit: count(50, 10, "how many failing traces"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const page = await rest.get<TraceListResponse>("/api/traces", {
        status: "error",
        service: args.service,
        since: sinceParam(args.since, now()),
        limit: args.limit,
      });
      if (page.traces.length === 0) return emptyFor(args.service, "No failing traces.");
      const blocks: string[] = [`${plural(page.traces.length, "failing trace")}, newest first:`];
      for (const trace of await fetchTraces(rest, page.traces)) {
        const failing = trace.spans.filter((span) => span.status.code === "ERROR").length;
        const summary = page.traces.find((t) => t.traceId === trace.traceId);
        const head = `${summary === undefined ? "" : `${formatTime(summary.startTimeUnixNano)}  `}${trace.traceId}  "${cut(trace.name, 80)}"`;
        const origin = errorOrigin(trace.spans);
        const lines = [`${head}  ${plural(failing, "failing span")}`];
        if (origin !== undefined) {
          const span = origin.span;
          lines.push(
            `  started at: ${cut(spanLabel(span), 80)} [${span.service}] ${formatDuration(span.durationMs)}: ${errorText(span)}`,
          );
          const attributes = keyAttributes(span);
          if (attributes.length > 0) lines.push(`  ${attributes.join("  ")}`);
          if (origin.depth > 0) lines.push(`  path: ${path(trace.spans, span)}`);
        }
        blocks.push(lines.join("\n"));
      }
      if (page.nextCursor !== undefined) blocks.push("[more failing traces: raise limit (max 50) or pass since]");
      return text(blocks.join("\n"));
    },
  );

  server.registerTool(
    "slowest_operations",
    {
      title: "Slowest operations",
      description:
        "Latency per operation (service and trace name, i.e. the root span's, a path's ids templated: " +
        "GET /orders/:id) over the newest traces: count, " +
        "failing traces, p50, p95 and max duration, slowest p95 first. The answer says which window it read.",
      inputSchema: strictInput("slowest_operations", {
        service,
        since,
        traces: count(1000, 500, "how many of the newest traces to read"),
        limit: count(100, 20, "how many operations to list"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const page = await rest.get<TraceListResponse>("/api/traces", {
        service: args.service,
        since: sinceParam(args.since, now()),
        limit: args.traces,
      });
      if (page.traces.length === 0) return emptyFor(args.service, "No traces in that window.");
      // Traces with no start (every span's unset, 0) list last and date nothing.
      const timed = page.traces.filter((trace) => !isUnsetTime(trace.startTimeUnixNano));
      const oldest = timed[timed.length - 1] ?? page.traces[page.traces.length - 1]!;
      const newest = page.traces[0]!;
      const stats = operationStats(page.traces);
      const lines = [
        `Over the newest ${plural(page.traces.length, "trace")}${args.service ? ` of ${args.service}` : ""}, started ` +
          `${formatTime(oldest.startTimeUnixNano)} to ${formatTime(newest.startTimeUnixNano)}` +
          `${page.nextCursor !== undefined ? " (older traces not read)" : " (every stored trace in the window)"}:`,
        table(
          ["service", "operation", "count", "failing", "p50", "p95", "max"],
          stats
            .slice(0, args.limit)
            .map((s) => [
              cut(s.service, 40),
              cut(s.name, 80),
              countText(s.count),
              countText(s.errors),
              formatDuration(s.p50Ms),
              formatDuration(s.p95Ms),
              formatDuration(s.maxMs),
            ]),
        ),
      ];
      if (stats.length > args.limit)
        lines.push(`[${countText(stats.length - args.limit)} more operations; raise limit (max 100)]`);
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "llm_usage",
    {
      title: "LLM usage and cost",
      description:
        "GenAI (LLM) calls: how many, tokens in and out, estimated cost from a bundled dated price table " +
        "(models without a price are counted apart, never as $0), latency, per model and per service, " +
        "and the newest calls with their trace ids.",
      inputSchema: strictInput("llm_usage", {
        service,
        since,
        limit: count(50, 10, "how many of the newest calls to list"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const usage = await rest.get<LlmUsageResponse>("/api/llm", {
        service: args.service,
        since: sinceParam(args.since, now()),
        limit: args.limit,
      });
      const { totals } = usage;
      if (totals.calls === 0) {
        return emptyFor(args.service, "No LLM calls (spans naming gen_ai.request.model or gen_ai.response.model).");
      }
      const lines = [
        `${plural(totals.calls, "LLM call")} (${countText(totals.failed)} failed): ${countText(totals.inputTokens)} tokens in` +
          cacheNote(totals.cachedInputTokens, totals.cacheWriteInputTokens) +
          `, ${countText(totals.outputTokens)} out` +
          (totals.noUsage > 0 ? ` (${plural(totals.noUsage, "call")} reported no usage: tokens unknown)` : "") +
          `, estimated cost ${groupCost(totals)} at list prices of ${usage.pricesDate}; ` +
          `latency p50 ${formatDuration(totals.p50Ms)}, p95 ${formatDuration(totals.p95Ms)}` +
          (usage.truncated ? ` (only the newest ${countText(usage.tracesRead)} traces with LLM calls were read)` : ""),
        "",
        "By model:",
        table(["model", ...GROUP_HEADER.slice(1)], groupRows(usage.byModel)),
        "",
        "By service:",
        table(["service", ...GROUP_HEADER.slice(1)], groupRows(usage.byService)),
        "",
        `Newest ${plural(usage.calls.length, "call")}:`,
        table(
          ["start (UTC)", "service", "model", "status", "in", "out", "est. cost", "latency", "trace_id", "span_id"],
          usage.calls.map((call) => [
            formatTime(call.startTimeUnixNano),
            cut(call.service, 40),
            cut(call.cost.model, 50),
            // A refused call (a 429, a 500) from one that answered without usage: both read "—" for tokens.
            call.failed ? "failed" : "ok",
            call.cost.usageReported === false ? "—" : countText(call.cost.inputTokens),
            call.cost.usageReported === false ? "—" : countText(call.cost.outputTokens),
            call.cost.usd === null
              ? "no price"
              : call.cost.usageReported === false
                ? "not reported"
                : formatUsd(call.cost.usd),
            formatDuration(call.durationMs),
            call.traceId,
            call.spanId,
          ]),
        ),
      ];
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "error_groups",
    {
      title: "Errors grouped",
      description:
        "Exceptions and failing spans grouped by what failed (service, exception type, message with ids and " +
        "numbers replaced, innermost stack frames): per group the count, first and last seen, where they failed " +
        "(the failing spans' operations and kinds), the root operations of the traces they failed in, the newest " +
        "failing trace and span ids, and the newest error's message.",
      inputSchema: strictInput("error_groups", {
        service,
        since,
        sort: z.enum(["lastSeen", "count"]).default("lastSeen").describe("newest first, or most errors first"),
        limit: count(100, 20, "how many groups to list"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const answer = await rest.get<ErrorGroupsResponse>("/api/errors", {
        service: args.service,
        since: sinceParam(args.since, now()),
        sort: args.sort,
        limit: args.limit,
      });
      if (answer.groups.length === 0) {
        return emptyFor(args.service, "No errors (exception events or failing spans) in that window.");
      }
      const lines = [
        `${plural(answer.totalErrors, "error")} in ${plural(answer.totalGroups, "group")}, in ${plural(answer.totalTraces, "trace")}:`,
      ];
      for (const group of answer.groups) {
        const newest = group.latest[0];
        lines.push(
          "",
          `${countText(group.count)}× ${cut(`${group.type}: ${group.pattern}`, 200)}  [${cut(group.service, 40)}]`,
          `  last ${formatTime(group.lastSeenUnixNano)}, first ${formatTime(group.firstSeenUnixNano)}`,
          ...(group.failedIn.length > 0
            ? [
                `  failed in: ${group.failedIn
                  .map(
                    (op) =>
                      `${cut(`${group.service} ${operationLabel(op)}`, 80)} (${op.kind.toLowerCase()}, ${countText(op.count)})`,
                  )
                  .join(", ")}`,
              ]
            : []),
          `  in traces of: ${group.operations.map((op) => `${cut(`${op.service} ${op.name}`, 80)} (${countText(op.count)})`).join(", ")}`,
          ...(group.frames.length > 0
            ? [
                `  ${group.libraryFrames ? "library frames (no frame of the app's own code)" : "frames"}: ${group.frames.map(frameText).join(" < ")}`,
              ]
            : []),
          `  newest: ${cut(group.sample.message, 200)}`,
          ...(newest ? [`  trace_id=${newest.traceId} span_id=${newest.spanId}`] : []),
        );
      }
      const left = answer.totalGroups - answer.groups.length;
      if (left > 0) {
        const order = args.sort === "count" ? "fewer errors" : "seen less recently";
        lines.push("", `[${plural(left, "more group")} (${order}): raise limit (max 100) to list them]`);
      }
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "service_map",
    {
      title: "Service map",
      description:
        "Which service calls which, and what they call that sends no spans (databases, caches, queues, LLM " +
        "providers, other hosts): every edge with calls, failed calls, p50 and p95, and every node with its kind.",
      inputSchema: strictInput("service_map", { since }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const window = countedWindow(sinceParam(args.since, now()));
      const map = await rest.get<ServiceMapResponse>("/api/service-map", { since: window.from });
      if (map.nodes.length === 0) return text("No services in that window.");
      const name = new Map(map.nodes.map((node) => [node.id, node.name]));
      const lines = [
        `${plural(map.nodes.length, "node")} and ${plural(map.edges.length, "edge")} over ${plural(map.tracesRead, "trace")}` +
          `${map.truncated ? " (the newest only; narrow the window for the rest)" : ""}, calls over ${Math.round(map.seconds)} s:`,
        table(
          ["caller", "callee", "calls", "failed", "p50", "p95"],
          map.edges.map((edge) => [
            cut(name.get(edge.from) ?? edge.from, 50),
            cut(name.get(edge.to) ?? edge.to, 50),
            countText(edge.calls),
            countText(edge.errors),
            formatDuration(edge.p50Ms),
            formatDuration(edge.p95Ms),
          ]),
        ),
        ...edgeTracesHint(map, name),
        "",
        table(
          ["node", "kind", "calls in", "failed", "p95"],
          map.nodes.map((node) => [
            cut(node.name, 50),
            node.kind,
            countText(node.calls),
            countText(node.errors),
            formatDuration(node.p95Ms),
          ]),
        ),
        ...(window.lines === null ? [] : ["", ...window.lines]),
      ];
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "list_services",
    {
      title: "List services",
      description:
        "Every service that sent spans: traces, spans and spans failed (any kind, status ERROR), and its requests " +
        "(entry spans: SERVER/CONSUMER; root spans for a job without them): requests failed, the % of requests " +
        "failed, requests/s and request duration p50 / p95 / p99, over everything stored or only what started " +
        "since a time (from the start of its minute). A legend under the table says what each counts.",
      inputSchema: strictInput("list_services", { since }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const { from, lines } = countedWindow(sinceParam(args.since, now()));
      const { services } = await rest.get<ServicesResponse>("/api/services", { since: from });
      if (services.length === 0)
        return text(from === undefined ? "No services have sent spans yet." : "No services sent spans in that window.");
      return text(servicesText(services, lines));
    },
  );

  server.registerTool(
    "get_logs",
    {
      title: "Get logs",
      description:
        "Log records, newest first (oldest first for one trace): time, severity (the sender's own text with its level when it does not name it, NOTICE (INFO4); else the level and its step, INFO2), service, trace/span ids and body. " +
        "Filter by trace id, service, minimum severity, text in the body or attribute values, and start time. " +
        `A body is cut at ${LINE_BODY_CHARS} characters; \`id\` (each line ends with id=…) gives that one record whole: ` +
        "trace and span, attributes, resource, scope and its body (structured bodies as indented JSON), up to " +
        `${countText(BODY_PART_CHARS)} characters of it per answer, a longer body saying the \`offset\` ` +
        `of its next part; attribute values cut at ${countText(ATTRIBUTE_VALUE_CHARS)} characters.`,
      inputSchema: strictInput("get_logs", {
        trace_id: traceId.optional().describe("only records emitted in this trace (oldest first)"),
        service,
        severity: z
          .enum(SEVERITY_INPUTS)
          .optional()
          .describe("at least this level (either case; WARNING reads as WARN)"),
        text: z.string().max(500).optional().describe("text in the body or attribute values"),
        since,
        limit: count(200, 50, "how many records"),
        id: z
          .union([z.string().min(1).max(40), z.number().int().min(1)])
          .optional()
          .describe("one record whole, by the id its line ends with (id=…); not with the filters above"),
        offset: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe("with id: where in the body to start, in characters (default 0), for the next part of a long body"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      if (args.id !== undefined) {
        const filters = (["trace_id", "service", "severity", "text", "since"] as const).filter(
          (key) => args[key] !== undefined,
        );
        if (filters.length > 0)
          throw new ToolInputError(
            `id reads one record: give it without ${filters.join(", ")} (offset may go with it)`,
          );
        const id = String(args.id).trim();
        if (!/^[1-9]\d{0,14}$/.test(id))
          throw new ToolInputError(`id "${cut(id, 40)}" is not a log record id (a whole number, as get_logs shows it)`);
        const found = await rest.find<LogResponse>(`/api/logs/${id}`);
        if (found === null)
          throw new ToolInputError(`no log record ${id} is stored (evicted or cleared); get_logs lists what is stored`);
        return text(
          logRecordText(found.log, args.offset),
          "its attributes fill it; offset gives the body part by part",
        );
      }
      if (args.offset !== undefined) throw new ToolInputError("offset goes with id: the part of one record's body");
      // Said as get_trace says it: the API's message names its own parameter (traceId), not trace_id.
      if (args.trace_id !== undefined && normalizeTraceId(args.trace_id) === null)
        throw new ToolInputError(`trace_id "${cut(args.trace_id, 64)}" is not a trace id (32 hex digits)`);
      const params: QueryParams = {
        traceId: args.trace_id,
        service: args.service,
        severity: severityOf(args.severity),
        q: args.text?.trim() ? quoteQueryValue(args.text.trim()) : undefined,
        since: sinceParam(args.since, now()),
        limit: args.limit,
        order: args.trace_id === undefined ? "desc" : "asc",
      };
      const page = await rest.get<LogListResponse>("/api/logs", params);
      if (page.logs.length === 0) return text("No log records match.");
      const records = page.logs.length === 1 ? "1 log record" : `${countText(page.logs.length)} log records`;
      const lines = [`${records}, ${params.order === "asc" ? "oldest" : "newest"} first:`];
      for (const log of page.logs) lines.push(logLine(log));
      if (page.nextCursor !== undefined)
        lines.push("[more records match: narrow by since, severity or text, or raise limit (max 200)]");
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "list_metrics",
    {
      title: "List metrics",
      description:
        "The metrics received: name, type, how it is charted, unit, services and series count (with service, " +
        "that service's series of the metric's, as \"2 of 4\").",
      inputSchema: strictInput("list_metrics", {
        text: z.string().max(200).optional().describe("text in the metric's name or description"),
        service,
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const catalog = await rest.get<MetricCatalogResponse>("/api/metrics", {
        // The catalog's q is text in a name or description, not the query language.
        q: args.text?.trim(),
        service: args.service,
      });
      if (catalog.metrics.length === 0) return text("No metrics match.");
      const shown = catalog.metrics.slice(0, 200);
      const lines = [
        table(
          ["name", "kind", "chart", "unit", "series", "services"],
          shown.map((m) => {
            const { series, services } = catalogSeriesCells(m, args.service);
            return [cut(m.name, 80), m.kind, m.chart, unitText(m.unit) || "-", series, cut(services, 60)];
          }),
        ),
      ];
      if (catalog.metrics.length > shown.length) {
        lines.push(
          `[${countText(catalog.metrics.length - shown.length)} more metrics; pass text or service to narrow]`,
        );
      }
      return text(lines.join("\n"));
    },
  );

  server.registerTool(
    "get_metric",
    {
      title: "Get a metric",
      description:
        "One metric over a time window, summarized per series (or per value of group_by): latest, min, average " +
        "and max; for counters the rate per second, the average being the increase over the time counted (as the " +
        "Metrics page's Average), and the increase; for distributions (histograms) the p50 / p95 / p99 of every " +
        "value in the window and how many there were, and with several series the p50 / p95 / p99 of all of them " +
        "together (the figures the Metrics page shows above its chart).",
      inputSchema: strictInput("get_metric", {
        name: z.string().min(1).max(256).describe("the metric's name, as list_metrics shows it"),
        since: z
          .string()
          .max(64)
          .default("15m")
          .describe("window start: a duration ago (default 15m), an ISO 8601 time, or unix ms"),
        service,
        group_by: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe("a data-point attribute key (or service.name) to group by"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const path = `/api/metrics/${encodeURIComponent(args.name)}`;
      const until = now();
      const params: QueryParams = {
        since: sinceParam(args.since, until) ?? until - DEFAULT_METRIC_WINDOW_MS,
        until,
        service: args.service,
        groupBy: args.group_by,
      };
      // The answer's window is whole steps, so its last step can end past now (by up to a step, which
      // for a long window is weeks): the window told ends now.
      const untilNow = (answer: MetricQueryResponse): MetricQueryResponse =>
        answer.toUnixMs > until ? { ...answer, toUnixMs: until } : answer;
      const found = await rest.find<MetricQueryResponse>(path, params);
      if (found === null) throw new ToolInputError(`no metric named "${cut(args.name, 100)}"; list_metrics shows them`);
      let metric = untilNow(found);
      if ((metric.chart ?? metric.metric.chart) === "distribution" && metric.toUnixMs > metric.fromUnixMs) {
        // Percentiles of every value in the window, beside the count of them: one step as long as the
        // window. The default steps' newest holds the last few seconds' values only.
        const whole = await rest.find<MetricQueryResponse>(path, {
          ...params,
          since: metric.fromUnixMs,
          until: metric.toUnixMs,
          step: metric.toUnixMs - metric.fromUnixMs,
        });
        if (whole !== null) metric = untilNow(whole);
      }
      return text(describeMetric(metric), "pass service or group_by to narrow");
    },
  );
}

/** How to list the traces counted on an edge, by the first edge's names; none without edges. */
function edgeTracesHint(map: ServiceMapResponse, name: ReadonlyMap<string, string>): string[] {
  const [first] = map.edges;
  if (first === undefined) return [];
  const query = `service=${quoteQueryValue(name.get(first.from) ?? first.from)} peer=${quoteQueryValue(name.get(first.to) ?? first.to)}`;
  return [
    `To list the traces an edge's calls are counted in: list_traces with query '${query}' (that edge's caller and ` +
      "callee) and the same since.",
  ];
}
