import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";
import { serviceMapOf } from "../../src/domain/service-map.js";
import type { Span } from "../../src/domain/span.js";
import type { SqliteDatabase, SqliteDriver } from "../../src/store/sqlite-schema.js";
import { createSqliteStore, loadSqliteDriver, type SqliteStoreOptions } from "../../src/store/sqlite-store.js";
import type { HeldSpans, Store } from "../../src/store/store.js";
import { failingTrace, toldTwice } from "./error-groups-contract.js";
import { copyAsKilled } from "./killed-copy.js";
import { counts, snapshot } from "./operations-contract.js";
import { makeSpan, ms, richSpan, rootSpan, sdkFailedRequest, spanId, T0, traceId } from "./span-fixtures.js";
import { describeStoreContract, unhurried } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "tracekit-sqlite-store-"));
let files = 0;
/** How many evicted-trace fingerprints a closed store file holds. */
function countEvictedRows(path: string): number {
  const Driver = createRequire(import.meta.url)("better-sqlite3") as SqliteDriver;
  const db = new Driver(path);
  try {
    const rows = db.prepare("SELECT fingerprints FROM evicted_fingerprints").raw().all() as [Uint8Array][];
    return rows.reduce((sum, [blob]) => sum + blob.byteLength / 8, 0);
  } finally {
    db.close();
  }
}

function tempPath(): string {
  return join(dir, `store-${++files}.db`);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Batched writes as in production (every read flushes), and write-through after every insert.
describeStoreContract("sqlite", async ({ maxSpans, peerNames }) => {
  await loadSqliteDriver();
  return createSqliteStore({ path: tempPath(), maxSpans: maxSpans ?? 100_000, ...(peerNames ? { peerNames } : {}) });
});
describeStoreContract("sqlite, flush per insert", async ({ maxSpans, peerNames }) => {
  await loadSqliteDriver();
  return createSqliteStore({
    path: tempPath(),
    maxSpans: maxSpans ?? 100_000,
    flushSpans: 1,
    ...(peerNames ? { peerNames } : {}),
  });
});

describe("sqlite store: persistence and files", () => {
  beforeAll(() => loadSqliteDriver());
  const open: Store[] = [];
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
  });

  function openStore(options: Partial<SqliteStoreOptions> & { path: string }): Store {
    const store = unhurried(createSqliteStore({ maxSpans: 100_000, ...options }));
    open.push(store);
    return store;
  }

  function reopen(store: Store, options: Partial<SqliteStoreOptions> & { path: string }): Store {
    store.close();
    open.splice(open.indexOf(store), 1);
    return openStore(options);
  }

  it("answers queries and autocomplete from what it stored before a reopen", async () => {
    const path = tempPath();
    let store = openStore({ path });
    store.insertSpans([rootSpan(1, { attributes: { "app.order.id": 89581 } }), rootSpan(2, { service: "web" })]);
    expect(store.listTraces({ limit: 10, q: "app.order.id=89581" }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    store = reopen(store, { path });
    expect(store.listTraces({ limit: 10, q: "app.order.id=89581" }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    expect(store.attributeKeys().keys).toContainEqual({ key: "app.order.id", source: "span", count: 1 });
    expect(store.attributeValues("service", 5).values).toEqual([
      { value: "api", count: 1 },
      { value: "web", count: 1 },
    ]);
    // The rows read back carry their scope, as the spans inserted do.
    expect(store.attributeValues("otel.scope.name", 5).values).toEqual([{ value: "test", count: 2 }]);
    // Once spans arrive after the reopen, they are counted along with the stored ones read back.
    store.insertSpans([rootSpan(3, { service: "web" })]);
    expect(store.attributeValues("service", 5).values).toEqual([
      { value: "web", count: 2 },
      { value: "api", count: 1 },
    ]);
  });

  it("names where a failure started through a span stored before a reopen that did not fail", () => {
    // shop's request (502) → its handler (no status), stored; after a reopen, its call (503) → inventory's request (504).
    const path = tempPath();
    let store = openStore({ path });
    const failing = (span: number, parent: number | null, start: number, message: string): Span => ({
      ...makeSpan({ trace: 9, span, parent, start, end: 100 - start }),
      status: { code: "ERROR", message },
    });
    store.insertSpans([failing(1, null, 0, "HTTP 502"), makeSpan({ trace: 9, span: 2, parent: 1, start: 1, end: 99 })]);
    store = reopen(store, { path });
    store.insertSpans([failing(3, 2, 10, "HTTP 503")]);
    store.insertSpans([failing(4, 3, 12, "HTTP 504")]);
    expect(store.getSummaries([traceId(9)])[0]?.errorMessage).toBe("HTTP 504");
    store = reopen(store, { path });
    expect(store.getSummaries([traceId(9)])[0]?.errorMessage).toBe("HTTP 504");
  });

  it("keeps every span, summary and service across close and reopen", async () => {
    const path = tempPath();
    let store = openStore({ path });
    const rich = richSpan();
    store.insertSpans([rich]);
    store.insertSpans([
      makeSpan({ trace: 1, span: 2, parent: 1, service: "db", start: 5, end: 8, error: true }),
      rootSpan(2, { start: 50, service: "web" }),
    ]);
    const before = {
      list: store.listTraces({ limit: 10 }),
      rich: store.getTrace(rich.traceId),
      trace1: store.getTrace(traceId(1)),
      // Percentiles as their latency buckets: a reopened minute knows its extremes to within its buckets.
      statistics: snapshot(store),
      stats: store.stats(),
      summaries: store.getSummaries([traceId(1), rich.traceId, traceId(2)]),
    };
    store = reopen(store, { path });
    expect(store.listTraces({ limit: 10 })).toEqual(before.list);
    expect(store.getTrace(rich.traceId)).toEqual(before.rich);
    expect(store.getTrace(rich.traceId)).toEqual([structuredClone(rich)]);
    expect(store.getTrace(traceId(1))).toEqual(before.trace1);
    expect(snapshot(store)).toEqual(before.statistics);
    expect(store.stats()).toEqual(before.stats);
    expect(store.getSummaries([traceId(1), rich.traceId, traceId(2)])).toEqual(before.summaries);

    // After a restart, re-sent spans are still duplicates and a late parent still moves its trace.
    const again = store.insertSpans([
      makeSpan({ trace: 1, span: 2, parent: 1, service: "db", start: 5, end: 8, error: true }),
      makeSpan({ trace: 1, span: 1, parent: null, name: "late root", service: "api", start: 0, end: 100 }),
    ]);
    expect(again).toEqual({
      inserted: 1,
      duplicateSpans: 1,
      changedTraceIds: [traceId(1)],
      storedTraceIds: [traceId(1)],
      lateSpans: 0,
      rejectedSpans: 0,
    });
    store = reopen(store, { path });
    expect(store.getSummaries([traceId(1)])[0]).toMatchObject({
      name: "late root",
      service: "api",
      spanCount: 2,
      errorCount: 1,
      services: ["api", "db"],
      durationMs: 100,
      hasRoot: true,
      errorMessage: "failed",
    });
    expect(store.listTraces({ limit: 10, service: "db" }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    expect(store.getTrace(traceId(1))?.map((s) => s.spanId)).toEqual([spanId(1), spanId(2)]);
  });

  it("keeps what rates are per across a restart when a trace holds a span whose start is unset (0)", () => {
    const path = tempPath();
    let store = openStore({ path });
    const request = (trace: number, service: string, start: number, end: number): Span => ({
      ...makeSpan({ trace, span: 1, parent: null, name: `GET /${service}`, service, start, end }),
      kind: "SERVER",
    });
    store.insertSpans([request(1, "svc-a", 0, 1_000)]);
    store.insertSpans([
      request(2, "svc-b", 120_000, 120_500),
      { ...makeSpan({ trace: 2, span: 2, parent: 1, service: "svc-b" }), startTimeUnixNano: 0n, endTimeUnixNano: 0n },
    ]);
    const basis = store.rateBasis();
    expect(basis).toMatchObject({ seconds: 120.5, fromMs: Number(T0 / 1_000_000n) });
    const services = store.listServices().map((s) => [s.name, s.ratePerSec]);
    store = reopen(store, { path });
    expect(store.rateBasis()).toEqual(basis);
    expect(store.listServices().map((s) => [s.name, s.ratePerSec])).toEqual(services);
    expect(store.getSummaries([traceId(2)])[0]).toMatchObject({ startTimeUnixNano: ms(120_000), durationMs: 500 });
  });

  it("reads a trace that a file written before kept as starting at an unset start (0) with its spans' times", () => {
    const path = tempPath();
    let store = openStore({ path });
    store.insertSpans([{ ...rootSpan(1, { start: 0, end: 1_000 }), kind: "SERVER" }]);
    store.insertSpans([
      { ...rootSpan(2, { start: 120_000, end: 120_500 }), kind: "SERVER" },
      { ...makeSpan({ trace: 2, span: 2, parent: 1 }), startTimeUnixNano: 0n, endTimeUnixNano: ms(900_000) },
    ]);
    const basis = store.rateBasis();
    const list = store.listTraces({ limit: 10 });
    store.close();
    open.splice(0);
    // As earlier versions wrote the trace: from the unset start to the latest end of any span.
    const db = new (createRequire(import.meta.url)("better-sqlite3") as SqliteDriver)(path);
    db.prepare("UPDATE traces SET start_ns = 0, end_ns = ? WHERE trace_id = ?").run(ms(900_000), traceId(2));
    db.close();
    store = openStore({ path });
    expect(store.listTraces({ limit: 10 })).toEqual(list);
    expect(store.rateBasis()).toEqual(basis);
    expect(basis.seconds).toBe(120.5);
    // A trace whose spans all have no start keeps no times.
    store.insertSpans([{ ...rootSpan(3), startTimeUnixNano: 0n, endTimeUnixNano: ms(5) }]);
    store = reopen(store, { path });
    expect(store.getSummaries([traceId(3)])[0]).toMatchObject({ startTimeUnixNano: 0n, endTimeUnixNano: 0n });
  });

  it("keeps a trace's LLM totals across a restart", () => {
    const path = tempPath();
    let store = openStore({ path });
    const chat = makeSpan({
      trace: 1,
      span: 1,
      attributes: {
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 2,
      },
    });
    // Anthropic's input tokens leave out its cache reads and writes, which are kept as the input's parts.
    const claude = makeSpan({
      trace: 3,
      span: 1,
      attributes: {
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.cache_read.input_tokens": 40_000,
        "gen_ai.usage.cache_creation.input_tokens": 300,
        "gen_ai.usage.output_tokens": 300,
      },
    });
    store.insertSpans([chat, makeSpan({ trace: 2, span: 1, attributes: { "gen_ai.request.model": "mine" } }), claude]);
    const cached = store.getSummaries([traceId(3)])[0]?.llm;
    expect(cached?.models).toEqual([
      {
        model: "claude-sonnet-4-5",
        calls: 1,
        inputTokens: 40_312,
        outputTokens: 300,
        cachedInputTokens: 40_000,
        cacheWriteInputTokens: 300,
        noUsageCalls: 0,
      },
    ]);
    const before = store.getSummaries([traceId(1), traceId(2)]).map((s) => s.llm);
    expect(before[0]).toMatchObject({ calls: 1, inputTokens: 10, outputTokens: 2, models: [{ model: "gpt-4o" }] });
    // "mine" reports no token count: kept as a call without usage.
    expect(before[1]).toEqual({
      calls: 1,
      inputTokens: 0,
      outputTokens: 0,
      noUsageCalls: 1,
      models: [
        {
          model: "mine",
          calls: 1,
          inputTokens: 0,
          outputTokens: 0,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          noUsageCalls: 1,
        },
      ],
    });
    store = reopen(store, { path });
    expect(store.getSummaries([traceId(1), traceId(2)]).map((s) => s.llm)).toEqual(before);
    expect(store.getSummaries([traceId(3)])[0]?.llm).toEqual(cached);
    // Totals go on growing from what was kept.
    store.insertSpans([
      makeSpan({ trace: 1, span: 2, attributes: { "gen_ai.request.model": "x", "gen_ai.usage.input_tokens": 5 } }),
    ]);
    expect(store.getSummaries([traceId(1)])[0]?.llm).toMatchObject({ calls: 2, inputTokens: 15 });
    expect(store.getSummaries([traceId(1)])[0]?.llm?.models.map((m) => m.model)).toEqual(["gpt-4o", "x"]);
  });

  it("keeps each model's calls without usage across a restart, and reads a row written before they were kept", async () => {
    const path = tempPath();
    let store = openStore({ path });
    const chat = (trace: number, span: number, attributes: Span["attributes"]) =>
      makeSpan({ trace, span, parent: span === 1 ? null : 1, start: span, attributes });
    const gpt4o = {
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 100,
    };
    store.insertSpans([
      rootSpan(1, { end: 100 }),
      chat(1, 2, gpt4o),
      chat(1, 3, { "gen_ai.request.model": "home-grown-7b" }),
      chat(1, 4, { "gen_ai.request.model": "gpt-4o" }),
      // One model only: a row of it written before tells its calls without usage.
      chat(2, 1, { "gen_ai.request.model": "home-grown-7b" }),
      chat(2, 2, { "gen_ai.request.model": "home-grown-7b", "gen_ai.usage.input_tokens": 3 }),
    ]);
    const noUsage = () =>
      store.getSummaries([traceId(1), traceId(2)]).map((s) => s.llm?.models.map((m) => [m.model, m.noUsageCalls]));
    const counted = [
      [
        ["gpt-4o", 1],
        ["home-grown-7b", 1],
      ],
      [["home-grown-7b", 1]],
    ];
    expect(noUsage()).toEqual(counted);
    store = reopen(store, { path });
    expect(noUsage()).toEqual(counted);
    const before = store.getSummaries([traceId(1), traceId(2)]).map((s) => s.llm);
    store.close();
    open.splice(open.indexOf(store), 1);
    // As rows were written before: no model says how many of its calls reported no usage.
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    const raw = new Driver(path);
    const rows = raw.prepare("SELECT trace_id, llm FROM traces WHERE llm IS NOT NULL").raw().all() as [
      string,
      string,
    ][];
    expect(rows).toHaveLength(2);
    for (const [id, llm] of rows) {
      const [calls, input, output, models, noUsageCalls] = JSON.parse(llm) as [
        number,
        number,
        number,
        unknown[][],
        number,
      ];
      const old = [calls, input, output, models.map((m) => m.slice(0, 6)), noUsageCalls];
      raw.prepare("UPDATE traces SET llm = ? WHERE trace_id = ?").run(JSON.stringify(old), id);
    }
    raw.close();
    store = openStore({ path });
    const after = store.getSummaries([traceId(1), traceId(2)]).map((s) => s.llm);
    // The trace's totals read as they were; its one model's count is known, two models' is not (0 each).
    expect(after.map((llm) => llm && { ...llm, models: [] })).toEqual(
      before.map((llm) => llm && { ...llm, models: [] }),
    );
    expect(noUsage()).toEqual([
      [
        ["gpt-4o", 0],
        ["home-grown-7b", 0],
      ],
      [["home-grown-7b", 1]],
    ]);
  });

  it("shows pending writes to reads at once", () => {
    const store = openStore({ path: tempPath(), flushIntervalMs: 60_000 });
    store.insertSpans([rootSpan(1)]);
    expect(store.getSummaries([traceId(1)])).toHaveLength(1);
    expect(store.listTraces({ limit: 5 }).traces.map((t) => t.traceId)).toEqual([traceId(1)]);
    store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1 })]);
    expect(store.getTrace(traceId(1))).toHaveLength(2);
    store.insertSpans([rootSpan(2, { service: "late" })]);
    expect(store.listServices().map((s) => s.name)).toEqual(["api", "late"]);
    store.insertSpans([rootSpan(3)]);
    expect(store.stats()).toMatchObject({ spans: 4, traces: 3 });
  });

  it("writes what close() found pending", () => {
    const path = tempPath();
    const store = openStore({ path, flushIntervalMs: 60_000 });
    store.insertSpans([rootSpan(1), makeSpan({ trace: 1, span: 2, parent: 1 })]);
    const reopened = reopen(store, { path });
    expect(reopened.getTrace(traceId(1))).toHaveLength(2);
    expect(reopened.stats()).toMatchObject({ spans: 2, traces: 1 });
  });

  it("reads a __proto__ attribute key as plain data after a reopen, and the other keys of its span and others", () => {
    const path = tempPath();
    const store = openStore({ path });
    const proto: Record<string, unknown> = {};
    Object.defineProperty(proto, "__proto__", { value: "data", enumerable: true, writable: true, configurable: true });
    proto.after = 1;
    store.insertSpans([
      makeSpan({ trace: 1, span: 1, attributes: proto as Span["attributes"] }),
      makeSpan({ trace: 1, span: 2, start: 1, attributes: { a: 1, b: "x" } }),
    ]);
    const reopened = reopen(store, { path });
    const [first, second] = reopened.getTrace(traceId(1)) ?? [];
    expect(Object.getPrototypeOf(first?.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(first?.attributes, "__proto__")?.value).toBe("data");
    expect(JSON.stringify(first?.attributes)).toBe('{"__proto__":"data","after":1}');
    expect(second?.attributes).toEqual({ a: 1, b: "x" });
  });

  it("gives the file's space back after a clear, and goes on storing and reopening", () => {
    const path = tempPath();
    let store = openStore({ path });
    const fileBytes = () => statSync(path).size + statSync(`${path}-wal`).size;
    for (let trace = 1; trace <= 400; trace++) {
      store.insertSpans([rootSpan(trace, { attributes: { body: `${trace}`.repeat(5_000) } })]);
    }
    store.writePending?.();
    expect(fileBytes()).toBeGreaterThan(4_000_000);
    store.clear();
    // Deleted rows leave their pages in the file, for later writes.
    expect(fileBytes()).toBeGreaterThan(4_000_000);
    store.reclaimSpace?.();
    expect(statSync(path).size).toBeLessThan(500_000);
    expect(statSync(`${path}-wal`).size).toBe(0);
    store.insertSpans([rootSpan(7, { attributes: { after: "clear" } })]);
    store = reopen(store, { path });
    expect(store.stats()).toMatchObject({ spans: 1, traces: 1 });
    expect(store.getTrace(traceId(7))?.[0]?.attributes).toEqual({ after: "clear" });
  });

  it("writes pending spans on its timer", async () => {
    const path = tempPath();
    const store = openStore({ path, flushIntervalMs: 10 });
    const walSize = () => statSync(`${path}-wal`).size;
    const before = walSize();
    store.insertSpans([rootSpan(1, { attributes: { body: "x".repeat(10_000) } })]);
    expect(walSize()).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(walSize()).toBeGreaterThan(before);
  });

  it("resolves committed() once the spans accepted before it are in the file, for every waiter", async () => {
    const path = tempPath();
    const store = openStore({ path, flushIntervalMs: 60_000 });
    store.insertSpans([rootSpan(1)]);
    const first = store.committed?.();
    store.insertSpans([rootSpan(2), makeSpan({ trace: 2, span: 2, parent: 1 })]);
    const second = store.committed?.();
    // Still pending: a kill now would lose them.
    expect(openStore({ path: copyAsKilled(path, tempPath()) }).stats()).toMatchObject({ spans: 0, traces: 0 });
    await Promise.all([first, second]);
    const survivor = openStore({ path: copyAsKilled(path, tempPath()) });
    expect(survivor.stats()).toMatchObject({ spans: 3, traces: 2 });
    expect(survivor.getTrace(traceId(2))).toHaveLength(2);
  });

  it("answers the service map, the LLM calls, the error groups, the counts and the trace list without committing, retention applied ahead", () => {
    const path = tempPath();
    const perTrace = failingTrace(1).length;
    const store = openStore({ path, maxSpans: 2 * perTrace, flushSpans: 1_000, flushIntervalMs: 60_000 });
    const committedSpans = () => openStore({ path: copyAsKilled(path, tempPath()) }).stats().spans;
    const webToApi = () =>
      serviceMapOf(store.serviceTraffic({}))
        .edges.filter((e) => e.from === "service:web" && e.to === "service:api")
        .map((e) => `${e.calls}/${e.errors}`);
    store.insertSpans([...failingTrace(1), ...failingTrace(2)]);
    expect(webToApi()).toEqual(["2/2"]);
    expect(store.llmUsage({ limit: 10 }, MODEL_PRICES).totals.calls).toBe(0);
    expect(store.errorGroups({ limit: 10, buckets: 1 }).totalErrors).toBe(2);
    // The trace list without a query (/api/health lists the oldest and newest trace) too.
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([traceId(2), traceId(1)]);
    expect(store.listTraces({ limit: 1, order: "asc" }).traces[0]?.spanCount).toBe(perTrace);
    expect(committedSpans()).toBe(0);
    // A third trace is over the bound: the next commit evicts the first, and the map answers as after it.
    store.insertSpans(failingTrace(3));
    expect(webToApi()).toEqual(["2/2"]);
    expect(store.serviceTraffic({}).traces).toBe(2);
    // The counts /api/health shows are those after that commit, too.
    expect(store.stats()).toEqual({
      spans: 2 * perTrace,
      traces: 2,
      maxSpans: 2 * perTrace,
      evictedTraces: 1,
      evictedSpans: perTrace,
    });
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([traceId(3), traceId(2)]);
    expect(store.listTraces({ limit: 10, order: "asc" }).traces.map((t) => t.traceId)).toEqual([
      traceId(2),
      traceId(3),
    ]);
    expect(committedSpans()).toBe(0);
    // The error groups leave out the errors of the trace that commit evicts, its sample included.
    const groups = store.errorGroups({ limit: 10, buckets: 1 });
    expect(groups.totalErrors).toBe(2);
    expect(groups.totalTraces).toBe(2);
    expect(groups.groups.flatMap((g) => g.latest.map((o) => o.traceId)).sort()).toEqual([traceId(2), traceId(3)]);
    expect(groups.groups.map((g) => g.sample.traceId)).not.toContain(traceId(1));
    expect(committedSpans()).toBe(0);
    // A read of spans commits; the groups answer the same after it.
    expect(store.getTrace(traceId(2))).toHaveLength(perTrace);
    expect(committedSpans()).toBe(2 * perTrace);
    expect(store.errorGroups({ limit: 10, buckets: 1 })).toEqual(groups);
    expect(store.stats().evictedTraces).toBe(1);
    expect(webToApi()).toEqual(["2/2"]);
    expect(store.getTrace(traceId(1))).toBeUndefined();
  });

  it("leaves a due batch write of spans inserted writeLater to the caller, and writes it when told", () => {
    const path = tempPath();
    const store = openStore({ path, flushSpans: 10, flushIntervalMs: 60_000 });
    const committedSpans = () => openStore({ path: copyAsKilled(path, tempPath()) }).stats().spans;
    store.insertSpans(
      Array.from({ length: 12 }, (_, i) => rootSpan(i + 1)),
      { writeLater: true },
    );
    expect(committedSpans()).toBe(0);
    expect(store.writeDue?.()).toBe(true);
    expect(store.stats().spans).toBe(12);
    store.writePending?.();
    expect(store.writeDue?.()).toBe(false);
    expect(committedSpans()).toBe(12);
    // Without it, an insert past the batch size writes at once, as before.
    store.insertSpans(Array.from({ length: 12 }, (_, i) => rootSpan(i + 20)));
    expect(committedSpans()).toBe(24);
    store.close();
  });

  it("resolves committed() at once when nothing is pending", async () => {
    const store = openStore({ path: tempPath(), flushIntervalMs: 60_000 });
    await store.committed?.();
    store.insertSpans([rootSpan(1)]);
    store.writePending?.();
    let resolved = false;
    void store.committed?.().then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(true);
  });

  it("applies a smaller bound at once on reopen, and keeps arrival order across restarts", () => {
    const path = tempPath();
    let store = openStore({ path });
    for (let i = 1; i <= 10; i++) {
      store.insertSpans([1, 2, 3].map((n) => makeSpan({ trace: i, span: n, start: 100 - i })));
    }
    store = reopen(store, { path, maxSpans: 12 });
    expect(store.stats()).toMatchObject({ spans: 12, traces: 4, evictedTraces: 6, evictedSpans: 18 });
    expect(store.getTrace(traceId(6))).toBeUndefined();
    expect(store.getTrace(traceId(7))).toHaveLength(3);
    // A new trace arrives after the restart: the oldest arrival before it goes, not the new one.
    store.insertSpans([1, 2, 3].map((n) => makeSpan({ trace: 11, span: n, start: 0 })));
    expect(store.stats()).toMatchObject({ spans: 12, traces: 4 });
    expect(store.getTrace(traceId(7))).toBeUndefined();
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([8, 9, 10, 11].map((i) => traceId(i)));
    // What was evicted is counted on across restarts.
    expect(store.stats()).toMatchObject({ evictedTraces: 7, evictedSpans: 21 });
    store = reopen(store, { path, maxSpans: 12 });
    expect(store.stats()).toMatchObject({ spans: 12, traces: 4, evictedTraces: 7, evictedSpans: 21 });
    // A bound chosen from what the file holds is told the counts before any bound applies.
    const told: HeldSpans[] = [];
    store = reopen(store, {
      path,
      maxSpans: (held) => {
        told.push(held);
        return held.spans / 2;
      },
    });
    expect(told).toEqual([{ spans: 12, evictedTraces: 7, evictedSpans: 21 }]);
    expect(store.stats()).toMatchObject({ spans: 6, traces: 2, maxSpans: 6, evictedTraces: 9, evictedSpans: 27 });
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual([10, 11].map((i) => traceId(i)));
  });

  it("keeps the newest whole traces that fit a smaller bound on reopen: a trace larger than it alone takes no other with it", () => {
    const path = tempPath();
    let store = openStore({ path });
    const small = (i: number) => [1, 2, 3].map((n) => makeSpan({ trace: i, span: n, start: 100 + i }));
    // A batch job of 20 spans arrives among small traces, and another arrives last.
    const large = (i: number) =>
      Array.from({ length: 20 }, (_, n) =>
        makeSpan({ trace: i, span: n + 1, service: "batch", start: 100 + i, error: n === 0 }),
      );
    for (const i of [1, 2, 3, 4]) store.insertSpans(small(i));
    store.insertSpans(large(5));
    for (const i of [6, 7]) store.insertSpans(small(i));
    store.insertSpans(large(8));
    expect(store.stats()).toMatchObject({ spans: 58, traces: 8 });
    expect(store.errorGroups({ limit: 10 }).totalErrors).toBe(2);

    // 12 spans: neither batch job fits alone; of the rest, the oldest arrivals go until 12 spans are left.
    store = reopen(store, { path, maxSpans: 12 });
    const kept = [3, 4, 6, 7];
    expect(store.stats()).toMatchObject({ spans: 12, traces: 4, evictedTraces: 4, evictedSpans: 46 });
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual(kept.map(traceId).reverse());
    for (const i of kept) expect(store.getTrace(traceId(i))).toHaveLength(3);
    // Their statistics are those of a store that only ever held the traces kept.
    const fresh = openStore({ path: tempPath(), maxSpans: 12 });
    for (const i of kept) fresh.insertSpans(small(i));
    expect(counts(store)).toEqual(counts(fresh));
    expect(store.errorGroups({ limit: 10 }).totalErrors).toBe(0);
    // A batch job is evicted like any trace: a late span of it is dropped, not kept as a fragment.
    expect(store.insertSpans([makeSpan({ trace: 8, span: 21, service: "batch" })]).lateSpans).toBe(1);

    // The file keeps that: a reopen reads back the same traces and counts.
    store = reopen(store, { path, maxSpans: 12 });
    expect(store.stats()).toMatchObject({ spans: 12, traces: 4, evictedTraces: 4, evictedSpans: 46 });
    expect(store.listTraces({ limit: 10 }).traces.map((t) => t.traceId)).toEqual(kept.map(traceId).reverse());
    expect(counts(store)).toEqual(counts(fresh));
    expect(store.errorGroups({ limit: 10 }).totalErrors).toBe(0);
  });

  it("drops a late span of a trace evicted before a restart, and remembers only as many evicted traces as it can hold", async () => {
    const path = tempPath();
    // The least a store remembers is 1,024 evicted traces: 1,100 are evicted here, in several commits.
    let store = openStore({ path, maxSpans: 2 });
    for (let i = 1; i <= 1102; i++) {
      store.insertSpans([rootSpan(i)]);
      if (i % 50 === 0) await store.committed?.();
    }
    await store.committed?.();
    store = reopen(store, { path, maxSpans: 2 });
    expect(store.stats()).toMatchObject({ traces: 2, evictedTraces: 1100 });
    // Trace 1100 was evicted before the restart: its late span is dropped, not stored as a fragment.
    const late = store.insertSpans([makeSpan({ trace: 1100, span: 2, parent: 1 })]);
    expect(late.lateSpans).toBe(1);
    expect(store.getTrace(traceId(1100))).toBeUndefined();
    // Trace 1 was evicted first, past the 1,024 remembered: a span of it starts a trace again.
    expect(store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1 })]).lateSpans).toBe(0);
    // The file holds no more fingerprints than the store remembers.
    store.close();
    const kept = countEvictedRows(path);
    expect(kept).toBeLessThanOrEqual(1024 + 50);
    expect(kept).toBeGreaterThanOrEqual(1024);
  });

  it("names a trace's failure after a restart as it would have without one: an exception over a bare status", () => {
    const path = tempPath();
    let store = openStore({ path });
    store.insertSpans([makeSpan({ trace: 1, span: 1, parent: null, error: true, start: 0, end: 10 })]);
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("failed");
    store = reopen(store, { path });
    const exception = {
      ...makeSpan({ trace: 1, span: 2, parent: 1, error: true, start: 5, end: 6 }),
      events: [
        {
          name: "exception",
          timeUnixNano: 5n,
          attributes: { "exception.type": "CardError", "exception.message": "Card Expired" },
        },
      ],
    };
    store.insertSpans([exception]);
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("CardError: Card Expired");
  });

  it("names where a trace's failure started after a restart: a failing span arriving below the kept origin takes its place", () => {
    const path = tempPath();
    let store = openStore({ path });
    const spans = sdkFailedRequest(1);
    const query = spans.find((s) => s.name === "SELECT orders") as Span;
    store.insertSpans(spans.filter((s) => s !== query));
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("Error: db failed");
    store = reopen(store, { path });
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe("Error: db failed");
    // The query under the handler started later, but the handler failed because it did.
    store.insertSpans([query]);
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe('Error: relation "ordrs" does not exist');
    store = reopen(store, { path });
    expect(store.listTraces({ limit: 1 }).traces[0]?.errorMessage).toBe('Error: relation "ordrs" does not exist');
  });

  it("refuses a file that is not a SQLite database with one clear line", () => {
    const path = tempPath();
    writeFileSync(path, "this is a text file, not a database\n".repeat(100));
    expect(() => openStore({ path })).toThrow(/not a SQLite database/);
    try {
      openStore({ path });
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain("\n");
      expect((error as Error).message).toContain(path);
    }
  });

  it("refuses a path it cannot create", () => {
    expect(() => openStore({ path: join(dir, "missing-dir", "x.db") })).toThrow(/cannot be created or opened/);
    expect(() => openStore({ path: dir })).toThrow(
      `cannot open SQLite database ${dir}: it is a directory; name a file, such as ${join(dir, "traces.db")}`,
    );
  });

  it("refuses another program's database", async () => {
    const path = tempPath();
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    const other = new Driver(path);
    other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
    other.close();
    const before = readFileSync(path);
    expect(() => openStore({ path })).toThrow(/another program/);
    // Left as it was: not switched to WAL (which rewrites the header), nothing written.
    expect(readFileSync(path).equals(before)).toBe(true);
    const after = new Driver(path);
    expect(after.pragma("journal_mode", { simple: true })).toBe("delete");
    after.close();
  });

  it("keeps error groups across a reopen, and evicts their errors after it", async () => {
    const path = tempPath();
    let store = openStore({ path, maxSpans: 6 });
    store.insertSpans([...failingTrace(1), ...failingTrace(2)]);
    store.insertSpans(failingTrace(3, { type: "KeyError" }));
    const before = store.errorGroups({ limit: 10 });
    expect(before.totalErrors).toBe(3);
    store = reopen(store, { path, maxSpans: 6 });
    expect(store.errorGroups({ limit: 10 })).toEqual(before);
    // Trace 1 leaves; the KeyError group stays; a new error joins its group.
    store.insertSpans(failingTrace(4));
    expect(store.errorGroups({ limit: 10 }).groups.map((g) => [g.type, g.count])).toEqual([
      ["TypeError", 2],
      ["KeyError", 1],
    ]);
    const after = store.errorGroups({ limit: 10 });
    store = reopen(store, { path, maxSpans: 6 });
    expect(store.errorGroups({ limit: 10 })).toEqual(after);
  });

  it("counts a request told twice once after a reopen, whichever telling arrived first, and in a file written before", async () => {
    const path = tempPath();
    let store = openStore({ path, maxSpans: 7 });
    const a = toldTwice(1);
    store.insertSpans([a.middleware]);
    store.insertSpans([a.http]);
    const b = toldTwice(2, { beside: false });
    store.insertSpans([b.http, b.middleware]);
    const c = toldTwice(3);
    store.insertSpans([c.http]);
    store.insertSpans([c.middleware]);
    const before = store.errorGroups({ limit: 10 });
    expect(before).toMatchObject({ totalErrors: 3, totalTraces: 3 });
    store = reopen(store, { path, maxSpans: 7 });
    expect(store.errorGroups({ limit: 10 })).toEqual(before);
    // Retention takes trace 1 with both its tellings; a new request counts once.
    const d = toldTwice(4);
    store.insertSpans([d.middleware, d.http]);
    const after = store.errorGroups({ limit: 10 });
    expect(after).toMatchObject({ totalErrors: 3, totalTraces: 3 });
    store = reopen(store, { path, maxSpans: 7 });
    expect(store.errorGroups({ limit: 10 })).toEqual(after);
    store.close();
    open.splice(open.indexOf(store), 1);
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    // As the error tables were before: no telling column, version 2; each error's telling is read from its span, once.
    let raw = new Driver(path);
    raw.exec("ALTER TABLE err_events DROP COLUMN telling; UPDATE error_schema SET version = 2;");
    raw.close();
    store = openStore({ path, maxSpans: 7 });
    expect(store.errorGroups({ limit: 10 })).toEqual(after);
    store.close();
    open.splice(open.indexOf(store), 1);
    raw = new Driver(path);
    expect(raw.prepare("SELECT count(*) FROM err_events WHERE telling IS NULL").pluck().get()).toBe(0);
    expect(raw.prepare("SELECT count(*) FROM err_events").pluck().get()).toBe(6);
    raw.close();
  });

  it("drops the errors of traces a smaller --max-spans evicts at open", async () => {
    const path = tempPath();
    let store = openStore({ path, maxSpans: 100 });
    store.insertSpans(failingTrace(1, { type: "KeyError" }));
    store.insertSpans([...failingTrace(2), ...failingTrace(3)]);
    store = reopen(store, { path, maxSpans: 4 });
    const groups = () => store.errorGroups({ limit: 10 }).groups.map((g) => [g.type, g.count]);
    expect(groups()).toEqual([["TypeError", 2]]);
    store.insertSpans(failingTrace(4));
    store = reopen(store, { path, maxSpans: 4 });
    expect(groups()).toEqual([["TypeError", 2]]);
    // The file keeps only what is stored: no row of the evicted KeyError or of trace 1 or 2 is left.
    store.close();
    open.splice(open.indexOf(store), 1);
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    const raw = new Driver(path);
    expect(raw.prepare("SELECT count(*) FROM err_groups").pluck().get()).toBe(1);
    expect(raw.prepare("SELECT count(*) FROM err_events").pluck().get()).toBe(2);
    raw.close();
  });

  it("finds the errors of a file written before error groups were kept", async () => {
    const path = tempPath();
    let store = openStore({ path });
    store.insertSpans([...failingTrace(1), ...failingTrace(2), rootSpan(3)]);
    store.insertSpans([makeSpan({ trace: 4, span: 1, error: true })]);
    const before = store.errorGroups({ limit: 10 });
    store.close();
    open.splice(open.indexOf(store), 1);
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    const raw = new Driver(path);
    raw.exec("DROP TABLE err_events; DROP TABLE err_groups; DROP TABLE error_schema;");
    raw.close();
    store = openStore({ path });
    expect(store.errorGroups({ limit: 10 })).toEqual(before);
    expect(before.totalErrors).toBe(3);
  });

  it("groups a file's errors again by the rules of now when they were grouped by older ones", async () => {
    const path = tempPath();
    let store = openStore({ path });
    const message = (id: string) => ({ message: `Customer cus_${id} not found` });
    store.insertSpans([...failingTrace(1, message("NffrFeUfNV2Hib")), ...failingTrace(2, message("Q8zLmP3xT7vWkA"))]);
    const now = store.errorGroups({ limit: 10 });
    expect(now.groups.map((g) => [g.pattern, g.count])).toEqual([["Customer cus_<id> not found", 2]]);
    store.close();
    open.splice(open.indexOf(store), 1);
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    // As an older version left them: one group per customer, under fingerprints of its own rules.
    const raw = new Driver(path);
    raw.exec(`
      UPDATE err_groups SET fingerprint = 'older rules ' || fingerprint;
      INSERT INTO err_groups (id, fingerprint, body) SELECT id + 100, fingerprint || ' 2', body FROM err_groups;
      UPDATE err_events SET group_id = group_id + 100 WHERE id = (SELECT max(id) FROM err_events);
      UPDATE error_schema SET version = 3;
    `);
    raw.close();
    store = openStore({ path });
    expect(store.errorGroups({ limit: 10 })).toEqual(now);
  });

  it("reads where the errors of a file written before it was kept failed from their spans, once", async () => {
    const path = tempPath();
    let store = openStore({ path });
    store.insertSpans([...failingTrace(1), ...failingTrace(2)]);
    const before = store.errorGroups({ limit: 10 });
    expect(before.groups[0]?.failedIn).toEqual([{ kind: "INTERNAL", name: "span 2", peer: null, count: 2 }]);
    store.close();
    open.splice(open.indexOf(store), 1);
    const specifier = "better-sqlite3";
    const Driver = ((await import(specifier)) as { default: SqliteDriver }).default;
    // As the error tables were before: no failed_in (nor telling) column, version 1.
    let raw = new Driver(path);
    raw.exec(
      "ALTER TABLE err_events DROP COLUMN telling; ALTER TABLE err_events DROP COLUMN failed_in; UPDATE error_schema SET version = 1;",
    );
    raw.close();
    store = openStore({ path });
    expect(store.errorGroups({ limit: 10 })).toEqual(before);
    store.close();
    open.splice(open.indexOf(store), 1);
    raw = new Driver(path);
    expect(raw.prepare("SELECT count(*) FROM err_events WHERE failed_in IS NULL").pluck().get()).toBe(0);
    raw.close();
  });

  it("refuses a file another store has open", () => {
    const path = tempPath();
    const first = openStore({ path });
    first.insertSpans([rootSpan(1)]);
    first.stats();
    expect(() => openStore({ path })).toThrow(/another process is using it/);
  });
});

describe("sqlite store: a commit that fails and rolls back", () => {
  beforeAll(() => loadSqliteDriver());

  /**
   * A store whose commits can be made to fail: span inserts abort (a trigger, as a full disk fails
   * them inside the span writer), or the commit fails after every write (another participant's).
   */
  function openFaulty(options: Partial<SqliteStoreOptions> = {}) {
    let db: SqliteDatabase | undefined;
    const fail = { afterWrites: false };
    const store = createSqliteStore({
      path: tempPath(),
      maxSpans: 100_000,
      flushIntervalMs: 60_000,
      ...options,
      companion: (handle, commits) => {
        db = handle;
        commits.join({
          hasPending: () => false,
          write: () => {
            if (fail.afterWrites) throw new Error("injected: commit failed");
          },
          rolledBack: () => {},
        });
        return { close() {} };
      },
    });
    const failInserts = (on: boolean) =>
      (db as SqliteDatabase).exec(
        on
          ? "CREATE TEMP TRIGGER boom BEFORE INSERT ON spans BEGIN SELECT RAISE(ABORT, 'injected: disk full'); END"
          : "DROP TRIGGER temp.boom",
      );
    return { store, fail, failInserts };
  }

  it("fails a request stored in slices when a commit between its slices rolled the first ones back", async () => {
    const { store, failInserts } = openFaulty();
    const mark = store.commitMark?.();
    store.insertSpans([rootSpan(1)]); // the request's first slice
    failInserts(true);
    store.insertSpans([rootSpan(2)]); // another request, whose commit fails
    await expect(store.committed?.()).rejects.toThrow(/injected/);
    failInserts(false);
    store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1 })]); // the request's last slice
    expect(store.getTrace(traceId(1))).toHaveLength(1);
    await expect(store.committed?.(mark)).rejects.toThrow(/rolled back/);
    // A request marked after the failure is answered as usual.
    const later = store.commitMark?.();
    store.insertSpans([rootSpan(3)]);
    await expect(store.committed?.(later)).resolves.toBeUndefined();
    store.close();
  });

  it("fails a request whose first slice a failed timed flush rolled back", async () => {
    const { store, failInserts } = openFaulty({ flushIntervalMs: 5 });
    const mark = store.commitMark?.();
    store.insertSpans([rootSpan(1)]);
    failInserts(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    failInserts(false);
    await expect(store.committed?.(mark)).rejects.toThrow(/rolled back/);
    store.close();
  });

  it("counts no eviction and drops no late span of a trace whose eviction rolled back", async () => {
    const { store, fail } = openFaulty({ maxSpans: 2 });
    store.insertSpans([rootSpan(1), rootSpan(2)]);
    await store.committed?.();
    store.insertSpans([rootSpan(3)]);
    fail.afterWrites = true;
    await expect(store.committed?.()).rejects.toThrow(/injected/);
    fail.afterWrites = false;
    expect(store.getTrace(traceId(1))).toHaveLength(1);
    expect(store.stats()).toMatchObject({ spans: 2, traces: 2, evictedTraces: 0, evictedSpans: 0 });
    // Trace 1 was never evicted: its next span is stored, not dropped as late.
    const result = store.insertSpans([makeSpan({ trace: 1, span: 2, parent: 1 })]);
    expect(result.lateSpans).toBe(0);
    store.close();
  });

  it("leaves spans a rollback lost out of autocomplete", async () => {
    const { store, failInserts } = openFaulty();
    store.insertSpans([rootSpan(1, { service: "kept" })]);
    await store.committed?.();
    store.insertSpans([rootSpan(2, { service: "ghost", attributes: { "ghost.key": 1 } })]);
    failInserts(true);
    await expect(store.committed?.()).rejects.toThrow(/injected/);
    failInserts(false);
    expect(store.getTrace(traceId(2))).toBeUndefined();
    expect(store.attributeValues("service", 5).values).toEqual([{ value: "kept", count: 1 }]);
    expect(store.attributeKeys().keys.map((k) => k.key)).not.toContain("ghost.key");
    store.close();
  });
});

describe("sqlite store: a trace a slice at a time", () => {
  beforeAll(() => loadSqliteDriver());

  it("hands out getTrace's spans, ids and earliest start, making each slice's spans when asked", () => {
    const store = createSqliteStore({ path: tempPath(), maxSpans: 100_000 });
    const wrapped = {
      ...makeSpan({ trace: 1, span: 9 }),
      startTimeUnixNano: 2n ** 63n + 5n,
      endTimeUnixNano: 2n ** 63n + 9n,
    };
    store.insertSpans([
      makeSpan({ trace: 1, span: 3, parent: 1, start: 30 }),
      wrapped,
      makeSpan({ trace: 1, span: 1, start: 10, attributes: { nan: Number.NaN } }),
      makeSpan({ trace: 1, span: 2, parent: 1, start: 20 }),
    ]);
    const spans = store.getTrace(traceId(1)) ?? [];
    const slices = store.getTraceInSlices?.(traceId(1));
    expect(slices?.spanIds).toEqual(spans.map((span) => span.spanId));
    expect(slices?.earliestStart).toBe(spans.find((span) => span.spanId === spanId(1))?.startTimeUnixNano);
    expect([...(slices?.slice(0, 3) ?? []), ...(slices?.slice(3, 10) ?? [])]).toEqual(spans);
    expect(store.getTraceInSlices?.(traceId(2))).toBeUndefined();
    store.close();
  });
});
