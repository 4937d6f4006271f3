import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { LogRecord } from "../../src/domain/log.js";
import { createSqliteLogStore } from "../../src/store/log-sqlite-store.js";
import type { HeldLogs, LogStore } from "../../src/store/log-store.js";
import { type OpenedStores, openStores } from "../../src/store/open-store.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { BoundFromHeld } from "../../src/store/store.js";
import { tempDir } from "../helpers/app.js";
import { copyAsKilled } from "./killed-copy.js";
import { makeLog, richLog } from "./log-fixtures.js";
import { describeLogStoreContract } from "./log-store-contract.js";
import { rootSpan, traceId } from "./span-fixtures.js";

const dir = tempDir();
afterAll(() => dir.remove());
let files = 0;
const tempPath = () => `${dir.path}/logs-${++files}.db`;

/** The log store as --db opens it: a companion of the span store, closed with it. */
function closingWithSpanStore({ store, logs }: OpenedStores): LogStore {
  return {
    ...logs,
    close() {
      store.close();
    },
  };
}

// Batched writes as in production (every read flushes), and a write after every insert.
describeLogStoreContract("sqlite", async ({ maxLogs }) =>
  closingWithSpanStore(await openStores({ dbPath: tempPath(), maxSpans: 1000, maxLogs })),
);
describeLogStoreContract("sqlite, flush per insert", async ({ maxLogs }) => {
  await loadSqliteDriver();
  let logs: LogStore | undefined;
  const store = createSqliteStore({
    path: tempPath(),
    maxSpans: 1000,
    companion: (db) => {
      logs = createSqliteLogStore(db, { maxLogs, flushRecords: 1 });
      return logs;
    },
  });
  return { ...(logs as LogStore), close: () => store.close() };
});

describe("sqlite: logs in the --db file", () => {
  const open: OpenedStores[] = [];
  afterEach(() => {
    for (const opened of open.splice(0)) opened.store.close();
  });
  async function openFile(path: string, maxLogs: BoundFromHeld<HeldLogs> = 1000): Promise<OpenedStores> {
    const opened = await openStores({ dbPath: path, maxSpans: 1000, maxLogs });
    open.push(opened);
    return opened;
  }
  function closeFile(opened: OpenedStores): void {
    opened.store.close();
    open.splice(open.indexOf(opened), 1);
  }

  it("commits pending records in the span store's commit when a caller waits for it", async () => {
    const path = tempPath();
    const opened = await openFile(path);
    opened.store.insertSpans([rootSpan(1)]);
    opened.logs.insertLogs([makeLog({ at: 1, trace: 1, body: "written with its span" })]);
    // The counts include it at once, without committing it (/api/health does not wait for the file).
    expect(opened.logs.stats()).toMatchObject({ logs: 1, evictedLogs: 0 });
    const committed = opened.logs.committed?.();
    const early = await openFile(copyAsKilled(path, tempPath()));
    expect(early.logs.stats().logs).toBe(0);
    await committed;
    const survivor = await openFile(copyAsKilled(path, tempPath()));
    expect(survivor.logs.listLogs({ limit: 10, order: "desc" }).logs.map((log) => log.record.body)).toEqual([
      "written with its span",
    ]);
    expect(survivor.store.getTrace(traceId(1))).toHaveLength(1);
  });

  it("counts records as the next commit will leave them, retention included, without committing", async () => {
    const path = tempPath();
    const opened = await openFile(path, 4);
    opened.logs.insertLogs([1, 2, 3].map((at) => makeLog({ at, body: `b${at}` })));
    await opened.logs.committed?.();
    // Three more: two written records and none of the pending ones go with the next commit.
    opened.logs.insertLogs([4, 5, 6].map((at) => makeLog({ at, body: `b${at}` })));
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 2 });
    const early = await openFile(copyAsKilled(path, tempPath()), 4);
    expect(early.logs.stats()).toEqual({ logs: 3, maxLogs: 4, evictedLogs: 0 });
    await opened.logs.committed?.();
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 2 });
    // Past the bound with records still pending: those evicted before their write count once.
    opened.logs.insertLogs([7, 8, 9, 10, 11].map((at) => makeLog({ at, body: `b${at}` })));
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 7 });
    await opened.logs.committed?.();
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 7 });
  });

  it("keeps every record, its number and the counts across a restart, beside spans and code monitoring", async () => {
    const path = tempPath();
    let opened = await openFile(path, 4);
    opened.store.insertSpans([rootSpan(1)]);
    const first = opened.logs.insertLogs([richLog(), makeLog({ at: 1, trace: 1, body: "b1" })]).stored;
    // Not flushed yet: closing must write them.
    const second = opened.logs.insertLogs([2, 3, 4].map((at) => makeLog({ at, trace: 1, body: `b${at}` }))).stored;
    const before = opened.logs.listLogs({ limit: 100, order: "desc" });
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 1 });
    closeFile(opened);

    opened = await openFile(path, 4);
    expect(opened.logs.listLogs({ limit: 100, order: "desc" })).toEqual(before);
    expect(opened.logs.stats()).toEqual({ logs: 4, maxLogs: 4, evictedLogs: 1 });
    expect(opened.logs.lastSeq()).toBe(second[2]?.seq);
    expect(opened.logs.listLogs({ limit: 100, order: "asc", traceId: traceId(1) }).logs.map((l) => l.seq)).toEqual(
      [first[1], ...second].map((log) => log?.seq),
    );
    expect(opened.store.getTrace(traceId(1))).toHaveLength(1);
    // Numbers go on from where they were, never reused.
    const [next] = opened.logs.insertLogs([makeLog({ at: 9 })]).stored;
    expect(next?.seq).toBe((second[2]?.seq ?? 0) + 1);
  });

  it("knows a request sent again after a restart, and one sent again before its first write", async () => {
    const path = tempPath();
    let opened = await openFile(path);
    const batch: LogRecord[] = [
      richLog(),
      makeLog({ at: 1, trace: 1, body: "b1" }),
      // Its observed time was given on arrival: a resend after the restart arrives at another.
      { ...makeLog({ at: 2, body: "b2" }), observedOnArrival: true },
    ];
    opened.logs.insertLogs(batch);
    // Still pending: found among the records not yet written.
    expect(opened.logs.insertLogs(structuredClone(batch))).toEqual({ stored: [], duplicates: 3 });
    const before = opened.logs.listLogs({ limit: 100, order: "desc" });
    closeFile(opened);

    opened = await openFile(path);
    const resent = structuredClone(batch);
    (resent[2] as LogRecord).observedTimeUnixNano += 5_000_000_000n;
    expect(opened.logs.insertLogs(resent)).toEqual({ stored: [], duplicates: 3 });
    expect(opened.logs.insertLogs([makeLog({ at: 1, body: "new" })])).toMatchObject({ duplicates: 0 });
    const after = opened.logs.listLogs({ limit: 100, order: "desc" }).logs;
    expect(after.filter((log) => log.record.body !== "new")).toEqual(before.logs);
    expect(opened.logs.stats()).toMatchObject({ logs: 4 });
  });

  it("keeps equal records of one request across a restart, and finds an import's records stored before", async () => {
    const path = tempPath();
    let opened = await openFile(path);
    const request = [1, 2, 3].map(() => makeLog({ at: 4, trace: 1, span: 1, body: "retrying" }));
    expect(opened.logs.insertLogs(request)).toMatchObject({ duplicates: 0 });
    // Partly written: records in the file and records still pending are looked for in both.
    await opened.logs.committed?.();
    const second = [makeLog({ at: 4, trace: 1, span: 1, body: "retrying" }), makeLog({ at: 4, body: "b" })];
    expect(opened.logs.insertLogs(second)).toMatchObject({ duplicates: 1, stored: [{ record: { body: "b" } }] });
    expect(opened.logs.insertLogs(structuredClone(request))).toEqual({ stored: [], duplicates: 3 });
    expect(opened.logs.insertLogs([...structuredClone(request), ...structuredClone(second)])).toMatchObject({
      duplicates: 4,
    });
    closeFile(opened);

    opened = await openFile(path);
    expect(opened.logs.stats()).toMatchObject({ logs: 5 });
    expect(opened.logs.insertLogs(structuredClone(request))).toEqual({ stored: [], duplicates: 3 });
    expect(opened.logs.insertLogs(structuredClone(second))).toEqual({ stored: [], duplicates: 2 });
    // Six equal records of which the file holds four: two more.
    expect(opened.logs.insertLogs([...structuredClone(request), ...structuredClone(request)])).toMatchObject({
      duplicates: 4,
    });
    expect(opened.logs.stats()).toMatchObject({ logs: 7 });
  });

  it("applies a smaller --max-logs to a file at once, oldest arrivals first", async () => {
    const path = tempPath();
    const opened = await openFile(path, 100);
    opened.logs.insertLogs([1, 2, 3, 4, 5].map((i) => makeLog({ at: 10 - i, body: i, trace: 1 })));
    closeFile(opened);
    const smaller = await openFile(path, 2);
    expect(smaller.logs.stats()).toEqual({ logs: 2, maxLogs: 2, evictedLogs: 3 });
    expect(smaller.logs.listLogs({ limit: 10, order: "asc" }).logs.map((l) => l.record.body)).toEqual([5, 4]);
    const ofTrace = smaller.logs.listLogs({ limit: 10, order: "asc", traceId: traceId(1) });
    expect(ofTrace.logs.map((l) => l.record.body)).toEqual([5, 4]);
    closeFile(smaller);
    // A bound chosen from what the file holds is told the counts before any bound applies.
    const told: HeldLogs[] = [];
    const chosen = await openFile(path, (held) => {
      told.push(held);
      return held.logs - 1;
    });
    expect(told).toEqual([{ logs: 2, evictedLogs: 3 }]);
    expect(chosen.logs.stats()).toEqual({ logs: 1, maxLogs: 1, evictedLogs: 4 });
    expect(chosen.logs.listLogs({ limit: 10, order: "asc" }).logs.map((l) => l.record.body)).toEqual([5]);
  });

  it("keeps a clear across a restart, and numbering forward", async () => {
    const path = tempPath();
    let opened = await openFile(path);
    const [before] = opened.logs.insertLogs([makeLog()]).stored;
    opened.logs.clear();
    closeFile(opened);
    opened = await openFile(path);
    expect(opened.logs.listLogs({ limit: 10, order: "desc" })).toEqual({ logs: [] });
    const [after] = opened.logs.insertLogs([makeLog()]).stored;
    expect(after?.seq).toBeGreaterThan(before?.seq ?? 0);
  });

  it("knows the services with records across a restart, also in a file written before it kept them", async () => {
    const path = tempPath();
    let opened = await openFile(path, 4);
    opened.logs.insertLogs(["worker", "web", "web", "db"].map((service, at) => makeLog({ service, at })));
    await opened.logs.committed?.();
    // Pending at close: written with it. The worker's only record is evicted.
    opened.logs.insertLogs([makeLog({ service: "batch", at: 4 })]);
    expect(opened.logs.logServices()).toEqual(["batch", "db", "web"]);
    closeFile(opened);
    opened = await openFile(path, 4);
    expect(opened.logs.logServices()).toEqual(["batch", "db", "web"]);
    closeFile(opened);
    // A file of the first log tables: the services' newest records are found as it opens.
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    raw.exec("ALTER TABLE log_services DROP COLUMN newest_seq; UPDATE log_schema SET version = 1");
    raw.close();
    opened = await openFile(path, 4);
    expect(opened.logs.logServices()).toEqual(["batch", "db", "web"]);
    opened.logs.insertLogs([5, 6, 7].map((at) => makeLog({ service: "web", at })));
    expect(opened.logs.logServices()).toEqual(["batch", "web"]);
  });

  it("refuses a file whose log tables a newer version wrote, saying so", async () => {
    const path = tempPath();
    closeFile(await openFile(path));
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    raw.prepare("UPDATE log_schema SET version = 99").run();
    raw.close();
    await expect(openStores({ dbPath: path, maxSpans: 1000 })).rejects.toThrow(
      /its log tables were written by a newer tracekit-local \(version 99, this one knows 3\)/,
    );
  });

  it("writes a record's dropped body entries so that a version that misreads them refuses the file", async () => {
    const path = tempPath();
    const opened = await openFile(path);
    const cut: LogRecord = { ...makeLog({ at: 1, body: { kept: 1 } }), droppedBodyEntries: 500 };
    opened.logs.insertLogs([
      cut,
      { ...makeLog({ at: 2, body: { kept: 2 } }), droppedBodyEntries: 7, observedOnArrival: true },
    ]);
    closeFile(opened);
    const Driver = (await import("better-sqlite3")).default;
    const raw = new Driver(path);
    // The tables of version 2 would read a later field's bytes slot as the record's bytes.
    expect(raw.prepare("SELECT version FROM log_schema").pluck().get()).toBe(3);
    const bodies = raw.prepare("SELECT body FROM log_records ORDER BY seq").pluck().all() as string[];
    raw.close();
    for (const body of bodies) {
      const fields = JSON.parse(body) as unknown[];
      expect(fields).toHaveLength(11);
      expect(fields[9]).not.toBeNull();
    }
    const reopened = await openFile(path);
    const logs = reopened.logs.listLogs({ limit: 10, order: "asc" }).logs;
    expect(logs.map((log) => [log.record.droppedBodyEntries, log.record.bytes])).toEqual([
      [500, undefined],
      [7, undefined],
    ]);
  });

  it("is closed with the span store", async () => {
    const { store, logs } = await openStores({ dbPath: tempPath(), maxSpans: 1000 });
    store.close();
    expect(() => logs.listLogs({ limit: 1, order: "desc" })).toThrow(/closed/);
  });
});
