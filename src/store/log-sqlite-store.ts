import { isAscii, type LogRecord, type StoredLog, severityRank, textMatcher } from "../domain/log.js";
import type { Attributes, InstrumentationScope } from "../domain/span.js";
import { FlushTimer } from "./flush-timer.js";
import { decodeLogCursor } from "./log-cursor.js";
import { LogPageBuilder, logFilter, type ScopeNeed, traceLogPage } from "./log-query-match.js";
import { LogServiceIndex } from "./log-services.js";
import { decodeLogRow, encodeLogBody, fromStoredTime, toStoredTime } from "./log-sqlite-codec.js";
import {
  LOG_INSERT_CHUNK,
  LOG_LOOKUP_CHUNK,
  LOG_WIDTH,
  type LogQueryShape,
  type LogRow,
  migrateLogs,
  prepareLogStatements,
} from "./log-sqlite-schema.js";
import {
  type HeldLogs,
  LOG_COUNT_BUDGET,
  type LogInsertOptions,
  type LogInsertResult,
  type LogPage,
  type LogQuery,
  type LogStore,
} from "./log-store.js";
import { recordsStoredBefore, type StoredBefore } from "./log-stored-before.js";
import { ArrivalTraceIndex } from "./log-trace-index.js";
import { FileReadBack } from "./read-back.js";
import { present, testIn } from "./span-query.js";
import type { GroupCommit } from "./sqlite-group-commit.js";
import { attributesHaveBoxedNumber, decodeJson, encodeJson, isJsonVerbatim } from "./sqlite-json.js";
import type { SqliteDatabase } from "./sqlite-schema.js";
import { type BoundFromHeld, chooseBound } from "./store.js";
import { failedTo, reading } from "./store-unavailable.js";

export interface SqliteLogStoreOptions {
  maxLogs: BoundFromHeld<HeldLogs>;
  /** Longest an accepted record waits before it is written (default 100 ms). */
  flushIntervalMs?: number;
  /** Pending records that trigger a write at once (default 5,000). */
  flushRecords?: number;
  /** The span store's group commit: pending records are written in its transactions. */
  commits?: GroupCommit;
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

/** A LIKE pattern for text anywhere in a row's body (`%` and `_` taken literally). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/**
 * Log records in the `--db` file, on the span store's connection (see SqliteStoreOptions.companion).
 * Records are numbered and bounded at once in memory, and written in batches like spans: one
 * transaction per flush, at most every `flushIntervalMs` or `flushRecords` records, before every
 * read and on close; with `commits`, in the span store's transactions (group commit). Retention
 * deletes by arrival number, the table's own key.
 */
export function createSqliteLogStore(db: SqliteDatabase, options: SqliteLogStoreOptions): LogStore {
  migrateLogs(db);
  const sql = prepareLogStatements(db);
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
  /** The records of the pending rows, in the same order: a request sent again is compared with them. */
  let pendingRecords: LogRecord[] = [];
  /** Numbers of pending records by time (one number, or several when times repeat). */
  let pendingByTime = new Map<bigint, number | number[]>();
  /**
   * The newest time among the rows in the file, and among the pending records (-1n: none): a request
   * with a record newer than both was not sent before, which is how nearly every request is told new.
   */
  let newestWritten = -1n;
  let newestPending = -1n;
  /** Pending log_trace_refs rows: [seq, trace id] pairs, in number order. */
  let pendingRefs: unknown[] = [];
  /** Each stored trace's records by number (also those pending), read from log_trace_refs at open. */
  const traces = new ArrivalTraceIndex();
  /** Each service's newest record (also those pending), read from log_services at open. */
  const servicesStored = new LogServiceIndex();
  let pendingFirstSeq = 1;
  const flushTimer = new FlushTimer(
    flushIntervalMs,
    () => flush(),
    (error) => options.commits?.told(error) === true,
  );
  /**
   * Requests stored in slices, and which of their records were stored before: judged at the first
   * slice, before any of the request is stored, and held only as long as the request is.
   */
  const verdicts = new WeakMap<readonly LogRecord[], StoredBefore | null>();

  /** Forgets every record waiting to be written, and the timer that would write them. */
  function dropPending(): void {
    flushTimer.cancel();
    pending = [];
    pendingRefs = [];
    pendingRecords = [];
    pendingByTime = new Map();
    newestPending = -1n;
  }

  function loadState(): void {
    // What waited to be written is gone first: a read that fails below must not leave it to be written.
    dropPending();
    const [next, storedRows, evicted] = sql.state.get() as [number, number, number];
    nextSeq = Math.max(nextSeq, next);
    stored = storedRows;
    evictedLogs = evicted;
    firstSeq = (sql.firstSeq.get() as number | null) ?? nextSeq;
    deletedBelow = firstSeq;
    const serviceRows = sql.services.all() as [number, string, number][];
    services.load(serviceRows.map(([id, name]) => [id, name]));
    servicesStored.load(serviceRows.map(([, name, newest]) => [name, newest]));
    resources.load(sql.resources.all() as [number, string][]);
    scopes.load(sql.scopes.all() as [number, string][]);
    const newest = sql.newestTime.get() as bigint | null;
    newestWritten = newest === null ? -1n : fromStoredTime(newest);
    pendingFirstSeq = nextSeq;
    jsonOf = new WeakMap();
    traces.clear();
    for (const [seq, traceId] of sql.refs.iterate() as IterableIterator<[number, string]>) traces.add(seq, traceId);
  }

  /** Memory read back from the file after a write rolled back: see FileReadBack. */
  const fileRead = new FileReadBack(loadState);

  function assertOpen(): void {
    if (closed) throw new Error("the SQLite log store is closed");
    fileRead.beforeUse();
  }

  function json(value: object, attributes: Attributes | undefined): string {
    let text = jsonOf.get(value);
    if (text === undefined) {
      text = encodeJson(value, attributes !== undefined && attributesHaveBoxedNumber(attributes));
      jsonOf.set(value, text);
    }
    return text;
  }

  const writeBatch = db.transaction((rows: unknown[], refs: unknown[]): number => {
    /** Each service's newest number in the batch (rows are in number order). */
    const newestOf = new Map<number, number>();
    for (let base = 0; base < rows.length; base += LOG_WIDTH) {
      const serviceId = services.idOf(rows[base + SERVICE] as string, (id, name) => sql.insertService.run(id, name));
      rows[base + SERVICE] = serviceId;
      newestOf.set(serviceId, rows[base] as number);
      rows[base + RESOURCE] = resources.idOf(rows[base + RESOURCE] as string, (id, text) =>
        sql.insertResource.run(id, text),
      );
      rows[base + SCOPE] = scopes.idOf(rows[base + SCOPE] as string, (id, text) => sql.insertScope.run(id, text));
    }
    for (const [serviceId, seq] of newestOf) sql.saveServiceNewest.run(seq, serviceId);
    const chunk = LOG_INSERT_CHUNK * LOG_WIDTH;
    for (let at = 0; at < rows.length; at += chunk) {
      const values = rows.length <= chunk ? rows : rows.slice(at, at + chunk);
      sql.insert(values.length / LOG_WIDTH).run(values);
    }
    const refChunk = LOG_INSERT_CHUNK * 2;
    for (let at = 0; at < refs.length; at += refChunk) {
      const values = refs.length <= refChunk ? refs : refs.slice(at, at + refChunk);
      sql.insertRefs(values.length / 2).run(values);
    }
    let deleted = 0;
    if (firstSeq > deletedBelow) {
      deleted = sql.deleteBelow.run(firstSeq).changes;
      sql.deleteRefsBelow.run(firstSeq);
    }
    sql.saveState.run(nextSeq, stored + rows.length / LOG_WIDTH - deleted, evictedLogs + deleted);
    return deleted;
  });

  /** Writes every pending record and applies retention: in the group's commit when there is one. */
  function flush(): void {
    if (options.commits !== undefined) options.commits.commit();
    else writePending();
  }

  /** Writes every pending record and applies retention, in one transaction (nested in the group's). */
  function writePending(): void {
    flushTimer.cancel();
    if (fileRead.unread || (pending.length === 0 && firstSeq <= deletedBelow)) return;
    const rows = pending;
    let deleted: number;
    try {
      deleted = writeBatch(rows, pendingRefs) as number;
    } catch (error) {
      // Rolled back: these records are lost; what is kept in memory is read back from the file (in
      // the group's commit, once its transaction rolled back: rolledBack).
      if (options.commits === undefined) fileRead.readOrLater();
      throw failedTo("write", error);
    }
    stored += rows.length / LOG_WIDTH - deleted;
    evictedLogs += deleted;
    deletedBelow = firstSeq;
    pending = [];
    pendingRefs = [];
    pendingRecords = [];
    if (pendingByTime.size > 0) pendingByTime = new Map();
    if (newestPending > newestWritten) newestWritten = newestPending;
    newestPending = -1n;
    pendingFirstSeq = nextSeq;
  }

  /**
   * The records in the file at each of `times`, by time: where a request sent again finds its records.
   * Rows evicted but not yet deleted are left out.
   */
  function writtenAt(times: readonly bigint[]): Map<bigint, StoredLog[]> {
    const found = new Map<bigint, StoredLog[]>();
    for (let at = 0; at < times.length; at += LOG_LOOKUP_CHUNK) {
      const chunk = times.slice(at, at + LOG_LOOKUP_CHUNK).map(toStoredTime);
      for (const row of sql.rowsAt(chunk.length).iterate(chunk) as IterableIterator<LogRow>) {
        if (Number(row[0]) < firstSeq) continue;
        const log = decodeLogRow(row, context);
        const same = found.get(log.record.timeUnixNano);
        if (same === undefined) found.set(log.record.timeUnixNano, [log]);
        else same.push(log);
      }
    }
    return found;
  }

  /**
   * Which records of `request` were stored before (see recordsStoredBefore): the times of those within
   * the rows' times are read from the file in one go, LOG_LOOKUP_CHUNK times a query, and from the
   * pending records.
   */
  function storedBefore(request: readonly LogRecord[]): StoredBefore | null {
    let oldestWritten = -1n;
    const oldestStored = (): bigint => {
      // A read in the write path: the sender is told it was the read that failed.
      const oldest = reading(() => sql.oldestTime.get() as bigint | null);
      oldestWritten = oldest === null ? newestWritten + 1n : fromStoredTime(oldest);
      // And the pending records' oldest time, found here rather than kept on every insert: only an
      // import asks (those evicted before they are written may be older, which only lowers the bound).
      let bound = oldestWritten;
      for (const time of pendingByTime.keys()) if (time < bound) bound = time;
      return bound;
    };
    let written: Map<bigint, StoredLog[]> | undefined;
    const storedAt = (time: bigint): StoredLog[] => {
      if (written === undefined) {
        const older = new Set<bigint>();
        for (const record of request) {
          const at = record.timeUnixNano;
          if (at <= newestWritten && at >= oldestWritten) older.add(at);
        }
        // A read in the write path: the sender is told it was the read that failed.
        written = reading(() => writtenAt([...older]));
      }
      const found = [...(written.get(time) ?? [])];
      const seqs = pendingByTime.get(time);
      if (seqs !== undefined) {
        for (const seq of typeof seqs === "number" ? [seqs] : seqs) {
          if (seq >= firstSeq) found.push({ seq, record: pendingRecords[seq - pendingFirstSeq] as LogRecord });
        }
      }
      return found;
    };
    const newest = newestPending > newestWritten ? newestPending : newestWritten;
    return recordsStoredBefore(request, newest, oldestStored, storedAt);
  }

  function addPendingTime(time: bigint, seq: number): void {
    const seqs = pendingByTime.get(time);
    if (seqs === undefined) pendingByTime.set(time, seq);
    else if (typeof seqs === "number") pendingByTime.set(time, [seqs, seq]);
    else seqs.push(seq);
  }

  function insertLogs(records: readonly LogRecord[], options: LogInsertOptions = {}): LogInsertResult {
    assertOpen();
    flushTimer.throwDeferred();
    if (records.length === 0) return { stored: [], duplicates: 0 };
    let fresh = records;
    let duplicates = 0;
    if (options.mayBeSentAgain !== false) {
      const request = options.request;
      let before = request === undefined ? undefined : verdicts.get(request);
      if (before === undefined) {
        before = storedBefore(request ?? records);
        if (request !== undefined) verdicts.set(request, before);
      }
      if (before !== null) ({ fresh, duplicates } = before.take(records, { firstSeq, nextSeq, maxLogs }));
      if (fresh.length === 0) return { stored: [], duplicates };
    }
    const first = nextSeq;
    for (const record of fresh) {
      const time = record.timeUnixNano;
      if (time > newestPending) newestPending = time;
      addPendingTime(time, nextSeq);
      pendingRecords.push(record);
      if (record.traceId !== null) {
        pendingRefs.push(nextSeq, record.traceId);
        traces.add(nextSeq, record.traceId);
      }
      servicesStored.add(record.service, nextSeq);
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
        pendingRecords.splice(0, dropped);
        pendingFirstSeq += dropped;
        evictedLogs += dropped;
        let refs = 0;
        while (refs < pendingRefs.length && (pendingRefs[refs] as number) < firstSeq) refs += 2;
        pendingRefs.splice(0, refs);
      }
      traces.evictBelow(firstSeq);
    }
    if (pending.length >= flushRecords * LOG_WIDTH) flush();
    else if (pending.length > 0) flushTimer.schedule();
    const out: StoredLog[] = [];
    for (let seq = Math.max(first, firstSeq); seq < nextSeq; seq++) {
      out.push({ seq, record: fresh[seq - first] as LogRecord });
    }
    return { stored: out, duplicates };
  }

  function listLogs(query: LogQuery): LogPage {
    assertOpen();
    flush();
    const filter = logFilter(query);
    if (query.afterSeq !== undefined) {
      const builder = new LogPageBuilder(query.limit);
      // Rows below firstSeq may wait for the next commit to delete them: they are evicted already.
      const after = Math.max(query.afterSeq, firstSeq - 1);
      for (const row of sql.rowsAfterSeq.iterate(after) as IterableIterator<LogRow>) {
        const log = decodeLogRow(row, context);
        if (filter.matches(log.record) && !builder.offer(log)) break;
      }
      return builder.page();
    }
    if (query.traceId !== undefined) {
      const logs: StoredLog[] = [];
      for (const seq of traces.seqsOf(query.traceId)) {
        const row = sql.rowBySeq.get(seq) as LogRow | undefined;
        if (row !== undefined) logs.push(decodeLogRow(row, context));
      }
      return traceLogPage(logs, query, filter);
    }
    const cursor = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor);
    let serviceId: number | undefined;
    if (query.service !== undefined) {
      serviceId = services.ids.get(query.service);
      if (serviceId === undefined) return query.count === true ? { logs: [], matched: 0 } : { logs: [] };
    }
    // The query's required text (LogFilter.needle), when it has no character JSON escapes, stands as
    // is in the JSON of every value or key it can be found in, so a row whose JSON lacks it cannot
    // match (other fields only add candidates, which the exact check on the decoded record settles).
    // An ASCII needle is looked for by SQLite itself: LIKE ignores the case of ASCII letters only, as
    // the needle's matcher does.
    const needle = filter.needle ?? "";
    const verbatim = filter.needle !== undefined && isJsonVerbatim(needle);
    const like = verbatim && isAscii(needle);
    const prefilter = verbatim && !like ? textMatcher(needle) : undefined;
    const shape: LogQueryShape = {
      spanId: query.spanId !== undefined,
      service: serviceId !== undefined,
      severity: query.minSeverity !== undefined,
      since: query.sinceUnixNano !== undefined,
      until: query.untilUnixNano !== undefined,
      cursor: cursor !== undefined,
      text: like,
      scopeKeys: -1,
      desc: query.order === "desc",
    };
    const params: Record<string, unknown> = {};
    if (query.spanId !== undefined) params.spanId = query.spanId;
    if (serviceId !== undefined) params.serviceId = serviceId;
    if (query.minSeverity !== undefined) params.minSeverity = severityRank(query.minSeverity);
    if (query.sinceUnixNano !== undefined) params.since = toStoredTime(query.sinceUnixNano);
    if (query.untilUnixNano !== undefined) params.until = toStoredTime(query.untilUnixNano);
    if (cursor !== undefined) {
      params.cursorTime = toStoredTime(cursor.timeUnixNano);
      params.cursorSeq = cursor.seq;
    }
    if (like) params.like = likePattern(needle);
    if (filter.scopes !== undefined) shape.scopeKeys = scopeFilter(filter.scopes, params);
    // SQL narrows in page order; every row is checked again on the decoded record, and rows are read
    // only until the page (and one more match) is found.
    // With `count`, rows go on being read past the page to count the matches, up to LOG_COUNT_BUDGET in all.
    const builder = new LogPageBuilder(query.limit, query.count === true ? LOG_COUNT_BUDGET : 0);
    for (const row of sql.list(shape).iterate(params) as IterableIterator<LogRow>) {
      if (prefilter !== undefined && !prefilter(row[8])) continue;
      const log = decodeLogRow(row, context);
      if (filter.matches(log.record) && !builder.offer(log)) break;
    }
    return builder.page();
  }

  /**
   * Binds the SQL side of a scope requirement (see LogQueryShape.scopeKeys): the ids of the scopes it
   * allows, and, for records of other scopes, the resources that have one of its keys and a pattern
   * per key and per text for the body, whose JSON holds an attribute key as `"key"` and text as it is
   * (see the needle above) when JSON escapes none of their characters. Returns the number of
   * patterns; -1 when SQLite cannot narrow (every scope allowed, a key or text written escaped, or
   * text LIKE cannot match in any case), and the decoded record alone is checked.
   */
  function scopeFilter(need: ScopeNeed, params: Record<string, unknown>): number {
    const allowed: number[] = [];
    for (const id of scopes.ids.values()) if (need.allows(scopes.valueOf(id))) allowed.push(id);
    if (allowed.length === scopes.ids.size) return -1;
    // An attribute key is matched exactly, so LIKE's case rule does not matter for it.
    if (!need.keys.every(isJsonVerbatim) || !need.texts.every((text) => isJsonVerbatim(text) && isAscii(text))) {
      return -1;
    }
    const withKey: number[] = [];
    for (const id of resources.ids.values()) {
      const resource = resources.valueOf(id);
      if (need.keys.some((key) => testIn(resource, { key }, present))) withKey.push(id);
    }
    params.scopes = JSON.stringify(allowed);
    params.resources = JSON.stringify(withKey);
    const patterns = [...need.keys.map((key) => likePattern(`"${key}"`)), ...need.texts.map(likePattern)];
    patterns.forEach((pattern, i) => {
      params[`key${i}`] = pattern;
    });
    return patterns.length;
  }

  function getLog(seq: number): StoredLog | undefined {
    assertOpen();
    if (!Number.isSafeInteger(seq) || seq < firstSeq || seq >= nextSeq) return undefined;
    if (seq >= pendingFirstSeq) {
      const record = pendingRecords[seq - pendingFirstSeq];
      return record === undefined ? undefined : { seq, record };
    }
    const row = sql.rowBySeq.get(seq) as LogRow | undefined;
    return row === undefined ? undefined : decodeLogRow(row, context);
  }

  function clear(): void {
    assertOpen();
    dropPending();
    newestWritten = -1n;
    traces.clear();
    servicesStored.clear();
    db.transaction(() => {
      sql.deleteAll.run();
      sql.deleteAllRefs.run();
      sql.saveState.run(nextSeq, 0, evictedLogs);
    })();
    stored = 0;
    firstSeq = nextSeq;
    deletedBelow = nextSeq;
    pendingFirstSeq = nextSeq;
  }

  loadState();
  // Chosen once the file's counts are read (they may choose it), before it applies (below).
  const maxLogs = chooseBound(options.maxLogs, { logs: stored, evictedLogs });
  options.commits?.join({
    hasPending: () => !fileRead.unread && (pending.length > 0 || firstSeq > deletedBelow),
    write: writePending,
    rolledBack: () => fileRead.readOrLater(),
  });
  // A smaller --max-logs than the file was filled with applies at once.
  if (stored > maxLogs) {
    firstSeq = nextSeq - maxLogs;
    traces.evictBelow(firstSeq);
    flush();
  }

  return {
    kind: "sqlite",
    insertLogs,
    listLogs,
    getLog,
    logServices() {
      assertOpen();
      return servicesStored.names(firstSeq);
    },
    committed: (mark) => options.commits?.committed(mark) ?? Promise.resolve(),
    commitMark: () => options.commits?.mark() ?? 0,
    clear,
    /** The counts as the next commit will leave them, without making the caller wait for it. */
    stats() {
      assertOpen();
      // Numbers are consecutive, so the rows in the file below firstSeq are those the commit deletes.
      const deleting = Math.min(stored, firstSeq - deletedBelow);
      return { logs: stored + pending.length / LOG_WIDTH - deleting, maxLogs, evictedLogs: evictedLogs + deleting };
    },
    lastSeq() {
      assertOpen();
      return nextSeq - 1;
    },
    close() {
      if (closed) return;
      closed = true;
      flush();
    },
  };
}
