import type { Span } from "../domain/span.js";
import type { Store, TraceQuery } from "../store/store.js";

/** Traces read per answer by the views that look at whole traces (LLM calls, the service map). */
export const MAX_TRACES_READ = 2_000;

/**
 * The newest traces that match `query`, whole, at most `max` of them; `truncated` when more
 * matched. Pages through the store's list (each call bounded by its time budget).
 */
export function readTraces(
  store: Store,
  query: Omit<TraceQuery, "limit" | "cursor">,
  max = MAX_TRACES_READ,
): { traces: Span[][]; truncated: boolean } {
  const traces: Span[][] = [];
  const page: TraceQuery = { ...query, limit: Math.min(500, max) };
  for (;;) {
    const { traces: summaries, nextCursor } = store.listTraces(page);
    for (const summary of summaries) {
      if (traces.length === max) return { traces, truncated: true };
      const spans = store.getTrace(summary.traceId);
      if (spans !== undefined) traces.push(spans);
    }
    if (nextCursor === undefined) return { traces, truncated: false };
    page.cursor = nextCursor;
  }
}
