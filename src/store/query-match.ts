import type { TraceQuery } from "./store.js";
import type { TraceBounds } from "./trace-blocks.js";
import type { TraceOperations } from "./trace-operations.js";

/** What the summary-level filters look at; a `TraceAggregate` has it too, so stores can filter before building a summary. */
export interface SummaryFilterFields {
  readonly services: readonly string[];
  readonly errorCount: number;
  readonly durationMs: number;
  readonly startTimeUnixNano: bigint;
  readonly rootName: string | null;
  readonly firstName: string;
}

/**
 * The filters that can be decided from a summary alone (service, errors, duration, start time, name).
 * `name` is text in the trace's name, or in the name of one of its entry operations as the Services
 * page lists them (`GET /items/:id` of a service called inside another's request, or of a root span
 * named by its path, `GET /items/5`): `operations` are the trace's (trace-operations.ts; null, past
 * MAX_TRACE_OPERATIONS, is its name alone), `entryNames` those of the store's entry operations that
 * hold the text (OperationStatsIndex.entryNamesHolding).
 */
export function summaryMatches(
  summary: SummaryFilterFields,
  query: TraceQuery,
  operations: TraceOperations = [],
  entryNames: ReadonlySet<string> = NO_NAMES,
): boolean {
  if (query.service !== undefined && !summary.services.includes(query.service)) return false;
  if (query.errorsOnly && summary.errorCount === 0) return false;
  if (query.okOnly && summary.errorCount !== 0) return false;
  if (query.minDurationMs !== undefined && summary.durationMs < query.minDurationMs) return false;
  if (query.maxDurationMs !== undefined && summary.durationMs > query.maxDurationMs) return false;
  if (query.sinceUnixNano !== undefined && summary.startTimeUnixNano < query.sinceUnixNano) return false;
  if (query.untilUnixNano !== undefined && summary.startTimeUnixNano > query.untilUnixNano) return false;
  if (query.name !== undefined) {
    const name = summary.rootName ?? summary.firstName;
    if (name.toLowerCase().includes(query.name.toLowerCase())) return true;
    return entryNames.size > 0 && operations !== null && operations.some((op) => entryNames.has(op));
  }
  return true;
}

const NO_NAMES: ReadonlySet<string> = new Set();

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
