/**
 * The service colour assignment in the `--db` file, on the span store's connection (see
 * SqliteStoreOptions.companion), so a service keeps its colour when the file is opened again. The
 * span store owns `PRAGMA user_version`, so these migrations count their own version in
 * `service_color_schema`; the table is prefixed `sc_`.
 *
 * Clearing the stores leaves the assignment alone: without a file a clear keeps it too (it is the
 * server's for as long as it runs), and a service sending again after a clear is the same service,
 * drawn in the colour the reader knows it by.
 */
import { migrateCompanion } from "./companion-schema.js";
import type { ServiceColorStore } from "./service-color-store.js";
import type { SqliteDatabase } from "./sqlite-schema.js";

/** Each entry upgrades the table by one version; never edit a released one, append a new one. */
const MIGRATIONS: readonly string[] = [
  `
  -- seq: the order slots were given in; slot: the palette slot (past the palette, one of its own).
  CREATE TABLE sc_slots (
    seq INTEGER PRIMARY KEY,
    service TEXT NOT NULL UNIQUE,
    slot INTEGER NOT NULL
  );
  `,
];

/** Every write is its own small transaction, on disk when the call returns. */
export function createSqliteServiceColorStore(db: SqliteDatabase): ServiceColorStore {
  migrateCompanion(db, { versionTable: "service_color_schema", what: "service colour", migrations: MIGRATIONS });
  // The span store turns on bigint results for the whole connection; slots are small.
  const given = db.prepare("SELECT service, slot FROM sc_slots ORDER BY seq").safeIntegers(false);
  const keep = db.prepare("INSERT INTO sc_slots (service, slot) VALUES (?, ?) ON CONFLICT (service) DO NOTHING");
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error("the SQLite service colour store is closed");
  };
  return {
    given() {
      assertOpen();
      return (given.all() as { service: string; slot: number }[]).map((row) => [row.service, row.slot]);
    },
    keep(service, slot) {
      assertOpen();
      keep.run(service, slot);
    },
    close() {
      closed = true;
    },
  };
}
