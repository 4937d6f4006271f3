import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import { StoreOpenError } from "./open-store.js";
import { checkOwnFile, migrate, SchemaError, type SqliteDatabase, type SqliteDriver } from "./sqlite-schema.js";

/** Whether this process may write the file; a file that does not exist yet is not read-only. */
function writableFile(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/** Whether the path names a directory: SQLite says only that it cannot open it. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One line for the CLI: what is wrong with the file, in words rather than SQLite's codes. `writable`
 * tells whether the file may be written (a parameter for tests, which run as root, who may write any file).
 */
export function describeOpenFailure(
  path: string,
  error: unknown,
  writable: (path: string) => boolean = writableFile,
): StoreOpenError {
  const code = (error as { code?: unknown }).code;
  const detail = String((error as Error)?.message ?? error).split("\n")[0];
  let reason: string;
  const is = (prefix: string) => typeof code === "string" && code.startsWith(prefix);
  const busy = is("SQLITE_BUSY") || is("SQLITE_LOCKED");
  if (error instanceof SchemaError) reason = error.message;
  else if (isDirectory(path)) reason = `it is a directory; name a file, such as ${join(path, "traces.db")}`;
  else if (is("SQLITE_NOTADB")) reason = "the file is not a SQLite database";
  else if (is("SQLITE_CORRUPT")) reason = "the database file is corrupt";
  else if (busy) reason = "another process is using it";
  else if (is("SQLITE_READONLY") || is("SQLITE_PERM") || is("SQLITE_AUTH")) reason = "it is not writable";
  // A read-only file in WAL mode fails the switch to exclusive WAL as SQLITE_IOERR_LOCK ("disk I/O error").
  else if (is("SQLITE_IOERR") && !writable(path)) reason = "it is not writable";
  else if (is("SQLITE_CANTOPEN") || /directory does not exist/i.test(detail ?? "")) {
    reason = "the file cannot be created or opened (check that the directory exists and is writable)";
  } else reason = detail ?? "unknown error";
  return new StoreOpenError(`cannot open SQLite database ${path}: ${reason}`, busy);
}

/**
 * How long a commit waits: NORMAL until the operating system has the WAL frames (a killed process
 * loses nothing committed; a power cut may lose the last commits), FULL until the disk has them too.
 */
export type SqliteSynchronous = "NORMAL" | "FULL";

/** Opens (creating if needed) and migrates the file, with the pragmas the span store relies on. */
export function openDatabase(Driver: SqliteDriver, path: string, synchronous: SqliteSynchronous): SqliteDatabase {
  let db: SqliteDatabase | null = null;
  try {
    // No busy wait: a locked file belongs to another running tracekit-local.
    db = new Driver(path, { timeout: 0 });
    // Before anything is written (a no-op for an existing file): 16 KiB pages measured ~10% faster
    // span inserts than the default 4 KiB (fewer page headers, splits and WAL frames per row).
    db.pragma("page_size = 16384");
    // Exclusive: this process is the only writer, so the in-memory trace cache can trust the file;
    // it also keeps WAL's index in heap memory instead of a shared-memory file.
    db.pragma("locking_mode = EXCLUSIVE");
    // Neither pragma above writes the file; the switch to WAL below does (it rewrites the header), so
    // another program's database is refused before it and left byte for byte as it was.
    checkOwnFile(db);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous === "FULL" ? "FULL" : "NORMAL"}`);
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -65536");
    // A checkpoint runs inside the commit that fills the WAL to this many pages, and holds the event
    // loop for as long as it copies them: 4,096 pages (64 MiB) made commits of 150-230 ms while
    // 350k spans were stored with retention; 1,024 (16 MiB) kept them near 60-110 ms for the same CPU,
    // and 256 (4 MiB) took /api/services p99 under load from 37-70 ms to 33-49 ms (bench/services.mjs,
    // six runs each) for the same ingest rate with 1,000-span requests (bench/ingest.mjs). Most of a
    // checkpoint's wait is its sync of the WAL: sqlite-wal-preflush.ts syncs it ahead, off the event loop.
    db.pragma("wal_autocheckpoint = 256");
    db.defaultSafeIntegers(true);
    migrate(db);
    // A write now, so a read-only file fails here and not at the first flush.
    db.prepare("UPDATE counters SET spans = spans WHERE id = 1").run();
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // The open already failed; that error is the one to report.
    }
    throw describeOpenFailure(path, error);
  }
}
