import { describe, expect, it } from "vitest";
import { ArrivalQueue } from "../../src/store/arrival-queue.js";

describe("ArrivalQueue", () => {
  it("gives items back oldest first, and reads any of them by age without removing it", () => {
    const queue = new ArrivalQueue<string>();
    expect(queue.shift()).toBeUndefined();
    for (const item of ["a", "b", "c"]) queue.push(item);
    expect([queue.at(0), queue.at(2), queue.at(3)]).toEqual(["a", "c", undefined]);
    expect(queue.shift()).toBe("a");
    expect([queue.length, queue.at(0)]).toEqual([2, "b"]);
    queue.push("d");
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual(["b", "c", "d", undefined]);
    expect(queue.length).toBe(0);
  });

  it("keeps the order while its emptied front is dropped, item by item as a store evicts", () => {
    const queue = new ArrivalQueue<number>();
    let pushed = 0;
    let shifted = 0;
    // Ten in, ten out, over a queue of ~5,000: the front is dropped many times over.
    for (; pushed < 5000; pushed++) queue.push(pushed);
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 10; i++) queue.push(pushed++);
      for (let i = 0; i < 10; i++) expect(queue.shift()).toBe(shifted++);
      expect(queue.at(0)).toBe(shifted);
      expect(queue.at(queue.length - 1)).toBe(pushed - 1);
    }
    expect(queue.length).toBe(5000);
    queue.clear();
    expect([queue.length, queue.at(0), queue.shift()]).toEqual([0, undefined, undefined]);
  });
});
