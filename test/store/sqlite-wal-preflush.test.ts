import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import { WalPreflush, type WalPreflushFiles } from "../../src/store/sqlite-wal-preflush.js";
import { tempDir } from "../helpers/app.js";
import { makeSpan } from "./span-fixtures.js";

/** Files that record the calls made and let the test end each sync. */
function recordingFiles(options: { missing?: boolean; failedOpens?: number } = {}) {
  const calls: string[] = [];
  const syncs: Array<(error: Error | null) => void> = [];
  let failedOpens = options.failedOpens ?? 0;
  const files: WalPreflushFiles = {
    open(path) {
      calls.push(`open ${path}`);
      if (options.missing === true) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      if (failedOpens > 0) {
        failedOpens--;
        throw Object.assign(new Error("EMFILE: too many open files"), { code: "EMFILE" });
      }
      return 7;
    },
    sync(fd, done) {
      calls.push(`sync ${fd}`);
      syncs.push(done);
    },
    close(fd) {
      calls.push(`close ${fd}`);
    },
  };
  const endSync = () => (syncs.shift() as (error: Error | null) => void)(null);
  return { calls, files, endSync };
}

describe("WalPreflush", () => {
  it("syncs the log once at a time: commits during a sync start none, the next commit after it does", () => {
    const { calls, files, endSync } = recordingFiles();
    const preflush = new WalPreflush("x.db-wal", files);
    preflush.committed();
    preflush.committed();
    preflush.committed();
    expect(calls).toEqual(["open x.db-wal", "sync 7"]);
    endSync();
    preflush.committed();
    expect(calls).toEqual(["open x.db-wal", "sync 7", "sync 7"]);
  });

  it("closes its descriptor at once when idle, and after the sync under way otherwise", () => {
    const idle = recordingFiles();
    const first = new WalPreflush("a-wal", idle.files);
    first.committed();
    idle.endSync();
    first.close();
    first.committed();
    expect(idle.calls).toEqual(["open a-wal", "sync 7", "close 7"]);

    const busy = recordingFiles();
    const second = new WalPreflush("b-wal", busy.files);
    second.committed();
    second.close();
    expect(busy.calls).toEqual(["open b-wal", "sync 7"]);
    busy.endSync();
    expect(busy.calls).toEqual(["open b-wal", "sync 7", "close 7"]);
  });

  it("tries a failed open again at a later commit, after twice as many commits each time it fails again", () => {
    const { calls, files, endSync } = recordingFiles({ failedOpens: 2 });
    const preflush = new WalPreflush("x.db-wal", files);
    const opensAt: number[] = [];
    for (let commit = 1; commit <= 60; commit++) {
      const before = calls.length;
      preflush.committed();
      if (calls[before] === "open x.db-wal") opensAt.push(commit);
      if (calls.at(-1) === "sync 7" && calls.length > before) endSync();
    }
    // Failed at the 1st commit and again 16 commits later (the 18th); the 51st, 32 commits on, opens it.
    expect(opensAt).toEqual([1, 18, 51]);
    expect(calls.slice(3)).toEqual(Array(10).fill("sync 7"));
    preflush.close();
    expect(calls.at(-1)).toBe("close 7");
  });

  it("without a log file tries ever more rarely: at most once per 1,024 commits", () => {
    const { calls, files } = recordingFiles({ missing: true });
    const preflush = new WalPreflush(":memory:-wal", files);
    const opensAt: number[] = [];
    for (let commit = 0; commit < 6_000; commit++) {
      const before = calls.length;
      preflush.committed();
      if (calls.length > before) opensAt.push(commit);
    }
    // 16, 32, … 1,024 commits between tries, then 1,024 each time.
    expect(opensAt).toEqual([0, 17, 50, 115, 244, 501, 1_014, 2_039, 3_064, 4_089, 5_114]);
    // Closed, it tries no more.
    preflush.close();
    for (let commit = 0; commit < 2_000; commit++) preflush.committed();
    expect(calls).toHaveLength(opensAt.length);
  });
});

/** How many of this process's descriptors name `path` (Linux). */
function descriptorsOf(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(join("/proc/self/fd", fd)) === path;
    } catch {
      return false; // closed meanwhile (the directory's own descriptor)
    }
  }).length;
}

describe.runIf(existsSync("/proc/self/fd"))("the SQLite store's log preflush", () => {
  const dir = tempDir();
  beforeAll(() => loadSqliteDriver());
  afterAll(() => dir.remove());

  it("opens the log beside SQLite's own descriptor at the first commit, and closes it with the store", async () => {
    const path = join(dir.path, "preflush.db");
    const store = createSqliteStore({ path, maxSpans: 1_000 });
    const wal = `${path}-wal`;
    // SQLite's own descriptor of the log.
    expect(descriptorsOf(wal)).toBe(1);
    store.insertSpans([makeSpan({ trace: 1, span: 1 })]);
    await store.committed?.();
    expect(descriptorsOf(wal)).toBe(2);
    store.close();
    // The sync under way, if any, ends before the descriptor closes.
    await expect.poll(() => descriptorsOf(wal), { timeout: 10_000 }).toBe(0);
  });

  it("opens no descriptor of its own with synchronous = FULL, where SQLite syncs the log in every commit", async () => {
    const path = join(dir.path, "full.db");
    const store = createSqliteStore({ path, maxSpans: 1_000, synchronous: "FULL" });
    const wal = `${path}-wal`;
    store.insertSpans([makeSpan({ trace: 1, span: 1 })]);
    await store.committed?.();
    store.insertSpans([makeSpan({ trace: 2, span: 1 })]);
    await store.committed?.();
    expect(descriptorsOf(wal)).toBe(1);
    expect(store.getTrace(makeSpan({ trace: 2, span: 1 }).traceId)).toHaveLength(1);
    store.close();
  });
});
