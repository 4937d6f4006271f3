import { describe, expect, it } from "vitest";
import { keyAttributes, spanSearchOf, whereSearchMatched } from "../../src/mcp/span-text.js";
import type { SpanJson } from "../../src/protocol.js";
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

describe("whereSearchMatched", () => {
  const quote = (value: string) => JSON.stringify(value);
  const where = (text: string, attributes: SpanJson["attributes"]) =>
    whereSearchMatched(spanJson("a1", null, 0, { attributes }), spanSearchOf(text, quote));

  it("says where a search matched as the query language finds it: inside a map, and numeric text as a number", () => {
    // A map attribute under a namespaced key, read by a dotted path (the stores find the span by it).
    expect(where("app.customer.tier=gold", { "app.customer": { tier: "gold" } })).toBe("app.customer.tier=gold");
    expect(where("user.id=5", { user: { id: 5 } })).toBe("user.id=5");
    // Numeric text equals the same number in another form, as `=` compares it.
    expect(where("numtext=2.5e2", { numtext: "250" })).toBe("numtext=250");
    // An integer past 2^53 kept as its digits compares by them.
    expect(where("big=9007199254740993", { big: "9007199254740993" })).toBe("big=9007199254740993");
    expect(where("big=9007199254740992", { big: "9007199254740993" })).toBeNull();
    expect(where("app.customer.tier=silver", { "app.customer": { tier: "gold" } })).toBeNull();
  });
});
