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
  /** Internal operations, shown only for a service with no entry spans (a job's own steps). */
  internal: OperationStatsJson[] | null;
}

/** Splits a service's operations (busiest first, as the server sends them) into the page's tables. */
export function operationSections(
  service: Pick<ServiceStatsJson, "basis">,
  operations: readonly OperationStatsJson[],
): OperationSections {
  return {
    entry: operations.filter((op) => op.group === "entry" && !op.nested),
    nested: operations.filter((op) => op.group === "entry" && op.nested),
    outgoing: operations.filter((op) => op.group === "outgoing"),
    internal: service.basis === "root" ? operations.filter((op) => op.group === "internal") : null,
  };
}

/** What a service's headline numbers are of, in words. */
export function basisNote(service: Pick<ServiceStatsJson, "basis" | "requestCount">): string {
  if (service.basis === "entry") return "requests: SERVER and CONSUMER spans, not those nested in another";
  if (service.requestCount === 0) return "nothing: no entry or root spans, only calls inside other services' traces";
  return "its root spans, as it has no entry spans";
}
