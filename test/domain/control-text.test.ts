import { describe, expect, it } from "vitest";
import { multiLineText, oneLineText } from "../../src/domain/control-text.js";

describe("control text", () => {
  it("drops bidi controls and makes each run of control characters one space, on one line", () => {
    expect(oneLineText("user \u202eadmin\u202c in")).toBe("user admin in");
    expect(oneLineText("\u2066a\u2069\u200e\u200f\u061cb")).toBe("ab");
    expect(oneLineText("a\u0000\u0007b\u001b[31mc\u009bd\u007fe")).toBe("a b [31mc d e");
    expect(oneLineText("one\r\ntwo\tthree\u2028four")).toBe("one two three four");
    expect(oneLineText("café ‌ 🏴")).toBe("café ‌ 🏴");
  });

  it("keeps line breaks (as LF) and tabs over several lines", () => {
    expect(multiLineText("a\r\n\tb\rc\u2029d\n")).toBe("a\n\tb\nc\nd\n");
    expect(multiLineText("x\u001b[2J\u0000y \u202enimda\u202c")).toBe("x [2J y nimda");
  });
});
