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
import { countAttributeKeys, countAttributeValues } from "./attribute-catalog.js";
import { decodeCursor, encodeCursor, isAfterCursor } from "./cursor.js";
import { createEvictedTraces, evictedTracesCapacity } from "./evicted-traces.js";
import { FlushTimer } from "./flush-timer.js";
import { StoreOpenError } from "./open-store.js";
import { summaryMatches } from "./query-match.js";
import { SortedChunks } from "./sorted-chunks.js";
import { attributesHaveNonFinite, decodeJson, encodeJson } from "./sqlite-json.js";
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
import { createSqliteSpanQuery, type SqliteSpanQuery } from "./sqlite-span-query.js";
import {
  type InsertResult,
  type ServiceStats,
  type Store,
  type StoreStats,
  type TracePage,
  type TraceQuery,
  tooBigTraceMessage,
} from "./store.js";
import { compareOldestFirst, type StartOrdered, setSortStart, traceIdKey } from "./trace-order.js";

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
  /**
   * Opens another store that keeps its own tables in this file. The file is locked to this store's
   * connection (one process, one writer), so a second connection could not open it: the companion
   * works through this one. It is opened once the span schema is migrated, and closed first.
   */
  companion?: (db: SqliteDatabase) => { close(): void };
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_SPANS = 5_000;
/** Span ids of recently written traces kept to spare a read when more of their spans arrive. */
const TRACE_CACHE_TRACES = 4_096;
const TRACE_CACHE_SPAN_IDS = 200_000;
/** Attribute shapes kept; spans with key sets beyond it store their attributes as objects. */
const MAX_SHAPES = 10_000;
const RECENT_SHAPES = 8;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

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

/**
 * One stored trace, kept in memory for as long as it is stored: its running summary serves the trace
 * list, the live view and retention without a query, and the list order (newest first) is an
 * in-memory index. SQLite keeps only what must survive a restart: spans, and one row per trace that
 * appends by arrival number. Ordering indexes inside SQLite (by start time, by service and start,
 * by trace id) took a random page per new trace and made each flush rewrite most of their pages:
 * at 1M spans that cost ~90 µs per trace, more than writing its ten spans.
 */
interface TraceEntry extends StartOrdered {
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

/**
 * Everything of a span that no query filters on, as one JSON array in the `body` column. One text
 * value per span rather than thirteen columns: binding a parameter costs ~0.15 µs in better-sqlite3,
 * which at 18 columns was a third of the time to insert a span.
 */
type SpanBody = [
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: number,
  statusMessage: string | null,
  flags: number | null,
  traceState: string | null,
  /** The values of the keys listed by shape `shapeId`, in order; a plain object when it has no shape. */
  attributes: AttrValue[] | Attributes,
  events: StoredEvent[] | null,
  links: readonly SpanLink[] | null,
  extra: SpanExtra | null,
  shapeId?: number,
];

function storedEvents(events: readonly SpanEvent[]): StoredEvent[] | null {
  if (events.length === 0) return null;
  return events.map((event): StoredEvent => {
    const out: StoredEvent = {
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: event.attributes,
    };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    return out;
  });
}

function eventsFromStored(stored: StoredEvent[] | null): SpanEvent[] {
  if (stored === null) return [];
  return stored.map((event) => {
    const out: SpanEvent = { name: event.name, timeUnixNano: BigInt(event.timeUnixNano), attributes: event.attributes };
    if (event.droppedAttributesCount !== undefined) out.droppedAttributesCount = event.droppedAttributesCount;
    return out;
  });
}

function spanExtra(span: Span): SpanExtra | null {
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
  return extra;
}

/** `shapeId` null: attributes stored as an object (no shape, or too many distinct shapes seen). */
function encodeBody(span: Span, shapeId: number | null): string {
  let nonFinite = attributesHaveNonFinite(span.attributes);
  for (const event of span.events) if (!nonFinite && attributesHaveNonFinite(event.attributes)) nonFinite = true;
  for (const link of span.links) if (!nonFinite && attributesHaveNonFinite(link.attributes)) nonFinite = true;
  const body: SpanBody = [
    span.spanId,
    span.parentSpanId,
    span.name,
    KIND_CODES.get(span.kind) ?? 0,
    span.status.message ?? null,
    span.flags ?? null,
    span.traceState ?? null,
    shapeId === null ? span.attributes : Object.values(span.attributes),
    storedEvents(span.events),
    span.links.length === 0 ? null : span.links,
    spanExtra(span),
  ];
  if (shapeId !== null) body.push(shapeId);
  return encodeJson(body, nonFinite);
}

function aggregateFromRow(row: TraceRow): TraceAggregate {
  const [, traceId, startNs, endNs, spanCount, errorCount, rootName, rootService, firstName, firstService, services] =
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
    // Before anything is written (a no-op for an existing file): 16 KiB pages measured ~10% faster
    // span inserts than the default 4 KiB (fewer page headers, splits and WAL frames per row).
    db.pragma("page_size = 16384");
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
 * `flushIntervalMs` or every `flushSpans` spans; every read of spans writes pending spans first.
 * Every stored trace's summary is kept in memory (and as a row in the file, for restarts), so the
 * trace list, summaries and retention never aggregate spans or walk an index in SQLite.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (driver === null) throw new Error("createSqliteStore: await loadSqliteDriver() first");
  const maxSpans = options.maxSpans;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const flushSpans = options.flushSpans ?? DEFAULT_FLUSH_SPANS;
  const db = openDatabase(driver, options.path);
  let statements: Statements;
  let spanQuery: SqliteSpanQuery;
  try {
    statements = prepareStatements(db);
    spanQuery = createSqliteSpanQuery({
      db,
      readBody(text) {
        const body = decodeJson<SpanBody>(text);
        const [, , name, kind, statusMessage, , , , events] = body;
        const attributes = attributesOf(body);
        return {
          name,
          kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
          statusMessage,
          attributes,
          events: eventsFromStored(events),
        };
      },
      serviceName: (id) => serviceNameById.get(id) ?? "",
      shapeKeys: (id) => shapeKeysById.get(id),
    });
  } catch (error) {
    db.close();
    throw describeOpenFailure(options.path, error);
  }
  const stmts = statements;

  let closed = false;
  /** Spans written to the file (pending ones are not counted until their flush). */
  let spanTotal = 0;
  let evictedTraces = 0;
  let evictedSpans = 0;
  /** In memory only: after a restart, late spans of traces evicted before it start a new trace. */
  const evictedIds = createEvictedTraces(evictedTracesCapacity(maxSpans));
  /** The SQLite key space allows 2^21 spans per trace; retention allows maxSpans. */
  const maxSpansPerTrace = Math.min(maxSpans, SPAN_SLOTS);
  let nextSeq = 1;
  let callNumber = 0;

  /** Every stored or pending trace by id, in arrival order (retention evicts from the front). */
  let entries = new Map<string, TraceEntry>();
  /** Oldest-first by (sortStart, traceId); may hold evicted entries until compaction. */
  const byStart = new SortedChunks<TraceEntry>(compareOldestFirst);
  let staleInByStart = 0;
  /** Entries whose span ids are cached, least recently used first. */
  const spanIdHolders = new Map<string, TraceEntry>();
  let cachedSpanIds = 0;
  let dirtyEntries: TraceEntry[] = [];
  /**
   * Pending span rows, SPAN_WIDTH values each, in chunks of SPAN_INSERT_CHUNK rows that are bound
   * to one multi-row INSERT as they are. Service, resource and scope hold names/JSON until the flush.
   */
  let pendingChunks: unknown[][] = [];
  let pendingSpans = 0;
  const flushTimer = new FlushTimer(flushIntervalMs, () => flush());

  const serviceIdByName = new Map<string, number>();
  const serviceNameById = new Map<number, string>();
  const resourceIdByJson = new Map<string, number>();
  const scopeIdByJson = new Map<string, number>();
  /**
   * Attribute key lists ("shapes"): spans of one kind carry the same keys, so a span row stores its
   * attribute values and the number of their shape, not the keys again (~35% of a row). The most
   * recently used shapes are compared key by key (decoded keys are shared strings, so mostly by
   * identity); others are found by their JSON.
   */
  const shapeIdByKeys = new Map<string, number>();
  const shapeKeysById = new Map<number, readonly string[]>();
  let recentShapes: { keys: readonly string[]; id: number }[] = [];
  /** Shapes made since the last flush: [id, keys JSON], written with the spans that use them. */
  let pendingShapes: [number, string][] = [];
  let nextShapeId = 1;
  /** Spans of one OTLP batch share resource and scope objects: serialize each once. */
  let resourceJsonCache = new WeakMap<object, string>();
  let scopeJsonCache = new WeakMap<object, string>();

  function newEntry(aggregate: TraceAggregate, seq: number, stored: boolean): TraceEntry {
    return {
      traceId: aggregate.traceId,
      aggregate,
      seq,
      spanIds: stored ? null : new Set(),
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
    };
  }

  /** (Re)reads everything kept in memory from the file: at open, and after a failed flush. */
  function loadState(): void {
    serviceIdByName.clear();
    serviceNameById.clear();
    for (const [id, name] of stmts.allServices.all() as [bigint, string][]) {
      serviceIdByName.set(name, Number(id));
      serviceNameById.set(Number(id), name);
    }
    resourceIdByJson.clear();
    scopeIdByJson.clear();
    shapeIdByKeys.clear();
    shapeKeysById.clear();
    recentShapes = [];
    pendingShapes = [];
    nextShapeId = 1;
    for (const [id, json] of stmts.allShapes.all() as [bigint, string][]) {
      shapeIdByKeys.set(json, Number(id));
      shapeKeysById.set(Number(id), JSON.parse(json) as string[]);
      nextShapeId = Math.max(nextShapeId, Number(id) + 1);
    }
    resourceJsonCache = new WeakMap();
    scopeJsonCache = new WeakMap();
    entries = new Map();
    byStart.clear();
    staleInByStart = 0;
    spanIdHolders.clear();
    cachedSpanIds = 0;
    dirtyEntries = [];
    pendingChunks = [];
    pendingSpans = 0;
    let lastSeq = 0;
    for (const row of stmts.allTraces.iterate() as Iterable<TraceRow>) {
      const seq = Number(row[0]);
      const entry = newEntry(aggregateFromRow(row), seq, true);
      entries.set(entry.traceId, entry);
      setSortStart(entry, entry.aggregate.startTimeUnixNano);
      entry.filed = true;
      lastSeq = seq;
    }
    // One sort rather than one insert per trace.
    byStart.fill([...entries.values()].sort(compareOldestFirst));
    const counters = stmts.counters.get() as [bigint, bigint];
    spanTotal = Number(counters[0]);
    nextSeq = lastSeq + 1;
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

  /** The shape of `attributes`, or null when it has none (no keys) or the shape table is full. */
  function shapeOf(attributes: Attributes): number | null {
    const keys = Object.keys(attributes);
    if (keys.length === 0) return null;
    for (let i = 0; i < recentShapes.length; i++) {
      const shape = recentShapes[i] as { keys: readonly string[]; id: number };
      if (sameKeys(shape.keys, keys)) return shape.id;
    }
    const json = JSON.stringify(keys);
    let id = shapeIdByKeys.get(json);
    if (id === undefined) {
      // Distinct key sets only grow the table: past a bound, new ones are stored as objects.
      if (shapeIdByKeys.size >= MAX_SHAPES) return null;
      id = nextShapeId++;
      shapeIdByKeys.set(json, id);
      shapeKeysById.set(id, keys);
      pendingShapes.push([id, json]);
    }
    recentShapes.unshift({ keys, id });
    if (recentShapes.length > RECENT_SHAPES) recentShapes.pop();
    return id;
  }

  /** A stored body's attributes as an object again. */
  function attributesOf(body: SpanBody): Attributes {
    const stored = body[7];
    if (!Array.isArray(stored)) return stored;
    const keys = shapeKeysById.get(body[11] ?? 0) ?? [];
    // fromEntries defines properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(keys.map((key, i) => [key, stored[i] as AttrValue])) as Attributes;
  }

  // ---- span ids of recent traces (to ignore re-sent spans) ----

  /** The entry's span ids, read back from the file when they were dropped from the cache. */
  function spanIdsOf(entry: TraceEntry, call: number): Set<string> {
    let ids = entry.spanIds;
    if (ids === null) {
      const low = entry.seq * SPAN_SLOTS;
      ids = new Set(stmts.spanIdsOfTrace.all(low, low + SPAN_SLOTS) as string[]);
      entry.spanIds = ids;
      cachedSpanIds += ids.size;
    } else if (entry.lastTouchCall === call) {
      return ids;
    } else {
      spanIdHolders.delete(entry.traceId);
    }
    // Move to the LRU end, once per call.
    entry.lastTouchCall = call;
    spanIdHolders.set(entry.traceId, entry);
    return ids;
  }

  /** Drops the least recently used clean span-id sets beyond the cache bounds (all are clean after a flush). */
  function trimSpanIdCache(): void {
    for (const [traceId, entry] of spanIdHolders) {
      if (spanIdHolders.size <= TRACE_CACHE_TRACES && cachedSpanIds <= TRACE_CACHE_SPAN_IDS) break;
      if (entry.dirty) continue;
      spanIdHolders.delete(traceId);
      cachedSpanIds -= entry.spanIds?.size ?? 0;
      entry.spanIds = null;
    }
  }

  // ---- writing ----

  function appendPendingRow(rowId: number, span: Span): void {
    let rows = pendingChunks[pendingChunks.length - 1];
    if (rows === undefined || rows.length === SPAN_INSERT_CHUNK * SPAN_WIDTH) {
      rows = [];
      pendingChunks.push(rows);
    }
    rows.push(
      rowId,
      span.service,
      toStoredNs(span.startTimeUnixNano),
      toStoredNs(span.endTimeUnixNano),
      STATUS_CODE_NUMBERS.get(span.status.code) ?? 0,
      resourceJson(span.resource),
      scopeJson(span.scope),
      encodeBody(span, shapeOf(span.attributes)),
    );
    pendingSpans++;
  }

  function writeSpans(pending: unknown[][]): void {
    for (const rows of inKeyOrder(pending)) {
      // Services, resources and scopes become ids here, inside the transaction that stores them.
      for (let base = 0; base < rows.length; base += SPAN_WIDTH) {
        rows[base + 1] = serviceId(rows[base + 1] as string);
        rows[base + 5] = resourceId(rows[base + 5] as string);
        rows[base + 6] = scopeId(rows[base + 6] as string);
      }
      stmts.spanInsert(rows.length / SPAN_WIDTH).run(rows);
    }
  }

  /**
   * The pending rows re-chunked in ascending key order. A request lists spans by resource, so one
   * trace's spans (neighbouring keys) arrive spread over the batch; inserted as they came, most went
   * into the middle of pages just written, splitting them. In key order every insert appends.
   */
  function inKeyOrder(chunks: unknown[][]): unknown[][] {
    const keys: number[] = [];
    let sorted = true;
    for (const rows of chunks) {
      for (let base = 0; base < rows.length; base += SPAN_WIDTH) {
        const key = rows[base] as number;
        if (keys.length > 0 && key < (keys[keys.length - 1] as number)) sorted = false;
        keys.push(key);
      }
    }
    if (sorted) return chunks;
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number));
    const out: unknown[][] = [];
    let current: unknown[] = [];
    for (const index of order) {
      const rows = chunks[Math.floor(index / SPAN_INSERT_CHUNK)] as unknown[];
      const base = (index % SPAN_INSERT_CHUNK) * SPAN_WIDTH;
      for (let i = 0; i < SPAN_WIDTH; i++) current.push(rows[base + i]);
      if (current.length === SPAN_INSERT_CHUNK * SPAN_WIDTH) {
        out.push(current);
        current = [];
      }
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  function writeTrace(entry: TraceEntry): void {
    const a = entry.aggregate;
    const start = toStoredNs(a.startTimeUnixNano);
    const end = toStoredNs(a.endTimeUnixNano);
    const services = JSON.stringify(a.services);
    if (entry.stored) {
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
        entry.seq,
      );
    } else {
      stmts.traceInsert.run(
        entry.seq,
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
  }

  /**
   * The oldest traces by arrival to delete so that at most `maxSpans` remain. Arrival numbers only
   * grow, so they are a prefix of `entries` and their spans one key range.
   */
  function tracesToEvict(totalSpans: number): TraceEntry[] {
    const out: TraceEntry[] = [];
    let spansLeft = totalSpans;
    for (const entry of entries.values()) {
      if (spansLeft <= maxSpans) break;
      out.push(entry);
      spansLeft -= entry.aggregate.spanCount;
    }
    return out;
  }

  const writeBatch = db.transaction((chunks: unknown[][], count: number, dirty: TraceEntry[], evict: TraceEntry[]) => {
    for (const [id, json] of pendingShapes) stmts.shapeInsert.run(id, json);
    writeSpans(chunks);
    for (const entry of dirty) writeTrace(entry);
    let evictedSpanCount = 0;
    const last = evict[evict.length - 1];
    if (last !== undefined) {
      for (const entry of evict) evictedSpanCount += entry.aggregate.spanCount;
      stmts.deleteSpansBelow.run((last.seq + 1) * SPAN_SLOTS);
      stmts.deleteTracesUpTo.run(last.seq);
    }
    stmts.countersUpdate.run(spanTotal + count - evictedSpanCount, entries.size - evict.length);
    return evictedSpanCount;
  });

  /** Writes every pending span in one transaction, then applies retention; returns the evicted trace ids. */
  function flush(): string[] {
    flushTimer.cancel();
    const overBound = spanTotal > maxSpans;
    if (pendingSpans === 0 && !overBound) return [];
    const chunks = pendingChunks;
    const count = pendingSpans;
    const dirty = dirtyEntries;
    const evict = tracesToEvict(spanTotal + count);
    let evictedSpanCount: number;
    try {
      evictedSpanCount = writeBatch(chunks, count, dirty, evict);
    } catch (error) {
      // Rolled back: these spans are lost; what is in memory is read back from the file.
      loadState();
      throw error;
    }
    pendingChunks = [];
    pendingSpans = 0;
    pendingShapes = [];
    dirtyEntries = [];
    spanTotal += count - evictedSpanCount;
    evictedTraces += evict.length;
    evictedSpans += evictedSpanCount;
    for (const entry of dirty) {
      entry.stored = true;
      entry.dirty = false;
    }
    for (const entry of evict) {
      entries.delete(entry.traceId);
      evictedIds.add(entry.traceId);
      entry.evicted = true;
      if (entry.filed) staleInByStart++;
      if (spanIdHolders.delete(entry.traceId)) cachedSpanIds -= entry.spanIds?.size ?? 0;
      entry.spanIds = null;
    }
    if (staleInByStart > 1024 && staleInByStart * 4 > byStart.length) {
      byStart.filter((entry) => !entry.evicted);
      staleInByStart = 0;
    }
    trimSpanIdCache();
    return evict.map((entry) => entry.traceId);
  }

  function insertSpans(spans: readonly Span[]): InsertResult {
    assertOpen();
    flushTimer.throwDeferred();
    const call = ++callNumber;
    const changed: TraceEntry[] = [];
    let inserted = 0;
    let lateSpans = 0;
    let rejectedSpans = 0;
    let rejectionMessage: string | undefined;
    for (const span of spans) {
      let entry = entries.get(span.traceId);
      if (entry === undefined) {
        if (evictedIds.has(span.traceId)) {
          lateSpans++;
          continue;
        }
        if (nextSeq >= MAX_TRACE_SEQ) throw new Error("the SQLite store ran out of trace numbers; clear it");
        entry = newEntry(new TraceAggregate(span.traceId), nextSeq++, false);
        entries.set(span.traceId, entry);
      }
      const ids = spanIdsOf(entry, call);
      if (ids.has(span.spanId)) continue;
      const slot = entry.aggregate.spanCount;
      if (slot >= maxSpansPerTrace) {
        rejectedSpans++;
        rejectionMessage ??= tooBigTraceMessage(span.traceId, maxSpans);
        continue;
      }
      ids.add(span.spanId);
      cachedSpanIds++;
      entry.aggregate.add(span);
      appendPendingRow(entry.seq * SPAN_SLOTS + slot, span);
      spanQuery.recentSpans.add(span);
      inserted++;
      if (!entry.dirty) {
        entry.dirty = true;
        dirtyEntries.push(entry);
      }
      if (entry.lastChangeCall !== call) {
        entry.lastChangeCall = call;
        changed.push(entry);
      }
    }
    for (const entry of changed) {
      const start = entry.aggregate.startTimeUnixNano;
      if (!entry.filed) {
        setSortStart(entry, start);
        byStart.insert(entry);
        entry.filed = true;
      } else if (entry.sortStart !== start) {
        // An earlier span arrived (children often come before their parent): move the trace.
        byStart.remove(entry);
        setSortStart(entry, start);
        byStart.insert(entry);
      }
    }
    const changedTraceIds = changed.map((entry) => entry.traceId);
    // Flushing here rather than mid-loop keeps retention from splitting a trace this call is adding.
    if (pendingSpans >= flushSpans) {
      const evicted = flush();
      // Like the memory store, do not report a trace this very insert pushed out.
      if (evicted.length > 0) {
        const gone = new Set(evicted);
        return result(changedTraceIds.filter((id) => !gone.has(id)));
      }
    } else if (pendingSpans > 0) {
      flushTimer.schedule();
    }
    return result(changedTraceIds);

    function result(changedIds: string[]): InsertResult {
      const out: InsertResult = { inserted, changedTraceIds: changedIds, lateSpans, rejectedSpans };
      if (rejectionMessage !== undefined) out.rejectionMessage = rejectionMessage;
      return out;
    }
  }

  // ---- reading ----

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

  function getTrace(traceId: string): Span[] | undefined {
    assertOpen();
    const entry = entries.get(traceId);
    if (entry === undefined) return undefined;
    flush();
    if (entry.evicted) return undefined;
    const low = entry.seq * SPAN_SLOTS;
    const rows = stmts.spansOfTrace.all(low, low + SPAN_SLOTS) as SpanRow[];
    const resources = new Map<bigint, Attributes>();
    const scopes = new Map<bigint, InstrumentationScope>();
    return rows.map((row) => {
      const [serviceIdValue, startNs, endNs, statusCode, resourceIdValue, scopeIdValue, bodyText] = row;
      const body = decodeJson<SpanBody>(bodyText);
      const [spanId, parentSpanId, name, kind, statusMessage, flags, traceState, , events, links, extra] = body;
      const attributes = attributesOf(body);
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
        kind: SPAN_KINDS[kind] ?? "UNSPECIFIED",
        service: serviceNameById.get(Number(serviceIdValue)) ?? "",
        startTimeUnixNano: fromStoredNs(startNs),
        endTimeUnixNano: fromStoredNs(endNs),
        status,
        attributes,
        events: eventsFromStored(events),
        links: links ?? [],
        resource,
        scope,
      };
      if (traceState !== null) span.traceState = traceState;
      if (flags !== null) span.flags = flags;
      if (extra !== null) Object.assign(span, extra);
      return span;
    });
  }

  function getSummaries(traceIds: readonly string[]): TraceSummary[] {
    assertOpen();
    // Pending spans are in the in-memory summaries already, so this never cuts writes short.
    const out: TraceSummary[] = [];
    for (const traceId of traceIds) {
      const entry = entries.get(traceId);
      if (entry !== undefined) out.push(entry.aggregate.toSummary());
    }
    return out;
  }

  function listServices(): ServiceStats[] {
    assertOpen();
    flush();
    const traceCounts = new Map<string, number>();
    for (const entry of entries.values()) {
      for (const name of entry.aggregate.services) traceCounts.set(name, (traceCounts.get(name) ?? 0) + 1);
    }
    const byService = new Map<number, ServiceStats>();
    for (const [name, traces] of traceCounts) {
      const id = serviceIdByName.get(name);
      if (id === undefined) continue;
      byService.set(id, {
        name,
        spanCount: 0,
        errorCount: 0,
        traceCount: traces,
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
    flushTimer.cancel();
    db.transaction(() => stmts.clearAll())();
    loadState();
    evictedIds.clear();
    spanQuery.recentSpans.clear();
  }

  function stats(): StoreStats {
    assertOpen();
    flush();
    return { spans: spanTotal, traces: entries.size, maxSpans, evictedTraces, evictedSpans };
  }

  function catalogSpans() {
    assertOpen();
    if (spanQuery.recentSpans.size < spanTotal) flush();
    return spanQuery.catalogSpans(spanTotal + pendingSpans);
  }

  let companion: { close(): void } | undefined;

  function close(): void {
    if (closed) return;
    closed = true;
    try {
      flush();
    } finally {
      try {
        companion?.close();
      } finally {
        db.close();
      }
    }
  }

  try {
    loadState();
    // A smaller --max-spans than the file was filled with applies at once.
    if (spanTotal > maxSpans) flush();
    companion = options.companion?.(db);
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
    attributeKeys: () => countAttributeKeys(catalogSpans()),
    attributeValues: (key, limit) => countAttributeValues(catalogSpans(), key, limit),
    clear,
    stats,
    close,
  };
}

/** 1-based nearest rank of percentile p among n sorted values, as domain/percentile.ts picks it. */
function rankOf(p: number, n: number): number {
  return Math.min(Math.max(Math.ceil((p / 100) * n), 1), n);
}
