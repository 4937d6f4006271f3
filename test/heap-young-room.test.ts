import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { startHeapCompaction } from "../src/heap-compaction.js";

// A file of its own: after a full collection forced before the burst (as heap-compaction.test.ts
// starts each of its tests), V8 kept the young generation's room at every young collection of the
// quiet spell, and a server's bursts come with no forced collection before them.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function youngSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.physical_space_size ?? 0;
}

describe("the young generation after a burst", () => {
  it("gives the young generation's room back once quiet for longer than V8's window (5 s)", async () => {
    const compaction = startHeapCompaction({
      checkMs: 250,
      quietChecks: 3,
      minGrowthBytes: 1024 ** 4,
      youngQuietMs: 6_000,
    });
    // A burst of short-lived objects, a tenth kept: the young generation grows to hold them.
    const kept: object[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      const item = { index: i, text: `value ${i}`, list: [i, i + 1] };
      if (i % 10 === 0) kept.push(item);
    }
    const grown = youngSpaceBytes();
    expect(grown).toBeGreaterThan(8 * 1024 * 1024);
    for (let i = 0; i < 60 && youngSpaceBytes() >= grown / 2; i++) await sleep(250);
    expect(compaction.youngRuns).toBeGreaterThan(0);
    expect(compaction.youngRuns).toBeLessThanOrEqual(3);
    expect(youngSpaceBytes()).toBeLessThan(grown / 2);
    expect(compaction.runs).toBe(0);
    expect(kept.length).toBe(300_000);
    compaction.close();
  }, 30_000);
});
