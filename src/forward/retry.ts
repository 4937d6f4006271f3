/**
 * When to try a forwarded batch again (pure). OTLP/HTTP: 429, 502, 503 and 504 are retryable, and so
 * is a failed connection; every other answer is final. A `Retry-After` from the upstream is waited
 * out, but never less than the backoff: one that says 0 (or a date past) would otherwise have the
 * batch sent again at once, as often as the upstream can answer.
 */

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** The first retry waits about this long; each further one doubles it, up to `MAX_BACKOFF_MS`. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;
/** A `Retry-After` further away than this is read as this (an upstream asking for an hour still gets tried). */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Exponential backoff with jitter for the `attempt`-th retry (0 = the first): a random wait between
 * half and all of `BASE_BACKOFF_MS * 2^attempt` (capped), so several instances cut off together do not
 * come back in step.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** How long to wait before the `attempt`-th retry (0 = the first), given the upstream's `Retry-After`, if any. */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  return Math.max(retryAfterMs ?? 0, backoffDelayMs(attempt, random));
}

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110). Null
 * when absent or unreadable; a date in the past is 0; capped at `MAX_RETRY_AFTER_MS`.
 */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}
