/** Snapshots inside one trace, for the trace view's marks and span details. Pure. */
import type { SnapshotSummaryJson } from "../../../../src/protocol";

/** The snapshots of each span, in the server's order (oldest first: the order they were taken in). */
export function snapshotsBySpan(
  snapshots: readonly SnapshotSummaryJson[] | undefined,
): Map<string, SnapshotSummaryJson[]> {
  const bySpan = new Map<string, SnapshotSummaryJson[]>();
  for (const snapshot of snapshots ?? []) {
    if (snapshot.spanId === null) continue;
    const spanId = snapshot.spanId.toLowerCase();
    const list = bySpan.get(spanId);
    if (list) list.push(snapshot);
    else bySpan.set(spanId, [snapshot]);
  }
  return bySpan;
}

/** The link to a snapshot's span in the trace view. */
export function spanLink(traceId: string, spanId: string | null): string {
  return spanId === null ? `/traces/${traceId}` : `/traces/${traceId}?span=${spanId}`;
}

/** The first `max` variable names, and how many more there are. */
export function topVariables(names: readonly string[], max = 5): { names: string[]; more: number } {
  return { names: names.slice(0, max), more: Math.max(0, names.length - max) };
}
