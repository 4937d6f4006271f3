/**
 * How long a live trace waits before it is fetched again. A refresh re-downloads and re-renders the
 * whole trace, so its cost grows with the trace: a few milliseconds for a small one, hundreds for
 * 100,000 spans. Waiting a multiple of what the last refresh cost keeps the page's share of time
 * spent on refreshes bounded (at most REFRESH_SHARE), so a big trace that keeps receiving spans
 * stays responsive while it still updates; a small one refreshes as soon as before. Pure.
 */

/** The shortest wait: live messages within it are coalesced into one fetch. */
export const REFRESH_DELAY_MS = 250;
/** At most this share of the page's time goes to refreshing one trace. */
export const REFRESH_SHARE = 0.2;
/** The longest wait, however costly the last refresh was: the trace still updates now and then. */
export const MAX_REFRESH_DELAY_MS = 30_000;

export interface LastRefresh {
  /** When it ended (the clock of `now`, in ms). */
  endedAt: number;
  /** How long it took, from the request to the new trace on screen, in ms. */
  costMs: number;
}

/**
 * Milliseconds from `now` until the next refresh may start: at least REFRESH_DELAY_MS, and at
 * least cost × (1 − share) / share after the last one ended.
 */
export function refreshDelayMs(now: number, last: LastRefresh | null): number {
  if (last === null || !(last.costMs > 0)) return REFRESH_DELAY_MS;
  const rest = Math.min(MAX_REFRESH_DELAY_MS, (last.costMs * (1 - REFRESH_SHARE)) / REFRESH_SHARE);
  return Math.max(REFRESH_DELAY_MS, Math.min(MAX_REFRESH_DELAY_MS, last.endedAt + rest - now));
}
