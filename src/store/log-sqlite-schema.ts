/**
 * The log tables in the `--db` file and the statements on them. The span store owns
 * `PRAGMA user_version`, so these migrations count their own version in `log_schema` (as the
 * code-monitoring tables do in theirs); every table is prefixed `log_`.
 */
import { migrateCompanion } from "./companion-schema.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-schema.js";

/** Each entry upgrades the tables by one version; never edit a released one, append a new one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE log_services (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE log_resources (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
  CREATE TABLE log_scopes (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
  -- next_seq: the next arrival number (never reused, also after a clear); stored: rows in log_records;
  -- evicted: records dropped past the bound since the file was made.
  CREATE TABLE log_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_seq INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    evicted INTEGER NOT NULL
  );
  INSERT INTO log_state (id, next_seq, stored, evicted) VALUES (1, 1, 0, 0);
  -- seq: the arrival number (the record's id; retention deletes the lowest). time_ns: the record's
  -- time shifted by -2^63, so the whole unsigned range orders as SQLite's signed integers do.
  -- severity: the LogSeverity's rank (0 UNSPECIFIED … 6 FATAL). body: JSON [observed time (string),
  -- severity_number, severity_text, body, attributes, event_name, flags, dropped_attributes_count],
  -- prefixed "!" when non-finite numbers are boxed inside.
  CREATE TABLE log_records (
    seq INTEGER PRIMARY KEY,
    time_ns INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    trace_id TEXT,
    span_id TEXT,
    resource_id INTEGER NOT NULL,
    scope_id INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  -- Logs arrive nearly in time order, so this index is appended to.
  CREATE INDEX log_records_by_time ON log_records (time_ns, seq);
  -- Which trace each record is in, read into memory at open (the store's trace index): an index by
  -- trace id would take a random page per record; this table is appended to and evicted by seq.
  CREATE TABLE log_trace_refs (seq INTEGER PRIMARY KEY, trace_id TEXT NOT NULL);
  `,
  `
  -- newest_seq: the number of the service's newest record written (0: none), kept with each batch:
  -- the service has records stored while it is at or above the lowest number stored (log-services.ts).
  ALTER TABLE log_services ADD COLUMN newest_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE log_services SET newest_seq = newest.seq
    FROM (SELECT service_id, max(seq) AS seq FROM log_records GROUP BY service_id) AS newest
    WHERE newest.service_id = log_services.id;
  `,
  `
  -- No change to the tables: log_records.body may end with a record's dropped body entries (after
  -- observedOnArrival and bytes, which is {} when the record has none), which a version that knows 2
  -- would misread, so it refuses the file instead.
  `,
];

/** Brings the log tables to the current version; refuses a file from a newer tracekit-local. */
export function migrateLogs(db: SqliteDatabase): void {
  migrateCompanion(db, { versionTable: "log_schema", what: "log", migrations: MIGRATIONS });
}

export const LOG_COLUMNS = [
  "seq",
  "time_ns",
  "service_id",
  "severity",
  "trace_id",
  "span_id",
  "resource_id",
  "scope_id",
  "body",
] as const;
export const LOG_WIDTH = LOG_COLUMNS.length;
/** Rows per multi-row INSERT: binding is per parameter, preparing is per statement. */
export const LOG_INSERT_CHUNK = 100;
/** Times per lookup of the rows at given times (`rowsAt`). */
export const LOG_LOOKUP_CHUNK = 100;

/** A row as read back: [seq, time_ns, service_id, severity, trace_id, span_id, resource_id, scope_id, body]. */
export type LogRow = [bigint, bigint, bigint, bigint, string | null, string | null, bigint, bigint, string];

/** Which filters a list query has: each combination gets its own prepared statement (a trace's records are found by number). */
export interface LogQueryShape {
  spanId: boolean;
  service: boolean;
  severity: boolean;
  since: boolean;
  until: boolean;
  cursor: boolean;
  /** `body LIKE @like`: a prefilter for free text (see the store). */
  text: boolean;
  /**
   * A prefilter for a scope the query requires (see the store): the row's scope is one of `@scopes`,
   * or its resource one of `@resources`, or its body matches one of this many `@key0`… patterns (-1: none).
   */
  scopeKeys: number;
  desc: boolean;
}

function listSql(shape: LogQueryShape): string {
  const where: string[] = [];
  if (shape.spanId) where.push("span_id = @spanId");
  if (shape.service) where.push("service_id = @serviceId");
  if (shape.severity) where.push("severity >= @minSeverity");
  if (shape.since) where.push("time_ns >= @since");
  if (shape.until) where.push("time_ns <= @until");
  if (shape.text) where.push("body LIKE @like ESCAPE '\\'");
  if (shape.scopeKeys >= 0) {
    const either = [
      "scope_id IN (SELECT value FROM json_each(@scopes))",
      "resource_id IN (SELECT value FROM json_each(@resources))",
      ...Array.from({ length: shape.scopeKeys }, (_, i) => `body LIKE @key${i} ESCAPE '\\'`),
    ];
    where.push(`(${either.join(" OR ")})`);
  }
  if (shape.cursor) where.push(`(time_ns, seq) ${shape.desc ? "<" : ">"} (@cursorTime, @cursorSeq)`);
  const order = shape.desc ? "DESC" : "ASC";
  return (
    `SELECT ${LOG_COLUMNS.join(", ")} FROM log_records` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY time_ns ${order}, seq ${order}`
  );
}

export function prepareLogStatements(db: SqliteDatabase) {
  const inserts = new Map<number, SqliteStatement>();
  const refInserts = new Map<number, SqliteStatement>();
  const lookups = new Map<number, SqliteStatement>();
  const lists = new Map<string, SqliteStatement>();
  const tuple = `(${LOG_COLUMNS.map(() => "?").join(",")})`;
  return {
    state: db.prepare("SELECT next_seq, stored, evicted FROM log_state WHERE id = 1").raw().safeIntegers(false),
    saveState: db.prepare("UPDATE log_state SET next_seq = ?, stored = ?, evicted = ? WHERE id = 1"),
    firstSeq: db.prepare("SELECT min(seq) FROM log_records").pluck().safeIntegers(false),
    newestTime: db.prepare("SELECT max(time_ns) FROM log_records").pluck().safeIntegers(true),
    /** Read from the time index's first entry: rows evicted but not yet deleted may be older. */
    oldestTime: db.prepare("SELECT min(time_ns) FROM log_records").pluck().safeIntegers(true),
    services: db.prepare("SELECT id, name, newest_seq FROM log_services").raw().safeIntegers(false),
    resources: db.prepare("SELECT id, json FROM log_resources").raw().safeIntegers(false),
    scopes: db.prepare("SELECT id, json FROM log_scopes").raw().safeIntegers(false),
    insertService: db.prepare("INSERT INTO log_services (id, name) VALUES (?, ?)"),
    saveServiceNewest: db.prepare("UPDATE log_services SET newest_seq = ? WHERE id = ?"),
    insertResource: db.prepare("INSERT INTO log_resources (id, json) VALUES (?, ?)"),
    insertScope: db.prepare("INSERT INTO log_scopes (id, json) VALUES (?, ?)"),
    deleteBelow: db.prepare("DELETE FROM log_records WHERE seq < ?"),
    deleteRefsBelow: db.prepare("DELETE FROM log_trace_refs WHERE seq < ?"),
    deleteAll: db.prepare("DELETE FROM log_records"),
    deleteAllRefs: db.prepare("DELETE FROM log_trace_refs"),
    refs: db.prepare("SELECT seq, trace_id FROM log_trace_refs ORDER BY seq").raw().safeIntegers(false),
    rowBySeq: db
      .prepare(`SELECT ${LOG_COLUMNS.join(", ")} FROM log_records WHERE seq = ?`)
      .raw()
      .safeIntegers(true),
    /** Records in arrival order after a number (`LogQuery.afterSeq`), read until the page is found. */
    rowsAfterSeq: db
      .prepare(`SELECT ${LOG_COLUMNS.join(", ")} FROM log_records WHERE seq > ? ORDER BY seq`)
      .raw()
      .safeIntegers(true),
    /** The INSERT for `rows` rows (1 to LOG_INSERT_CHUNK), each prepared once. */
    insert(rows: number): SqliteStatement {
      let statement = inserts.get(rows);
      if (statement === undefined) {
        const values = Array.from({ length: rows }, () => tuple).join(",");
        statement = db.prepare(`INSERT INTO log_records (${LOG_COLUMNS.join(",")}) VALUES ${values}`);
        inserts.set(rows, statement);
      }
      return statement;
    },
    /** The INSERT for `rows` (seq, trace_id) pairs into log_trace_refs, each prepared once. */
    insertRefs(rows: number): SqliteStatement {
      let statement = refInserts.get(rows);
      if (statement === undefined) {
        const values = Array.from({ length: rows }, () => "(?,?)").join(",");
        statement = db.prepare(`INSERT INTO log_trace_refs (seq, trace_id) VALUES ${values}`);
        refInserts.set(rows, statement);
      }
      return statement;
    },
    /** The rows whose stored time is one of `times` (1 to LOG_LOOKUP_CHUNK of them), raw, 64-bit integers as bigint. */
    rowsAt(times: number): SqliteStatement {
      let statement = lookups.get(times);
      if (statement === undefined) {
        const list = Array.from({ length: times }, () => "?").join(",");
        statement = db
          .prepare(`SELECT ${LOG_COLUMNS.join(", ")} FROM log_records WHERE time_ns IN (${list})`)
          .raw()
          .safeIntegers(true);
        lookups.set(times, statement);
      }
      return statement;
    },
    /** The list query for a shape, rows raw with 64-bit integers as bigint. */
    list(shape: LogQueryShape): SqliteStatement {
      const key = JSON.stringify(shape);
      let statement = lists.get(key);
      if (statement === undefined) {
        statement = db.prepare(listSql(shape)).raw().safeIntegers(true);
        lists.set(key, statement);
      }
      return statement;
    },
  };
}

export type LogStatements = ReturnType<typeof prepareLogStatements>;
