/**
 * Where an error started: a request that fails deep down fails in every span on the way up (the
 * client call, the handler, the server span of each service), and each of those is an error of its
 * own on the Errors page. This finds, for the error of one span, the failures below it that started
 * it. Pure; reads the trace's spans only.
 */
import { type ErrorOccurrence, errorOccurrencesOf } from "./error-fingerprint.js";
import type { Span } from "./span.js";

/** A trace's spans by parent span id: build once for several `errorsBelow` questions on one trace. */
export type SpanChildren = Map<string, Span[]>;

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
  return children;
}

/**
 * The errors of the failing spans (status ERROR) below `spanId` that have no failing span below
 * them, the deepest failures, oldest first; empty when no span below it failed, that is when the
 * error started in the span itself (or the span is not in the trace). An exception caught on a
 * span that then succeeded started nothing.
 */
export function errorsBelow(children: SpanChildren, spanId: string): ErrorOccurrence[] {
  // The spans below, each before its own children (a trace with a cycle is walked once).
  const below: Span[] = [];
  const seen = new Set<string>([spanId]);
  const stack = [...(children.get(spanId) ?? [])];
  while (stack.length > 0) {
    const span = stack.pop() as Span;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    below.push(span);
    for (const child of children.get(span.spanId) ?? []) stack.push(child);
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
    const parent = span.parentSpanId as string;
    if (own.has(span.spanId) || failsBelow.has(span.spanId)) failsBelow.add(parent);
  }
  const deepest: ErrorOccurrence[] = [];
  for (const span of below) {
    if (!failsBelow.has(span.spanId)) deepest.push(...(own.get(span.spanId) ?? []));
  }
  return deepest.sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0));
}
