import { useState } from "preact/hooks";
import type { LiveMessage, RejectionsJson } from "../../../src/protocol";
import { forwardingDropsSummary } from "../lib/rejection-summary";
import { useLiveMessages } from "../state/live-context";
import { forwardingNoticeText } from "./forwarding-notice-text";
import { QuietNotice } from "./QuietNotice";

type ForwardingDrops = Extract<LiveMessage, { type: "forwarding-drops" }>;

/**
 * A quiet line when `--forward` dropped data on its way upstream (the queue was full, the upstream
 * refused it, or the server stopped first) or the upstream rejected items of batches it took (partial
 * success), saying where the data is and is not (forwarding-notice-text.ts). Dismissed until more is lost.
 */
export function ForwardingNotice() {
  const [state, setState] = useState<ForwardingDrops | null>(null);
  const [rejectedHere, setRejectedHere] = useState(0);
  const [dismissedAt, setDismissedAt] = useState(0);
  useLiveMessages((message) => {
    if (message.type === "forwarding-drops") setState(message);
    else if (message.type === "rejections") setRejectedHere(itemsRejected(message));
  });
  const summary = state === null ? null : forwardingDropsSummary(state.targets);
  const total = state?.targets.reduce((sum, target) => sum + target.dropped + target.rejectedItems, 0) ?? 0;
  if (state === null || summary === null || total <= dismissedAt) return null;
  const lastError = state.targets.find((target) => target.lastError !== null)?.lastError;
  return (
    <QuietNotice testId="forwarding-notice" summary={summary} onDismiss={() => setDismissedAt(total)}>
      <span class="rejection-reason" title={lastError ?? undefined}>
        {forwardingNoticeText(state.targets, rejectedHere, state.maxQueueBytes)}
      </span>
    </QuietNotice>
  );
}

/** Items this server rejected from requests it took (requests refused whole are not forwarded). */
function itemsRejected(state: RejectionsJson): number {
  return state.rejectedSpans + state.rejectedLogRecords + state.rejectedDataPoints;
}
