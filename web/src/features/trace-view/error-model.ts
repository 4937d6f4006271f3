/**
 * Where a trace failed: the failing spans in waterfall order, the one where the failure started,
 * and a one-line account of each. Pure, over the waterfall tree.
 */

import { failureOf } from "../../../../src/domain/failure";
import { type FailingSpan, failureOriginOf } from "../../../../src/domain/failure-origin";
import type { SpanJson } from "../../../../src/protocol";
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

export interface TraceErrors {
  /** Failing spans (status ERROR) in waterfall (pre-)order. */
  nodes: WaterfallNode[];
  /**
   * Where the failure started (an error usually travels up through every caller): of the failing
   * spans with no failing span below them, the one that started first, by the rule the trace list's
   * error line follows (domain/failure-origin.ts). Null when nothing failed.
   */
  origin: WaterfallNode | null;
}

const NO_ERRORS: TraceErrors = { nodes: [], origin: null };

export function traceErrors(tree: WaterfallTree): TraceErrors {
  if (tree.errorCount === 0) return NO_ERRORS;
  const nodes = tree.nodes.filter((node) => node.isError);
  const failing = nodes.map((node): FailingSpan & { node: WaterfallNode } => ({
    node,
    spanId: node.span.spanId,
    parentSpanId: node.span.parentSpanId,
    kind: node.span.kind,
    service: node.span.service,
    startTimeUnixNano: BigInt(node.span.startTimeUnixNano),
    endTimeUnixNano: BigInt(node.span.endTimeUnixNano),
  }));
  // The spans that did not fail join a failure below them to the failing spans above.
  const others = tree.nodes.filter((node) => !node.isError).map((node) => node.span);
  return { nodes, origin: failureOriginOf(failing, others)?.node ?? null };
}

/**
 * What went wrong in one span, in a line, by the server's rule (the trace list says the same): the
 * first exception event's type and message, else the span's own exception attributes, else the
 * status message; null when the span says nothing.
 */
export function errorMessageOf(span: SpanJson): string | null {
  return failureOf(span)?.message ?? null;
}

/**
 * The failing span after (`direction` 1) or before (-1) the one at waterfall position `fromIndex`,
 * wrapping around; the first (or last) when `fromIndex` is -1. Null when nothing failed.
 */
export function stepError(
  errors: readonly WaterfallNode[],
  fromIndex: number,
  direction: 1 | -1,
): WaterfallNode | null {
  if (errors.length === 0) return null;
  if (direction === 1) {
    return errors.find((node) => node.index > fromIndex) ?? errors[0]!;
  }
  for (let i = errors.length - 1; i >= 0; i--) {
    const node = errors[i]!;
    if (fromIndex < 0 || node.index < fromIndex) return node;
  }
  return errors[errors.length - 1]!;
}
