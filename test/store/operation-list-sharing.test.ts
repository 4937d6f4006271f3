import { describe, expect, it } from "vitest";
import {
  CODE_MINUTE,
  emptyTokens,
  negatedCode,
  OperationStatsIndex,
  packCodes,
  type StatsTokens,
  unpackCodes,
} from "../../src/store/operation-stats.js";
import { makeSpan } from "./span-fixtures.js";

/** One trace's tokens: `count` spans of operations op 0, op 1, … counted, then compacted as a quiet trace's. */
function quietTrace(index: OperationStatsIndex, trace: number, count: number): StatsTokens {
  const tokens = emptyTokens();
  for (let s = 1; s <= count; s++) {
    const span = makeSpan({ trace, span: s, parent: s === 1 ? null : 1, name: `op ${s}`, start: s });
    index.add(span, tokens);
  }
  index.compactTokens(tokens);
  return tokens;
}

describe("quiet traces' operation lists", () => {
  it("are shared by traces counted in the same operations, frozen", () => {
    const index = new OperationStatsIndex();
    const a = quietTrace(index, 1, 5);
    const b = quietTrace(index, 2, 5);
    expect(b.ops).toBe(a.ops);
    expect(Object.isFrozen(a.ops)).toBe(true);
  });

  it("are a trace's own when long: a shared list would outlive its trace until the map fills", () => {
    const index = new OperationStatsIndex();
    const a = quietTrace(index, 1, 500);
    const b = quietTrace(index, 2, 500);
    expect(b.ops).not.toBe(a.ops);
    expect(b.ops).toEqual(a.ops);
    expect(a.ops.length).toBe(500);
  });
});

describe("quiet traces' token codes", () => {
  it("pack into a string and back exactly, near and far codes alike", () => {
    const minute = Math.floor(Date.UTC(2026, 0, 1) / 60_000);
    const near = Array.from({ length: 40 }, (_, i) => (minute + (i % 3)) * CODE_MINUTE + (i % 64) * 4 + (i % 4));
    // A move's negated code, a minute far off, a time before 1970 and the edges of one unit's reach.
    const first = near[0] as number;
    const far = [
      negatedCode(minute * CODE_MINUTE + 7),
      (minute + 10_000) * CODE_MINUTE,
      -5 * CODE_MINUTE + 3,
      first + 0x7fff,
      first + 0x8000,
      first - 0x7fff,
      first - 0x8000,
      0,
    ];
    for (const codes of [[], [first], near, [...near, ...far], far]) {
      const packed = packCodes(codes);
      expect(typeof packed).toBe("string");
      expect(unpackCodes(packed)).toEqual(codes);
    }
    // Ten codes of one minute: the first whole (four units) and one unit each after it.
    expect(packCodes(near.slice(0, 10)).length).toBe(4 + 9);
  });

  it("pack a very large trace's codes too", () => {
    const codes = Array.from({ length: 30_000 }, (_, i) => 29_000_000 * CODE_MINUTE + (i % 2 === 0 ? i : -i * 1_000));
    expect(unpackCodes(packCodes(codes))).toEqual(codes);
  });
});
