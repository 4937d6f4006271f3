/**
 * The code-monitoring tables in the `--db` file. The span store owns `PRAGMA user_version`, so these
 * migrations count their own version in `code_monitoring_schema`; every table is prefixed `cm_`.
 */
import { migrateCompanion } from "./companion-schema.js";
import type { SqliteDatabase } from "./sqlite-schema.js";

/** Each entry upgrades the tables by one version; never edit a released one, append a new one. */
const MIGRATIONS: readonly string[] = [
  `
  -- body: the Breakpoint as JSON; location_key: domain locationKey(), one breakpoint per location.
  CREATE TABLE cm_breakpoints (
    id TEXT PRIMARY KEY,
    location_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
  );
  CREATE TABLE cm_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO cm_settings (key, value) VALUES ('kill_switch', 'false'), ('evicted_snapshots', '0');
  -- seq: arrival order (lists are newest first, eviction takes the lowest). summary: the list row as
  -- JSON; detail: variables, flags, stack and request context as JSON, read only for one snapshot.
  CREATE TABLE cm_snapshots (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    breakpoint_id TEXT,
    label TEXT NOT NULL,
    trace_id TEXT,
    summary TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX cm_snapshots_by_trace ON cm_snapshots (trace_id, seq) WHERE trace_id IS NOT NULL;
  CREATE TABLE cm_sdk_events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
  `,
  // Snapshots are bounded in bytes as well as in number: bytes is the length of summary and detail.
  `
  ALTER TABLE cm_snapshots ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  UPDATE cm_snapshots SET bytes = length(summary) + length(detail);
  `,
  // Each service's SDK pause (body: the SdkPause as JSON), kept apart from the SDK events that tell
  // of it: the UI's clear deletes those, and a paused SDK still captures nothing.
  `
  CREATE TABLE cm_sdk_pauses (service TEXT PRIMARY KEY, body TEXT NOT NULL);
  `,
  // When each service's last capture was answered (unix ms), which ends a pause its SDK reports
  // later: kept apart from the breakpoints' lastCapturedAt, which Clear resets and a refused capture
  // does not move. Filled from those at first.
  `
  CREATE TABLE cm_last_captures (service TEXT PRIMARY KEY, at INTEGER NOT NULL);
  INSERT INTO cm_last_captures (service, at)
    SELECT json_extract(body, '$.service'), max(json_extract(body, '$.lastCapturedAt')) FROM cm_breakpoints
    WHERE json_extract(body, '$.lastCapturedAt') IS NOT NULL GROUP BY 1;
  `,
  // When the kill switch last changed (unix ms, "" for not known): kept with the switch, so a start
  // can tell since when captures have been off.
  `
  INSERT INTO cm_settings (key, value) VALUES ('kill_switch_changed_at', '');
  `,
  // When each service's SDK last asked for its breakpoints (unix ms): an edit made since reads as not
  // yet heard by it after a restart too.
  `
  CREATE TABLE cm_check_ins (service TEXT PRIMARY KEY, at INTEGER NOT NULL);
  `,
];

export const CODE_MONITORING_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the code-monitoring tables to the current version; refuses a file from a newer tracekit-local. */
export function migrateCodeMonitoring(db: SqliteDatabase): void {
  migrateCompanion(db, { versionTable: "code_monitoring_schema", what: "code-monitoring", migrations: MIGRATIONS });
}
