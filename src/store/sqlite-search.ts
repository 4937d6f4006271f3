import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
import { summaryMatches } from "./query-match.js";
import type { SqliteSpanQuery } from "./sqlite-span-query.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import type { TracePage, TraceQuery } from "./store.js";

export interface TraceSearchDeps {
  traces: StoredTraces;
  /** The query language over the stored rows (`q`). */
  spanQuery: SqliteSpanQuery;
  /** Writes pending spans, so the list sees every accepted span. */
  flush(): void;
  assertOpen(): void;
}

/** The SQLite span store's trace list: filters on the in-memory summaries, the query language on the stored spans. */
export function createTraceSearch(deps: TraceSearchDeps): { listTraces(query: TraceQuery): TracePage } {
  const { traces, spanQuery, flush, assertOpen } = deps;
  const byStart = traces.byStart;

  function listTraces(query: TraceQuery): TracePage {
    assertOpen();
    flush();
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const filter = spanQuery.compile(query.q);
    const out: TraceSummary[] = [];
    let last: TraceEntry | undefined;
    let more = false;
    // Newest first; with a cursor, from just past it (the entries after it are a prefix of the order).
    byStart.walkDown(
      (entry) => {
        if (entry.evicted) return true;
        if (!summaryMatches(entry.aggregate, query)) return true;
        if (filter !== undefined && !filter.matchesTrace(entry)) return true;
        if (out.length === query.limit) {
          more = true;
          return false;
        }
        out.push(entry.aggregate.toSummary());
        last = entry;
        return true;
      },
      cursor === undefined ? undefined : (entry) => isAfterCursor(entry.sortStart, entry.traceId, cursor),
    );
    const page: TracePage = { traces: out };
    if (more && last !== undefined) {
      page.nextCursor = encodeCursor({ startTimeUnixNano: last.sortStart, traceId: last.traceId });
    }
    return page;
  }

  return { listTraces };
}
