import { type LogRecord, type StoredLog, severityRank } from "../domain/log.js";
import type { Attributes, InstrumentationScope } from "../domain/span.js";
import { decodeLogCursor, encodeLogCursor } from "./log-cursor.js";
import { logFilter } from "./log-query-match.js";
import { decodeLogRow, encodeLogBody, toStoredTime } from "./log-sqlite-codec.js";
import {
  LOG_INSERT_CHUNK,
  LOG_WIDTH,
  type LogQueryShape,
  type LogRow,
  migrateLogs,
  prepareLogStatements,
} from "./log-sqlite-schema.js";
import type { LogPage, LogQuery, LogStore } from "./log-store.js";
import { attributesHaveNonFinite, decodeJson, encodeJson, isJsonVerbatim } from "./sqlite-json.js";
import type { SqliteDatabase } from "./sqlite-schema.js";

export interface SqliteLogStoreOptions {
  maxLogs: number;
  /** Longest an accepted record waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending records that trigger a write at once (default 5,000). */
  flushRecords?: number;
}

const DEFAULT_FLUSH_INTERVAL_MS = 100;
const DEFAULT_FLUSH_RECORDS = 5_000;

/** Where the pending row's service, resource and scope sit: names and JSON until the flush makes them ids. */
const SERVICE = 2;
const RESOURCE = 6;
const SCOPE = 7;

/** A name or JSON text ↔ its row id in one of the small lookup tables, and its parsed value. */
class Interned<T> {
  readonly ids = new Map<string, number>();
  private readonly texts = new Map<number, string>();
  private readonly values = new Map<number, T>();
  constructor(private readonly parse: (text: string) => T) {}

  load(rows: [number, string][]): void {
    this.ids.clear();
    this.texts.clear();
    this.values.clear();
    for (const [id, text] of rows) this.add(id, text);
  }

  /** The id of `text`; a new one is written with `insert` (inside the flush's transaction). */
  idOf(text: string, insert: (id: number, text: string) => void): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size + 1;
      insert(id, text);
      this.add(id, text);
    }
    return id;
  }

  /** The parsed value of an id, one object per id (its records share it, as a decoded batch's do). */
  valueOf(id: number): T {
    let value = this.values.get(id);
    if (value === undefined) {
      value = this.parse(this.texts.get(id) ?? "null");
      this.values.set(id, value);
    }
    return value;
  }

  private add(id: number, text: string): void {
    this.ids.set(text, id);
    this.texts.set(id, text);
  }
}

/**
 * Log records in the `--db` file, on the span store's connection (see SqliteStoreOptions.companion).
 * Records are numbered and bounded at once in memory, and written in batches like spans: one
 * transaction per flush, at most every `flushIntervalMs` or `flushRecords` records, before every
 * read and on close. Retention deletes by arrival number, the table's own key.
 */
export function createSqliteLogStore(db: SqliteDatabase, options: SqliteLogStoreOptions): LogStore {
  migrateLogs(db);
  const sql = prepareLogStatements(db);
  const { maxLogs } = options;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const flushRecords = options.flushRecords ?? DEFAULT_FLUSH_RECORDS;

  const services = new Interned<string>((name) => name);
  const resources = new Interned<Attributes>((json) => decodeJson<Attributes>(json));
  const scopes = new Interned<InstrumentationScope>((json) => decodeJson<InstrumentationScope>(json));
  const context = {
    service: (id: number) => services.valueOf(id),
    resource: (id: number) => resources.valueOf(id),
    scope: (id: number) => scopes.valueOf(id),
  };
  /** Records of one batch share their resource and scope objects: serialize each once. */
  let jsonOf = new WeakMap<object, string>();

  let closed = false;
  /** The next arrival number; never goes back, so a number is never given twice. */
  let nextSeq = 1;
  /** The lowest number still stored: everything below it is evicted (from the file at the next flush). */
  let firstSeq = 1;
  /** Rows below this number are already deleted from the file. */
  let deletedBelow = 1;
  /** Rows in the file. */
  let stored = 0;
  let evictedLogs = 0;
  /** Pending rows, LOG_WIDTH values each, numbers pendingFirstSeq upwards. */
  let pending: unknown[] = [];
  let pendingFirstSeq = 1;
  let flushTimer: NodeJS.Timeout | null = null;
  /** A flush from the timer failed; the next insert reports it. */
  let deferredError: unknown = null;

  function loadState(): void {
    const [next, storedRows, evicted] = sql.state.get() as [number, number, number];
    nextSeq = Math.max(nextSeq, next);
    stored = storedRows;
    evictedLogs = evicted;
    firstSeq = (sql.firstSeq.get() as number | null) ?? nextSeq;
    deletedBelow = firstSeq;
    services.load(sql.services.all() as [number, string][]);
    resources.load(sql.resources.all() as [number, string][]);
    scopes.load(sql.scopes.all() as [number, string][]);
    pending = [];
    pendingFirstSeq = nextSeq;
    jsonOf = new WeakMap();
  }

  function assertOpen(): void {
    if (closed) throw new Error("the SQLite log store is closed");
  }

  function json(value: object, attributes: Attributes | undefined): string {
    let text = jsonOf.get(value);
    if (text === undefined) {
      text = encodeJson(value, attributes !== undefined && attributesHaveNonFinite(attributes));
      jsonOf.set(value, text);
    }
    return text;
  }

  const writeBatch = db.transaction((rows: unknown[]): number => {
    for (let base = 0; base < rows.length; base += LOG_WIDTH) {
      rows[base + SERVICE] = services.idOf(rows[base + SERVICE] as string, (id, name) =>
        sql.insertService.run(id, name),
      );
      rows[base + RESOURCE] = resources.idOf(rows[base + RESOURCE] as string, (id, text) =>
        sql.insertResource.run(id, text),
      );
      rows[base + SCOPE] = scopes.idOf(rows[base + SCOPE] as string, (id, text) => sql.insertScope.run(id, text));
    }
    const chunk = LOG_INSERT_CHUNK * LOG_WIDTH;
    for (let at = 0; at < rows.length; at += chunk) {
      const values = rows.length <= chunk ? rows : rows.slice(at, at + chunk);
      sql.insert(values.length / LOG_WIDTH).run(values);
    }
    const deleted = firstSeq > deletedBelow ? sql.deleteBelow.run(firstSeq).changes : 0;
    sql.saveState.run(nextSeq, stored + rows.length / LOG_WIDTH - deleted, evictedLogs + deleted);
    return deleted;
  });

  /** Writes every pending record and applies retention, in one transaction. */
  function flush(): void {
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    if (pending.length === 0 && firstSeq <= deletedBelow) return;
    const rows = pending;
    let deleted: number;
    try {
      deleted = writeBatch(rows) as number;
    } catch (error) {
      // Rolled back: these records are lost; what is kept in memory is read back from the file.
      loadState();
      throw error;
    }
    stored += rows.length / LOG_WIDTH - deleted;
    evictedLogs += deleted;
    deletedBelow = firstSeq;
    pending = [];
    pendingFirstSeq = nextSeq;
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

  function insertLogs(records: readonly LogRecord[]): StoredLog[] {
    assertOpen();
    if (deferredError !== null) {
      const error = deferredError;
      deferredError = null;
      throw error;
    }
    const first = nextSeq;
    for (const record of records) {
      pending.push(
        nextSeq++,
        toStoredTime(record.timeUnixNano),
        record.service,
        severityRank(record.severity),
        record.traceId,
        record.spanId,
        json(record.resource, record.resource),
        json(record.scope, record.scope.attributes),
        encodeLogBody(record),
      );
    }
    // Past the bound the first arrivals go: those still pending are never written.
    if (nextSeq - maxLogs > firstSeq) {
      firstSeq = nextSeq - maxLogs;
      const dropped = firstSeq - pendingFirstSeq;
      if (dropped > 0) {
        pending.splice(0, dropped * LOG_WIDTH);
        pendingFirstSeq += dropped;
        evictedLogs += dropped;
      }
    }
    if (pending.length >= flushRecords * LOG_WIDTH) flush();
    else if (pending.length > 0) scheduleFlush();
    const out: StoredLog[] = [];
    for (let seq = Math.max(first, firstSeq); seq < nextSeq; seq++) {
      out.push({ seq, record: records[seq - first] as LogRecord });
    }
    return out;
  }

  function listLogs(query: LogQuery): LogPage {
    assertOpen();
    flush();
    const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    let serviceId: number | undefined;
    if (query.service !== undefined) {
      serviceId = services.ids.get(query.service);
      if (serviceId === undefined) return { logs: [] };
    }
    const shape: LogQueryShape = {
      traceId: query.traceId !== undefined,
      spanId: query.spanId !== undefined,
      service: serviceId !== undefined,
      severity: query.minSeverity !== undefined,
      since: query.sinceUnixNano !== undefined,
      until: query.untilUnixNano !== undefined,
      cursor: cursor !== undefined,
      desc: query.order === "desc",
    };
    const params: Record<string, unknown> = {};
    if (query.traceId !== undefined) params.traceId = query.traceId;
    if (query.spanId !== undefined) params.spanId = query.spanId;
    if (serviceId !== undefined) params.serviceId = serviceId;
    if (query.minSeverity !== undefined) params.minSeverity = severityRank(query.minSeverity);
    if (query.sinceUnixNano !== undefined) params.since = toStoredTime(query.sinceUnixNano);
    if (query.untilUnixNano !== undefined) params.until = toStoredTime(query.untilUnixNano);
    if (cursor !== undefined) {
      params.cursorTime = toStoredTime(cursor.timeUnixNano);
      params.cursorSeq = cursor.seq;
    }
    // SQL narrows by everything but the text, in page order; free text is checked on the decoded
    // record, so rows are read only until the page (and one more match) is found.
    const filter = logFilter(query);
    // A needle with no character JSON escapes stands as is in the JSON of every value it can be
    // found in, so a row whose JSON lacks it is passed over without parsing it (keys and other
    // fields only add candidates, which the exact check settles).
    const prefilter = filter.text !== undefined && isJsonVerbatim(query.q?.trim() ?? "") ? filter.text : undefined;
    const logs: StoredLog[] = [];
    let more = false;
    for (const row of sql.list(shape).iterate(params) as IterableIterator<LogRow>) {
      if (prefilter !== undefined && !prefilter(row[8])) continue;
      const log = decodeLogRow(row, context);
      if (!filter.matches(log.record)) continue;
      if (logs.length === query.limit) {
        more = true;
        break;
      }
      logs.push(log);
    }
    const page: LogPage = { logs };
    const last = logs[logs.length - 1];
    if (more && last !== undefined) {
      page.nextCursor = encodeLogCursor({ timeUnixNano: last.record.timeUnixNano, seq: last.seq });
    }
    return page;
  }

  function clear(): void {
    assertOpen();
    if (flushTimer !== null) {
      clearTimeout(flushTimer);
      flushTimer = null;
    }
    pending = [];
    db.transaction(() => {
      sql.deleteAll.run();
      sql.saveState.run(nextSeq, 0, evictedLogs);
    })();
    stored = 0;
    firstSeq = nextSeq;
    deletedBelow = nextSeq;
    pendingFirstSeq = nextSeq;
  }

  loadState();
  // A smaller --max-logs than the file was filled with applies at once.
  if (stored > maxLogs) {
    firstSeq = nextSeq - maxLogs;
    flush();
  }

  return {
    kind: "sqlite",
    insertLogs,
    listLogs,
    clear,
    stats() {
      assertOpen();
      flush();
      return { logs: stored, maxLogs, evictedLogs };
    },
    close() {
      if (closed) return;
      closed = true;
      flush();
    },
  };
}
