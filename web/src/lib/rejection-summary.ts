import type { RejectionsJson } from "../../../src/protocol";
import { formatCount } from "./format";

/** "3 spans rejected, 1 request refused", or null when nothing was. */
export function rejectionSummary(state: RejectionsJson): string | null {
  const parts: string[] = [];
  if (state.rejectedSpans > 0) {
    parts.push(`${formatCount(state.rejectedSpans)} ${state.rejectedSpans === 1 ? "span" : "spans"} rejected`);
  }
  if (state.rejectedRequests > 0) {
    parts.push(
      `${formatCount(state.rejectedRequests)} ${state.rejectedRequests === 1 ? "request" : "requests"} refused`,
    );
  }
  return parts.length === 0 ? null : parts.join(", ");
}
