import type { RejectionsJson } from "../../../src/protocol";
import { formatCount } from "./format";

function counted(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many} rejected`;
}

/** "3 spans rejected, 2 log records rejected, 1 request refused", or null when nothing was. */
export function rejectionSummary(state: RejectionsJson): string | null {
  const parts: string[] = [];
  if (state.rejectedSpans > 0) parts.push(counted(state.rejectedSpans, "span", "spans"));
  if (state.rejectedLogRecords > 0) parts.push(counted(state.rejectedLogRecords, "log record", "log records"));
  if (state.rejectedDataPoints > 0) parts.push(counted(state.rejectedDataPoints, "data point", "data points"));
  if (state.rejectedRequests > 0) {
    parts.push(
      `${formatCount(state.rejectedRequests)} ${state.rejectedRequests === 1 ? "request" : "requests"} refused`,
    );
  }
  return parts.length === 0 ? null : parts.join(", ");
}

/** "1,204 late spans of evicted traces dropped", or null when none were. */
export function lateSpansSummary(lateSpans: number): string | null {
  if (lateSpans <= 0) return null;
  return `${formatCount(lateSpans)} late ${lateSpans === 1 ? "span" : "spans"} of evicted traces dropped`;
}
