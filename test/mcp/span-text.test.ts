import { describe, expect, it } from "vitest";
import { keyAttributes } from "../../src/mcp/span-text.js";
import { spanJson } from "./span-json.js";

describe("keyAttributes", () => {
  it("counts an LLM call's tokens as llm_usage does: the answering model, cache reads among the input, its cost", () => {
    const span = spanJson("1", null, 0, {
      attributes: {
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.usage.input_tokens": 500,
        "gen_ai.usage.cache_read_input_tokens": 1000,
        "gen_ai.usage.output_tokens": 100,
      },
      llmCost: {
        model: "claude-sonnet-4-5-20250929",
        priceKey: "claude-sonnet-4-5",
        usd: 0.0048,
        inputTokens: 1500,
        outputTokens: 100,
        cachedInputTokens: 1000,
        cacheWriteInputTokens: 0,
        usageReported: true,
        pricesDate: "2025-10-01",
      },
    });
    expect(keyAttributes(span)).toEqual([
      "model=claude-sonnet-4-5-20250929",
      "tokens=1500in (1000 cached)/100out",
      "cost=$0.0048",
    ]);
    const unreported = spanJson("2", null, 0, {
      attributes: { "gen_ai.request.model": "gpt-4o" },
      llmCost: { ...(span.llmCost as NonNullable<typeof span.llmCost>), model: "gpt-4o", usageReported: false },
    });
    expect(keyAttributes(unreported)).toEqual(["model=gpt-4o", "tokens=not reported"]);
  });
});
