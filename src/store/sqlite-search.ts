import { boundsMayMatch, summaryMatches } from "./query-match.js";
import type { SqliteSpanQuery } from "./sqlite-span-query.js";
import type { StoredTraces, TraceEntry } from "./sqlite-traces.js";
import type { TracePage, TraceQuery } from "./store.js";
import { createBlockGate } from "./trace-blocks.js";
import { createKeyOrders } from "./trace-key-order.js";
import { operationsAllow } from "./trace-operations.js";
import { collectSortedTracePage, sortKeyOf, traceSortOf } from "./trace-sort.js";

export interface TraceSearchDeps {
  traces: StoredTraces;
  /** The query language over the stored rows (`q`). */
  spanQuery: SqliteSpanQuery;
  /** Writes pending spans, so the query language sees every accepted span. */
  flush(): void;
  /** The traces the next commit evicts (retention is due), or null: a list leaves them out ahead of it. */
  leavingAtCommit(): ReadonlySet<TraceEntry> | null;
  assertOpen(): void;
}

/** The SQLite span store's trace list: filters on the in-memory summaries, the query language on the stored spans. */
export function createTraceSearch(deps: TraceSearchDeps): { listTraces(query: TraceQuery): TracePage } {
  const { traces, spanQuery, flush, leavingAtCommit, assertOpen } = deps;
  const byStart = traces.byStart;
  const keyOrders = createKeyOrders<TraceEntry>();

  function listTraces(query: TraceQuery): TracePage {
    assertOpen();
    // The summaries, and so a list without a query, take a span when it is accepted: only the query
    // language reads stored rows, and waits for the commit. /api/health lists the oldest and newest
    // trace, and made a commit at each probe. A later slice of a walk leaves the pending spans to the
    // next commit: writing them here made every slice a commit.
    if (query.continuesWalk !== true && query.q !== undefined && query.q.trim() !== "") flush();
    // Retention still due shows ahead of its commit, as in the statistics: the traces it evicts are left out.
    const leaving = leavingAtCommit();
    const filter = spanQuery.compile(query.q);
    // No stored trace holds an operation the query requires.
    if (filter !== undefined && !traces.operationCounts.mayHold(filter.operations)) return { traces: [] };
    const sort = traceSortOf(query);
    const entryNames = query.name === undefined ? undefined : traces.stats.entryNamesHolding(query.name);
    return collectSortedTracePage({
      byStart,
      sort,
      limit: query.limit,
      cursor: query.cursor,
      budgetMs: query.budgetMs,
      positionOf: (entry) => ({ start: entry.sortStart, traceId: entry.traceId }),
      keyOf: (entry) => (sort.by === "start" ? 0 : sortKeyOf(sort.by, entry.aggregate)),
      boundsOf: (entry) => entry.aggregate,
      keyOrders,
      boundsMayMatch: (bounds) => boundsMayMatch(bounds, query),
      matches: (entry) =>
        !entry.evicted &&
        leaving?.has(entry) !== true &&
        summaryMatches(entry.aggregate, query, entry.operations, entryNames),
      matchesQuery:
        filter === undefined
          ? undefined
          : (entry) => operationsAllow(entry.operations, filter.operations) && filter.matchesTrace(entry),
      // A trace's operations pass over those without a required one at once; blocks' notes, built by
      // reading every span the first time, would only slow such a query.
      chunkMayMatch:
        filter === undefined || filter.operations.length > 0
          ? undefined
          : createBlockGate<TraceEntry>({
              byStart,
              query: filter,
              boundsOf: (entry) => entry.aggregate,
              tokensOf: (entry, add, addPiece) => filter.tokensOf(entry, add, addPiece),
            }),
      summaryOf: (entry) => entry.aggregate.toSummary(),
    });
  }

  return { listTraces };
}
