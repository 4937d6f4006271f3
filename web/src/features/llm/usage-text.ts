/**
 * How the web app says what LLM calls cost when some of it is unknown: calls to models without a
 * price, and calls that reported no token usage (a call that failed at the provider, say). The API
 * counts the latter as 0 tokens and $0; shown bare, "$0.00" would read as free. Each such call is
 * named once, by the rule MCP's `llm_usage` follows (domain/llm-cost-text.ts).
 */
import { type LlmCostCounts, type LlmCostWords, llmCostParts, llmCostText } from "../../../../src/domain/llm-cost-text";
import { formatCount, formatUsd } from "../../lib/format";

/** "1 call without usage", "3 calls without usage". */
export function withoutUsageText(calls: number): string {
  return `${formatCount(calls)} call${calls === 1 ? "" : "s"} without usage`;
}

const WORDS: LlmCostWords = {
  usd: formatUsd,
  unpriced: (calls) => `${formatCount(calls)} unpriced`,
  withoutUsage: withoutUsageText,
};

/**
 * A group's cost: "$0.42", "$0.42 + 2 unpriced + 1 call without usage", "1 unpriced + 1 call without
 * usage" (no dollar amount when no call's cost is known); "no price" when no call has one, "not
 * reported" when no call reported usage.
 */
export function costText(group: LlmCostCounts): string {
  return llmCostText(group, WORDS);
}

/**
 * The same in two lines, for a narrow table cell: the cost and the unpriced calls, then the calls to
 * priced models that reported no usage ("+ 1 call without usage", "" when none).
 */
export function costLines(group: LlmCostCounts): [string, string] {
  const { usd, unpriced, withoutUsage, none } = llmCostParts(group);
  if (none !== null || withoutUsage === 0) return [costText(group), ""];
  // Here some call's cost is known or some call is unpriced: the first line is never empty.
  const first = [usd === null ? "" : WORDS.usd(usd), unpriced > 0 ? WORDS.unpriced(unpriced) : ""];
  return [first.filter((part) => part !== "").join(" + "), `+ ${WORDS.withoutUsage(withoutUsage)}`];
}
