/** What the Metrics panel says when its window draws no value. Pure. */

/**
 * "none": no point of the metric falls in the window (its last one came before it, or after a range that
 * ended in the past): the hour up to its last point is worth offering. "quiet": its last point falls in
 * the window, so the app still reports it, but its points hold nothing new (a cumulative histogram
 * exported while nothing was recorded: every step's count grew by 0, so no step has a value to draw).
 * A window that ends now (`live`) holds a point that arrived after it was asked for, too. "unplaced":
 * values were recorded (`recorded`, a histogram's count), but none of its percentiles is known (a
 * histogram without bounds that sent no min and max): saying nothing was recorded would be wrong.
 */
export type EmptyWindow = "none" | "quiet" | "unplaced";

export function emptyWindowOf(
  lastPointMs: number,
  window: { fromUnixMs: number; toUnixMs: number },
  live: boolean,
  recorded = 0,
): EmptyWindow {
  if (recorded > 0) return "unplaced";
  return lastPointMs >= window.fromUnixMs && (live || lastPointMs <= window.toUnixMs) ? "quiet" : "none";
}
