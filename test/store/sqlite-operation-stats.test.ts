import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Attributes, Span, SpanKind } from "../../src/domain/span.js";
import { MAX_OPERATIONS_PER_SERVICE, OTHER_OPERATIONS } from "../../src/store/operation-stats.js";
import type { StatisticsFill } from "../../src/store/sqlite-operation-stats.js";
import type { SqliteDatabase, SqliteDriver } from "../../src/store/sqlite-schema.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite-schema.js";
import { createSqliteStore, loadSqliteDriver, type SqliteStoreOptions } from "../../src/store/sqlite-store.js";
import type { ServiceOperations, ServiceStats, StatsWindow, Store } from "../../src/store/store.js";
import { copyAsKilled } from "./killed-copy.js";
import {
  apiTraffic,
  calledServiceTraffic,
  counts,
  failedInsideTraffic,
  jobTraffic,
  minuteThatLostSpans,
  nestedServerTraffic,
  opSpan,
  shuffled,
  snapshot,
} from "./operations-contract.js";
import { ms, traceId } from "./span-fixtures.js";
import { unhurried } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-sqlite-stats-"));
let files = 0;
const tempPath = () => join(dir, `stats-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rawDatabase(path: string): Promise<SqliteDatabase> {
  const specifier = "better-sqlite3";
  const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
  return new Driver(path);
}

async function countRows(path: string, table: string): Promise<number> {
  const db = await rawDatabase(path);
  try {
    return Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  } finally {
    db.close();
  }
}

/**
 * Requests whose percentiles a bucket's middle would misread: in T0's minute 20 to "api" of 990–999.5
 * ms (each with a database call of 10–20 ms), in the next minute 10 of 100–103 ms, and two hours on
 * one job root span of 2.5 ms; trace numbers from `first`, durations shifted by `shift` ms (kept
 * within those ranges).
 */
function boundedTraffic(first = 1, shift = 0): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < 20; i++) {
    const start = i * 1_000;
    spans.push(
      opSpan({
        trace: first + i,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET /slow",
        start,
        end: start + 990 + i * 0.5 - shift,
        error: i === 3,
      }),
      opSpan({
        trace: first + i,
        span: 2,
        kind: "CLIENT",
        name: "SELECT",
        start: start + 1,
        end: start + 11 + i * 0.5 - shift,
      }),
    );
  }
  for (let i = 0; i < 10; i++) {
    const start = 60_000 + i * 1_000;
    spans.push(
      opSpan({
        trace: first + 20 + i,
        span: 1,
        parent: null,
        kind: "SERVER",
        name: "GET /fast",
        start,
        end: start + 100 + i * 0.3 + shift,
      }),
    );
  }
  const start = 7_200_000 + shift;
  spans.push(
    opSpan({
      trace: first + 30,
      span: 1,
      parent: null,
      kind: "INTERNAL",
      name: "job",
      service: "cron",
      start,
      end: start + 2.5,
    }),
  );
  return spans;
}

/** Windows whose statistics merge minutes, hours and the total (T0 is 20 s into its minute); none ends at now. */
const BOUNDED_WINDOWS: StatsWindow[] = [
  {},
  { untilUnixNano: ms(30_000) },
  { sinceUnixNano: ms(50_000), untilUnixNano: ms(7_300_000) },
  { sinceUnixNano: ms(-7_200_000), untilUnixNano: ms(10_800_000) },
];

/** Every statistic over BOUNDED_WINDOWS, percentiles as read (not by bucket as `snapshot` compares them). */
function exactStats(store: Store): { services: ServiceStats[]; operations: (ServiceOperations | undefined)[] }[] {
  return BOUNDED_WINDOWS.map((window) => {
    const services = store.listServices(window);
    return { services, operations: services.map((s) => store.listOperations(s.name, window)) };
  });
}

describe("sqlite store: per-operation statistics in the file", () => {
  beforeAll(() => loadSqliteDriver());
  const open: Store[] = [];
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
  });

  function openStore(path: string, options: Partial<SqliteStoreOptions> = {}): Store {
    const store = unhurried(createSqliteStore({ path, maxSpans: 100_000, ...options }));
    open.push(store);
    return store;
  }

  function closeStore(store: Store): void {
    store.close();
    open.splice(open.indexOf(store), 1);
  }

  it.each([
    ["batched writes", 5_000],
    ["a commit per insert (traces grow over several commits)", 1],
  ])("reopens with the same statistics, with eviction before and after, %s", (_, flushSpans) => {
    const path = tempPath();
    const maxSpans = 8;
    const fills: StatisticsFill[] = [];
    const options = { maxSpans, flushSpans, onStatisticsFill: (fill: StatisticsFill) => fills.push(fill) };
    const spans = [...apiTraffic(), ...jobTraffic()];
    let store = openStore(path, options);
    for (let i = 0; i < spans.length; i += 3) {
      store.insertSpans(spans.slice(i, i + 3));
      const before = snapshot(store);
      closeStore(store);
      store = openStore(path, options);
      expect(snapshot(store), `after ${i + 3} spans`).toEqual(before);
      // What a store would hold had it received just the kept traces, with no restart.
      const rebuilt = openStore(tempPath(), { maxSpans });
      for (const trace of store.listTraces({ limit: 1000 }).traces.reverse()) {
        rebuilt.insertSpans(store.getTrace(trace.traceId) ?? []);
      }
      expect(snapshot(store), `after ${i + 3} spans`).toEqual(snapshot(rebuilt));
      closeStore(rebuilt);
    }
    expect(store.listServices().map((s) => s.name)).toEqual(["cron"]);
    expect(fills).toEqual([]);
  });

  it("reads the same percentiles after a reopening: each minute's shortest and longest duration are in the file", () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(boundedTraffic());
    const before = exactStats(store);
    // 20 requests of 990–999.5 ms: held within the longest, not the middle of its bucket (1005.9 ms).
    expect(before[0]?.services.find((s) => s.name === "api")?.p99Ms).toBe(999.5);
    closeStore(store);
    store = openStore(path);
    expect(exactStats(store)).toEqual(before);
    // Spans added after the reopening to the minutes read back keep them exact, across another one.
    store.insertSpans(boundedTraffic(100, 0.25));
    const grown = exactStats(store);
    expect(grown[0]?.services.find((s) => s.name === "api")?.p99Ms).toBe(999.5);
    closeStore(store);
    store = openStore(path);
    expect(exactStats(store)).toEqual(grown);
  });

  it.each([
    ["batched writes", 5_000],
    ["a commit per insert", 1],
  ])(
    "reads the same percentiles after reopenings as retention takes spans out of minutes and empties them, %s",
    (_, flushSpans) => {
      const path = tempPath();
      const options = { maxSpans: 24, flushSpans };
      let store = openStore(path, options);
      // The second traffic comes back to minutes the first left, partly or wholly evicted.
      const spans = [...boundedTraffic(), ...boundedTraffic(100, 0.25)];
      for (let i = 0; i < spans.length; i += 7) {
        store.insertSpans(spans.slice(i, i + 7));
        const before = exactStats(store);
        closeStore(store);
        store = openStore(path, options);
        expect(exactStats(store), `after ${i + 7} spans`).toEqual(before);
      }
    },
  );

  it("keeps a minute's bounds as a read held them within its buckets, so a later span moves it and its hour alike after a reopening", async () => {
    // As the store contract's case of a minute that lost spans, with the file reopened between the
    // read and the later span: the file must hold the bounds the read held the minute within.
    const path = tempPath();
    // A commit per insert: the one that evicts the 1.5 s request comes before the read.
    let store = openStore(path, { maxSpans: 5, flushSpans: 1 });
    const { before, later, wholeHour, oneMinute } = minuteThatLostSpans;
    for (const spans of before()) store.insertSpans(spans);
    const api = (window: StatsWindow) => store.listServices(window).find((s) => s.name === "api");
    // The minute knows its longest only to within its bucket now (its middle, 1.006 s); the 1.5 s one left.
    expect(api(wholeHour)).toMatchObject({ requestCount: 2, p99Ms: expect.closeTo(1006.2, 1) });
    closeStore(store);
    const db = await rawDatabase(path);
    const longest = db
      .prepare("SELECT max(high_ns) FROM stats_bounds WHERE service = 'api' AND series = 0")
      .pluck()
      .get() as number;
    db.close();
    // The file keeps the bound the read found (the top of the 1.000 s bucket), not the 1.5 s that left.
    expect(longest / 1e6).toBeLessThan(1080);
    store = openStore(path, { maxSpans: 5, flushSpans: 1 });
    store.insertSpans(later());
    expect(api(wholeHour)).toMatchObject({ requestCount: 3, p99Ms: 1080 });
    expect(api(oneMinute)).toMatchObject({ requestCount: 3, p99Ms: 1080 });
    expect(api({})?.p99Ms).toBe(1080);
    closeStore(store);
    store = openStore(path, { maxSpans: 5, flushSpans: 1 });
    expect(api(oneMinute)).toMatchObject({ requestCount: 3, p99Ms: 1080 });
  });

  it("deletes the bounds rows of minutes and series a file no longer has at its opening, reading the same statistics", async () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(boundedTraffic());
    const before = exactStats(store);
    closeStore(store);
    const rows = await countRows(path, "stats_bounds");
    // Rows a file's older writes may leave: a minute with no spans, an operation and a service that are gone.
    const db = await rawDatabase(path);
    const insert = db.prepare(
      "INSERT INTO stats_bounds (service, series, minute, low_ns, high_ns) VALUES (?, ?, ?, ?, ?)",
    );
    insert.run("api", 0, 1, 1, 2e12);
    insert.run("api", 9_999, 28_333_333, 1, 2e12);
    insert.run("gone", 0, 28_333_333, 1, 2e12);
    db.close();
    store = openStore(path);
    expect(exactStats(store)).toEqual(before);
    closeStore(store);
    expect(await countRows(path, "stats_bounds")).toBe(rows);
  });

  it("opens a file from before the minutes' bounds were kept: its minutes bounded by their buckets, new ones exact", async () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(boundedTraffic());
    closeStore(store);
    const db = await rawDatabase(path);
    db.exec("DROP TABLE stats_bounds");
    db.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    db.close();

    const fills: StatisticsFill[] = [];
    store = openStore(path, { onStatisticsFill: (fill) => fills.push(fill) });
    expect(fills).toEqual([]);
    const api = (window: StatsWindow = {}) => store.listServices(window).find((s) => s.name === "api");
    // The middle of the bucket of 999.5 ms, within its edges (984.6–1027.5 ms): as before the bounds were kept.
    expect(api()?.p99Ms).toBeCloseTo(1006.186, 3);
    // A minute of new requests, beside the old ones: exact in its own window, and the same after a reopening.
    const later = 600_000;
    store.insertSpans(
      Array.from({ length: 5 }, (_, i) =>
        opSpan({
          trace: 200 + i,
          span: 1,
          parent: null,
          kind: "SERVER",
          name: "GET /slow",
          start: later + i,
          end: later + i * 2 + 990,
        }),
      ),
    );
    const newMinute = { sinceUnixNano: ms(later), untilUnixNano: ms(later + 1_000) };
    expect(api(newMinute)?.p99Ms).toBe(994);
    const before = [...exactStats(store), store.listServices(newMinute)];
    closeStore(store);
    expect(await countRows(path, "stats_bounds")).toBe(3);
    store = openStore(path);
    expect([...exactStats(store), store.listServices(newMinute)]).toEqual(before);
  });

  it("shows retention in its statistics while the commit that evicts still waits, and counts no span twice", () => {
    const maxSpans = 8;
    // No commit but the ones a read of spans asks for: statistics reads must not wait for one.
    const path = tempPath();
    const waiting = openStore(path, { maxSpans, flushSpans: 100_000, flushIntervalMs: 3_600_000 });
    const walBytes = () => statSync(`${path}-wal`).size;
    // The same spans with a commit per insert: retention applied as each arrives.
    const committed = openStore(tempPath(), { maxSpans, flushSpans: 1 });
    const spans = [...apiTraffic(), ...jobTraffic()];
    const late = apiTraffic().filter((span) => span.traceId === spans[0]?.traceId);
    for (let i = 0; i < spans.length; i += 2) {
      const chunk = spans.slice(i, i + 2);
      waiting.insertSpans(chunk);
      committed.insertSpans(chunk);
      const wal = walBytes();
      expect(snapshot(waiting), `after ${i + 2} spans`).toEqual(snapshot(committed));
      expect(walBytes(), "no commit").toBe(wal);
      // Read twice: a trace already out of the statistics is not taken out again.
      expect(snapshot(waiting)).toEqual(snapshot(committed));
      if (i === 8) {
        // A late span of a trace that the waiting commit evicts: counted in neither store.
        expect(committed.getTrace(spans[0]?.traceId ?? "")).toBeUndefined();
        waiting.insertSpans(late.map((span) => ({ ...span, spanId: "00000000000000aa", parentSpanId: span.spanId })));
        expect(snapshot(waiting)).toEqual(snapshot(committed));
      }
    }
    // The commit (a read of spans asks for it) leaves the statistics as they were shown.
    const shown = snapshot(waiting);
    expect(waiting.listTraces({ limit: 100 }).traces.length).toBe(committed.listTraces({ limit: 100 }).traces.length);
    expect(snapshot(waiting)).toEqual(shown);
  });

  it("reopens with nested entry spans still apart and not counted as requests", () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(nestedServerTraffic());
    const before = snapshot(store);
    expect(before.services.find((s) => s.name === "shop")?.requestCount).toBe(6);
    closeStore(store);
    store = openStore(path);
    expect(snapshot(store)).toEqual(before);
    // New nested spans after the reopen join the operations read back from the file.
    store.insertSpans(nestedServerTraffic().map((span) => ({ ...span, traceId: span.traceId.replace(/^0/, "f") })));
    const shop = store.listOperations("shop");
    expect(shop?.service.requestCount).toBe(12);
    expect(shop?.operations.find((o) => o.name === "GET /users/:id" && o.nested)).toMatchObject({ count: 12 });
    expect(shop?.operations.find((o) => o.name === "GET /users/:id" && !o.nested)).toMatchObject({ count: 12 });
  });

  it("links every operation by operation= in a file whose queries held span names, routes and peers", async () => {
    const path = tempPath();
    let store = openStore(path);
    const span = (trace: number, kind: SpanKind, name: string, attributes: Attributes) =>
      opSpan({ trace, span: 1, parent: null, kind, name, end: 2, attributes });
    store.insertSpans([
      span(1, "SERVER", "GET", { "url.path": "/items/5" }),
      span(2, "SERVER", "GET", { "url.path": "/items/5/reviews" }),
      span(3, "SERVER", "GET", { "url.path": "/items" }),
      span(4, "CLIENT", "GET", { "http.request.method": "GET", "peer.service": "payments" }),
      span(5, "UNSPECIFIED", "tick", {}),
    ]);
    closeStore(store);
    // As older versions wrote them: the route's fixed parts, which /items/5/reviews holds too; an exact
    // path, which missed a span named `GET /items`; a peer as free text; no kind for an unspecified one.
    const db = await rawDatabase(path);
    const update = db.prepare("UPDATE stats_operations SET query = ? WHERE name = ?");
    update.run('service="api" kind=server name="GET" url.path~"/items/"', "GET /items/:id");
    update.run('service="api" kind=server name="GET" url.path="/items"', "GET /items");
    update.run('service="api" kind=client name="GET" "payments"', "GET payments");
    update.run('service="api" name="tick"', "tick");
    db.close();
    store = openStore(path);
    store.insertSpans([
      span(6, "SERVER", "GET /items", {}),
      span(7, "CLIENT", "GET payments", { "peer.service": "payments" }),
    ]);
    const queryOf = (name: string) =>
      store.listOperations("api")?.operations.find((o) => o.name === name && !o.nested)?.query ?? "";
    expect(queryOf("GET /items/:id")).toBe('service="api" kind=server operation="GET /items/:id"');
    expect(queryOf("GET /items")).toBe('service="api" kind=server operation="GET /items"');
    expect(queryOf("GET payments")).toBe('service="api" kind=client operation="GET payments"');
    expect(queryOf("tick")).toBe('service="api" kind=unspecified operation="tick"');
    const traces = (q: string) =>
      store
        .listTraces({ q, limit: 10 })
        .traces.map((t) => t.traceId)
        .sort();
    expect(traces(queryOf("GET /items/:id"))).toEqual([traceId(1)]);
    expect(traces(queryOf("GET /items"))).toEqual([traceId(3), traceId(6)].sort());
    expect(traces(queryOf("GET payments"))).toEqual([traceId(4), traceId(7)].sort());
    expect(traces(queryOf("tick"))).toEqual([traceId(5)]);
  });

  it("moves an entry span to the nested ones across commits and reopenings, and evicts it exactly", () => {
    // And a service whose one inner span, come first, made an operation of its own that the move empties.
    const solo = [
      opSpan({ trace: 99, span: 2, parent: 1, kind: "SERVER", name: "POST /solo", start: 1, end: 3, service: "solo" }),
      opSpan({ trace: 99, span: 1, parent: null, kind: "SERVER", name: "POST", end: 4, service: "solo" }),
    ];
    const traffic = [...nestedServerTraffic(), ...calledServiceTraffic(), ...solo];
    const together = openStore(tempPath());
    together.insertSpans(traffic);
    const expected = counts(together);
    const fills: StatisticsFill[] = [];
    const options = {
      flushSpans: 1,
      maxSpans: traffic.length,
      onStatisticsFill: (fill: StatisticsFill) => fills.push(fill),
    };
    const path = tempPath();
    let store = openStore(path, options);
    // One span per commit, parents after children, reopened every few spans: the marks come back from the rows.
    for (const [i, span] of [...solo, ...shuffled(traffic.slice(0, -2), 5)].entries()) {
      store.insertSpans([span]);
      if (i % 4 === 3) {
        const before = counts(store);
        closeStore(store);
        store = openStore(path, options);
        expect(counts(store), `reopened after ${i + 1} spans`).toEqual(before);
      }
    }
    expect(counts(store)).toEqual(expected);
    closeStore(store);
    store = openStore(path, options);
    expect(counts(store)).toEqual(expected);
    // Newer traffic evicts them all: what is left is what that traffic alone gives.
    const alone = openStore(tempPath(), options);
    for (const span of apiTraffic()) {
      store.insertSpans([span]);
      alone.insertSpans([span]);
    }
    expect(counts(store)).toEqual(counts(alone));
    closeStore(store);
    expect(counts(openStore(path, options))).toEqual(counts(alone));
    // Read back from the tokens every time: no reopening had to rebuild the statistics from the span rows.
    expect(fills).toEqual([]);
  });

  it("counts requests failed inside after reopenings and a fill from the span rows, and evicts them exactly", async () => {
    const traffic = failedInsideTraffic();
    const together = openStore(tempPath());
    together.insertSpans(traffic);
    const expected = counts(together);
    expect(together.listServices().find((s) => s.name === "payment")?.requestErrorCount).toBe(5);
    const fills: StatisticsFill[] = [];
    const options = {
      flushSpans: 1,
      maxSpans: traffic.length,
      onStatisticsFill: (fill: StatisticsFill) => fills.push(fill),
    };
    const path = tempPath();
    let store = openStore(path, options);
    // One span per commit, inner ones before and after their outer ones, reopened every few spans.
    for (const [i, span] of shuffled(traffic, 17).entries()) {
      store.insertSpans([span]);
      if (i % 3 === 2) {
        const before = counts(store);
        closeStore(store);
        store = openStore(path, options);
        expect(counts(store), `reopened after ${i + 1} spans`).toEqual(before);
      }
    }
    expect(counts(store)).toEqual(expected);
    closeStore(store);
    expect(fills).toEqual([]);
    // Filled in from the span rows (a file whose tokens were lost), the same.
    const db = await rawDatabase(path);
    db.exec("DELETE FROM span_stats");
    db.close();
    store = openStore(path, options);
    expect(fills).toHaveLength(2);
    expect(counts(store)).toEqual(expected);
    // Newer traffic evicts them all: what is left is what that traffic alone gives.
    const alone = openStore(tempPath(), options);
    for (const span of apiTraffic()) {
      store.insertSpans([span]);
      alone.insertSpans([span]);
    }
    expect(counts(store)).toEqual(counts(alone));
    closeStore(store);
    expect(counts(openStore(path, options))).toEqual(counts(alone));
  });

  it("fills in once a file whose tokens count no request failed inside, so a late span that nests its requests takes back no failure never counted", async () => {
    const request = (trace: number, span: number, parent: number | null, start: number, end: number, error = false) =>
      opSpan({ trace, span, parent, kind: "SERVER", name: "POST /charge", start, end, error, service: "payment" });
    // Trace 1: a request whose inner telling failed; its outer telling comes later. Trace 2: the same,
    // complete. Trace 3: another request of the operation, in the same minute, that did not fail.
    const stored = [
      request(1, 2, 1, 2, 8),
      request(1, 3, 2, 2.5, 7.5, true),
      request(2, 1, null, 2, 8),
      request(2, 2, 1, 2.5, 7.5, true),
      request(3, 1, null, 3, 6),
    ];
    // Its outer telling is of an operation of its own: the inner one's loses the request.
    const late = { ...request(1, 1, null, 1, 9), name: "POST /pay" };
    const fresh = openStore(tempPath());
    fresh.insertSpans(stored);
    const storedCounts = counts(fresh);
    fresh.insertSpans([late]);
    const expected = counts(fresh);
    expect(fresh.listServices()[0]).toMatchObject({ requestCount: 3, requestErrorCount: 2 });

    const path = tempPath();
    const fills: StatisticsFill[] = [];
    const options = { onStatisticsFill: (fill: StatisticsFill) => fills.push(fill) };
    let store = openStore(path, options);
    store.insertSpans(stored);
    closeStore(store);
    // The tokens as the version before failed-inside requests were counted wrote them: none of those,
    // and nothing after each row's tokens.
    const db = await rawDatabase(path);
    const rows = db.prepare("SELECT id, tokens FROM span_stats").raw().all() as [bigint, Uint8Array][];
    const rewrite = db.prepare("UPDATE span_stats SET tokens = ? WHERE id = ?");
    let failedInsideTokens = 0;
    for (const [id, tokens] of rows) {
      const kept: Uint8Array[] = [];
      for (let at = 0; at + 10 <= tokens.byteLength; at += 10) {
        const flags = (tokens[at + 9] as number) << 8;
        if ((flags & 0x4000) === 0) kept.push(tokens.subarray(at, at + 10));
        else failedInsideTokens++;
      }
      rewrite.run(Buffer.concat(kept), id);
    }
    db.close();
    expect(failedInsideTokens).toBe(2);

    store = openStore(path, options);
    expect(fills).toHaveLength(2);
    expect(counts(store)).toEqual(storedCounts);
    store.insertSpans([late]);
    const errorCounts = [
      ...store.listServices().map((s) => s.requestErrorCount),
      ...(store.listOperations("payment")?.operations.map((o) => o.errorCount) ?? []),
    ];
    expect(Math.min(...errorCounts)).toBeGreaterThanOrEqual(0);
    expect(counts(store)).toEqual(expected);
    closeStore(store);
    // Filled in once: the rows written since count requests failed inside.
    store = openStore(path, options);
    expect(fills).toHaveLength(2);
    expect(counts(store)).toEqual(expected);
    closeStore(store);
    // A row the previous version added to the file (opened by it in between): filled in again.
    const older = await rawDatabase(path);
    older.exec(
      "UPDATE span_stats SET tokens = substr(tokens, 1, length(tokens) - 1) WHERE id = (SELECT max(id) FROM span_stats)",
    );
    older.close();
    store = openStore(path, options);
    expect(fills).toHaveLength(4);
    expect(counts(store)).toEqual(expected);
  });

  it("finds a request counted among other operations there again after a reopening, once eviction made room for operations of its own", async () => {
    const span = (trace: number, id: number, parent: number | null, name: string, start = 0, end = 1, error = false) =>
      opSpan({ trace, span: id, parent, kind: "SERVER", name, start, end, error, service: "payment" });
    // Every operation the service keeps, then a request (and its failed inner telling) counted among other operations.
    const jobs = Array.from({ length: MAX_OPERATIONS_PER_SERVICE }, (_, i) => span(i + 1, 1, null, `job ${i}`));
    const request = [span(900, 2, 1, "POST /charge", 2, 8), span(900, 3, 2, "POST /charge", 2.5, 7.5, true)];
    // Newer traffic of another service evicts jobs (room for operations), and a later span nests the
    // request in its outer telling.
    const newer = Array.from({ length: 10 }, (_, i) => ({ ...span(1_000 + i, 1, null, "tick"), service: "cron" }));
    const late = span(900, 1, null, "POST /pay", 1, 9);
    const options = { maxSpans: MAX_OPERATIONS_PER_SERVICE + 2 };
    const kept = openStore(tempPath(), options);
    const path = tempPath();
    let store = openStore(path, options);
    for (const s of [kept, store]) {
      s.insertSpans(jobs);
      s.insertSpans(request);
    }
    expect(counts(store)).toEqual(counts(kept));
    closeStore(store);
    store = openStore(path, options);
    for (const s of [kept, store]) {
      s.insertSpans(newer);
      await s.committed?.();
      s.insertSpans([late]);
    }
    // The request leaves the row it was counted in: none goes below zero, and the service counts as
    // without the reopening (the request moved to the nested ones may take a row of its own now).
    const rows = (s: Store) =>
      (s.listOperations("payment")?.operations ?? [])
        .filter((o) => !o.name.startsWith("job "))
        .map((o) => [o.name, o.nested, o.count, o.errorCount]);
    expect(Math.min(...rows(store).flatMap(([, , count, errors]) => [count, errors] as number[]))).toBe(0);
    expect(rows(kept)).toEqual([
      [OTHER_OPERATIONS, true, 2, 1],
      ["POST /pay", false, 1, 1],
    ]);
    expect(rows(store).filter(([, nested]) => !nested)).toEqual([["POST /pay", false, 1, 1]]);
    expect(store.listServices()).toEqual(kept.listServices());
    const before = counts(store);
    closeStore(store);
    store = openStore(path, options);
    expect(counts(store)).toEqual(before);
    // Evicted, the request leaves every row it was in.
    store.insertSpans(
      Array.from({ length: options.maxSpans }, (_, i) => ({ ...span(2_000 + i, 1, null, "tick"), service: "cron" })),
    );
    await store.committed?.();
    expect(store.listServices().map((s) => s.name)).toEqual(["cron"]);
    expect(store.listOperations("payment")).toBeUndefined();
  });

  it("upgrades a file from before the statistics were kept and fills them in once", async () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(apiTraffic());
    store.insertSpans(jobTraffic());
    const before = snapshot(store);
    const exactBefore = exactStats(store);
    closeStore(store);
    // The file as the schema version before the statistics tables left it (they came seven versions
    // back; those after them keep evicted counts, evicted traces' fingerprints, error origins and
    // minutes' duration bounds).
    const db = await rawDatabase(path);
    db.exec(
      "DROP TABLE span_stats; DROP TABLE stats_operations; DROP TABLE evicted_fingerprints; DROP TABLE stats_bounds; " +
        "ALTER TABLE counters DROP COLUMN evicted_traces; ALTER TABLE counters DROP COLUMN evicted_spans; " +
        "ALTER TABLE traces DROP COLUMN error_exception; ALTER TABLE traces DROP COLUMN error_start_ns; " +
        "ALTER TABLE traces DROP COLUMN error_span;",
    );
    db.pragma(`user_version = ${SCHEMA_VERSION - 7}`);
    db.close();

    const fills: StatisticsFill[] = [];
    const onStatisticsFill = (fill: StatisticsFill) => fills.push(fill);
    store = openStore(path, { onStatisticsFill });
    expect(fills).toEqual([
      { spans: 43, ms: null },
      { spans: 43, ms: expect.any(Number) },
    ]);
    expect(snapshot(store)).toEqual(before);
    // Filled in from the spans' own durations: their minutes' bounds are exact, and written too.
    expect(exactStats(store)).toEqual(exactBefore);
    store.insertSpans([opSpan({ trace: 99, span: 1, parent: null, kind: "SERVER", name: "late", end: 1 })]);
    const after = snapshot(store);
    const exactAfter = exactStats(store);
    closeStore(store);
    expect(await countRows(path, "span_stats")).toBe(20);

    store = openStore(path, { onStatisticsFill });
    expect(fills).toHaveLength(2);
    expect(snapshot(store)).toEqual(after);
    expect(exactStats(store)).toEqual(exactAfter);
  });

  it("counts each service's traces in a window by their starts after a reopening, and after a fill from the span rows", async () => {
    const path = tempPath();
    let store = openStore(path);
    const minute = 60_000;
    const span = (trace: number, id: number, parent: number | null, at: number) =>
      opSpan({
        trace,
        span: id,
        parent,
        kind: "SERVER",
        name: "op",
        service: "gw",
        start: at * minute,
        end: at * minute + 5,
      });
    // Trace 3's root (minute 1) comes after its child (minute 6): it starts in minute 1.
    store.insertSpans([span(1, 1, null, 0), span(2, 1, null, 4), span(3, 2, 1, 6)]);
    store.insertSpans([span(3, 1, null, 1)]);
    const windowed = (s: Store) =>
      [0, 2, 5, 7].map((at) => s.listServices({ sinceUnixNano: ms(at * minute) })[0]?.traceCount ?? 0);
    expect(windowed(store)).toEqual([3, 1, 0, 0]);
    closeStore(store);
    store = openStore(path);
    expect(windowed(store)).toEqual([3, 1, 0, 0]);
    closeStore(store);
    const db = await rawDatabase(path);
    db.exec("DELETE FROM span_stats");
    db.close();
    const fills: StatisticsFill[] = [];
    store = openStore(path, { onStatisticsFill: (fill) => fills.push(fill) });
    expect(fills.length).toBeGreaterThan(0);
    expect(windowed(store)).toEqual([3, 1, 0, 0]);
  });

  it("fills in again a file whose statistics do not cover its spans", async () => {
    const path = tempPath();
    let store = openStore(path);
    store.insertSpans(apiTraffic());
    // Nested entry spans stay apart when the statistics are filled in from the span rows.
    store.insertSpans(nestedServerTraffic());
    const before = snapshot(store);
    expect(before.services.find((s) => s.name === "shop")?.requestCount).toBe(6);
    closeStore(store);
    const db = await rawDatabase(path);
    db.exec("DELETE FROM span_stats WHERE id = (SELECT max(id) FROM span_stats)");
    db.close();
    const fills: StatisticsFill[] = [];
    store = openStore(path, { onStatisticsFill: (fill) => fills.push(fill) });
    expect(fills).toHaveLength(2);
    expect(snapshot(store)).toEqual(before);
  });

  it("finds traces by operation= after a reopening, those counted among other operations and filled in too", async () => {
    const path = tempPath();
    let store = openStore(path);
    const span = (trace: number, id: number, name: string) =>
      opSpan({ trace, span: id, parent: id === 1 ? null : 1, kind: "INTERNAL", name, service: "jobs", end: 1 });
    // More operations than a service keeps: the last ones are counted in "(other operations)".
    store.insertSpans(Array.from({ length: MAX_OPERATIONS_PER_SERVICE + 3 }, (_, i) => span(i + 1, 1, `job ${i}`)));
    const last = MAX_OPERATIONS_PER_SERVICE + 2;
    expect(store.listOperations("jobs")?.operations.some((o) => o.name === OTHER_OPERATIONS)).toBe(true);
    closeStore(store);
    const found = (s: Store, q: string) => s.listTraces({ q, limit: 10 }).traces.map((t) => t.traceId);
    store = openStore(path);
    expect(found(store, 'operation="job 7"')).toEqual([traceId(8)]);
    expect(found(store, `operation="job ${last}"`)).toEqual([traceId(last + 1)]);
    expect(found(store, 'operation="job none"')).toEqual([]);
    // A trace read back takes a span of another operation: found by both.
    store.insertSpans([span(8, 2, "step two")]);
    expect(found(store, 'operation="step two"')).toEqual([traceId(8)]);
    expect(found(store, 'operation="job 7" operation="step two"')).toEqual([]);
    closeStore(store);
    // Statistics filled in from the spans (a file whose tokens do not cover them) tell the same.
    const db = await rawDatabase(path);
    db.exec("DELETE FROM span_stats WHERE id = (SELECT max(id) FROM span_stats)");
    db.close();
    store = openStore(path);
    expect(found(store, 'operation="step two"')).toEqual([traceId(8)]);
    expect(found(store, `operation="job ${last}"`)).toEqual([traceId(last + 1)]);
    expect(found(store, 'operation="job 7"')).toEqual([traceId(8)]);
  });

  it("reopens a TraceKit SDK's INTERNAL database span as an outgoing call, from its tokens and filled in from its row", async () => {
    const path = tempPath();
    let store = openStore(path);
    const select = (trace: number, scope: string) => ({
      ...opSpan({ trace, span: 2, kind: "INTERNAL", name: "SELECT orders", end: 3 }),
      attributes: { "db.system": "postgresql" },
      scope: { name: scope, version: "1.0.0" },
    });
    store.insertSpans([
      opSpan({ trace: 1, span: 1, parent: null, kind: "SERVER", name: "GET /orders", end: 10 }),
      select(1, "@tracekit/node-apm"),
      select(2, "prisma"),
    ]);
    const rows = (s: Store) =>
      (s.listOperations("api")?.operations ?? [])
        .map((o) => [o.group, o.kind, o.name, o.peer, o.count, o.query])
        .sort();
    const before = rows(store);
    expect(before).toContainEqual([
      "outgoing",
      "INTERNAL",
      "SELECT orders",
      "postgresql",
      1,
      'service="api" kind=internal operation="SELECT orders" peer="postgresql"',
    ]);
    closeStore(store);
    store = openStore(path);
    expect(rows(store)).toEqual(before);
    // The file's TraceKit scope is known again at open: the call's link still finds its trace.
    const query = 'service="api" kind=internal operation="SELECT orders" peer="postgresql"';
    expect(store.listTraces({ q: query, limit: 10 }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    // A later span of the call joins the operation read back.
    store.insertSpans([select(3, "@tracekit/node-apm")]);
    expect(store.listOperations("api")?.operations.find((o) => o.group === "outgoing")?.count).toBe(2);
    closeStore(store);
    const db = await rawDatabase(path);
    db.exec("DELETE FROM span_stats");
    db.close();
    store = openStore(path);
    expect(store.listOperations("api")?.operations.find((o) => o.group === "outgoing")?.count).toBe(2);
    expect(store.listOperations("api")?.operations.find((o) => o.group === "internal")?.count).toBe(1);
  });

  it("forgets the operations eviction emptied, in the file too", async () => {
    const path = tempPath();
    const store = openStore(path, { maxSpans: 10 });
    // 200 one-span traces, each its own operation: only the last 10 stay.
    for (let i = 1; i <= 200; i++) {
      store.insertSpans([opSpan({ trace: i, span: 1, parent: null, kind: "SERVER", name: `job ${i}`, end: 1 })]);
      if (i % 7 === 0) await store.committed?.();
    }
    expect(store.listOperations("api")?.operations).toHaveLength(10);
    closeStore(store);
    expect(await countRows(path, "stats_operations")).toBe(10);
    expect(await countRows(path, "span_stats")).toBe(10);
    // Their one minute's bounds: each kept operation's, and the service's entry and root spans'.
    expect(await countRows(path, "stats_bounds")).toBe(12);
    const reopened = openStore(path, { maxSpans: 10 });
    expect(reopened.listOperations("api")?.operations.map((o) => o.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `job ${191 + i}`),
    );
  });

  it("reads the same statistics from a copy as a killed process leaves it", async () => {
    const path = tempPath();
    const store = openStore(path, { flushIntervalMs: 60_000 });
    const spans = apiTraffic();
    store.insertSpans(spans.slice(0, 20));
    await store.committed?.();
    const committed = snapshot(store);
    store.insertSpans(spans.slice(20));
    // The spans after the commit are not in the file: the copy has what was committed.
    const killed = openStore(copyAsKilled(path, tempPath()));
    expect(snapshot(killed)).toEqual(committed);
  });
});
