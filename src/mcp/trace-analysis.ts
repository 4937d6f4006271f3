/** Pure reading of a trace's spans and of trace summaries: the tree, where an error started, operation statistics. */
import { failureOriginOf } from "../domain/failure-origin.js";
import { ascending } from "../domain/order.js";
import { percentile } from "../domain/percentile.js";
import { routeNameOf } from "../domain/trace-name.js";
import type { SpanJson, TraceSummaryJson } from "../protocol.js";

export interface SpanNode {
  span: SpanJson;
  depth: number;
  /** True when the span names a parent that is not in the trace. */
  orphan: boolean;
}

const byStart = (a: SpanJson, b: SpanJson) => ascending(BigInt(a.startTimeUnixNano), BigInt(b.startTimeUnixNano));

/** Every span once, depth first, children by start time; spans whose parent is missing start their own tree. */
export function spanTree(spans: readonly SpanJson[]): SpanNode[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, SpanJson[]>();
  const roots: SpanJson[] = [];
  for (const span of spans) {
    if (span.parentSpanId === null || !ids.has(span.parentSpanId) || span.parentSpanId === span.spanId) {
      roots.push(span);
      continue;
    }
    const list = children.get(span.parentSpanId);
    if (list === undefined) children.set(span.parentSpanId, [span]);
    else list.push(span);
  }
  const nodes: SpanNode[] = [];
  const seen = new Set<string>();
  const visit = (span: SpanJson, depth: number) => {
    const stack: { span: SpanJson; depth: number }[] = [{ span, depth }];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next.span.spanId)) continue;
      seen.add(next.span.spanId);
      nodes.push({ span: next.span, depth: next.depth, orphan: next.depth === 0 && next.span.parentSpanId !== null });
      const kids = [...(children.get(next.span.spanId) ?? [])].sort(byStart);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: next.depth + 1 });
    }
  };
  for (const root of [...roots].sort(byStart)) visit(root, 0);
  // Spans caught in a parent cycle reach no root: show them at the top rather than lose them.
  for (const span of [...spans].sort(byStart)) if (!seen.has(span.spanId)) visit(span, 0);
  return nodes;
}

/**
 * Where the trace's error started, as the trace page and the trace list's error line say it
 * (domain/failure-origin.ts): of the failing spans with no failing span below them, the one that
 * started first; undefined when no span fails.
 */
export function errorOrigin(spans: readonly SpanJson[]): SpanNode | undefined {
  const failing = spans
    .filter((span) => span.status.code === "ERROR")
    .map((span) => ({
      span,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      kind: span.kind,
      service: span.service,
      startTimeUnixNano: BigInt(span.startTimeUnixNano),
      endTimeUnixNano: BigInt(span.endTimeUnixNano),
    }));
  // The spans that did not fail join a failure below them to the failing spans above.
  const origin = failureOriginOf(
    failing,
    spans.filter((span) => span.status.code !== "ERROR"),
  )?.span;
  return origin === undefined ? undefined : spanTree(spans).find((node) => node.span === origin);
}

export interface OperationStats {
  service: string;
  name: string;
  count: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * Per service and operation: count, errors and p50 / p95 / max duration; slowest p95 first. The
 * operation is the trace (root) name, a method-and-path name with its path's ids templated
 * (`GET /orders/1` and `GET /orders/2` are `GET /orders/:id`, as the Services page and Compare read them).
 */
export function operationStats(traces: readonly TraceSummaryJson[]): OperationStats[] {
  const groups = new Map<string, { service: string; name: string; durations: number[]; errors: number }>();
  for (const trace of traces) {
    const name = routeNameOf(trace.name, {});
    const key = `${trace.service}\u0000${name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { service: trace.service, name, durations: [], errors: 0 };
      groups.set(key, group);
    }
    group.durations.push(trace.durationMs);
    if (trace.errorCount > 0) group.errors++;
  }
  return [...groups.values()]
    .map((group) => {
      const sorted = group.durations.sort((a, b) => a - b);
      return {
        service: group.service,
        name: group.name,
        count: sorted.length,
        errors: group.errors,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1] ?? 0,
      };
    })
    .sort((a, b) => b.p95Ms - a.p95Ms || b.maxMs - a.maxMs);
}
