import { useState } from "preact/hooks";
import type { RejectionsJson } from "../../../src/protocol";
import { refusedRequestLabel, rejectionSummary } from "../lib/rejection-summary";
import { useLiveMessages } from "../state/live-context";
import { QuietNotice } from "./QuietNotice";

/**
 * A quiet line under the top bar when the server refused data (a malformed request, spans with
 * invalid ids): without it, data that never arrives looks like data that was never sent. Shows the
 * latest reason as the sender was told it; dismissed until something else is refused.
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
  return (
    <QuietNotice testId="rejection-notice" summary={summary} onDismiss={() => setDismissedAt(last.at)}>
      <span class="rejection-reason" title={last.message}>
        Latest: {last.message}
      </span>{" "}
      <span class="faint">
        ({refusedRequestLabel(last)}, {new Date(last.at).toLocaleTimeString()})
      </span>
    </QuietNotice>
  );
}
