import { EntryNesting, type EntryTellings, entryTellings, isEntrySpan } from "../domain/operation.js";
import { ascending } from "../domain/order.js";
import { forEachSearchPart, spanSearchText } from "../domain/search.js";
import type { PeerNames } from "../domain/service-map.js";
import { sharedList } from "../domain/shared-lists.js";
import type { Span } from "../domain/span.js";
import { durationNanos } from "../domain/time.js";
import { TraceAggregate, type TraceSummary } from "../domain/trace-summary.js";
import { ArrivalQueue } from "./arrival-queue.js";
import { countAttributeKeys, countAttributeValues, RecentSpans } from "./attribute-catalog.js";
import { ErrorGroups } from "./error-groups.js";
import { createEvictedTraces, evictedTracesCapacity } from "./evicted-traces.js";
import {
  emptyTokens,
  type OperationEntry,
  OperationStatsIndex,
  type PackedCodes,
  packCodes,
  type StatsTokens,
  thawTokens,
  unpackCodes,
} from "./operation-stats.js";
import { createSpanPacker, type PackedPlace } from "./packed-spans.js";
import { boundsMayMatch, summaryMatches } from "./query-match.js";
import { SortedChunks } from "./sorted-chunks.js";
import { type SpanContext, type SpanContextLimits, spanContextFromSpans } from "./span-context.js";
import { type CompiledSpanQuery, callsAllow, compileTraceQuery } from "./span-query.js";
import { createSpanViews } from "./span-views.js";
import {
  DEFAULT_MAX_SPANS,
  type InsertOptions,
  type InsertResult,
  type Store,
  type StoreStats,
  type TracePage,
  type TraceQuery,
  tooBigTraceMessage,
} from "./store.js";
import { type BlockNote, createBlockGate } from "./trace-blocks.js";
import { bloomAllows, buildBloom } from "./trace-blooms.js";
import { createTraceCallCache, type TraceWithCalls } from "./trace-calls.js";
import { createFiltersOnWrite, type FilteredTrace } from "./trace-filters-on-write.js";
import { createKeyOrders } from "./trace-key-order.js";
import {
  countedOperationName,
  noteOperation,
  OperationTraceCounts,
  operationsAllow,
  type TraceOperations,
} from "./trace-operations.js";
import { compareOldestFirst, oldestStartMs, type StartOrdered, setSortStart, traceIdKey } from "./trace-order.js";
import { collectSortedTracePage, sortKeyOf, traceSortOf } from "./trace-sort.js";
import { createTraceVersions } from "./trace-versions.js";

/** Its `bloom` and `noteInput` are the query language's (see trace-filters-on-write.ts). */
interface MemoryTrace extends StartOrdered, FilteredTrace, TraceWithCalls {
  /**
   * The tokens of what its spans added to the statistics (see StatsTokens), taken away again on
   * eviction: kept in the trace itself rather than in an object of their own, and the codes packed
   * into a string while the trace is packed (see tokensOf).
   */
  ops: OperationEntry[];
  codes: number[] | PackedCodes;
  aggregate: TraceAggregate;
  /** The spans as objects while the trace takes spans; null once packed (see `packed`). */
  spans: Span[] | null;
  /**
   * The buffer holding its spans packed into bytes (in start order) once the trace went quiet, from
   * `packedAt` on; null while it is live. Two fields rather than the packer's PackedTrace: an object
   * more for every quiet trace.
   */
  packed: Buffer | null;
  packedAt: number;
  spanCount: number;
  /**
   * When it took its last new span, in ms since the store was made: a small integer for weeks, kept
   * in the object itself, where a Date.now() would be a number object more for every trace.
   */
  changedMs: number;
  /** Built once a trace outgrows a linear scan, to ignore re-sent spans cheaply. */
  spanIds: Set<string> | null;
  /** False once a span arrived out of start order; getTrace or packing then sorts `spans` in place. */
  spansSorted: boolean;
  filed: boolean;
  evicted: boolean;
  /**
   * The operations of its spans (what `operation=` queries pass over it by, see trace-operations.ts);
   * null past MAX_TRACE_OPERATIONS of them. Once packed, a frozen list shared with other traces
   * (sharedList), copied again when the trace takes a new span.
   */
  operations: TraceOperations;
  /** Its entry spans (SERVER, CONSUMER): those nestedEntrySpans tells apart. */
  entrySpans: number;
  /** Its entry spans told apart across inserts, built at the first insert that needs it; null once packed. */
  nesting: EntryNesting<Span> | null;
  /** The insertSpans call that last added a span to it. */
  insertCall: number;
}

/** The trace's statistics tokens, their codes made an array again if they were packed. */
function tokensOf(trace: MemoryTrace): StatsTokens {
  if (typeof trace.codes === "string") trace.codes = unpackCodes(trace.codes);
  return trace as StatsTokens;
}

/** Up to this many spans a trace finds a re-sent span by scanning; beyond it keeps a Set of ids. */
const LINEAR_DEDUP_LIMIT = 32;

export interface MemoryStoreOptions {
  maxSpans?: number;
  /**
   * Spans kept as objects in the traces that changed last; the traces before them are packed
   * (default: a tenth of maxSpans, at most LIVE_SPANS; 0 packs every trace right after its insert).
   */
  liveSpans?: number;
  /** `--service-name-mapping`: how `peer=` queries name the peers spans call, as the service map does. */
  peerNames?: PeerNames;
}

/**
 * At most this many spans stay objects (~600 bytes each, against ~100 packed). Few enough that under
 * heavy ingest they are packed before two young collections pass over them: spans that live longer
 * are moved to the old generation, where each one dead is work for a full collection and the heap
 * grows to hold them (20,000 here took the heap to 2.5 times its live size at a million spans).
 */
const LIVE_SPANS = 2_000;
/**
 * Once the live spans pass their bound, the least recently changed traces are packed until this share of
 * the bound (an eighth) is free again, not one trace per insert: an SDK that sends one span per request
 * made each request pack one trace, paying the packer's per-call cost and cold caches each time (~30 µs
 * of CPU per one-span request; in runs it is a few µs a trace).
 */
const PACK_RUN_SHARE = 8;
/** A trace that took no span for this long is packed even while the live spans are under the bound. */
const QUIET_MS = 5_000;
/** Larger traces stay objects: packing one would hold the event loop, and they are few. */
const PACK_MAX_SPANS = 10_000;

/** Up to this many spans a trace is sorted in place by insertion: no comparator calls, and most arrive nearly in order. */
const INSERTION_SORT_SPANS = 32;

/** Sorts spans by start, stably (equal starts keep their order). */
function sortByStart(spans: Span[]): void {
  for (let i = 1; i < spans.length; i++) {
    const span = spans[i] as Span;
    const start = span.startTimeUnixNano;
    let j = i - 1;
    while (j >= 0 && (spans[j] as Span).startTimeUnixNano > start) {
      spans[j + 1] = spans[j] as Span;
      j--;
    }
    spans[j + 1] = span;
  }
}

/** True when `span` was already stored in `trace` (same span id; the trace id matches by construction). */
function hasSpan(trace: MemoryTrace, spans: Span[], spanId: string): boolean {
  if (trace.spanIds !== null) return trace.spanIds.has(spanId);
  if (spans.length < LINEAR_DEDUP_LIMIT) {
    for (let i = 0; i < spans.length; i++) if ((spans[i] as Span).spanId === spanId) return true;
    return false;
  }
  trace.spanIds = new Set(spans.map((s) => s.spanId));
  return trace.spanIds.has(spanId);
}

/**
 * Keeps the spans of traces that take spans as objects, and packs the others into bytes (see
 * packed-spans.ts), read back when a trace is read or searched. Traces are kept by id (a Map), in
 * arrival order for eviction (an ArrivalQueue) and in a start-time-sorted array for listing (oldest
 * first, walked backwards); evicted entries are removed from the array lazily.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxSpans = options.maxSpans ?? DEFAULT_MAX_SPANS;
  const liveLimit = options.liveSpans ?? Math.min(LIVE_SPANS, Math.floor(maxSpans / 10));
  const packer = createSpanPacker();
  /** Date.now() when the store was made: what traces' changedMs count from. */
  const madeMs = Date.now();
  /** Traces whose spans are objects, least recently changed first; `liveSpans` counts their spans. */
  let live = new Set<MemoryTrace>();
  let liveSpans = 0;
  let traces = new Map<string, MemoryTrace>();
  /** The stored traces in arrival order, the oldest first: the order they are evicted in. */
  const arrivals = new ArrivalQueue<MemoryTrace>();
  /** Oldest-first by (sortStart, traceId); may hold evicted entries until compaction. */
  const byStart = new SortedChunks<MemoryTrace, BlockNote>(compareOldestFirst);
  let staleInByStart = 0;
  let spanTotal = 0;
  let evictedTraces = 0;
  let evictedSpans = 0;
  /** At least the span count of the largest stored trace (it only grows until `clear`): bounds `takesWhole`. */
  let largestTrace = 0;
  let insertCalls = 0;
  const evictedIds = createEvictedTraces(evictedTracesCapacity(maxSpans));
  const searchTextCache = new WeakMap<Span, string>();
  const recentSpans = new RecentSpans<Span>();
  /** Whether a span's trace is still stored (autocomplete counts no span retention evicted). */
  const isStored = (span: Span) => traces.has(span.traceId);
  /** New traces' filters and note input, gathered as their spans arrive while queries need them. */
  const filtersOnWrite = createFiltersOnWrite();
  const views = createSpanViews();
  const operationStats = new OperationStatsIndex();
  operationStats.oldestStartMs = () => oldestStartMs(byStart, (trace) => trace.evicted);
  const operationCounts = new OperationTraceCounts();
  const errors = new ErrorGroups();
  const keyOrders = createKeyOrders<MemoryTrace>();
  const queryOptions = options.peerNames === undefined ? {} : { peerNames: options.peerNames };
  const callCache = createTraceCallCache(options.peerNames);

  function searchText(span: Span): string {
    let text = searchTextCache.get(span);
    if (text === undefined) {
      text = spanSearchText(span);
      searchTextCache.set(span, text);
    }
    return text;
  }

  /** Told of the traces each eviction removed (see Store.onEvicted). */
  let evictionListener: ((traceIds: readonly string[]) => void) | null = null;

  function evictOldestTraces(): void {
    // Ids only when someone listens, and only for traces that leave: an insert costs the same.
    const left: string[] | null = spanTotal > maxSpans && evictionListener !== null ? [] : null;
    while (spanTotal > maxSpans) {
      const trace = arrivals.shift();
      if (trace === undefined) break;
      traces.delete(trace.aggregate.traceId);
      if (live.delete(trace)) liveSpans -= trace.spanCount;
      trace.spans = null;
      trace.packed = null;
      trace.nesting = null;
      trace.noteInput = null;
      evictedIds.add(trace.aggregate.traceId);
      left?.push(trace.aggregate.traceId);
      views.evict(trace.aggregate.traceId);
      operationStats.removeTrace(trace.aggregate.services, tokensOf(trace), trace.sortStart);
      operationCounts.removeTrace(trace.operations);
      errors.removeTrace(trace.aggregate.traceId);
      trace.evicted = true;
      staleInByStart++;
      spanTotal -= trace.spanCount;
      evictedTraces++;
      evictedSpans += trace.spanCount;
    }
    if (left !== null && left.length > 0) evictionListener?.(left);
    if (staleInByStart > 1024 && staleInByStart * 4 > byStart.length) {
      byStart.filter((entry) => !entry.evicted);
      staleInByStart = 0;
    }
  }

  /** Where a packed trace's bytes are; null while it is live (or once evicted). */
  function placeOf(trace: MemoryTrace): PackedPlace | null {
    return trace.packed === null ? null : { bytes: trace.packed, offset: trace.packedAt };
  }

  /** The spans of a trace, read back from its bytes when packed; none once it was evicted. */
  function spansOf(trace: MemoryTrace): Span[] {
    if (trace.spans !== null) return trace.spans;
    const place = placeOf(trace);
    return place === null ? [] : packer.unpack(place);
  }

  /** Makes a packed trace's spans objects again, to take a new span. */
  function unpack(trace: MemoryTrace): Span[] {
    const spans = packer.unpack(placeOf(trace) as PackedPlace);
    trace.spans = spans;
    trace.packed = null; // packed in start order, so spansSorted is already true
    trace.operations = trace.operations?.slice() ?? null;
    thawTokens(tokensOf(trace));
    live.add(trace);
    liveSpans += spans.length;
    return spans;
  }

  /**
   * Packs every quiet trace, and once too many spans are objects, the least recently changed traces
   * until a run's worth of room is free (see PACK_RUN_SHARE).
   */
  function packQuietTraces(now: number): void {
    // `now` as the traces' changedMs count it.
    const changed = now - madeMs;
    const bound = liveSpans > liveLimit ? liveLimit - Math.floor(liveLimit / PACK_RUN_SHARE) : liveLimit;
    for (const trace of live) {
      if (liveSpans <= bound && changed - trace.changedMs < QUIET_MS) break;
      live.delete(trace);
      liveSpans -= trace.spanCount;
      if (trace.spanCount > PACK_MAX_SPANS) continue; // stays objects, outside the count
      const packed = packer.pack(sortedSpans(trace));
      if (packed === null) continue; // the same
      trace.packed = packed.bytes;
      trace.packedAt = packed.offset;
      trace.spans = null;
      trace.spanIds = null;
      trace.nesting = null;
      operationStats.compactTokens(tokensOf(trace));
      trace.codes = packCodes(trace.codes as number[]);
      // Frozen: unpack gives the trace a list of its own again before it notes a new operation.
      trace.operations = trace.operations === null ? null : (sharedList(trace.operations) as string[]);
      trace.aggregate.compact();
      trace.aggregate.dropLinks();
    }
  }

  /** A live trace's spans in start order (sorted in place once). */
  function sortedSpans(trace: MemoryTrace): Span[] {
    const spans = trace.spans as Span[];
    if (!trace.spansSorted) {
      // Stable, so spans with equal starts stay in arrival order, as they would in a fresh sort.
      if (spans.length <= INSERTION_SORT_SPANS) sortByStart(spans);
      else spans.sort((a, b) => ascending(a.startTimeUnixNano, b.startTimeUnixNano));
      trace.spansSorted = true;
    }
    return spans;
  }

  /**
   * Tells a trace's entry spans apart again once `from` on are new in this insert and some are entry
   * spans: the stored ones were told apart together at earlier inserts (see EntryNesting). A trace
   * packed since then reads its stored entry spans once, to know them again.
   */
  function renestTrace(trace: MemoryTrace, from: number, tellings: EntryTellings<Span> | null): void {
    const spans = trace.spans as Span[];
    if (trace.nesting === null) {
      trace.nesting = new EntryNesting();
      trace.nesting.add(spans.slice(0, from).filter(isEntrySpan), null);
    }
    const added = spans.slice(from).filter(isEntrySpan);
    if (added.length === 0) return;
    const changes = trace.nesting.add(added, tellings);
    if (changes !== null) operationStats.retell(changes, tokensOf(trace));
  }

  function insertSpans(spans: readonly Span[], options?: InsertOptions): InsertResult {
    const call = ++insertCalls;
    /** The traces that took a span in this call, in the order of their first (see insertCall). */
    const changed: MemoryTrace[] = [];
    /** Traces that held entry spans before this call, and how many spans they held then. */
    let renest: Map<MemoryTrace, number> | null = null;
    let inserted = 0;
    let duplicateSpans = 0;
    let lateSpans = 0;
    let rejectedSpans = 0;
    let rejectionMessage: string | undefined;
    const now = Date.now();
    const tellings = entryTellings(spans);
    const storeEvicted = options?.storeEvictedTraces === true;
    for (const span of spans) {
      let trace = traces.get(span.traceId);
      let traceSpans: Span[];
      if (trace === undefined) {
        if (!storeEvicted && evictedIds.has(span.traceId)) {
          lateSpans++;
          continue;
        }
        traceSpans = [];
        const tokens = emptyTokens();
        trace = {
          traceId: span.traceId,
          aggregate: new TraceAggregate(span.traceId),
          spans: traceSpans,
          packed: null,
          packedAt: 0,
          spanCount: 0,
          changedMs: now - madeMs,
          spanIds: null,
          spansSorted: true,
          sortStart: 0n,
          sortMs: 0,
          sortNs: 0,
          idKey: traceIdKey(span.traceId),
          filed: false,
          evicted: false,
          bloom: null,
          noteInput: null,
          ops: tokens.ops,
          codes: tokens.codes,
          operations: [],
          calls: null,
          entrySpans: 0,
          nesting: null,
          insertCall: call,
        };
        traces.set(span.traceId, trace);
        arrivals.push(trace);
        live.add(trace);
        changed.push(trace);
      } else {
        traceSpans = trace.spans ?? unpack(trace);
        if (hasSpan(trace, traceSpans, span.spanId)) {
          duplicateSpans++;
          continue;
        }
        if (traceSpans.length >= maxSpans) {
          rejectedSpans++;
          rejectionMessage ??= tooBigTraceMessage(span.traceId, maxSpans);
          continue;
        }
      }
      if (trace.insertCall !== call) {
        trace.insertCall = call;
        changed.push(trace);
        if (trace.entrySpans > 0) {
          renest ??= new Map();
          renest.set(trace, traceSpans.length);
        }
      }
      const previous = traceSpans[traceSpans.length - 1];
      if (previous !== undefined && span.startTimeUnixNano < previous.startTimeUnixNano) trace.spansSorted = false;
      traceSpans.push(span);
      trace.spanCount = traceSpans.length;
      if (live.has(trace)) liveSpans++;
      if (traceSpans.length > largestTrace) largestTrace = traceSpans.length;
      trace.spanIds?.add(span.spanId);
      const services = trace.aggregate.services.length;
      trace.aggregate.add(span);
      if (trace.aggregate.wantsLinks) trace.aggregate.linkSpans(traceSpans);
      // A trace is counted per service under the start it is filed by: a new one when filed, below.
      if (trace.filed && trace.aggregate.services.length > services) {
        operationStats.addTrace(span.service, trace.sortStart);
      }
      // The span's times as numbers, converted once for the statistics and the views.
      const startNs = Number(span.startTimeUnixNano);
      const durationNs = durationNanos(span.startTimeUnixNano, span.endTimeUnixNano);
      const tokens = tokensOf(trace);
      operationStats.add(span, tokens, tellings?.nested.has(span) === true, startNs, durationNs);
      const operation = countedOperationName(tokens, span);
      trace.operations = noteOperation(trace.operations, operation, operationCounts);
      if (tellings?.failedInside.has(span) === true) operationStats.failInside(span, tokens, true);
      if (isEntrySpan(span)) trace.entrySpans++;
      recentSpans.add(span);
      filtersOnWrite.spanAccepted(trace, trace.spanCount, span);
      views.add(span, now, startNs, durationNs);
      errors.addSpan(span, trace.aggregate);
      inserted++;
    }
    spanTotal += inserted;
    if (renest !== null) for (const [trace, from] of renest) renestTrace(trace, from, tellings);
    for (const trace of changed) {
      const start = trace.aggregate.startTimeUnixNano;
      if (!trace.filed) {
        setSortStart(trace, start);
        byStart.insert(trace);
        trace.filed = true;
        operationStats.countTrace(trace.aggregate.services, start);
      } else if (trace.sortStart !== start) {
        // An earlier span arrived (children often come before their parent): move the trace.
        byStart.remove(trace);
        operationStats.moveTrace(trace.aggregate.services, trace.sortStart, start);
        setSortStart(trace, start);
        byStart.insert(trace);
      } else {
        byStart.touch(trace); // its block's note may not cover its new spans
      }
      trace.changedMs = now - madeMs;
      if (live.delete(trace)) live.add(trace); // now the most recently changed
    }
    evictOldestTraces();
    packQuietTraces(now);
    const storedTraceIds = changed.map((trace) => trace.traceId);
    const kept = storedTraceIds.filter((id) => traces.has(id));
    const result: InsertResult = {
      inserted,
      duplicateSpans,
      changedTraceIds: kept.length === storedTraceIds.length ? storedTraceIds : kept,
      storedTraceIds,
      lateSpans,
      rejectedSpans,
    };
    if (rejectionMessage !== undefined) result.rejectionMessage = rejectionMessage;
    return result;
  }

  function traceMatches(trace: MemoryTrace, filter: CompiledSpanQuery<Span>): boolean {
    if (!operationsAllow(trace.operations, filter.operations)) return false;
    if (!filter.mayMatchTrace(trace.aggregate)) return false;
    let spans: Span[] | null = null;
    if (filter.tokens.length > 0) {
      if (trace.bloom === null || trace.bloom.spans !== trace.spanCount) {
        spans = spansOf(trace);
        trace.bloom = buildBloom(spans);
      }
      if (!bloomAllows(trace.bloom.bits, filter.tokens)) return false;
    }
    if (filter.calls.length > 0) {
      // A packed trace's spans not read yet: only what the call rule needs of them (unpackCalls).
      const pairs = callCache.pairsOf(trace, trace.spanCount, () => {
        const place = spans === null && trace.spans === null ? placeOf(trace) : null;
        if (place !== null) return packer.unpackCalls(place);
        spans ??= spansOf(trace);
        return { spans };
      });
      if (!callsAllow(pairs, filter.calls)) return false;
    }
    return filter.matchesSpans(spans ?? spansOf(trace));
  }

  function listTraces(query: TraceQuery): TracePage {
    const filter = compileTraceQuery<Span>(query.q, searchText, queryOptions);
    if (filter !== undefined) filtersOnWrite.queried(filter);
    // A packed trace's spans are new objects at every read: caching their text would only fill the cache.
    const packedFilter =
      filter === undefined ? undefined : compileTraceQuery<Span>(query.q, spanSearchText, queryOptions);
    // No stored trace holds an operation the query requires.
    if (filter !== undefined && !operationCounts.mayHold(filter.operations)) return { traces: [] };
    const sort = traceSortOf(query);
    const entryNames = query.name === undefined ? undefined : operationStats.entryNamesHolding(query.name);
    return collectSortedTracePage({
      byStart,
      sort,
      limit: query.limit,
      cursor: query.cursor,
      budgetMs: query.budgetMs,
      positionOf: (trace) => ({ start: trace.sortStart, traceId: trace.aggregate.traceId }),
      keyOf: (trace) => (sort.by === "start" ? 0 : sortKeyOf(sort.by, trace.aggregate)),
      boundsOf: (trace) => trace.aggregate,
      keyOrders,
      boundsMayMatch: (bounds) => boundsMayMatch(bounds, query),
      matches: (trace) => !trace.evicted && summaryMatches(trace.aggregate, query, trace.operations, entryNames),
      matchesQuery:
        filter === undefined || packedFilter === undefined
          ? undefined
          : (trace) => traceMatches(trace, trace.spans === null ? packedFilter : filter),
      // A trace's operations pass over those without a required one at once; blocks' notes, built by
      // reading every span the first time, would only slow such a query.
      chunkMayMatch:
        filter === undefined || filter.operations.length > 0
          ? undefined
          : createBlockGate({
              byStart,
              query: filter,
              boundsOf: (trace) => trace.aggregate,
              tokensOf: (trace, add, addPiece) => {
                if (filtersOnWrite.takeNoteInput(trace, trace.spanCount, add, addPiece)) return;
                const spans = spansOf(trace);
                trace.bloom = buildBloom(spans, add);
                for (const span of spans) {
                  forEachSearchPart(span.name, span.status.message, span.attributes, span.events, addPiece);
                }
              },
            }),
      summaryOf: (trace) => trace.aggregate.toSummary(),
    });
  }

  function getTrace(traceId: string): Span[] | undefined {
    const trace = traces.get(traceId);
    if (trace === undefined) return undefined;
    return trace.spans === null ? spansOf(trace) : sortedSpans(trace).slice();
  }

  const versionOf = createTraceVersions<MemoryTrace>();

  function traceVersion(traceId: string): string | undefined {
    const trace = traces.get(traceId);
    return trace === undefined ? undefined : versionOf(trace, trace.spanCount);
  }

  function traceHoldsSpan(traceId: string, spanId: string): boolean {
    const trace = traces.get(traceId);
    if (trace === undefined) return false;
    // A packed trace is read through, not given a set of its ids (it keeps none).
    if (trace.spans !== null) return hasSpan(trace, trace.spans, spanId);
    return spansOf(trace).some((span) => span.spanId === spanId);
  }

  function traceIdOfSpan(spanId: string): string | undefined {
    // Newest first (the map keeps traces in order of arrival), as the SQLite store answers when two
    // traces have a span with this id. Traces taking spans, and those too large to pack, are objects;
    // packed traces are searched by their bytes, once one is reached: no index of span ids is kept
    // (see bench/span-id.mjs).
    let packed: Set<MemoryTrace> | undefined;
    const ordered = [...traces.values()];
    for (let at = ordered.length - 1; at >= 0; at--) {
      const trace = ordered[at] as MemoryTrace;
      const spans = trace.spans;
      if (spans !== null) {
        for (let i = 0; i < spans.length; i++) if ((spans[i] as Span).spanId === spanId) return trace.aggregate.traceId;
        continue;
      }
      packed ??= packer.tracesWithSpanId(ordered, placeOf, spanId);
      const place = placeOf(trace);
      if (place !== null && packed.has(trace) && packer.unpack(place).some((span) => span.spanId === spanId)) {
        return trace.aggregate.traceId;
      }
    }
    return undefined;
  }

  function spanContext(spanId: string, limits: SpanContextLimits): SpanContext | undefined {
    const traceId = traceIdOfSpan(spanId);
    const trace = traceId === undefined ? undefined : traces.get(traceId);
    if (trace === undefined) return undefined;
    // The spans are in memory already: only the ones picked become an answer.
    const spans = trace.spans === null ? spansOf(trace) : sortedSpans(trace);
    return spanContextFromSpans(trace.aggregate.traceId, spans, spanId, limits);
  }

  function getSummaries(traceIds: readonly string[]): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const id of traceIds) {
      const trace = traces.get(id);
      if (trace !== undefined) out.push(trace.aggregate.toSummary());
    }
    return out;
  }

  function clear(): void {
    traces = new Map();
    arrivals.clear();
    live = new Set();
    liveSpans = 0;
    packer.reset();
    byStart.clear();
    recentSpans.clear();
    filtersOnWrite.forget();
    views.reset();
    operationStats.clear();
    operationCounts.clear();
    callCache.clear();
    errors.clear();
    staleInByStart = 0;
    spanTotal = 0;
    largestTrace = 0;
    evictedIds.clear();
  }

  function stats(): StoreStats {
    return { spans: spanTotal, traces: traces.size, maxSpans, evictedTraces, evictedSpans };
  }

  return {
    kind: "memory",
    insertSpans,
    takesWhole: (count) => largestTrace + count <= maxSpans,
    listTraces,
    getTrace,
    traceVersion,
    getSummaries,
    traceIdOfSpan,
    traceHoldsSpan,
    spanContext,
    listServices: (window) => operationStats.listServices(window),
    rateBasis: (window) => operationStats.rateBasis(window),
    listOperations: (service, window) => operationStats.listOperations(service, window),
    serviceTraffic: views.serviceTraffic,
    llmUsage: views.llmUsage,
    viewsBuilding: () => null,
    viewsWarm: () => views.warm,
    errorGroups: (query) => errors.query(query, getTrace),
    attributeKeys: () => countAttributeKeys(recentSpans.list(isStored)),
    attributeValues: (key, limit) => countAttributeValues(recentSpans.list(isStored), key, limit, options.peerNames),
    clear,
    onEvicted(listener) {
      evictionListener = listener;
    },
    stats,
    close: clear,
  };
}
