/**
 * What an LLM call cost: the response's model matched to a price (dated suffixes and provider
 * prefixes taken off), times the call's tokens. A model with no price has no cost (never 0).
 */
import { MODEL_PRICES, type ModelPrice } from "./llm-prices.js";
import type { Attributes } from "./span.js";

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export interface LlmCost {
  /** The model as the span names it (response model, else the requested one). */
  model: string;
  /** The price table's entry it matched, or null: then there is no cost. */
  priceKey: string | null;
  /** USD, or null when the model has no price. */
  usd: number | null;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

const DATE_SUFFIX = /(?:-\d{8}|-\d{4}-\d{2}-\d{2}|@\d{8}|-latest|-preview(?:-\d{2}-\d{2})?|-v\d+(?::\d+)?|:\d+)$/;
const PREFIXES = /^(?:[a-z0-9_.-]+\/)+|^(?:us\.|eu\.|apac\.)?(?:anthropic|meta|mistral|amazon)\./;

/**
 * A model name as the price table keys it: lower case, without a provider path (`openai/gpt-4o`,
 * `models/gemini-2.5-pro`), a Bedrock prefix (`us.anthropic.`) or date and version suffixes
 * (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, `…-v1:0`, `@20240620`, `-latest`).
 */
export function normalizeModel(model: string): string {
  let name = model.trim().toLowerCase().replace(PREFIXES, "");
  for (let previous = ""; previous !== name; ) {
    previous = name;
    name = name.replace(DATE_SUFFIX, "");
  }
  return name;
}

/** The table's key for a model: the exact name, else the longest key it extends (`gpt-4o-mini-audio` → `gpt-4o-mini`). */
export function priceKeyOf(model: string, prices: PriceTable = MODEL_PRICES): string | null {
  const name = normalizeModel(model);
  if (Object.hasOwn(prices, name)) return name;
  let best: string | null = null;
  for (const key of Object.keys(prices)) {
    if (name.startsWith(`${key}-`) && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

function tokens(attributes: Attributes, ...keys: string[]): number {
  for (const key of keys) {
    const value = attributes[key];
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return 0;
}

/** The tokens one GenAI span reports, and its model. */
export interface LlmUsage {
  /** The model as the span names it (response model, else the requested one). */
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/** What one GenAI span used, or null when it names no model. */
export function llmUsageOf(attributes: Attributes): LlmUsage | null {
  const named = attributes["gen_ai.response.model"] ?? attributes["gen_ai.request.model"];
  if (typeof named !== "string" || named.trim() === "") return null;
  const inputTokens = tokens(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  const outputTokens = tokens(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  // Semantic conventions count cached tokens inside the input tokens; the cache discount applies to them.
  const cachedInputTokens = Math.min(
    inputTokens,
    tokens(
      attributes,
      "gen_ai.usage.cache_read.input_tokens",
      "gen_ai.usage.cache_read_input_tokens",
      "gen_ai.usage.cached_tokens",
    ),
  );
  return { model: named, inputTokens, outputTokens, cachedInputTokens };
}

/** Usage at a price: `priceKey` is the table's key for the usage's model (see `priceKeyOf`). */
export function costOf(usage: LlmUsage, priceKey: string | null, prices: PriceTable): LlmCost {
  const price = priceKey === null ? undefined : prices[priceKey];
  const { inputTokens, outputTokens, cachedInputTokens } = usage;
  const usd =
    price === undefined
      ? null
      : ((inputTokens - cachedInputTokens) * price.input +
          cachedInputTokens * (price.cachedInput ?? price.input) +
          outputTokens * price.output) /
        1e6;
  return { ...usage, priceKey: price === undefined ? null : priceKey, usd };
}

/**
 * A trace's LLM calls (see `TraceLlm`) at a price table: the USD of the calls whose model has a price
 * (null when none has) and how many calls have none.
 */
export function traceLlmCost(
  models: readonly LlmUsage[] & readonly { calls: number }[],
  prices: PriceTable,
): { usd: number | null; unpricedCalls: number } {
  let usd: number | null = null;
  let unpricedCalls = 0;
  for (const model of models) {
    const cost = costOf(model, priceKeyOf(model.model, prices), prices);
    if (cost.usd === null) unpricedCalls += model.calls;
    else usd = (usd ?? 0) + cost.usd;
  }
  return { usd, unpricedCalls };
}

/** The cost of one GenAI span, or null when it names no model. */
export function llmCostOf(attributes: Attributes, prices: PriceTable = MODEL_PRICES): LlmCost | null {
  const usage = llmUsageOf(attributes);
  return usage === null ? null : costOf(usage, priceKeyOf(usage.model, prices), prices);
}
