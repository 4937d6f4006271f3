import { describe, expect, it } from "vitest";
import { clearQuestion, clearTitle, storeLabel } from "../../web/src/components/store-text";

describe("storeLabel", () => {
  it("names a --db file by its last part, the whole path in the title, either separator", () => {
    expect(storeLabel({ kind: "sqlite", path: "/home/me/keep.db", maxSpans: 350_000 })).toEqual({
      text: "in keep.db",
      title: "Kept in the SQLite file /home/me/keep.db (--db): it stays across restarts",
    });
    expect(storeLabel({ kind: "sqlite", path: "C:\\Users\\me\\keep.db", maxSpans: 350_000 }).text).toBe("in keep.db");
  });

  it("says a file without naming it when health gave no path, and the memory store's bound", () => {
    expect(storeLabel({ kind: "sqlite", maxSpans: 350_000 }).text).toBe("in a file");
    expect(storeLabel({ kind: "memory", maxSpans: 350_000 })).toEqual({
      text: "in memory",
      title:
        "Kept in memory, up to 350,000 spans: gone when tracekit-local stops (start it with --db FILE to keep data across restarts)",
    });
  });
});

describe("clearQuestion", () => {
  it("says a --db file is emptied for good, by its path when known", () => {
    expect(clearQuestion({ kind: "sqlite", path: "/home/me/keep.db", maxSpans: 1 })).toContain(
      "? They are deleted from /home/me/keep.db for good: a restart does not bring them back. Breakpoints stay",
    );
    expect(clearQuestion({ kind: "sqlite", maxSpans: 1 })).toContain("deleted from the --db file for good");
  });

  it("names no file for the memory store, or before health answered", () => {
    const plain =
      "Delete everything stored in tracekit-local: every trace, log record, metric and captured snapshot? " +
      "Breakpoints stay, and their capture counts start again from 0.";
    expect(clearQuestion({ kind: "memory", maxSpans: 1 })).toBe(plain);
    expect(clearQuestion(null)).toBe(plain);
  });
});

describe("clearTitle", () => {
  it("names the --db file Clear empties for good, and no file for the memory store", () => {
    const plain = "Start afresh: delete every trace, log record, metric and captured snapshot";
    expect(clearTitle({ kind: "sqlite", path: "/home/me/keep.db", maxSpans: 1 })).toBe(
      `${plain}, from /home/me/keep.db for good`,
    );
    expect(clearTitle({ kind: "sqlite", maxSpans: 1 })).toBe(`${plain}, from the --db file for good`);
    expect(clearTitle({ kind: "memory", maxSpans: 1 })).toBe(plain);
    expect(clearTitle(null)).toBe(plain);
  });
});
