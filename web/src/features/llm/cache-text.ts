/**
 * What a prompt cache did for some input tokens (a call's or a sum's), as the LLM page and the span
 * details say it: the tokens read from it and those written to it, both counted in the input.
 */
import { formatCount } from "../../lib/format";

/** "40,000 read from cache · 300 written to cache", either part left out when 0; "" when both are. */
export function cacheText(cached: number, written: number): string {
  const parts: string[] = [];
  if (cached > 0) parts.push(`${formatCount(cached)} read from cache`);
  if (written > 0) parts.push(`${formatCount(written)} written to cache`);
  return parts.join(" · ");
}
