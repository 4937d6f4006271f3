import { isOuterTelling, tellSameRequest } from "./same-request.js";
import { type CallSpan, calledPeerOf, peerName, peerOf } from "./service-map.js";
import type { Span, SpanKind } from "./span.js";
import { bareHttpMethod, ID_PLACEHOLDER, routeNameOf } from "./trace-name.js";

/**
 * What a span does for its service, for per-operation statistics:
 * - `entry`: work the service was asked to do (SERVER and CONSUMER spans): its requests;
 * - `outgoing`: calls it makes (CLIENT and PRODUCER spans, and a TraceKit SDK's INTERNAL span naming
 *   a database, cache, queue or LLM: the service map's rule, calledPeerOf) to a database, cache, queue
 *   or service;
 * - `internal`: everything else (other INTERNAL and UNSPECIFIED spans).
 */
export type OperationGroup = "entry" | "outgoing" | "internal";

export function operationGroupOf(span: CallSpan): OperationGroup {
  const kind = span.kind;
  if (kind === "SERVER" || kind === "CONSUMER") return "entry";
  if (kind === "CLIENT" || kind === "PRODUCER" || calledPeerOf(span) !== null) return "outgoing";
  return "internal";
}

/**
 * The group of an operation as a file keeps it (kind and peer, see operationOf): an INTERNAL one with
 * a peer is a TraceKit SDK's call; an "(other operations)" row of calls is never INTERNAL (see
 * OperationStatsIndex's overflow rows).
 */
export function groupOfStoredOperation(kind: SpanKind, peer: string | null): OperationGroup {
  if (kind === "SERVER" || kind === "CONSUMER") return "entry";
  if (kind === "CLIENT" || kind === "PRODUCER" || (kind === "INTERNAL" && peer !== null)) return "outgoing";
  return "internal";
}

/** What finding nested entry spans reads of a span. */
export type NestingSpan = Pick<
  Span,
  "traceId" | "spanId" | "parentSpanId" | "kind" | "service" | "startTimeUnixNano" | "endTimeUnixNano" | "status"
>;

/** Start and end in milliseconds (fractions kept), for tellSameRequest. */
function timesOf(span: NestingSpan): [number, number] {
  return [Number(span.startTimeUnixNano) / 1e6, Number(span.endTimeUnixNano) / 1e6];
}

/**
 * A request told more than once (see nestedEntrySpans): its outer span is counted as the request, the
 * others are `nested`. The request failed when any of its tellings did: `failedInside` holds the
 * requests whose own span did not fail (the HTTP instrumentation leaves a 4xx unset) while a telling
 * nested in them did (the TraceKit Node SDK's middleware span of a handler that threw).
 */
export interface EntryTellings<S> {
  nested: ReadonlySet<S>;
  failedInside: ReadonlySet<S>;
}

/**
 * The entry spans (SERVER, CONSUMER) among `spans` whose parent, also among them, is an entry span
 * of the same service: a framework's own span inside the HTTP instrumentation's span of the same
 * request (the TraceKit Node SDK's Express middleware does this), or two instrumentations on one
 * server; and of two SERVER spans of a service with the same parent from elsewhere over the same time
 * (tellSameRequest), the inner one. The request is the outer span; counting both would count it
 * twice. Decided from the spans given (one insert's; a trace's EntryNesting tells its spans apart again
 * when more come). Null when there are none (the common case, without allocating).
 */
export function nestedEntrySpans<S extends NestingSpan>(spans: readonly S[]): Set<S> | null {
  return entryTellings(spans)?.nested ?? null;
}

/** nestedEntrySpans, and of the requests, those that failed in a nested telling only (see EntryTellings). */
export function entryTellings<S extends NestingSpan>(
  spans: readonly S[],
): { nested: Set<S>; failedInside: Set<S> } | null {
  let withParent = 0;
  let entries = 0;
  for (const span of spans) {
    if (!isEntrySpan(span)) continue;
    entries++;
    if (span.parentSpanId !== null) withParent++;
  }
  if (withParent === 0 || entries < 2) return null;
  const byTrace = new Map<string, S[]>();
  for (const span of spans) {
    if (!isEntrySpan(span)) continue;
    const traceSpans = byTrace.get(span.traceId);
    if (traceSpans === undefined) byTrace.set(span.traceId, [span]);
    else traceSpans.push(span);
  }
  let tellings: { nested: Set<S>; failedInside: Set<S> } | null = null;
  for (const traceSpans of byTrace.values()) {
    const changes = new EntryNesting<S>().add(traceSpans, null);
    if (changes === null) continue;
    tellings ??= { nested: new Set(), failedInside: new Set() };
    for (const span of changes.nested.keys()) tellings.nested.add(span);
    for (const span of changes.failedInside.keys()) tellings.failedInside.add(span);
  }
  return tellings;
}

/** How an EntryNesting.add changed the tellings: each span whose nesting, or whose request's failure inside, changed. */
export interface TellingChanges<S> {
  /** Whether nested now. */
  nested: Map<S, boolean>;
  /** Whether a request that failed inside now (see EntryTellings). */
  failedInside: Map<S, boolean>;
}

/**
 * One trace's entry spans told apart (see nestedEntrySpans) as they arrive, insert after insert, with
 * work in proportion to what an insert adds: telling all of a trace's entry spans apart again at every
 * insert cost a request of 20,000 SERVER spans, stored in slices, seconds of work (a minute at 60,000).
 *
 * Spans are told apart in the order they were added, as nestedEntrySpans tells them given all at once.
 * A span whose parent is not here yet waits under its parent's id; when the parent comes with the
 * same service it is nested. A SERVER span whose parent is missing or of another service joins the
 * other tellings under that parent and service; when that parent comes with that service every one of
 * them is nested in it, so no telling is ever undone.
 *
 * The tellings of one request are kept together (a span nested in another joins its request), with
 * whether any of them failed: the request failed inside when one did and its own span did not.
 */
export class EntryNesting<S extends NestingSpan> {
  /** The entry spans by span id (a span given twice is the first one: the stores refuse the later copy). */
  private readonly byId = new Map<string, S>();
  /** Entry spans by their parent's id while that parent is not among them. */
  private readonly waiting = new Map<string, S[]>();
  /** Per parent and service, the requests (outer SERVER spans) told so far under a parent from elsewhere. */
  private readonly requests = new Map<string, S[]>();
  private readonly nested = new Set<S>();
  /** Each telling joined to another: the one that stands for its request (followed to the end, see requestOf). */
  private readonly joined = new Map<S, S>();
  /** The requests (the ends of `joined`) of which some telling failed. */
  private readonly failing = new Set<S>();

  /**
   * Adds a trace's entry spans; of them, those in `addedTellings` were counted nested or failed
   * inside. Each span whose telling changes (an added one against `addedTellings`, a stored one
   * against how it was told) is in the changes with how it is told now; null when none changes.
   */
  add(added: readonly S[], addedTellings: EntryTellings<S> | null): TellingChanges<S> | null {
    /** How the spans this call looks at were told before it: nested, and failed inside. */
    const was = new Map<S, boolean>();
    const failedWas = new Map<S, boolean>();
    const fresh: S[] = [];
    for (const span of added) {
      was.set(span, addedTellings?.nested.has(span) ?? false);
      if (this.byId.has(span.spanId)) continue;
      failedWas.set(span, addedTellings?.failedInside.has(span) ?? false);
      this.byId.set(span.spanId, span);
      if (span.status.code === "ERROR") this.failing.add(span);
      fresh.push(span);
    }
    // The spans waiting for one of these as their parent: nested when it is of their service, and the
    // tellings of a request under it are nested in it too (they wait for it as well).
    for (const parent of fresh) {
      const children = this.waiting.get(parent.spanId);
      if (children === undefined) continue;
      this.waiting.delete(parent.spanId);
      this.requests.delete(requestsKey(parent.spanId, parent.service));
      for (const child of children) {
        if (child.service !== parent.service) continue;
        this.nest(child, parent, was, failedWas);
      }
    }
    for (const span of fresh) this.place(span, was, failedWas);
    let changes: TellingChanges<S> | null = null;
    for (const [span, before] of was) {
      const now = this.nested.has(span);
      if (now === before) continue;
      changes ??= { nested: new Map(), failedInside: new Map() };
      changes.nested.set(span, now);
    }
    for (const [span, before] of failedWas) {
      const now = this.failedInside(span);
      if (now === before) continue;
      changes ??= { nested: new Map(), failedInside: new Map() };
      changes.failedInside.set(span, now);
    }
    return changes;
  }

  /** Tells a new span apart; a span told otherwise than before is noted in `was` and `failedWas` with how it was told. */
  private place(span: S, was: Map<S, boolean>, failedWas: Map<S, boolean>): void {
    if (span.parentSpanId === null) return;
    const parent = this.byId.get(span.parentSpanId);
    if (parent === undefined) {
      const children = this.waiting.get(span.parentSpanId);
      if (children === undefined) this.waiting.set(span.parentSpanId, [span]);
      else children.push(span);
    } else if (parent.service === span.service) {
      this.nest(span, parent, was, failedWas);
      return;
    }
    // Two SERVER spans of one service under the same caller over the same time: one request told
    // twice (tellSameRequest). The outer one is the request; two requests one after the other stay two.
    if (span.kind !== "SERVER") return;
    const key = requestsKey(span.parentSpanId, span.service);
    const requests = this.requests.get(key);
    if (requests === undefined) {
      this.requests.set(key, [span]);
      return;
    }
    const [bStart, bEnd] = timesOf(span);
    const same = requests.findIndex((other) => {
      const [aStart, aEnd] = timesOf(other);
      return tellSameRequest(aStart, aEnd, bStart, bEnd);
    });
    const other = requests[same];
    if (other === undefined) {
      requests.push(span);
      return;
    }
    const [aStart, aEnd] = timesOf(other);
    if (isOuterTelling(aStart, aEnd, bStart, bEnd)) {
      this.nest(span, other, was, failedWas);
    } else {
      this.nest(other, span, was, failedWas);
      requests[same] = span;
    }
  }

  /** Nests `span` in `outer`: its request (and every telling of it) joins `outer`'s. */
  private nest(span: S, outer: S, was: Map<S, boolean>, failedWas: Map<S, boolean>): void {
    const from = this.requestOf(span);
    const to = this.requestOf(outer);
    for (const request of [from, to]) if (!failedWas.has(request)) failedWas.set(request, this.failedInside(request));
    if (!was.has(span)) was.set(span, this.nested.has(span));
    this.nested.add(span);
    if (from === to) return;
    this.joined.set(from, to);
    if (this.failing.delete(from)) this.failing.add(to);
  }

  /** The span that stands for the request `span` tells (itself unless joined to another). */
  private requestOf(span: S): S {
    let request = span;
    for (let next = this.joined.get(request); next !== undefined; next = this.joined.get(request)) request = next;
    return request;
  }

  /** Whether `span` is a request (nested in none) whose own span did not fail while a telling of it did. */
  private failedInside(span: S): boolean {
    return this.failing.has(span) && span.status.code !== "ERROR" && !this.nested.has(span);
  }
}

function requestsKey(parentSpanId: string, service: string): string {
  return `${parentSpanId}\u0000${service}`;
}

/** Whether a span is an entry span (SERVER, CONSUMER): what nestedEntrySpans tells apart. */
export function isEntrySpan(span: Pick<Span, "kind">): boolean {
  return span.kind === "SERVER" || span.kind === "CONSUMER";
}

/** What naming an operation reads of a span (its scope: whether an INTERNAL span is a call, see operationGroupOf). */
export type OperationSpan = Pick<Span, "name"> & CallSpan;

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
  const group = operationGroupOf(span);
  if (group === "entry") return { group, kind: span.kind, name: routeNameOf(span.name, span.attributes), peer: null };
  if (group === "internal") return { group, kind: span.kind, name: span.name, peer: null };
  const peer = peerNameOf(span);
  const method = bareHttpMethod(span.name, span.attributes);
  const name = method !== undefined && peer !== null ? `${method} ${peer}` : span.name;
  return { group, kind: span.kind, name, peer };
}

/** The methods an operation's name starts with when it was made from a route, a path or a peer (trace-name.ts). */
const OPERATION_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "QUERY",
  "_OTHER",
  "HTTP",
]);

/**
 * Texts of which one is in the name or an attribute value of every span whose operation is named
 * `name` (see operationOf), for a store to pass over spans and traces without naming their
 * operations; null when it cannot vouch for any. A name that is not a method and more is the span's
 * own. Else the span's name holds the rest (`GET /items/:id` of a span so named, or templated from
 * `GET /items/5`: its longest part between `:id`s), or an attribute does (the route or path it was
 * templated from; the peer's first word, its system or its host, a loopback's port cut); a host read
 * from a URL may be written otherwise there (`new URL` normalizes it), so a peer-like rest also lets
 * through a span whose name holds the method.
 */
export function operationNameTexts(name: string): string[] | null {
  const method = methodOfOperationName(name);
  if (method === undefined) return name === "" ? null : [name];
  const rest = name.slice(method.length + 1);
  const part = rest.split(ID_PLACEHOLDER).reduce((a, b) => (b.length > a.length ? b : a), "");
  const head = (rest.split(" ")[0] as string).replace(/^\[?(.*?)\]?:\d+$/, "$1");
  if (part === "" || head === "") return null;
  const texts = [part, head];
  if (!/[/\s]/.test(rest)) texts.push(method);
  return [...new Set(texts)];
}

/**
 * The method an operation's name starts with (`GET` of `GET /items/:id`); undefined when it does not
 * start with one and more, and so is the name of the spans of that operation themselves.
 */
export function methodOfOperationName(name: string): string | undefined {
  const space = name.indexOf(" ");
  const method = space === -1 ? "" : name.slice(0, space);
  return OPERATION_METHODS.has(method) ? method : undefined;
}

/** Who an outgoing span calls, by name (service-map.ts's rules), or null. */
export function peerNameOf(span: OperationSpan): string | null {
  const peer = peerOf(span);
  return peer === null ? null : peerName(peer);
}

/** A value as a quoted query-language value (domain/query.ts escapes). */
export function quoteQueryValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r")}"`;
}

/**
 * A query (the trace list's language) for traces with a span of this operation: the service, the
 * kind and `operation=` its name, which finds every span the operation groups, however each was named
 * (`GET` with `http.route` `/x`, `GET /x`, `GET /x/5` templated; a call named `GET` to payments and one
 * named `GET payments`). Span names and routes (`name="GET" http.route="/x"`) missed the spans named
 * the other way, and free text for a peer (`"localhost:3001"`) spans whose peer is read from two
 * attributes. The kind is always named (`kind=unspecified` too). Calls of one name to two peers are
 * two operations that one query lists together; but a TraceKit SDK's INTERNAL span that calls a peer
 * (`peer`, see operationGroupOf) is told from the app's other INTERNAL spans of its name by `peer=`.
 */
export function operationQuery(service: string, kind: SpanKind, name: string, peer: string | null = null): string {
  const query = `service=${quoteQueryValue(service)} kind=${kind.toLowerCase()} operation=${quoteQueryValue(name)}`;
  return kind === "INTERNAL" && peer !== null ? `${query} peer=${quoteQueryValue(peer)}` : query;
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
