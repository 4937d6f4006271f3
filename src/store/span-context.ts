/**
 * A span's place in its trace, read without the trace's other spans whole: from an outline of every
 * span (id, parent, start) it picks the spans above it, the first below it in waterfall order (depth
 * first, children by start, as MCP's waterfall lists them) and counts the rest. Pure; each store reads
 * the outline and then only the spans picked.
 */
import { ascending } from "../domain/order.js";
import type { Span } from "../domain/span.js";
import { UNSET_TIME } from "../domain/time.js";

/** One span of the outline: enough to place it in the tree. */
export type OutlineSpan = Pick<Span, "spanId" | "parentSpanId" | "startTimeUnixNano">;

export interface SpanContextLimits {
  /** The most spans above it to read, the nearest ones. */
  maxAbove: number;
  /** The most spans below it to read, the first in waterfall order. */
  maxBelow: number;
}

/** What the picker chose, as indexes into the outline. */
export interface SpanContextPick {
  at: number;
  /** Its depth: how many spans are above it. */
  depth: number;
  /** The nearest `maxAbove` spans above it, the root's side first. */
  above: number[];
  /** The first `maxBelow` spans below it, depth relative to it (1: a child). */
  below: { index: number; depth: number }[];
  belowCount: number;
  /** The other children of its parent. */
  siblingCount: number;
  traceStart: bigint;
}

/** A span, its place and what is around it (store/span-context.ts picks them). */
export interface SpanContext {
  traceId: string;
  /** Every span of the trace. */
  spanCount: number;
  /** The earliest start of the trace's spans that have one (0 when none has). */
  traceStart: bigint;
  span: Span;
  depth: number;
  /** The nearest spans above it, the root's side first; `depth` is how many there are in all. */
  above: Span[];
  below: { span: Span; depth: number }[];
  belowCount: number;
  siblingCount: number;
}

/** Picks the span `spanId`'s context from its trace's outline; undefined when the outline has no such span. */
export function pickSpanContext(
  outline: readonly OutlineSpan[],
  spanId: string,
  limits: SpanContextLimits,
): SpanContextPick | undefined {
  const indexOf = new Map<string, number>();
  let traceStart: bigint | undefined;
  outline.forEach((span, i) => {
    if (!indexOf.has(span.spanId)) indexOf.set(span.spanId, i);
    // A span whose start is unset (0) places nothing in time, as in the trace's summary.
    const start = span.startTimeUnixNano;
    if (start !== UNSET_TIME && (traceStart === undefined || start < traceStart)) traceStart = start;
  });
  const at = indexOf.get(spanId);
  if (at === undefined) return undefined;
  const parentOf = (i: number): number | undefined => {
    const parent = outline[i]!.parentSpanId;
    if (parent === null || parent === outline[i]!.spanId) return undefined;
    return indexOf.get(parent);
  };
  // Above: the parent chain (a cycle ends it where it repeats).
  const chain: number[] = [];
  const seen = new Set<number>([at]);
  for (let i = parentOf(at); i !== undefined && !seen.has(i); i = parentOf(i)) {
    seen.add(i);
    chain.push(i);
  }
  // Below: only the span's subtree is walked, but finding children needs one pass over the outline.
  const children = new Map<number, number[]>();
  outline.forEach((_, i) => {
    const parent = parentOf(i);
    if (parent === undefined) return;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [i]);
    else list.push(i);
  });
  const byStart = (a: number, b: number) =>
    ascending(outline[a]!.startTimeUnixNano, outline[b]!.startTimeUnixNano) || a - b;
  const below: { index: number; depth: number }[] = [];
  let belowCount = 0;
  const visited = new Set<number>([at]);
  const stack: { index: number; depth: number }[] = [];
  const pushChildren = (index: number, depth: number) => {
    const kids = [...(children.get(index) ?? [])].sort(byStart);
    for (let k = kids.length - 1; k >= 0; k--) stack.push({ index: kids[k]!, depth });
  };
  pushChildren(at, 1);
  while (stack.length > 0 && below.length < limits.maxBelow) {
    const next = stack.pop()!;
    if (visited.has(next.index)) continue;
    visited.add(next.index);
    belowCount++;
    below.push(next);
    pushChildren(next.index, next.depth + 1);
  }
  // The rest is only counted: no order needed.
  const rest = stack.map((entry) => entry.index);
  while (rest.length > 0) {
    const index = rest.pop()!;
    if (visited.has(index)) continue;
    visited.add(index);
    belowCount++;
    for (const child of children.get(index) ?? []) rest.push(child);
  }
  const parent = chain[0];
  const siblingCount = parent === undefined ? 0 : (children.get(parent)?.length ?? 1) - 1;
  return {
    at,
    depth: chain.length,
    above: chain.slice(0, limits.maxAbove).reverse(),
    below,
    belowCount,
    siblingCount,
    traceStart: traceStart ?? UNSET_TIME,
  };
}

/** The context from a pick and a way to read the spans it chose. */
export function spanContextOf(
  traceId: string,
  spanCount: number,
  pick: SpanContextPick,
  spanAt: (index: number) => Span,
): SpanContext {
  return {
    traceId,
    spanCount,
    traceStart: pick.traceStart,
    span: spanAt(pick.at),
    depth: pick.depth,
    above: pick.above.map(spanAt),
    below: pick.below.map(({ index, depth }) => ({ span: spanAt(index), depth })),
    belowCount: pick.belowCount,
    siblingCount: pick.siblingCount,
  };
}

/** The context of the span `spanId` among a trace's spans read whole (a store that holds them in memory). */
export function spanContextFromSpans(
  traceId: string,
  spans: readonly Span[],
  spanId: string,
  limits: SpanContextLimits,
): SpanContext | undefined {
  const pick = pickSpanContext(spans, spanId, limits);
  return pick === undefined ? undefined : spanContextOf(traceId, spans.length, pick, (index) => spans[index]!);
}
