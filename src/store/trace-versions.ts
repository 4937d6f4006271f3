/**
 * What Store.traceVersion answers: a number for each trace object the store keeps (a trace stored
 * anew after eviction or a clear is a new object, and gets a new number) with its span count. A
 * store only adds spans to a trace it keeps (a re-sent span is ignored), so while both stay the
 * same, so do the trace's spans.
 */
export function createTraceVersions<Trace extends object>(): (trace: Trace, spanCount: number) => string {
  const numbers = new WeakMap<Trace, number>();
  let next = 1;
  return (trace, spanCount) => {
    let number = numbers.get(trace);
    if (number === undefined) {
      number = next++;
      numbers.set(trace, number);
    }
    return `${number}.${spanCount}`;
  };
}
