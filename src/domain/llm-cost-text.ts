/**
 * What a group of LLM calls cost, with what is unknown of it, each call of unknown cost named once:
 * the one rule for MCP's `llm_usage` and the web app's LLM page and trace header, which word it their
 * own way. Pure.
 */

/** What an `/api/llm` group (or a trace's calls, added up alike) says of its calls' cost. */
export interface LlmCostCounts {
  /** USD of the calls of known cost (the calls of unknown cost add nothing to it). */
  usd: number;
  calls: number;
  /** Calls to a model without a price, whether they reported usage or not. */
  unpriced: number;
  /** Calls that reported no token count. */
  noUsage: number;
  /** Of `noUsage`, the unpriced; absent in the answer of a running server older than the field. */
  unpricedNoUsage?: number;
}

/** The calls of unknown cost, each in one count, and whether any call's cost is known. */
export interface LlmCostParts {
  /** USD of the calls of known cost; null when no call's cost is known (a sum of $0 would read as free). */
  usd: number | null;
  /** Calls to a model without a price, those that reported no usage among them. */
  unpriced: number;
  /** Calls to a priced model that reported no usage: their cost is unknown, though the sum counts them as $0. */
  withoutUsage: number;
  /** "no price" when no call has one, "not reported" when no call reported usage; else null. */
  none: "no price" | "not reported" | null;
}

export function llmCostParts(group: LlmCostCounts): LlmCostParts {
  const { calls, unpriced } = group;
  const withoutUsage = group.noUsage - (group.unpricedNoUsage ?? 0);
  const none = unpriced === calls ? "no price" : withoutUsage === calls ? "not reported" : null;
  return { usd: unpriced + withoutUsage < calls ? group.usd : null, unpriced, withoutUsage, none };
}

/** How a surface words a cost and its unknown calls: "$0.0021", "2 unpriced", "1 call without usage". */
export interface LlmCostWords {
  usd: (value: number) => string;
  unpriced: (calls: number) => string;
  withoutUsage: (calls: number) => string;
}

/**
 * "$0.0021", "$0.0021 + 2 unpriced + 1 without usage"; only the unknown calls when no call's cost is
 * known ("1 unpriced + 1 without usage"); "no price" when no call has one, "not reported" when no call
 * reported usage.
 */
export function llmCostText(group: LlmCostCounts, words: LlmCostWords): string {
  const parts = llmCostParts(group);
  if (parts.none !== null) return parts.none;
  return [
    parts.usd === null ? "" : words.usd(parts.usd),
    parts.unpriced > 0 ? words.unpriced(parts.unpriced) : "",
    parts.withoutUsage > 0 ? words.withoutUsage(parts.withoutUsage) : "",
  ]
    .filter((part) => part !== "")
    .join(" + ");
}
