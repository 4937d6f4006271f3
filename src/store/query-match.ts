import type { TraceQuery } from "./store.js";
import type { TraceBounds } from "./trace-blocks.js";

/** What the summary-level filters look at; a `TraceAggregate` has it too, so stores can filter before building a summary. */
export interface SummaryFilterFields {
  readonly services: readonly string[];
  readonly errorCount: number;
  readonly durationMs: number;
  readonly startTimeUnixNano: bigint;
  readonly rootName: string | null;
  readonly firstName: string;
}

/** The filters that can be decided from a summary alone (service, errors, duration, start time, name). */
export function summaryMatches(summary: SummaryFilterFields, query: TraceQuery): boolean {
  if (query.service !== undefined && !summary.services.includes(query.service)) return false;
  if (query.errorsOnly && summary.errorCount === 0) return false;
  if (query.okOnly && summary.errorCount !== 0) return false;
  if (query.minDurationMs !== undefined && summary.durationMs < query.minDurationMs) return false;
  if (query.maxDurationMs !== undefined && summary.durationMs > query.maxDurationMs) return false;
  if (query.sinceUnixNano !== undefined && summary.startTimeUnixNano < query.sinceUnixNano) return false;
  if (query.untilUnixNano !== undefined && summary.startTimeUnixNano > query.untilUnixNano) return false;
  if (query.name !== undefined) {
    const name = summary.rootName ?? summary.firstName;
    if (!name.toLowerCase().includes(query.name.toLowerCase())) return false;
  }
  return true;
}

/**
 * False when no trace that `bounds` covers (see trace-blocks.ts) can pass the summary filters: the
 * union of their services, their errors, their longest duration.
 */
export function boundsMayMatch(bounds: TraceBounds, query: TraceQuery): boolean {
  if (query.service !== undefined && !bounds.services.includes(query.service)) return false;
  if (query.errorsOnly && bounds.errorCount === 0) return false;
  if (query.minDurationMs !== undefined && bounds.durationMs < query.minDurationMs) return false;
  return true;
}
