import { describe, expect, it } from "vitest";
import { serviceNameProblem } from "../../src/domain/code-monitoring.js";
import { characterNumber, textPrefix } from "../../src/domain/long-text.js";

describe("characterNumber", () => {
  it("counts a character past U+FFFF once, as a reader does", () => {
    expect(characterNumber("abc", 0)).toBe(1);
    expect(characterNumber("abc", 2)).toBe(3);
    // "🛒" is two UTF-16 code units: the "x" after it is the second character.
    expect(characterNumber("🛒x", 2)).toBe(2);
    expect(characterNumber("a🛒🛒x", 5)).toBe(4);
    expect(characterNumber("", 0)).toBe(1);
  });

  it("names a refused service name's character by that count", () => {
    expect(serviceNameProblem("🛒🛒\u0000")).toBe(
      "holds the control or formatting character U+0000 at character 3, which no service name has",
    );
  });
});

describe("textPrefix", () => {
  it("cuts before half of a surrogate pair", () => {
    expect(textPrefix("ab🛒", 3)).toBe("ab");
    expect(textPrefix("abc", 5)).toBe("abc");
  });
});
