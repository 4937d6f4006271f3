import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/domain/duration-text.js";

describe("formatDuration below a microsecond", () => {
  it("writes nanoseconds, not 1µs", () => {
    expect(formatDuration(0.000001)).toBe("1ns");
    expect(formatDuration(0.0004)).toBe("400ns");
    expect(formatDuration(0.000999)).toBe("999ns");
    // Rounding up to the next unit is written in it.
    expect(formatDuration(0.0009996)).toBe("1µs");
    expect(formatDuration(0.42)).toBe("420µs");
  });
});
