import { describe, expect, it } from "vitest";
import { storeInSlices, WorkTurns } from "../../src/otlp/limits.js";

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("WorkTurns", () => {
  it("runs a lone piece of work at once, synchronously", () => {
    const turns = new WorkTurns();
    expect(turns.run(() => 42)).toBe(42);
  });

  it("lets the event loop run between slices of a burst, and keeps the burst's order", async () => {
    const turns = new WorkTurns();
    const order: string[] = [];
    const jobs = Array.from({ length: 12 }, (_, i) =>
      turns.run(() => {
        spin(3);
        order.push(`work ${i}`);
        return i;
      }),
    );
    // What a read arriving during the burst stands for: a callback of a later turn of the event loop.
    setTimeout(() => order.push("read"), 0);
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const read = order.indexOf("read");
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(order.length - 1);
    expect(order.filter((entry) => entry !== "read")).toEqual(Array.from({ length: 12 }, (_, i) => `work ${i}`));
  });

  it("hands a failure to the waiting caller alone", async () => {
    const turns = new WorkTurns();
    turns.run(() => spin(10));
    const failing = turns.run(() => {
      throw new Error("bad body");
    });
    const next = turns.run(() => "next");
    await expect(failing).rejects.toThrow("bad body");
    expect(await next).toBe("next");
  });

  it("reserves room for work done without it while work handed to it would run at once", async () => {
    const turns = new WorkTurns();
    const reserved = turns.reserve(10);
    expect(reserved).toBeTypeOf("number");
    turns.done(reserved as number, 10, 0.05);
    turns.run(() => spin(10)); // uses up the slice
    expect(turns.reserve(10)).toBeNull();
    const waiting = turns.run(() => "waited");
    expect(waiting).toBeInstanceOf(Promise);
    expect(turns.reserve(10)).toBeNull();
    expect(await waiting).toBe("waited");
    await new Promise((resolve) => setImmediate(resolve));
    expect(turns.reserve(10)).toBeTypeOf("number");
    expect(turns.run(() => "now")).toBe("now");
  });

  it("counts reserved work against the slice before it is done, at what such work took lately", () => {
    const turns = new WorkTurns();
    // Work of 1,000 items took 3 ms: 3 µs an item from now on (a moving average).
    for (let i = 0; i < 30; i++) turns.done(turns.reserve(1000) as number, 1000, 3);
    // A slice is 8 ms: two promises of ~3 ms fit, the third finds ~6 ms promised and still has room, the fourth none.
    const promised = [turns.reserve(1000), turns.reserve(1000), turns.reserve(1000)];
    for (const reserved of promised) expect(reserved).toBeCloseTo(3, 1);
    expect(turns.reserve(1000)).toBeNull();
    expect(turns.run(() => "work")).toBeInstanceOf(Promise);
  });

  it("counts the work that continues from what a turn's slice ran against that slice", async () => {
    const turns = new WorkTurns();
    turns.run(() => spin(9)); // uses up this turn's slice
    let ranAtOnce: boolean | undefined;
    await (turns.run(() => spin(9)) as Promise<void>).then(() => {
      // A store step after its decode, in the decode's continuation: the decode used up the slice.
      const stored = turns.run(() => "stored");
      ranAtOnce = !(stored instanceof Promise);
      return stored;
    });
    expect(ranAtOnce).toBe(false);
  });
});

describe("storeInSlices", () => {
  /** A store whose cost per item is `microseconds` of CPU, recording each call's items. */
  const spinningStore = (microseconds: number, calls: number[][]) => (slice: readonly number[]) => {
    const until = performance.now() + (slice.length * microseconds) / 1000;
    while (performance.now() < until);
    calls.push([...slice]);
  };

  it("stores every item once, in order, in calls sized to a slice of time, with turns of the event loop between", async () => {
    const items = Array.from({ length: 6000 }, (_, i) => i);
    const calls: number[][] = [];
    let turnsBetween = 0;
    const ticker = setInterval(() => turnsBetween++, 0);
    try {
      // 40 µs an item: the most a call may take (2,000 items) would hold the event loop for 80 ms.
      await storeInSlices(items, spinningStore(40, calls));
    } finally {
      clearInterval(ticker);
    }
    expect(calls.flat()).toEqual(items);
    expect(calls.length).toBeGreaterThan(3);
    // After the first call the count follows the measured cost: about one slice (8 ms = 200 items).
    for (const call of calls.slice(1, -1)) expect(call.length).toBeLessThan(1000);
    expect(turnsBetween).toBeGreaterThan(2);
  });

  it("stores a small list in one call, and a cheap large one in calls of the most a call takes", async () => {
    const small: number[][] = [];
    await storeInSlices([1, 2, 3], spinningStore(0, small));
    expect(small).toEqual([[1, 2, 3]]);
    const cheap: number[][] = [];
    const items = Array.from({ length: 9000 }, (_, i) => i);
    await storeInSlices(items, spinningStore(0, cheap));
    expect(cheap.flat()).toEqual(items);
    expect(Math.max(...cheap.map((call) => call.length))).toBe(2000);
  });

  it("puts a large list in groups in slices of time too, with turns of the event loop between", async () => {
    const items = Array.from({ length: 6000 }, (_, i) => `t${i % 3000}`);
    let turns = 0;
    let turnsBeforeFirstStore = -1;
    const ticker = setInterval(() => turns++, 0);
    try {
      // 20 µs a key: grouping alone takes 120 ms, which held the event loop in one go.
      const slowKey = (item: string) => {
        spin(0.02);
        return item;
      };
      await storeInSlices(
        items,
        () => {
          if (turnsBeforeFirstStore < 0) turnsBeforeFirstStore = turns;
        },
        { groupOf: slowKey },
      );
    } finally {
      clearInterval(ticker);
    }
    expect(turnsBeforeFirstStore).toBeGreaterThan(4);
  });

  it("with a group key, stores a large list group by group (first appearance, items in order), and a small one as it came", async () => {
    // 700 traces of 10 spans, spread over 10 resource groups as a collector's batch spreads them.
    const items: string[] = [];
    for (let group = 0; group < 10; group++)
      for (let trace = 0; trace < 700; trace++) items.push(`t${trace}/s${group}`);
    const traceOf = (item: string) => item.slice(0, item.indexOf("/"));
    const calls: string[][] = [];
    await storeInSlices(items, (slice) => calls.push([...slice]), { groupOf: traceOf });
    const stored = calls.flat();
    expect([...stored].sort()).toEqual([...items].sort());
    const expected = Array.from({ length: 700 }, (_, trace) => Array.from({ length: 10 }, (_, s) => `t${trace}/s${s}`));
    expect(stored).toEqual(expected.flat());
    // Each trace reaches the store in at most two calls (one when it is not cut by a call's end).
    for (let trace = 0; trace < 700; trace++) {
      const callsWith = calls.filter((call) => call.some((item) => traceOf(item) === `t${trace}`));
      expect(callsWith.length).toBeLessThanOrEqual(2);
    }
    const small: string[][] = [];
    await storeInSlices(["b/1", "a/1", "b/2"], (slice) => small.push([...slice]), { groupOf: traceOf });
    expect(small).toEqual([["b/1", "a/1", "b/2"]]);
  });

  it("makes the store's batch writes itself, each in a turn of its own between two slices", async () => {
    const items = Array.from({ length: 9000 }, (_, i) => i);
    // A turn of the event loop between two events shows as a tick of the interval between them.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const events: { what: "store" | "write"; tick: number; writeLater?: boolean }[] = [];
    let waiting = 0;
    try {
      await storeInSlices(
        items,
        (slice, writeLater) => {
          spin(2);
          waiting += slice.length;
          events.push({ what: "store", tick: ticks, writeLater });
        },
        {
          writes: {
            due: () => waiting >= 2000,
            write() {
              spin(2);
              waiting = 0;
              events.push({ what: "write", tick: ticks });
            },
          },
        },
      );
    } finally {
      clearInterval(ticker);
    }
    expect(events.filter((e) => e.what === "store").every((e) => e.writeLater === true)).toBe(true);
    const writes = events.flatMap((e, i) => (e.what === "write" ? [i] : []));
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (const i of writes) {
      expect(events[i - 1]?.what).toBe("store");
      expect(events[i]?.tick).toBeGreaterThan(events[i - 1]?.tick ?? Infinity);
      const next = events[i + 1];
      if (next !== undefined) expect(next.tick).toBeGreaterThan(events[i]?.tick ?? Infinity);
    }
    // What the last slices left below the batch size waits for the caller's commit.
    expect(waiting).toBeLessThan(2000);
    // Without `writes`, the store makes its writes itself.
    const told: boolean[] = [];
    await storeInSlices(items, (_slice, writeLater) => told.push(writeLater));
    expect(told.every((writeLater) => !writeLater)).toBe(true);
  });
});
