import { describe, expect, it } from "vitest";
import { formatRunLine } from "../../src/cli/run-summary.js";

const URL = "http://localhost:9999/";

describe("formatRunLine", () => {
  const totals = { traces: 2, spans: 6, failing: 1, runId: "a1b2c3d4", logs: 0 };

  it("says how many LLM calls had no price or reported no usage, beside what the others cost", () => {
    const llm = (unpriced: number, noUsage: number) =>
      formatRunLine({ ...totals, llm: { calls: 3, usd: 0.0042, unpriced, noUsage } }, URL);
    expect(llm(0, 0)).toBe(
      `tracekit-local: this run sent 2 traces (6 spans, 1 failing, 3 LLM calls ≈ $0.0042) · ${URL}`,
    );
    // A call refused by the provider (a 429) reports no tokens: its cost is unknown, not $0.
    expect(llm(0, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without usage))");
    expect(llm(1, 1)).toContain("3 LLM calls ≈ $0.0042 (1 without a price, 1 without usage))");
    // Every call refused: no cost to state (it read "≈ $0.0").
    const refused = formatRunLine({ ...totals, llm: { calls: 2, usd: 0, unpriced: 0, noUsage: 2 } }, URL);
    expect(refused).toContain("(6 spans, 1 failing, 2 LLM calls (2 without usage))");
  });
});
