/**
 * Whether two SERVER spans of one service under the same caller are one request told twice: each of two
 * instrumentations (HTTP and a framework's, such as the TraceKit Node SDK's Express middleware) took the
 * caller's context from the request. They then run over the same time, give or take the moments between
 * the layers (the inner one may start a little late and end a little after the outer one); two
 * requests under one call (a retry) follow each other. Times in milliseconds: they overlap for at
 * least 90% of the shorter one, or both last nothing and start together.
 *
 * OpenTelemetry JS 1.x (the TraceKit Node SDK's) starts a span at `Date.now()`, a whole millisecond,
 * and ends it a precisely measured duration later: each span is told up to a millisecond earlier than
 * it ran, by its own amount, and the inner telling of a short request, begun in the next millisecond,
 * seems to end after the outer one (0.04 ms of a 0.27 ms span overlapping, say). So a shorter span
 * that starts on a whole millisecond no earlier than a longer one that does also tells its request
 * when moved back by up to a millisecond it overlaps as above. Two requests one after the other under
 * one call are then told apart by their times only when the second one is not shorter than the first,
 * or starts over a millisecond after its end.
 */
export function tellSameRequest(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart);
  if (!(shorter > 0)) return aStart === bStart;
  if (Math.min(aEnd, bEnd) - Math.max(aStart, bStart) >= 0.9 * shorter) return true;
  const [outerStart, outerEnd, innerStart, innerEnd] =
    aEnd - aStart > bEnd - bStart ? [aStart, aEnd, bStart, bEnd] : [bStart, bEnd, aStart, aEnd];
  // Shorter by more than a microsecond: milliseconds since 1970 keep a quarter of one.
  if (innerEnd - innerStart > outerEnd - outerStart - 0.001 || innerStart < outerStart) return false;
  if (!onWholeMillisecond(outerStart) || !onWholeMillisecond(innerStart)) return false;
  const back = Math.min(innerEnd - outerEnd, 1);
  return outerEnd - (innerStart - back) >= 0.9 * shorter;
}

/**
 * A start in milliseconds read from a count of nanoseconds on a whole millisecond: within a
 * microsecond of one, as Number() of a nanosecond count since 1970 is off by up to 128 ns.
 */
function onWholeMillisecond(ms: number): boolean {
  return Math.abs(ms - Math.round(ms)) < 0.001;
}

/** Of two tellings of one request, whether the first is the outer one: the longer, or on a tie the earlier. */
export function isOuterTelling(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const a = aEnd - aStart;
  const b = bEnd - bStart;
  return a > b || (a === b && aStart <= bStart);
}
