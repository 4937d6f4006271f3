import { describe, expect, it } from "vitest";
import { llmSearch, readLlmFilters } from "../../web/src/features/llm/llm-url.js";

describe("LLM page URL", () => {
  it("keeps the charts' measure beside the service and window, cost by default", () => {
    expect(readLlmFilters({})).toEqual({ window: "all", measure: "usd" });
    const filters = readLlmFilters({ service: "checkout", window: "1h", measure: "tokens" });
    expect(filters).toEqual({ service: "checkout", window: "1h", measure: "tokens" });
    expect(llmSearch(filters)).toBe("?service=checkout&window=1h&measure=tokens");
    expect(llmSearch({ window: "all", measure: "usd" })).toBe("");
    expect(readLlmFilters({ measure: "bogus" }).measure).toBe("usd");
  });
});
