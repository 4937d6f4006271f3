import { describe, expect, it } from "vitest";
import { llmCostOf, llmUsageOf, normalizeModel, priceKeyOf, traceLlmCost } from "../../src/domain/llm-cost.js";
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

  it("tells a call that reported no usage (a failed call to the provider) from one that reported 0 tokens", () => {
    // OpenAI answered 429: the chat span names its model and failed, with no gen_ai.usage.* at all.
    const refused = {
      "gen_ai.provider.name": "openai",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o",
    };
    expect(llmUsageOf(refused)).toMatchObject({
      model: "gpt-4o",
      inputTokens: 0,
      outputTokens: 0,
      usageReported: false,
    });
    // Its cost is counted as 0 (the priced sum stays a sum of known costs), and said not to be known.
    expect(llmCostOf(refused)).toMatchObject({ priceKey: "gpt-4o", usd: 0, usageReported: false });
    const zero = { ...refused, "gen_ai.usage.input_tokens": 0, "gen_ai.usage.output_tokens": 0 };
    expect(llmCostOf(zero)).toMatchObject({ usd: 0, usageReported: true });
    // Any one count is a report: older names, output only, cache reads only; a count that is not a number is none.
    expect(llmUsageOf({ ...refused, "gen_ai.usage.completion_tokens": "12" })?.usageReported).toBe(true);
    expect(llmUsageOf({ ...refused, "gen_ai.usage.cache_read.input_tokens": 5 })?.usageReported).toBe(true);
    expect(llmUsageOf({ ...refused, "gen_ai.usage.input_tokens": "many" })?.usageReported).toBe(false);
    expect(llmUsageOf({ ...refused, "gen_ai.usage.input_tokens": -1 })?.usageReported).toBe(false);
  });

  it("prices a trace's calls per model, counting the calls whose model has no price, and of those the calls without usage", () => {
    const models = [
      {
        model: "gpt-4o",
        calls: 3,
        inputTokens: 1000,
        outputTokens: 100,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        noUsageCalls: 1,
      },
      {
        model: "mine",
        calls: 2,
        inputTokens: 5,
        outputTokens: 5,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        noUsageCalls: 1,
      },
    ];
    expect(traceLlmCost(models, MODEL_PRICES)).toEqual({
      usd: (1000 * 2.5 + 100 * 10) / 1e6,
      unpricedCalls: 2,
      unpricedNoUsageCalls: 1,
    });
    expect(traceLlmCost(models.slice(1), MODEL_PRICES)).toEqual({
      usd: null,
      unpricedCalls: 2,
      unpricedNoUsageCalls: 1,
    });
    // At a table that prices "mine", none is unpriced.
    const withMine = { ...MODEL_PRICES, mine: { provider: "self", input: 1, output: 1 } };
    expect(traceLlmCost(models, withMine)).toMatchObject({ unpricedCalls: 0, unpricedNoUsageCalls: 0 });
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
