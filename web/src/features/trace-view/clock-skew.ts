/**
 * Spans whose times cannot be right against their parent's: a span of another service that starts
 * before its parent, or a SERVER span that starts after its CLIENT parent ended or ends after it.
 * Each service stamps its spans with its own machine's clock, so the likely cause is that the two
 * clocks differ (a host 3 h ahead draws its spans 3 h after the call that made them). The waterfall
 * and the details say so, as they do for a missing parent; the times stay as sent. Pure.
 */

import { formatDuration, formatDurationExact } from "../../../../src/domain/duration-text";
import type { WaterfallNode } from "./waterfall-model";

export type ClockSkew =
  /** Starts `ms` before its parent starts. */
  | { kind: "starts-before"; ms: number }
  /** A SERVER span starting `ms` after its CLIENT parent ended. */
  | { kind: "starts-after-end"; ms: number }
  /** A SERVER span ending `ms` after its CLIENT parent ended. */
  | { kind: "ends-after"; ms: number };

/**
 * How far a SERVER span may end after its CLIENT parent before the two clocks read as different. On
 * one machine (one clock) the server's span often ends a little after the call that got its answer:
 * its HTTP instrumentation ends it when the answer's last bytes are handed over, a turn of the
 * server's event loop later (a few ms under load), and OpenTelemetry JS 1.x starts a span on a whole
 * millisecond (its times can read up to 1 ms early, the parent's not as much).
 */
const ENDS_AFTER_SLACK_MS = 5;
/**
 * How far a SERVER span may start after its CLIENT parent ended, and a span before its parent: the
 * millisecond starts above (a Node SDK's server span under a Go or Python client that reads 0.3 ms
 * before the call began).
 */
const MILLISECOND_START_SLACK_MS = 1;

/** What is wrong with the node's times against its parent's, when the two are different services. */
export function clockSkewOf(node: WaterfallNode): ClockSkew | null {
  const parent = node.parent;
  if (parent === null || parent.span.service === node.span.service) return null;
  // A span without a start has no time to disagree with.
  if (node.startUnset || parent.startUnset) return null;
  const startsBefore = parent.offsetMs - node.offsetMs;
  if (startsBefore > MILLISECOND_START_SLACK_MS) return { kind: "starts-before", ms: startsBefore };
  if (parent.span.kind !== "CLIENT" || node.span.kind !== "SERVER") return null;
  const parentEnd = parent.offsetMs + parent.durationMs;
  const startsAfterEnd = node.offsetMs - parentEnd;
  if (startsAfterEnd > MILLISECOND_START_SLACK_MS) return { kind: "starts-after-end", ms: startsAfterEnd };
  const endsAfter = node.offsetMs + node.durationMs - parentEnd;
  if (endsAfter > ENDS_AFTER_SLACK_MS) return { kind: "ends-after", ms: endsAfter };
  return null;
}

/** The badge on the row: short, with the offset rounded (the title and the details give it exactly). */
export function clockSkewBadge(skew: ClockSkew): string {
  return `clock skew? ${skew.kind === "starts-before" ? "−" : "+"}${formatDuration(skew.ms)}`;
}

/** The plain explanation, naming the parent's service. */
export function clockSkewText(skew: ClockSkew, parentService: string): string {
  const offset = formatDurationExact(skew.ms);
  const what =
    skew.kind === "starts-before"
      ? `Starts ${offset} before its parent (${parentService}) starts`
      : skew.kind === "starts-after-end"
        ? `Starts ${offset} after its calling span (${parentService}) ended`
        : `Ends ${offset} after its calling span (${parentService}) ended`;
  return `${what}: the two services' clocks may differ. Times are shown as each service sent them.`;
}
