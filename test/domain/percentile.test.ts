import { describe, expect, it } from "vitest";
import { percentile, selectPercentiles } from "../../src/domain/percentile.js";

describe("selectPercentiles", () => {
  it("gives what percentile gives over the sorted values, for any order, duplicates and sizes", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const size of [1, 2, 3, 10, 101, 1000]) {
      for (const spread of [3, 1000]) {
        const values = Array.from({ length: size }, () => Math.floor(random() * spread) / 4);
        const sorted = [...values].sort((a, b) => a - b);
        const ps = [0, 50, 95, 99, 100];
        expect(selectPercentiles(Float64Array.from(values), ps)).toEqual(ps.map((p) => percentile(sorted, p)));
      }
    }
    expect(selectPercentiles(new Float64Array(0), [50, 95])).toEqual([0, 0]);
  });
});
