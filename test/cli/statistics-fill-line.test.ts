import { describe, expect, it } from "vitest";
import { statisticsFillLine } from "../../src/cli/start.js";

describe("statisticsFillLine", () => {
  it("announces a fill of many spans and reports one that took a second or more", () => {
    expect(statisticsFillLine({ spans: 1_000_000, ms: null })).toBe(
      "  … reading 1,000,000 stored spans once to fill in per-operation statistics (the file is from an older version)",
    );
    expect(statisticsFillLine({ spans: 1_000_000, ms: 28_140 })).toBe(
      "  + per-operation statistics filled in (28.1 s); later starts skip this",
    );
  });

  it("stays quiet about a fill too small to notice", () => {
    expect(statisticsFillLine({ spans: 5_000, ms: null })).toBeNull();
    expect(statisticsFillLine({ spans: 5_000, ms: 120 })).toBeNull();
  });
});
