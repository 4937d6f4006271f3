import { byteSize } from "../../../src/domain/size-text";
import { formatCount } from "../lib/format";

/** What the notice knows of one upstream: the live `forwarding-drops` message's target. */
export interface ForwardingNoticeTarget {
  dropped: number;
  queueFull?: number;
  rejectedItems?: number;
  lastError: string | null;
}

/**
 * The notice's explanation after its summary: why batches were not forwarded, and where the data is
 * (and is not). Requests are forwarded as received, items rejected here included, so an upstream that
 * judges as this server does rejects those same items: "everything is still here" is said only when
 * nothing was rejected here (`rejectedHere`: spans, log records and data points this server rejected).
 */
export function forwardingNoticeText(
  targets: readonly ForwardingNoticeTarget[],
  rejectedHere: number,
  maxQueueBytes?: number,
): string {
  const dropped = targets.reduce((sum, target) => sum + target.dropped, 0);
  const queueFull = targets.reduce((sum, target) => sum + (target.queueFull ?? 0), 0);
  const rejected = targets.reduce((sum, target) => sum + (target.rejectedItems ?? 0), 0);
  const sentences: string[] = [];
  if (queueFull > 0) {
    const bound = maxQueueBytes === undefined ? "" : ` (its bound, ${byteSize(maxQueueBytes)} per upstream)`;
    const which =
      queueFull === dropped
        ? queueFull === 1
          ? "It was dropped"
          : "They were dropped, the oldest first,"
        : `${formatCount(queueFull)} of them were dropped`;
    // A queue fills while its upstream fails (its last error tells); without one, data came faster than it went.
    const failed = targets.some((target) => (target.queueFull ?? 0) > 0 && target.lastError !== null);
    const why = failed ? "while the upstream failed" : "as data came faster than it could be sent";
    sentences.push(`${which} because the forwarding queue was full${bound} ${why}.`);
  }
  if (dropped > 0) sentences.push("What this server kept of it is still here; the upstream's copy misses it.");
  if (rejected > 0) {
    sentences.push(
      rejectedHere > 0
        ? "Requests are forwarded as received, with the items rejected here, so the items the upstream rejected may be those: they are in neither place."
        : "The items the upstream rejected are still here; its copy misses them.",
    );
  }
  const lastError = targets.find((target) => target.lastError !== null)?.lastError;
  if (lastError) sentences.push(`Latest: ${lastError}`);
  return sentences.join(" ");
}
