/**
 * Marks on the browser's performance timeline for the steps of opening a trace (its answer's last
 * byte read, which is parsed as it arrives; the answer made spans; the spans made a tree), so a profile
 * or bench/trace-page.mjs can tell where the time goes. Each name
 * holds only its latest mark: a trace refreshed by live updates does not pile them up.
 */
export type TraceStep = "trace-answer" | "trace-parsed" | "trace-tree";

export function markTraceStep(step: TraceStep): void {
  const name = `tracekit:${step}`;
  performance.clearMarks(name);
  performance.mark(name);
}
