import { describe, expect, it } from "vitest";
import { SortedChunks } from "../../src/store/sorted-chunks.js";

interface Item {
  key: number;
  id: number;
}

const byKey = (a: Item, b: Item) => a.key - b.key;

function walk(
  list: SortedChunks<Item, unknown>,
  inPrefix?: (item: Item) => boolean,
  limit = Number.POSITIVE_INFINITY,
): Item[] {
  const out: Item[] = [];
  list.walkDown((item) => {
    if (out.length === limit) return false;
    out.push(item);
    return true;
  }, inPrefix);
  return out;
}

function walkUp(
  list: SortedChunks<Item, unknown>,
  inPrefix?: (item: Item) => boolean,
  limit = Number.POSITIVE_INFINITY,
): Item[] {
  const out: Item[] = [];
  list.walkUp((item) => {
    if (out.length === limit) return false;
    out.push(item);
    return true;
  }, inPrefix);
  return out;
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

describe("SortedChunks", () => {
  it("keeps the same order as a sorted array through inserts, removals and filtering", () => {
    const next = random(7);
    const list = new SortedChunks<Item>(byKey, 8);
    const model: Item[] = [];
    for (let id = 0; id < 2000; id++) {
      const roll = next();
      if (roll < 0.65 || model.length === 0) {
        // Many equal keys, as traces sharing a start time.
        const item = { key: Math.floor(next() * 50), id };
        list.insert(item);
        const at = model.findIndex((m) => m.key >= item.key);
        model.splice(at === -1 ? model.length : at, 0, item);
      } else if (roll < 0.95) {
        const victim = model[Math.floor(next() * model.length)] as Item;
        expect(list.remove(victim)).toBe(true);
        model.splice(model.indexOf(victim), 1);
      } else {
        list.filter((item) => item.id % 3 !== 0);
        for (let i = model.length - 1; i >= 0; i--) if ((model[i] as Item).id % 3 === 0) model.splice(i, 1);
      }
      expect(list.length).toBe(model.length);
    }
    expect(walk(list)).toEqual([...model].reverse());
    expect(walkUp(list)).toEqual(model);
    expect(list.remove({ key: 1, id: -1 })).toBe(false);
  });

  it("walks down from just below a prefix, and stops when told", () => {
    const list = new SortedChunks<Item>(byKey, 4);
    list.fill(Array.from({ length: 20 }, (_, i) => ({ key: i, id: i })));
    expect(walk(list, (item) => item.key < 7).map((item) => item.key)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect(walk(list, (item) => item.key < 0)).toEqual([]);
    expect(walk(list, () => true, 3).map((item) => item.key)).toEqual([19, 18, 17]);
    list.clear();
    expect(walk(list)).toEqual([]);
    expect(list.length).toBe(0);
  });

  it("walks up from the end of a prefix, and stops when told", () => {
    const list = new SortedChunks<Item>(byKey, 4);
    list.fill(Array.from({ length: 20 }, (_, i) => ({ key: i, id: i })));
    expect(walkUp(list, (item) => item.key < 13).map((item) => item.key)).toEqual([13, 14, 15, 16, 17, 18, 19]);
    expect(walkUp(list, (item) => item.key < 16).map((item) => item.key)).toEqual([16, 17, 18, 19]);
    expect(walkUp(list, () => true)).toEqual([]);
    expect(walkUp(list, (item) => item.key < 0, 3).map((item) => item.key)).toEqual([0, 1, 2]);
    list.clear();
    expect(walkUp(list)).toEqual([]);
  });

  it("keeps a chunk's note only while it covers the chunk: dropped when an item joins or is touched", () => {
    interface Versioned extends Item {
      version: number;
    }
    const next = random(11);
    const list = new SortedChunks<Versioned, Set<string>>(byKey, 8);
    const live: Versioned[] = [];
    const noteOf = (item: Versioned) => `${item.id}@${item.version}`;
    const chunks = () => {
      const out: { chunk: number; items: readonly Versioned[] }[] = [];
      list.walkUp(
        () => true,
        undefined,
        (chunk, items) => {
          out.push({ chunk, items });
          return false;
        },
      );
      return out;
    };
    for (let id = 0; id < 3000; id++) {
      const roll = next();
      if (roll < 0.5 || live.length === 0) {
        const item = { key: Math.floor(next() * 200), id, version: 0 };
        list.insert(item);
        live.push(item);
      } else if (roll < 0.7) {
        const victim = live.splice(Math.floor(next() * live.length), 1)[0] as Versioned;
        list.remove(victim);
      } else if (roll < 0.9) {
        const changed = live[Math.floor(next() * live.length)] as Versioned;
        changed.version++;
        list.touch(changed);
      } else if (roll < 0.99) {
        for (const { chunk, items } of chunks()) {
          if (list.noteOf(chunk) === undefined) list.setNote(chunk, new Set(items.map(noteOf)));
        }
      } else {
        list.filter((item) => item.id % 5 !== 0);
        for (let i = live.length - 1; i >= 0; i--) if ((live[i] as Versioned).id % 5 === 0) live.splice(i, 1);
      }
      // Checked without an expect per item: thousands of steps over thousands of items.
      const uncovered: string[] = [];
      for (const { chunk, items } of chunks()) {
        const note = list.noteOf(chunk);
        if (note !== undefined) for (const item of items) if (!note.has(noteOf(item))) uncovered.push(noteOf(item));
      }
      expect(uncovered, `step ${id}`).toEqual([]);
    }
    expect(chunks().some(({ chunk }) => list.noteOf(chunk) !== undefined)).toBe(true);
  });

  it("keeps the notes of chunks that only lost items when filtered, as after evicting the oldest", () => {
    const list = new SortedChunks<Item, string>(byKey, 8);
    for (let i = 0; i < 64; i++) list.insert({ key: i, id: i });
    const firsts = () => {
      const out: { first: number; note: string | undefined }[] = [];
      list.walkUp(
        () => true,
        undefined,
        (chunk, items) => {
          out.push({ first: (items[0] as Item).key, note: list.noteOf(chunk) });
          return false;
        },
      );
      return out;
    };
    const before = firsts();
    for (let chunk = 0; chunk < before.length; chunk++) list.setNote(chunk, `note ${chunk}`);
    // The oldest 21 go: whole chunks, and part of the next one.
    list.filter((item) => item.key >= 21);
    expect(list.length).toBe(43);
    expect(walkUp(list).map((item) => item.key)).toEqual(Array.from({ length: 43 }, (_, i) => 21 + i));
    const after = firsts();
    expect(after[0]?.first).toBe(21);
    // Every chunk still holds items it held before, under the same note.
    for (const { first, note } of after) {
      const was = before.filter((chunk) => chunk.first <= first).length - 1;
      expect(note).toBe(`note ${was}`);
    }
    // Chunks left small are joined, and the joined chunk has no note.
    list.filter((item) => item.key % 4 === 0);
    expect(walkUp(list).map((item) => item.key)).toEqual([24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
    const joined = firsts();
    expect(joined.length).toBeLessThan(after.length);
    expect(joined.some(({ note }) => note === undefined)).toBe(true);
  });

  it("passes over the chunks `enter` refuses, in both directions and from inside a chunk", () => {
    const list = new SortedChunks<Item>(byKey, 4);
    list.fill(Array.from({ length: 20 }, (_, i) => ({ key: i, id: i })));
    // Chunks of two: refuse the one holding 4 and 5, and the one holding 12 and 13.
    const enter = (_chunk: number, items: readonly Item[]) => !items.some((item) => item.key === 4 || item.key === 13);
    const down: number[] = [];
    list.walkDown(
      (item) => down.push(item.key) > 0,
      (item) => item.key < 13,
      enter,
    );
    expect(down).toEqual([11, 10, 9, 8, 7, 6, 3, 2, 1, 0]);
    const up: number[] = [];
    list.walkUp(
      (item) => up.push(item.key) > 0,
      (item) => item.key < 3,
      enter,
    );
    expect(up).toEqual([3, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19]);
  });
});
