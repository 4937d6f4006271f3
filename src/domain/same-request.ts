/**
 * Whether two SERVER spans of one service under the same caller are one request told twice: each of two
 * instrumentations (HTTP and a framework's, such as the TraceKit Node SDK's Express middleware) took the
 * caller's context from the request. They then run over the same time, give or take the moments between
 * the layers (the inner one may start a millisecond late and end a little after the outer one); two
 * requests under one call (a retry) follow each other. Times in unix milliseconds (fractions kept):
 * they overlap for at least 90% of the shorter one, or both last nothing and start together, or both
 * start on a whole millisecond and the shorter could lie within the longer but for that rounding.
 */
export function tellSameRequest(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart);
  if (!(shorter > 0)) return aStart === bStart;
  const overlap = Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
  if (overlap >= 0.9 * shorter) return true;
  return onWholeMillisecond(aStart) && onWholeMillisecond(bStart) && withinOnceUnrounded(aStart, aEnd, bStart, bEnd);
}

/**
 * Whether a start (in ms) is on a whole millisecond, to within a microsecond (an SDK's nanoseconds
 * written as a float are a few hundred nanoseconds off): as OpenTelemetry JS 1.x starts its spans, on
 * the clock's millisecond, while it times their durations to the nanosecond.
 */
function onWholeMillisecond(ms: number): boolean {
  const fraction = ms - Math.floor(ms);
  return fraction < 0.001 || fraction > 0.999;
}

/**
 * Whether the shorter of two spans, each started on a whole millisecond, could lie within the longer
 * once each start is read as anywhere in its millisecond (its end moving with it): the inner telling
 * of a request of a millisecond or two, begun in the next millisecond, seems to end up to a
 * millisecond after the outer one and overlaps it by far less than 90%. Two requests one after the
 * other are never both within a millisecond of each other's start and end.
 */
function withinOnceUnrounded(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const [outerStart, outerEnd, innerStart, innerEnd] =
    aEnd - aStart >= bEnd - bStart ? [aStart, aEnd, bStart, bEnd] : [bStart, bEnd, aStart, aEnd];
  return innerStart - outerStart > -1 && innerEnd - outerEnd < 1;
}

/** Of two tellings of one request, whether the first is the outer one: the longer, or on a tie the earlier. */
export function isOuterTelling(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const a = aEnd - aStart;
  const b = bEnd - bStart;
  return a > b || (a === b && aStart <= bStart);
}
