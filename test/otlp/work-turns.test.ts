import { describe, expect, it } from "vitest";
import { WorkTurns } from "../../src/otlp/limits.js";

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
});
