/**
 * The SQLite store's schema (ordered migrations keyed by `PRAGMA user_version`) and every SQL
 * statement it runs, prepared in one place. Only sqlite-store.ts uses this module.
 */

/** The subset of better-sqlite3 the store uses; typed here so the addon's types are not a build dependency. */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown for a file we must not open; the message is one line the CLI can print as is. */
export class SchemaError extends Error {
  override name = "SchemaError";
}

/** Brings a database to SCHEMA_VERSION, refusing files that belong to another program or a newer version. */
export function migrate(db: SqliteDatabase): void {
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
  "span_id",
  "parent_span_id",
  "name",
  "kind",
  "status_message",
  "flags",
  "trace_state",
  "resource_id",
  "scope_id",
  "attributes",
  "events",
  "links",
  "extra",
  "search",
] as const;
export const SPAN_WIDTH = SPAN_COLUMNS.length;

/** Rows per multi-row INSERT: one statement step per chunk instead of per span. */
export const SPAN_INSERT_CHUNK = 50;

const TRACE_COLUMNS =
  "t.trace_id, t.start_ns, t.end_ns, t.span_count, t.error_count, t.root_name, t.root_service, t.first_name, t.first_service, t.services";

/** A trace row as the statements below return it (raw mode). */
export type TraceRow = [
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
];

/** A span row as `spansOfTrace` returns it (raw mode). */
export type SpanRow = [
  serviceId: bigint,
  startNs: bigint,
  endNs: bigint,
  statusCode: bigint,
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: bigint,
  statusMessage: string | null,
  flags: bigint | null,
  traceState: string | null,
  resourceId: bigint,
  scopeId: bigint,
  attributes: string,
  events: string | null,
  links: string | null,
  extra: string | null,
];

export interface TraceListShape {
  service: boolean;
  cursor: boolean;
  errorsOnly: boolean;
  minDuration: boolean;
  name: boolean;
  text: boolean;
}

function spanInsertSql(rows: number): string {
  const tuple = `(${SPAN_COLUMNS.map(() => "?").join(",")})`;
  return `INSERT INTO spans (${SPAN_COLUMNS.join(",")}) VALUES ${Array.from({ length: rows }, () => tuple).join(",")}`;
}

/**
 * The trace-list query for one combination of filters. Both shapes walk an index newest first
 * (traces_by_start, or trace_services' key for one service) and stop after LIMIT matches.
 * Parameters, in order: service id, cursor start, cursor id, min duration (ms), name, needle, limit.
 */
function traceListSql(shape: TraceListShape): string {
  const where: string[] = [];
  const keyTable = shape.service ? "s" : "t";
  if (shape.service) where.push("s.service_id = ?");
  if (shape.cursor) where.push(`(${keyTable}.start_ns, ${keyTable}.trace_id) < (?, ?)`);
  if (shape.errorsOnly) where.push("t.error_count > 0");
  // The same arithmetic as durationMs(): (end - start) as a double, divided by 1e6, 0 when negative.
  if (shape.minDuration) where.push("max(t.end_ns - t.start_ns, 0) / 1e6 >= ?");
  if (shape.name) where.push("instr(lower(coalesce(t.root_name, t.first_name)), ?) > 0");
  if (shape.text) {
    where.push(
      `EXISTS (SELECT 1 FROM spans p WHERE p.id >= t.seq * ${SPAN_SLOTS} AND p.id < (t.seq + 1) * ${SPAN_SLOTS} AND instr(p.search, ?) > 0)`,
    );
  }
  const from = shape.service
    ? "trace_services s CROSS JOIN traces t ON t.seq = s.seq"
    : "traces t INDEXED BY traces_by_start";
  return (
    `SELECT ${TRACE_COLUMNS} FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY ${keyTable}.start_ns DESC, ${keyTable}.trace_id DESC LIMIT ?`
  );
}

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: SqliteDatabase) {
  const spanInserts = new Map<number, SqliteStatement>();
  const traceLists = new Map<string, SqliteStatement>();
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
    spanIdsOfTrace: db.prepare("SELECT span_id FROM spans WHERE id >= ? AND id < ?").pluck(),
    spansOfTrace: db
      .prepare(
        `SELECT ${SPAN_COLUMNS.slice(1, -1).join(", ")} FROM spans WHERE id >= ? AND id < ? ORDER BY start_ns, id`,
      )
      .raw(),
    deleteSpansBelow: db.prepare("DELETE FROM spans WHERE id < ?"),

    traceSeqById: db.prepare("SELECT seq FROM traces WHERE trace_id = ?").pluck(),
    traceStateById: db.prepare(`SELECT t.seq, ${TRACE_COLUMNS} FROM traces t WHERE t.trace_id = ?`).raw(),
    traceSummaryById: db.prepare(`SELECT ${TRACE_COLUMNS} FROM traces t WHERE t.trace_id = ?`).raw(),
    traceInsert: db.prepare(
      `INSERT INTO traces (seq, trace_id, start_ns, end_ns, span_count, error_count, root_name, root_service, first_name, first_service, services)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    traceUpdate: db.prepare(
      `UPDATE traces SET start_ns = ?, end_ns = ?, span_count = ?, error_count = ?, root_name = ?, root_service = ?,
       first_name = ?, first_service = ?, services = ? WHERE seq = ?`,
    ),
    maxTraceSeq: db.prepare("SELECT max(seq) FROM traces").pluck(),
    oldestTraces: db
      .prepare("SELECT seq, trace_id, start_ns, span_count, services FROM traces WHERE seq > ? ORDER BY seq LIMIT ?")
      .raw(),
    deleteTracesUpTo: db.prepare("DELETE FROM traces WHERE seq <= ?"),

    traceServiceInsert: db.prepare(
      "INSERT OR REPLACE INTO trace_services (service_id, start_ns, trace_id, seq) VALUES (?, ?, ?, ?)",
    ),
    traceServiceDelete: db.prepare("DELETE FROM trace_services WHERE service_id = ? AND start_ns = ? AND trace_id = ?"),
    traceCountsByService: db.prepare("SELECT service_id, count(*) FROM trace_services GROUP BY service_id").raw(),

    /**
     * Per service: span count, error count, and the nearest-rank p50/p95/p99 span durations
     * (rank = ceil(p * n / 100), as domain/percentile.ts computes it), sorted inside SQLite.
     */
    serviceSpanStats: db
      .prepare(
        `SELECT service_id, n, errors, rn, dur FROM (
           SELECT service_id, dur,
             row_number() OVER w AS rn,
             count(*) OVER w_all AS n,
             sum(status_code = 2) OVER w_all AS errors
           FROM (SELECT service_id, status_code, max(end_ns - start_ns, 0) AS dur FROM spans)
           WINDOW w AS (PARTITION BY service_id ORDER BY dur),
                  w_all AS (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
         )
         WHERE rn = max((50 * n + 99) / 100, 1) OR rn = max((95 * n + 99) / 100, 1) OR rn = max((99 * n + 99) / 100, 1)`,
      )
      .raw(),

    allServices: db.prepare("SELECT id, name FROM services").raw(),
    serviceInsert: db.prepare("INSERT INTO services (name) VALUES (?)"),
    resourceIdByJson: db.prepare("SELECT id FROM resources WHERE json = ?").pluck(),
    resourceInsert: db.prepare("INSERT INTO resources (json) VALUES (?)"),
    resourceJsonById: db.prepare("SELECT json FROM resources WHERE id = ?").pluck(),
    scopeIdByJson: db.prepare("SELECT id FROM scopes WHERE json = ?").pluck(),
    scopeInsert: db.prepare("INSERT INTO scopes (json) VALUES (?)"),
    scopeJsonById: db.prepare("SELECT json FROM scopes WHERE id = ?").pluck(),

    counters: db.prepare("SELECT spans, traces FROM counters WHERE id = 1").raw(),
    countersUpdate: db.prepare("UPDATE counters SET spans = ?, traces = ? WHERE id = 1"),

    clearAll: () =>
      db.exec(
        "DELETE FROM spans; DELETE FROM trace_services; DELETE FROM traces; DELETE FROM resources; DELETE FROM scopes; DELETE FROM services; UPDATE counters SET spans = 0, traces = 0;",
      ),

    /** The prepared list query for one filter combination (at most 32, each prepared once). */
    traceList(shape: TraceListShape): SqliteStatement {
      const key = `${+shape.service}${+shape.cursor}${+shape.errorsOnly}${+shape.minDuration}${+shape.name}${+shape.text}`;
      let statement = traceLists.get(key);
      if (statement === undefined) {
        statement = db.prepare(traceListSql(shape)).raw();
        traceLists.set(key, statement);
      }
      return statement;
    },
  };
}
