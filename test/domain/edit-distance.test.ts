import { describe, expect, it } from "vitest";
import { editDistance } from "../../src/domain/edit-distance.js";

describe("editDistance", () => {
  it("is 0 for the same name, and the length of the other against an empty one", () => {
    expect(editDistance("trace_id", "trace_id")).toBe(0);
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("", "port")).toBe(4);
    expect(editDistance("port", "")).toBe(4);
  });

  it("counts an insert, a delete and a replace as one edit each", () => {
    expect(editDistance("servce", "service")).toBe(1);
    expect(editDistance("services", "service")).toBe(1);
    expect(editDistance("limat", "limit")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("counts a swap of neighbours as one edit, where replacing both would be two", () => {
    expect(editDistance("lmiit", "limit")).toBe(1);
    expect(editDistance("txet", "text")).toBe(1);
    expect(editDistance("exprot", "export")).toBe(1);
    expect(editDistance("trcaeid", "traceid")).toBe(1);
    // Two swaps, apart.
    expect(editDistance("rtace_di", "trace_id")).toBe(2);
  });

  it("edits each character once (a swapped pair is not edited again), and reads the same both ways", () => {
    // "ca" → "abc" would be 2 were a swapped pair edited again (ca → ac → abc); here it is 3.
    expect(editDistance("ca", "abc")).toBe(3);
    for (const [a, b] of [
      ["lmiit", "limit"],
      ["ca", "abc"],
      ["min_duration", "min_duration_ms"],
      ["sinec", "since"],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });
});
