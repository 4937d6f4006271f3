/**
 * Migrations for the tables of a store that shares the span store's file (code monitoring, logs).
 * The span store owns `PRAGMA user_version`, so each such store counts its own version in a one-row
 * table of its own.
 */
import { SchemaError, type SqliteDatabase } from "./sqlite-schema.js";

export interface CompanionSchema {
  /** The one-row table that holds the version, e.g. `log_schema`. */
  versionTable: string;
  /** What the tables are, for the error about a newer file: "log tables". */
  what: string;
  /** Each entry upgrades the tables by one version; never edit a released one, append a new one. */
  migrations: readonly string[];
}

/** Brings the tables to the current version, one transaction per step; refuses a file from a newer tracekit-local. */
export function migrateCompanion(db: SqliteDatabase, schema: CompanionSchema): void {
  const { versionTable, migrations } = schema;
  db.exec(`CREATE TABLE IF NOT EXISTS ${versionTable} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER)`);
  const row = db.prepare(`SELECT version FROM ${versionTable} WHERE id = 1`).safeIntegers(false).get() as
    | { version: number }
    | undefined;
  const version = row?.version ?? 0;
  if (version > migrations.length) {
    throw new SchemaError(
      `its ${schema.what} were written by a newer tracekit-local (version ${version}, this one knows ${migrations.length})`,
    );
  }
  for (let next = version; next < migrations.length; next++) {
    db.transaction(() => {
      db.exec(migrations[next] as string);
      db.prepare(
        `INSERT INTO ${versionTable} (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
      ).run(next + 1);
    })();
  }
}
