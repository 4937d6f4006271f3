import { describe, expect, it } from "vitest";
import { averageRate, countedSeconds, totalIncrease } from "../../src/domain/counter-average.js";

describe("counter average", () => {
  const window = { fromUnixMs: 0, toUnixMs: 240_000, stepMs: 60_000 };

  it("divides the increase by the time counted, from the earliest start to the newest point", () => {
    const series = [
      { increases: [null, 10], counted: { fromUnixMs: 200_000, toUnixMs: 225_000 } },
      { increases: [15, 17], counted: { fromUnixMs: 150_000, toUnixMs: 210_000 } },
    ];
    expect(countedSeconds(series, window.stepMs)).toBe(75);
    expect(totalIncrease(series)).toBe(42);
    expect(averageRate(42, series, window)).toBe(0.56);
  });

  it("reads an increase at one instant per step, and one without counted over the whole window", () => {
    expect(averageRate(6, [{ increases: [6], counted: { fromUnixMs: 90_000, toUnixMs: 90_000 } }], window)).toBe(0.1);
    expect(averageRate(24, [{ increases: [24] }], window)).toBe(0.1);
  });

  it("has no increase without a step that has one; a counter that stood still grew by 0", () => {
    expect(totalIncrease([{ increases: [null, null] }, {}])).toBeNull();
    expect(totalIncrease([{ increases: [0, null] }])).toBe(0);
  });
});
