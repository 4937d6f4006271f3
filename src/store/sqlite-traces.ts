import { EntryNesting } from "../domain/operation.js";
import { runToEnd } from "../domain/steps.js";
import { UNSET_TIME } from "../domain/time.js";
import { TraceAggregate } from "../domain/trace-summary.js";
import { ArrivalQueue } from "./arrival-queue.js";
import { createEvictedTraces, evictedTracesCapacity, traceIdFingerprint } from "./evicted-traces.js";
import { type LoadSteps, ROWS_PER_STEP } from "./load-steps.js";
import { emptyTokens, OperationStatsIndex, type StatsTokens } from "./operation-stats.js";
import { SortedChunks } from "./sorted-chunks.js";
import { type EntryMark, OperationStatsRows } from "./sqlite-operation-stats.js";
import { SPAN_SLOTS, type Statements, type TraceRow } from "./sqlite-schema.js";
import { aggregateFromRow, fromStoredNs } from "./sqlite-span-codec.js";
import { reading } from "./store-unavailable.js";
import type { BlockNote } from "./trace-blocks.js";
import type { TraceWithCalls } from "./trace-calls.js";
import type { FilteredTrace } from "./trace-filters-on-write.js";
import { OperationTraceCounts, type TraceOperations } from "./trace-operations.js";
import { compareOldestFirst, oldestStartMs, type StartOrdered, setSortStart, traceIdKey } from "./trace-order.js";

/** Span ids of recently written traces kept to spare a read when more of their spans arrive. */
const TRACE_CACHE_TRACES = 4_096;
const TRACE_CACHE_SPAN_IDS = 200_000;

/**
 * One stored trace, kept in memory for as long as it is stored: its running summary serves the trace
 * list, the live view and retention without a query, and the list order (newest first) is an
 * in-memory index. SQLite keeps only what must survive a restart: spans, and one row per trace that
 * appends by arrival number. Ordering indexes inside SQLite (by start time, by service and start,
 * by trace id) took a random page per new trace and made each flush rewrite most of their pages:
 * at 1M spans that cost ~90 µs per trace, more than writing its ten spans. Its `bloom` and
 * `noteInput` are the query language's (see trace-filters-on-write.ts).
 */
export interface TraceEntry extends StartOrdered, FilteredTrace, TraceWithCalls {
  readonly aggregate: TraceAggregate;
  readonly seq: number;
  /** Span ids stored or pending while cached; null once dropped from the cache (read back on demand). */
  spanIds: Set<string> | null;
  /** A `traces` row exists (written by an earlier flush). */
  stored: boolean;
  /** Has spans not yet written. */
  dirty: boolean;
  /** The insertSpans call that last touched its span ids (cache LRU upkeep) and last added a span. */
  lastTouchCall: number;
  lastChangeCall: number;
  filed: boolean;
  evicted: boolean;
  /**
   * Its entry spans told apart while its span ids are cached (null with them, or until an insert
   * needs them): what telling nested entry spans apart across inserts reads (sqlite-insert.ts).
   */
  entryNesting: EntryNesting<EntryMark> | null;
  /** What its spans not yet written added to `StoredTraces.stats` (written ones are in the file: sqlite-operation-stats.ts). */
  stats: StatsTokens;
  /**
   * Out of `StoredTraces.stats` already: the next commit evicts it (see subtractStats). Its spans
   * from then on are not counted.
   */
  statsRetired: boolean;
  /** Its tokens in the file. */
  statsWritten: number;
  /**
   * The operations of its spans (what `operation=` queries pass over it by, see trace-operations.ts);
   * null until read back from the file's tokens (sqlite-operation-stats.ts), or when they cannot tell.
   */
  operations: TraceOperations;
}

/**
 * The SQLite store's in-memory picture of its traces: every stored or pending trace's entry, the
 * list order, the cache of recent traces' span ids, retention's choice and counts.
 */
export class StoredTraces {
  /** Every stored or pending trace by id, in arrival order (retention evicts from the front). */
  entries = new Map<string, TraceEntry>();
  /** The same entries in arrival order, walked by retention (see ArrivalQueue). */
  private arrivals = new ArrivalQueue<TraceEntry>();
  /** Oldest-first by (sortStart, traceId); may hold evicted entries until compaction. */
  readonly byStart = new SortedChunks<TraceEntry, BlockNote>(compareOldestFirst);
  private staleInByStart = 0;
  /** Entries whose span ids are cached, least recently used first. */
  private readonly spanIdHolders = new Map<string, TraceEntry>();
  cachedSpanIds = 0;
  dirtyEntries: TraceEntry[] = [];
  nextSeq = 1;
  /** Spans written to the file (pending ones are not counted until their flush). */
  spanTotal = 0;
  evictedTraces = 0;
  evictedSpans = 0;
  /** Fingerprints of the traces evicted lately, kept in the file too (`evicted_fingerprints`). */
  readonly evictedIds;
  /** Per-service and per-operation statistics of the stored and pending spans, and their rows in the file. */
  readonly stats: OperationStatsIndex;
  /** The stored and pending traces' operations, counted (see trace-operations.ts); recounted at load. */
  readonly operationCounts = new OperationTraceCounts();
  readonly statsRows: OperationStatsRows;
  /** The file's statistics tokens keyed below this are out of `stats` already (see subtractStats). */
  private statsOutBelow = 0;
  /** Told of the traces retention removed, inside the commit that deletes them. */
  onEvicted: ((entries: readonly TraceEntry[]) => void) | null = null;
  /** The SQLite key space allows 2^21 spans per trace; retention allows maxSpans. */
  readonly maxSpansPerTrace: number;

  /** The file's rows of evicted-id fingerprints, oldest first: each its number and how many it holds. */
  private evictedRows: { seq: number; count: number }[] = [];
  private evictedRowsTotal = 0;
  private readonly evictedCapacity: number;

  constructor(
    private readonly stmts: Statements,
    readonly maxSpans: number,
  ) {
    this.evictedCapacity = evictedTracesCapacity(maxSpans);
    this.evictedIds = createEvictedTraces(this.evictedCapacity);
    this.maxSpansPerTrace = Math.min(maxSpans, SPAN_SLOTS);
    this.statsRows = new OperationStatsRows(stmts);
    this.stats = new OperationStatsIndex(Date.now, this.statsRows);
    // Traces about to be evicted are out of the statistics already.
    this.stats.oldestStartMs = () => oldestStartMs(this.byStart, (entry) => entry.evicted || entry.statsRetired);
  }

  newEntry(aggregate: TraceAggregate, seq: number, stored: boolean): TraceEntry {
    return {
      traceId: aggregate.traceId,
      aggregate,
      seq,
      spanIds: stored ? null : new Set(),
      entryNesting: stored ? null : new EntryNesting(),
      stored,
      dirty: false,
      lastTouchCall: 0,
      lastChangeCall: 0,
      sortStart: 0n,
      sortMs: 0,
      sortNs: 0,
      idKey: traceIdKey(aggregate.traceId),
      filed: false,
      evicted: false,
      stats: emptyTokens(),
      statsWritten: 0,
      statsRetired: false,
      operations: stored ? null : [],
      calls: null,
      bloom: null,
      noteInput: null,
    };
  }

  /** Counts every trace's operations again (at load, once the file's tokens told them). */
  recountOperations(): void {
    this.operationCounts.clear();
    for (const entry of this.entries.values()) this.operationCounts.addTrace(entry.operations);
  }

  /** A new trace's entry, numbered next. */
  add(traceId: string): TraceEntry {
    const entry = this.newEntry(new TraceAggregate(traceId), this.nextSeq++, false);
    this.entries.set(traceId, entry);
    this.arrivals.push(entry);
    return entry;
  }

  /** (Re)reads every trace from the file: at open, and after a failed flush (spans' statistics: sqlite-operation-stats.ts). */
  load(): void {
    runToEnd(this.loading());
  }

  /** load() in steps (see load-steps.ts); nothing may use the store until they ended. */
  *loading(): LoadSteps {
    this.entries = new Map();
    this.arrivals = new ArrivalQueue();
    this.stats.clear();
    this.operationCounts.clear();
    this.byStart.clear();
    this.staleInByStart = 0;
    this.spanIdHolders.clear();
    this.cachedSpanIds = 0;
    this.dirtyEntries = [];
    this.statsOutBelow = 0;
    let lastSeq = 0;
    let rows = 0;
    for (const row of this.stmts.allTraces.iterate() as Iterable<TraceRow>) {
      if (++rows % ROWS_PER_STEP === 0) yield;
      const seq = Number(row[0]);
      const entry = this.newEntry(aggregateFromRow(row), seq, true);
      if (entry.aggregate.startTimeUnixNano === UNSET_TIME) this.retimeUnsetStart(entry);
      this.entries.set(entry.traceId, entry);
      this.arrivals.push(entry);
      this.stats.countTrace(entry.aggregate.services, entry.aggregate.startTimeUnixNano);
      this.stats.restoreTimes(entry.aggregate.startTimeUnixNano, entry.aggregate.endTimeUnixNano);
      setSortStart(entry, entry.aggregate.startTimeUnixNano);
      entry.filed = true;
      lastSeq = seq;
    }
    // One sort rather than one insert per trace.
    yield;
    this.byStart.fill([...this.entries.values()].sort(compareOldestFirst));
    this.evictedRows = [];
    this.evictedRowsTotal = 0;
    yield;
    for (const [seq, blob] of this.stmts.evictedFingerprints.iterate() as Iterable<[bigint, Uint8Array]>) {
      if (++rows % ROWS_PER_STEP === 0) yield;
      const fingerprints = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
      for (const fingerprint of fingerprints) this.evictedIds.addFingerprint(fingerprint);
      this.evictedRows.push({ seq: Number(seq), count: fingerprints.length });
      this.evictedRowsTotal += fingerprints.length;
    }
    const counters = this.stmts.counters.get() as [bigint, bigint, bigint, bigint];
    this.spanTotal = Number(counters[0]);
    // Those of the last commit (a reread after a failed one drops what it would have added).
    this.evictedTraces = Number(counters[2]);
    this.evictedSpans = Number(counters[3]);
    this.nextSeq = lastSeq + 1;
  }

  /**
   * Gives a trace read back with a start of 0 the times of its spans that have a start: a file written
   * before a span with an unset start (0) was left out of its trace's times (TraceAggregate.add) holds
   * such a trace as starting in 1970, which also made every rate after a restart per one second. Rare,
   * and only those traces' spans are read; the row is written right at the trace's next change.
   */
  private retimeUnsetStart(entry: TraceEntry): void {
    const low = entry.seq * SPAN_SLOTS;
    let start = UNSET_TIME;
    let end = UNSET_TIME;
    for (const [storedStart, storedEnd] of this.stmts.timedSpanTimes.iterate(low, low + SPAN_SLOTS) as Iterable<
      [bigint, bigint]
    >) {
      const spanStart = fromStoredNs(storedStart);
      const spanEnd = fromStoredNs(storedEnd);
      if (start === UNSET_TIME || spanStart < start) start = spanStart;
      if (spanEnd > end) end = spanEnd;
    }
    entry.aggregate.setTimes(start, end);
  }

  /** Files changed entries in the list order, or moves them when an earlier span arrived. */
  file(changed: readonly TraceEntry[]): void {
    for (const entry of changed) {
      const start = entry.aggregate.startTimeUnixNano;
      if (!entry.filed) {
        setSortStart(entry, start);
        this.byStart.insert(entry);
        entry.filed = true;
        // Counted per service under the start it is filed by (see OperationStatsIndex.countTrace).
        if (!entry.statsRetired) this.stats.countTrace(entry.aggregate.services, start);
      } else if (entry.sortStart !== start) {
        // An earlier span arrived (children often come before their parent): move the trace.
        this.byStart.remove(entry);
        if (!entry.statsRetired) this.stats.moveTrace(entry.aggregate.services, entry.sortStart, start);
        setSortStart(entry, start);
        this.byStart.insert(entry);
      } else {
        this.byStart.touch(entry); // its block's note may not cover its new spans
      }
    }
  }

  // ---- span ids of recent traces (to ignore re-sent spans) ----

  /** The entry's span ids, read back from the file when they were dropped from the cache. */
  spanIdsOf(entry: TraceEntry, call: number): Set<string> {
    let ids = entry.spanIds;
    if (ids === null) {
      const low = entry.seq * SPAN_SLOTS;
      // An export reads them to drop spans sent again: a failure is told as a read, not a write.
      ids = new Set(reading(() => this.stmts.spanIdsOfTrace.all(low, low + SPAN_SLOTS)) as string[]);
      entry.spanIds = ids;
      this.cachedSpanIds += ids.size;
    } else if (entry.lastTouchCall === call) {
      return ids;
    } else {
      this.spanIdHolders.delete(entry.traceId);
    }
    // Move to the LRU end, once per call.
    entry.lastTouchCall = call;
    this.spanIdHolders.set(entry.traceId, entry);
    return ids;
  }

  /** Drops the least recently used clean span-id sets beyond the cache bounds (all are clean after a flush). */
  private trimSpanIdCache(): void {
    for (const [traceId, entry] of this.spanIdHolders) {
      if (this.spanIdHolders.size <= TRACE_CACHE_TRACES && this.cachedSpanIds <= TRACE_CACHE_SPAN_IDS) break;
      if (entry.dirty) continue;
      this.spanIdHolders.delete(traceId);
      this.cachedSpanIds -= entry.spanIds?.size ?? 0;
      entry.spanIds = null;
      entry.entryNesting = null;
      entry.noteInput = null;
      // Its failure's links go with its ids: read again from the file if it takes another span.
      entry.aggregate.dropLinks();
    }
  }

  // ---- retention ----

  /**
   * The oldest traces by arrival to delete so that at most `maxSpans` remain. Arrival numbers only
   * grow, so they are a prefix of `entries` and their spans one key range.
   */
  toEvict(totalSpans: number): TraceEntry[] {
    const out: TraceEntry[] = [];
    let spansLeft = totalSpans;
    for (let i = 0; spansLeft > this.maxSpans; i++) {
      const entry = this.arrivals.at(i);
      if (entry === undefined) break;
      out.push(entry);
      spansLeft -= entry.aggregate.spanCount;
    }
    return out;
  }

  /**
   * Takes the traces about to be evicted out of the statistics (the commit then deletes the
   * operations they empty): before the commit that evicts them, or earlier, when statistics are read
   * while that commit waits (retention then shows in them without making the read wait for the
   * commit). The oldest traces go first and nothing is evicted before that commit, so the traces
   * taken out early are the front of those the commit evicts, and each goes out once.
   */
  subtractStats(evict: readonly TraceEntry[]): void {
    // Memory's tokens of every trace, then the file's: an operation emptied between is dropped only if still empty after.
    this.stats.removing(() => {
      for (const entry of evict) {
        if (entry.statsRetired) continue;
        this.stats.removeTrace(entry.aggregate.services, entry.stats, entry.sortStart);
        entry.stats = emptyTokens();
        entry.statsRetired = true;
      }
      const last = evict[evict.length - 1];
      if (last === undefined) return;
      const below = (last.seq + 1) * SPAN_SLOTS;
      if (below <= this.statsOutBelow) return;
      this.statsRows.subtractStored(this.stats, this.statsOutBelow, below);
      this.statsOutBelow = below;
    });
  }

  /**
   * The transaction that evicted `evict` (holding `spans` spans; `fingerprints` as writeEvicted wrote
   * them) committed: counted, and their late spans dropped from now on.
   */
  evictionCommitted(evict: readonly TraceEntry[], spans: number, fingerprints: Float64Array): void {
    this.evictedTraces += evict.length;
    this.evictedSpans += spans;
    for (const fingerprint of fingerprints) this.evictedIds.addFingerprint(fingerprint);
    const { seq, deleteThrough } = this.evictedRowPlan(evict.length);
    this.evictedRows.push({ seq, count: evict.length });
    this.evictedRowsTotal += evict.length;
    while (deleteThrough !== null && (this.evictedRows[0]?.seq ?? Number.POSITIVE_INFINITY) <= deleteThrough) {
      this.evictedRowsTotal -= (this.evictedRows.shift() as { count: number }).count;
    }
  }

  /**
   * Writes the fingerprints of the traces `evict` takes out as one row (inside the transaction that
   * deletes them), and deletes the oldest rows past what the store remembers; returns them, for
   * `evictionCommitted`.
   */
  writeEvicted(evict: readonly TraceEntry[]): Float64Array {
    const fingerprints = new Float64Array(evict.length);
    for (let i = 0; i < evict.length; i++) fingerprints[i] = traceIdFingerprint((evict[i] as TraceEntry).traceId);
    const { seq, deleteThrough } = this.evictedRowPlan(evict.length);
    this.stmts.evictedFingerprintsInsert.run(seq, Buffer.from(fingerprints.buffer));
    if (deleteThrough !== null) this.stmts.evictedFingerprintsDeleteThrough.run(deleteThrough);
    return fingerprints;
  }

  /**
   * The number of the next row of `count` fingerprints, and the oldest rows it makes needless: those
   * whose fingerprints the store would forget, the rows after them holding as many as it remembers.
   */
  private evictedRowPlan(count: number): { seq: number; deleteThrough: number | null } {
    const seq = (this.evictedRows[this.evictedRows.length - 1]?.seq ?? 0) + 1;
    let total = this.evictedRowsTotal + count;
    let deleteThrough: number | null = null;
    for (const row of this.evictedRows) {
      if (total - row.count < this.evictedCapacity) break;
      total -= row.count;
      deleteThrough = row.seq;
    }
    return { seq, deleteThrough };
  }

  /** After a flush's writes (its transaction may still roll back: see evictionCommitted): `dirty` are stored, `evict` are gone. */
  written(dirty: readonly TraceEntry[], evict: readonly TraceEntry[]): void {
    for (const entry of dirty) {
      entry.stored = true;
      entry.dirty = false;
      // Exact in size: an array grown by push keeps room for 17 names, which 100,000 traces pay for.
      if (entry.operations !== null) entry.operations = entry.operations.slice();
    }
    this.statsRows.written(dirty);
    for (const entry of evict) {
      this.entries.delete(entry.traceId);
      this.operationCounts.removeTrace(entry.operations);
      entry.evicted = true;
      if (entry.filed) this.staleInByStart++;
      if (this.spanIdHolders.delete(entry.traceId)) this.cachedSpanIds -= entry.spanIds?.size ?? 0;
      entry.spanIds = null;
      entry.entryNesting = null;
      entry.noteInput = null;
    }
    // The evicted entries are the oldest (toEvict), so the front of the queue.
    while (this.arrivals.at(0)?.evicted === true) this.arrivals.shift();
    if (evict.length > 0) this.onEvicted?.(evict);
    if (this.staleInByStart > 1024 && this.staleInByStart * 4 > this.byStart.length) {
      this.byStart.filter((entry) => !entry.evicted);
      this.staleInByStart = 0;
    }
    this.trimSpanIdCache();
  }
}
