import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listTracesInSlices } from "../../src/server/trace-list-slices.js";
import { createMemoryStore } from "../../src/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../../src/store/sqlite-store.js";
import type { Store, TracePage, TraceQuery } from "../../src/store/store.js";
import { makeSpan } from "../store/span-fixtures.js";

/** 2,000 traces of two spans; every 97th has `app.order=7` on its second span. */
function filledStore(): Store {
  const store = createMemoryStore({ maxSpans: 100_000 });
  for (let t = 0; t < 2000; t++) {
    store.insertSpans([
      makeSpan({ trace: t + 1, span: 2 * t + 1, start: t }),
      makeSpan({
        trace: t + 1,
        span: 2 * t + 2,
        parent: 2 * t + 1,
        start: t,
        attributes: { "app.order": t % 97 === 0 ? "7" : "1" },
      }),
    ]);
  }
  return store;
}

const ids = (page: TracePage) => page.traces.map((trace) => trace.traceId);

/** Counts the calls and the turns given back between them. */
function counted(store: Store) {
  const seen = { calls: 0, turns: 0, callsAtTurn: [] as number[] };
  const counting: Pick<Store, "listTraces"> = {
    listTraces(query) {
      seen.calls++;
      return store.listTraces(query);
    },
  };
  const yieldTurn = async () => {
    seen.turns++;
    seen.callsAtTurn.push(seen.calls);
  };
  return { counting, seen, yieldTurn };
}

describe("listTracesInSlices", () => {
  it("finds what one unbounded call finds, in many calls with a turn of the event loop between each two", async () => {
    const store = filledStore();
    for (const query of [
      { q: "app.order=7", limit: 50 },
      { q: "app.order=7", limit: 5 },
      { q: "app.order=7", limit: 50, order: "asc" },
      { limit: 30 },
    ] satisfies TraceQuery[]) {
      const whole = store.listTraces({ ...query, budgetMs: Number.POSITIVE_INFINITY });
      const { counting, seen, yieldTurn } = counted(store);
      // A slice of 0 ms looks at a handful of traces before it answers.
      const sliced = await listTracesInSlices(counting, query, {
        sliceMs: 0,
        budgetMs: Number.POSITIVE_INFINITY,
        yieldTurn,
      });
      expect(ids(sliced)).toEqual(ids(whole));
      expect(sliced.partial).toBeUndefined();
      // A full page's cursor may sit past traces that do not match; the next page is the same.
      expect(sliced.nextCursor === undefined).toBe(whole.nextCursor === undefined);
      const pageAfter = (page: TracePage) =>
        ids(store.listTraces({ ...query, cursor: page.nextCursor, budgetMs: Number.POSITIVE_INFINITY }));
      if (whole.nextCursor !== undefined) expect(pageAfter(sliced)).toEqual(pageAfter(whole));
      expect(seen.calls).toBeGreaterThan(5);
      expect(seen.turns).toBe(seen.calls - 1);
      expect(seen.callsAtTurn).toEqual(Array.from({ length: seen.turns }, (_, i) => i + 1));
    }
  });

  it("answers a partial page once its budget is spent, and its cursor leads to the rest", async () => {
    const store = filledStore();
    const query: TraceQuery = { q: "app.order=7", limit: 50 };
    const whole = ids(store.listTraces({ ...query, budgetMs: Number.POSITIVE_INFINITY }));
    let clock = 0;
    const now = () => clock;
    const { counting, yieldTurn } = counted(store);
    // Every turn between two slices takes 1 ms (other requests), the budget is 5 ms.
    const turn = async () => {
      clock += 1;
      await yieldTurn();
    };
    const first = await listTracesInSlices(counting, query, { sliceMs: 0, budgetMs: 5, now, yieldTurn: turn });
    expect(first.partial).toBe(true);
    expect(first.nextCursor).toBeDefined();
    expect(clock).toBe(5);
    const found = ids(first);
    let cursor = first.nextCursor;
    while (cursor !== undefined && found.length < whole.length) {
      const page = await listTracesInSlices(
        counting,
        { ...query, cursor, limit: 50 - found.length },
        { sliceMs: 0, budgetMs: 5, now, yieldTurn: turn },
      );
      found.push(...ids(page));
      cursor = page.nextCursor;
    }
    expect(found).toEqual(whole);
  });

  it("lets only its first slice write a store's pending spans: the later ones go on with its walk", async () => {
    const store = filledStore();
    const continues: (boolean | undefined)[] = [];
    const counting: Pick<Store, "listTraces"> = {
      listTraces(query) {
        continues.push(query.continuesWalk);
        return store.listTraces(query);
      },
    };
    const query: TraceQuery = { q: "app.order=7", limit: 50 };
    const sliced = await listTracesInSlices(counting, query, { sliceMs: 0, budgetMs: Number.POSITIVE_INFINITY });
    expect(ids(sliced)).toEqual(ids(store.listTraces({ ...query, budgetMs: Number.POSITIVE_INFINITY })));
    expect(continues.length).toBeGreaterThan(5);
    expect(continues[0]).toBeUndefined();
    expect(continues.slice(1).every((value) => value === true)).toBe(true);
  });

  it("finds in a SQLite store with spans pending what one unbounded call finds", async () => {
    await loadSqliteDriver();
    const dir = mkdtempSync(join(tmpdir(), "tracekit-slices-"));
    const store = createSqliteStore({ path: join(dir, "slices.db"), maxSpans: 100_000 });
    try {
      for (let t = 0; t < 600; t++) {
        store.insertSpans([
          makeSpan({ trace: t + 1, span: t + 1, start: t, attributes: { "app.order": t % 7 === 0 ? "7" : "1" } }),
        ]);
      }
      const query: TraceQuery = { q: "app.order=7", limit: 50 };
      // The spans are still pending when the first slice begins.
      const sliced = await listTracesInSlices(store, query, { sliceMs: 0, budgetMs: Number.POSITIVE_INFINITY });
      const whole = store.listTraces({ ...query, budgetMs: Number.POSITIVE_INFINITY });
      expect(ids(sliced)).toEqual(ids(whole));
      expect(ids(sliced)).toHaveLength(50);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks a page in another order than start time in one call", async () => {
    const store = filledStore();
    const { counting, seen, yieldTurn } = counted(store);
    const query: TraceQuery = { q: "app.order=7", limit: 10, sort: "duration", budgetMs: Number.POSITIVE_INFINITY };
    const page = await listTracesInSlices(counting, query, { sliceMs: 0, yieldTurn });
    expect(seen.calls).toBe(1);
    expect(ids(page)).toEqual(ids(store.listTraces(query)));
  });
});
