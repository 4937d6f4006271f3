import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { describeOpenFailure } from "../../src/store/sqlite-open.js";

const { SqliteError } = createRequire(import.meta.url)("better-sqlite3") as {
  SqliteError: new (message: string, code: string) => Error & { code: string };
};

describe("describeOpenFailure", () => {
  // What better-sqlite3 throws when a read-only file (chmod 444, as a user other than root) in WAL mode
  // is switched to exclusive WAL; as root, who may write any file, it cannot be made to happen.
  const readOnlyWal = new SqliteError("disk I/O error", "SQLITE_IOERR_LOCK");

  it("tells a read-only file from a disk error", () => {
    expect(describeOpenFailure("a.db", readOnlyWal, () => false).message).toBe(
      "cannot open SQLite database a.db: it is not writable",
    );
    expect(describeOpenFailure("a.db", readOnlyWal, () => true).message).toBe(
      "cannot open SQLite database a.db: disk I/O error",
    );
  });

  it("names the other failures in words", () => {
    const says = (code: string) => describeOpenFailure("a.db", new SqliteError("x", code), () => true).message;
    expect(says("SQLITE_READONLY")).toMatch(/it is not writable$/);
    expect(says("SQLITE_NOTADB")).toMatch(/not a SQLite database$/);
    expect(says("SQLITE_BUSY")).toMatch(/another process is using it$/);
  });
});
