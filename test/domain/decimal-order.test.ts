import { describe, expect, it } from "vitest";
import { compareDecimalTexts } from "../../src/domain/decimal-order.js";

describe("compareDecimalTexts", () => {
  it("orders integers past 2^53 by their digits, which doubles round together", () => {
    expect(compareDecimalTexts("9007199254740993", "9007199254740992")).toBe(1);
    expect(compareDecimalTexts("9007199254740992", "9007199254740993")).toBe(-1);
    expect(compareDecimalTexts("18446744073709551615", "18446744073709551615")).toBe(0);
    expect(compareDecimalTexts("-9223372036854775808", "-9223372036854775807")).toBe(-1);
  });

  it("reads signs, fractions and spaces as Number does", () => {
    expect(compareDecimalTexts("9007199254740993", "9007199254740992.5")).toBe(1);
    expect(compareDecimalTexts("1.50", "+1.5")).toBe(0);
    expect(compareDecimalTexts(".5", "0.49")).toBe(1);
    expect(compareDecimalTexts(" 7 ", "7.")).toBe(0);
    expect(compareDecimalTexts("-0", "0")).toBe(0);
  });

  it("leaves other notations to the caller", () => {
    for (const text of ["1e3", "0x10", "Infinity", "", ".", "-", "12abc"]) {
      expect(compareDecimalTexts(text, "1")).toBeUndefined();
      expect(compareDecimalTexts("1", text)).toBeUndefined();
    }
  });
});
