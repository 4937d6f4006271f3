/**
 * Migrations of a companion store's tables in the `--db` file (see SqliteStoreOptions.companion).
 * The span store owns `PRAGMA user_version`, so each companion counts its version in a table of its
 * own; every entry of `migrations` upgrades its tables by one version, in one transaction.
 */
import { SchemaError, type SqliteDatabase } from "./sqlite-schema.js";

export interface CompanionSchema {
  /** The one-row table holding the version, e.g. `metric_schema`. */
  versionTable: string;
  /** What the tables hold, for the error about a newer file ("metric", "code-monitoring"). */
  what: string;
  /** Never edit a released one; append a new one. */
  migrations: readonly string[];
}

/** Brings a companion's tables to the current version; refuses a file from a newer tracekit-local. */
export function migrateCompanion(db: SqliteDatabase, schema: CompanionSchema): void {
  const { versionTable, what, migrations } = schema;
  db.exec(`CREATE TABLE IF NOT EXISTS ${versionTable} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER)`);
  const row = db.prepare(`SELECT version FROM ${versionTable} WHERE id = 1`).safeIntegers(false).get() as
    | { version: number }
    | undefined;
  const version = row?.version ?? 0;
  if (version > migrations.length) {
    throw new SchemaError(
      `its ${what} tables were written by a newer tracekit-local (version ${version}, this one knows ${migrations.length})`,
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
