import { describe, expect, it } from "vitest";
import { tellSameRequest } from "../../src/domain/same-request.js";

/** Milliseconds since 1970 as a store reads them: Number() of the nanosecond count, over 1e6. */
const ms = (ns: bigint) => Number(ns) / 1e6;
const T = 1_765_000_000_000_000_000n;

describe("tellSameRequest", () => {
  it("tells one request in two spans that start on whole milliseconds and seem to overlap little", () => {
    // As the TraceKit Node SDK sent one request to a failing service: the HTTP span (started at a whole
    // millisecond, 1.04 ms long) and its middleware's span (the next millisecond, 0.27 ms long).
    expect(tellSameRequest(ms(T + 2_000_000n), ms(T + 3_039_973n), ms(T + 3_000_000n), ms(T + 3_269_991n))).toBe(true);
    expect(tellSameRequest(ms(T + 3_000_000n), ms(T + 3_269_991n), ms(T + 2_000_000n), ms(T + 3_039_973n))).toBe(true);
    // 1.59 of the shorter's 1.98 ms overlapping (80%).
    expect(tellSameRequest(ms(T), ms(T + 2_000_000n), ms(T + 1_000_000n), ms(T + 2_980_000n))).toBe(true);
  });

  it("keeps two requests one after the other apart, on whole milliseconds too", () => {
    // A retry under the same call, a millisecond after the first request ended.
    expect(tellSameRequest(ms(T + 10_000_000n), ms(T + 40_000_000n), ms(T + 41_000_000n), ms(T + 44_000_000n))).toBe(
      false,
    );
    // Back to back, a millisecond apart, the second no shorter than the first.
    expect(tellSameRequest(ms(T), ms(T + 1_000_000n), ms(T + 1_000_000n), ms(T + 2_000_000n))).toBe(false);
    expect(tellSameRequest(ms(T), ms(T + 300_000n), ms(T + 1_000_000n), ms(T + 1_400_000n))).toBe(false);
    // Two milliseconds after a short one: more than the millisecond either start may be off.
    expect(tellSameRequest(ms(T), ms(T + 300_000n), ms(T + 2_000_000n), ms(T + 2_200_000n))).toBe(false);
    // The shorter one starting first is not an inner telling.
    expect(tellSameRequest(ms(T), ms(T + 270_000n), ms(T + 1_000_000n), ms(T + 2_040_000n))).toBe(false);
  });

  it("moves nothing for starts off the millisecond: precise clocks are taken as they are", () => {
    // The same shapes as above, 0.123 ms later: precise times that barely overlap are two requests.
    const at = T + 123_456n;
    expect(tellSameRequest(ms(at + 2_000_000n), ms(at + 3_039_973n), ms(at + 3_000_000n), ms(at + 3_269_991n))).toBe(
      false,
    );
    expect(tellSameRequest(ms(at), ms(at + 30_000_000n), ms(at + 1_000_000n), ms(at + 28_000_000n))).toBe(true);
  });

  it("reads spans that last nothing as one request only when they start together", () => {
    expect(tellSameRequest(ms(T), ms(T), ms(T), ms(T))).toBe(true);
    expect(tellSameRequest(ms(T), ms(T), ms(T + 1_000_000n), ms(T + 1_000_000n))).toBe(false);
    expect(tellSameRequest(ms(T), ms(T + 1_000_000n), ms(T), ms(T))).toBe(true);
  });
});
