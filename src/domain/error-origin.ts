/**
 * Where an error started: a request that fails deep down fails in every span on the way up (the
 * client call, the handler, the server span of each service), and each of those is an error of its
 * own on the Errors page. This finds, for the error of one span, the failures below it that started
 * it. Pure; reads the trace's spans only.
 */
import { type ErrorOccurrence, errorOccurrencesOf } from "./error-fingerprint.js";
import { orphanHolder } from "./failure-origin.js";
import { isOuterTelling, tellSameRequest } from "./same-request.js";
import type { Span } from "./span.js";

/** A trace's spans by parent span id: build once for several `errorsBelow` questions on one trace. */
export type SpanChildren = Map<string, Span[]>;

/**
 * The spans by parent, where of two SERVER / CONSUMER spans of one service under the same caller
 * that tell one request (same-request.ts: the TraceKit Node SDK's Express middleware takes the
 * caller's context, so its span sits beside the HTTP instrumentation's instead of inside it), the
 * inner one reads as a child of the outer one, as when a framework nests its span. A failing span whose
 * parent is not in the trace also reads as a child of the failing SERVER span of its service that holds
 * it, by the rule the trace list's error line follows (failure-origin.ts holdsOrphan): the TraceKit Node
 * SDK never sends its Express span for a request whose handler threw, and the handler's exception is
 * then what the HTTP span's 500 passed along.
 */
export function spanChildren(spans: readonly Span[]): SpanChildren {
  const children: SpanChildren = new Map();
  for (const span of spans) {
    if (span.parentSpanId === null) continue;
    let list = children.get(span.parentSpanId);
    if (list === undefined) {
      list = [];
      children.set(span.parentSpanId, list);
    }
    list.push(span);
  }
  for (const [parent, list] of [...children]) {
    const nested = nestSameRequests(children, list);
    if (nested !== list) children.set(parent, nested);
  }
  adoptOrphans(children, spans);
  return children;
}

/** Each failing span whose parent is not among `spans` added to the children of the failing SERVER span that holds it, if one does. */
function adoptOrphans(children: SpanChildren, spans: readonly Span[]): void {
  let ids: Set<string> | null = null;
  let servers: Map<string, Span[]> | null = null;
  for (const span of spans) {
    const parent = span.parentSpanId;
    if (parent === null || parent === span.spanId || span.status.code !== "ERROR") continue;
    ids ??= new Set(spans.map((s) => s.spanId));
    if (ids.has(parent)) continue;
    servers ??= failingServersByService(spans);
    const holder = orphanHolder(servers.get(span.service) ?? [], span);
    if (holder === undefined) continue;
    const under = children.get(holder.spanId);
    if (under === undefined) children.set(holder.spanId, [span]);
    else under.push(span);
  }
}

/** The failing SERVER spans of a trace by service, in the order given (as failure-origin.ts files them). */
function failingServersByService(spans: readonly Span[]): Map<string, Span[]> {
  const servers = new Map<string, Span[]>();
  for (const span of spans) {
    if (span.kind !== "SERVER" || span.status.code !== "ERROR") continue;
    const list = servers.get(span.service);
    if (list === undefined) servers.set(span.service, [span]);
    else list.push(span);
  }
  return servers;
}

/** Pairs past this many entry spans of one service under one caller are not looked for (a fan-out, not a request told twice). */
const MAX_TELLINGS = 64;

const msOf = (span: Span): [number, number] => [
  Number(span.startTimeUnixNano) / 1e6,
  Number(span.endTimeUnixNano) / 1e6,
];

/** `siblings` without the inner tellings of a request, each moved under its outer telling; `siblings` itself when none. */
function nestSameRequests(children: SpanChildren, siblings: Span[]): Span[] {
  const byService = new Map<string, Span[]>();
  for (const span of siblings) {
    if (span.kind !== "SERVER" && span.kind !== "CONSUMER") continue;
    const list = byService.get(span.service);
    if (list === undefined) byService.set(span.service, [span]);
    else list.push(span);
  }
  let moved: Set<Span> | null = null;
  for (const entries of byService.values()) {
    if (entries.length < 2 || entries.length > MAX_TELLINGS) continue;
    const outers: Span[] = [];
    for (const span of entries) {
      const [start, end] = msOf(span);
      const outer = outers.find((o) => {
        const [oStart, oEnd] = msOf(o);
        return tellSameRequest(oStart, oEnd, start, end);
      });
      if (outer === undefined) {
        outers.push(span);
        continue;
      }
      const [oStart, oEnd] = msOf(outer);
      const [inner, keeper] = isOuterTelling(oStart, oEnd, start, end) ? [span, outer] : [outer, span];
      if (keeper !== outer) outers[outers.indexOf(outer)] = keeper;
      moved ??= new Set();
      moved.add(inner);
      const under = children.get(keeper.spanId);
      if (under === undefined) children.set(keeper.spanId, [inner]);
      else under.push(inner);
    }
  }
  return moved === null ? siblings : siblings.filter((span) => !moved.has(span));
}

/**
 * The errors of the failing spans (status ERROR) below `spanId` that have no failing span below
 * them, the deepest failures, oldest first; empty when no span below it failed, that is when the
 * error started in the span itself (or the span is not in the trace). An exception caught on a
 * span that then succeeded started nothing.
 */
export function errorsBelow(children: SpanChildren, spanId: string): ErrorOccurrence[] {
  // The spans below, each before its own children (a trace with a cycle is walked once), and the
  // span each is under in `children` (not always its parentSpanId: see spanChildren).
  const below: Span[] = [];
  const under = new Map<string, string>();
  const seen = new Set<string>([spanId]);
  const stack: [Span, string][] = (children.get(spanId) ?? []).map((child) => [child, spanId]);
  while (stack.length > 0) {
    const [span, parent] = stack.pop() as [Span, string];
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    below.push(span);
    under.set(span.spanId, parent);
    for (const child of children.get(span.spanId) ?? []) stack.push([child, span.spanId]);
  }
  const own = new Map<string, ErrorOccurrence[]>();
  for (const span of below) {
    if (span.status.code !== "ERROR") continue;
    const errors = errorOccurrencesOf(span);
    if (errors.length > 0) own.set(span.spanId, errors);
  }
  if (own.size === 0) return [];
  // Children come after their parent in `below`: walked backwards, a span knows its children's answer.
  const failsBelow = new Set<string>();
  for (let i = below.length - 1; i >= 0; i--) {
    const span = below[i] as Span;
    if (own.has(span.spanId) || failsBelow.has(span.spanId)) failsBelow.add(under.get(span.spanId) as string);
  }
  const deepest: ErrorOccurrence[] = [];
  for (const span of below) {
    if (!failsBelow.has(span.spanId)) deepest.push(...(own.get(span.spanId) ?? []));
  }
  return deepest.sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0));
}
