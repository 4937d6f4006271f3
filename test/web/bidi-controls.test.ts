import { describe, expect, it } from "vitest";
import { bidiPieces, hasBidiControls, showBidiControls } from "../../web/src/lib/bidi-controls";

describe("bidirectional controls in telemetry text", () => {
  it("cuts text into ordinary runs and single named controls that join back to the text", () => {
    const name = "GET /users/\u202Egnp.exe";
    const pieces = bidiPieces(name);
    expect(pieces).toEqual([
      { text: "GET /users/", control: null },
      { text: "\u202E", control: "RLO" },
      { text: "gnp.exe", control: null },
    ]);
    expect(pieces.map((p) => p.text).join("")).toBe(name);
    expect(bidiPieces("\u2066\u2069").map((p) => p.control)).toEqual(["LRI", "PDI"]);
    expect(bidiPieces("")).toEqual([{ text: "", control: null }]);
  });

  it("names every control, and leaves right-to-left letters alone", () => {
    const all = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C";
    expect(bidiPieces(all).map((p) => p.control)).toEqual([
      "LRE",
      "RLE",
      "PDF",
      "LRO",
      "RLO",
      "LRI",
      "RLI",
      "FSI",
      "PDI",
      "LRM",
      "RLM",
      "ALM",
    ]);
    expect(hasBidiControls("مرحبا שלום")).toBe(false);
    expect(showBidiControls("مرحبا")).toBe("مرحبا");
    expect(showBidiControls("invoice\u202Efdp.exe")).toBe("invoice⟨RLO⟩fdp.exe");
  });
});
