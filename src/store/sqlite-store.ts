import { spanSearchText } from "../domain/search.js";
import {
  type Attributes,
  type AttrValue,
  type InstrumentationScope,
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  STATUS_CODES,
  type StatusCode,
} from "../domain/span.js";
import { TraceAggregate, type TraceSummary } from "../domain/trace-summary.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { StoreOpenError } from "./open-store.js";
import {
  MAX_TRACE_SEQ,
  migrate,
  prepareStatements,
  SchemaError,
  SPAN_INSERT_CHUNK,
  SPAN_SLOTS,
  SPAN_WIDTH,
  type SpanRow,
  type SqliteDatabase,
  type SqliteDriver,
  type Statements,
  type TraceRow,
} from "./sqlite-schema.js";
import type { InsertResult, ServiceStats, Store, StoreStats, TracePage, TraceQuery } from "./store.js";

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
  maxSpans: number;
  /** Longest an accepted span waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending spans that trigger a write at once (default 5,000). */
  flushSpans?: number;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_SPANS = 5_000;
/** Summaries and span ids of recently written traces kept to spare a read when more of their spans arrive. */
const TRACE_CACHE_TRACES = 4_096;
const TRACE_CACHE_SPAN_IDS = 200_000;
const EVICT_SCAN_ROWS = 512;

const I64_MAX = 2n ** 63n - 1n;
const KIND_CODES = new Map<SpanKind, number>(SPAN_KINDS.map((kind, index) => [kind, index]));
const STATUS_CODE_NUMBERS = new Map<StatusCode, number>(STATUS_CODES.map((code, index) => [code, index]));

/**
 * OTLP times are unsigned 64-bit; SQLite integers are signed. Values past 2^63 (year 2262, only
 * ever garbage) are stored wrapped to negative so they still round-trip exactly.
 */
function toStoredNs(value: bigint): bigint {
  return value > I64_MAX ? BigInt.asIntN(64, value) : value;
}

function fromStoredNs(value: bigint): bigint {
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

/** The trace a store is writing to: its running summary, stored span ids and where it is filed. */
interface TraceState {
  readonly aggregate: TraceAggregate;
  readonly seq: number;
  readonly spanIds: Set<string>;
  /** A `traces` row exists (written by an earlier flush). */
  stored: boolean;
  /** Has spans not yet written. */
  dirty: boolean;
  /** Start and number of services as filed in trace_services, to move or extend the entries. */
  storedStart: bigint;
  storedServiceCount: number;
  /** The insertSpans call that last looked this trace up (LRU upkeep) and last added a span to it. */
  lastTouchCall: number;
  lastChangeCall: number;
}

// JSON cannot hold NaN or ±Infinity (OTLP doubles can be either): such values are boxed under a
// key no OTLP attribute can have, and the column is prefixed so only those rows pay for a reviver.
const BOXED_NUMBER_KEY = "\u0000number";
const BOXED_PREFIX = "!";

function hasNonFiniteNumber(value: AttrValue, depth: number): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNonFiniteNumber(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasNonFiniteNumber(value[key] as AttrValue, depth + 1)) return true;
  return false;
}

function attributesHaveNonFinite(attributes: Attributes): boolean {
  for (const key in attributes) {
    const value = attributes[key] as AttrValue;
    if (typeof value === "object" && value !== null) {
      if (hasNonFiniteNumber(value, 0)) return true;
    } else if (typeof value === "number" && !Number.isFinite(value)) {
      return true;
    }
  }
  return false;
}

function boxNonFinite(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? { [BOXED_NUMBER_KEY]: String(value) } : value;
}

function unboxNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const boxed = (value as Record<string, unknown>)[BOXED_NUMBER_KEY];
    if (typeof boxed === "string" && Object.keys(value).length === 1) return Number(boxed);
  }
  return value;
}

function encodeJson(value: unknown, nonFinite: boolean): string {
  return nonFinite ? BOXED_PREFIX + JSON.stringify(value, boxNonFinite) : JSON.stringify(value);
}

function decodeJson<T>(text: string): T {
  return (text.startsWith(BOXED_PREFIX) ? JSON.parse(text.slice(1), unboxNonFinite) : JSON.parse(text)) as T;
}

interface StoredEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

interface SpanExtra {
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

function encodeEvents(events: readonly SpanEvent[]): string | null {
  if (events.length === 0) return null;
  let nonFinite = false;
  const stored = events.map((event): StoredEvent => {
    if (!nonFinite && attributesHaveNonFinite(event.attributes)) nonFinite = true;
    const out: StoredEvent = {
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: event.attributes,
    };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    return out;
  });
  return encodeJson(stored, nonFinite);
}

function decodeEvents(text: string | null): SpanEvent[] {
  if (text === null) return [];
  return decodeJson<StoredEvent[]>(text).map((event) => {
    const out: SpanEvent = { name: event.name, timeUnixNano: BigInt(event.timeUnixNano), attributes: event.attributes };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    return out;
  });
}

function encodeLinks(links: readonly SpanLink[]): string | null {
  if (links.length === 0) return null;
  return encodeJson(
    links,
    links.some((link) => attributesHaveNonFinite(link.attributes)),
  );
}

function encodeExtra(span: Span): string | null {
  if (
    span.droppedAttributesCount === undefined &&
    span.droppedEventsCount === undefined &&
    span.droppedLinksCount === undefined
  ) {
    return null;
  }
  const extra: SpanExtra = {};
  if (span.droppedAttributesCount !== undefined) extra.droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) extra.droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) extra.droppedLinksCount = span.droppedLinksCount;
  return JSON.stringify(extra);
}

function aggregateFromRow(row: TraceRow): TraceAggregate {
  const [traceId, startNs, endNs, spanCount, errorCount, rootName, rootService, firstName, firstService, services] =
    row;
  const aggregate = new TraceAggregate(traceId);
  aggregate.startTimeUnixNano = fromStoredNs(startNs);
  aggregate.endTimeUnixNano = fromStoredNs(endNs);
  aggregate.spanCount = Number(spanCount);
  aggregate.errorCount = Number(errorCount);
  aggregate.rootName = rootName;
  aggregate.rootService = rootService;
  aggregate.firstName = firstName;
  aggregate.firstService = firstService;
  aggregate.services.push(...(JSON.parse(services) as string[]));
  return aggregate;
}

/** One line for the CLI: what is wrong with the file, in words rather than SQLite's codes. */
function describeOpenFailure(path: string, error: unknown): StoreOpenError {
  const code = (error as { code?: unknown }).code;
  const detail = String((error as Error)?.message ?? error).split("\n")[0];
  let reason: string;
  const is = (prefix: string) => typeof code === "string" && code.startsWith(prefix);
  if (error instanceof SchemaError) reason = error.message;
  else if (is("SQLITE_NOTADB")) reason = "the file is not a SQLite database";
  else if (is("SQLITE_CORRUPT")) reason = "the database file is corrupt";
  else if (is("SQLITE_BUSY") || is("SQLITE_LOCKED")) reason = "another process is using it";
  else if (is("SQLITE_READONLY") || is("SQLITE_PERM") || is("SQLITE_AUTH")) reason = "it is not writable";
  else if (is("SQLITE_CANTOPEN") || /directory does not exist/i.test(detail ?? "")) {
    reason = "the file cannot be created or opened (check that the directory exists and is writable)";
  } else reason = detail ?? "unknown error";
  return new StoreOpenError(`cannot open SQLite database ${path}: ${reason}`);
}

function openDatabase(Driver: SqliteDriver, path: string): SqliteDatabase {
  let db: SqliteDatabase | null = null;
  try {
    // No busy wait: a locked file belongs to another running tracekit-local.
    db = new Driver(path, { timeout: 0 });
    // Exclusive: this process is the only writer, so the in-memory trace cache can trust the file;
    // it also keeps WAL's index in heap memory instead of a shared-memory file.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -65536");
    db.pragma("wal_autocheckpoint = 4096");
    db.defaultSafeIntegers(true);
    migrate(db);
    // A write now, so a read-only file fails here and not at the first flush.
    db.prepare("UPDATE counters SET spans = spans WHERE id = 1").run();
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // The open already failed; that error is the one to report.
    }
    throw describeOpenFailure(path, error);
  }
}

/**
 * Spans in a SQLite file. Inserts are buffered and written in one transaction at most every
 * `flushIntervalMs` or every `flushSpans` spans; every read writes pending spans first (except
 * getSummaries, which answers traces with pending spans from their in-memory summary). A per-trace
 * summary row, maintained in the same transaction, serves the trace list through an index on
 * start time, so listing never aggregates spans.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (driver === null) throw new Error("createSqliteStore: await loadSqliteDriver() first");
  const maxSpans = options.maxSpans;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const flushSpans = options.flushSpans ?? DEFAULT_FLUSH_SPANS;
  const db = openDatabase(driver, options.path);
  let statements: Statements;
  try {
    statements = prepareStatements(db);
  } catch (error) {
    db.close();
    throw describeOpenFailure(options.path, error);
  }
  const stmts = statements;

  let closed = false;
  let spanTotal = 0;
  let traceTotal = 0;
  let evictedTraces = 0;
  let evictedSpans = 0;
  let nextSeq = 1;
  let callNumber = 0;

  /** Traces being written to, plus a bounded set of recently written ones, by trace id (LRU order). */
  const traceStates = new Map<string, TraceState>();
  let cachedSpanIds = 0;
  let dirtyStates: TraceState[] = [];
  /**
   * Pending span rows, SPAN_WIDTH values each, in chunks of SPAN_INSERT_CHUNK rows that are bound
   * to one multi-row INSERT as they are. Service, resource and scope hold names/JSON until the flush.
   */
  let pendingChunks: unknown[][] = [];
  let pendingSpans = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  /** A flush from the timer failed; the next insertSpans reports it. */
  let deferredError: unknown = null;

  const serviceIdByName = new Map<string, number>();
  const serviceNameById = new Map<number, string>();
  const resourceIdByJson = new Map<string, number>();
  const scopeIdByJson = new Map<string, number>();
  /** Spans of one OTLP batch share resource and scope objects: serialize each once. */
  let resourceJsonCache = new WeakMap<object, string>();
  let scopeJsonCache = new WeakMap<object, string>();

  function loadCaches(): void {
    serviceIdByName.clear();
    serviceNameById.clear();
    for (const [id, name] of stmts.allServices.all() as [bigint, string][]) {
      serviceIdByName.set(name, Number(id));
      serviceNameById.set(Number(id), name);
    }
    resourceIdByJson.clear();
    scopeIdByJson.clear();
    const counters = stmts.counters.get() as [bigint, bigint];
    spanTotal = Number(counters[0]);
    traceTotal = Number(counters[1]);
    nextSeq = Number((stmts.maxTraceSeq.get() as bigint | null) ?? 0n) + 1;
  }

  function forgetTraceStates(): void {
    traceStates.clear();
    cachedSpanIds = 0;
    dirtyStates = [];
    pendingChunks = [];
    pendingSpans = 0;
  }

  function assertOpen(): void {
    if (closed) throw new Error("the SQLite store is closed");
  }

  // ---- ids of services, resources and scopes (only called inside a flush transaction) ----

  function serviceId(name: string): number {
    let id = serviceIdByName.get(name);
    if (id === undefined) {
      id = Number(stmts.serviceInsert.run(name).lastInsertRowid);
      serviceIdByName.set(name, id);
      serviceNameById.set(id, name);
    }
    return id;
  }

  function resourceId(json: string): number {
    let id = resourceIdByJson.get(json);
    if (id === undefined) {
      const existing = stmts.resourceIdByJson.get(json) as bigint | undefined;
      id = Number(existing ?? stmts.resourceInsert.run(json).lastInsertRowid);
      resourceIdByJson.set(json, id);
    }
    return id;
  }

  function scopeId(json: string): number {
    let id = scopeIdByJson.get(json);
    if (id === undefined) {
      const existing = stmts.scopeIdByJson.get(json) as bigint | undefined;
      id = Number(existing ?? stmts.scopeInsert.run(json).lastInsertRowid);
      scopeIdByJson.set(json, id);
    }
    return id;
  }

  function resourceJson(resource: Attributes): string {
    let json = resourceJsonCache.get(resource);
    if (json === undefined) {
      json = encodeJson(resource, attributesHaveNonFinite(resource));
      resourceJsonCache.set(resource, json);
    }
    return json;
  }

  function scopeJson(scope: InstrumentationScope): string {
    let json = scopeJsonCache.get(scope);
    if (json === undefined) {
      json = encodeJson(scope, scope.attributes !== undefined && attributesHaveNonFinite(scope.attributes));
      scopeJsonCache.set(scope, json);
    }
    return json;
  }

  // ---- trace states ----

  function stateFor(traceId: string, call: number): TraceState {
    const cached = traceStates.get(traceId);
    if (cached !== undefined) {
      if (cached.lastTouchCall !== call) {
        // Move to the LRU end, once per call.
        cached.lastTouchCall = call;
        traceStates.delete(traceId);
        traceStates.set(traceId, cached);
      }
      return cached;
    }
    const row = stmts.traceStateById.get(traceId) as [bigint, ...TraceRow] | undefined;
    let state: TraceState;
    if (row !== undefined) {
      const seq = Number(row[0]);
      const aggregate = aggregateFromRow(row.slice(1) as TraceRow);
      const ids = stmts.spanIdsOfTrace.all(seq * SPAN_SLOTS, (seq + 1) * SPAN_SLOTS) as string[];
      state = {
        aggregate,
        seq,
        spanIds: new Set(ids),
        stored: true,
        dirty: false,
        storedStart: aggregate.startTimeUnixNano,
        storedServiceCount: aggregate.services.length,
        lastTouchCall: 0,
        lastChangeCall: 0,
      };
    } else {
      if (nextSeq >= MAX_TRACE_SEQ) throw new Error("the SQLite store ran out of trace numbers; clear it");
      state = {
        aggregate: new TraceAggregate(traceId),
        seq: nextSeq++,
        spanIds: new Set(),
        stored: false,
        dirty: false,
        storedStart: 0n,
        storedServiceCount: 0,
        lastTouchCall: 0,
        lastChangeCall: 0,
      };
    }
    state.lastTouchCall = call;
    traceStates.set(traceId, state);
    cachedSpanIds += state.spanIds.size;
    return state;
  }

  /** Drops the least recently used clean states beyond the cache bounds (all are clean after a flush). */
  function trimTraceCache(): void {
    for (const [traceId, state] of traceStates) {
      if (traceStates.size <= TRACE_CACHE_TRACES && cachedSpanIds <= TRACE_CACHE_SPAN_IDS) break;
      if (state.dirty) continue;
      traceStates.delete(traceId);
      cachedSpanIds -= state.spanIds.size;
    }
  }

  // ---- writing ----

  function appendPendingRow(rowId: number, span: Span): void {
    let rows = pendingChunks[pendingChunks.length - 1];
    if (rows === undefined || rows.length === SPAN_INSERT_CHUNK * SPAN_WIDTH) {
      rows = [];
      pendingChunks.push(rows);
    }
    const nonFinite = attributesHaveNonFinite(span.attributes);
    rows.push(
      rowId,
      span.service,
      toStoredNs(span.startTimeUnixNano),
      toStoredNs(span.endTimeUnixNano),
      STATUS_CODE_NUMBERS.get(span.status.code) ?? 0,
      span.spanId,
      span.parentSpanId,
      span.name,
      KIND_CODES.get(span.kind) ?? 0,
      span.status.message ?? null,
      span.flags ?? null,
      span.traceState ?? null,
      resourceJson(span.resource),
      scopeJson(span.scope),
      encodeJson(span.attributes, nonFinite),
      encodeEvents(span.events),
      encodeLinks(span.links),
      encodeExtra(span),
      spanSearchText(span),
    );
    pendingSpans++;
  }

  function scheduleFlush(): void {
    if (flushTimer !== null) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      try {
        flush();
      } catch (error) {
        deferredError = error;
      }
    }, flushIntervalMs);
    flushTimer.unref();
  }

  function writeSpans(chunks: unknown[][]): void {
    for (const rows of chunks) {
      // Services, resources and scopes become ids here, inside the transaction that stores them.
      for (let base = 0; base < rows.length; base += SPAN_WIDTH) {
        rows[base + 1] = serviceId(rows[base + 1] as string);
        rows[base + 12] = resourceId(rows[base + 12] as string);
        rows[base + 13] = scopeId(rows[base + 13] as string);
      }
      stmts.spanInsert(rows.length / SPAN_WIDTH).run(rows);
    }
  }

  function writeTrace(state: TraceState): void {
    const a = state.aggregate;
    const start = toStoredNs(a.startTimeUnixNano);
    const end = toStoredNs(a.endTimeUnixNano);
    const services = JSON.stringify(a.services);
    if (state.stored) {
      stmts.traceUpdate.run(
        start,
        end,
        a.spanCount,
        a.errorCount,
        a.rootName,
        a.rootService,
        a.firstName,
        a.firstService,
        services,
        state.seq,
      );
    } else {
      stmts.traceInsert.run(
        state.seq,
        a.traceId,
        start,
        end,
        a.spanCount,
        a.errorCount,
        a.rootName,
        a.rootService,
        a.firstName,
        a.firstService,
        services,
      );
    }
    let firstNew = state.storedServiceCount;
    if (state.stored && state.storedStart !== a.startTimeUnixNano) {
      // A span earlier than the trace's start arrived (a late parent): refile every service entry.
      const oldStart = toStoredNs(state.storedStart);
      for (let i = 0; i < state.storedServiceCount; i++) {
        stmts.traceServiceDelete.run(serviceId(a.services[i] as string), oldStart, a.traceId);
      }
      firstNew = 0;
    }
    for (let i = firstNew; i < a.services.length; i++) {
      stmts.traceServiceInsert.run(serviceId(a.services[i] as string), start, a.traceId, state.seq);
    }
  }

  /**
   * Deletes the oldest traces by arrival until at most `maxSpans` remain. Arrival numbers only
   * grow, so the evicted traces are a prefix: spans go in one range delete.
   */
  function evictOldest(totalSpans: number): { traces: number; spans: number; ids: string[] } {
    let spansLeft = totalSpans;
    const ids: string[] = [];
    let evictedSpanCount = 0;
    let lastSeq = 0;
    while (spansLeft > maxSpans) {
      const rows = stmts.oldestTraces.all(lastSeq, EVICT_SCAN_ROWS) as [bigint, string, bigint, bigint, string][];
      if (rows.length === 0) break;
      for (const [seq, traceId, start, spanCount, servicesJson] of rows) {
        if (spansLeft <= maxSpans) break;
        for (const name of JSON.parse(servicesJson) as string[]) {
          stmts.traceServiceDelete.run(serviceId(name), start, traceId);
        }
        lastSeq = Number(seq);
        ids.push(traceId);
        spansLeft -= Number(spanCount);
        evictedSpanCount += Number(spanCount);
      }
    }
    if (ids.length > 0) {
      stmts.deleteSpansBelow.run((lastSeq + 1) * SPAN_SLOTS);
      stmts.deleteTracesUpTo.run(lastSeq);
    }
    return { traces: ids.length, spans: evictedSpanCount, ids };
  }

  const writeBatch = db.transaction((chunks: unknown[][], count: number, states: TraceState[], newTraces: number) => {
    writeSpans(chunks);
    for (const state of states) writeTrace(state);
    const eviction = evictOldest(spanTotal + count);
    stmts.countersUpdate.run(spanTotal + count - eviction.spans, traceTotal + newTraces - eviction.traces);
    return eviction;
  });

  /** Writes every pending span in one transaction, then applies retention; returns the evicted trace ids. */
  function flush(): string[] {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    const overBound = spanTotal > maxSpans;
    if (pendingSpans === 0 && !overBound) return [];
    const chunks = pendingChunks;
    const count = pendingSpans;
    const states = dirtyStates;
    pendingChunks = [];
    pendingSpans = 0;
    dirtyStates = [];
    let newTraces = 0;
    for (const state of states) if (!state.stored) newTraces++;
    let eviction: { traces: number; spans: number; ids: string[] };
    try {
      eviction = writeBatch(chunks, count, states, newTraces);
    } catch (error) {
      // Rolled back: these spans are lost, and cached ids and summaries may name rows that do not exist.
      forgetTraceStates();
      resourceJsonCache = new WeakMap();
      scopeJsonCache = new WeakMap();
      loadCaches();
      throw error;
    }
    spanTotal += count - eviction.spans;
    traceTotal += newTraces - eviction.traces;
    evictedTraces += eviction.traces;
    evictedSpans += eviction.spans;
    for (const state of states) {
      state.stored = true;
      state.dirty = false;
      state.storedStart = state.aggregate.startTimeUnixNano;
      state.storedServiceCount = state.aggregate.services.length;
    }
    if (eviction.ids.length > 0) {
      for (const traceId of eviction.ids) {
        const state = traceStates.get(traceId);
        if (state !== undefined) {
          traceStates.delete(traceId);
          cachedSpanIds -= state.spanIds.size;
        }
      }
    }
    trimTraceCache();
    return eviction.ids;
  }

  function insertSpans(spans: readonly Span[]): InsertResult {
    assertOpen();
    if (deferredError !== null) {
      const error = deferredError;
      deferredError = null;
      throw error;
    }
    const call = ++callNumber;
    const changedTraceIds: string[] = [];
    let inserted = 0;
    for (const span of spans) {
      const state = stateFor(span.traceId, call);
      if (state.spanIds.has(span.spanId)) continue;
      const slot = state.aggregate.spanCount;
      if (slot >= SPAN_SLOTS) continue;
      state.spanIds.add(span.spanId);
      cachedSpanIds++;
      state.aggregate.add(span);
      appendPendingRow(state.seq * SPAN_SLOTS + slot, span);
      inserted++;
      if (!state.dirty) {
        state.dirty = true;
        dirtyStates.push(state);
      }
      if (state.lastChangeCall !== call) {
        state.lastChangeCall = call;
        changedTraceIds.push(span.traceId);
      }
    }
    // Flushing here rather than mid-loop keeps retention from splitting a trace this call is adding.
    if (pendingSpans >= flushSpans) {
      const evicted = flush();
      // Like the memory store, do not report a trace this very insert pushed out.
      if (evicted.length > 0) {
        const gone = new Set(evicted);
        return { inserted, changedTraceIds: changedTraceIds.filter((id) => !gone.has(id)) };
      }
    } else if (pendingSpans > 0) {
      scheduleFlush();
    }
    return { inserted, changedTraceIds };
  }

  // ---- reading ----

  function summaryFromRow(row: TraceRow): TraceSummary {
    return aggregateFromRow(row).toSummary();
  }

  function listTraces(query: TraceQuery): TracePage {
    assertOpen();
    flush();
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const needle = query.q?.trim().toLowerCase() || undefined;
    const params: unknown[] = [];
    if (query.service !== undefined) {
      const id = serviceIdByName.get(query.service);
      if (id === undefined) return { traces: [] };
      params.push(id);
    }
    if (cursor !== undefined) {
      // Past the largest stored value: every stored trace comes after such a cursor.
      if (cursor.startTimeUnixNano > I64_MAX) params.push(I64_MAX, "g");
      else params.push(cursor.startTimeUnixNano, cursor.traceId);
    }
    const minDuration =
      query.minDurationMs !== undefined && !Number.isNaN(query.minDurationMs) ? query.minDurationMs : undefined;
    if (minDuration !== undefined) params.push(minDuration);
    const name = query.name?.trim().toLowerCase() || undefined;
    if (name !== undefined) params.push(name);
    if (needle !== undefined) params.push(needle);
    if (query.limit <= 0) return { traces: [] };
    params.push(query.limit + 1);
    const statement = stmts.traceList({
      service: query.service !== undefined,
      cursor: cursor !== undefined,
      errorsOnly: query.errorsOnly === true,
      minDuration: minDuration !== undefined,
      name: name !== undefined,
      text: needle !== undefined,
    });
    const rows = statement.all(params) as TraceRow[];
    const traces = rows.slice(0, query.limit).map(summaryFromRow);
    const page: TracePage = { traces };
    const last = traces[traces.length - 1];
    if (rows.length > query.limit && last !== undefined) {
      page.nextCursor = encodeCursor({ startTimeUnixNano: last.startTimeUnixNano, traceId: last.traceId });
    }
    return page;
  }

  function getTrace(traceId: string): Span[] | undefined {
    assertOpen();
    flush();
    const seq = stmts.traceSeqById.get(traceId) as bigint | undefined;
    if (seq === undefined) return undefined;
    const low = Number(seq) * SPAN_SLOTS;
    const rows = stmts.spansOfTrace.all(low, low + SPAN_SLOTS) as SpanRow[];
    const resources = new Map<bigint, Attributes>();
    const scopes = new Map<bigint, InstrumentationScope>();
    return rows.map((row) => {
      const [
        serviceIdValue,
        startNs,
        endNs,
        statusCode,
        spanId,
        parentSpanId,
        name,
        kind,
        statusMessage,
        flags,
        traceState,
        resourceIdValue,
        scopeIdValue,
        attributes,
        events,
        links,
        extra,
      ] = row;
      let resource = resources.get(resourceIdValue);
      if (resource === undefined) {
        resource = decodeJson<Attributes>(stmts.resourceJsonById.get(resourceIdValue) as string);
        resources.set(resourceIdValue, resource);
      }
      let scope = scopes.get(scopeIdValue);
      if (scope === undefined) {
        scope = decodeJson<InstrumentationScope>(stmts.scopeJsonById.get(scopeIdValue) as string);
        scopes.set(scopeIdValue, scope);
      }
      const status: Span["status"] = { code: STATUS_CODES[Number(statusCode)] ?? "UNSET" };
      if (statusMessage !== null) status.message = statusMessage;
      const span: Span = {
        traceId,
        spanId,
        parentSpanId,
        name,
        kind: SPAN_KINDS[Number(kind)] ?? "UNSPECIFIED",
        service: serviceNameById.get(Number(serviceIdValue)) ?? "",
        startTimeUnixNano: fromStoredNs(startNs),
        endTimeUnixNano: fromStoredNs(endNs),
        status,
        attributes: decodeJson<Attributes>(attributes),
        events: decodeEvents(events),
        links: links === null ? [] : decodeJson<SpanLink[]>(links),
        resource,
        scope,
      };
      if (traceState !== null) span.traceState = traceState;
      if (flags !== null) span.flags = Number(flags);
      if (extra !== null) Object.assign(span, JSON.parse(extra) as SpanExtra);
      return span;
    });
  }

  function getSummaries(traceIds: readonly string[]): TraceSummary[] {
    assertOpen();
    // Traces with unwritten spans are answered from their in-memory summary (which includes them),
    // so the live hub's frequent ticks do not cut writes into small transactions.
    const out: TraceSummary[] = [];
    for (const traceId of traceIds) {
      const state = traceStates.get(traceId);
      if (state !== undefined) {
        out.push(state.aggregate.toSummary());
        continue;
      }
      const row = stmts.traceSummaryById.get(traceId) as TraceRow | undefined;
      if (row !== undefined) out.push(summaryFromRow(row));
    }
    return out;
  }

  function listServices(): ServiceStats[] {
    assertOpen();
    flush();
    const byService = new Map<number, ServiceStats>();
    for (const [id, traces] of stmts.traceCountsByService.all() as [bigint, bigint][]) {
      byService.set(Number(id), {
        name: serviceNameById.get(Number(id)) ?? "",
        spanCount: 0,
        errorCount: 0,
        traceCount: Number(traces),
        p50Ms: 0,
        p95Ms: 0,
        p99Ms: 0,
      });
    }
    for (const [id, n, errors, rank, duration] of stmts.serviceSpanStats.all() as bigint[][] as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ][]) {
      const entry = byService.get(Number(id));
      if (entry === undefined) continue;
      const count = Number(n);
      entry.spanCount = count;
      entry.errorCount = Number(errors);
      // The SQL returns the rows at the nearest ranks; percentile() over ranks picks the same ones.
      const ms = Number(duration) / 1e6;
      const at = Number(rank);
      if (at === rankOf(50, count)) entry.p50Ms = ms;
      if (at === rankOf(95, count)) entry.p95Ms = ms;
      if (at === rankOf(99, count)) entry.p99Ms = ms;
    }
    return [...byService.values()].filter((entry) => entry.spanCount > 0).sort((a, b) => a.name.localeCompare(b.name));
  }

  function clear(): void {
    assertOpen();
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    forgetTraceStates();
    db.transaction(() => stmts.clearAll())();
    resourceJsonCache = new WeakMap();
    scopeJsonCache = new WeakMap();
    loadCaches();
  }

  function stats(): StoreStats {
    assertOpen();
    flush();
    return { spans: spanTotal, traces: traceTotal, maxSpans, evictedTraces, evictedSpans };
  }

  function close(): void {
    if (closed) return;
    closed = true;
    try {
      flush();
    } finally {
      db.close();
    }
  }

  try {
    loadCaches();
    // A smaller --max-spans than the file was filled with applies at once.
    if (spanTotal > maxSpans) flush();
  } catch (error) {
    db.close();
    throw describeOpenFailure(options.path, error);
  }

  return {
    kind: "sqlite",
    insertSpans,
    listTraces,
    getTrace,
    getSummaries,
    listServices,
    clear,
    stats,
    close,
  };
}

/** 1-based nearest rank of percentile p among n sorted values, as domain/percentile.ts picks it. */
function rankOf(p: number, n: number): number {
  return Math.min(Math.max(Math.ceil((p / 100) * n), 1), n);
}
