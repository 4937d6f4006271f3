import { describe, expect, it } from "vitest";
import { count } from "../../src/domain/count-text.js";

describe("count", () => {
  it("groups digits in threes as toLocaleString('en-US') does", () => {
    for (const n of [0, 7, 999, 1000, 12345, 350000, 1000000, 123456789, -4200, 2 ** 53 - 1]) {
      expect(count(n)).toBe(n.toLocaleString("en-US"));
    }
  });

  it("rounds to a whole number, and groups a count past 2^53 too", () => {
    for (const n of [999_999.6, 2.5, 2.4, -1_234_567.5]) expect(count(n)).toBe(Math.round(n).toLocaleString("en-US"));
    expect(count(-0.4)).toBe("0");
    expect(count(1e21)).toBe((1e21).toLocaleString("en-US"));
  });
});
