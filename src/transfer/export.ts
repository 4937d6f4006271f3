/**
 * Exporting as OTLP/JSON: the traces a selection names, read from the store one at a time and written
 * as one ExportTraceServiceRequest per trace, then their log records, up to LOG_RECORDS_PER_LINE to an
 * ExportLogsServiceRequest (a JSON Lines file, which `import` and the OpenTelemetry Collector's file
 * receiver read back; a single trace without logs is also a plain OTLP/JSON document). Metrics are not
 * exported: the store keeps them as steps over time, not as the points it received.
 */
import type { StoredLog } from "../domain/log.js";
import { encodeLogsRequestJson } from "../otlp/json/encode-logs.js";
import { encodeTraceRequestJson } from "../otlp/json/encode-traces.js";
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
  /** 1 for a trace; the log records of a logs line. */
  count: number;
  json: string;
}

/** Log records written to one ExportLogsServiceRequest line. */
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
      if (spans !== undefined)
        yield { signal: "traces", count: 1, json: JSON.stringify(encodeTraceRequestJson(spans)) };
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
        batch.push(stored);
        if (batch.length === LOG_RECORDS_PER_LINE) {
          yield logLine(batch);
          batch = [];
        }
      }
      if (page.nextCursor === undefined) break;
      query = { ...query, cursor: page.nextCursor };
    }
  }
  if (batch.length > 0) yield logLine(batch);
}

function logLine(batch: readonly StoredLog[]): ExportLine {
  return {
    signal: "logs",
    count: batch.length,
    json: JSON.stringify(encodeLogsRequestJson(batch.map((stored) => stored.record))),
  };
}
