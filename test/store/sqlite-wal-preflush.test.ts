import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import { WalPreflush, type WalPreflushFiles } from "../../src/store/sqlite-wal-preflush.js";
import { tempDir } from "../helpers/app.js";
import { makeSpan } from "./span-fixtures.js";

/** Files that record the calls made and let the test end each sync. */
function recordingFiles(options: { missing?: boolean } = {}) {
  const calls: string[] = [];
  const syncs: Array<(error: Error | null) => void> = [];
  const files: WalPreflushFiles = {
    open(path) {
      calls.push(`open ${path}`);
      if (options.missing === true) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
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

  it("without a log file (an in-memory database) stays off after one try", () => {
    const { calls, files } = recordingFiles({ missing: true });
    const preflush = new WalPreflush(":memory:-wal", files);
    preflush.committed();
    preflush.committed();
    preflush.close();
    expect(calls).toEqual(["open :memory:-wal"]);
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
});
