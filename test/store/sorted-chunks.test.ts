import { describe, expect, it } from "vitest";
import { SortedChunks } from "../../src/store/sorted-chunks.js";

interface Item {
  key: number;
  id: number;
}

const byKey = (a: Item, b: Item) => a.key - b.key;

function walk(list: SortedChunks<Item>, inPrefix?: (item: Item) => boolean, limit = Number.POSITIVE_INFINITY): Item[] {
  const out: Item[] = [];
  list.walkDown((item) => {
    if (out.length === limit) return false;
    out.push(item);
    return true;
  }, inPrefix);
  return out;
}

function walkUp(
  list: SortedChunks<Item>,
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
});
