import { describe, expect, it } from "vitest";
import { llmCostOf, normalizeModel, priceKeyOf } from "../../src/domain/llm-cost.js";
import { MODEL_PRICES } from "../../src/domain/llm-prices.js";

describe("LLM cost", () => {
  it("matches models by name without dates, versions and provider prefixes", () => {
    expect(normalizeModel("claude-sonnet-4-5-20250929")).toBe("claude-sonnet-4-5");
    expect(priceKeyOf("claude-sonnet-4-5-20250929")).toBe("claude-sonnet-4-5");
    expect(priceKeyOf("gpt-4o-2024-08-06")).toBe("gpt-4o");
    expect(priceKeyOf("gpt-4o-mini-2024-07-18")).toBe("gpt-4o-mini");
    expect(priceKeyOf("openai/gpt-4.1-mini")).toBe("gpt-4.1-mini");
    expect(priceKeyOf("us.anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("claude-3-5-haiku");
    expect(priceKeyOf("claude-3-5-sonnet@20240620")).toBe("claude-3-5-sonnet");
    expect(priceKeyOf("models/gemini-2.5-flash")).toBe("gemini-2.5-flash");
    expect(priceKeyOf("gemini-2.5-flash-lite")).toBe("gemini-2.5-flash-lite");
    expect(priceKeyOf("mistral-large-latest")).toBe("mistral-large");
    expect(priceKeyOf("GPT-4o")).toBe("gpt-4o");
    expect(priceKeyOf("my-fine-tuned-model")).toBeNull();
    expect(priceKeyOf("o3-mini-2025-01-31")).toBe("o3-mini");
  });

  it("costs a call to the cent: uncached input, cached input and output at their prices", () => {
    // gpt-4o: $2.50 / 1M input, $1.25 cached, $10 output.
    const cost = llmCostOf({
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.usage.input_tokens": 12_000,
      "gen_ai.usage.cache_read.input_tokens": 10_000,
      "gen_ai.usage.output_tokens": 1_500,
    });
    expect(cost).toMatchObject({ model: "gpt-4o-2024-08-06", priceKey: "gpt-4o", cachedInputTokens: 10_000 });
    // 2,000 × 2.5 + 10,000 × 1.25 + 1,500 × 10 = 32,500 → $0.0325
    expect(cost?.usd).toBeCloseTo(0.0325, 10);
    // claude-sonnet-4-5: $3 / $15, older attribute names.
    expect(
      llmCostOf({
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.usage.prompt_tokens": "1000",
        "gen_ai.usage.completion_tokens": 200,
      })?.usd,
    ).toBeCloseTo(0.006, 10);
  });

  it("gives an unknown model no cost (never 0), and a span without a model nothing", () => {
    expect(llmCostOf({ "gen_ai.request.model": "local-llama", "gen_ai.usage.input_tokens": 10 })).toMatchObject({
      usd: null,
      priceKey: null,
      inputTokens: 10,
    });
    expect(llmCostOf({ "gen_ai.operation.name": "chat" })).toBeNull();
    expect(llmCostOf({ "gen_ai.request.model": "gpt-4o" })?.usd).toBe(0);
  });

  it("counts cache reads and writes into the input whichever way a span reports them", () => {
    const anthropic = {
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.cache_read.input_tokens": 40_000,
      "gen_ai.usage.output_tokens": 300,
    };
    // Anthropic's input tokens leave its cache out: 12 × 3 + 40,000 × 0.3 + 300 × 15 = 16,536 → $0.016536.
    const names: Record<string, string>[] = [
      { "gen_ai.provider.name": "anthropic" },
      { "gen_ai.system": "Anthropic" },
      {},
    ];
    for (const named of names) {
      const cost = llmCostOf({ ...anthropic, ...named }, MODEL_PRICES, "@tracekit/node-apm");
      expect(cost).toMatchObject({ inputTokens: 40_012, cachedInputTokens: 40_000, cacheWriteInputTokens: 0 });
      expect(cost?.usd).toBeCloseTo(0.016536, 10);
    }
    // A provider's count that includes the cache (the semantic conventions' meaning) is kept as it is.
    const inclusive = {
      "gen_ai.provider.name": "anthropic",
      "gen_ai.response.model": "claude-sonnet-4-5",
      "gen_ai.usage.input_tokens": 2_100,
      "gen_ai.usage.cache_read.input_tokens": 1_000,
      "gen_ai.usage.cache_creation.input_tokens": 1_000,
      "gen_ai.usage.output_tokens": 0,
    };
    const otel = llmCostOf(inclusive, MODEL_PRICES, "opentelemetry.instrumentation.anthropic");
    expect(otel).toMatchObject({ inputTokens: 2_100, cachedInputTokens: 1_000, cacheWriteInputTokens: 1_000 });
    // 100 × 3 + 1,000 × 0.3 + 1,000 × 3.75 = 4,350 → $0.00435
    expect(otel?.usd).toBeCloseTo(0.00435, 10);
    // The same numbers from an instrumentation that copies Anthropic's usage: 4,100 input tokens.
    expect(llmCostOf(inclusive, MODEL_PRICES, "@tracekit/node-apm")?.inputTokens).toBe(4_100);
    // A model without a cache-write price writes at its input price.
    expect(
      llmCostOf({ "gen_ai.response.model": "gpt-4o", "gen_ai.usage.cache_creation.input_tokens": 1_000 })?.usd,
    ).toBeCloseTo(0.0025, 10);
  });
});
