/**
 * Exporting as OTLP/JSON: the traces a selection names, read from the store one at a time and written
 * as one ExportTraceServiceRequest per trace, then their log records, about LOG_RECORDS_PER_LINE to an
 * ExportLogsServiceRequest (a JSON Lines file, which `import` and the OpenTelemetry Collector's file
 * receiver read back; a single trace without logs is also a plain OTLP/JSON document). A line holds no
 * more than one OTLP request may (otlp/limits.ts), so a trace larger than that is written as several
 * lines. Metrics are not exported: the store keeps them as steps over time, not as the points it received.
 */
import type { StoredLog } from "../domain/log.js";
import type { Span } from "../domain/span.js";
import { logRecordJson, logResourceBytes } from "../otlp/json/encode-logs.js";
import {
  groupedByResourceAndScope,
  type ResourceGroupJson,
  spanJson,
  spanResourceBytes,
} from "../otlp/json/encode-traces.js";
import { DEFAULT_REQUEST_LIMITS, withinRequestLimits } from "../otlp/limits.js";
import { type LogQuery, type LogStore, MAX_LOG_LIMIT } from "../store/log-store.js";
import { MAX_TRACE_LIMIT, type Store, type TraceQuery } from "../store/store.js";
import type { ExportSignal } from "./export-signals.js";

export type { ExportSignal } from "./export-signals.js";

export interface ExportSelection {
  /** These traces (lower-case hex), in this order; unknown ids are skipped. */
  traceIds?: readonly string[];
  /** The trace list's filters, its time window included (ignored when `traceIds` is given). */
  query?: Omit<TraceQuery, "limit" | "cursor">;
}

/** One line of an export: its signal, how many spans' traces or log records it holds, and its JSON. */
export interface ExportLine {
  signal: ExportSignal;
  /** 1 for a trace (0 for the further lines of a trace written as several); the log records of a logs line. */
  count: number;
  json: string;
}

/**
 * Bytes of an export line at most (one item larger than that is a line of its own): well within the
 * receiver's default body limit (32 MiB), so that any line is one request any receiver takes.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Log records written to one ExportLogsServiceRequest line (more when records of one time would be split). */
export const LOG_RECORDS_PER_LINE = 1000;

/** The ids of the selected traces, newest first for a query; pages through the store lazily. */
export function* selectedTraceIds(store: Store, selection: ExportSelection): Generator<string> {
  if (selection.traceIds !== undefined) {
    yield* selection.traceIds;
    return;
  }
  let cursor: string | undefined;
  do {
    const query: TraceQuery = { ...selection.query, limit: MAX_TRACE_LIMIT };
    if (cursor !== undefined) query.cursor = cursor;
    const page = store.listTraces(query);
    for (const summary of page.traces) yield summary.traceId;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/** One OTLP/JSON line (no newline) per selected trace that exists. */
export function* exportTraceLines(store: Store, selection: ExportSelection): Generator<string> {
  for (const line of exportLines({ store }, selection, new Set(["traces"]))) yield line.json;
}

/**
 * Whether a selection picks traces by more than their start time (ids, a search, a service, failing
 * ones, a minimum duration): then the logs exported are those of its traces; else every record of the
 * window (the records of a session, those emitted outside any trace too).
 */
function picksTraces(selection: ExportSelection): boolean {
  if (selection.traceIds !== undefined) return true;
  // The order of the list (sort, order) picks nothing.
  const { sinceUnixNano: _since, untilUnixNano: _until, sort: _sort, order: _order, ...rest } = selection.query ?? {};
  return Object.values(rest).some((value) => value !== undefined && value !== false);
}

/**
 * The lines of an export of `signals`: each selected trace that exists, then the log records, of the
 * selected traces (oldest first, trace by trace) or of the selection's window (oldest first).
 */
export function* exportLines(
  stores: { store: Store; logs?: LogStore },
  selection: ExportSelection,
  signals: ReadonlySet<ExportSignal>,
): Generator<ExportLine> {
  const { store, logs } = stores;
  const withLogs = signals.has("logs") && logs !== undefined;
  const byTrace = withLogs && picksTraces(selection);
  const traceIds: string[] = [];
  if (signals.has("traces") || byTrace) {
    for (const traceId of selectedTraceIds(store, selection)) {
      const spans = signals.has("traces") ? store.getTrace(traceId) : undefined;
      if (spans !== undefined) {
        let count = 1;
        for (const json of traceRequestLines(spans)) {
          yield { signal: "traces", count, json };
          count = 0;
        }
      }
      if (byTrace) traceIds.push(traceId);
    }
  }
  if (!withLogs) return;
  let batch: StoredLog[] = [];
  const queries: Generator<LogQuery> = byTrace
    ? (function* () {
        for (const traceId of traceIds) yield { traceId, order: "asc", limit: MAX_LOG_LIMIT };
      })()
    : (function* () {
        const query = selection.query ?? {};
        yield {
          order: "asc",
          limit: MAX_LOG_LIMIT,
          ...(query.sinceUnixNano === undefined ? {} : { sinceUnixNano: query.sinceUnixNano }),
          ...(query.untilUnixNano === undefined ? {} : { untilUnixNano: query.untilUnixNano }),
        };
      })();
  for (const first of queries) {
    let query: LogQuery = first;
    for (;;) {
      const page = logs.listLogs(query);
      for (const stored of page.logs) {
        // A line ends between two times: were equal records of one time split across lines, the later
        // line's records would all be stored already when the file is imported, and it would be taken
        // for a request sent again (LogStore.insertLogs) and lost.
        const last = batch[batch.length - 1];
        if (
          last !== undefined &&
          batch.length >= LOG_RECORDS_PER_LINE &&
          (last.record.timeUnixNano !== stored.record.timeUnixNano || batch.length >= DEFAULT_REQUEST_LIMITS.maxItems)
        ) {
          yield* logLines(batch);
          batch = [];
        }
        batch.push(stored);
      }
      if (page.nextCursor === undefined) break;
      query = { ...query, cursor: page.nextCursor };
    }
  }
  if (batch.length > 0) yield* logLines(batch);
}

function* logLines(batch: readonly StoredLog[]): Generator<ExportLine> {
  const records = batch.map((stored) => stored.record);
  const groups = groupedByResourceAndScope(records, logRecordJson, logResourceBytes);
  for (const line of requestLines(groups, ["resourceLogs", "scopeLogs", "logRecords"])) {
    yield { signal: "logs", count: line.items, json: line.json };
  }
}

/** The ExportTraceServiceRequest lines of a trace's spans: one, unless it is larger than a request may be. */
export function* traceRequestLines(spans: Iterable<Span>): Generator<string> {
  for (const line of requestLines(groupedByResourceAndScope(spans, spanJson, spanResourceBytes), [
    "resourceSpans",
    "scopeSpans",
    "spans",
  ])) {
    yield line.json;
  }
}

/** JSON objects and arrays in a JSON value: the receiver counts them against `maxValues`. */
function containersOf(json: unknown): number {
  if (typeof json !== "object" || json === null) return 0;
  let n = 1;
  if (Array.isArray(json)) for (const item of json) n += containersOf(item);
  else for (const key in json) n += containersOf((json as Record<string, unknown>)[key]);
  return n;
}

interface LineScope {
  head: string;
  items: string[];
}

interface LineResource {
  head: string;
  scopes: LineScope[];
}

/** A request line being filled: its parts, and what they count against the limits. */
interface Line {
  resources: LineResource[];
  items: number;
  scopes: number;
  containers: number;
  bytes: number;
}

function emptyLine(resourcesKey: string): Line {
  // The request's object and its list of resources; `{"key":[]}`.
  return { resources: [], items: 0, scopes: 0, containers: 2, bytes: resourcesKey.length + 8 };
}

/** The line's JSON text, as JSON.stringify writes the request. */
function lineText(line: Line, resourcesKey: string): string {
  const resources = line.resources.map(
    (resource) =>
      `${resource.head}${resource.scopes.map((scope) => `${scope.head}${scope.items.join(",")}]}`).join(",")}]}`,
  );
  return `{"${resourcesKey}":[${resources.join(",")}]}`;
}

/**
 * Requests holding `groups` (items grouped by resource and scope), as JSON text, the same as
 * JSON.stringify writes the request. Each item is written once; a line ends before an item that would
 * take it past one of an OTLP request's limits (items, resource and scope groups, JSON objects and
 * arrays, which also bound the attribute values) or past MAX_LINE_BYTES, and the next line opens that
 * item's resource and scope again.
 */
function* requestLines<J>(
  groups: readonly ResourceGroupJson<J>[],
  [resourcesKey, scopesKey, itemsKey]: readonly [string, string, string],
): Generator<{ json: string; items: number }> {
  // Byte counts allow a comma after every part, and `]}` after every list and object opened.
  let line = emptyLine(resourcesKey);
  for (const group of groups) {
    const resourceHead = `{"resource":${JSON.stringify(group.resource)},"${scopesKey}":[`;
    const resourceBytes = Buffer.byteLength(resourceHead) + 3;
    // The group's object, its list of scopes, and what its resource holds.
    const resourceContainers = 2 + containersOf(group.resource);
    let resource: LineResource | null = null;
    for (const { scope, items } of group.scopes) {
      const scopeHead = `{"scope":${JSON.stringify(scope)},"${itemsKey}":[`;
      const scopeBytes = Buffer.byteLength(scopeHead) + 3;
      const scopeContainers = 2 + containersOf(scope);
      let lineScope: LineScope | null = null;
      for (const item of items) {
        const itemText = JSON.stringify(item);
        let bytes = Buffer.byteLength(itemText) + 1;
        let containers = containersOf(item);
        if (lineScope === null) {
          bytes += scopeBytes;
          containers += scopeContainers;
        }
        if (resource === null) {
          bytes += resourceBytes;
          containers += resourceContainers;
        }
        const fits =
          withinRequestLimits({
            spans: line.items + 1,
            resourceGroups: line.resources.length + (resource === null ? 1 : 0),
            scopeGroups: line.scopes + (lineScope === null ? 1 : 0),
            values: line.containers + containers,
          }) && line.bytes + bytes <= MAX_LINE_BYTES;
        if (!fits && line.items > 0) {
          yield { json: lineText(line, resourcesKey), items: line.items };
          line = emptyLine(resourcesKey);
          // The item opens its resource and scope again in the next line.
          if (lineScope !== null) {
            bytes += scopeBytes;
            containers += scopeContainers;
            lineScope = null;
          }
          if (resource !== null) {
            bytes += resourceBytes;
            containers += resourceContainers;
            resource = null;
          }
        }
        if (resource === null) {
          resource = { head: resourceHead, scopes: [] };
          line.resources.push(resource);
        }
        if (lineScope === null) {
          lineScope = { head: scopeHead, items: [] };
          resource.scopes.push(lineScope);
          line.scopes++;
        }
        lineScope.items.push(itemText);
        line.items++;
        line.containers += containers;
        line.bytes += bytes;
      }
    }
  }
  yield { json: lineText(line, resourcesKey), items: line.items };
}
