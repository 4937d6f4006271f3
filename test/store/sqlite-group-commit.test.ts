import Driver from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type CommitParticipant, GroupCommit } from "../../src/store/sqlite-group-commit.js";
import type { SqliteDatabase } from "../../src/store/sqlite-schema.js";
import { tempDir } from "../helpers/app.js";

const dir = tempDir();
afterAll(() => dir.remove());

interface RowsParticipant extends CommitParticipant {
  pending: number;
  stored: number;
  readsBack: number;
}

/** A participant keeping rows of `size` bytes in `table`; its memory is what it read back last. */
function rowsIn(db: Driver.Database, table: string, size: number): RowsParticipant {
  db.exec(`CREATE TABLE ${table} (body BLOB)`);
  const insert = db.prepare(`INSERT INTO ${table} VALUES (zeroblob(?))`);
  const count = db.prepare(`SELECT count(*) FROM ${table}`).pluck();
  const participant: RowsParticipant = {
    pending: 0,
    stored: 0,
    readsBack: 0,
    hasPending: () => participant.pending > 0,
    write() {
      for (let i = 0; i < participant.pending; i++) insert.run(size);
    },
    rolledBack() {
      participant.readsBack++;
      participant.pending = 0;
      participant.stored = count.get() as number;
    },
    committed() {
      participant.stored += participant.pending;
      participant.pending = 0;
    },
  };
  return participant;
}

describe("GroupCommit", () => {
  it("has every participant read its file back and tells the waiters when one of them cannot read it back", async () => {
    const db = new Driver(`${dir.path}/group.db`);
    try {
      const commits = new GroupCommit(db as unknown as SqliteDatabase);
      const big = rowsIn(db, "big", 64 * 1024);
      const small = rowsIn(db, "small", 10);
      // Its read of the file fails: a table gone from under it.
      const unreadable = { ...rowsIn(db, "gone", 10) };
      unreadable.rolledBack = () => {
        db.prepare("SELECT count(*) FROM no_such_table").get();
      };
      db.exec("DROP TABLE gone");
      commits.join(unreadable);
      commits.join(big);
      commits.join(small);

      small.pending = 1;
      await commits.committed();
      expect(small.stored).toBe(1);

      // As on a full disk: the file may grow no more.
      const pages = db.pragma("page_count", { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      big.pending = 4;
      small.pending = 2;
      const waiting = commits.committed();
      let failure: unknown;
      try {
        commits.commit();
      } catch (error) {
        failure = error;
      }
      expect(failure).toMatchObject({ code: "SQLITE_FULL" });
      await expect(waiting).rejects.toBe(failure);
      expect(commits.told(failure)).toBe(true);
      expect(big).toMatchObject({ pending: 0, stored: 0, readsBack: 1 });
      expect(small).toMatchObject({ pending: 0, stored: 1, readsBack: 1 });

      // A failure nobody awaited is not told, until a caller's mark taken before it refuses that caller.
      const mark = commits.mark();
      let unawaited: unknown;
      try {
        big.pending = 4;
        commits.commit();
      } catch (error) {
        unawaited = error;
      }
      expect(unawaited).toMatchObject({ code: "SQLITE_FULL" });
      expect(commits.told(unawaited)).toBe(false);
      await expect(commits.committed(mark)).rejects.toMatchObject({ cause: unawaited });
      expect(commits.told(unawaited)).toBe(true);

      db.pragma("max_page_count = 1073741823");
      big.pending = 1;
      await commits.committed();
      expect(big.stored).toBe(1);
    } finally {
      db.close();
    }
  });
});
