/**
 * A search that is an id rather than a query: the trace list's search box opens the trace a pasted
 * trace id names instead of searching for it (the query language reads span fields and attribute
 * values, not ids, so such a search lists nothing), and the other ways in (MCP, `export -q`) read it
 * the same. Pure.
 */
import { normalizeSpanId, normalizeTraceId } from "./ids.js";

/** What an id search names: a trace (a W3C `traceparent` names one of its spans too), or a span alone. */
export type QueryId = { traceId: string; spanId?: string } | { traceId?: undefined; spanId: string };

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/i;
const TRACE_ID = /^(?:(?:trace_id|traceid|trace\.id)\s*=\s*)?("?)([0-9a-f]{32})\1$/i;
const SPAN_ID = /^(?:(?:span_id|spanid|span\.id)\s*=\s*)?("?)([0-9a-f]{16})\1$/i;

/**
 * The id `q` is, as the search box reads one: a trace id (any case, quoted, or as `trace_id=`,
 * `traceId=` or `trace.id=`, as log lines print it), a `traceparent` value (`00-<trace id>-<span
 * id>-01`), or a span id (16 hex digits, the same ways, `span_id=`); ids lower-cased, never all zero.
 * Null for any other search.
 */
export function idOfQuery(q: string): QueryId | null {
  const text = q.trim();
  const parent = TRACEPARENT.exec(text);
  if (parent) {
    const traceId = normalizeTraceId(parent[1] as string);
    const spanId = normalizeSpanId(parent[2] as string);
    if (traceId !== null) return spanId === null ? { traceId } : { traceId, spanId };
  }
  const trace = TRACE_ID.exec(text);
  const traceId = trace ? normalizeTraceId(trace[2] as string) : null;
  if (traceId !== null) return { traceId };
  const span = SPAN_ID.exec(text);
  const spanId = span ? normalizeSpanId(span[2] as string) : null;
  return spanId === null ? null : { spanId };
}
