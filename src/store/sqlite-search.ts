import { searchTextOf } from "../domain/search.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
import { summaryMatches } from "./query-match.js";
import { decodeJson, isJsonVerbatim } from "./sqlite-json.js";
import type { SpanLookups } from "./sqlite-lookups.js";
import { SPAN_SLOTS, type Statements } from "./sqlite-schema.js";
import { eventsFromStored, type SpanBody } from "./sqlite-span-codec.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import type { TracePage, TraceQuery } from "./store.js";

export interface TraceSearchDeps {
  stmts: Statements;
  traces: StoredTraces;
  lookups: SpanLookups;
  /** Writes pending spans, so the list sees every accepted span. */
  flush(): void;
  assertOpen(): void;
}

/** The SQLite span store's trace list: filters on the in-memory summaries, free text on the stored spans. */
export function createTraceSearch(deps: TraceSearchDeps): { listTraces(query: TraceQuery): TracePage } {
  const { stmts, traces, lookups, flush, assertOpen } = deps;
  const byStart = traces.byStart;
  const attributesOf = (body: SpanBody) => lookups.attributesOf(body);

  /**
   * Whether a span of the trace has `needle` in its search text, built here exactly as the memory
   * store builds it. With `prefilter` (a needle with no character JSON escapes), every searched
   * value appears in the body's JSON as is, so a body that lacks the needle rules its span out
   * without parsing any JSON; keys and ids can only add candidates, which the exact check settles.
   */
  function traceHasText(entry: TraceEntry, needle: string, prefilter: boolean): boolean {
    const low = entry.seq * SPAN_SLOTS;
    for (const text of stmts.spanBodies.iterate(low, low + SPAN_SLOTS) as Iterable<string>) {
      if (prefilter && !text.toLowerCase().includes(needle)) continue;
      const body = decodeJson<SpanBody>(text);
      const search = searchTextOf(body[2], body[4] ?? undefined, attributesOf(body), eventsFromStored(body[8]));
      if (search.includes(needle)) return true;
    }
    return false;
  }

  function listTraces(query: TraceQuery): TracePage {
    assertOpen();
    flush();
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const needle = query.q?.trim().toLowerCase() || undefined;
    const prefilter = needle !== undefined && isJsonVerbatim(needle);
    const out: TraceSummary[] = [];
    let last: TraceEntry | undefined;
    let more = false;
    // Newest first; with a cursor, from just past it (the entries after it are a prefix of the order).
    byStart.walkDown(
      (entry) => {
        if (entry.evicted) return true;
        if (!summaryMatches(entry.aggregate, query)) return true;
        if (needle !== undefined && !traceHasText(entry, needle, prefilter)) return true;
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
