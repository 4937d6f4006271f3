import { useState } from "preact/hooks";
import type { RejectionsJson } from "../../../src/protocol";
import { formatAbsolute, formatClock } from "../lib/format";
import { refusedRequestLabel, rejectionSummary } from "../lib/rejection-summary";
import { useLiveMessages } from "../state/live-context";
import { QuietNotice } from "./QuietNotice";

/**
 * A quiet line under the top bar when the server refused data (a malformed request, spans with
 * invalid ids): without it, data that never arrives looks like data that was never sent. Shows the
 * latest reason as the sender was told it and when (in the 24-hour clock the rest of the app writes),
 * then the request; one line at any width, the request cut short first, then the reason (both whole
 * in the reason's tooltip). Dismissed until something else is refused.
 */
export function RejectionNotice() {
  const [state, setState] = useState<RejectionsJson | null>(null);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  useLiveMessages((message) => {
    if (message.type === "rejections") setState(message);
  });
  const summary = state === null ? null : rejectionSummary(state);
  if (state === null || summary === null || state.last === null || state.last.at === dismissedAt) return null;
  const { last } = state;
  const at = Date.parse(last.at);
  const request = refusedRequestLabel(last);
  return (
    <QuietNotice testId="rejection-notice" summary={summary} onDismiss={() => setDismissedAt(last.at)}>
      <span class="rejection-reason" title={`${last.message} (${request}, ${formatAbsolute(at)})`}>
        Latest ({formatClock(at).slice(0, 8)}): {last.message}
      </span>{" "}
      <span class="faint rejection-detail">({request})</span>
    </QuietNotice>
  );
}
