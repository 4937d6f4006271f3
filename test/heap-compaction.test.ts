import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { holdsLargeStore } from "../src/app.js";
import { type HeapCompaction, startHeapCompaction } from "../src/heap-compaction.js";
import { createMemoryStore } from "../src/store/memory-store.js";
import { createSqliteStore, loadSqliteDriver } from "../src/store/sqlite-store.js";
import { rootSpan } from "./store/span-fixtures.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Objects that lived long enough to reach the old generation, of which one in eight stays alive. */
function fragment(megabytes: number): object[] {
  const all: (object | null)[] = [];
  for (let i = 0; i < megabytes * 10_000; i++) all.push({ index: i, text: `value ${i}`, list: [i, i + 1] });
  for (let i = 0; i < all.length; i++) if (i % 8 !== 0) all[i] = null;
  return all.filter((item) => item !== null);
}

function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "old_space")?.space_size ?? 0;
}

describe("heap compaction", () => {
  let compaction: HeapCompaction | null = null;
  // Each test starts from a collected heap: the garbage an earlier one left (tens of MB) would
  // otherwise be collected during it, shrinking the heap below the growth it is about to make.
  beforeEach(() => {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  });
  afterEach(() => compaction?.close());

  it("compacts once the heap has grown and then stayed quiet, and gives the pages back", async () => {
    compaction = startHeapCompaction({ checkMs: 25, quietChecks: 3, minGrowthBytes: 8 * 1024 * 1024 });
    const kept = fragment(40);
    const before = oldSpaceBytes();
    for (let i = 0; i < 200 && compaction.runs === 0; i++) await sleep(25);
    expect(compaction.runs).toBe(1);
    expect(compaction.lastPauseMs).toBeGreaterThan(0);
    expect(oldSpaceBytes()).toBeLessThan(before * 0.75);
    await sleep(300);
    expect(compaction.runs).toBe(1); // nothing grew since: no second pause
    expect(kept.length).toBeGreaterThan(0);
  });

  it("waits while data keeps arriving (the young generation keeps being collected)", async () => {
    compaction = startHeapCompaction({ checkMs: 50, quietChecks: 4, minGrowthBytes: 1024 * 1024 });
    const kept: object[] = [];
    const until = Date.now() + 600;
    while (Date.now() < until) {
      // ~20 MB of short-lived objects per turn: more than the young generation holds.
      for (let i = 0; i < 150_000; i++) {
        const item = { index: i, text: `value ${i}`, list: [i, i + 1] };
        if (i % 10 === 0) kept.push(item);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(compaction.runs).toBe(0);
    expect(kept.length).toBeGreaterThan(0);
  });

  it("waits while requests keep coming", async () => {
    compaction = startHeapCompaction({ checkMs: 25, quietChecks: 3, minGrowthBytes: 1024 * 1024 });
    const kept = fragment(20);
    const toucher = setInterval(() => compaction?.touch(), 10);
    await sleep(400);
    clearInterval(toucher);
    expect(compaction.runs).toBe(0);
    for (let i = 0; i < 200 && compaction.runs === 0; i++) await sleep(25);
    expect(compaction.runs).toBe(1);
    expect(kept.length).toBeGreaterThan(0);
  });

  it("stops looking once closed", async () => {
    compaction = startHeapCompaction({ checkMs: 25, quietChecks: 1, minGrowthBytes: 1 });
    compaction.close();
    fragment(8);
    await sleep(200);
    expect(compaction.runs).toBe(0);
  });

  it("bounds the heap's growth while a large store is held, and gives V8 its factor back after", async () => {
    let large = false;
    compaction = startHeapCompaction({ checkMs: 10, largeStore: () => large });
    await sleep(40);
    expect(compaction.growthBounded).toBe(false);
    large = true;
    for (let i = 0; i < 50 && !compaction.growthBounded; i++) await sleep(10);
    expect(compaction.growthBounded).toBe(true);
    large = false;
    for (let i = 0; i < 50 && compaction.growthBounded; i++) await sleep(10);
    expect(compaction.growthBounded).toBe(false);
    large = true;
    for (let i = 0; i < 50 && !compaction.growthBounded; i++) await sleep(10);
    compaction.close();
    expect(compaction.growthBounded).toBe(false);
  });
});

describe("a large store in the heap", () => {
  let nextTrace = 1;
  const insert = (store: { insertSpans(spans: ReturnType<typeof rootSpan>[]): unknown }, traces: number) =>
    store.insertSpans(Array.from({ length: traces }, () => rootSpan(nextTrace++)));

  it("is a memory store with a bound above the default, past half the default", () => {
    const store = createMemoryStore({ maxSpans: 100 });
    insert(store, 5);
    expect(holdsLargeStore(store, 10)).toBe(false);
    insert(store, 1);
    expect(holdsLargeStore(store, 10)).toBe(true);
    // The default bound: as many spans never make a large store.
    const defaultBound = createMemoryStore({ maxSpans: 10 });
    insert(defaultBound, 10);
    expect(holdsLargeStore(defaultBound, 10)).toBe(false);
  });

  it("is never a SQLite store, whose spans are in the file", async () => {
    await loadSqliteDriver();
    const dir = mkdtempSync(join(tmpdir(), "tk-heap-"));
    const store = createSqliteStore({ path: join(dir, "spans.db"), maxSpans: 100 });
    try {
      insert(store, 20);
      expect(holdsLargeStore(store, 10)).toBe(false);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
