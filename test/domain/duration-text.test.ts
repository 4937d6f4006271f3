import { describe, expect, it } from "vitest";
import { formatDuration, formatDurationExact, formatTimeLabel } from "../../src/domain/duration-text.js";

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

describe("formatDurationExact", () => {
  it("keeps seconds and milliseconds past a minute and an hour", () => {
    expect(formatDurationExact(5_025_678)).toBe("1h 23m 45.678s");
    expect(formatDurationExact(90_500)).toBe("1m 30.5s");
    expect(formatDurationExact(1534)).toBe("1.534s");
    expect(formatDurationExact(3_600_000)).toBe("1h");
    expect(formatDurationExact(3_600_005)).toBe("1h 0m 0.005s");
  });

  it("writes under a second as formatDuration does", () => {
    expect(formatDurationExact(12.3)).toBe("12.3ms");
    expect(formatDurationExact(0.0004)).toBe("400ns");
    expect(formatDurationExact(-1)).toBe("–");
  });
});

describe("formatTimeLabel", () => {
  it("writes as much as the step between marks needs", () => {
    expect(formatTimeLabel(4_000_000, 2_000_000)).toBe("1h 6m 40s");
    expect(formatTimeLabel(5_400_000, 1_800_000)).toBe("1h 30m");
    expect(formatTimeLabel(3_600_000, 100)).toBe("1h");
    expect(formatTimeLabel(3_600_100, 100)).toBe("1h 0m 0.1s");
    expect(formatTimeLabel(3_600_720, 10)).toBe("1h 0m 0.72s");
    expect(formatTimeLabel(1200, 200)).toBe("1.2s");
    expect(formatTimeLabel(7.5, 2.5)).toBe("7.5ms");
    expect(formatTimeLabel(674.3, 1)).toBe("674ms");
    expect(formatTimeLabel(0.025, 0.025)).toBe("25µs");
    expect(formatTimeLabel(0, 1000)).toBe("0ms");
  });
});
