import { describe, expect, it } from "vitest";
import { SortedChunks } from "../../src/store/sorted-chunks.js";
import { type BlockNote, createBlockGate, type TraceBounds } from "../../src/store/trace-blocks.js";
import { tokenHash } from "../../src/store/trace-blooms.js";

interface Entry {
  key: number;
  bounds: TraceBounds;
  tokens: number[];
}

function entries(count: number, special: (i: number) => Partial<Entry> = () => ({})): Entry[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i,
    bounds: { services: ["api"], errorCount: 0, durationMs: 1 },
    tokens: [tokenHash("app.n", String(i % 10))],
    ...special(i),
  }));
}

function gateOver(list: SortedChunks<Entry, BlockNote>, tokens: number[][], minMs = 0, now?: () => number) {
  const read: Entry[] = [];
  const gate = createBlockGate<Entry>({
    now,
    byStart: list,
    query: { mayMatchTrace: (bounds) => bounds.durationMs >= minMs, blockNeeds: tokens },
    boundsOf: (entry) => entry.bounds,
    tokensOf: (entry, add) => {
      read.push(entry);
      for (const token of entry.tokens) add(token);
    },
  });
  return { gate, read };
}

/** Each chunk's answer, oldest first. */
function answers(list: SortedChunks<Entry, BlockNote>, gate: ReturnType<typeof gateOver>["gate"], inTime = () => true) {
  const out: boolean[] = [];
  list.walkUp(
    () => true,
    undefined,
    (chunk, items) => {
      out.push(gate(chunk, items, inTime));
      return false;
    },
  );
  return out;
}

describe("block notes", () => {
  it("pass over the blocks without a required token or whose bounds rule the query out, never the newest", () => {
    const list = new SortedChunks<Entry, BlockNote>((a, b) => a.key - b.key, 8);
    list.fill(
      entries(20, (i) =>
        i === 5
          ? { tokens: [tokenHash("app.order.id", "7")], bounds: { services: ["db"], errorCount: 1, durationMs: 900 } }
          : {},
      ),
    );
    // Chunks of four: [0-3] [4-7] [8-11] [12-15] [16-19], the last one the newest.
    expect(answers(list, gateOver(list, [[tokenHash("app.order.id", "7")]]).gate)).toEqual([
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(answers(list, gateOver(list, [], 500).gate)).toEqual([false, true, false, false, true]);
    expect(answers(list, gateOver(list, [[tokenHash("app.n", "3")]]).gate)).toEqual([true, false, false, true, true]);
  });

  it("walk a block that took a trace lately trace by trace, and build its filter once it stays unchanged", () => {
    const list = new SortedChunks<Entry, BlockNote>((a, b) => a.key - b.key, 8);
    list.fill(entries(20));
    const wanted = [[tokenHash("app.order.id", "7")]];
    // Chunks of four: [0-3] [4-7] [8-11] [12-15] [16-19]; a trace joins [4-7].
    list.insert({ ...entries(1)[0], key: 5.5 } as Entry);
    let { gate, read } = gateOver(list, wanted);
    expect(answers(list, gate)).toEqual([false, true, false, false, true]);
    expect(read.some((entry) => entry.key >= 4 && entry.key < 8)).toBe(false);
    // Asked again with no change, it still has not been quiet long enough.
    ({ gate, read } = gateOver(list, wanted));
    expect(answers(list, gate)).toEqual([false, true, false, false, true]);
    expect(read).toEqual([]);
    // Eight newer traces (as many changes as a chunk holds) later, [4-7] is read once and passed over.
    for (let key = 100; key < 108; key++) list.insert({ ...entries(1)[0], key } as Entry);
    ({ gate, read } = gateOver(list, wanted));
    // [16-19] took the newer ones and is walked trace by trace, as is the newest.
    expect(answers(list, gate)).toEqual([false, false, false, false, true, true]);
    expect(read.map((entry) => entry.key)).toEqual([4, 5, 5.5, 6, 7]);
  });

  it("build the filter of a block that changed lately once a walk finds it unchanged a second after another passed it", () => {
    const list = new SortedChunks<Entry, BlockNote>((a, b) => a.key - b.key, 8);
    list.fill(entries(20));
    const wanted = [[tokenHash("app.order.id", "7")]];
    let clock = 0;
    const walk = () => {
      const { gate, read } = gateOver(list, wanted, 0, () => clock);
      return { answers: answers(list, gate), read: read.map((entry) => entry.key) };
    };
    // Chunks of four: [0-3] [4-7] [8-11] [12-15] [16-19]; a trace joins [8-11].
    list.insert({ ...entries(1)[0], key: 9.5 } as Entry);
    expect(walk()).toEqual({
      answers: [false, false, true, false, true],
      read: [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15],
    });
    clock = 999; // the next call of the same search
    expect(walk()).toEqual({ answers: [false, false, true, false, true], read: [] });
    // Another trace joins it: the mark goes, and the next walk leaves a new one.
    list.insert({ ...entries(1)[0], key: 10.5 } as Entry);
    clock = 1500;
    expect(walk()).toEqual({ answers: [false, false, true, false, true], read: [] });
    clock = 2400;
    expect(walk().read).toEqual([]);
    clock = 2500;
    expect(walk()).toEqual({ answers: [false, false, false, false, true], read: [8, 9, 9.5, 10, 10.5, 11] });
  });

  it("build a block's filter over several calls when time runs out, reading each trace once", () => {
    const list = new SortedChunks<Entry, BlockNote>((a, b) => a.key - b.key, 128);
    list.fill(entries(200, (i) => (i === 63 ? { tokens: [tokenHash("app.order.id", "7")] } : {})));
    const wanted = [[tokenHash("app.order.id", "7")]];
    const { gate, read } = gateOver(list, wanted);
    let clock = 0;
    const inTime = () => ++clock % 3 !== 0; // out of time at every third look
    const seen: boolean[][] = [];
    for (let call = 0; call < 40 && list.noteOf(0)?.filter == null; call++) seen.push(answers(list, gate, inTime));
    expect(seen.length).toBeGreaterThan(2);
    // Unfinished, a block is walked trace by trace (true); finished, it holds trace 63's token.
    expect(seen.every((call) => call[0] === true)).toBe(true);
    // Blocks of 64: [0-63] [64-127] [128-191] [192-199].
    expect(answers(list, gate)).toEqual([true, false, false, true]);
    expect(new Set(read.filter((entry) => entry.key < 64)).size).toBe(64);
    expect(read.filter((entry) => entry.key < 64)).toHaveLength(64);
    // Refilled without it, the notes are gone and no block holds it.
    list.fill(entries(200));
    expect(answers(list, gateOver(list, wanted).gate)).toEqual([false, false, false, true]);
  });
});
