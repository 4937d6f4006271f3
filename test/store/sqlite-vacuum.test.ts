import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { SqliteDatabase, SqliteDriver } from "../../src/store/sqlite-schema.js";
import { FileVacuum } from "../../src/store/sqlite-vacuum.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-sqlite-vacuum-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

/** A WAL file of 2,000 rows of 2 KB, all deleted: its pages are free but still in the file. */
function clearedFile(name: string): { db: SqliteDatabase; path: string } {
  const path = join(dir, name);
  const Driver = createRequire(import.meta.url)("better-sqlite3") as SqliteDriver;
  const db = new Driver(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE kept (id INTEGER PRIMARY KEY)");
  db.exec("INSERT INTO kept VALUES (1), (2), (3)");
  const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < 2_000; i++) insert.run("x".repeat(2_000));
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("DELETE FROM rows");
  db.pragma("wal_checkpoint(TRUNCATE)");
  return { db, path };
}

describe("FileVacuum", () => {
  it("shrinks the file to what is left, the write-ahead log too", () => {
    const { db, path } = clearedFile("now.db");
    expect(statSync(path).size).toBeGreaterThan(4_000_000);
    new FileVacuum(db).run();
    expect(statSync(path).size).toBeLessThan(100_000);
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(db.prepare("SELECT count(*) FROM kept").pluck().get()).toBe(3);
    db.close();
  });

  it("tries again in a later turn while a read has a statement open, and not after cancel", () => {
    vi.useFakeTimers();
    const { db, path } = clearedFile("later.db");
    const reading = db.prepare("SELECT id FROM kept").iterate();
    reading.next();
    const vacuum = new FileVacuum(db, 1_000);
    vacuum.run();
    expect(statSync(path).size).toBeGreaterThan(4_000_000);
    vi.advanceTimersByTime(1_000);
    expect(statSync(path).size).toBeGreaterThan(4_000_000);
    reading.return?.();
    vi.advanceTimersByTime(1_000);
    expect(statSync(path).size).toBeLessThan(100_000);

    const second = clearedFile("cancelled.db");
    const open = second.db.prepare("SELECT id FROM kept").iterate();
    open.next();
    const cancelled = new FileVacuum(second.db, 1_000);
    cancelled.run();
    open.return?.();
    cancelled.cancel();
    vi.advanceTimersByTime(10_000);
    expect(statSync(second.path).size).toBeGreaterThan(4_000_000);
    second.db.close();
    db.close();
  });
});
