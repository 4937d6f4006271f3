/**
 * search_spans' test of a span against a query of the search box that names span fields (`status=error`,
 * `kind=client`, `service=inventory`, `duration>300ms`, Jaeger's `error=true`), by the rule the
 * server's stores use (store/span-query.ts), over the spans of the traces the server listed for it.
 */
import { parseQuery, QueryError, type QueryNode } from "../domain/query.js";
import { searchTextOf } from "../domain/search.js";
import type { SpanJson } from "../protocol.js";
import { compileSpanQuery, type QueryableSpan } from "../store/span-query.js";

/** A span as the API sent it, as the query reads it (times as nanoseconds). */
function queryable(span: SpanJson): QueryableSpan {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    service: span.service,
    status: span.status,
    startTimeUnixNano: BigInt(span.startTimeUnixNano),
    endTimeUnixNano: BigInt(span.endTimeUnixNano),
    attributes: span.attributes,
    resource: span.resource,
    events: span.events.map((event) => ({ ...event, timeUnixNano: BigInt(event.timeUnixNano) })),
    scope: span.scope,
  };
}

/**
 * Whether a parsed query names a span field anywhere (status, kind, service, name, duration, an
 * attribute's presence or order, the tracer): words and attribute values alone, however combined,
 * stay the text search span-text.ts does, which says where each matched.
 */
function namesSpanFields(node: QueryNode): boolean {
  switch (node.type) {
    case "text":
      return false;
    case "attribute":
      return node.op !== "=" && node.op !== "~";
    case "and":
    case "or":
      return node.items.some(namesSpanFields);
    case "not":
      return namesSpanFields(node.item);
    default:
      return true;
  }
}

/**
 * The test of one span against `text` read as a query, when it names span fields (null for text the
 * search finds by itself, or that does not parse). `peer` terms, which depend on the other spans of a
 * trace, match no span alone.
 */
export function spanQueryMatcher(text: string): ((span: SpanJson) => boolean) | null {
  let node: QueryNode | undefined;
  try {
    node = parseQuery(text);
  } catch (error) {
    if (error instanceof QueryError) return null;
    throw error;
  }
  if (node === undefined || !namesSpanFields(node)) return null;
  const compiled = compileSpanQuery<QueryableSpan>(node, (span) =>
    searchTextOf(span.name, span.status.message, span.attributes, span.events),
  );
  return (span) => compiled.matchesSpan(queryable(span));
}
