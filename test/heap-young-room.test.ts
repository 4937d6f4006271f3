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
  it("asks for young collections once quiet for longer than V8's window (5 s), at most three", async () => {
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
    // Whether a young collection shrinks the young generation is V8's choice (by the allocation rate
    // it measured), and some processes keep the room however quiet they are (about 1 in 4 here, as
    // bench/memory.mjs's idle readings show): what is held here is that the young collections are
    // asked for once quiet, and no more than three times in the spell.
    for (let i = 0; i < 60 && compaction.youngRuns === 0; i++) await sleep(250);
    expect(compaction.youngRuns).toBeGreaterThan(0);
    await sleep(1_500);
    expect(compaction.youngRuns).toBeLessThanOrEqual(3);
    expect(compaction.runs).toBe(0);
    expect(kept.length).toBe(300_000);
    compaction.close();
  }, 30_000);
});
