import { MAX_LINKS } from "../domain/failure-origin.js";
import type { PeerNames } from "../domain/service-map.js";
import { SPAN_KINDS } from "../domain/span.js";
import { runToEnd } from "../domain/steps.js";
import { countAttributeKeys, countAttributeValues } from "./attribute-catalog.js";
import { type LoadSteps, runInSlices } from "./load-steps.js";
import { FileReadBack } from "./read-back.js";
import { createSpanViews, type SpanViews } from "./span-views.js";
import { SqliteErrorGroups } from "./sqlite-errors.js";
import { GroupCommit } from "./sqlite-group-commit.js";
import { createSpanInsert } from "./sqlite-insert.js";
import { decodeJson } from "./sqlite-json.js";
import { SpanLookups } from "./sqlite-lookups.js";
import { describeOpenFailure, openDatabase, type SqliteSynchronous } from "./sqlite-open.js";
import { loadingOperationStats, readEntryNesting, type StatisticsFill } from "./sqlite-operation-stats.js";
import { evictTracesLargerThanBound } from "./sqlite-oversize.js";
import { createSpanQueries, spanIdsOfRow } from "./sqlite-queries.js";
import {
  prepareStatements,
  SPAN_SLOTS,
  type SqliteDatabase,
  type SqliteDriver,
  type Statements,
} from "./sqlite-schema.js";
import { createTraceSearch } from "./sqlite-search.js";
import { eventsFromStored, type SpanBody } from "./sqlite-span-codec.js";
import { createSqliteSpanQuery, type SqliteSpanQuery } from "./sqlite-span-query.js";
import { SpanWriter } from "./sqlite-span-writer.js";
import { StoredTraces, type TraceEntry } from "./sqlite-traces.js";
import { FileVacuum } from "./sqlite-vacuum.js";
import { startViewsBuild, type ViewsBuild } from "./sqlite-views-build.js";
import { WalPreflush } from "./sqlite-wal-preflush.js";
import { type BoundFromHeld, chooseBound, type HeldSpans, type Store, type StoreStats } from "./store.js";
import { reading } from "./store-unavailable.js";

let driver: SqliteDriver | null = null;

/**
 * Loads better-sqlite3 (a native addon) on demand, so the memory store works where it did not
 * build. Opening an in-memory database proves the addon itself loads, not just its JS wrapper.
 */
export async function loadSqliteDriver(): Promise<void> {
  if (driver !== null) return;
  const specifier = "better-sqlite3";
  const module = (await import(specifier)) as { default: SqliteDriver };
  const Driver = module.default;
  new Driver(":memory:").close();
  driver = Driver;
}

export interface SqliteStoreOptions {
  path: string;
  maxSpans: BoundFromHeld<HeldSpans>;
  /** Longest an accepted span waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending spans that trigger a write at once (default 2,000). */
  flushSpans?: number;
  /** NORMAL (default): a commit survives the process being killed; FULL: also a power cut, slower. */
  synchronous?: SqliteSynchronous;
  /**
   * Opens another store that keeps its own tables in this file. The file is locked to this store's
   * connection (one process, one writer), so a second connection could not open it: the companion
   * works through this one. It is opened once the span schema is migrated, and closed first. A
   * companion that batches its writes joins `commits`, so they ride the span store's commits.
   */
  companion?: (db: SqliteDatabase, commits: GroupCommit) => { close(): void };
  /**
   * Told when opening fills in per-operation statistics a file from an older version lacks (once:
   * it reads every span), before it starts and when it is done.
   */
  onStatisticsFill?: (fill: StatisticsFill) => void;
  /** Told once the file is open and ours (this process holds it now), before it is read back. */
  onOpen?: () => void;
  /**
   * Told, as each commits, what opening evicted so far to fit a `maxSpans` below what the file held
   * (totals since it opened): the traces larger than the bound before the read-back, the oldest
   * arrivals after it. A load stopped between the two has still deleted the first; a start says so.
   */
  onOpenEviction?: (evicted: { traces: number; spans: number }) => void;
  /**
   * Tests only: handed, once the file is open, a way to run a pragma on this connection (e.g.
   * `max_page_count`, which makes writes fail with SQLITE_FULL as a full disk does). The handle itself
   * is never handed out.
   */
  onDatabasePragma?: (pragma: (statement: string) => unknown) => void;
  /** `--service-name-mapping`: how `peer=` queries name the peers spans call, as the service map does. */
  peerNames?: PeerNames;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
/**
 * A write of this many spans is one synchronous transaction (15-20 ms of work on a slow 2-core
 * machine): at 5,000, a large request stored in slices held /api/health for 62 ms at each, and
 * 4 senders' request p99 was 135-145 ms; at 2,000, 56-58 ms and 111-113 ms, with the same throughput
 * (bench/large-requests.mjs with BENCH_DB=1, bench/group-commit.mjs). At 1,000 neither improved.
 */
const DEFAULT_FLUSH_SPANS = 2_000;
/**
 * A request stored in slices has its spans written in turns of their own once this share of
 * `flushSpans` waits: each write is then one turn of the event loop. During a 70,000-span request,
 * /api/health waited 33-37 ms for a turn writing 2,000; with 1,000, 115-120 probes were answered
 * instead of ~100, p99 34-40 ms; with 500 the request took 5-10% longer for no better p99.
 */
const SLICED_WRITE_SHARE = 0.5;

/**
 * Spans in a SQLite file. Inserts are buffered and written in one transaction at most every
 * `flushIntervalMs` or every `flushSpans` spans (by the caller, in a turn of its own, for an insert
 * `writeLater`), or as soon as the event loop is idle when a caller awaits `committed()` (group
 * commit). Reads of stored rows (a trace, the query language) write pending spans first; counts,
 * statistics and the trace list take them from memory, retention due applied ahead of its commit.
 * Every stored trace's summary is kept in memory (and as a row in the file, for restarts), so the
 * trace list, summaries and retention never aggregate spans or walk an index in SQLite.
 *
 * The parts: sqlite-open (the file and its pragmas), sqlite-schema (migrations and statements),
 * sqlite-span-codec (span rows), sqlite-lookups (id and shape caches), sqlite-traces (the in-memory
 * traces), sqlite-insert and sqlite-span-writer (the write path), sqlite-oversize (a smaller bound at
 * open), sqlite-search (the trace list),
 * sqlite-span-query (the query language over stored rows, autocomplete) and sqlite-queries (the other reads).
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  return runToEnd(openingSqliteStore(options));
}

/**
 * createSqliteStore, its reading of the file back run in slices that each give the event loop back
 * (see load-steps.ts): a start listens and answers /api/health while a large file loads. Nothing may
 * use the store before it resolves; `stopped` ends the load at a pause (the file is closed).
 */
export function openSqliteStore(options: SqliteStoreOptions, stopped?: () => boolean): Promise<Store> {
  return runInSlices(openingSqliteStore(options), stopped === undefined ? {} : { stopped });
}

function* openingSqliteStore(options: SqliteStoreOptions): LoadSteps<Store> {
  if (driver === null) throw new Error("createSqliteStore: await loadSqliteDriver() first");
  const synchronous = options.synchronous ?? "NORMAL";
  const db = openDatabase(driver, options.path, synchronous);
  options.onOpen?.();
  let statements: Statements;
  let spanQuery: SqliteSpanQuery;
  let maxSpans: number;
  let held: HeldSpans;
  try {
    statements = prepareStatements(db);
    held = heldSpans(statements);
    maxSpans = chooseBound(options.maxSpans, held);
    spanQuery = createSqliteSpanQuery({
      db,
      readBody(text) {
        const body = decodeJson<SpanBody>(text);
        const [spanId, parentSpanId, name, kind, statusMessage, , , , events] = body;
        return {
          spanId,
          parentSpanId,
          name,
          kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
          statusMessage,
          attributes: lookups.attributesOf(body),
          events: eventsFromStored(events),
        };
      },
      serviceName: (id) => lookups.serviceNameById.get(id) ?? "",
      scopeNamed: (id) => lookups.scopeNamed(id),
      get callingScopeIds() {
        return lookups.callingScopeIds;
      },
      shapeKeys: (id) => lookups.shapeKeys(id),
      ...(options.peerNames === undefined ? {} : { peerNames: options.peerNames }),
    });
  } catch (error) {
    db.close();
    throw describeOpenFailure(options.path, error);
  }
  const stmts = statements;

  let closed = false;
  const commits = new GroupCommit(db);
  // With FULL, SQLite syncs the log in every commit: nothing is left to sync ahead.
  const walPreflush = synchronous === "NORMAL" ? new WalPreflush(`${options.path}-wal`) : null;
  if (walPreflush !== null) {
    commits.join({ hasPending: () => false, write() {}, rolledBack() {}, committed: () => walPreflush.committed() });
  }
  const vacuum = new FileVacuum(db);
  const traces = new StoredTraces(stmts, maxSpans);
  const lookups = new SpanLookups(stmts);
  const views = createSpanViews();
  let viewsBuild: ViewsBuild | null = null;
  /** Told of the traces each commit's retention removed (see Store.onEvicted). */
  let evictionListener: ((traceIds: readonly string[]) => void) | null = null;
  const writer = new SpanWriter({
    db,
    stmts,
    traces,
    lookups,
    commits,
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    reload: () => fileRead.readOrLater(),
    unread: () => fileRead.unread,
    evicted: (ids) => {
      for (const id of ids) views.evict(id);
    },
    // Told outside only once committed: another participant's write may still roll the commit back.
    evictionCommitted: (ids) => evictionListener?.(ids),
  });
  const flush = () => writer.flush();
  const retireFromStats = () => {
    if (evictionDue()) traces.subtractStats(traces.toEvict(spansWithPending()));
  };
  const reads = { stmts, traces, lookups, flush, retireFromStats, assertOpen };
  const { listTraces } = createTraceSearch({ ...reads, spanQuery, leavingAtCommit });
  const spanQueries = createSpanQueries(reads);
  const { getTrace } = spanQueries;
  // Set once the traces are loaded (below); spans arrive only after that.
  let errors: SqliteErrorGroups | undefined;
  const flushSpans = options.flushSpans ?? DEFAULT_FLUSH_SPANS;
  const insertSpans = createSpanInsert({
    traces,
    writer,
    flushSpans,
    assertOpen,
    recentSpans: {
      add(span, entry) {
        spanQuery.recentSpans.add(span);
        spanQuery.spanAccepted(entry, span);
        if (viewsBuild === null || viewsBuild.takesLive(entry)) views.add(span);
      },
    },
    errors: { addSpan: (span, entry) => errors?.addSpan(span, entry) },
    readEntryNesting: (entry) => readEntryNesting(stmts, lookups, entry),
    readSpanLinks(entry) {
      const low = entry.seq * SPAN_SLOTS;
      // The heads of the rows alone (a body parsed whole cost 150 ms at 100,000 spans), as many as are kept.
      const written = reading(() => stmts.spanHeadsOfTrace.all(low, low + SPAN_SLOTS, MAX_LINKS)) as [number, string][];
      const links = reading(() => written.map(([row, head]) => spanIdsOfRow(stmts, row, head)));
      return links.concat(writer.pendingLinksIn(low, low + SPAN_SLOTS));
    },
  });

  /** (Re)reads everything kept in memory from the file: at open, and after a failed flush. */
  function loadState(): void {
    runToEnd(loadingState());
    startViews();
  }

  /**
   * The views read the file's spans in the background (sqlite-views-build.ts): begun once the rest is
   * read, so that at open its slices do not share the turns with the load's, which a start's requests wait for.
   */
  function startViews(): void {
    viewsBuild = startViewsBuild({ db, traces, lookups, views, flush, learnCalls: spanQuery.learnCalls });
  }

  function* loadingState(): LoadSteps {
    // What waited to be written is gone first: a read that fails below must not leave it to be written.
    writer.reset();
    viewsBuild?.stop();
    viewsBuild = null;
    views.reset();
    spanQuery.forgetTraces();
    // Autocomplete's newest spans may include some a rollback lost: they are read again from the file.
    spanQuery.recentSpans.clear();
    lookups.load();
    yield* traces.loading();
    yield* loadingOperationStats(db, stmts, traces, lookups, options.onStatisticsFill ?? (() => {}));
    yield;
  }

  /**
   * Memory read back from the file after the group's commit rolled back (the traces, then their error
   * groups): see FileReadBack.
   */
  const fileRead = new FileReadBack(() => {
    loadState();
    errors?.reload();
  });

  function assertOpen(): void {
    if (closed) throw new Error("the SQLite store is closed");
    fileRead.beforeUse();
  }

  function clear(): void {
    assertOpen();
    writer.flushTimer.cancel();
    db.transaction(() => {
      stmts.clearAll();
      errors?.clear();
    })();
    loadState();
    traces.evictedIds.clear();
  }

  /** The spans autocomplete counts (see SqliteSpanQuery.catalogSpans). */
  function catalogSpans() {
    assertOpen();
    if (spanQuery.recentSpans.size < traces.spanTotal) flush();
    // Retention still due shows ahead of its commit: the spans of the traces it evicts are left out.
    const leaving = leavingAtCommit();
    return spanQuery.catalogSpans(spansWithPending(), (traceId) => {
      const entry = traces.entries.get(traceId);
      return entry !== undefined && leaving?.has(entry) !== true;
    });
  }

  /** The spans kept and those waiting for their commit. */
  function spansWithPending(): number {
    return traces.spanTotal + writer.pendingSpans;
  }

  /** Whether the next commit evicts traces: the spans kept and those waiting are over the bound. */
  function evictionDue(): boolean {
    return spansWithPending() > traces.maxSpans;
  }

  /** The traces the next commit evicts, or null when it evicts none. */
  function leavingAtCommit(): ReadonlySet<TraceEntry> | null {
    return evictionDue() ? new Set(traces.toEvict(spansWithPending())) : null;
  }

  /**
   * The views as the next commit will leave them, without making a request wait for that commit: a
   * span is in them from the moment it is accepted, so all the commit changes there is retention,
   * applied to them here ahead of it (the same oldest traces; evicting one again at the commit does
   * nothing).
   */
  function viewsAfterRetention(): SpanViews {
    assertOpen();
    if (evictionDue()) {
      for (const entry of traces.toEvict(spansWithPending())) views.evict(entry.traceId);
    }
    return views;
  }

  /**
   * The counts as the next commit will leave them, without making the caller wait for that commit
   * (`/api/health` asks while a large request is stored): the pending spans count, and the oldest
   * traces that commit evicts do not.
   */
  function stats(): StoreStats {
    assertOpen();
    const { entries, maxSpans, evictedTraces, evictedSpans } = traces;
    const leaving = leavingAtCommit() ?? new Set<TraceEntry>();
    let leavingSpans = 0;
    for (const entry of leaving) leavingSpans += entry.aggregate.spanCount;
    return {
      spans: spansWithPending() - leavingSpans,
      traces: entries.size - leaving.size,
      maxSpans,
      evictedTraces: evictedTraces + leaving.size,
      evictedSpans: evictedSpans + leavingSpans,
    };
  }

  let companion: { close(): void } | undefined;

  function close(): void {
    if (closed) return;
    closed = true;
    vacuum.cancel();
    viewsBuild?.stop();
    views.close();
    try {
      flush();
    } finally {
      try {
        companion?.close();
      } finally {
        commits.cancel();
        try {
          db.close();
        } finally {
          walPreflush?.close();
        }
      }
    }
  }

  /** What the counters say opening evicted so far (committed), told when it evicted any. */
  function tellOpenEviction(): void {
    const now = heldSpans(stmts);
    const evicted = { traces: now.evictedTraces - held.evictedTraces, spans: now.evictedSpans - held.evictedSpans };
    if (evicted.traces > 0) options.onOpenEviction?.(evicted);
  }

  // Set once open; a load ended at a pause (runInSlices: the start was stopped) closes the file too.
  let opened = false;
  try {
    // A smaller --max-spans than the file was filled with applies at once: first to the traces larger
    // than it alone (which would take every trace with them), then to the oldest arrivals.
    evictTracesLargerThanBound(db, stmts, maxSpans);
    tellOpenEviction();
    yield* loadingState();
    if (traces.spanTotal > traces.maxSpans) {
      flush();
      tellOpenEviction();
    }
    yield;
    errors = new SqliteErrorGroups({ db, traces, commits, getTrace, unread: () => fileRead.unread });
    yield* errors.opening();
    yield;
    companion = options.companion?.(db, commits);
    startViews();
    opened = true;
  } catch (error) {
    throw describeOpenFailure(options.path, error);
  } finally {
    if (!opened) {
      // Started by loadingState (the compiler cannot see the closure set it).
      (viewsBuild as ViewsBuild | null)?.stop();
      walPreflush?.close();
      db.close();
    }
  }
  options.onDatabasePragma?.((statement) => db.pragma(statement));

  return {
    kind: "sqlite",
    insertSpans,
    writeDue: () => writer.pendingSpans >= flushSpans * SLICED_WRITE_SHARE,
    writePending() {
      assertOpen();
      flush();
    },
    listTraces,
    ...spanQueries,
    serviceTraffic: (window) => viewsAfterRetention().serviceTraffic(window),
    llmUsage: (query, prices) => viewsAfterRetention().llmUsage(query, prices),
    viewsBuilding: () => (views.building === null ? null : { ...views.building }),
    viewsWarm: () => views.warm,
    errorGroups(query) {
      assertOpen();
      // The groups take a span when it is accepted; retention still due shows ahead of its commit: the
      // errors of the traces it evicts are left out.
      const leaving = leavingAtCommit();
      const leavingIds = leaving === null ? undefined : new Set([...leaving].map((entry) => entry.traceId));
      return (errors as SqliteErrorGroups).query(query, getTrace, leavingIds);
    },
    attributeKeys: () => countAttributeKeys(catalogSpans()),
    attributeValues: (key, limit) => countAttributeValues(catalogSpans(), key, limit, options.peerNames),
    committed: (mark) => commits.committed(mark),
    commitMark: () => commits.mark(),
    clear,
    onEvicted(listener) {
      evictionListener = listener;
    },
    reclaimSpace() {
      assertOpen();
      vacuum.run();
    },
    stats,
    close,
  };
}

/** What the file holds, from its counters row (one read, before the traces are loaded). */
function heldSpans(stmts: Statements): HeldSpans {
  const [spans, , evictedTraces, evictedSpans] = stmts.counters.get() as [bigint, bigint, bigint, bigint];
  return { spans: Number(spans), evictedTraces: Number(evictedTraces), evictedSpans: Number(evictedSpans) };
}
