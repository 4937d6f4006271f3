import { describe, expect, it } from "vitest";
import { llmCostParts, llmCostText } from "../../src/domain/llm-cost-text.js";

const words = {
  usd: (value: number) => `$${value}`,
  unpriced: (calls: number) => `${calls} unpriced`,
  withoutUsage: (calls: number) => `${calls} without usage`,
};

describe("llmCostParts and llmCostText", () => {
  it("counts a call to a model without a price that reported no usage once, as unpriced", () => {
    const group = { usd: 0.0021, calls: 4, unpriced: 2, noUsage: 2, unpricedNoUsage: 1 };
    expect(llmCostParts(group)).toEqual({ usd: 0.0021, unpriced: 2, withoutUsage: 1, none: null });
    expect(llmCostText(group, words)).toBe("$0.0021 + 2 unpriced + 1 without usage");
    // An answer without unpricedNoUsage (a server older than it): the counts as given.
    expect(llmCostParts({ usd: 0.0021, calls: 3, unpriced: 1, noUsage: 1 }).withoutUsage).toBe(1);
  });

  it("gives no dollar amount when no call's cost is known", () => {
    expect(llmCostParts({ usd: 0, calls: 2, unpriced: 1, noUsage: 1, unpricedNoUsage: 0 })).toEqual({
      usd: null,
      unpriced: 1,
      withoutUsage: 1,
      none: null,
    });
    expect(llmCostText({ usd: 0, calls: 2, unpriced: 1, noUsage: 1, unpricedNoUsage: 0 }, words)).toBe(
      "1 unpriced + 1 without usage",
    );
    expect(llmCostText({ usd: 0, calls: 2, unpriced: 2, noUsage: 2, unpricedNoUsage: 2 }, words)).toBe("no price");
    expect(llmCostText({ usd: 0, calls: 2, unpriced: 0, noUsage: 2, unpricedNoUsage: 0 }, words)).toBe("not reported");
    // A priced call that reported 0 tokens costs a known $0.
    expect(llmCostText({ usd: 0, calls: 1, unpriced: 0, noUsage: 0 }, words)).toBe("$0");
  });
});
