/**
 * The SQLite store's schema (ordered migrations keyed by `PRAGMA user_version`) and every SQL
 * statement it runs, prepared in one place. Only the span store (sqlite-store.ts and its parts) uses this module.
 */

import type { SpanBody } from "./sqlite-span-codec.js";

/** The subset of better-sqlite3 the store uses; typed here so the addon's types are not a build dependency. */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): this;
  raw(toggle?: boolean): this;
  safeIntegers(toggle?: boolean): this;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): this;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  defaultSafeIntegers(toggle?: boolean): this;
  close(): this;
  readonly inTransaction: boolean;
}

export type SqliteDriver = new (path: string, options?: { timeout?: number }) => SqliteDatabase;

/** "TKLU" in `PRAGMA application_id`: tells our files from other programs' databases. */
export const APPLICATION_ID = 0x544b4c55;

/**
 * Span rows are keyed `seq * SPAN_SLOTS + n` (the trace's arrival number, then the span's place in
 * the trace): a trace's spans sit together in the table's own b-tree, so reading, de-duplicating and
 * evicting a trace need no secondary index, and a new trace's spans append at the end.
 * 2^21 spans per trace and 2^32 traces keep every key below 2^53, exact as a JS number.
 */
export const SPAN_SLOTS = 2 ** 21;
export const MAX_TRACE_SEQ = 2 ** 32;

/** Each entry upgrades the schema by one version; never edit a released one, append a new one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE counters (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    spans INTEGER NOT NULL,
    traces INTEGER NOT NULL
  );
  INSERT INTO counters (id, spans, traces) VALUES (1, 0, 0);

  CREATE TABLE services (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE resources (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
  CREATE TABLE scopes (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);

  -- One row per trace, rewritten in the same transaction as its spans. seq is the arrival order
  -- (retention evicts the lowest first). services: JSON array of names in first-seen order.
  CREATE TABLE traces (
    seq INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL UNIQUE,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    span_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    root_name TEXT,
    root_service TEXT,
    first_name TEXT NOT NULL,
    first_service TEXT NOT NULL,
    services TEXT NOT NULL
  );
  CREATE INDEX traces_by_start ON traces (start_ns, trace_id);

  -- The newest-first walk for one service: (service, start, trace id) in key order.
  CREATE TABLE trace_services (
    service_id INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    trace_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (service_id, start_ns, trace_id)
  ) WITHOUT ROWID;

  -- The narrow columns listServices scans come first. attributes/events/links/extra are JSON;
  -- search is spanSearchText() (already lower-cased) for free-text queries.
  CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    status_message TEXT,
    flags INTEGER,
    trace_state TEXT,
    resource_id INTEGER NOT NULL,
    scope_id INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    events TEXT,
    links TEXT,
    extra TEXT,
    search TEXT NOT NULL
  );
  `,
  // The trace list's order, per-service lists and lookups by trace id moved into memory (the store
  // keeps every trace's summary there): these indexes took a random page per new trace, and each
  // flush rewrote most of their pages. `traces` is now appended to by arrival number only.
  `
  DROP TABLE trace_services;
  DROP INDEX traces_by_start;
  CREATE TABLE traces_by_arrival (
    seq INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    span_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    root_name TEXT,
    root_service TEXT,
    first_name TEXT NOT NULL,
    first_service TEXT NOT NULL,
    services TEXT NOT NULL
  );
  INSERT INTO traces_by_arrival SELECT seq, trace_id, start_ns, end_ns, span_count, error_count, root_name,
    root_service, first_name, first_service, services FROM traces;
  DROP TABLE traces;
  ALTER TABLE traces_by_arrival RENAME TO traces;
  `,
  // Free-text search reads the span's own columns (the text is built from them when a query asks):
  // the pre-built text was ~30% of every span row, paid for on every insert and rarely read.
  `
  ALTER TABLE spans DROP COLUMN search;
  `,
  // A span is one row of the columns queries filter on plus one JSON `body`: binding each parameter
  // costs time, and free-text search reads the body.
  `
  -- body: JSON [span_id, parent_span_id, name, kind, status_message, flags, trace_state, attributes,
  -- events, links, extra], prefixed with "!" when non-finite numbers are boxed inside (see the store).
  CREATE TABLE span_rows (
    id INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    resource_id INTEGER NOT NULL,
    scope_id INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  INSERT INTO span_rows SELECT id, service_id, start_ns, end_ns, status_code, resource_id, scope_id,
    CASE WHEN substr(attributes, 1, 1) = '!' OR substr(events, 1, 1) = '!' OR substr(links, 1, 1) = '!'
      THEN '!' ELSE '' END ||
    json_array(span_id, parent_span_id, name, kind, status_message, flags, trace_state,
      json(CASE WHEN substr(attributes, 1, 1) = '!' THEN substr(attributes, 2) ELSE attributes END),
      json(CASE WHEN substr(events, 1, 1) = '!' THEN substr(events, 2) ELSE events END),
      json(CASE WHEN substr(links, 1, 1) = '!' THEN substr(links, 2) ELSE links END),
      json(extra))
    FROM spans;
  DROP TABLE spans;
  ALTER TABLE span_rows RENAME TO spans;
  -- A span's attributes are stored as values whose keys are listed once here (keys: JSON array).
  CREATE TABLE attribute_shapes (id INTEGER PRIMARY KEY, keys TEXT NOT NULL);
  `,
  // The trace list says what failed (TraceAggregate.errorMessage); traces stored before have none.
  `
  ALTER TABLE traces ADD COLUMN error_message TEXT;
  `,
  // The trace list marks traces with LLM calls (TraceAggregate's llm totals); traces stored before have none.
  `
  -- llm: JSON [calls, input tokens, output tokens, usd or null, unpriced calls], NULL without LLM calls.
  ALTER TABLE traces ADD COLUMN llm TEXT;
  `,
  // Per-operation statistics come back at open without reading every span (sqlite-operation-stats.ts):
  // each operation once, and what each trace's spans added to them as tokens, keyed like the spans
  // (`seq * SPAN_SLOTS` + the first span's place) so eviction deletes the same key range. Files
  // from before have no tokens: the store fills them in once, from the spans, at first open.
  `
  CREATE TABLE stats_operations (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    kind INTEGER NOT NULL,
    name TEXT NOT NULL,
    peer TEXT,
    query TEXT NOT NULL,
    overflow INTEGER NOT NULL
  );
  CREATE TABLE span_stats (id INTEGER PRIMARY KEY, tokens BLOB NOT NULL);
  `,
  // Entry spans inside another of their service's are their own operations, not counted as requests
  // (operation-stats.ts); operations stored before are not nested.
  `
  ALTER TABLE stats_operations ADD COLUMN nested INTEGER NOT NULL DEFAULT 0;
  `,
  // What retention evicted, kept across restarts as the log store's count is (files from before count from 0).
  `
  ALTER TABLE counters ADD COLUMN evicted_traces INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE counters ADD COLUMN evicted_spans INTEGER NOT NULL DEFAULT 0;
  `,
  // Which traces retention evicted (fingerprints of their ids, as evicted-traces.ts keeps them: 8 bytes
  // each, one row per commit that evicted, the oldest deleted past the store's capacity for them), so
  // that late spans of a trace evicted before a restart are dropped after it too.
  `
  CREATE TABLE evicted_fingerprints (seq INTEGER PRIMARY KEY, fingerprints BLOB NOT NULL);
  `,
  // What a trace's error message came from (TraceAggregate.errorOrigin), so that a failure arriving
  // after a restart competes with it as it would have before; NULL in rows from before.
  `
  ALTER TABLE traces ADD COLUMN error_exception INTEGER;
  ALTER TABLE traces ADD COLUMN error_start_ns INTEGER;
  `,
  // The span where a trace's failure started (TraceAggregate.errorOrigin: JSON [span_id, parent_span_id,
  // kind, service, end_ns as text]), so that a failure below it arriving after a restart takes its
  // place as it would have before; NULL in rows from before.
  `
  ALTER TABLE traces ADD COLUMN error_span TEXT;
  `,
  // Each minute's shortest and longest duration per series with latency (sqlite-operation-stats.ts),
  // which tokens do not keep, so that percentiles read the same after a restart. Files from before
  // have none: their minutes stay bounded by their buckets' edges.
  `
  -- series: an operation's id, 0 for the service's entry spans, -1 for its root spans; minute: unix
  -- minutes of span start; low_ns, high_ns: at most the shortest and at least the longest duration.
  CREATE TABLE stats_bounds (
    service TEXT NOT NULL,
    series INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    low_ns REAL NOT NULL,
    high_ns REAL NOT NULL,
    PRIMARY KEY (service, series, minute)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown for a file we must not open; the message is one line the CLI can print as is. */
export class SchemaError extends Error {
  override name = "SchemaError";
}

/**
 * Refuses a file that belongs to another program or a newer version, and returns its schema version
 * (0 for a new or empty file). It only reads: openDatabase calls it before any pragma that writes the
 * file (WAL mode rewrites its header), so a refused file is left as it was.
 */
export function checkOwnFile(db: SqliteDatabase): number {
  const version = Number(db.pragma("user_version", { simple: true }));
  const applicationId = Number(db.pragma("application_id", { simple: true }));
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new SchemaError("it is a SQLite database of another program");
  }
  if (version === 0) {
    const objects = Number(db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get());
    if (objects > 0 && applicationId !== APPLICATION_ID) {
      throw new SchemaError("it is a SQLite database of another program (it already has tables)");
    }
  }
  if (version > SCHEMA_VERSION) {
    throw new SchemaError(
      `it was written by a newer tracekit-local (schema ${version}, this one knows ${SCHEMA_VERSION})`,
    );
  }
  return version;
}

/** Brings a database to SCHEMA_VERSION, refusing files that belong to another program or a newer version. */
export function migrate(db: SqliteDatabase): void {
  const version = checkOwnFile(db);
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next] as string);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}

/** Columns of a span row, in insert order; the store fills one flat parameter array per batch. */
export const SPAN_COLUMNS = [
  "id",
  "service_id",
  "start_ns",
  "end_ns",
  "status_code",
  "resource_id",
  "scope_id",
  "body",
] as const;
export const SPAN_WIDTH = SPAN_COLUMNS.length;

/** Rows per multi-row INSERT: one statement step per chunk instead of per span (200 measured a few % over 50). */
export const SPAN_INSERT_CHUNK = 200;

const TRACE_COLUMNS =
  "seq, trace_id, start_ns, end_ns, span_count, error_count, root_name, root_service, first_name, first_service, services, error_message, llm, error_exception, error_start_ns, error_span";

/** A trace row as the statements below return it (raw mode). */
export type TraceRow = [
  seq: bigint,
  traceId: string,
  startNs: bigint,
  endNs: bigint,
  spanCount: bigint,
  errorCount: bigint,
  rootName: string | null,
  rootService: string | null,
  firstName: string,
  firstService: string,
  servicesJson: string,
  errorMessage: string | null,
  llmJson: string | null,
  errorException: bigint | null,
  errorStartNs: bigint | null,
  errorSpanJson: string | null,
];

/**
 * A span row as `spansOfTrace` writes it, one JSON text (prefixed "!" when its body is): the times as
 * decimal strings (JSON numbers would round them), the body (SpanBody) as stored.
 */
export type SpanRowJson = [
  serviceId: number,
  startNs: string,
  endNs: string,
  statusCode: number,
  resourceId: number,
  scopeId: number,
  body: SpanBody,
];

function spanInsertSql(rows: number): string {
  // The body is bound as UTF-8 bytes (SpanBodyEncoder): cast, it is stored as the text it is.
  const tuple = `(${SPAN_COLUMNS.map((column) => (column === "body" ? "CAST(? AS TEXT)" : "?")).join(",")})`;
  return `INSERT INTO spans (${SPAN_COLUMNS.join(",")}) VALUES ${Array.from({ length: rows }, () => tuple).join(",")}`;
}

/** How much of a span's body the outline reads: room for two 16-hex ids and the JSON around them. */
export const SPAN_HEAD_CHARS = 64;

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: SqliteDatabase) {
  const spanInserts = new Map<number, SqliteStatement>();
  return {
    /** The INSERT for `rows` span rows (1 to SPAN_INSERT_CHUNK), each prepared once. */
    spanInsert(rows: number): SqliteStatement {
      let statement = spanInserts.get(rows);
      if (statement === undefined) {
        statement = db.prepare(spanInsertSql(rows));
        spanInserts.set(rows, statement);
      }
      return statement;
    },
    spanIdsOfTrace: db.prepare("SELECT ltrim(body, '!') ->> 0 FROM spans WHERE id >= ? AND id < ?").pluck(),
    /**
     * The row keys and bodies' heads (see spanOutlineOfTrace) of at most `limit` of the spans at
     * [low, high): their ids and parents' ids, for linking a failing trace's spans (readSpanLinks).
     */
    spanHeadsOfTrace: db
      .prepare(`SELECT id, substr(body, 1, ${SPAN_HEAD_CHARS}) FROM spans WHERE id >= ? AND id < ? LIMIT ?`)
      .raw(),
    /**
     * The rows that may be of spans with an id, newest first: a body starts with the id (`["<id>",`,
     * or `!["<id>",` when numbers are boxed in it), found by LIKE (any case: see spanIdOfRow) with
     * `\` escaping; only a body that starts with "!" is tried for the second form. A scan of every
     * row: ~65 ms of CPU at 350,000 spans (bench/span-id.mjs) once per look-up, not an index's cost on every insert.
     */
    spanRowsWithId: db
      .prepare(
        "SELECT id FROM spans WHERE body LIKE ? ESCAPE '\\' OR (body < '[' AND body LIKE ? ESCAPE '\\') ORDER BY id DESC",
      )
      .pluck(),
    spanIdOfRow: db.prepare("SELECT ltrim(body, '!') ->> 0 FROM spans WHERE id = ?").pluck(),
    traceIdOfSeq: db.prepare("SELECT trace_id FROM traces WHERE seq = ?").pluck(),
    // One text per row (SpanRowJson) rather than a row of columns: better-sqlite3 makes an array and a
    // value per column, which for 100,000 spans took about twice as long as SQLite writing the text.
    spansOfTrace: db
      .prepare(
        `SELECT CASE WHEN substr(body, 1, 1) = '!' THEN '!' ELSE '' END
           || '[' || service_id || ',"' || start_ns || '","' || end_ns || '",' || status_code
           || ',' || resource_id || ',' || scope_id || ',' || ltrim(body, '!') || ']'
         FROM spans WHERE id >= ? AND id < ? ORDER BY start_ns, id`,
      )
      .pluck(),
    /** One span's row as spansOfTrace writes it. */
    spanRowById: db
      .prepare(
        `SELECT CASE WHEN substr(body, 1, 1) = '!' THEN '!' ELSE '' END
           || '[' || service_id || ',"' || start_ns || '","' || end_ns || '",' || status_code
           || ',' || resource_id || ',' || scope_id || ',' || ltrim(body, '!') || ']'
         FROM spans WHERE id = ?`,
      )
      .pluck(),
    /**
     * The outline of the spans at [low, high), in row order (spans of one start in spansOfTrace's
     * order; sorting all by start here took as long as the rest of the read): row key, stored start and the
     * body's head, which starts with the span's id and its parent's (`["<id>","<parent>"` or `,null`):
     * read as text, as a JSON path would parse each whole body (twice the time at 100,000 spans).
     */
    spanOutlineOfTrace: db
      .prepare(
        `SELECT id, CAST(start_ns AS TEXT), substr(body, 1, ${SPAN_HEAD_CHARS})
         FROM spans WHERE id >= ? AND id < ?`,
      )
      .raw(),
    /** A span's id and its parent's, from its body parsed whole: for a head spanOutlineOfTrace could not read. */
    spanIdsOfRow: db.prepare("SELECT ltrim(body, '!') ->> 0, ltrim(body, '!') ->> 1 FROM spans WHERE id = ?").raw(),
    deleteSpansBelow: db.prepare("DELETE FROM spans WHERE id < ?"),
    deleteSpansBetween: db.prepare("DELETE FROM spans WHERE id >= ? AND id < ?"),
    /** The stored times of the spans at [low, high) whose start is set (not 0): see StoredTraces.retimeUnsetStart. */
    timedSpanTimes: db.prepare("SELECT start_ns, end_ns FROM spans WHERE id >= ? AND id < ? AND start_ns != 0").raw(),

    /** What free-text search looks at, for the spans at [low, high). */
    spanBodies: db.prepare("SELECT body FROM spans WHERE id >= ? AND id < ?").pluck(),

    allTraces: db.prepare(`SELECT ${TRACE_COLUMNS} FROM traces ORDER BY seq`).raw(),
    traceInsert: db.prepare(
      `INSERT INTO traces (${TRACE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    traceUpdate: db.prepare(
      `UPDATE traces SET start_ns = ?, end_ns = ?, span_count = ?, error_count = ?, root_name = ?, root_service = ?,
       first_name = ?, first_service = ?, services = ?, error_message = ?, llm = ?, error_exception = ?,
       error_start_ns = ?, error_span = ? WHERE seq = ?`,
    ),
    deleteTracesUpTo: db.prepare("DELETE FROM traces WHERE seq <= ?"),
    deleteTrace: db.prepare("DELETE FROM traces WHERE seq = ?"),
    /** The traces holding more than ? spans, oldest arrival first (see sqlite-oversize.ts). */
    tracesLargerThan: db
      .prepare("SELECT seq, trace_id, span_count FROM traces WHERE span_count > ? ORDER BY seq")
      .raw(),

    /** Every span row's fields that per-operation statistics read, in key order (to fill in a file's tokens once). */
    allSpanStatsFields: db
      .prepare("SELECT id, service_id, start_ns, end_ns, status_code, body, scope_id FROM spans ORDER BY id")
      .raw(),
    /** One trace's entry spans (SERVER, CONSUMER), with what per-operation statistics read (see EntryMark). */
    entrySpanFieldsOfTrace: db
      .prepare(
        "SELECT id, service_id, start_ns, end_ns, status_code, body FROM spans WHERE id >= ? AND id < ? AND ltrim(body, '!') ->> 3 IN (2, 5)",
      )
      .raw(),
    allStatsOperations: db
      .prepare("SELECT id, service, kind, name, peer, query, overflow, nested FROM stats_operations")
      .raw(),
    statsOperationInsert: db.prepare(
      "INSERT INTO stats_operations (id, service, kind, name, peer, query, overflow, nested) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    statsOperationDelete: db.prepare("DELETE FROM stats_operations WHERE id = ?"),
    allSpanStats: db.prepare("SELECT id, tokens FROM span_stats ORDER BY id").raw(),
    spanStatsInsert: db.prepare("INSERT INTO span_stats (id, tokens) VALUES (?, ?)"),
    spanStatsBetween: db.prepare("SELECT tokens FROM span_stats WHERE id >= ? AND id < ? ORDER BY id DESC").pluck(),
    deleteSpanStatsBelow: db.prepare("DELETE FROM span_stats WHERE id < ?"),
    deleteSpanStatsBetween: db.prepare("DELETE FROM span_stats WHERE id >= ? AND id < ?"),
    allStatsBounds: db.prepare("SELECT service, series, minute, low_ns, high_ns FROM stats_bounds").raw(),
    statsBoundsUpsert: db.prepare(
      "INSERT OR REPLACE INTO stats_bounds (service, series, minute, low_ns, high_ns) VALUES (?, ?, ?, ?, ?)",
    ),
    statsBoundsDelete: db.prepare("DELETE FROM stats_bounds WHERE service = ? AND series = ? AND minute = ?"),
    clearStats: () => db.exec("DELETE FROM span_stats; DELETE FROM stats_operations; DELETE FROM stats_bounds;"),

    allServices: db.prepare("SELECT id, name FROM services").raw(),
    allShapes: db.prepare("SELECT id, keys FROM attribute_shapes").raw(),
    allScopes: db.prepare("SELECT id, json FROM scopes").raw(),
    shapeInsert: db.prepare("INSERT INTO attribute_shapes (id, keys) VALUES (?, ?)"),
    serviceInsert: db.prepare("INSERT INTO services (name) VALUES (?)"),
    resourceIdByJson: db.prepare("SELECT id FROM resources WHERE json = ?").pluck(),
    resourceInsert: db.prepare("INSERT INTO resources (json) VALUES (?)"),
    resourceJsonById: db.prepare("SELECT json FROM resources WHERE id = ?").pluck(),
    scopeIdByJson: db.prepare("SELECT id FROM scopes WHERE json = ?").pluck(),
    scopeInsert: db.prepare("INSERT INTO scopes (json) VALUES (?)"),
    scopeJsonById: db.prepare("SELECT json FROM scopes WHERE id = ?").pluck(),

    counters: db.prepare("SELECT spans, traces, evicted_traces, evicted_spans FROM counters WHERE id = 1").raw(),
    evictedFingerprints: db.prepare("SELECT seq, fingerprints FROM evicted_fingerprints ORDER BY seq").raw(),
    evictedFingerprintsInsert: db.prepare("INSERT INTO evicted_fingerprints (seq, fingerprints) VALUES (?, ?)"),
    evictedFingerprintsDeleteThrough: db.prepare("DELETE FROM evicted_fingerprints WHERE seq <= ?"),
    lastEvictedFingerprintsSeq: db.prepare("SELECT max(seq) FROM evicted_fingerprints").pluck(),
    countersUpdate: db.prepare(
      "UPDATE counters SET spans = ?, traces = ?, evicted_traces = ?, evicted_spans = ? WHERE id = 1",
    ),

    clearAll: () =>
      db.exec(
        "DELETE FROM spans; DELETE FROM span_stats; DELETE FROM stats_operations; DELETE FROM stats_bounds; DELETE FROM traces; DELETE FROM attribute_shapes; DELETE FROM resources; DELETE FROM scopes; DELETE FROM services; DELETE FROM evicted_fingerprints; UPDATE counters SET spans = 0, traces = 0;",
      ),
  };
}
