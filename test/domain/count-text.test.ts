import { describe, expect, it } from "vitest";
import { count } from "../../src/domain/count-text.js";

describe("count", () => {
  it("groups digits in threes as toLocaleString('en-US') does", () => {
    for (const n of [0, 7, 999, 1000, 12345, 350000, 1000000, 123456789, -4200, 2 ** 53 - 1]) {
      expect(count(n)).toBe(n.toLocaleString("en-US"));
    }
  });
});
