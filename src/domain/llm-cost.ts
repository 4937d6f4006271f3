/**
 * What an LLM call cost: the response's model matched to a price (dated suffixes and provider
 * prefixes taken off), times the call's tokens. A model with no price has no cost (never 0).
 */
import { MODEL_PRICES, type ModelPrice } from "./llm-prices.js";
import type { Attributes } from "./span.js";

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export interface LlmCost extends LlmUsage {
  /** The price table's entry it matched, or null: then there is no cost. */
  priceKey: string | null;
  /**
   * USD, or null when the model has no price. A call that reported no usage (`usageReported` false)
   * counts 0 tokens, so 0 here: its cost is unknown, not nothing.
   */
  usd: number | null;
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

/** The first of `keys` the span reports as a count of tokens, or null when it reports none. */
function tokens(attributes: Attributes, ...keys: string[]): number | null {
  for (const key of keys) {
    const value = attributes[key];
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return null;
}

/** The tokens one GenAI span reports, and its model. */
export interface LlmUsage {
  /** The model as the span names it (response model, else the requested one). */
  model: string;
  /** Every input token, those read from or written to a prompt cache included. */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those read from the provider's prompt cache. */
  cachedInputTokens: number;
  /** Of `inputTokens`, those written to the provider's prompt cache. */
  cacheWriteInputTokens: number;
  /**
   * Whether the span reports any token count. A call that failed at the provider (a 429, a 500)
   * usually reports none: its counts are then 0 for want of any, not because it used none.
   */
  usageReported: boolean;
}

/**
 * Instrumentations that count cache reads and writes inside `gen_ai.usage.input_tokens`, as the
 * semantic conventions ask, for Anthropic too: OpenTelemetry's own (Python `opentelemetry.instrumentation.*`,
 * JavaScript `@opentelemetry/instrumentation-*`), which add Anthropic's three input counts up.
 */
const INCLUSIVE_SCOPES = /^(?:opentelemetry\.instrumentation\.|@opentelemetry\/instrumentation-)/;

/**
 * Whether the span's input tokens leave out its cache reads and writes. OpenTelemetry's GenAI
 * conventions count them in (`cache_read.input_tokens` and `cache_creation.input_tokens` "SHOULD be
 * included in `gen_ai.usage.input_tokens`"), as OpenAI's `prompt_tokens` does; Anthropic's
 * `usage.input_tokens` leaves them out, and instrumentations that copy it as it is (the TraceKit
 * SDKs) report Anthropic's meaning. Cache counts larger than the input can only be that meaning.
 */
function inputLeavesOutCache(attributes: Attributes, scopeName: string, cached: number, input: number): boolean {
  if (cached > input) return true;
  const provider = attributes["gen_ai.provider.name"] ?? attributes["gen_ai.system"];
  return typeof provider === "string" && provider.toLowerCase() === "anthropic" && !INCLUSIVE_SCOPES.test(scopeName);
}

/**
 * What one GenAI span used, or null when it names no model. Tokens are counted as the semantic
 * conventions count them whichever way the span reports them: input with its cache reads and writes.
 * `scopeName`: the span's instrumentation scope (which tells how an Anthropic call counts its input).
 */
export function llmUsageOf(attributes: Attributes, scopeName = ""): LlmUsage | null {
  const named = attributes["gen_ai.response.model"] ?? attributes["gen_ai.request.model"];
  if (typeof named !== "string" || named.trim() === "") return null;
  const input = tokens(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  const output = tokens(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  const cacheRead = tokens(
    attributes,
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "gen_ai.usage.cached_tokens",
  );
  const cacheWritten = tokens(
    attributes,
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_write.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
  );
  const usageReported = input !== null || output !== null || cacheRead !== null || cacheWritten !== null;
  const reported = input ?? 0;
  const outputTokens = output ?? 0;
  const read = cacheRead ?? 0;
  const written = cacheWritten ?? 0;
  const inputTokens = inputLeavesOutCache(attributes, scopeName, read + written, reported)
    ? reported + read + written
    : reported;
  const cachedInputTokens = Math.min(inputTokens, read);
  const cacheWriteInputTokens = Math.min(inputTokens - cachedInputTokens, written);
  return { model: named, inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens, usageReported };
}

/** Price per token of a model (USD per 1M tokens) by kind of token. */
export interface TokenPrice {
  input: number;
  /** Input read from the provider's prompt cache. */
  cached: number;
  /** Input written to the provider's prompt cache. */
  cacheWrite: number;
  output: number;
}

/** A price table entry as prices per kind of token (cache reads and writes at the input price when it has none), or null. */
export function tokenPriceOf(key: string | null, prices: PriceTable): TokenPrice | null {
  const price = key === null ? undefined : prices[key];
  if (price === undefined) return null;
  return {
    input: price.input,
    cached: price.cachedInput ?? price.input,
    cacheWrite: price.cacheWriteInput ?? price.input,
    output: price.output,
  };
}

/**
 * What tokens cost at `price` (USD × 1e6, prices being per 1M tokens): `input` counts every input
 * token, `cached` and `cacheWrite` among them. Linear in tokens, so a sum of calls is priced once.
 */
export function tokenCost(
  input: number,
  output: number,
  cached: number,
  cacheWrite: number,
  price: TokenPrice,
): number {
  return (
    (input - cached - cacheWrite) * price.input +
    cached * price.cached +
    cacheWrite * price.cacheWrite +
    output * price.output
  );
}

/** Usage at a price: `priceKey` is the table's key for the usage's model (see `priceKeyOf`). */
export function costOf(usage: LlmUsage, priceKey: string | null, prices: PriceTable): LlmCost {
  const price = tokenPriceOf(priceKey, prices);
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens } = usage;
  const usd =
    price === null ? null : tokenCost(inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens, price) / 1e6;
  return { ...usage, priceKey: price === null ? null : priceKey, usd };
}

/**
 * A trace's LLM calls (see `TraceLlm`) at a price table: the USD of the calls whose model has a price
 * (null when none has), how many calls have none, and how many of those reported no usage.
 */
export function traceLlmCost(
  models: readonly (Omit<LlmUsage, "usageReported"> & { calls: number; noUsageCalls: number })[],
  prices: PriceTable,
): { usd: number | null; unpricedCalls: number; unpricedNoUsageCalls: number } {
  let usd: number | null = null;
  let unpricedCalls = 0;
  let unpricedNoUsageCalls = 0;
  for (const model of models) {
    const price = tokenPriceOf(priceKeyOf(model.model, prices), prices);
    if (price === null) {
      unpricedCalls += model.calls;
      unpricedNoUsageCalls += model.noUsageCalls;
    } else
      usd =
        (usd ?? 0) +
        tokenCost(model.inputTokens, model.outputTokens, model.cachedInputTokens, model.cacheWriteInputTokens, price) /
          1e6;
  }
  return { usd, unpricedCalls, unpricedNoUsageCalls };
}

/** The cost of one GenAI span, or null when it names no model. */
export function llmCostOf(attributes: Attributes, prices: PriceTable = MODEL_PRICES, scopeName = ""): LlmCost | null {
  const usage = llmUsageOf(attributes, scopeName);
  return usage === null ? null : costOf(usage, priceKeyOf(usage.model, prices), prices);
}
