import { useState } from "preact/hooks";
import type { LiveMessage } from "../../../src/protocol";
import { forwardingDropsSummary } from "../lib/rejection-summary";
import { useLiveMessages } from "../state/live-context";
import { QuietNotice } from "./QuietNotice";

type ForwardingDrops = Extract<LiveMessage, { type: "forwarding-drops" }>;

/**
 * A quiet line when `--forward` dropped data on its way upstream (the queue was full, the upstream
 * refused it, or the server stopped first) or the upstream rejected items of batches it took (partial
 * success): what this page shows is complete, the upstream's copy is not. Dismissed until more is lost.
 */
export function ForwardingNotice() {
  const [state, setState] = useState<ForwardingDrops | null>(null);
  const [dismissedAt, setDismissedAt] = useState(0);
  useLiveMessages((message) => {
    if (message.type === "forwarding-drops") setState(message);
  });
  const summary = state === null ? null : forwardingDropsSummary(state.targets);
  const total = state?.targets.reduce((sum, target) => sum + target.dropped + target.rejectedItems, 0) ?? 0;
  if (state === null || summary === null || total <= dismissedAt) return null;
  const lastError = state.targets.find((target) => target.lastError !== null)?.lastError;
  return (
    <QuietNotice testId="forwarding-notice" summary={summary} onDismiss={() => setDismissedAt(total)}>
      <span class="rejection-reason" title={lastError ?? undefined}>
        Everything is still here; the upstream's copy misses it.{lastError ? ` Latest: ${lastError}` : ""}
      </span>
    </QuietNotice>
  );
}
