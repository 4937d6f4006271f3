import { describe, expect, it } from "vitest";
import { isOuterTelling, tellSameRequest } from "../../src/domain/same-request.js";

const T = 1_733_500_000_000; // unix ms, a whole millisecond

describe("tellSameRequest", () => {
  it("tells one request told twice by two layers over the same time", () => {
    expect(tellSameRequest(T, T + 40, T + 1, T + 40.3)).toBe(true);
    // A retry after the first request: two requests.
    expect(tellSameRequest(T, T + 40, T + 41, T + 44)).toBe(false);
  });

  it("reads spans started on whole milliseconds as if each began anywhere in its millisecond", () => {
    // A request of 1.6 ms and its inner telling, begun in the next millisecond: it seems to end 0.3 ms
    // after the outer one and overlaps it by 0.6 of its 0.9 ms.
    expect(tellSameRequest(T, T + 1.6, T + 1, T + 1.9)).toBe(true);
    expect(tellSameRequest(T + 1, T + 1.9, T, T + 1.6)).toBe(true);
    expect(isOuterTelling(T, T + 1.6, T + 1, T + 1.9)).toBe(true);
    // Nanoseconds written as a float land a few hundred nanoseconds off the millisecond.
    expect(tellSameRequest(T + 0.0003, T + 1.6003, T + 0.9997, T + 1.8997)).toBe(true);
    // Starts with their fractions are not rounded: the same shape is two requests.
    expect(tellSameRequest(T + 0.3, T + 1.9, T + 1.3, T + 2.2)).toBe(false);
    // Two fast requests one after the other stay two, rounded or not.
    expect(tellSameRequest(T, T + 1.5, T + 2, T + 2.8)).toBe(false);
    expect(tellSameRequest(T, T + 2, T + 2, T + 4)).toBe(false);
    // The shorter may not start before the longer, nor end a millisecond or more after it.
    expect(tellSameRequest(T + 1, T + 3, T, T + 1.2)).toBe(false);
    expect(tellSameRequest(T, T + 1.5, T + 1, T + 2.5)).toBe(false);
    // A retry after a failed request: it starts after the next millisecond, though within its rounding.
    expect(tellSameRequest(T, T + 10.3, T + 11, T + 11.2)).toBe(false);
    expect(tellSameRequest(T, T + 5.3, T + 6, T + 6.25)).toBe(false);
    // Equal durations a millisecond apart end a millisecond apart, whatever float noise says.
    expect(tellSameRequest(T + 10, T + 10.6, T + 11, T + 11.6000001)).toBe(false);
    expect(tellSameRequest(T + 11, T + 11.6000001, T + 10, T + 10.6)).toBe(false);
  });
});
