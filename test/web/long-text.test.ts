import { describe, expect, it } from "vitest";
import { clipText, ROW_TEXT } from "../../web/src/lib/long-text";

describe("clipText", () => {
  it("leaves short text alone and cuts long text to the limit with an ellipsis", () => {
    expect(clipText("GET /users/:id")).toBe("GET /users/:id");
    expect(clipText("x".repeat(ROW_TEXT))).toBe("x".repeat(ROW_TEXT));
    expect(clipText("x".repeat(1_000_000))).toBe(`${"x".repeat(ROW_TEXT)}…`);
    expect(clipText("abcdef", 3)).toBe("abc…");
    // Never half of a character outside the BMP.
    expect(clipText("ab😀cd", 3)).toBe("ab…");
    expect(clipText("ab😀cd", 4)).toBe("ab😀…");
  });
});
