import { describe, expect, it } from "vitest";
import { emptyTokens, OperationStatsIndex, type StatsTokens } from "../../src/store/operation-stats.js";
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
