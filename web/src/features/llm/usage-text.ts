/**
 * How the web app says what LLM calls cost when some of it is unknown: calls to models without a
 * price, and calls that reported no token usage (a call that failed at the provider, say). The API
 * counts the latter as 0 tokens and $0; shown bare, "$0.00" would read as free.
 */
import { formatUsd } from "../../lib/format";

/** "1 call without usage", "3 calls without usage". */
export function withoutUsageText(calls: number): string {
  return `${calls} call${calls === 1 ? "" : "s"} without usage`;
}

/**
 * A cost over `calls` calls: "$0.42", "$0.42 + 2 unpriced", "$0.42 + 1 call without usage"; "no price"
 * when no call has one, "not reported" when no call reported usage.
 */
export function costText(usd: number, unpriced: number, calls: number, noUsage: number): string {
  if (unpriced === calls) return "no price";
  if (noUsage === calls) return "not reported";
  const parts = [formatUsd(usd)];
  if (unpriced > 0) parts.push(`${unpriced} unpriced`);
  if (noUsage > 0) parts.push(withoutUsageText(noUsage));
  return parts.join(" + ");
}
