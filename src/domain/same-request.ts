/**
 * Whether two SERVER spans of one service under the same caller are one request told twice: each of two
 * instrumentations (HTTP and a framework's, such as the TraceKit Node SDK's Express middleware) took the
 * caller's context from the request. They then run over the same time, give or take the moments between
 * the layers (the inner one may start a millisecond late and end a little after the outer one); two
 * requests under one call (a retry) follow each other. Times in unix milliseconds (fractions kept):
 * they overlap for at least 90% of the shorter one, or both last nothing and start together, or both
 * start on a whole millisecond and the shorter starts in the longer one's millisecond or the next and
 * ends less than a millisecond after it (withinOnceUnrounded).
 */
export function tellSameRequest(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart);
  if (!(shorter > 0)) return aStart === bStart;
  const overlap = Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
  if (overlap >= 0.9 * shorter) return true;
  return onWholeMillisecond(aStart) && onWholeMillisecond(bStart) && withinOnceUnrounded(aStart, aEnd, bStart, bEnd);
}

/** A microsecond, in ms: what float arithmetic on nanoseconds near 1.7e18 may be off by. */
const NOISE_MS = 0.001;

/**
 * Whether a start (in ms) is on a whole millisecond, to within a microsecond (an SDK's nanoseconds
 * written as a float are a few hundred nanoseconds off): as OpenTelemetry JS 1.x starts its spans, on
 * the clock's millisecond, while it times their durations to the nanosecond.
 */
export function onWholeMillisecond(ms: number): boolean {
  const fraction = ms - Math.floor(ms);
  return fraction < NOISE_MS || fraction > 1 - NOISE_MS;
}

/**
 * Whether the shorter of two spans, each started on a whole millisecond, is the inner telling of the
 * longer one's request but for that rounding: it starts in the same millisecond or the next (the
 * layer inside begins a moment later) and ends less than a millisecond after it (its start rounded
 * down further than the outer one's, its duration exact). That is where the inner telling of a
 * request of a millisecond or two falls, overlapping it by far less than 90%. A request after another
 * starts later than that, or ends a millisecond or more after it; a fast request that starts in the
 * next millisecond and ends within the first one's millisecond reads as its telling, which the times
 * alone cannot tell apart.
 */
function withinOnceUnrounded(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const [outerStart, outerEnd, innerStart, innerEnd] =
    aEnd - aStart >= bEnd - bStart ? [aStart, aEnd, bStart, bEnd] : [bStart, bEnd, aStart, aEnd];
  const late = innerStart - outerStart;
  return late > -NOISE_MS && late < 1 + NOISE_MS && innerEnd - outerEnd < 1 - NOISE_MS;
}

/** Of two tellings of one request, whether the first is the outer one: the longer, or on a tie the earlier. */
export function isOuterTelling(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const a = aEnd - aStart;
  const b = bEnd - bStart;
  return a > b || (a === b && aStart <= bStart);
}
