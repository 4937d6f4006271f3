import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LogRecord } from "../../src/domain/log.js";
import type { Span } from "../../src/domain/span.js";
import { createSqliteLogStore } from "../../src/store/log-sqlite-store.js";
import type { LogStore } from "../../src/store/log-store.js";
import type { SqliteDatabase } from "../../src/store/sqlite-schema.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { storeUnavailableReason } from "../../src/store/store-unavailable.js";
import { tempDir } from "../helpers/app.js";
import { makeLog } from "./log-fixtures.js";
import { makeSpan, rootSpan, traceId } from "./span-fixtures.js";

/** Every statement the store's connection runs, as better-sqlite3's `verbose` reports it. */
const statements: string[] = [];
vi.mock("better-sqlite3", async (importOriginal) => {
  const Driver = ((await importOriginal()) as { default: new (...args: unknown[]) => unknown }).default;
  function Counted(path: unknown, options: Record<string, unknown> = {}) {
    return new Driver(path, { ...options, verbose: (sql: unknown) => statements.push(String(sql)) });
  }
  return { default: Counted };
});

const dir = tempDir();
let files = 0;
beforeAll(() => loadSqliteDriver());
afterAll(() => dir.remove());

interface Opened {
  store: Store;
  logs: LogStore;
  db: SqliteDatabase;
  /** As on a full disk: the file may grow no more, so a write that needs a page fails with SQLITE_FULL. */
  fillTheDisk(): void;
  freeTheDisk(): void;
}

/** The span store with its log records beside it, as --db opens them, writing on ~`flushIntervalMs` timers. */
function open(flushIntervalMs = 60_000, maxSpans = 100_000): Opened {
  let db: SqliteDatabase | undefined;
  let logs: LogStore | undefined;
  let pragma: (statement: string) => unknown = () => undefined;
  const store = createSqliteStore({
    path: `${dir.path}/full-${++files}.db`,
    maxSpans,
    flushIntervalMs,
    companion: (handle, commits) => {
      db = handle;
      logs = createSqliteLogStore(handle, { maxLogs: 100_000, commits, flushIntervalMs });
      return logs;
    },
    onDatabasePragma: (run) => {
      pragma = run;
    },
  });
  return {
    store,
    logs: logs as LogStore,
    db: db as SqliteDatabase,
    fillTheDisk() {
      const [{ page_count }] = pragma("page_count") as [{ page_count: number }];
      pragma(`max_page_count = ${page_count}`);
    },
    freeTheDisk() {
      pragma("max_page_count = 1073741823");
    },
  };
}

const FILLER = "x".repeat(2048);
/** `count` spans of trace `trace`, 2 KB each: more than the free room of a page or two. */
function bulkySpans(trace: number, count = 100): Span[] {
  return Array.from({ length: count }, (_, i) =>
    makeSpan({ trace, span: i + 1, parent: i === 0 ? null : 1, attributes: { filler: `${i}${FILLER}` } }),
  );
}
function bulkyLogs(count = 100): LogRecord[] {
  return Array.from({ length: count }, (_, i) => makeLog({ at: i, body: `${i}${FILLER}` }));
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Makes the commit of what `insert` adds happen on the store's flush timer while a caller awaits it:
 * the caller's own commit waits for the event loop to be idle, and the timer, run here by the test,
 * falls due before. Resolves to what the caller was told (undefined when its commit succeeded).
 */
function timerCommitWithWaiter(
  insert: () => void,
  wait: () => Promise<void>,
  flushIntervalMs: number,
): Promise<unknown> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    insert();
    const waiting = wait().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(flushIntervalMs);
    return waiting;
  } finally {
    vi.useRealTimers();
  }
}

describe("the span and log stores when their --db file is full", () => {
  it("tell no one of an eviction whose commit rolled back: the trace is still stored", async () => {
    const { store, logs, fillTheDisk, freeTheDisk } = open(60_000, 10);
    const told: string[] = [];
    store.onEvicted?.((ids) => told.push(...ids));
    try {
      for (let i = 1; i <= 10; i++) store.insertSpans([rootSpan(i)]);
      await store.committed?.();
      fillTheDisk();
      // Trace 11 evicts trace 1; the commit, with bulky log records beside it, finds no room.
      store.insertSpans([rootSpan(11)]);
      logs.insertLogs(bulkyLogs(200));
      expect(
        storeUnavailableReason(
          await store.committed?.().then(
            () => undefined,
            (error: unknown) => error,
          ),
        ),
      ).toMatch(/SQLITE_FULL/);
      expect(told).toEqual([]);
      expect(store.getTrace(traceId(1))).toHaveLength(1);
      freeTheDisk();
      store.insertSpans([rootSpan(12)]);
      await store.committed?.();
      expect(told).toContain(traceId(1));
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("tell a failed timed write of spans to the requests awaiting it, and not again to the next insert", async () => {
    const interval = 40;
    const { store, fillTheDisk, freeTheDisk } = open(interval);
    try {
      store.insertSpans([rootSpan(1)]);
      await store.committed?.();
      fillTheDisk();
      const told = await timerCommitWithWaiter(
        () => store.insertSpans(bulkySpans(2)),
        () => store.committed?.() ?? Promise.resolve(),
        interval,
      );
      expect(storeUnavailableReason(told)).toMatch(/SQLITE_FULL/);
      freeTheDisk();
      // Room again: the sender's retry is stored, not refused with the failure it was told already.
      expect(thrownBy(() => store.insertSpans(bulkySpans(2)))).toBeUndefined();
      await store.committed?.();
      expect(store.getTrace(traceId(2))).toHaveLength(100);
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("tell a failed timed write of log records to the requests awaiting it, and not again to the next insert", async () => {
    const interval = 40;
    const { store, logs, fillTheDisk, freeTheDisk } = open(interval);
    try {
      logs.insertLogs([makeLog()]);
      await logs.committed?.();
      fillTheDisk();
      const told = await timerCommitWithWaiter(
        () => logs.insertLogs(bulkyLogs()),
        () => logs.committed?.() ?? Promise.resolve(),
        interval,
      );
      expect(storeUnavailableReason(told)).toMatch(/SQLITE_FULL/);
      freeTheDisk();
      const retried = bulkyLogs();
      expect(thrownBy(() => logs.insertLogs(retried))).toBeUndefined();
      await logs.committed?.();
      expect(logs.stats().logs).toBe(101);
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("tell a failed timed write nobody awaited to the next insert, once", async () => {
    const interval = 20;
    const { store, logs, fillTheDisk, freeTheDisk } = open(interval);
    try {
      fillTheDisk();
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        store.insertSpans(bulkySpans(3));
        logs.insertLogs(bulkyLogs());
        // Their timers fall due; what the commit on them throws is kept, not thrown out of the timer.
        expect(() => vi.advanceTimersByTime(interval)).not.toThrow();
      } finally {
        vi.useRealTimers();
      }
      freeTheDisk();
      // The spans' timer ran the commit (the records rode in it): the next span insert hears of it.
      expect(storeUnavailableReason(thrownBy(() => store.insertSpans([rootSpan(4)])))).toMatch(/SQLITE_FULL/);
      expect(thrownBy(() => store.insertSpans([rootSpan(4)]))).toBeUndefined();
      expect(thrownBy(() => logs.insertLogs([makeLog({ at: 500 })]))).toBeUndefined();
      await store.committed?.();
      expect(store.getTrace(traceId(3))).toBeUndefined();
      expect(store.getTrace(traceId(4))).toHaveLength(1);
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("read the file back once per failed commit", async () => {
    const { store, logs, fillTheDisk, freeTheDisk } = open();
    try {
      store.insertSpans([rootSpan(1)]);
      logs.insertLogs([makeLog()]);
      await store.committed?.();
      fillTheDisk();
      store.insertSpans(bulkySpans(2));
      logs.insertLogs(bulkyLogs());
      statements.length = 0;
      await expect(store.committed?.()).rejects.toMatchObject({ code: "SQLITE_FULL" });
      // Each reads its rows back: the traces' summaries, the log state.
      const reads = (table: string) => statements.filter((sql) => new RegExp(`^SELECT .* FROM ${table}\\b`).test(sql));
      expect(reads("traces")).toHaveLength(1);
      expect(reads("log_state")).toHaveLength(1);
      // What the failure lost is not served.
      expect(store.getTrace(traceId(2))).toBeUndefined();
      expect(logs.stats().logs).toBe(1);
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("when the spans' read of the file fails after a rollback, serve nothing of memory until a read succeeds", async () => {
    const { store, logs, db, fillTheDisk, freeTheDisk } = open();
    try {
      store.insertSpans([rootSpan(1, { attributes: { filler: "small" } })]);
      await store.committed?.();
      // Its read back of the file fails: a table it reads first gone from under it.
      db.exec("ALTER TABLE services RENAME TO services_away");
      fillTheDisk();
      store.insertSpans([...bulkySpans(2), makeSpan({ trace: 2, span: 101, parent: 1, error: true })]);
      // The requests awaiting the commit are told why it failed, not why the read after it did.
      await expect(store.committed?.()).rejects.toMatchObject({ code: "SQLITE_FULL" });
      freeTheDisk();
      // Memory still holds trace 2, which the file does not: every use reads the file first, and says why it cannot.
      expect(() => store.listTraces({ limit: 10 })).toThrow(/no such table: services/);
      expect(() => store.stats()).toThrow(/no such table: services/);
      expect(() => store.insertSpans([rootSpan(3)])).toThrow(/no such table: services/);
      // Log records are still stored meanwhile, and their commits write nothing of the lost trace.
      logs.insertLogs([makeLog()]);
      await logs.committed?.();
      expect(Number(db.prepare("SELECT count(*) FROM err_events").pluck().get())).toBe(0);
      db.exec("ALTER TABLE services_away RENAME TO services");
      expect(store.errorGroups({ limit: 10 })).toMatchObject({ totalErrors: 0, groups: [] });
      expect(store.listTraces({ limit: 10 }).traces.map((trace) => trace.traceId)).toEqual([traceId(1)]);
      expect(store.stats()).toMatchObject({ spans: 1, traces: 1 });
      store.insertSpans([rootSpan(3)]);
      await store.committed?.();
      expect(store.getTrace(traceId(3))).toHaveLength(1);
    } finally {
      freeTheDisk();
      store.close();
    }
  });

  it("when the log records' read of the file fails after a rollback, serve nothing of memory until a read succeeds", async () => {
    const { store, logs, db, fillTheDisk, freeTheDisk } = open();
    try {
      logs.insertLogs([makeLog()]);
      await logs.committed?.();
      // A table the read back needs and this write does not touch (the records share their scope).
      db.exec("ALTER TABLE log_scopes RENAME TO log_scopes_away");
      fillTheDisk();
      const lost = logs.insertLogs(bulkyLogs());
      await expect(logs.committed?.()).rejects.toMatchObject({ code: "SQLITE_FULL" });
      freeTheDisk();
      const seq = lost.stored[0]?.seq as number;
      expect(() => logs.getLog(seq)).toThrow(/no such table: log_scopes/);
      expect(() => logs.stats()).toThrow(/no such table: log_scopes/);
      expect(() => logs.listLogs({ limit: 10, order: "desc" })).toThrow(/no such table: log_scopes/);
      db.exec("ALTER TABLE log_scopes_away RENAME TO log_scopes");
      expect(logs.getLog(seq)).toBeUndefined();
      expect(logs.stats().logs).toBe(1);
      expect(logs.listLogs({ limit: 10, order: "desc" }).logs).toHaveLength(1);
      logs.insertLogs([makeLog({ at: 9 })]);
      await logs.committed?.();
      expect(logs.stats().logs).toBe(2);
    } finally {
      freeTheDisk();
      store.close();
    }
  });
});
