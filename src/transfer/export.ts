/**
 * Exporting traces as OTLP/JSON: the traces a selection names, read from the store one at a time and
 * written as one ExportTraceServiceRequest per trace (a JSON Lines file, which `import` and the
 * OpenTelemetry Collector's file receiver read back; a single trace is also a plain OTLP/JSON document).
 */
import { encodeTraceRequestJson } from "../otlp/json/encode-traces.js";
import { MAX_TRACE_LIMIT, type Store, type TraceQuery } from "../store/store.js";

export interface ExportSelection {
  /** These traces (lower-case hex), in this order; unknown ids are skipped. */
  traceIds?: readonly string[];
  /** The trace list's filters, its time window included (ignored when `traceIds` is given). */
  query?: Omit<TraceQuery, "limit" | "cursor">;
}

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
  for (const traceId of selectedTraceIds(store, selection)) {
    const spans = store.getTrace(traceId);
    if (spans !== undefined) yield JSON.stringify(encodeTraceRequestJson(spans));
  }
}
