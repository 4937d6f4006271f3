import { count } from "../domain/count-text.js";
import type { PriceTable } from "../domain/llm-cost.js";
import type { LlmQuery, LlmUsage } from "../domain/llm-index.js";
import type { OperationGroup } from "../domain/operation.js";
import type { RateBasis } from "../domain/rate-window.js";
import type { TrafficTally, TrafficWindow } from "../domain/service-traffic.js";
import type { Span, SpanKind } from "../domain/span.js";
import type { TraceSummary } from "../domain/trace-summary.js";
import type { ErrorGroupQuery, ErrorGroupsAnswer } from "./error-groups.js";
import type { SpanContext, SpanContextLimits } from "./span-context.js";
import type { SortOrder, TraceSortKey } from "./trace-sort.js";

export interface TraceQuery {
  /** Only traces with a span from this service. */
  service?: string;
  /** Case-insensitive text in the trace's name (its root span's, or its earliest span's). */
  name?: string;
  /**
   * A query in the query language (domain/query.ts): bare words are case-insensitive text in span
   * names, status messages, attribute and event values; `key=value`, `duration>250ms`, … test
   * attributes and span fields. A trace matches when one of its spans satisfies the whole query.
   * A query that does not parse throws QueryError (a 400 `bad_query`).
   */
  q?: string;
  minDurationMs?: number;
  /** Only traces at most this long (inclusive). */
  maxDurationMs?: number;
  /** Only traces with at least one span whose status is ERROR. */
  errorsOnly?: boolean;
  /** Only traces without any ERROR span (the first TraceKit local UI's `status=ok`). */
  okOnly?: boolean;
  /** Only traces that start at or after this time (inclusive). */
  sinceUnixNano?: bigint;
  /** Only traces that start at or before this time (inclusive). */
  untilUnixNano?: bigint;
  /**
   * The order (default start time): by any key the page is the true top of every matching trace;
   * ties go newest first. Order default `desc` (newest, longest, most spans or failing spans first).
   */
  sort?: TraceSortKey;
  order?: SortOrder;
  limit: number;
  /** Opaque, from a previous page's `nextCursor` (of the same sort and order). */
  cursor?: string;
  /**
   * Milliseconds the call may look at traces before it answers with what it found (a `partial`
   * page); the store's own budget (trace-page.ts LIST_BUDGET_MS) by default.
   */
  budgetMs?: number;
  /**
   * The call goes on with a walk that an earlier call with the same query began (the next slice of
   * one answer, server/trace-list-slices.ts): a store that writes its pending spans before a read
   * need not write them again, since what was accepted before the walk began is readable already.
   */
  continuesWalk?: boolean;
}

export interface TracePage {
  traces: TraceSummary[];
  /** Present when more traces may follow. */
  nextCursor?: string;
  /**
   * The call ran out of its time budget before the page was full: more matches may follow at
   * `nextCursor` even though fewer than `limit` came back.
   */
  partial?: true;
}

/** A span-start window for statistics (inclusive); absent bounds mean everything stored. */
export interface StatsWindow {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
}

/**
 * One service's statistics over a window. Spans are counted per minute of their start, so a
 * window's edges are whole minutes; percentiles come from log-bucketed histograms (within 2.2% of the
 * exact nearest-rank value, see latency-histogram.ts), held within bounds of the shortest and longest
 * duration counted (exact unless a minute counted lost spans, see stats-series.ts).
 */
export interface ServiceStats {
  name: string;
  /** Spans of the service (every kind) and how many failed. */
  spanCount: number;
  errorCount: number;
  /** Stored traces with a span of the service that start in the window's minutes (as the trace list's `since`/`until`). */
  traceCount: number;
  /**
   * What the headline numbers (requests, rate, errors, percentiles) are of: the service's entry spans
   * (SERVER and CONSUMER), or its root spans when it has no entry span in the window (a job, a script).
   */
  basis: "entry" | "root";
  requestCount: number;
  /**
   * Requests that failed: a request told by more than one entry span (one inside the other, see
   * domain/same-request.ts) failed when any of them did, though it counts once, as the outer one.
   */
  requestErrorCount: number;
  ratePerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** One operation of a service (see domain/operation.ts) over a window. */
export interface OperationStats {
  group: OperationGroup;
  kind: SpanKind;
  /**
   * Entry spans inside another entry span of their service (a framework's span in the HTTP server's
   * span of one request): listed, but not counted in the service's requests.
   */
  nested: boolean;
  name: string;
  peer: string | null;
  /** A trace-list query for traces with a span of this operation. */
  query: string;
  count: number;
  errorCount: number;
  ratePerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ServiceOperations {
  service: ServiceStats;
  /** The window's length that rates are per (whole minutes when the window is open-ended). */
  windowSeconds: number;
  /** Busiest first. */
  operations: OperationStats[];
}

/** An attribute key seen in the newest spans, and in how many of them (`sampledSpans`). */
export interface AttributeKeyCount {
  key: string;
  source: "span" | "resource" | "event";
  count: number;
}

export interface AttributeKeys {
  keys: AttributeKeyCount[];
  /** How many of the newest spans were looked at (the answer is bounded, not a full count). */
  sampledSpans: number;
}

export interface AttributeValues {
  key: string;
  /** Most frequent first. */
  values: { value: string; count: number }[];
  sampledSpans: number;
}

/**
 * A retention bound, or how to choose it from what a file holds as it opens (read before any bound
 * applies): `import --db` keeps a file at least as large as it was unless told otherwise.
 */
export type BoundFromHeld<Held> = number | ((held: Held) => number);

export function chooseBound<Held>(bound: BoundFromHeld<Held>, held: Held): number {
  return typeof bound === "number" ? bound : bound(held);
}

/** What a span store's file holds as it opens. */
export interface HeldSpans {
  spans: number;
  evictedTraces: number;
  evictedSpans: number;
}

export interface StoreStats {
  spans: number;
  traces: number;
  maxSpans: number;
  evictedTraces: number;
  evictedSpans: number;
}

export interface InsertResult {
  /** Spans actually added (a span already stored with the same trace and span id is ignored). */
  inserted: number;
  /** Spans ignored because one with the same trace and span id was already stored (or earlier in the call). */
  duplicateSpans: number;
  /** Traces whose summary changed, in arrival order (those this call's own retention evicted left out). */
  changedTraceIds: string[];
  /**
   * Traces that took at least one new span in this call, those its own retention then evicted too: what
   * an import counts as the traces it added (the same array as `changedTraceIds` when none was evicted).
   */
  storedTraceIds: string[];
  /** Spans that arrived after retention had evicted their trace: dropped, so no fragment poses as the trace. */
  lateSpans: number;
  /** Spans refused because their trace would pass the retention bound on its own (see `maxSpansPerTrace`). */
  rejectedSpans: number;
  /** Why, for the sender (present when `rejectedSpans` > 0). */
  rejectionMessage?: string;
}

/** The most spans one trace may hold: a store of `maxSpans` keeps whole traces, so no trace is bigger. */
export function tooBigTraceMessage(traceId: string, maxSpans: number): string {
  return `trace ${traceId} has more spans than the ${count(maxSpans)} the retention bound keeps (--max-spans); raise --max-spans to keep it whole`;
}

/** Stored spans read into the service map's and LLM page's indexes so far, of those stored at open. */
export interface ViewsBuilding {
  spansRead: number;
  spansTotal: number;
}

export interface InsertOptions {
  /**
   * The caller writes what waits itself, with `writePending` when `writeDue` says so (a large request
   * stored in slices, in a turn of the event loop of its own): the insert never writes to the file.
   */
  writeLater?: boolean;
  /**
   * Whether spans of a trace retention evicted earlier are stored again (default false). False for an
   * application's exporter: its spans of such a trace are late ones (a BatchSpanProcessor sends a trace
   * over seconds) and would start a fragment posing as the whole trace, so they are dropped as `lateSpans`.
   * True for an import: a file holds whole traces (saved by export, say), and a user importing one asks
   * for it back.
   */
  storeEvictedTraces?: boolean;
}

/** A trace's spans in getTrace's order, made a slice at a time (Store.getTraceInSlices). */
export interface TraceInSlices {
  /** Every span's id, in order. */
  readonly spanIds: readonly string[];
  /** The earliest start of any span (0 with none). */
  readonly earliestStart: bigint;
  /**
   * The spans from `from` up to `to` (not included). Read in the turn that got this object: the
   * spans are those stored then, but what they share (resources, scopes) is read when asked.
   */
  slice(from: number, to: number): Span[];
}

/**
 * Where spans live. Implementations never hand out their internals; every method is safe to call
 * after any other, and reads always see every span an earlier `insertSpans` accepted.
 */
export interface Store {
  readonly kind: "memory" | "sqlite";
  insertSpans(spans: readonly Span[], options?: InsertOptions): InsertResult;
  /** Whether spans inserted with `writeLater` wait in a batch the store would have written by now. */
  writeDue?(): boolean;
  /** Writes and commits every span waiting (throws as a failed commit does). */
  writePending?(): void;
  /**
   * True when inserting `count` spans now can refuse none of them (no trace could pass the retention
   * bound) and nothing is left to wait for (no file): the OTLP answer is then known before the insert,
   * and is written first. Absent (always false) for a store with a file.
   */
  takesWhole?(count: number): boolean;
  listTraces(query: TraceQuery): TracePage;
  /** All spans of one trace ordered by start time, or undefined when the trace is unknown. */
  getTrace(traceId: string): Span[] | undefined;
  /**
   * getTrace's spans for a reader that takes them a slice at a time (the trace view's compact
   * answer): a store that makes each span from stored text makes a slice's only when asked, so a
   * large trace's spans are not all alive at once. Absent where getTrace's spans are kept anyway.
   */
  getTraceInSlices?(traceId: string): TraceInSlices | undefined;
  /**
   * A text that stays the same exactly while getTrace's spans for the trace do (no span added, the
   * trace not evicted or cleared and stored again), or undefined when the trace is unknown: what an
   * answer built from getTrace is kept by. It may change when the spans do not.
   */
  traceVersion(traceId: string): string | undefined;
  /** Summaries of the given traces that still exist, in the given order. */
  getSummaries(traceIds: readonly string[]): TraceSummary[];
  /**
   * The id of a stored trace that holds a span with this id (lower-case hex, as ids are kept), or
   * undefined: a pasted span id opens its trace. Scans what is stored (no index per span); should two
   * traces hold the id, one of them.
   */
  traceIdOfSpan(spanId: string): string | undefined;
  /**
   * Whether the stored trace `traceId` holds a span with this id: read from that trace alone (a span
   * link names both), where traceIdOfSpan scans what is stored.
   */
  traceHoldsSpan(traceId: string, spanId: string): boolean;
  /**
   * The span with this id (as traceIdOfSpan finds it), the nearest spans above it and the first below
   * it in waterfall order, with counts: what MCP's get_span tells, read without decoding the trace's
   * other spans whole (a trace may hold 100,000). Undefined when no stored trace holds it.
   */
  spanContext(spanId: string, limits: SpanContextLimits): SpanContext | undefined;
  /** Every service with spans in the window, by name; kept up to date on insert and eviction, not scanned. */
  listServices(window?: StatsWindow): ServiceStats[];
  /** What the rates of listServices and listOperations over the window are per: its seconds and the time they cover. */
  rateBasis(window?: StatsWindow): RateBasis;
  /** A service's operations in the window, or undefined when it has no span there. */
  listOperations(service: string, window?: StatsWindow): ServiceOperations | undefined;
  /** Calls into services, between them and to peers, by spans that start in the window (see store/span-views.ts). */
  serviceTraffic(window: TrafficWindow): TrafficTally;
  /** GenAI calls that start in the window (of one service when given): totals, groups, timeline, the newest. */
  llmUsage(query: LlmQuery, prices: PriceTable): LlmUsage;
  /**
   * While a store opened on a file with spans still reads them into the two indexes above (in the
   * background): how far it got. Null once they hold every stored span (always for the memory store).
   */
  viewsBuilding(): ViewsBuilding | null;
  /**
   * Whether the two indexes above have folded every span they hold into their minutes, which they do
   * ahead in quiet moments (see span-views.ts): then the next read has nothing to catch up on.
   */
  viewsWarm(): boolean;
  /** Stored errors grouped by fingerprint (domain/error-fingerprint.ts), over a window; kept on insert and eviction. */
  errorGroups(query: ErrorGroupQuery): ErrorGroupsAnswer;
  /**
   * Resolves once every span accepted so far is committed to the store's file (so a 200 means it
   * survives the process being killed); absent for a store without a file. With a `commitMark()` taken
   * before the spans were accepted, rejects when a commit failed since: it rolled back spans with it.
   */
  committed?(mark?: number): Promise<void>;
  /** A mark for `committed`, taken before accepting a request's spans in several steps. */
  commitMark?(): number;
  /** Attribute keys of the newest spans (span, resource and event attributes), most frequent first. */
  attributeKeys(): AttributeKeys;
  /** The most frequent values of a key (or a span field: service, name, status, kind) in the newest spans. */
  attributeValues(key: string, limit: number): AttributeValues;
  clear(): void;
  /**
   * Tells `listener` the ids of the traces retention removes from now on, once per insert or commit
   * that removed any (not a clear), so the live feed can take them off open lists. One listener.
   */
  onEvicted?(listener: (traceIds: readonly string[]) => void): void;
  /**
   * Gives the file's free space back to the disk (see sqlite-vacuum.ts): after a clear of this store
   * and of those that share its file. Absent for a store without a file.
   */
  reclaimSpace?(): void;
  /** The counts as the next commit will leave them; never waits for, or makes, a commit. */
  stats(): StoreStats;
  /** Flushes anything pending and releases resources; the store is unusable afterwards. */
  close(): void;
}

/**
 * The memory store's default bound, chosen to keep the process near 250 MB of RSS: bench/ingest
 * measures ~50 MB per 100k retained spans (10 attributes each) on top of ~72 MB idle, so 350k spans
 * is ~245 MB. (It was 250k at ~83 MB per 100k, before spans shared ids, statuses, empty arrays and
 * repeated attribute values.)
 */
export const DEFAULT_MAX_SPANS = 350_000;

export const DEFAULT_TRACE_LIMIT = 50;
export const MAX_TRACE_LIMIT = 1000;
