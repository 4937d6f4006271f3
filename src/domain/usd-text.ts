/** Costs in US dollars as the web app and MCP write them. */

/**
 * US dollars with `decimals` places, written out (never `1.5e-7`): "$0.000015", "$0.50"; "$0" for zero.
 * Every cost text on the LLM page, its chart's axis, the trace header and MCP is written by it.
 */
export function usdText(usd: number, decimals: number): string {
  return usd === 0 ? "$0" : `$${usd.toFixed(Math.max(0, Math.min(100, decimals)))}`;
}

/**
 * US dollars for LLM costs: cents from a dollar up, three significant digits below, however small
 * (`$0.42`, `$0.0021`, `$0.0000048`): a cheap call's cost reads as the chart's axis reads it, where
 * "<$0.0001" told every cheap call alike.
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (!(Math.abs(usd) < 1)) return usdText(usd, 2);
  const decimals = 2 - Math.floor(Math.log10(Math.abs(usd)));
  // Trailing zeros dropped: $0.5, not $0.500 (a value rounded up to $1 reads "$1").
  return usdText(usd, decimals)
    .replace(/(\.\d*?)0+$/, "$1")
    .replace(/\.$/, "");
}
