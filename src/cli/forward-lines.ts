import { count } from "../domain/count-text.js";
import { byteSize } from "../domain/size-text.js";
import type { ForwardEvent } from "../forward/target.js";

function batches(n: number): string {
  return `${count(n)} ${n === 1 ? "batch" : "batches"}`;
}

/** Why batches were dropped, said of one batch or of several. */
const DROP_REASONS = {
  // Each drop takes the oldest batch queued then: one batch is "the oldest", several each were.
  queueFull: (one: boolean) => `${one ? "the oldest" : "each the oldest"} queued, as the forwarding queue was full`,
  rejected: (one: boolean) => `the upstream refused ${one ? "it" : "them"}`,
  shutdown: () => "still queued at stop",
} as const;

/**
 * What to do about a refusal, by its status. OTLP has the exporter drop a batch on any of these; only
 * the 4xx ones point at this side's settings: a 5xx other than 502, 503 and 504 (which are retried)
 * is the upstream failing on its side, where a different URL or key would not help.
 */
function refusalAdvice(status: number): string {
  if (status === 401 || status === 403) return "check any --forward-header (an API key?) and the URL";
  if (status === 404) return "check the URL (the upstream's OTLP/HTTP base URL, such as http://collector:4318)";
  if (status === 413) {
    return "the upstream takes smaller requests than these (batches are up to 1 MiB, a larger request alone): raise its request size limit";
  }
  if (status >= 500) return "the upstream failed on its side (its logs say why); the URL and headers are not the cause";
  return "check the URL and any --forward-header (an API key?)";
}

/** The CLI line for an event of `--forward` (drop events come already summarised, at most every 10 s). */
export function forwardEventLine(event: ForwardEvent): string {
  switch (event.type) {
    case "failing":
      return `  ! forwarding to ${event.url} failed (${event.message}); retrying with backoff, data waits in the queue`;
    case "rejecting":
      if (event.redirect !== undefined) {
        const { location, forward } = event.redirect;
        const where = location === "" ? `(${event.message})` : `to ${location}`;
        const fix = forward === "" ? "check the --forward URL" : `give --forward ${forward} instead`;
        return `  ! forwarding to ${event.url} is redirected ${where}; --forward does not follow redirects, so these batches are dropped: ${fix}`;
      }
      return `  ! forwarding to ${event.url} was refused (${event.message}); refused batches are dropped, not retried: ${refusalAdvice(event.status)}`;
    case "partial":
      return `  ! forwarding to ${event.url}: the upstream took a batch but rejected ${count(event.rejected)} of its items${event.message === "" ? "" : ` (${event.message})`}; they are not sent again (more such answers are counted in /api/health, forwarding.targets[].rejectedItems)`;
    case "recovered":
      return `  + forwarding to ${event.url} works again`;
    case "dropped":
      return `  ! forwarding to ${event.url}: dropped ${batches(event.batches)} (${byteSize(event.bytes)}; ${DROP_REASONS[event.reason](event.batches === 1)}: ${event.message})`;
  }
}

/** The line when stopping waits for the upstream: what it holds, for how long, and how not to wait. */
export function forwardFlushingLine(unsent: { batches: number; bytes: number; graceMs: number }): string {
  return `  forwarding: sending the ${batches(unsent.batches)} (${byteSize(unsent.bytes)}) not yet taken upstream, for up to ${unsent.graceMs / 1000} s; Ctrl+C again to stop now and drop ${unsent.batches === 1 ? "it" : "them"}`;
}

/**
 * The line when stopping left batches unsent, naming the upstream they were for (`targets`: those that
 * lost any; with several, what each lost).
 */
export function forwardStoppedLine(dropped: {
  batches: number;
  bytes: number;
  targets?: readonly { url: string; batches: number; bytes: number }[];
}): string {
  const targets = dropped.targets ?? [];
  const lost = `${batches(dropped.batches)} (${byteSize(dropped.bytes)}) not sent before stopping, dropped`;
  if (targets.length === 1) return `  ! forwarding to ${targets[0]?.url}: ${lost}`;
  if (targets.length === 0) return `  ! forwarding: ${lost}`;
  const each = targets.map((target) => `${count(target.batches)} (${byteSize(target.bytes)}) to ${target.url}`);
  return `  ! forwarding: ${lost}: ${each.join(", ")}`;
}
