import { useState } from "preact/hooks";
import { formatCount } from "../lib/format";
import { lateSpansSummary } from "../lib/rejection-summary";
import { useLiveMessages } from "../state/live-context";
import { QuietNotice } from "./QuietNotice";

/**
 * A quiet line when spans arrived after retention had evicted their trace: the server drops them
 * so no fragment poses as the whole trace, and this says so, with the bound to raise. Dismissed
 * until the store is cleared.
 */
export function LateSpansNotice() {
  const [state, setState] = useState<{ lateSpans: number; maxSpans: number } | null>(null);
  const [dismissed, setDismissed] = useState(false);
  useLiveMessages((message) => {
    if (message.type !== "late-spans") return;
    setState(message);
    if (message.lateSpans === 0) setDismissed(false);
  });
  const summary = state === null ? null : lateSpansSummary(state.lateSpans);
  if (state === null || summary === null || dismissed) return null;
  const reason = `Their traces had already been evicted to keep at most ${formatCount(state.maxSpans)} spans; start with a larger --max-spans to keep them whole.`;
  return (
    <QuietNotice testId="late-spans-notice" summary={summary} onDismiss={() => setDismissed(true)}>
      <span class="rejection-reason" title={reason}>
        {reason}
      </span>
    </QuietNotice>
  );
}
