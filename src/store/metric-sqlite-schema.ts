/**
 * The metric tables in the `--db` file. The span store owns `PRAGMA user_version`, so these
 * migrations count their own version in `metric_schema`; every table is prefixed `mt_`.
 */
import { migrateCompanion } from "./companion-schema.js";
import type { SqliteDatabase } from "./sqlite-schema.js";

/** Each entry upgrades the tables by one version; never edit a released one, append a new one. */
const MIGRATIONS: readonly string[] = [
  `
  -- descriptor: the MetricDescriptor as JSON; attribute_keys: JSON array; last_time_ns: decimal text.
  CREATE TABLE mt_metrics (
    name TEXT PRIMARY KEY,
    descriptor TEXT NOT NULL,
    attribute_keys TEXT NOT NULL,
    last_time_ns TEXT NOT NULL
  );
  -- One row per series. state: its reading state, newest time, exemplars and next raw key as JSON.
  CREATE TABLE mt_series (
    id INTEGER PRIMARY KEY,
    metric TEXT NOT NULL,
    service TEXT NOT NULL,
    attributes TEXT NOT NULL,
    descriptor TEXT NOT NULL,
    state TEXT NOT NULL
  );
  -- A series' stored entries: tier 0 raw (key: arrival number), the others rollups (key: interval start).
  CREATE TABLE mt_entries (
    series_id INTEGER NOT NULL,
    tier INTEGER NOT NULL,
    key INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (series_id, tier, key)
  ) WITHOUT ROWID;
  CREATE TABLE mt_counters (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    points INTEGER NOT NULL,
    dropped_series INTEGER NOT NULL,
    dropped_points INTEGER NOT NULL
  );
  INSERT INTO mt_counters (id, points, dropped_series, dropped_points) VALUES (1, 0, 0, 0);
  `,
  `
  -- The keys of each series' newest points (see PointKeys), in the batches they were written in: one
  -- row per series per write. keys: 20 bytes a key (time and start time as unsigned 64-bit, the
  -- source as signed 32-bit, little-endian); through_ns: the newest time among them, shifted by -2^63
  -- to fit SQLite's signed integers, so that rows whose keys were all let go are deleted by it. A
  -- series' state holds the time at or before which its keys were let go (a file written before this
  -- table takes everything up to each series' newest point as received).
  CREATE TABLE mt_point_keys (
    series_id INTEGER NOT NULL,
    write_seq INTEGER NOT NULL,
    through_ns INTEGER NOT NULL,
    keys BLOB NOT NULL,
    PRIMARY KEY (series_id, write_seq)
  ) WITHOUT ROWID;
  `,
  `
  -- The keys of the series refused past --max-metric-series (32-bit each, little-endian), so that one
  -- refused again after a restart is not counted again in dropped_series.
  ALTER TABLE mt_counters ADD COLUMN dropped_keys BLOB;
  `,
  `
  -- Series removed by retention, and the metrics it removed whole (a JSON array of ExpiredMetric, the
  -- newest point's time as decimal text), so that a link to one says where it went after a restart.
  ALTER TABLE mt_counters ADD COLUMN expired_series INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mt_counters ADD COLUMN expired_metrics TEXT;
  `,
  `
  -- The exports committed since the series' rows were last written, one row each, read again in order
  -- when the file opens (see metric-sqlite-store.ts). now_ms: the clock they were read at; body: the
  -- decoded export (ReceivedMetric[]) as node:v8 serializes it.
  CREATE TABLE mt_received (
    seq INTEGER PRIMARY KEY,
    now_ms INTEGER NOT NULL,
    body BLOB NOT NULL
  );
  `,
];

/** Brings the metric tables to the current version; refuses a file from a newer tracekit-local. */
export function migrateMetrics(db: SqliteDatabase): void {
  migrateCompanion(db, { versionTable: "metric_schema", what: "metric", migrations: MIGRATIONS });
}
