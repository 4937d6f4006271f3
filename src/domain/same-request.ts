/**
 * Whether two SERVER spans of one service under the same caller are one request told twice: each of two
 * instrumentations (HTTP and a framework's, such as the TraceKit Node SDK's Express middleware) took the
 * caller's context from the request. They then run over the same time, give or take the moments between
 * the layers (the inner one may start a millisecond late and end a little after the outer one); two
 * requests under one call (a retry) follow each other. Times in any one unit: they overlap for at
 * least 90% of the shorter one, or both last nothing and start together.
 */
export function tellSameRequest(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart);
  if (!(shorter > 0)) return aStart === bStart;
  const overlap = Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
  return overlap >= 0.9 * shorter;
}

/** Of two tellings of one request, whether the first is the outer one: the longer, or on a tie the earlier. */
export function isOuterTelling(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const a = aEnd - aStart;
  const b = bEnd - bStart;
  return a > b || (a === b && aStart <= bStart);
}
