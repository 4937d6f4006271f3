/**
 * Bundled LLM prices, US dollars per million tokens, as the providers listed them on PRICES_DATE
 * (list prices for standard, non-batch use; the lowest tier where prices depend on prompt length).
 * Hosted open models are priced at one common host, named in `host`. Keys are model names as
 * responses report them without date or version suffixes (see llm-cost.ts).
 */
export const PRICES_DATE = "2025-10-01";

export interface ModelPrice {
  /** USD per 1M input (prompt) tokens not read from a cache. */
  input: number;
  /** USD per 1M output tokens (reasoning tokens included, as providers bill them). */
  output: number;
  /** USD per 1M input tokens read from the provider's prompt cache, where it has one. */
  cachedInput?: number;
  /** USD per 1M input tokens written to the provider's prompt cache, where writing costs more than input. */
  cacheWriteInput?: number;
  provider: string;
  /** For open models: the host whose price this is. */
  host?: string;
}

export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  "gpt-5": { provider: "openai", input: 1.25, cachedInput: 0.125, output: 10 },
  "gpt-5-mini": { provider: "openai", input: 0.25, cachedInput: 0.025, output: 2 },
  "gpt-5-nano": { provider: "openai", input: 0.05, cachedInput: 0.005, output: 0.4 },
  "gpt-4.1": { provider: "openai", input: 2, cachedInput: 0.5, output: 8 },
  "gpt-4.1-mini": { provider: "openai", input: 0.4, cachedInput: 0.1, output: 1.6 },
  "gpt-4.1-nano": { provider: "openai", input: 0.1, cachedInput: 0.025, output: 0.4 },
  "gpt-4o": { provider: "openai", input: 2.5, cachedInput: 1.25, output: 10 },
  "gpt-4o-mini": { provider: "openai", input: 0.15, cachedInput: 0.075, output: 0.6 },
  "gpt-4-turbo": { provider: "openai", input: 10, output: 30 },
  "gpt-4": { provider: "openai", input: 30, output: 60 },
  "gpt-3.5-turbo": { provider: "openai", input: 0.5, output: 1.5 },
  o1: { provider: "openai", input: 15, cachedInput: 7.5, output: 60 },
  "o1-mini": { provider: "openai", input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { provider: "openai", input: 2, cachedInput: 0.5, output: 8 },
  "o3-mini": { provider: "openai", input: 1.1, cachedInput: 0.55, output: 4.4 },
  "o4-mini": { provider: "openai", input: 1.1, cachedInput: 0.275, output: 4.4 },
  "text-embedding-3-small": { provider: "openai", input: 0.02, output: 0 },
  "text-embedding-3-large": { provider: "openai", input: 0.13, output: 0 },
  "text-embedding-ada-002": { provider: "openai", input: 0.1, output: 0 },
  // Anthropic (cachedInput: cache reads; cacheWriteInput: 5-minute cache writes, 1.25 × input)
  "claude-opus-4-1": { provider: "anthropic", input: 15, cachedInput: 1.5, cacheWriteInput: 18.75, output: 75 },
  "claude-opus-4": { provider: "anthropic", input: 15, cachedInput: 1.5, cacheWriteInput: 18.75, output: 75 },
  "claude-sonnet-4-5": { provider: "anthropic", input: 3, cachedInput: 0.3, cacheWriteInput: 3.75, output: 15 },
  "claude-sonnet-4": { provider: "anthropic", input: 3, cachedInput: 0.3, cacheWriteInput: 3.75, output: 15 },
  "claude-3-7-sonnet": { provider: "anthropic", input: 3, cachedInput: 0.3, cacheWriteInput: 3.75, output: 15 },
  "claude-3-5-sonnet": { provider: "anthropic", input: 3, cachedInput: 0.3, cacheWriteInput: 3.75, output: 15 },
  "claude-haiku-4-5": { provider: "anthropic", input: 1, cachedInput: 0.1, cacheWriteInput: 1.25, output: 5 },
  "claude-3-5-haiku": { provider: "anthropic", input: 0.8, cachedInput: 0.08, cacheWriteInput: 1, output: 4 },
  "claude-3-haiku": { provider: "anthropic", input: 0.25, cachedInput: 0.03, cacheWriteInput: 0.3, output: 1.25 },
  "claude-3-opus": { provider: "anthropic", input: 15, cachedInput: 1.5, cacheWriteInput: 18.75, output: 75 },
  // Google (Gemini API, prompts up to 200k tokens)
  "gemini-2.5-pro": { provider: "gcp.gemini", input: 1.25, cachedInput: 0.31, output: 10 },
  "gemini-2.5-flash": { provider: "gcp.gemini", input: 0.3, cachedInput: 0.075, output: 2.5 },
  "gemini-2.5-flash-lite": { provider: "gcp.gemini", input: 0.1, cachedInput: 0.025, output: 0.4 },
  "gemini-2.0-flash": { provider: "gcp.gemini", input: 0.1, cachedInput: 0.025, output: 0.4 },
  "gemini-2.0-flash-lite": { provider: "gcp.gemini", input: 0.075, output: 0.3 },
  "gemini-1.5-pro": { provider: "gcp.gemini", input: 1.25, output: 5 },
  "gemini-1.5-flash": { provider: "gcp.gemini", input: 0.075, output: 0.3 },
  // Mistral
  "mistral-large": { provider: "mistral_ai", input: 2, output: 6 },
  "mistral-medium": { provider: "mistral_ai", input: 0.4, output: 2 },
  "mistral-small": { provider: "mistral_ai", input: 0.1, output: 0.3 },
  codestral: { provider: "mistral_ai", input: 0.3, output: 0.9 },
  "open-mistral-nemo": { provider: "mistral_ai", input: 0.15, output: 0.15 },
  // DeepSeek (cachedInput: cache hits)
  "deepseek-chat": { provider: "deepseek", input: 0.27, cachedInput: 0.07, output: 1.1 },
  "deepseek-reasoner": { provider: "deepseek", input: 0.55, cachedInput: 0.14, output: 2.19 },
  // Meta Llama, as Groq serves them
  "llama-3.3-70b-versatile": { provider: "groq", host: "Groq", input: 0.59, output: 0.79 },
  "llama-3.1-8b-instant": { provider: "groq", host: "Groq", input: 0.05, output: 0.08 },
  "llama-4-maverick-17b-128e-instruct": { provider: "groq", host: "Groq", input: 0.2, output: 0.6 },
  "llama-4-scout-17b-16e-instruct": { provider: "groq", host: "Groq", input: 0.11, output: 0.34 },
};

/** The price table in use: the bundled one, with a `--prices` file's models over it. */
export interface PriceList {
  table: Readonly<Record<string, ModelPrice>>;
  /** When the bundled prices were taken from the providers' lists. */
  bundledDate: string;
  /** The `--prices` file, or null. */
  file: string | null;
  /** Table keys the file set (added or replaced). */
  fileModels: readonly string[];
}

export const BUNDLED_PRICES: PriceList = Object.freeze({
  table: MODEL_PRICES,
  bundledDate: PRICES_DATE,
  file: null,
  fileModels: Object.freeze([]),
});

const PRICE_FIELDS = new Set(["input", "output", "cachedInput", "cacheWriteInput", "provider", "host"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A `--prices` file's contents over the bundled table: `{"models": {"<model>": {"input": 3,
 * "output": 15, "cachedInput": 0.3, "cacheWriteInput": 3.75}}}` in USD per million tokens
 * (`cachedInput` and `cacheWriteInput` optional, `provider` a label). Keys are matched as response models are (`normalize`: lower case, dates and provider
 * paths taken off). Throws an Error saying what is wrong, naming the model and field.
 */
export function withPriceFile(
  json: unknown,
  file: string,
  normalize: (model: string) => string,
  base: PriceList = BUNDLED_PRICES,
): PriceList {
  if (!isObject(json))
    throw new Error('must be a JSON object such as {"models": {"my-model": {"input": 1, "output": 2}}}');
  for (const key of Object.keys(json)) {
    if (key !== "models") throw new Error(`has an unknown key "${key}" (only "models" is read)`);
  }
  const models = json.models;
  if (!isObject(models) || Object.keys(models).length === 0) {
    throw new Error(
      'needs "models": an object of model name → {"input", "output", "cachedInput"} in USD per 1M tokens',
    );
  }
  const table: Record<string, ModelPrice> = { ...base.table };
  const fileModels: string[] = [];
  for (const [model, entry] of Object.entries(models)) {
    const where = `models["${model.slice(0, 80)}"]`;
    const key = normalize(model);
    if (key === "") throw new Error(`${where}: the model name is empty`);
    if (!isObject(entry)) throw new Error(`${where} must be an object such as {"input": 1, "output": 2}`);
    for (const field of Object.keys(entry)) {
      if (!PRICE_FIELDS.has(field)) throw new Error(`${where} has an unknown field "${field}"`);
    }
    const usd = (field: string, required: boolean): number | undefined => {
      const value = entry[field];
      if (value === undefined && !required) return undefined;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new Error(`${where}.${field} must be a number >= 0 (USD per million tokens)`);
      }
      return value;
    };
    const price: ModelPrice = {
      input: usd("input", true) as number,
      output: usd("output", true) as number,
      provider: typeof entry.provider === "string" ? entry.provider : (base.table[key]?.provider ?? "custom"),
    };
    const cached = usd("cachedInput", false);
    if (cached !== undefined) price.cachedInput = cached;
    const cacheWrite = usd("cacheWriteInput", false);
    if (cacheWrite !== undefined) price.cacheWriteInput = cacheWrite;
    if (typeof entry.host === "string") price.host = entry.host;
    table[key] = price;
    fileModels.push(key);
  }
  return Object.freeze({ table: Object.freeze(table), bundledDate: base.bundledDate, file, fileModels });
}
