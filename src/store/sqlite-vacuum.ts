import type { SqliteDatabase } from "./sqlite-schema.js";

/** Tries after the first before the free pages are left for later writes to use. */
const RETRIES = 5;
const RETRY_MS = 1_000;

/**
 * Gives a file's free pages back to the disk after a clear. SQLite keeps the pages of deleted rows in
 * the file for later writes (the file has no auto_vacuum), so a 44 MB file stayed 44 MB after Clear.
 * VACUUM writes what is left into a new file, which costs what is left: a few milliseconds once
 * everything is cleared. In WAL mode the new pages go through the log and the file shrinks at the
 * checkpoint; the TRUNCATE checkpoint then empties the log as well.
 *
 * SQLite refuses VACUUM while a statement of the connection is open (a read walked across turns):
 * then it is tried again in a later turn, a few times, and otherwise left undone. Nothing is lost
 * either way: the free pages are taken by later writes.
 */
export class FileVacuum {
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly retryMs = RETRY_MS,
  ) {}

  /** Vacuums the file now, or in a later turn when SQLite refuses now. */
  run(): void {
    this.cancel();
    this.attempt(RETRIES);
  }

  /** Drops a retry still to come (the store closes). */
  cancel(): void {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }

  private attempt(retriesLeft: number): void {
    try {
      this.db.exec("VACUUM");
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      if (retriesLeft <= 0) return;
      this.retry = setTimeout(() => {
        this.retry = null;
        this.attempt(retriesLeft - 1);
      }, this.retryMs);
      this.retry.unref();
    }
  }
}
