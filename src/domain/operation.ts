import { isOuterTelling, tellSameRequest } from "./same-request.js";
import { peerName, peerOf } from "./service-map.js";
import type { Span, SpanKind } from "./span.js";
import { bareHttpMethod, ID_PLACEHOLDER, routeNameOf, routeSourceOf } from "./trace-name.js";

/**
 * What a span does for its service, for per-operation statistics:
 * - `entry`: work the service was asked to do (SERVER and CONSUMER spans): its requests;
 * - `outgoing`: calls it makes (CLIENT and PRODUCER spans) to a database, cache, queue or service;
 * - `internal`: everything else (INTERNAL and UNSPECIFIED spans).
 */
export type OperationGroup = "entry" | "outgoing" | "internal";

export function operationGroupOf(kind: SpanKind): OperationGroup {
  if (kind === "SERVER" || kind === "CONSUMER") return "entry";
  if (kind === "CLIENT" || kind === "PRODUCER") return "outgoing";
  return "internal";
}

/** What finding nested entry spans reads of a span. */
export type NestingSpan = Pick<
  Span,
  "traceId" | "spanId" | "parentSpanId" | "kind" | "service" | "startTimeUnixNano" | "endTimeUnixNano"
>;

/** Start and end in milliseconds (fractions kept), for tellSameRequest. */
function timesOf(span: NestingSpan): [number, number] {
  return [Number(span.startTimeUnixNano) / 1e6, Number(span.endTimeUnixNano) / 1e6];
}

/**
 * The entry spans (SERVER, CONSUMER) among `spans` whose parent, also among them, is an entry span
 * of the same service: a framework's own span inside the HTTP instrumentation's span of the same
 * request (the TraceKit Node SDK's Express middleware does this), or two instrumentations on one
 * server; and of two SERVER spans of a service with the same parent from elsewhere over the same time
 * (tellSameRequest), the inner one. The request is the outer span; counting both would count it
 * twice. Decided from the spans given (one insert's; renestedEntrySpans tells a trace's apart again when
 * more come). Null when there are none (the common case, without allocating).
 */
export function nestedEntrySpans<S extends NestingSpan>(spans: readonly S[]): Set<S> | null {
  let withParent = 0;
  let entries = 0;
  for (const span of spans) {
    if (!isEntrySpan(span)) continue;
    entries++;
    if (span.parentSpanId !== null) withParent++;
  }
  if (withParent === 0 || entries < 2) return null;
  // Keyed by trace and span id: span ids are unique within a trace only. A span given twice is the
  // first one, which the stores keep (the later copy is refused as sent again).
  const byId = new Map<string, S>();
  for (const span of spans) {
    if (!isEntrySpan(span)) continue;
    const key = span.traceId + span.spanId;
    if (!byId.has(key)) byId.set(key, span);
  }
  let nested: Set<S> | null = null;
  /** The requests (outer SERVER spans) so far per trace, parent from elsewhere, and service (see below). */
  let siblings: Map<string, S[]> | null = null;
  for (const span of byId.values()) {
    if (span.parentSpanId === null) continue;
    const parent = byId.get(span.traceId + span.parentSpanId);
    if (parent === undefined || parent.service !== span.service) {
      // Two SERVER spans of one service under the same caller over the same time: one request told
      // twice (tellSameRequest). The outer one is the request; two requests one after the other stay two.
      if (span.kind !== "SERVER") continue;
      siblings ??= new Map();
      const key = `${span.traceId}\u0000${span.parentSpanId}\u0000${span.service}`;
      const requests = siblings.get(key);
      if (requests === undefined) {
        siblings.set(key, [span]);
        continue;
      }
      const [bStart, bEnd] = timesOf(span);
      const same = requests.findIndex((other) => {
        const [aStart, aEnd] = timesOf(other);
        return tellSameRequest(aStart, aEnd, bStart, bEnd);
      });
      const other = requests[same];
      if (other === undefined) {
        requests.push(span);
        continue;
      }
      nested ??= new Set();
      const [aStart, aEnd] = timesOf(other);
      if (isOuterTelling(aStart, aEnd, bStart, bEnd)) {
        nested.add(span);
      } else {
        nested.add(other);
        requests[same] = span;
      }
      continue;
    }
    nested ??= new Set();
    nested.add(span);
  }
  return nested;
}

/**
 * The entry spans of one trace whose telling changes when `added` join its `stored` ones: a parent,
 * or another telling of the request, came in another insert than the span (a batch boundary, a
 * span processor that sends each span alone, spans sent again after a restart). `stored` are told
 * apart as nestedEntrySpans tells them together; of `added`, those in `addedNested` were counted
 * nested. Each changed span maps to whether it is nested now; null when none changes.
 */
export function renestedEntrySpans<S extends NestingSpan>(
  stored: readonly S[],
  added: readonly S[],
  addedNested: ReadonlySet<S> | null,
): Map<S, boolean> | null {
  const storedNested = nestedEntrySpans(stored);
  const all = [...stored, ...added];
  const now = nestedEntrySpans(all);
  let changed: Map<S, boolean> | null = null;
  for (const span of all) {
    const was = (storedNested?.has(span) ?? false) || (addedNested?.has(span) ?? false);
    const is = now?.has(span) ?? false;
    if (was !== is) {
      changed ??= new Map();
      changed.set(span, is);
    }
  }
  return changed;
}

/** Whether a span is an entry span (SERVER, CONSUMER): what nestedEntrySpans tells apart. */
export function isEntrySpan(span: Pick<Span, "kind">): boolean {
  return span.kind === "SERVER" || span.kind === "CONSUMER";
}

/** What naming an operation reads of a span. */
export type OperationSpan = Pick<Span, "kind" | "name" | "attributes">;

export interface Operation {
  group: OperationGroup;
  kind: SpanKind;
  /** `GET /users/:id` for an HTTP server span with a route, `GET payments` for a bare HTTP call; else the span's name. */
  name: string;
  /** For outgoing calls: who is called (service-map.ts's rules: `postgresql shop`, `payments`, `openai`); else null. */
  peer: string | null;
}

/**
 * The operation a span belongs to. Entry spans are grouped by route (routeNameOf: `http.route`, else
 * the request's path, its ids templated); outgoing calls by name and peer, a bare HTTP method
 * becoming method plus peer; others by name.
 */
export function operationOf(span: OperationSpan): Operation {
  const group = operationGroupOf(span.kind);
  if (group === "entry") return { group, kind: span.kind, name: routeNameOf(span.name, span.attributes), peer: null };
  if (group === "internal") return { group, kind: span.kind, name: span.name, peer: null };
  const peer = peerNameOf(span);
  const method = bareHttpMethod(span.name, span.attributes);
  const name = method !== undefined && peer !== null ? `${method} ${peer}` : span.name;
  return { group, kind: span.kind, name, peer };
}

/** Who an outgoing span calls, by name (service-map.ts's rules), or null. */
export function peerNameOf(span: OperationSpan): string | null {
  // peerOf reads only the attributes.
  const peer = peerOf(span as Span);
  return peer === null ? null : peerName(peer);
}

/** A value as a quoted query-language value (domain/query.ts escapes). */
export function quoteQueryValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

/**
 * A query (the trace list's language) for traces with a span of this operation, written from one of
 * its spans: the service, the kind and the span's own name, plus the route or the peer when the
 * operation's name was made from them.
 */
export function operationQuery(service: string, span: OperationSpan, operation: Operation): string {
  const terms = [`service=${quoteQueryValue(service)}`];
  if (span.kind !== "UNSPECIFIED") terms.push(`kind=${span.kind.toLowerCase()}`);
  if (operation.name === span.name) {
    terms.push(`name=${quoteQueryValue(span.name)}`);
  } else if (operation.group === "entry") {
    if (bareHttpMethod(span.name, span.attributes) !== undefined) {
      terms.push(`name=${quoteQueryValue(span.name)}`, ...routeTerms(span.attributes));
    } else {
      // A method-and-path name whose ids were templated: the name holds the route's fixed parts.
      for (const part of fixedParts(operation.name)) terms.push(`name~${quoteQueryValue(part)}`);
    }
  } else {
    terms.push(`name=${quoteQueryValue(span.name)}`);
    if (operation.peer !== null) terms.push(quoteQueryValue(operation.peer));
  }
  return terms.join(" ");
}

/**
 * A query for the traces holding one of a service's failed requests, as the Services page counts
 * them: an entry span (SERVER, CONSUMER) of the service with status ERROR. The "errors only" filter
 * would also list traces where only another span failed (a middleware span on a 404, a downstream
 * service), more than the page's count.
 */
export function failedRequestsQuery(service: string): string {
  return `service=${quoteQueryValue(service)} status=error (kind=server | kind=consumer)`;
}

/** The parts of a templated route between its `:id`s ("GET /users/:id/orders" → "GET /users/", "/orders"). */
function fixedParts(route: string): string[] {
  return route.split(ID_PLACEHOLDER).filter((part) => part !== "");
}

/** Terms for the route a span's operation was named by: equal to it, or holding its fixed parts when templated. */
function routeTerms(attributes: OperationSpan["attributes"]): string[] {
  const source = routeSourceOf(attributes);
  if (source === undefined) return [];
  const exact = source.key === "http.route" || source.key === "url.path" || source.key === "http.target";
  if (exact && source.route === source.value) return [`${source.key}=${quoteQueryValue(source.value)}`];
  return fixedParts(source.route).map((part) => `${source.key}~${quoteQueryValue(part)}`);
}
