import type { OperationStatsJson, ServiceStatsJson } from "../../../../src/protocol";

/**
 * The trace list's `since` for the page's window (unix ms; undefined for everything stored): the start
 * of the window's first minute, as the page counts each span in the minute it started, so the list
 * holds the traces the numbers were taken from rather than every stored one.
 */
export function windowListSince(since: number | undefined): number | undefined {
  return since === undefined ? undefined : Math.floor(since / 60_000) * 60_000;
}

/**
 * The trace list for one operation's traces, slowest first: its service as the list's filter, the
 * operation's query (service, kind and `operation=` its name), sorted by duration, and the page's
 * window (`since`, unix ms; undefined for everything stored).
 */
export function operationTracesHref(
  service: string,
  operation: Pick<OperationStatsJson, "query">,
  since?: number,
): string {
  const params = new URLSearchParams({ service, q: operation.query, sort: "duration" });
  const from = windowListSince(since);
  if (from !== undefined) params.set("since", String(from));
  return `/?${params.toString()}`;
}

export interface OperationSections {
  /** SERVER and CONSUMER operations: what the service is asked to do. */
  entry: OperationStatsJson[];
  /**
   * Entry operations nested in the service's own requests (a framework's span inside the HTTP
   * server's): the same requests told again, shown apart so the requests are listed once.
   */
  nested: OperationStatsJson[];
  /** CLIENT and PRODUCER calls it makes. */
  outgoing: OperationStatsJson[];
  /**
   * Internal operations (INTERNAL spans: work inside the service, such as a slow computation that
   * makes its requests slow): for a service without entry spans every one, busiest first, as they are
   * its own operations (a job's steps); beside entry spans the INTERNAL_SHOWN that take the most time.
   */
  internal: OperationStatsJson[];
  /** The internal operations past INTERNAL_SHOWN of a service with entry spans, folded away (most time first). */
  moreInternal: OperationStatsJson[];
  /** Whether the internal operations are the service's own (no entry spans): listed first, whole. */
  ownInternal: boolean;
}

/**
 * Internal operations listed open beside a service's requests: a service whose code makes a span per
 * function can have hundreds, which would push its requests and calls far apart.
 */
export const INTERNAL_SHOWN = 10;

/** Splits a service's operations (busiest first, as the server sends them) into the page's tables. */
export function operationSections(
  service: Pick<ServiceStatsJson, "basis">,
  operations: readonly OperationStatsJson[],
): OperationSections {
  const ownInternal = service.basis === "root";
  const internal = operations.filter((op) => op.group === "internal");
  // Beside requests, a framework's internal spans (Express's middleware) come once a request each, as
  // often as the slow computation that makes the requests slow: busiest first would rank them by name.
  if (!ownInternal) internal.sort((a, b) => timeSpentMs(b) - timeSpentMs(a) || b.count - a.count);
  return {
    entry: operations.filter((op) => op.group === "entry" && !op.nested),
    nested: operations.filter((op) => op.group === "entry" && op.nested),
    outgoing: operations.filter((op) => op.group === "outgoing"),
    internal: ownInternal ? internal : internal.slice(0, INTERNAL_SHOWN),
    moreInternal: ownInternal ? [] : internal.slice(INTERNAL_SHOWN),
    ownInternal,
  };
}

/** About the time an operation's spans took in the window: their count times their median. */
function timeSpentMs(op: Pick<OperationStatsJson, "count" | "p50Ms">): number {
  return op.count * op.p50Ms;
}

/** What a service's headline numbers are of, in words. */
export function basisNote(service: Pick<ServiceStatsJson, "basis" | "requestCount">): string {
  if (service.basis === "entry") return "requests: SERVER and CONSUMER spans, not those nested in another";
  if (service.requestCount === 0) return "nothing: no entry or root spans, only calls inside other services' traces";
  return "its root spans, as it has no entry spans";
}
